// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift_heatmap.h"

#include "util/display_text.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::ui {

namespace {
constexpr int kRowHeight = 22;
constexpr int kLegendHeight = 62;
constexpr int kAxisHeight = 18;
constexpr int kMargin = 8;

QColor mix(const QColor &a, const QColor &b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QString timeText(qint64 ms, bool withDate)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(withDate ? QStringLiteral("yyyy-MM-dd HH:mm:ss")
                                                                         : QStringLiteral("HH:mm"));
}
} // namespace

DriftHeatmap::DriftHeatmap(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("driftHeatmap"));
    setMouseTracking(true);
}

QColor DriftHeatmap::colourFor(double value, const Scale &s)
{
    if (!std::isfinite(value))
        return QColor(0xe0, 0xe0, 0xe0);
    const QColor green(0x66, 0xbb, 0x6a), amber(0xff, 0xca, 0x28), red(0xe5, 0x39, 0x35), dark(0x8e, 0x1b, 0x1b);
    const double drift = s.drift > 0 ? s.drift : 1.0;
    const double warning = std::isfinite(s.warning) && s.warning > 0 && s.warning < drift ? s.warning : drift / 2;
    if (value <= warning)
        return mix(green, amber, value / warning);
    if (value <= drift)
        return mix(amber, red, (value - warning) / (drift - warning));
    return mix(red, dark, (value - drift) / drift);
}

void DriftHeatmap::setData(const QList<Row> &rows, qint64 fromMs, qint64 toMs, const Scale &scale, int columns)
{
    m_rows = rows;
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1);
    m_scale = scale;
    m_requestedColumns = columns;
    compute();
    // Tall enough for every row, the axis and the legend: a scroll area around
    // the map scrolls through many features.
    setMinimumHeight(kMargin * 2 + int(m_rows.size()) * kRowHeight + kAxisHeight + kLegendHeight);
    updateGeometry();
    update();
}

int DriftHeatmap::labelWidth() const
{
    int w = 0;
    for (const Row &r : m_rows)
        w = std::max(w, fontMetrics().horizontalAdvance(visibleControls(r.name)));
    return std::clamp(w + 12, 60, std::max(60, width() / 3));
}

QRect DriftHeatmap::plotRect() const
{
    const int left = kMargin + labelWidth();
    const int top = kMargin;
    const int w = std::max(10, width() - left - kMargin);
    const int h = int(m_rows.size()) * kRowHeight;
    return QRect(left, top, w, h);
}

void DriftHeatmap::compute()
{
    const int plotWidth = std::max(10, width() - kMargin * 2 - labelWidth());
    m_columns = m_requestedColumns > 0 ? m_requestedColumns : std::clamp(plotWidth / 14, 12, 60);
    if (m_requestedColumns <= 0) {
        // No interval narrower than the scores' spacing (the monitors'
        // interval), or every other column would be empty.
        std::vector<qint64> gaps;
        for (const Row &r : std::as_const(m_rows))
            for (qsizetype i = 1; i < r.samples.size(); ++i)
                if (r.samples[i].t > r.samples[i - 1].t)
                    gaps.push_back(r.samples[i].t - r.samples[i - 1].t);
        if (!gaps.empty()) {
            std::nth_element(gaps.begin(), gaps.begin() + qsizetype(gaps.size() / 2), gaps.end());
            const qint64 spacing = gaps[gaps.size() / 2];
            m_columns = std::max(1, std::min(m_columns, int((m_toMs - m_fromMs) / spacing)));
        }
    }
    m_cells.assign(size_t(m_rows.size()) * size_t(m_columns), std::numeric_limits<double>::quiet_NaN());
    const double span = double(m_toMs - m_fromMs);
    for (int r = 0; r < m_rows.size(); ++r) {
        for (const Sample &s : m_rows[r].samples) {
            if (s.t < m_fromMs || s.t > m_toMs || !std::isfinite(s.v))
                continue;
            const int c = std::min(m_columns - 1, int(double(s.t - m_fromMs) / span * m_columns));
            double &cell = m_cells[size_t(r) * size_t(m_columns) + size_t(c)];
            cell = std::isfinite(cell) ? std::max(cell, s.v) : s.v; // the worst score in the bucket
        }
    }
}

double DriftHeatmap::cellValue(int row, int column) const
{
    if (row < 0 || row >= m_rows.size() || column < 0 || column >= m_columns)
        return std::numeric_limits<double>::quiet_NaN();
    return m_cells[size_t(row) * size_t(m_columns) + size_t(column)];
}

QColor DriftHeatmap::cellColour(int row, int column) const
{
    return colourFor(cellValue(row, column), m_scale);
}

QRect DriftHeatmap::cellRect(int row, int column) const
{
    const QRect plot = plotRect();
    const int x0 = plot.left() + int(std::lround(double(plot.width()) * column / std::max(1, m_columns)));
    const int x1 = plot.left() + int(std::lround(double(plot.width()) * (column + 1) / std::max(1, m_columns)));
    return QRect(x0, plot.top() + row * kRowHeight, x1 - x0, kRowHeight);
}

QRect DriftHeatmap::legendRect() const
{
    const QRect plot = plotRect();
    return QRect(plot.left(), plot.bottom() + 1 + kAxisHeight + 6, std::min(plot.width(), 360), 12);
}

QString DriftHeatmap::cellText(int row, int column) const
{
    if (row < 0 || row >= m_rows.size() || column < 0 || column >= m_columns)
        return QString();
    const qint64 span = m_toMs - m_fromMs;
    const qint64 from = m_fromMs + span * column / m_columns;
    const qint64 to = m_fromMs + span * (column + 1) / m_columns;
    const double v = cellValue(row, column);
    QString verdict;
    if (std::isfinite(v))
        verdict = v >= m_scale.drift ? QStringLiteral("drift")
                  : (std::isfinite(m_scale.warning) && v >= m_scale.warning) ? QStringLiteral("warning")
                                                                             : QStringLiteral("ok");
    return QStringLiteral("%1\n%2 to %3 UTC\n%4")
        .arg(m_rows[row].name, timeText(from, true), timeText(to, true).mid(11),
             std::isfinite(v) ? QStringLiteral("%1 %2 (%3; the largest in this interval)")
                                    .arg(m_scale.score, QString::number(v, 'g', 3), verdict)
                              : QStringLiteral("no %1 in this interval").arg(m_scale.score));
}

QString DriftHeatmap::toolTipAt(const QPoint &pos) const
{
    const QRect plot = plotRect();
    if (!plot.contains(pos) || m_columns <= 0)
        return QString();
    const int row = (pos.y() - plot.top()) / kRowHeight;
    const int column = std::min(m_columns - 1, int(double(pos.x() - plot.left()) / plot.width() * m_columns));
    return cellText(row, column);
}

bool DriftHeatmap::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), plainToolTip(text), this); // server label values stay text
        return true;
    }
    if (e->type() == QEvent::Resize && m_requestedColumns == 0)
        compute();
    return QWidget::event(e);
}

void DriftHeatmap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor faint = palette().color(QPalette::PlaceholderText);
    if (m_rows.isEmpty()) {
        p.setPen(faint);
        p.drawText(rect(), Qt::AlignCenter, QStringLiteral("No drift scores in this range yet"));
        return;
    }
    const QRect plot = plotRect();
    // Row labels, elided to the label column.
    p.setPen(text);
    for (int r = 0; r < m_rows.size(); ++r) {
        const QRect label(kMargin, plot.top() + r * kRowHeight, plot.left() - kMargin - 6, kRowHeight);
        p.drawText(label, Qt::AlignVCenter | Qt::AlignRight,
                   fontMetrics().elidedText(visibleControls(m_rows[r].name), Qt::ElideMiddle, label.width()));
    }
    // Cells, with a hairline of the background between them.
    const QColor gap = palette().color(QPalette::Base);
    for (int r = 0; r < m_rows.size(); ++r) {
        for (int c = 0; c < m_columns; ++c) {
            const QRect cell = cellRect(r, c).adjusted(0, 0, -1, -1);
            p.fillRect(cell, cellColour(r, c));
        }
    }
    p.setPen(gap);
    for (int r = 0; r <= m_rows.size(); ++r)
        p.drawLine(plot.left(), plot.top() + r * kRowHeight - 1, plot.right(), plot.top() + r * kRowHeight - 1);
    // Time axis: the range's ends and a few ticks between.
    p.setPen(faint);
    const int ticks = std::clamp(plot.width() / 120, 1, 6);
    for (int i = 0; i <= ticks; ++i) {
        const qint64 t = m_fromMs + (m_toMs - m_fromMs) * i / ticks;
        const int x = plot.left() + plot.width() * i / ticks;
        const Qt::Alignment align = i == 0 ? Qt::AlignLeft : (i == ticks ? Qt::AlignRight : Qt::AlignHCenter);
        QRect box(x - 60, plot.bottom() + 3, 120, kAxisHeight);
        if (i == 0)
            box.moveLeft(x);
        else if (i == ticks)
            box.moveRight(x);
        p.drawText(box, align | Qt::AlignTop, timeText(t, false) + (i == ticks ? QStringLiteral(" UTC") : QString()));
    }
    // Legend: the colour scale from 0 to twice the drift level, with the levels marked.
    const QRect legend = legendRect();
    const double top = 2 * m_scale.drift;
    for (int x = 0; x < legend.width(); ++x)
        p.fillRect(QRect(legend.left() + x, legend.top(), 1, legend.height()),
                   colourFor(top * x / std::max(1, legend.width() - 1), m_scale));
    p.setPen(text);
    auto mark = [&](double v, const QString &what) {
        const int x = legend.left() + int(std::lround(v / top * (legend.width() - 1)));
        p.drawLine(x, legend.top() - 2, x, legend.bottom() + 2);
        QRect box(x - 50, legend.bottom() + 3, 100, 14);
        p.drawText(box, Qt::AlignHCenter | Qt::AlignTop, what);
    };
    mark(0.0, QStringLiteral("0"));
    if (std::isfinite(m_scale.warning))
        mark(m_scale.warning, QString::number(m_scale.warning, 'g', 3));
    mark(m_scale.drift, QString::number(m_scale.drift, 'g', 3));
    mark(top, QStringLiteral("≥ %1").arg(QString::number(top, 'g', 3)));
    const QRect none(legend.right() + 16, legend.top(), 12, legend.height());
    p.fillRect(none, colourFor(std::nan(""), m_scale));
    p.drawText(QRect(none.right() + 6, legend.top() - 3, 80, 18), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("no data"));
    const QRect caption(legend.left(), legend.bottom() + 18, width() - legend.left() - kMargin, 16);
    p.setPen(faint);
    p.drawText(caption, Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("Colour: %1, the largest in each interval (warning %2, drift %3)")
                   .arg(m_scale.score,
                        std::isfinite(m_scale.warning) ? QString::number(m_scale.warning, 'g', 3) : QStringLiteral("no"),
                        QString::number(m_scale.drift, 'g', 3)));
}

} // namespace vigil::ui
