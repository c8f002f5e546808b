// SPDX-License-Identifier: GPL-3.0-or-later
#include "chart_panel.h"

#include "series/decimate.h"
#include "util/display_text.h"

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QGraphicsLineItem>
#include <QGuiApplication>
#include <QMouseEvent>
#include <QRubberBand>
#include <map>
#include <optional>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLabel>
#include <QAreaSeries>
#include <QLegendMarker>
#include <QLineSeries>
#include <QRegularExpression>
#include <QTimeZone>
#include <QValueAxis>
#include <QVBoxLayout>
#include <cmath>

namespace vigil::ui {

namespace {
// Ten colours that stay distinct on light and dark backgrounds (Tableau 10);
// Qt's themes cycle through five, so a sixth series repeated the first.
const QColor kSeriesColours[] = {QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2),
                                 QColor(0x59a14f), QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7),
                                 QColor(0x9c755f), QColor(0xbab0ac)};

QLabel *plainLabel(QWidget *parent)
{
    // Label values and server messages are shown as plain text, never rich text:
    // a label value "<img src=...>" must not render as HTML.
    auto *l = new QLabel(parent);
    l->setTextFormat(Qt::PlainText);
    return l;
}

QString zoneText()
{
    const QDateTime now = QDateTime::currentDateTime();
    const int offset = now.offsetFromUtc();
    const QString sign = offset < 0 ? QStringLiteral("-") : QStringLiteral("+");
    const int a = std::abs(offset);
    return QStringLiteral("%1, UTC%2%3:%4")
        .arg(now.timeZoneAbbreviation(), sign)
        .arg(a / 3600, 2, 10, QLatin1Char('0'))
        .arg((a % 3600) / 60, 2, 10, QLatin1Char('0'));
}
} // namespace

ChartPanel::ChartPanel(const PanelDef &def, QStringList jobIds, QWidget *parent)
    : QFrame(parent), m_def(def), m_jobIds(std::move(jobIds))
{
    setObjectName(QStringLiteral("ChartPanel"));
    setFrameShape(QFrame::StyledPanel);
    setMinimumSize(360, 240);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(2);
    auto *header = new QHBoxLayout;
    m_title = plainLabel(this);
    m_title->setText(def.title);
    QFont tf = m_title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.1);
    m_title->setFont(tf);
    m_title->setToolTip(plainToolTip(def.description.isEmpty() ? def.queries.first().expr : def.description));
    m_badge = plainLabel(this);
    m_badge->setObjectName(QStringLiteral("stateBadge"));
    header->addWidget(m_title, 1);
    header->addWidget(m_badge, 0, Qt::AlignRight);
    layout->addLayout(header);

    m_chart = new QChart;
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
    m_x = new QDateTimeAxis;
    m_x->setFormat(QStringLiteral("HH:mm"));
    m_x->setTitleText(QStringLiteral("local time (%1)").arg(zoneText()));
    m_x->setTickCount(6);
    m_y = new QValueAxis;
    m_y->setLabelFormat(QStringLiteral("%.2f"));
    m_y->setTickCount(5);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    // Qt Charts 6.4 never draws a QDateTimeAxis' labels and title if the chart
    // is first shown while the axis still has its default (1970) range: give
    // it the live window once it is in the chart (before, the chart resets it) and before the view exists.
    const QDateTime now = QDateTime::currentDateTime();
    m_x->setRange(now.addSecs(-15 * 60), now);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    layout->addWidget(m_view, 1);

    m_overlay = plainLabel(m_view);
    m_overlay->setObjectName(QStringLiteral("stateOverlay"));
    m_overlay->setAlignment(Qt::AlignCenter);
    m_overlay->setWordWrap(true);
    auto *overlayLayout = new QVBoxLayout(m_view);
    overlayLayout->addWidget(m_overlay, 0, Qt::AlignCenter);

    // The shared crosshair, in chart coordinates above the series.
    m_crosshair = new QGraphicsLineItem(m_chart);
    m_crosshair->setZValue(100);
    m_crosshair->hide();
    m_tooltip = plainLabel(m_view);
    m_tooltip->setObjectName(QStringLiteral("chartTooltip"));
    m_tooltip->hide();
    m_tooltip->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_view->viewport()->setMouseTracking(true);
    m_view->viewport()->installEventFilter(this);
    m_view->setFocusPolicy(Qt::NoFocus);
    setFocusPolicy(Qt::StrongFocus);

    // Keys work while the panel has focus (click it, or Tab to it); the same
    // actions make its context menu, and the help overlay lists them.
    auto add = [this](const QString &text, const QList<QKeySequence> &keys, auto fn) {
        auto *a = new QAction(text, this);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, fn);
        addAction(a);
        m_actions.append(a);
        return a;
    };
    add(QStringLiteral("Maximise or restore the panel"), {QKeySequence(Qt::Key_V), QKeySequence(Qt::Key_Return)},
        [this] { Q_EMIT maximiseToggled(); });
    add(QStringLiteral("Pan the time range left"), {QKeySequence(Qt::Key_Left)},
        [this] { Q_EMIT panRequested(-(m_toMs - m_fromMs) / 4); });
    add(QStringLiteral("Pan the time range right"), {QKeySequence(Qt::Key_Right)},
        [this] { Q_EMIT panRequested((m_toMs - m_fromMs) / 4); });
    add(QStringLiteral("Zoom out (double-click)"), {QKeySequence(Qt::Key_Z)}, [this] { Q_EMIT zoomOutRequested(); });
    add(QStringLiteral("Export the panel as PNG…"), {}, [this] { Q_EMIT exportPngRequested(); });
    add(QStringLiteral("Export the panel as CSV…"), {}, [this] { Q_EMIT exportCsvRequested(); });
    add(QStringLiteral("Copy the panel's query"), {QKeySequence(Qt::Key_C)},
        [this] { QGuiApplication::clipboard()->setText(queryText()); });
    setContextMenuPolicy(Qt::ActionsContextMenu);

    applyDarkOrLight();
    refreshState();
}

void ChartPanel::colourLines(bool force)
{
    QList<QLineSeries *> ordered(m_lines.begin(), m_lines.end());
    std::sort(ordered.begin(), ordered.end(), [](QLineSeries *a, QLineSeries *b) { return a->name() < b->name(); });
    for (int i = 0; i < ordered.size(); ++i) {
        QPen pen(kSeriesColours[i % std::size(kSeriesColours)]);
        pen.setWidthF(1.6);
        if (force || ordered[i]->pen() != pen)
            ordered[i]->setPen(pen);
    }
}

void ChartPanel::setMaximisedHint(bool maximised)
{
    m_title->setText(maximised ? m_def.title + QStringLiteral("   (Esc or V: back to the dashboard)") : m_def.title);
}

void ChartPanel::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    // A theme switch: the chart follows the palette. QChart::setTheme resets
    // every series' pen, so the series, threshold and band colours go back on.
    if (event->type() == QEvent::PaletteChange && m_chart) {
        applyDarkOrLight();
        colourLines(true);
        if (m_toMs > m_fromMs)
            layoutOverlay(m_fromMs, m_toMs, m_y->min(), m_y->max());
        for (QLineSeries *line : std::as_const(m_lines))
            styleMarker(line);
        placeCrosshair();
    }
}

void ChartPanel::setSeriesHidden(const QString &legendName, bool hidden)
{
    if (hidden)
        m_hidden.insert(legendName);
    else
        m_hidden.remove(legendName);
    for (QLineSeries *line : std::as_const(m_lines)) {
        if (line->name() == legendName) {
            line->setVisible(!hidden);
            styleMarker(line);
        }
    }
    if (m_tooltipShown)
        setCrosshair(m_crosshairMs, true);
}

QLegendMarker *ChartPanel::legendMarker(const QString &legendName) const
{
    for (QLineSeries *line : m_lines)
        if (line->name() == legendName) {
            const auto markers = m_chart->legend()->markers(line);
            return markers.isEmpty() ? nullptr : markers.first();
        }
    return nullptr;
}

void ChartPanel::styleMarker(QLineSeries *line)
{
    // Qt hides a hidden series' marker: keep it, faded, so it can be clicked back.
    const bool shown = line->isVisible();
    for (QLegendMarker *m : m_chart->legend()->markers(line)) {
        m->setVisible(true);
        QColor label = palette().color(QPalette::Text);
        QColor swatch = line->pen().color();
        if (!shown) {
            label.setAlpha(90);
            swatch.setAlpha(50);
        }
        // Qt Charts draws a marker's label as HTML (QGraphicsTextItem::setHtml):
        // the name holds label values from the server, so it goes in escaped,
        // with its control characters made visible.
        const QString text = visibleControls(line->name()).toHtmlEscaped();
        // Only changes: each set relays the legend out, and this runs on every redraw.
        if (m->label() != text)
            m->setLabel(text);
        if (m->labelBrush().color() != label)
            m->setLabelBrush(label);
        if (m->brush().color() != swatch)
            m->setBrush(swatch);
        if (m->pen().color() != swatch)
            m->setPen(QPen(swatch));
    }
}

qint64 ChartPanel::timeAtViewX(double x) const
{
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0 || m_toMs <= m_fromMs)
        return 0;
    const QPointF c = m_chart->mapFromScene(m_view->mapToScene(QPoint(int(x), int(plot.center().y()))));
    const double f = std::clamp((c.x() - plot.left()) / plot.width(), 0.0, 1.0);
    return m_fromMs + qint64(std::llround(f * double(m_toMs - m_fromMs)));
}

double ChartPanel::viewXOf(qint64 timeMs) const
{
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0 || m_toMs <= m_fromMs)
        return std::nan("");
    const double x = plot.left() + double(timeMs - m_fromMs) / double(m_toMs - m_fromMs) * plot.width();
    return m_view->mapFromScene(m_chart->mapToScene(QPointF(x, plot.top()))).x();
}

double ChartPanel::crosshairViewX() const
{
    return m_crosshair->isVisible() ? viewXOf(m_crosshairMs) : std::nan("");
}

QString ChartPanel::tooltipText() const
{
    return m_tooltipShown ? m_tooltip->text() : QString();
}

void ChartPanel::setCrosshair(qint64 timeMs, bool withTooltip)
{
    m_crosshairMs = timeMs;
    m_tooltipShown = withTooltip && timeMs > 0;
    placeCrosshair();
}

void ChartPanel::placeCrosshair()
{
    const QRectF plot = m_chart->plotArea();
    const bool inside = m_crosshairMs > 0 && m_toMs > m_fromMs && m_crosshairMs >= m_fromMs && m_crosshairMs <= m_toMs;
    if (!inside || plot.width() <= 0) {
        m_crosshair->hide();
        m_tooltip->hide();
        return;
    }
    const double x = plot.left() + double(m_crosshairMs - m_fromMs) / double(m_toMs - m_fromMs) * plot.width();
    QColor c = palette().color(QPalette::Text);
    c.setAlpha(150);
    QPen pen(c);
    pen.setStyle(Qt::DashLine);
    pen.setCosmetic(true);
    m_crosshair->setPen(pen);
    m_crosshair->setLine(x, plot.top(), x, plot.bottom());
    m_crosshair->show();
    if (!m_tooltipShown) {
        m_tooltip->hide();
        return;
    }
    // The hovered panel: each shown series' value at the nearest drawn point.
    QStringList lines{QDateTime::fromMSecsSinceEpoch(m_crosshairMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))};
    QList<QLineSeries *> ordered(m_lines.begin(), m_lines.end());
    std::sort(ordered.begin(), ordered.end(), [](QLineSeries *a, QLineSeries *b) { return a->name() < b->name(); });
    for (QLineSeries *line : std::as_const(ordered)) {
        if (!line->isVisible() || line->count() == 0)
            continue;
        const QList<QPointF> pts = line->points();
        const double t = double(m_crosshairMs);
        auto it = std::lower_bound(pts.begin(), pts.end(), t, [](const QPointF &p, double v) { return p.x() < v; });
        if (it == pts.end() || (it != pts.begin() && t - (it - 1)->x() < it->x() - t))
            --it;
        const int decimals = std::max(m_scale.decimals, 2);
        lines << QStringLiteral("%1: %2%3").arg(visibleControls(line->name()), QString::number(it->y(), 'f', decimals), m_scale.suffix);
    }
    m_tooltip->setText(lines.join(u'\n'));
    m_tooltip->setStyleSheet(QStringLiteral("background: %1; color: %2; border: 1px solid %3; padding: 3px 5px;")
                                 .arg(palette().color(QPalette::ToolTipBase).name(), palette().color(QPalette::ToolTipText).name(),
                                      palette().color(QPalette::Mid).name()));
    m_tooltip->adjustSize();
    const double vx = viewXOf(m_crosshairMs);
    const int top = int(m_view->mapFromScene(m_chart->mapToScene(plot.topLeft())).y()) + 6;
    int left = int(vx) + 12;
    if (left + m_tooltip->width() > m_view->width() - 4)
        left = int(vx) - 12 - m_tooltip->width();
    m_tooltip->move(std::max(0, left), top);
    m_tooltip->raise();
    m_tooltip->show();
}

bool ChartPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_view->viewport())
        return QFrame::eventFilter(watched, event);
    auto inPlot = [this](const QPoint &pos) {
        return m_chart->plotArea().contains(m_chart->mapFromScene(m_view->mapToScene(pos)));
    };
    switch (event->type()) {
    case QEvent::MouseMove: {
        const auto *me = static_cast<QMouseEvent *>(event);
        const QPoint pos = me->position().toPoint();
        if (m_dragStartX >= 0 && !m_panning && m_rubber) {
            const QRectF plot = m_chart->plotArea();
            const int top = int(m_view->mapFromScene(m_chart->mapToScene(plot.topLeft())).y());
            const int left = std::min(m_dragStartX, pos.x()), right = std::max(m_dragStartX, pos.x());
            m_rubber->setGeometry(left, top, std::max(1, right - left), int(plot.height()));
            m_rubber->show();
        }
        Q_EMIT hovered(inPlot(pos) ? timeAtViewX(pos.x()) : 0);
        break;
    }
    case QEvent::Leave:
        Q_EMIT hovered(0);
        break;
    case QEvent::MouseButtonPress: {
        const auto *me = static_cast<QMouseEvent *>(event);
        if (me->button() != Qt::LeftButton || !inPlot(me->position().toPoint()))
            break;
        setFocus(Qt::MouseFocusReason);
        m_dragStartX = me->position().toPoint().x();
        m_panning = me->modifiers() & Qt::ShiftModifier;
        if (!m_panning && !m_rubber)
            m_rubber = new QRubberBand(QRubberBand::Rectangle, m_view->viewport());
        return true;
    }
    case QEvent::MouseButtonRelease: {
        const auto *me = static_cast<QMouseEvent *>(event);
        if (me->button() != Qt::LeftButton || m_dragStartX < 0)
            break;
        const int x = me->position().toPoint().x();
        const int start = std::exchange(m_dragStartX, -1);
        if (m_rubber)
            m_rubber->hide();
        if (std::abs(x - start) < 6)
            return true; // a click, not a drag
        if (m_panning)
            Q_EMIT panRequested(timeAtViewX(start) - timeAtViewX(x));
        else
            Q_EMIT zoomRequested(timeAtViewX(std::min(start, x)), timeAtViewX(std::max(start, x)));
        return true;
    }
    case QEvent::MouseButtonDblClick:
        if (inPlot(static_cast<QMouseEvent *>(event)->position().toPoint())) {
            Q_EMIT zoomOutRequested();
            return true;
        }
        break;
    default:
        break;
    }
    return QFrame::eventFilter(watched, event);
}

QString ChartPanel::queryText() const
{
    QStringList out;
    for (const PanelQuery &q : m_def.queries)
        out << q.expr;
    return out.join(u'\n');
}

QString ChartPanel::toCsv(const SeriesStore &store, qint64 fromMs, qint64 toMs) const
{
    struct Column
    {
        QString name;
        QList<Sample> samples;
    };
    QList<Column> columns;
    for (int q = 0; q < m_jobIds.size(); ++q) {
        const PanelQuery &query = m_def.queries.value(q);
        for (const SeriesKey &key : store.keysNamed(m_jobIds[q])) {
            const QLineSeries *line = m_lines.value(key);
            columns.append({line ? line->name() : legendFor(query.legend, key, query.expr), store.range(key, fromMs, toMs)});
        }
    }
    std::sort(columns.begin(), columns.end(), [](const Column &a, const Column &b) { return a.name < b.name; });
    auto field = [](const QString &s) -> QString {
        if (!s.contains(u',') && !s.contains(u'"') && !s.contains(u'\n'))
            return s;
        QString q = s;
        q.replace(QStringLiteral("\""), QStringLiteral("\"\""));
        return QStringLiteral("\"%1\"").arg(q);
    };
    QStringList header{QStringLiteral("timestamp")};
    std::map<qint64, QList<std::optional<double>>> rows;
    for (int c = 0; c < columns.size(); ++c) {
        header << field(columns[c].name);
        for (const Sample &s : std::as_const(columns[c].samples)) {
            auto &row = rows[s.t];
            row.resize(columns.size());
            row[c] = s.v;
        }
    }
    QString out = header.join(u',') + u'\n';
    for (const auto &[t, values] : rows) {
        out += QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs);
        for (int c = 0; c < columns.size(); ++c) {
            out += u',';
            if (c < values.size() && values[c])
                out += QString::number(*values[c], 'g', 17);
        }
        out += u'\n';
    }
    return out;
}

void ChartPanel::applyDarkOrLight()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(palette().color(QPalette::Base));
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_x), static_cast<QAbstractAxis *>(m_y)}) {
        axis->setLabelsColor(palette().color(QPalette::Text));
        axis->setTitleBrush(palette().color(QPalette::PlaceholderText));
        QColor grid = palette().color(QPalette::Text);
        grid.setAlpha(40);
        axis->setGridLineColor(grid);
    }
    QFont small = m_x->titleFont();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    m_x->setTitleFont(small);
}

QString ChartPanel::legendFor(const QString &legendTemplate, const SeriesKey &key, const QString &expr)
{
    if (legendTemplate.isEmpty()) {
        const QString labels = key.labelsText();
        return labels.isEmpty() ? expr.left(60) : labels;
    }
    static const QRegularExpression re(QStringLiteral("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\}\\}"));
    QString out;
    qsizetype last = 0;
    for (auto it = re.globalMatch(legendTemplate); it.hasNext();) {
        const auto m = it.next();
        out += legendTemplate.mid(last, m.capturedStart() - last) + key.label(m.captured(1));
        last = m.capturedEnd();
    }
    out += legendTemplate.mid(last);
    return out.simplified();
}

void ChartPanel::setStatus(const QString &jobId, const PollStatus &status)
{
    if (!m_jobIds.contains(jobId))
        return;
    m_status.insert(jobId, status);
    refreshState();
}

void ChartPanel::updateData(const SeriesStore &store, qint64 fromMs, qint64 toMs)
{
    // Points handed to Qt Charts: at most 2 per pixel column of the plot.
    const int pixels = std::max(100, int(m_chart->plotArea().width() > 0 ? m_chart->plotArea().width() : width()));
    struct Pending
    {
        SeriesKey key;
        QString name;
        QList<QPointF> points;
    };
    QList<Pending> pending;
    double maxAbs = 0.0;
    QSet<SeriesKey> seen;
    QList<QList<SeriesKey>> keysPerQuery;
    qsizetype seriesCount = 0;
    for (const QString &jobId : std::as_const(m_jobIds)) {
        keysPerQuery.append(store.keysNamed(jobId));
        seriesCount += keysPerQuery.last().size();
    }
    const int columns = columnsFor(pixels, seriesCount);
    QList<qint64> changeTimes;
    qsizetype totalPoints = 0;
    for (int q = 0; q < m_jobIds.size(); ++q) {
        const PanelQuery &query = m_def.queries.value(q);
        const QList<SeriesKey> &keys = keysPerQuery[q];
        // Without a legend template, name each series by the labels that tell
        // it apart (Grafana shows them all; four lines that all start with
        // metric="precision" read worse).
        QSet<Label> common;
        if (query.legend.isEmpty() && keys.size() > 1) {
            const Labels &first = keys.first().labels();
            common = QSet<Label>(first.begin(), first.end());
            for (const SeriesKey &k : keys)
                common &= QSet<Label>(k.labels().begin(), k.labels().end());
        }
        for (const SeriesKey &key : keys) {
            if (key.label(QStringLiteral("__name__")) == QLatin1String("vigil_drift_change")) {
                // The series holds 1 for a while after each flag: the flag is
                // where it rises (a sample before the range tells whether the
                // first one in it is a rise or still the hold of an earlier flag).
                double previous = 0.0;
                for (const Sample &s : store.range(key, fromMs - 3'600'000, toMs)) {
                    if (s.v > 0 && !(previous > 0) && s.t >= fromMs)
                        changeTimes.append(s.t);
                    previous = s.v;
                }
            }
            QList<QPointF> pts = decimateMinMax(store.range(key, fromMs, toMs), fromMs, toMs, columns);
            totalPoints += pts.size();
            for (const QPointF &p : pts)
                maxAbs = std::max(maxAbs, std::fabs(p.y()));
            QString name;
            if (!common.isEmpty()) {
                Labels distinct;
                for (const Label &l : key.labels())
                    if (!common.contains(l))
                        distinct.append(l);
                name = legendFor(query.legend, SeriesKey(key.name(), distinct), query.expr);
            } else {
                name = legendFor(query.legend, key, query.expr);
            }
            pending.append({key, name, std::move(pts)});
            seen.insert(key);
        }
    }
    std::sort(changeTimes.begin(), changeTimes.end());
    changeTimes.erase(std::unique(changeTimes.begin(), changeTimes.end()), changeTimes.end());
    if (changeTimes.size() > kMaxChangeMarkers) // the latest ones matter on call
        changeTimes = changeTimes.mid(changeTimes.size() - kMaxChangeMarkers);
    m_changeTimes = changeTimes;
    m_scale = chooseScale(m_def.unit, maxAbs);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (Pending &p : pending) {
        for (QPointF &pt : p.points) {
            pt.setY(pt.y() * m_scale.factor);
            lo = std::min(lo, pt.y());
            hi = std::max(hi, pt.y());
        }
    }
    // Series that left the store (query changed) leave the chart.
    for (auto it = m_lines.begin(); it != m_lines.end();) {
        if (!seen.contains(it.key())) {
            m_chart->removeSeries(it.value());
            delete it.value();
            it = m_lines.erase(it);
        } else {
            ++it;
        }
    }
    // Qt Charts rebuilds every line's geometry (a QPainterPathStroker outline
    // of all its points) on each axis range change, and the ranges below
    // change three times per redraw: empty the lines first, move the axes,
    // then hand over the points, so each line is outlined once, not four
    // times (issue 7: three quarters of a redraw's time, per callgrind).
    for (QLineSeries *line : std::as_const(m_lines))
        if (line->count() > 0)
            line->clear();
    m_x->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
    m_fromMs = fromMs;
    m_toMs = toMs;
    const qint64 span = toMs - fromMs;
    m_x->setFormat(span <= 10 * 60'000 ? QStringLiteral("HH:mm:ss")
                   : span <= 86'400'000 ? QStringLiteral("HH:mm")
                                        : QStringLiteral("ddd HH:mm"));
    if (std::isfinite(lo) && std::isfinite(hi)) {
        // Thresholds near the data stay in view, so the line to cross is on screen.
        for (const Threshold &t : m_thresholds) {
            const double v = t.value * m_scale.factor;
            if (std::isfinite(v) && v <= std::max(std::fabs(hi), std::fabs(lo)) * 4 + 1e-12) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    if (std::isfinite(lo) && std::isfinite(hi)) {
        // Zero-based for rates and latencies so a small wiggle does not look like a cliff.
        const double bottom = lo >= 0 ? 0.0 : lo;
        double top = hi > bottom ? hi : bottom + 1.0;
        top += (top - bottom) * 0.08;
        m_y->setRange(bottom, top);
        m_y->applyNiceNumbers();
    }
    for (Pending &p : pending) {
        QLineSeries *line = m_lines.value(p.key);
        if (!line) {
            line = new QLineSeries(m_chart);
            m_chart->addSeries(line);
            line->attachAxis(m_x);
            line->attachAxis(m_y);
            m_lines.insert(p.key, line);
            for (QLegendMarker *m : m_chart->legend()->markers(line))
                connect(m, &QLegendMarker::clicked, this, [this, line] { setSeriesHidden(line->name(), line->isVisible()); });
        }
        line->setName(p.name);
        line->setVisible(!m_hidden.contains(p.name));
    }
    // Colours follow the legend's sorted order, so a series keeps its colour
    // across redraws. Set while the lines are empty: a new pen re-outlines a line.
    colourLines(false);
    // Antialiasing costs most of the paint of a long, dense panel (issue 7:
    // the 7-day panel of 100 series); short ones keep smooth lines.
    const bool smooth = totalPoints <= kAntialiasPoints;
    if (antialiased() != smooth)
        m_view->setRenderHint(QPainter::Antialiasing, smooth);
    for (Pending &p : pending)
        m_lines.value(p.key)->replace(p.points);
    for (QLineSeries *line : std::as_const(m_lines))
        styleMarker(line);
    // Many series (e.g. one per deployment) do not fit under the plot: the legend moves right.
    m_chart->legend()->setAlignment(m_lines.size() > 4 ? Qt::AlignRight : Qt::AlignBottom);
    // Enough decimals that neighbouring ticks never read the same (0.005 steps
    // need three), never fewer than the unit asks for.
    int decimals = m_scale.decimals;
    const double step = (m_y->max() - m_y->min()) / std::max(1, m_y->tickCount() - 1);
    if (step > 0 && std::isfinite(step))
        decimals = std::clamp(int(std::ceil(-std::log10(step) - 1e-9)), decimals, 6);
    m_y->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f") + m_scale.suffix);
    layoutOverlay(fromMs, toMs, m_y->min(), m_y->max());
    refreshState();
    placeCrosshair();
}

bool ChartPanel::setAlertOverlay(const QList<Threshold> &thresholds, const QList<AlertSpan> &spans)
{
    if (thresholds == m_thresholds && spans == m_spans)
        return false;
    m_thresholds = thresholds;
    m_spans = spans;
    return true;
}

void ChartPanel::layoutOverlay(qint64 fromMs, qint64 toMs, double yLo, double yHi)
{
    auto hideMarker = [this](QAbstractSeries *series) {
        for (QLegendMarker *m : m_chart->legend()->markers(series))
            m->setVisible(false);
    };
    for (qsizetype i = m_thresholds.size(); i < m_thresholdLines.size(); ++i) {
        m_thresholdLines[i]->setVisible(false); // kept for reuse (see the bands below)
        hideMarker(m_thresholdLines[i]);
    }
    while (m_thresholdLines.size() < m_thresholds.size()) {
        auto *l = new QLineSeries(m_chart);
        m_chart->addSeries(l);
        l->attachAxis(m_x);
        l->attachAxis(m_y);
        hideMarker(l);
        m_thresholdLines.append(l);
    }
    for (int i = 0; i < m_thresholds.size(); ++i) {
        const Threshold &t = m_thresholds[i];
        QLineSeries *l = m_thresholdLines[i];
        const double v = t.value * m_scale.factor;
        QPen pen(t.recovery ? QColor(0xf9, 0xa8, 0x25) : QColor(0xe5, 0x39, 0x35));
        pen.setWidthF(t.recovery ? 1.0 : 1.4);
        pen.setStyle(t.recovery ? Qt::DotLine : Qt::DashLine);
        l->setPen(pen);
        l->setName(t.label);
        l->replace({QPointF(double(fromMs), v), QPointF(double(toMs), v)});
        l->setVisible(true);
        hideMarker(l);
    }
    // Bands are few: a pool reused across redraws, the unused ones hidden.
    // Deleting series between redraws left QGraphicsView holding a deleted
    // legend item, and the next click on the chart crashed in Qt Charts 6.4.
    int used = 0;
    for (const AlertSpan &span : std::as_const(m_spans)) {
        const double from = double(std::max(span.fromMs, fromMs));
        const double to = double(span.toMs > 0 ? std::min(span.toMs, toMs) : toMs);
        if (to <= from)
            continue;
        if (used == m_bands.size()) {
            auto *upper = new QLineSeries(m_chart);
            auto *lower = new QLineSeries(m_chart);
            auto *band = new QAreaSeries(upper, lower);
            band->setPen(Qt::NoPen);
            m_chart->addSeries(band);
            band->attachAxis(m_x);
            band->attachAxis(m_y);
            m_bands.append(band);
        }
        QAreaSeries *band = m_bands[used++];
        band->upperSeries()->replace({QPointF(from, yHi), QPointF(to, yHi)});
        band->lowerSeries()->replace({QPointF(from, yLo), QPointF(to, yLo)});
        band->setName(span.firing ? QStringLiteral("firing") : QStringLiteral("pending"));
        band->setBrush(span.firing ? QColor(0xe5, 0x39, 0x35, 48) : QColor(0xf9, 0xa8, 0x25, 48));
        band->setVisible(true);
        hideMarker(band);
    }
    m_bandsUsed = used;
    // Change-detector flags: a vertical line from the bottom to the top of the
    // plot at each flagged time, from a pool as the bands are.
    while (m_changeLines.size() < m_changeTimes.size()) {
        auto *l = new QLineSeries(m_chart);
        m_chart->addSeries(l);
        l->attachAxis(m_x);
        l->attachAxis(m_y);
        QPen pen(QColor(0x8e, 0x24, 0xaa));
        pen.setWidthF(1.6);
        pen.setStyle(Qt::DashDotLine);
        l->setPen(pen);
        l->setName(QStringLiteral("change"));
        m_changeLines.append(l);
    }
    m_changeLinesUsed = int(m_changeTimes.size());
    for (int i = 0; i < m_changeLines.size(); ++i) {
        QLineSeries *l = m_changeLines[i];
        if (i < m_changeTimes.size()) {
            const double x = double(m_changeTimes[i]);
            l->replace({QPointF(x, yLo), QPointF(x, yHi)});
            l->setVisible(true);
        } else {
            l->setVisible(false);
        }
        hideMarker(l);
    }
    for (int i = used; i < m_bands.size(); ++i) {
        m_bands[i]->setVisible(false);
        hideMarker(m_bands[i]);
    }
}

int ChartPanel::columnsFor(int pixels, qsizetype seriesCount)
{
    if (seriesCount <= 0)
        return pixels;
    const qsizetype budget = kPointBudget / (2 * seriesCount);
    return int(std::clamp<qsizetype>(budget, std::min(pixels, 50), pixels));
}

bool ChartPanel::antialiased() const
{
    return m_view->renderHints().testFlag(QPainter::Antialiasing);
}

qsizetype ChartPanel::pointCount() const
{
    qsizetype n = 0;
    for (const QLineSeries *l : m_lines)
        n += l->count();
    return n;
}

QRectF ChartPanel::plotArea() const
{
    return m_chart->plotArea();
}

QStringList ChartPanel::legendNames() const
{
    QStringList names;
    for (const QLineSeries *l : m_lines)
        names << l->name();
    names.sort();
    return names;
}

void ChartPanel::refreshState()
{
    // The panel's state is the worst of its queries'.
    bool anyError = false, allLoading = true;
    QString reason;
    qint64 lastSuccess = 0;
    QStringList warnings;
    for (const QString &id : m_jobIds) {
        const PollStatus st = m_status.value(id);
        if (st.state != PollStatus::State::Loading)
            allLoading = false;
        if (st.state == PollStatus::State::Error) {
            anyError = true;
            reason = st.message;
        }
        lastSuccess = std::max(lastSuccess, st.lastSuccessMs);
        warnings << st.warnings;
    }
    const bool data = hasData();
    if (anyError) {
        m_state = data && lastSuccess > 0 ? State::Stale : State::Error;
        m_stateDetail = reason;
    } else if (allLoading && !data) {
        m_state = State::Loading;
        m_stateDetail.clear();
    } else if (!data) {
        m_state = State::NoData;
        m_stateDetail.clear();
    } else {
        m_state = State::Ok;
        m_stateDetail = warnings.join(QStringLiteral("; "));
    }

    QString overlay, badge, badgeStyle;
    switch (m_state) {
    case State::Loading:
        overlay = QStringLiteral("Loading…");
        break;
    case State::NoData:
        overlay = QStringLiteral("No data: the query returned no series in this time range");
        break;
    case State::Error:
        overlay = QStringLiteral("Error: ") + m_stateDetail;
        badge = QStringLiteral("error");
        badgeStyle = QStringLiteral("color: white; background: #c62828; padding: 1px 6px; border-radius: 3px;");
        break;
    case State::Stale:
        badge = QStringLiteral("stale since ") + QDateTime::fromMSecsSinceEpoch(lastSuccess).toString(QStringLiteral("HH:mm"));
        badgeStyle = QStringLiteral("color: black; background: #f9a825; padding: 1px 6px; border-radius: 3px;");
        break;
    case State::Ok:
        if (!m_stateDetail.isEmpty()) {
            badge = QStringLiteral("warning");
            badgeStyle = QStringLiteral("color: black; background: #fdd835; padding: 1px 6px; border-radius: 3px;");
        }
        break;
    }
    m_overlay->setText(overlay);
    m_overlay->setVisible(!overlay.isEmpty());
    m_overlay->setStyleSheet(m_state == State::Error ? QStringLiteral("color: #ef5350; font-weight: bold;") : QString());
    m_badge->setText(badge);
    m_badge->setStyleSheet(badgeStyle);
    m_badge->setToolTip(plainToolTip(m_stateDetail)); // server messages: never guessed to be HTML
    m_badge->setVisible(!badge.isEmpty());
}

QString ChartPanel::stateText() const
{
    switch (m_state) {
    case State::Loading: return QStringLiteral("loading");
    case State::Ok: return QStringLiteral("ok");
    case State::NoData: return QStringLiteral("no data");
    case State::Error: return QStringLiteral("error: ") + m_stateDetail;
    case State::Stale: return QStringLiteral("stale: ") + m_stateDetail;
    }
    return {};
}

} // namespace vigil::ui
