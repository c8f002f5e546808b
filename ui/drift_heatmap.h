// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series.h"

#include <QColor>
#include <QList>
#include <QWidget>
#include <vector>

namespace vigil::ui {

// Features × time (issue 4): one row per feature, one column per time bucket
// of the range, each cell coloured by the largest score in its bucket (PSI
// by default) on a scale anchored at the score's warning and drift
// thresholds, with the scale drawn as a legend below. Hovering a cell shows
// the feature, the bucket's times and the score as plain text.
class DriftHeatmap : public QWidget
{
    Q_OBJECT
public:
    struct Row
    {
        QString name;          // "feature=body_length · spam inputs"
        QList<Sample> samples; // the score series over the range
    };
    struct Scale
    {
        QString score = QStringLiteral("PSI");
        double warning = 0.1; // NaN: no warning level
        double drift = 0.2;
    };

    explicit DriftHeatmap(QWidget *parent = nullptr);

    // Cells: the range cut into `columns` equal buckets (0: about one per
    // 14 px of the plot, between 12 and 60).
    void setData(const QList<Row> &rows, qint64 fromMs, qint64 toMs, const Scale &scale, int columns = 0);

    int rowCount() const { return int(m_rows.size()); }
    int columnCount() const { return m_columns; }
    // NaN when the bucket holds no sample.
    double cellValue(int row, int column) const;
    QColor cellColour(int row, int column) const;
    QRect cellRect(int row, int column) const;
    QRect legendRect() const;
    // The tip for a cell, plain text ("" outside the cells).
    QString cellText(int row, int column) const;
    QString toolTipAt(const QPoint &pos) const;
    const Scale &scale() const { return m_scale; }

    // Colour of a score on the scale: green at 0, amber at the warning level,
    // red at the drift level, dark red at twice it and above; grey for NaN.
    static QColor colourFor(double value, const Scale &scale);

    QSize sizeHint() const override { return QSize(640, 260); }
    QSize minimumSizeHint() const override { return QSize(320, 140); }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override; // tool tips

private:
    void compute();
    QRect plotRect() const;
    int labelWidth() const;

    QList<Row> m_rows;
    qint64 m_fromMs = 0, m_toMs = 0;
    Scale m_scale;
    int m_requestedColumns = 0;
    int m_columns = 0;
    std::vector<double> m_cells; // row-major, NaN: no data
};

} // namespace vigil::ui
