// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift_view.h"
#include "theme.h"

#include "drift/baselines.h"
#include "drift_heatmap.h"
#include "session/session.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QAction>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QScrollArea>
#include <QTabWidget>
#include <QToolButton>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {

QString score(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 3) : QString();
}

QColor verdictColour(const drift::DriftRow &row)
{
    if (row.comparison.status != drift::Status::Ok)
        return QColor(0xe0, 0xe0, 0xe0);
    switch (row.comparison.verdicts.psi) {
    case drift::Verdict::Ok: return QColor(0xc8, 0xe6, 0xc9);
    case drift::Verdict::Warning: return QColor(0xff, 0xe0, 0x82);
    case drift::Verdict::Drift: return QColor(0xef, 0x9a, 0x9a);
    }
    return Qt::white;
}

// The cell's item, made on first use, showing `text`: plain text, so label
// values are shown as they are.
QTableWidgetItem *setCell(QTableWidget *table, int row, int column, const QString &text)
{
    auto *item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem;
        table->setItem(row, column, item);
    }
    item->setText(text);
    return item;
}

// PSI over the range as a small line, with the drift threshold dotted.
QPixmap sparkline(const QList<Sample> &samples, qint64 fromMs, qint64 toMs, QSize size, qreal dpr)
{
    // Drawn at the screen's pixel ratio (sharp on high-DPI screens), in logical coordinates.
    QPixmap pm(size * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    if (samples.size() < 2 || toMs <= fromMs)
        return pm;
    double top = 0.25;
    for (const Sample &s : samples)
        if (std::isfinite(s.v))
            top = std::max(top, s.v);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    auto x = [&](qint64 t) { return double(t - fromMs) / double(toMs - fromMs) * (size.width() - 2) + 1; };
    auto y = [&](double v) { return size.height() - 2 - v / top * (size.height() - 4); };
    p.setPen(QPen(QColor(0xe5, 0x39, 0x35), 1, Qt::DotLine));
    p.drawLine(QPointF(0, y(0.2)), QPointF(size.width(), y(0.2)));
    QPolygonF line;
    for (const Sample &s : samples)
        if (std::isfinite(s.v))
            line << QPointF(x(s.t), y(s.v));
    p.setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.4));
    p.drawPolyline(line);
    return pm;
}

} // namespace

void DriftView::applyChartTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    if (m_chart->theme() != theme)
        m_chart->setTheme(theme);
}

void DriftView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_chart)
        showHistograms();
}

DriftView::DriftView(Session *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("driftView"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(QStringLiteral(
        "Each feature's current window against its reference. Verdict by PSI (warning 0.1, drift 0.2); "
        "KS p-values are approximate and meaningless at very large counts."), this);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText); // readable in light and dark themes
    layout->addWidget(intro);
    m_errors = new QLabel(this);
    m_errors->setObjectName(QStringLiteral("driftErrors"));
    m_errors->setTextFormat(Qt::PlainText);
    m_errors->setWordWrap(true);
    setErrorText(m_errors);
    m_errors->hide();
    layout->addWidget(m_errors);

    // Pinned baselines: the actions work from anywhere in the view.
    auto *bar = new QHBoxLayout;
    auto makeAction = [&](const QString &text, const QKeySequence &key, const QString &tip, auto slot) {
        auto *a = new QAction(text, this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        connect(a, &QAction::triggered, this, slot);
        this->addAction(a);
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        bar->addWidget(button);
        return a;
    };
    m_pin = makeAction(QStringLiteral("Pin current as baseline"), QKeySequence(Qt::Key_B),
                      QStringLiteral("The selected feature's current window becomes its reference"), [this] { pin(false); });
    m_pinAll = makeAction(QStringLiteral("Pin all"), QKeySequence(Qt::SHIFT | Qt::Key_B),
                         QStringLiteral("Every feature's current window becomes its reference"), [this] { pin(true); });
    m_unpin = makeAction(QStringLiteral("Unpin"), QKeySequence(Qt::ALT | Qt::Key_B),
                        QStringLiteral("The selected feature goes back to the configured reference window"), [this] { unpin(); });
    m_baselineLabel = new QLabel(this);
    m_baselineLabel->setObjectName(QStringLiteral("driftBaselineStatus"));
    m_baselineLabel->setTextFormat(Qt::PlainText);
    m_baselineLabel->setForegroundRole(QPalette::PlaceholderText);
    m_baselineLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_baselineLabel, 1);
    layout->addLayout(bar);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_table = new QTableWidget(0, ColumnCount, split);
    m_table->setObjectName(QStringLiteral("driftTable"));
    m_table->setHorizontalHeaderLabels({QStringLiteral("Monitor"), QStringLiteral("Feature"), QStringLiteral("PSI trend"),
                                        QStringLiteral("PSI"), QStringLiteral("KS (p)"), QStringLiteral("JS"),
                                        QStringLiteral("Hellinger"), QStringLiteral("W1 normed"), QStringLiteral("Verdict"),
                                        QStringLiteral("n ref / n cur"), QStringLiteral("Reference")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setIconSize(QSize(120, 24));
    connect(m_table, &QTableWidget::currentCellChanged, this, [this] { showHistograms(); });

    m_chart = new QChart;
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    applyChartTheme();
    m_view = new QChartView(m_chart, split);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(220);
    // Below the table: the selected feature's histograms, or every feature's
    // score over time.
    m_tabs = new QTabWidget(split);
    m_tabs->setObjectName(QStringLiteral("driftTabs"));
    m_tabs->addTab(m_view, QStringLiteral("Histograms of the selected feature"));
    auto *heatPage = new QWidget(m_tabs);
    auto *heatLayout = new QVBoxLayout(heatPage);
    heatLayout->setContentsMargins(4, 4, 4, 4);
    auto *heatBar = new QHBoxLayout;
    auto *scoreLabel = new QLabel(QStringLiteral("Colour by"), heatPage);
    m_heatmapScore = new QComboBox(heatPage);
    m_heatmapScore->setObjectName(QStringLiteral("driftHeatmapScore"));
    const drift::Thresholds t;
    m_heatmapScore->addItem(QStringLiteral("PSI"), QStringList{QStringLiteral("vigil_drift_psi"), QString::number(t.psi.warning), QString::number(t.psi.drift)});
    m_heatmapScore->addItem(QStringLiteral("Jensen-Shannon"), QStringList{QStringLiteral("vigil_drift_js"), QString(), QString::number(t.js.drift)});
    m_heatmapScore->addItem(QStringLiteral("Hellinger"), QStringList{QStringLiteral("vigil_drift_hellinger"), QString(), QString::number(t.hellinger.drift)});
    m_heatmapScore->addItem(QStringLiteral("W1 normed"), QStringList{QStringLiteral("vigil_drift_wasserstein_normed"), QString(), QString::number(t.wassersteinNormed.drift)});
    scoreLabel->setBuddy(m_heatmapScore);
    heatBar->addWidget(scoreLabel);
    heatBar->addWidget(m_heatmapScore);
    heatBar->addStretch(1);
    heatLayout->addLayout(heatBar);
    auto *scroll = new QScrollArea(heatPage);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_heatmap = new DriftHeatmap(scroll);
    scroll->setWidget(m_heatmap);
    heatLayout->addWidget(scroll, 1);
    m_tabs->addTab(heatPage, QStringLiteral("Heatmap: features × time"));
    connect(m_heatmapScore, &QComboBox::currentIndexChanged, this, [this] { showHeatmap(); });
    m_detectors = new QTableWidget(0, DetColumnCount, m_tabs);
    m_detectors->setObjectName(QStringLiteral("driftDetectorTable"));
    m_detectors->setHorizontalHeaderLabels({QStringLiteral("Monitor"), QStringLiteral("Series"), QStringLiteral("Detector"),
                                            QStringLiteral("State"), QStringLiteral("Last value"), QStringLiteral("Values"),
                                            QStringLiteral("Last change")});
    m_detectors->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_detectors->setSelectionMode(QAbstractItemView::SingleSelection);
    m_detectors->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_detectors->verticalHeader()->hide();
    m_detectors->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(m_detectors, QStringLiteral("Change detectors"));
    split->addWidget(m_table);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);

    connect(session, &Session::driftUpdated, this, &DriftView::reload);
    reload();
}

QString DriftView::verdictText(const drift::DriftRow &row)
{
    const drift::Comparison &c = row.comparison;
    if (c.status == drift::Status::InsufficientData)
        return QStringLiteral("insufficient data: %1").arg(c.reason);
    if (c.status == drift::Status::Error)
        return QStringLiteral("error: %1").arg(c.reason);
    return QStringLiteral("%1 (PSI %2)").arg(drift::verdictName(c.verdicts.psi), score(c.scores.psi));
}

QStringList DriftView::bucketLabels(const drift::Histogram &h)
{
    QStringList out;
    for (double b : h.bounds)
        out << QStringLiteral("≤ %1").arg(QString::number(b, 'g', 4));
    out << QStringLiteral("+Inf");
    return out;
}

QString DriftView::baselineStatus() const
{
    return m_baselineLabel->text();
}

void DriftView::loadBaselinesIfNeeded()
{
    const QString path = drift::baselinesPathFor(m_session->workspace().path);
    if (m_baselinesLoaded && path == m_baselinePath)
        return;
    m_baselinesLoaded = true;
    m_baselinePath = path;
    QString error;
    m_baselines = drift::loadBaselines(path, &error);
    m_session->setDriftBaselines(m_baselines);
    if (!error.isEmpty())
        m_baselineLabel->setText(error);
    else if (!m_baselines.isEmpty())
        m_baselineLabel->setText(QStringLiteral("%1 pinned baseline(s) from %2").arg(m_baselines.size()).arg(path));
    else
        m_baselineLabel->setText(QString());
}

void DriftView::storeBaselines(const QString &done)
{
    QString error;
    const bool saved = drift::saveBaselines(m_baselinePath, m_baselines, &error);
    m_session->setDriftBaselines(m_baselines); // in use either way, for this session
    m_baselineLabel->setText(saved ? QStringLiteral("%1; saved to %2").arg(done, m_baselinePath)
                                   : QStringLiteral("%1, but not saved: %2").arg(done, error));
}

void DriftView::pin(bool all)
{
    loadBaselinesIfNeeded();
    const int current = m_table->currentRow();
    QStringList names;
    for (int r = 0; r < m_rows.size(); ++r) {
        if (!all && r != current)
            continue;
        const drift::DriftRow &row = m_rows[r];
        // A current window that validated and holds observations; an empty
        // or broken one would make every later comparison insufficient.
        if (row.current.counts.empty() || row.current.isEmpty())
            continue;
        drift::PinnedBaseline b;
        b.monitor = row.monitor;
        b.labels = row.labels;
        b.pinnedAtMs = row.atMs;
        b.windowMs = row.windowMs;
        b.histogram = row.current;
        drift::upsertBaseline(m_baselines, b);
        names << SeriesKey(QString(), row.labels).labelsText();
    }
    if (names.isEmpty()) {
        m_baselineLabel->setText(all ? QStringLiteral("Nothing to pin: no feature has a current window with observations yet")
                                     : QStringLiteral("Nothing to pin: select a feature whose current window has observations"));
        return;
    }
    storeBaselines(names.size() == 1 ? QStringLiteral("Pinned the current window of %1 as its baseline").arg(names.first())
                                     : QStringLiteral("Pinned the current windows of %1 features as their baselines").arg(names.size()));
}

void DriftView::unpin()
{
    loadBaselinesIfNeeded();
    const int r = m_table->currentRow();
    if (r < 0 || r >= m_rows.size())
        return;
    const drift::DriftRow &row = m_rows[r];
    const SeriesKey feature(QString(), row.labels);
    const qsizetype before = m_baselines.size();
    m_baselines.removeIf([&](const drift::PinnedBaseline &b) { return b.monitor == row.monitor && b.feature() == feature; });
    if (m_baselines.size() == before) {
        m_baselineLabel->setText(QStringLiteral("%1 has no pinned baseline").arg(feature.labelsText()));
        return;
    }
    storeBaselines(QStringLiteral("%1 is compared against its reference window again").arg(feature.labelsText()));
}

void DriftView::reload()
{
    loadBaselinesIfNeeded();
    const QString keepMonitor = m_table->currentRow() >= 0 && m_table->item(m_table->currentRow(), Monitor)
        ? m_table->item(m_table->currentRow(), Monitor)->text() + u'/' + m_table->item(m_table->currentRow(), Feature)->text()
        : QString();
    m_rows = m_session->driftRows();
    const QStringList errors = m_session->driftErrors().values();
    m_errors->setText(errors.join(u'\n'));
    m_errors->setVisible(!errors.isEmpty());

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = now - m_session->rangeMs();
    m_table->setRowCount(int(m_rows.size()));
    int restore = m_rows.isEmpty() ? -1 : 0;
    for (int r = 0; r < m_rows.size(); ++r) {
        const drift::DriftRow &row = m_rows[r];
        const SeriesKey feature(QString(), row.labels);
        const drift::DriftScores &s = row.comparison.scores;
        const bool ok = row.comparison.status == drift::Status::Ok;
        auto set = [&](int col, const QString &text) { return setCell(m_table, r, col, text); };
        set(Monitor, row.monitor);
        set(Feature, feature.labelsText());
        set(Psi, ok ? score(s.psi) : QString());
        set(Ks, ok ? QStringLiteral("%1 (%2)").arg(score(s.ks), score(s.ksPValue)) : QString());
        set(Js, ok ? score(s.js) : QString());
        set(Hellinger, ok ? score(s.hellinger) : QString());
        set(Wasserstein, ok ? score(s.wassersteinNormed) : QString());
        QTableWidgetItem *verdict = set(Verdict, verdictText(row));
        verdict->setBackground(verdictColour(row));
        verdict->setForeground(QColor(0x21, 0x21, 0x21)); // light tones: dark text in either theme
        set(Counts, ok ? QStringLiteral("%1 / %2").arg(s.nRef, 0, 'f', 0).arg(s.nCur, 0, 'f', 0) : QString());
        const QDateTime pinnedAt = QDateTime::fromMSecsSinceEpoch(row.pinnedAtMs, Qt::UTC);
        set(Reference, row.pinnedAtMs > 0 ? QStringLiteral("pinned %1").arg(pinnedAt.toString(QStringLiteral("MM-dd HH:mm 'UTC'")))
                                          : QStringLiteral("reference window"))
            ->setToolTip(row.pinnedAtMs > 0
                             ? QStringLiteral("Compared against the baseline pinned from the %1 window ending %2 (B pins, Alt+B unpins)")
                                   .arg(formatPromDuration(row.windowMs), pinnedAt.toString(Qt::ISODate))
                             : QStringLiteral("Compared against the monitor's reference window (B pins the current one instead)"));
        Labels labels = row.labels;
        labels.append({QStringLiteral("monitor"), row.monitor});
        const SeriesKey key(QStringLiteral("vigil_drift_psi"), labels);
        set(Trend, QString())->setIcon(QIcon(sparkline(m_session->store()->range(key, from, now), from, now, QSize(120, 24), std::max<qreal>(1.0, devicePixelRatioF()))));
        if (row.monitor + u'/' + feature.labelsText() == keepMonitor)
            restore = r;
    }
    m_table->resizeColumnsToContents();
    if (restore >= 0 && m_table->currentRow() != restore)
        m_table->setCurrentCell(restore, 0);
    showHistograms();
    showHeatmap();
    showDetectors();
}

QString DriftView::detectorStateText(const drift::DetectorRow &row)
{
    if (row.changed)
        return QStringLiteral("change flagged");
    if (row.warning)
        return QStringLiteral("warning zone");
    return QStringLiteral("no change");
}

void DriftView::showDetectors()
{
    const QList<drift::DetectorRow> rows = m_session->driftDetectorRows();
    m_detectors->setRowCount(int(rows.size()));
    int flagged = 0;
    for (int r = 0; r < rows.size(); ++r) {
        const drift::DetectorRow &row = rows[r];
        auto set = [&](int col, const QString &text) { return setCell(m_detectors, r, col, text); };
        set(DetMonitor, row.monitor);
        set(DetSeries, row.series.toString());
        set(DetDetector, row.detector);
        QTableWidgetItem *state = set(DetState, detectorStateText(row));
        state->setBackground(row.changed ? QColor(0xef, 0x9a, 0x9a) : row.warning ? QColor(0xff, 0xe0, 0x82) : QColor(0xc8, 0xe6, 0xc9));
        state->setForeground(QColor(0x21, 0x21, 0x21)); // light tones: dark text in either theme
        state->setToolTip(row.changed ? QStringLiteral("vigil_drift_change is 1: the detector flagged a change within the monitor's hold")
                          : row.warning ? QStringLiteral("vigil_drift_warning is 1: DDM's error rate is past its warning threshold, not yet its drift threshold")
                                        : QStringLiteral("No change flagged within the monitor's hold"));
        set(DetValue, score(row.value));
        set(DetValues, QString::number(row.values));
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(row.lastChangeMs, Qt::UTC);
        set(DetLastChange, row.lastChangeMs > 0 ? at.toString(QStringLiteral("MM-dd HH:mm:ss 'UTC'")) : QStringLiteral("none yet"));
        flagged += row.changed ? 1 : 0;
    }
    m_detectors->resizeColumnsToContents();
    m_tabs->setTabText(2, rows.isEmpty() ? QStringLiteral("Change detectors")
                          : flagged > 0  ? QStringLiteral("Change detectors (%1, %2 flagged)").arg(rows.size()).arg(flagged)
                                         : QStringLiteral("Change detectors (%1)").arg(rows.size()));
    // A workspace whose monitors are all detectors: their table is what there
    // is to see, and the empty feature table gives it its room.
    m_table->setVisible(!m_rows.isEmpty() || rows.isEmpty());
    if (!m_detectorTabShown && m_rows.isEmpty() && !rows.isEmpty()) {
        m_detectorTabShown = true;
        m_tabs->setCurrentIndex(2);
    }
}

void DriftView::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

void DriftView::showHeatmap()
{
    const QStringList meta = m_heatmapScore->currentData().toStringList();
    if (meta.size() != 3)
        return;
    DriftHeatmap::Scale scale;
    scale.score = m_heatmapScore->currentText();
    scale.warning = meta[1].isEmpty() ? std::nan("") : meta[1].toDouble();
    scale.drift = meta[2].toDouble();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = now - m_session->rangeMs();
    QList<DriftHeatmap::Row> rows;
    for (const drift::DriftRow &row : std::as_const(m_rows)) {
        Labels labels = row.labels;
        labels.append({QStringLiteral("monitor"), row.monitor});
        rows.append({QStringLiteral("%1 · %2").arg(SeriesKey(QString(), row.labels).labelsText(), row.monitor),
                     m_session->store()->range(SeriesKey(meta[0], labels), from, now)});
    }
    m_heatmap->setData(rows, from, now, scale);
}

void DriftView::showHistograms()
{
    applyChartTheme(); // the theme may have changed since (and setTheme resets the bars' colours)
    m_chart->removeAllSeries();
    for (QAbstractAxis *a : m_chart->axes()) {
        m_chart->removeAxis(a); // gives the axis back to us: it leaked on every refresh (found by LeakSanitizer)
        delete a;
    }
    const int r = m_table->currentRow();
    if (r < 0 || r >= m_rows.size()) {
        m_chart->setTitle(QStringLiteral("Select a feature to compare its windows"));
        return;
    }
    const drift::DriftRow &row = m_rows[r];
    m_chart->setTitle(QStringLiteral("%1: share of observations per bucket").arg(SeriesKey(QString(), row.labels).labelsText()));
    const drift::Histogram &ref = row.reference;
    const drift::Histogram &cur = row.current;
    if (ref.counts.empty() || cur.counts.empty() || ref.counts.size() != cur.counts.size())
        return;
    auto *refSet = new QBarSet(QStringLiteral("reference"));
    auto *curSet = new QBarSet(QStringLiteral("current"));
    refSet->setColor(QColor(0x9e, 0x9e, 0x9e));
    curSet->setColor(QColor(0x1f, 0x77, 0xb4));
    double top = 0;
    for (std::size_t i = 0; i < ref.counts.size(); ++i) {
        const double p = ref.total > 0 ? ref.counts[i] / ref.total : 0;
        const double q = cur.total > 0 ? cur.counts[i] / cur.total : 0;
        *refSet << p;
        *curSet << q;
        top = std::max({top, p, q});
    }
    auto *series = new QBarSeries;
    series->append(refSet);
    series->append(curSet);
    m_chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(bucketLabels(ref));
    x->setLabelsAngle(-45);
    auto *y = new QValueAxis;
    y->setRange(0, top > 0 ? top * 1.1 : 1);
    y->setLabelFormat(QStringLiteral("%.2f"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

} // namespace vigil::ui
