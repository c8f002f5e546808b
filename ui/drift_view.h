// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/drift_monitor.h"

#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QTableWidget;

namespace vigil {
class Session;
}

namespace vigil::ui {

// The drift monitors at a glance: one row per feature with every score, the
// verdict in colour and a sparkline of PSI over the time range; below, the
// selected feature's reference and current histograms side by side.
class DriftView : public QWidget
{
    Q_OBJECT
public:
    enum Column { Monitor, Feature, Trend, Psi, Ks, Js, Hellinger, Wasserstein, Verdict, Counts, ColumnCount };

    explicit DriftView(Session *session, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QChart *histogramChart() const { return m_chart; }
    // "drift (PSI 0.41)", "insufficient data: no samples in the reference window", ...
    static QString verdictText(const drift::DriftRow &row);
    // Bucket labels "≤ 0.5", ..., "+Inf" for a histogram's layout.
    static QStringList bucketLabels(const drift::Histogram &h);

protected:
    void changeEvent(QEvent *event) override; // a theme switch redraws the histograms

private:
    void reload();
    void showHistograms();
    void applyChartTheme(); // dark or light, as the palette

    Session *m_session;
    QLabel *m_errors;
    QTableWidget *m_table;
    QChartView *m_view;
    QChart *m_chart;
    QList<drift::DriftRow> m_rows;
};

} // namespace vigil::ui
