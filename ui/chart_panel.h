// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_store.h"
#include "sources/poll_scheduler.h"
#include "units.h"
#include "workspace/workspace.h"

#include <QFrame>
#include <QHash>
#include <QSet>

class QLabel;
class QAction;
class QAreaSeries;
class QGraphicsLineItem;
class QLegendMarker;
class QRubberBand;
class QLineSeries;
class QChart;
class QChartView;
class QDateTimeAxis;
class QValueAxis;

namespace vigil::ui {

// One chart of a dashboard: the series of its queries, and always its state
// (loading, no data, error with the reason, stale since HH:MM), never a
// silently empty chart.
class ChartPanel : public QFrame
{
    Q_OBJECT
public:
    enum class State { Loading, Ok, NoData, Error, Stale };

    ChartPanel(const PanelDef &def, QStringList jobIds, QWidget *parent = nullptr);

    const QStringList &jobIds() const { return m_jobIds; }
    const PanelDef &definition() const { return m_def; }

    void setStatus(const QString &jobId, const PollStatus &status);
    // Redraws from the store over [fromMs, toMs], decimated to the plot width.
    void updateData(const SeriesStore &store, qint64 fromMs, qint64 toMs);

    // Points a panel hands to Qt Charts in all: with many series over a long
    // range (100 series over a week), each series gets fewer, wider columns
    // than one per pixel, so the panel stays within about kPointBudget points
    // (Qt Charts outlines every point it is given, and paints it). Every
    // column still keeps its minimum and maximum, so no spike is lost. Above
    // kAntialiasPoints the lines are drawn without antialiasing.
    static constexpr qsizetype kPointBudget = 48'000;
    static constexpr qsizetype kAntialiasPoints = 24'000;
    // Decimation columns per series for `seriesCount` series on `pixels` columns.
    static int columnsFor(int pixels, qsizetype seriesCount);
    bool antialiased() const;

    State state() const { return m_state; }
    QString stateText() const; // what the panel says about itself, for tests and tooltips
    int seriesCount() const { return int(m_lines.size()); }
    qsizetype pointCount() const;
    bool hasData() const { return pointCount() > 0; }
    QStringList legendNames() const;
    QChartView *chartView() const { return m_view; }
    QRectF plotArea() const;

    // What the panel draws for alert rules on its query: horizontal lines at
    // the thresholds, and bands over the time an instance has been pending
    // or firing (Grafana draws the same for its alert rules).
    struct Threshold
    {
        double value = 0;
        bool recovery = false; // the hysteresis line, drawn fainter
        QString label;         // "HighP99Latency > 0.25"
        friend bool operator==(const Threshold &, const Threshold &) = default;
    };
    struct AlertSpan
    {
        qint64 fromMs = 0;
        qint64 toMs = 0; // 0: still open (until the right edge)
        bool firing = false; // firing (red) or pending (amber)
        friend bool operator==(const AlertSpan &, const AlertSpan &) = default;
    };
    // Returns whether anything changed (and the panel needs a redraw).
    bool setAlertOverlay(const QList<Threshold> &thresholds, const QList<AlertSpan> &spans);
    // Change-detector flags (issue 4): a panel showing vigil_drift_change
    // draws a vertical marker where it rises to 1 (the flagged evaluation;
    // it then holds 1 for a while, for rules), for each flag in view.
    static constexpr int kMaxChangeMarkers = 64;
    const QList<qint64> &changeMarkers() const { return m_changeTimes; }
    int changeMarkerLineCount() const { return m_changeLinesUsed; }
    int thresholdLineCount() const { return int(std::min(m_thresholdLines.size(), m_thresholds.size())); }
    int alertBandCount() const { return m_bandsUsed; }

    // "{{version}} p99" with {{version}} replaced from the key; a legend
    // without template falls back to the key's labels.
    static QString legendFor(const QString &legendTemplate, const SeriesKey &key, const QString &expr);

    // Legend: a click on a series' marker hides or shows it; the choice is
    // kept by legend name across redraws.
    void setSeriesHidden(const QString &legendName, bool hidden);
    bool isSeriesHidden(const QString &legendName) const { return m_hidden.contains(legendName); }
    QLegendMarker *legendMarker(const QString &legendName) const;

    // The crosshair shared by a dashboard's panels: a vertical line at timeMs
    // (0: none). withTooltip: this is the hovered panel; it also shows the
    // values of its series at that time.
    void setCrosshair(qint64 timeMs, bool withTooltip = false);
    qint64 crosshairTime() const { return m_crosshairMs; }
    // The line's x in the chart view's coordinates (NaN when hidden).
    double crosshairViewX() const;
    QString tooltipText() const; // empty when no tooltip is shown
    // Chart view coordinates <-> time, over the plot area.
    qint64 timeAtViewX(double x) const;
    double viewXOf(qint64 timeMs) const;

    // Every series of the panel over [fromMs, toMs] as CSV: an ISO-8601 UTC
    // timestamp column, then one column per series headed by its legend name;
    // the store's samples, not the decimated points.
    QString toCsv(const SeriesStore &store, qint64 fromMs, qint64 toMs) const;
    // The panel's queries, one per line (for the clipboard).
    QString queryText() const;

    // The panel's keyboard and context-menu actions (maximise, pan, zoom out,
    // export, copy query): the help overlay lists them.
    QList<QAction *> panelActions() const { return m_actions; }
    // A maximised panel says how to go back to the grid.
    void setMaximisedHint(bool maximised);

Q_SIGNALS:
    void hovered(qint64 timeMs);                      // 0: the pointer left the plot
    void zoomRequested(qint64 fromMs, qint64 toMs);   // a drag across the time axis
    void panRequested(qint64 deltaMs);                // shift-drag, arrow keys
    void zoomOutRequested();                          // double click, Z
    void maximiseToggled();                           // V or Enter
    void exportPngRequested();
    void exportCsvRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void styleMarker(QLineSeries *line);
    void colourLines(bool force); // by sorted legend name, so a series keeps its colour
    void placeCrosshair();
    void refreshState();
    void layoutOverlay(qint64 fromMs, qint64 toMs, double yLo, double yHi);
    void applyDarkOrLight();

    PanelDef m_def;
    QStringList m_jobIds;
    QHash<QString, PollStatus> m_status;
    QHash<SeriesKey, QLineSeries *> m_lines;
    State m_state = State::Loading;
    QString m_stateDetail;
    UnitScale m_scale;

    QLabel *m_title = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_overlay = nullptr;
    QChartView *m_view = nullptr;
    QChart *m_chart = nullptr;
    QDateTimeAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QList<Threshold> m_thresholds;
    QList<AlertSpan> m_spans;
    QList<QLineSeries *> m_thresholdLines;
    QList<QAreaSeries *> m_bands; // a pool: the first m_bandsUsed are shown
    int m_bandsUsed = 0;
    QList<qint64> m_changeTimes;         // flagged samples in view, ascending
    QList<QLineSeries *> m_changeLines;  // a pool, like the bands
    int m_changeLinesUsed = 0;
    QSet<QString> m_hidden;     // legend names the user hid
    qint64 m_fromMs = 0, m_toMs = 0; // the x axis' range, as last drawn
    qint64 m_crosshairMs = 0;
    bool m_tooltipShown = false;
    QGraphicsLineItem *m_crosshair = nullptr;
    QLabel *m_tooltip = nullptr;
    QRubberBand *m_rubber = nullptr;
    int m_dragStartX = -1;
    bool m_panning = false;
    QList<QAction *> m_actions;
};

} // namespace vigil::ui
