// SPDX-License-Identifier: GPL-3.0-or-later
// Chart panels offscreen, fed from a store directly: what the engineer sees
// in each state, and that server text never renders as rich text.
#include <catch2/catch.hpp>

#include "chart_panel.h"
#include "series/decimate.h"
#include "units.h"

#include <QChartView>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QTextDocumentFragment>
#include <cmath>

using namespace vigil;
using namespace vigil::ui;

namespace {
PanelDef panelDef(QString unit = QStringLiteral("s"))
{
    PanelDef d;
    d.title = QStringLiteral("p99 latency");
    d.unit = std::move(unit);
    d.queries.append({QStringLiteral("histogram_quantile(0.99, x)"), QStringLiteral("{{model}} {{version}}")});
    return d;
}

PollStatus status(PollStatus::State s, QString message = {}, qint64 lastSuccess = 0)
{
    PollStatus st;
    st.state = s;
    st.message = std::move(message);
    st.lastSuccessMs = lastSuccess;
    return st;
}

QLabel *overlay(ChartPanel &p)
{
    return p.findChild<QLabel *>(QStringLiteral("stateOverlay"));
}
} // namespace

TEST_CASE("A new panel says it is loading", "[ui][panel]")
{
    ChartPanel panel(panelDef(), {"d/0/0"});
    CHECK(panel.state() == ChartPanel::State::Loading);
    CHECK(overlay(panel)->text() == "Loading…");
}

TEST_CASE("A panel whose query returned nothing says no data", "[ui][panel]")
{
    SeriesStore store;
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.setStatus("d/0/0", status(PollStatus::State::NoData));
    panel.updateData(store, 0, 60'000);
    CHECK(panel.state() == ChartPanel::State::NoData);
    CHECK(overlay(panel)->text().startsWith("No data"));
}

TEST_CASE("A panel with an error and no data shows the reason", "[ui][panel]")
{
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.setStatus("d/0/0", status(PollStatus::State::Error, "connection refused by http://127.0.0.1:9/"));
    CHECK(panel.state() == ChartPanel::State::Error);
    CHECK(overlay(panel)->text() == "Error: connection refused by http://127.0.0.1:9/");
    CHECK(overlay(panel)->isVisibleTo(&panel));
}

TEST_CASE("A panel with data whose source then fails is stale since the last success", "[ui][panel]")
{
    SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    store.append(SeriesKey("d/0/0", {{"model", "fraud"}, {"version", "v1"}}), {{t0, 0.1}, {t0 + 1000, 0.2}});
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.setStatus("d/0/0", status(PollStatus::State::Ok, {}, t0 + 1000));
    panel.updateData(store, t0 - 60'000, t0 + 2000);
    CHECK(panel.state() == ChartPanel::State::Ok);
    panel.setStatus("d/0/0", status(PollStatus::State::Error, "HTTP 502 Bad Gateway", t0 + 1000));
    CHECK(panel.state() == ChartPanel::State::Stale);
    const auto *badge = panel.findChild<QLabel *>(QStringLiteral("stateBadge"));
    CHECK(badge->text().startsWith("stale since "));
    CHECK(QTextDocumentFragment::fromHtml(badge->toolTip()).toPlainText() == "HTTP 502 Bad Gateway");
    CHECK_FALSE(overlay(panel)->isVisibleTo(&panel)); // the data stays readable
}

TEST_CASE("Panel legends fill {{label}} templates from the series labels", "[ui][panel]")
{
    const SeriesKey key("d/0/0", {{"model", "fraud-detector"}, {"version", "v13"}});
    CHECK(ChartPanel::legendFor("{{model}} {{ version }}", key, "x") == "fraud-detector v13");
    CHECK(ChartPanel::legendFor("p99 {{missing}}", key, "x") == "p99");
    CHECK(ChartPanel::legendFor("", key, "x") == "model=fraud-detector, version=v13");
    CHECK(ChartPanel::legendFor("", SeriesKey("d/0/0"), "sum(rate(x[1m]))") == "sum(rate(x[1m]))");
}

TEST_CASE("Panel hands Qt Charts at most two points per pixel column", "[ui][panel][decimate]")
{
    SeriesStore store(200'000);
    QList<Sample> samples;
    for (int i = 0; i < 100'000; ++i)
        samples.append({qint64(i) * 1000, double(i % 97)});
    store.append(SeriesKey("d/0/0", {{"version", "v1"}}), samples);
    ChartPanel panel(panelDef("short"), {"d/0/0"});
    panel.resize(800, 400);
    panel.setStatus("d/0/0", status(PollStatus::State::Ok, {}, 1));
    panel.updateData(store, 0, 100'000'000);
    CHECK(panel.seriesCount() == 1);
    CHECK(panel.pointCount() > 100);
    CHECK(panel.pointCount() <= 2 * 800 + 2);
}

TEST_CASE("Label values and server messages render as plain text, never HTML", "[ui][panel][security]")
{
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.setStatus("d/0/0", status(PollStatus::State::Error, "<img src=x onerror=alert(1)><b>bold</b>"));
    for (const QLabel *l : panel.findChildren<QLabel *>())
        CHECK(l->textFormat() == Qt::PlainText);
    CHECK(overlay(panel)->text().contains("<img src=x"));
}

TEST_CASE("Units: seconds read as milliseconds below 2 s, ratios as percent", "[ui][units]")
{
    CHECK(formatValue(0.087, "s") == "87 ms");
    CHECK(formatValue(3.5, "s") == "3.50 s");
    CHECK(formatValue(0.0812, "percentunit") == "8.12 %");
    CHECK(formatValue(250.4, "reqps") == "250 req/s");
    CHECK(formatValue(3 * 1024 * 1024, "bytes") == "3.0 MiB");
    CHECK(formatValue(std::nan(""), "s") == "NaN");
}

TEST_CASE("The time axis draws its labels under the plot once data arrives after the panel is shown",
          "[ui][panel][axis]")
{
    // Regression: Qt Charts 6.4 dropped the date axis' labels when the chart was
    // shown before the axis had a real range.
    SeriesStore store;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Sample> samples;
    for (int i = 0; i < 300; ++i)
        samples.append({now - 300'000 + i * 1000, 0.1 + (i % 10) / 100.0});
    store.append(SeriesKey("d/0/0", {{"version", "v1"}}), samples);
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.resize(640, 400);
    panel.show();
    QCoreApplication::processEvents();
    panel.setStatus("d/0/0", status(PollStatus::State::Ok, {}, now));
    panel.updateData(store, now - 900'000, now);
    QCoreApplication::processEvents();

    const QImage img = panel.chartView()->grab().toImage();
    const QRectF plot = panel.plotArea();
    REQUIRE(plot.height() > 50);
    // Dark pixels (text) in the band just below the plot area: the time labels.
    int dark = 0;
    for (int y = int(plot.bottom()) + 4; y < std::min(img.height(), int(plot.bottom()) + 20); ++y)
        for (int x = int(plot.left()); x < int(plot.right()); ++x)
            dark += QColor(img.pixel(x, y)).lightness() < 110 ? 1 : 0;
    CHECK(dark > 40);
}

TEST_CASE("A redraw hands each line exactly the decimated samples, named and coloured in legend order",
          "[ui][panel][decimate][issue7]")
{
    // Issue 7 reordered ChartPanel::updateData (lines emptied, axes moved,
    // then points handed over, so Qt Charts outlines each line once): what
    // the chart holds afterwards must be what it held before: per series the
    // decimated range, scaled; names from the legend; colours by sorted name.
    SeriesStore store(100'000);
    const qint64 t0 = 1'700'000'000'000;
    auto feed = [&](const QString &version, int from, int to) {
        QList<Sample> samples;
        for (int i = from; i < to; ++i)
            samples.append({t0 + qint64(i) * 1000, 0.05 + 0.01 * ((i * 7 + version.size()) % 13) + (i == 4321 ? 2.0 : 0.0)});
        store.append(SeriesKey("d/0/0", {{"model", "fraud"}, {"version", version}}), samples);
    };
    feed("v2", 0, 6000);
    feed("v10", 0, 6000);
    ChartPanel panel(panelDef(), {"d/0/0"});
    panel.resize(800, 400);
    panel.show();
    QCoreApplication::processEvents();
    panel.setStatus("d/0/0", status(PollStatus::State::Ok, {}, t0));

    auto check = [&](qint64 from, qint64 to) {
        panel.updateData(store, from, to);
        QCoreApplication::processEvents();
        const int pixels = std::max(100, int(panel.plotArea().width()));
        // The panel decimated at its plot width before this redraw; redraw
        // once more so the width it used is the one read here.
        panel.updateData(store, from, to);
        const QList<SeriesKey> keys = store.keysNamed("d/0/0");
        double maxAbs = 0;
        QList<QList<QPointF>> expected;
        for (const SeriesKey &k : keys) {
            expected.append(decimateMinMax(store.range(k, from, to), from, to, pixels));
            for (const QPointF &p : expected.last())
                maxAbs = std::max(maxAbs, std::fabs(p.y()));
        }
        const double factor = chooseScale("s", maxAbs).factor;
        const auto lines = panel.chartView()->chart()->series();
        REQUIRE(lines.size() == keys.size());
        QStringList names;
        for (int i = 0; i < keys.size(); ++i) {
            const QString name = ChartPanel::legendFor("{{model}} {{version}}", keys[i], "x");
            names << name;
            QLineSeries *line = nullptr;
            for (QAbstractSeries *s : lines)
                if (s->name() == name)
                    line = qobject_cast<QLineSeries *>(s);
            REQUIRE(line);
            QList<QPointF> want = expected[i];
            for (QPointF &p : want)
                p.setY(p.y() * factor);
            CHECK(line->points() == want);
        }
        names.sort();
        for (QAbstractSeries *s : lines) {
            const int rank = int(names.indexOf(s->name()));
            CHECK(qobject_cast<QLineSeries *>(s)->pen().color() == QColor(rank == 0 ? 0x4e79a7 : 0xf28e2b));
        }
    };
    check(t0, t0 + 6'000'000);       // decimated: 6,000 samples over ~700 px
    feed("v2", 6000, 9000);           // more data arrives; the window moves
    check(t0 + 600'000, t0 + 9'000'000);
    check(t0 + 4'000'000, t0 + 4'300'000); // zoomed in: every sample, not decimated
}

TEST_CASE("A panel of many long series stays within its point budget and keeps every spike", "[ui][panel][perf]")
{
    // 100 series over a week (issue 7): fewer, wider columns than pixels,
    // each still holding its minimum and maximum; drawn without antialiasing.
    SeriesStore store(20'000);
    const qint64 t0 = 1'700'000'000'000, step = 55'000;
    constexpr int kSeries = 100, kPoints = 11'000;
    for (int k = 0; k < kSeries; ++k) {
        QList<Sample> samples;
        for (int i = 0; i < kPoints; ++i)
            samples.append({t0 + qint64(i) * step, 0.1 + 0.001 * (i % 17) + (i == (k * 37) % kPoints ? 5.0 + k : 0.0)
                                                       - (i == (k * 91 + 5) % kPoints ? 3.0 : 0.0)});
        store.append(SeriesKey("d/0/0", {{"model", "m"}, {"version", QStringLiteral("v%1").arg(k)}}), samples);
    }
    ChartPanel panel(panelDef(""), {"d/0/0"});
    panel.resize(1280, 720);
    panel.show();
    QCoreApplication::processEvents();
    const qint64 from = t0, to = t0 + qint64(kPoints - 1) * step;
    panel.updateData(store, from, to);
    QCoreApplication::processEvents();
    panel.updateData(store, from, to);
    const int pixels = std::max(100, int(panel.plotArea().width()));
    const int columns = ChartPanel::columnsFor(pixels, kSeries);
    CHECK(columns < pixels);
    CHECK(columns == int(ChartPanel::kPointBudget / (2 * kSeries)));
    CHECK(panel.pointCount() <= ChartPanel::kPointBudget);
    CHECK(panel.pointCount() > ChartPanel::kPointBudget / 2);
    CHECK_FALSE(panel.antialiased());
    int checked = 0;
    for (QAbstractSeries *s : panel.chartView()->chart()->series()) {
        auto *line = qobject_cast<QLineSeries *>(s);
        if (!line || !line->name().startsWith(QStringLiteral("m v")))
            continue;
        const int k = line->name().mid(3).toInt();
        double hi = -1e9, lo = 1e9;
        for (const QPointF &p : line->points()) {
            hi = std::max(hi, p.y());
            lo = std::min(lo, p.y());
        }
        CHECK(line->count() <= 2 * columns);
        CHECK(hi == Approx(5.1 + k + 0.001 * (((k * 37) % kPoints) % 17)));
        CHECK(lo < -2.0);
        ++checked;
    }
    CHECK(checked == kSeries);

    // A few series: one column per pixel and smooth lines again.
    CHECK(ChartPanel::columnsFor(pixels, 4) == pixels);
    store.removeNamed("d/0/0");
    store.append(SeriesKey("d/0/0", {{"model", "m"}, {"version", "v1"}}), {{t0, 1.0}, {t0 + step, 2.0}});
    panel.updateData(store, from, to);
    CHECK(panel.antialiased());
    CHECK(panel.pointCount() == 2);
}

TEST_CASE("A panel showing vigil_drift_change draws a marker at each flagged sample", "[ui][panel][drift][detector]")
{
    // An error rate and its change-detector series (what a DriftMonitor with
    // a detector writes), one query each, as a dashboard would chart them.
    SeriesStore store;
    const qint64 t0 = 1'700'000'000'000;
    QList<Sample> rate, change;
    for (int i = 0; i <= 80; ++i) {
        const qint64 t = t0 + qint64(i) * 30'000;
        rate.append({t, (i < 40 ? 0.01 : 0.30) + 0.002 * (i % 5)});
        // Flags at 43 and 70, each held for 5 minutes (10 evaluations).
        change.append({t, ((i >= 43 && i < 53) || (i >= 70 && i < 80)) ? 1.0 : 0.0});
    }
    store.append(SeriesKey("d/0/0", {{"model", "spam-filter"}, {"__name__", "job:errors:rate1m"}}), rate);
    store.append(SeriesKey("d/0/1", {{"model", "spam-filter"}, {"monitor", "spam errors"}, {"detector", "page-hinkley"},
                                     {"__name__", "vigil_drift_change"}}),
                 change);
    PanelDef def;
    def.title = QStringLiteral("spam-filter error rate and detected changes");
    def.queries.append({QStringLiteral("job:errors:rate1m"), QStringLiteral("error rate")});
    def.queries.append({QStringLiteral("vigil_drift_change"), QStringLiteral("change ({{detector}})")});
    ChartPanel panel(def, {"d/0/0", "d/0/1"});
    panel.resize(900, 420);
    panel.show();
    QCoreApplication::processEvents();
    panel.setStatus("d/0/0", status(PollStatus::State::Ok, {}, t0 + 80 * 30'000));
    panel.setStatus("d/0/1", status(PollStatus::State::Ok, {}, t0 + 80 * 30'000));
    panel.updateData(store, t0, t0 + 80 * 30'000);
    QCoreApplication::processEvents();

    const qint64 first = t0 + 43 * 30'000, second = t0 + 70 * 30'000;
    CHECK(panel.changeMarkers() == QList<qint64>{first, second});
    CHECK(panel.changeMarkerLineCount() == 2);
    // The markers are drawn: a vertical stroke of the marker colour at each
    // flag's x, over most of the plot's height, and none between them.
    const QImage img = panel.chartView()->grab().toImage();
    const QRectF plot = panel.plotArea();
    REQUIRE(plot.height() > 100);
    auto markerPixels = [&](double x) {
        int n = 0;
        for (int y = int(plot.top()) + 2; y < int(plot.bottom()) - 2; ++y)
            for (int dx = -1; dx <= 1; ++dx) {
                const QColor c(img.pixel(int(std::lround(x)) + dx, y));
                n += (c.red() > 0x60 && c.red() < 0xc0 && c.green() < 0x60 && c.blue() > 0x80) ? 1 : 0;
            }
        return n;
    };
    CHECK(markerPixels(panel.viewXOf(first)) > int(plot.height() * 0.3));
    CHECK(markerPixels(panel.viewXOf(second)) > int(plot.height() * 0.3));
    CHECK(markerPixels(panel.viewXOf(t0 + 55 * 30'000)) == 0);
    // The markers are no series of their own in the legend.
    CHECK(panel.legendNames().size() == 2);

    // Scrolled so that the range starts inside the first flag's hold: that is
    // no flag; one marker, the pool keeps the other line hidden.
    panel.updateData(store, t0 + 48 * 30'000, t0 + 80 * 30'000);
    CHECK(panel.changeMarkers() == QList<qint64>{second});
    CHECK(panel.changeMarkerLineCount() == 1);

    panel.updateData(store, t0, t0 + 80 * 30'000);
    QCoreApplication::processEvents();
    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    CHECK(panel.grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/chart-drift-change.png")));
}
