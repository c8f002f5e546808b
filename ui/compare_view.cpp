// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare_view.h"

#include "compare/model_mapping.h"
#include "util/display_text.h"
#include "units.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QGridLayout>
#include <QLineSeries>
#include <QSplitter>
#include <QValueAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <functional>

namespace vigil::ui {

using namespace vigil::compare;

namespace {

// Light backgrounds that keep black text readable, as the alerts view's.
const QColor kBetter(0xd4, 0xed, 0xda);
const QColor kWorse(0xf8, 0xd7, 0xda);
const QColor kDiffers(0xff, 0xf3, 0xcd);
const QColor kSection(0xe9, 0xec, 0xef);
const QColor kMissing(0x6c, 0x75, 0x7d);

constexpr int kToneRole = Qt::UserRole + 1;

QTableWidgetItem *cell(const QString &text, const QString &tooltip = {})
{
    auto *item = new QTableWidgetItem(text); // always plain text: server strings are never markup
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    // Cells are one line: long text is also the tooltip.
    if (!tooltip.isEmpty())
        item->setToolTip(plainToolTip(tooltip));
    else if (text.size() > 40)
        item->setToolTip(plainToolTip(text));
    return item;
}

QTableWidgetItem *missing(const QString &why)
{
    QTableWidgetItem *item = cell(why, why);
    item->setForeground(kMissing);
    return item;
}

void tone(QTableWidgetItem *item, const QString &t)
{
    item->setData(kToneRole, t);
    if (t == QLatin1String("better"))
        item->setBackground(kBetter);
    else if (t == QLatin1String("worse"))
        item->setBackground(kWorse);
    else if (t == QLatin1String("differs"))
        item->setBackground(kDiffers);
    if (item->background().style() != Qt::NoBrush)
        item->setForeground(QColor(0x21, 0x21, 0x21)); // the tones are light: dark text in either theme
}

QString dateText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"))
                  : QStringLiteral("-");
}

QString pairsText(const KeyValues &pairs)
{
    QStringList parts;
    for (const auto &[k, v] : pairs)
        parts << k + QLatin1Char('=') + v;
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
}

QString signedNumber(double v, int decimals)
{
    return (v > 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', decimals);
}

QString verdictText(const CanaryResult &r)
{
    const QString score = std::isnan(r.score) ? QStringLiteral("-") : QString::number(r.score, 'f', 0);
    return QStringLiteral("%1 (score %2)").arg(verdictName(r.verdict).toUpper(), score);
}

} // namespace

CompareView::CompareView(const QString &model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("compareView"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setText(QStringLiteral("Compare %1").arg(model));
    top->addWidget(m_title);
    top->addStretch(1);
    top->addWidget(new QLabel(QStringLiteral("Versions or aliases, baseline first:"), this));
    m_refs = new QLineEdit(this);
    m_refs->setObjectName(QStringLiteral("compareRefs"));
    m_refs->setMinimumWidth(260);
    m_refs->setPlaceholderText(QStringLiteral("champion, challenger"));
    top->addWidget(m_refs);
    auto *go = new QPushButton(QStringLiteral("Compare"), this);
    top->addWidget(go);
    layout->addLayout(top);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->verticalHeader()->hide();
    // Compact one-line rows, so registry, params, metrics and the verdict fit on one screen.
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    // One line per cell; the full text (long descriptions, messages) is the tooltip.
    m_table->setWordWrap(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // The table above, the versions' live metrics overlaid below; the user can move the split.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    m_chartArea = new QWidget(split);
    m_chartGrid = new QGridLayout(m_chartArea);
    m_chartGrid->setContentsMargins(0, 0, 0, 0);
    split->addWidget(m_chartArea);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    const auto request = [this] {
        const QStringList r = refs();
        if (r.size() >= 2)
            Q_EMIT compareRequested(r);
        else
            m_summary->setText(QStringLiteral("Name two to four versions or aliases, separated by commas."));
    };
    connect(m_refs, &QLineEdit::returnPressed, this, request);
    connect(go, &QPushButton::clicked, this, request);
}

void CompareView::setRefs(const QStringList &refs)
{
    m_refs->setText(refs.join(QStringLiteral(", ")));
}

QStringList CompareView::refs() const
{
    QStringList out;
    for (const QString &part : m_refs->text().split(u',', Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty() && out.size() < 4)
            out << part.trimmed();
    }
    return out;
}

void CompareView::setLoading(const QString &what)
{
    m_summary->setText(what);
}

void CompareView::setSnapshot(const CompareSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_hasSnapshot = true;
    rebuild();
}

int CompareView::rowOf(const QString &title) const
{
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (const QTableWidgetItem *item = m_table->item(r, 0); item && item->text() == title)
            return r;
    }
    return -1;
}

QString CompareView::cellTone(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->data(kToneRole).toString() : QString();
}

void CompareView::rebuild()
{
    const CompareSnapshot &s = m_snapshot;
    m_table->clear();
    m_table->setRowCount(0);
    const int n = int(s.columns.size());
    m_table->setColumnCount(n + 1);
    QStringList headers{QString()};
    for (int i = 0; i < n; ++i) {
        const VersionColumn &c = s.columns[i];
        QString h = c.version.ok() ? QStringLiteral("version %1").arg(c.version.value.version) : c.ref;
        if (c.version.ok() && !isVersionNumber(c.ref))
            h += QStringLiteral(" (%1)").arg(c.ref);
        h += i == 0 ? QStringLiteral("\nbaseline") : QStringLiteral("\nvs baseline");
        headers << h;
    }
    m_table->setHorizontalHeaderLabels(headers);

    const auto addRow = [this](const QString &title) {
        const int r = m_table->rowCount();
        m_table->insertRow(r);
        m_table->setItem(r, 0, cell(title));
        return r;
    };
    const auto addSection = [&](const QString &title) {
        const int r = addRow(title);
        QFont f = m_table->item(r, 0)->font();
        f.setBold(true);
        m_table->item(r, 0)->setFont(f);
        for (int c = 0; c <= n; ++c) {
            if (!m_table->item(r, c))
                m_table->setItem(r, c, cell(QString()));
            m_table->item(r, c)->setBackground(kSection);
        }
    };

    rebuildCharts();
    if (!s.error.isEmpty()) {
        m_summary->setText(s.error);
        return;
    }

    // What decides roll forward or back comes first, at 3 a.m. above the fold:
    // the verdict and its evidence, the live metrics it judged, the offline
    // metrics; then where the versions come from (registry, run params).
    // The canary verdicts with their evidence.
    addSection(QStringLiteral("Canary verdict"));
    {
        const int r = addRow(QStringLiteral("verdict"));
        m_table->setItem(r, 1, cell(QStringLiteral("baseline")));
        for (int i = 1; i < n && i - 1 < s.verdicts.size(); ++i) {
            const CanaryResult &v = s.verdicts[i - 1];
            QTableWidgetItem *item = cell(verdictText(v), v.reason);
            QFont f = item->font();
            f.setBold(true);
            item->setFont(f);
            if (v.verdict == Verdict::Pass)
                tone(item, QStringLiteral("better"));
            else if (v.verdict == Verdict::Fail)
                tone(item, QStringLiteral("worse"));
            else
                tone(item, QStringLiteral("differs"));
            m_table->setItem(r, i + 1, item);
        }
        const int why = addRow(QStringLiteral("why"));
        for (int i = 1; i < n && i - 1 < s.verdicts.size(); ++i)
            m_table->setItem(why, i + 1, cell(s.verdicts[i - 1].reason, s.verdicts[i - 1].reason));
    }
    // One row per judged metric, in the judge's order (canaryInputs).
    const int judgedCount = s.verdicts.isEmpty() ? 0 : int(s.verdicts.first().metrics.size());
    for (int k = 0; k < judgedCount; ++k) {
        const int r = addRow(s.verdicts.first().metrics[k].spec.name + QStringLiteral(" (judge)"));
        for (int i = 1; i < n && i - 1 < s.verdicts.size(); ++i) {
            const MetricResult &m = s.verdicts[i - 1].metrics.value(k);
            const MetricEvidence &e = m.evidence;
            QString text = classificationName(m.classification);
            if (m.classification != Classification::NotEnoughData)
                text += QStringLiteral(": p%1, U=%2, n=%3/%4")
                            .arg(e.pValue < 1e-4 ? QStringLiteral("<0.0001") : QStringLiteral("=") + QString::number(e.pValue, 'g', 3))
                            .arg(e.u)
                            .arg(e.nCanary)
                            .arg(e.nBaseline);
            else
                text += QStringLiteral(": n=%1/%2").arg(e.nCanary).arg(e.nBaseline);
            QTableWidgetItem *item = cell(text, m.reason);
            if (m.classification == Classification::NotEnoughData)
                tone(item, QStringLiteral("differs"));
            else
                tone(item, m.passed ? QStringLiteral("better") : QStringLiteral("worse"));
            m_table->setItem(r, i + 1, item);
        }
    }

    // Live metrics over the window: the median of the per-interval values.
    addSection(QStringLiteral("Live, median over %1").arg(formatPromDuration(((s.endMs - s.startMs) / 1000) * 1000)));
    for (const LiveMetricInfo &m : liveMetrics()) {
        const int r = addRow(m.title);
        const LiveValues base = s.columns.first().live.value(m.key);
        for (int i = 0; i < n; ++i) {
            const VersionColumn &c = s.columns[i];
            if (!c.version.ok()) {
                m_table->setItem(r, i + 1, missing(QString()));
                continue;
            }
            const LiveValues lv = c.live.value(m.key);
            if (lv.values.isEmpty()) {
                m_table->setItem(r, i + 1, missing(lv.error.isEmpty() ? QStringLiteral("no data") : lv.error));
                m_table->item(r, i + 1)->setToolTip(lv.query + QStringLiteral("\n") + lv.error);
                continue;
            }
            QString text = formatValue(lv.median, m.unit);
            QTableWidgetItem *item = nullptr;
            if (i > 0 && !base.values.isEmpty()) {
                const double d = lv.median - base.median;
                if (base.median != 0.0)
                    text += QStringLiteral("   (%1 %)").arg(signedNumber(100.0 * d / std::abs(base.median), 1));
                else if (d != 0.0)
                    text += QStringLiteral("   (up from 0)");
                item = cell(text, lv.query);
                // Coloured by the judge, not by the size of the move: a delta is
                // worse when the judge fails the metric, better when it moved
                // significantly the harmless way, plain when it is noise (or not judged).
                if (i - 1 < s.verdicts.size()) {
                    for (const MetricResult &jm : s.verdicts[i - 1].metrics) {
                        if (jm.spec.name != m.title)
                            continue;
                        if (!jm.passed && jm.classification != Classification::NotEnoughData)
                            tone(item, QStringLiteral("worse"));
                        else if (jm.classification == Classification::High || jm.classification == Classification::Low)
                            tone(item, QStringLiteral("better"));
                    }
                }
            } else {
                item = cell(text, lv.query);
            }
            item->setText(item->text() + QStringLiteral("   n=%1").arg(lv.values.size()));
            m_table->setItem(r, i + 1, item);
        }
    }

    // Offline metrics: the run's latest value of each, the delta against the baseline.
    addSection(QStringLiteral("Offline metrics"));
    QStringList metricKeys;
    for (const VersionColumn &c : s.columns) {
        for (const MetricPoint &p : c.run.value.metrics) {
            if (!metricKeys.contains(p.key))
                metricKeys << p.key;
        }
    }
    const auto metricOf = [](const Run &run, const QString &key) {
        for (const MetricPoint &p : run.metrics) {
            if (p.key == key)
                return p.value;
        }
        return std::numeric_limits<double>::quiet_NaN();
    };
    for (const QString &key : metricKeys) {
        const int r = addRow(key);
        const double base = s.columns.first().run.ok() ? metricOf(s.columns.first().run.value, key)
                                                       : std::numeric_limits<double>::quiet_NaN();
        const int direction = offlineMetricDirection(key);
        for (int i = 0; i < n; ++i) {
            const VersionColumn &c = s.columns[i];
            const double v = c.run.ok() ? metricOf(c.run.value, key) : std::numeric_limits<double>::quiet_NaN();
            if (std::isnan(v)) {
                m_table->setItem(r, i + 1, missing(c.run.ok() ? QStringLiteral("(not logged)") : QString()));
                continue;
            }
            QString text = QString::number(v, 'g', 4);
            QTableWidgetItem *item = nullptr;
            if (i > 0 && !std::isnan(base)) {
                const double d = v - base;
                text += QStringLiteral("   (%1)").arg(signedNumber(d, 3));
                item = cell(text);
                if (d != 0.0 && direction != 0)
                    tone(item, (d > 0) == (direction > 0) ? QStringLiteral("better") : QStringLiteral("worse"));
            } else {
                item = cell(text);
            }
            m_table->setItem(r, i + 1, item);
        }
    }

    // Registry facts.
    addSection(QStringLiteral("Registry"));
    struct Fact
    {
        QString title;
        std::function<QString(const ModelVersion &)> text;
    };
    const QList<Fact> facts = {
        {QStringLiteral("version"), [](const ModelVersion &v) -> QString { return v.version; }},
        {QStringLiteral("aliases"),
         [](const ModelVersion &v) -> QString { return v.aliases.isEmpty() ? QStringLiteral("-") : v.aliases.join(QStringLiteral(", ")); }},
        {QStringLiteral("stage"), [](const ModelVersion &v) -> QString { return v.stage; }},
        {QStringLiteral("created"), [](const ModelVersion &v) -> QString { return dateText(v.creationTimeMs); }},
        {QStringLiteral("description"),
         [](const ModelVersion &v) -> QString { return v.description.isEmpty() ? QStringLiteral("-") : v.description; }},
        {QStringLiteral("tags"), [](const ModelVersion &v) -> QString { return pairsText(v.tags); }},
        {QStringLiteral("source run"), [](const ModelVersion &v) -> QString { return v.runId; }},
    };
    for (const Fact &f : facts) {
        const int r = addRow(f.title);
        for (int i = 0; i < n; ++i) {
            const VersionColumn &c = s.columns[i];
            m_table->setItem(r, i + 1, c.version.ok() ? cell(f.text(c.version.value), f.text(c.version.value))
                                                      : missing(f.title == QLatin1String("version") ? c.version.message : QString()));
        }
    }
    {
        const int r = addRow(QStringLiteral("run"));
        for (int i = 0; i < n; ++i) {
            const VersionColumn &c = s.columns[i];
            if (!c.version.ok())
                m_table->setItem(r, i + 1, missing(QString()));
            else if (!c.run.ok())
                m_table->setItem(r, i + 1, missing(c.run.message));
            else
                m_table->setItem(r, i + 1, cell(QStringLiteral("%1 (%2)").arg(c.run.value.name, c.run.value.status)));
        }
    }

    // Run params: one row per key any run has; a row whose values differ is highlighted.
    addSection(QStringLiteral("Run params"));
    QStringList paramKeys;
    for (const VersionColumn &c : s.columns) {
        for (const auto &[k, v] : c.run.value.params) {
            if (!paramKeys.contains(k))
                paramKeys << k;
        }
    }
    const auto paramOf = [](const Run &run, const QString &key) -> QString {
        for (const auto &[k, v] : run.params) {
            if (k == key)
                return v;
        }
        return QString();
    };
    for (const QString &key : paramKeys) {
        const int r = addRow(key);
        QSet<QString> values;
        for (const VersionColumn &c : s.columns)
            values.insert(c.run.ok() ? paramOf(c.run.value, key) : QStringLiteral("\x01"));
        const bool differs = values.size() > 1;
        for (int i = 0; i < n; ++i) {
            const VersionColumn &c = s.columns[i];
            const QString v = c.run.ok() ? paramOf(c.run.value, key) : QString();
            QTableWidgetItem *item = c.run.ok() ? cell(v.isEmpty() ? QStringLiteral("(not set)") : v) : missing(QString());
            if (differs && c.run.ok())
                tone(item, QStringLiteral("differs"));
            m_table->setItem(r, i + 1, item);
        }
    }

    // Summary line above the table.
    QStringList parts;
    for (int i = 1; i < n && i - 1 < s.verdicts.size(); ++i) {
        parts << QStringLiteral("%1 vs %2: %3")
                     .arg(m_table->horizontalHeaderItem(i + 1)->text().section(u'\n', 0, 0),
                          m_table->horizontalHeaderItem(1)->text().section(u'\n', 0, 0), verdictText(s.verdicts[i - 1]));
    }
    m_summary->setText(QStringLiteral("Window %1 to %2, one value per %3 s.  %4")
                           .arg(dateText(s.startMs), dateText(s.endMs))
                           .arg(s.stepMs / 1000)
                           .arg(parts.join(QStringLiteral("; "))));

    // Titles as wide as they need, versions share the rest equally.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    for (int c = 1; c <= n; ++c)
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
}

// One small chart per live metric, a line per version, x in minutes before the
// window's end (a value axis: no date axis quirks, and the window is what matters).
void CompareView::rebuildCharts()
{
    qDeleteAll(m_charts);
    m_charts.clear();
    const CompareSnapshot &s = m_snapshot;
    if (!s.error.isEmpty() || s.columns.isEmpty()) {
        m_chartArea->hide();
        return;
    }
    m_chartArea->show();
    // Hidden while nothing was compared, the chart row comes back at no height
    // (QSplitter keeps the size it had): give it two fifths, at least a chart's
    // height, unless the user has already made room for it.
    if (auto *split = qobject_cast<QSplitter *>(m_chartArea->parentWidget())) {
        const QList<int> sizes = split->sizes();
        const int total = sizes.value(0) + sizes.value(1);
        if (sizes.value(1) < 200 && total > 0) {
            const int charts = std::max(230, total * 2 / 5);
            split->setSizes({std::max(0, total - charts), charts});
        }
    }
    int index = 0;
    for (const LiveMetricInfo &m : liveMetrics()) {
        double maxAbs = 0.0;
        for (const VersionColumn &c : s.columns) {
            for (double v : c.live.value(m.key).values)
                maxAbs = std::max(maxAbs, std::abs(v));
        }
        const UnitScale scale = chooseScale(m.unit, maxAbs);
        auto *chart = new QChart;
        chart->setTitle(scale.suffix.trimmed().isEmpty() ? m.title
                                                         : QStringLiteral("%1 (%2)").arg(m.title, scale.suffix.trimmed()));
        chart->setMargins(QMargins(2, 2, 2, 2));
        chart->setBackgroundRoundness(0);
        chart->legend()->setAlignment(Qt::AlignBottom);
        // Seconds for a window of up to 5 minutes, minutes beyond.
        const bool inSeconds = s.endMs - s.startMs <= 5 * 60'000;
        const double xUnit = inSeconds ? 1000.0 : 60'000.0;
        auto *x = new QValueAxis;
        x->setTitleText(QStringLiteral("%1 before %2")
                            .arg(inSeconds ? QStringLiteral("seconds") : QStringLiteral("minutes"),
                                 QDateTime::fromMSecsSinceEpoch(s.endMs, Qt::UTC).toString(QStringLiteral("HH:mm 'UTC'"))));
        x->setLabelFormat(QStringLiteral("%.0f"));
        x->setRange(-double(s.endMs - s.startMs) / xUnit, 0.0);
        auto *y = new QValueAxis;
        y->setLabelFormat(QStringLiteral("%.%1f").arg(std::clamp(scale.decimals, 0, 3)));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        double lo = 0.0;
        double hi = 0.0;
        for (int i = 0; i < s.columns.size(); ++i) {
            const VersionColumn &c = s.columns[i];
            const LiveValues lv = c.live.value(m.key);
            auto *line = new QLineSeries;
            // Short names: the charts are narrow ("13 challenger").
            QString name = c.version.ok() ? c.version.value.version : c.ref;
            if (c.version.ok() && !isVersionNumber(c.ref))
                name += u' ' + c.ref;
            line->setName(name);
            for (int k = 0; k < lv.values.size() && k < lv.timesMs.size(); ++k) {
                const double v = lv.values[k] * scale.factor;
                line->append(double(lv.timesMs[k] - s.endMs) / xUnit, v);
                hi = std::max(hi, v);
                lo = std::min(lo, v);
            }
            chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
        }
        y->setRange(lo, hi > lo ? hi * 1.1 : lo + 1.0);
        auto *view = new QChartView(chart, m_chartArea);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(200);
        view->setObjectName(QStringLiteral("compareChart_%1").arg(m.key));
        m_chartGrid->addWidget(view, 0, index);
        m_chartGrid->setColumnStretch(index++, 1); // equal widths, whatever the titles and labels need
        view->show(); // now, not at the next event loop pass (a grab right after would miss it)
        m_charts << view;
    }
}

} // namespace vigil::ui
