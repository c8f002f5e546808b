// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_store.h"
#include "sources/poll_scheduler.h"
#include "units.h"
#include "workspace/workspace.h"

#include <QFrame>
#include <QHash>

class QLabel;
class QAreaSeries;
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
    int thresholdLineCount() const { return int(m_thresholdLines.size()); }
    int alertBandCount() const { return int(m_bands.size()); }

    // "{{version}} p99" with {{version}} replaced from the key; a legend
    // without template falls back to the key's labels.
    static QString legendFor(const QString &legendTemplate, const SeriesKey &key, const QString &expr);

private:
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
    QList<QAreaSeries *> m_bands;
};

} // namespace vigil::ui
