// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/drift_monitor.h"

#include <QWidget>

class QAction;
class QComboBox;
class QTabWidget;
class QChart;
class QChartView;
class QLabel;
class QTableWidget;

namespace vigil {
class Session;
}

namespace vigil::ui {

class DriftHeatmap;

// The drift monitors at a glance: one row per feature with every score, the
// verdict in colour and a sparkline of PSI over the time range; below, the
// selected feature's reference and current histograms side by side.
class DriftView : public QWidget
{
    Q_OBJECT
public:
    enum Column { Monitor, Feature, Trend, Psi, Ks, Js, Hellinger, Wasserstein, Verdict, Counts, Reference, ColumnCount };

    explicit DriftView(Session *session, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    // Detector monitors (Page-Hinkley, ADWIN, DDM): one row per series.
    enum DetectorColumn { DetMonitor, DetSeries, DetDetector, DetState, DetValue, DetValues, DetLastChange, DetColumnCount };
    QTableWidget *detectorTable() const { return m_detectors; }
    QTabWidget *tabs() const { return m_tabs; }
    // "change flagged", "warning zone", "no change".
    static QString detectorStateText(const drift::DetectorRow &row);
    DriftHeatmap *heatmap() const { return m_heatmap; }
    QComboBox *heatmapScore() const { return m_heatmapScore; }
    // Shows the histograms (0), the features × time heatmap (1) or the change detectors (2).
    void showTab(int index);
    QChart *histogramChart() const { return m_chart; }
    // "drift (PSI 0.41)", "insufficient data: no samples in the reference window", ...
    static QString verdictText(const drift::DriftRow &row);
    // Bucket labels "≤ 0.5", ..., "+Inf" for a histogram's layout.
    static QStringList bucketLabels(const drift::Histogram &h);

    // "Pin current as baseline" (B): the selected feature's current window
    // becomes its reference; Shift+B pins every feature's; Alt+B unpins the
    // selected one (back to the configured reference window). Saved next to
    // the workspace (drift::baselinesPathFor) and handed to the monitors.
    QAction *pinAction() const { return m_pin; }
    QAction *pinAllAction() const { return m_pinAll; }
    QAction *unpinAction() const { return m_unpin; }
    const QList<drift::PinnedBaseline> &baselines() const { return m_baselines; }
    QString baselinePath() const { return m_baselinePath; }
    QString baselineStatus() const; // what the view last said about the baselines

protected:
    void changeEvent(QEvent *event) override; // a theme switch redraws the histograms

private:
    void reload();
    void showHistograms();
    void showHeatmap();
    void showDetectors();
    void applyChartTheme(); // dark or light, as the palette
    void loadBaselinesIfNeeded();
    void pin(bool all);
    void unpin();
    void storeBaselines(const QString &done);

    Session *m_session;
    QLabel *m_errors;
    QTableWidget *m_table;
    QChartView *m_view;
    QChart *m_chart;
    QList<drift::DriftRow> m_rows;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_detectors = nullptr;
    bool m_detectorTabShown = false; // switched to once, when only detectors have rows
    DriftHeatmap *m_heatmap = nullptr;
    QComboBox *m_heatmapScore = nullptr;
    QAction *m_pin = nullptr;
    QAction *m_pinAll = nullptr;
    QAction *m_unpin = nullptr;
    QLabel *m_baselineLabel = nullptr;
    QList<drift::PinnedBaseline> m_baselines;
    QString m_baselinePath;
    bool m_baselinesLoaded = false;
};

} // namespace vigil::ui
