// SPDX-License-Identifier: GPL-3.0-or-later
// The drift monitor view offscreen on the in-process demo fleet: one row per
// feature with its scores and verdict, the selected feature's two histograms.
#include <catch2/catch.hpp>

#include "drift/baselines.h"
#include "drift_heatmap.h"
#include "drift_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/test_stack.h"
#include "util/display_text.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QCoreApplication>
#include <QImage>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QListWidget>
#include <QTableWidget>
#include <QTest>

using namespace vigil;
using namespace vigil::test;

TEST_CASE("Drift view: features with their scores and verdicts, and the selected feature's histograms", "[ui][drift]")
{
    // The demo fleet starts with 15 minutes of history: the last 2 minutes
    // (after body_length drifted) against minutes 3-5 (before).
    const Workspace ws = parseWorkspace(R"(connections:
  prom: { kind: demo }
dashboards:
  - name: Empty
    panels: [{ title: x, query: up }]
drift:
  - name: spam inputs
    histogram: model_feature_value
    selector: model="spam-filter"
    by: [feature]
    window: 2m
    reference: { offset: 10m }
    interval: 30s
    backfill: 5m
)", QStringLiteral("drift-view.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    ui::DriftView *view = window.driftView();
    REQUIRE(view);
    QTableWidget *table = view->table();
    REQUIRE(waitUntil([&] { return table->rowCount() == 3 && !table->item(0, ui::DriftView::Psi)->text().isEmpty(); }, 20'000));
    QHash<QString, QString> verdicts; // feature name -> verdict text
    for (int r = 0; r < table->rowCount(); ++r) {
        const QString feature = table->item(r, ui::DriftView::Feature)->text();
        for (const char *name : {"body_length", "link_count", "sender_reputation"})
            if (feature.contains(QLatin1String(name)))
                verdicts.insert(QLatin1String(name), table->item(r, ui::DriftView::Verdict)->text());
    }
    INFO(QStringList(verdicts.values()).join(" | ").toStdString());
    CHECK(verdicts.value("body_length").startsWith("drift (PSI "));
    CHECK(verdicts.value("link_count").startsWith("ok (PSI "));
    CHECK(verdicts.value("sender_reputation").startsWith("ok (PSI "));

    // Select body_length: the chart shows its reference and current windows bucket by bucket.
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, ui::DriftView::Feature)->text().contains("body_length"))
            table->setCurrentCell(r, 0);
    QChart *chart = view->histogramChart();
    REQUIRE(chart->series().size() == 1);
    auto *bars = qobject_cast<QBarSeries *>(chart->series().first());
    REQUIRE(bars);
    REQUIRE(bars->count() == 2);
    CHECK(bars->barSets()[0]->label() == "reference");
    CHECK(bars->barSets()[1]->label() == "current");
    CHECK(bars->barSets()[0]->count() == bars->barSets()[1]->count());
    CHECK(bars->barSets()[0]->count() >= 10); // 10-14 buckets and +Inf
    double sumRef = 0;
    for (int i = 0; i < bars->barSets()[0]->count(); ++i)
        sumRef += bars->barSets()[0]->at(i);
    CHECK(sumRef == Approx(1.0));

    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    auto *list = window.findChild<QListWidget *>(QStringLiteral("dashboardList"));
    REQUIRE(list);
    const auto items = list->findItems(QStringLiteral("Drift monitor"), Qt::MatchExactly);
    REQUIRE(items.size() == 1);
    list->setCurrentItem(items.first());
    CHECK(view->isVisible());
    QTest::qWait(200); // the chart lays out its bars before the grab
    view->grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/drift-view.png"));
}

TEST_CASE("Drift view: detector monitors in their own table, one row per series with its state", "[ui][drift][detector]")
{
    // Only detector monitors: the view opens on their tab. The demo fleet's
    // precision per model and version, from 10 minutes of backfill: spam-filter
    // v8's erodes from minute 4 (demo/README.md), the others hold steady.
    const Workspace ws = parseWorkspace(R"(connections:
  prom: { kind: demo }
dashboards:
  - name: Empty
    panels: [{ title: x, query: up }]
drift:
  - name: precision
    detector: page-hinkley
    query: model_quality{metric="precision"}
    params: { mode: down, threshold: 0.2, min_instances: 10 }
    interval: 15s
    backfill: 10m
)", QStringLiteral("detectors.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    ui::DriftView *view = window.driftView();
    REQUIRE(view);
    QTableWidget *table = view->detectorTable();
    // Every model and version the fleet serves, once the backfill is through.
    REQUIRE(waitUntil([&] {
        return table->rowCount() >= 3 && table->item(0, ui::DriftView::DetValues)
            && table->item(0, ui::DriftView::DetValues)->text().toInt() >= 41;
    }, 30'000));
    CHECK(view->table()->rowCount() == 0);
    CHECK(view->table()->isHidden()); // no features: the detectors get the room
    CHECK(view->tabs()->currentIndex() == 2);
    CHECK(view->tabs()->tabText(2).startsWith(QStringLiteral("Change detectors (%1").arg(table->rowCount())));
    QStringList series;
    for (int r = 0; r < table->rowCount(); ++r) {
        INFO("row " << r);
        CHECK(table->item(r, ui::DriftView::DetMonitor)->text() == "precision");
        CHECK(table->item(r, ui::DriftView::DetDetector)->text() == "page-hinkley");
        CHECK(QStringList{"change flagged", "warning zone", "no change"}.contains(table->item(r, ui::DriftView::DetState)->text()));
        CHECK(table->item(r, ui::DriftView::DetValues)->text().toInt() >= 41);
        bool number = false;
        const double v = table->item(r, ui::DriftView::DetValue)->text().toDouble(&number);
        CHECK(number);
        CHECK((v > 0 && v <= 1));
        const QString lastChange = table->item(r, ui::DriftView::DetLastChange)->text();
        CHECK((lastChange == "none yet" || lastChange.endsWith(" UTC")));
        series << table->item(r, ui::DriftView::DetSeries)->text();
        // Flagged: v8's precision, and only it.
        const bool v8 = series.last().contains(R"(version="v8")");
        CHECK((lastChange != "none yet") == v8);
        if (v8) {
            CHECK(table->item(r, ui::DriftView::DetState)->text() == "change flagged");
            CHECK(table->item(r, ui::DriftView::DetState)->background().color() == QColor(0xef, 0x9a, 0x9a));
        }
    }
    INFO(series.join(" | ").toStdString());
    CHECK(series.join('\n').contains(R"(model="spam-filter")"));
    CHECK(series.join('\n').contains(R"(version="v8")"));
    CHECK(series.first().startsWith(R"(model_quality{)"));
    // The rows match what the monitor holds, which the session hands over.
    CHECK(table->rowCount() == session.driftDetectorRows().size());

    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    auto *list = window.findChild<QListWidget *>(QStringLiteral("dashboardList"));
    REQUIRE(list);
    const auto items = list->findItems(QStringLiteral("Drift monitor"), Qt::MatchExactly);
    REQUIRE(items.size() == 1);
    list->setCurrentItem(items.first());
    CHECK(view->isVisible());
    CHECK(view->grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/drift-detectors.png")));
}

namespace {
const char *kPinWorkspace = R"(connections:
  prom: { kind: demo }
dashboards:
  - name: Empty
    panels: [{ title: x, query: up }]
drift:
  - name: spam inputs
    histogram: model_feature_value
    selector: model="spam-filter"
    by: [feature]
    window: 2m
    reference: { offset: 10m }
    interval: 30s
    backfill: 5m
)";

int rowOf(QTableWidget *table, const QString &feature)
{
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, ui::DriftView::Feature) && table->item(r, ui::DriftView::Feature)->text().contains(feature))
            return r;
    return -1;
}

QString cellOf(QTableWidget *table, const QString &feature, int column)
{
    const int r = rowOf(table, feature);
    return r >= 0 && table->item(r, column) ? table->item(r, column)->text() : QString();
}
} // namespace

TEST_CASE("Drift view: B pins the selected feature's current window as its baseline, saved next to the workspace",
          "[ui][drift][baseline]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("spam.yaml"));
    const Workspace ws = parseWorkspace(kPinWorkspace, path);
    REQUIRE_FALSE(ws.hasErrors());
    const QString baselineFile = dir.filePath(QStringLiteral("spam.drift-baselines.json"));
    CHECK(drift::baselinesPathFor(path) == baselineFile);
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    window.activateWindow();
    ui::DriftView *view = window.driftView();
    QTableWidget *table = view->table();
    REQUIRE(waitUntil([&] { return table->rowCount() == 3 && cellOf(table, "body_length", ui::DriftView::Verdict).startsWith("drift (PSI "); }, 20'000));
    CHECK(cellOf(table, "body_length", ui::DriftView::Reference) == "reference window");
    CHECK_FALSE(QFile::exists(baselineFile));

    // The heatmap: one row per feature, body_length red in its latest interval with scores.
    view->showTab(1);
    ui::DriftHeatmap *map = view->heatmap();
    REQUIRE(map->rowCount() == 3);
    REQUIRE(map->columnCount() >= 12);
    int bodyRow = -1;
    for (int r = 0; r < map->rowCount(); ++r)
        if (map->cellText(r, 0).startsWith("feature=body_length"))
            bodyRow = r;
    REQUIRE(bodyRow >= 0);
    double latestBody = std::nan("");
    for (int c = 0; c < map->columnCount(); ++c)
        if (std::isfinite(map->cellValue(bodyRow, c)))
            latestBody = map->cellValue(bodyRow, c);
    CHECK(latestBody > 0.2);
    view->heatmapScore()->setCurrentIndex(1); // Jensen-Shannon
    CHECK(map->scale().score == "Jensen-Shannon");
    CHECK(map->scale().drift == 0.1);
    view->heatmapScore()->setCurrentIndex(0);
    auto *list = window.findChild<QListWidget *>(QStringLiteral("dashboardList"));
    REQUIRE(list);
    list->setCurrentItem(list->findItems(QStringLiteral("Drift monitor"), Qt::MatchExactly).value(0));
    QTest::qWait(100);
    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    view->grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/drift-heatmap.png"));
    view->showTab(0);

    // B on body_length: its current window (after the drift) is the baseline
    // from now on, so it no longer drifts against it; the others keep theirs.
    table->setCurrentCell(rowOf(table, "body_length"), 0);
    table->setFocus();
    QTest::keyClick(table, Qt::Key_B);
    INFO(view->baselineStatus().toStdString());
    CHECK(view->baselineStatus().startsWith("Pinned the current window of feature=body_length as its baseline; saved to "));
    REQUIRE(QFile::exists(baselineFile));
    QString error;
    const QList<drift::PinnedBaseline> saved = drift::loadBaselines(baselineFile, &error);
    CHECK(error.isEmpty());
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].monitor == "spam inputs");
    CHECK(saved[0].labels == Labels{{"feature", "body_length"}});
    CHECK(saved[0].histogram.total > 0);
    CHECK(saved[0].windowMs == 2 * 60'000);
    REQUIRE(waitUntil([&] { return cellOf(table, "body_length", ui::DriftView::Reference).startsWith("pinned "); }, 20'000));
    CHECK(cellOf(table, "body_length", ui::DriftView::Verdict).startsWith("ok (PSI "));
    CHECK(cellOf(table, "link_count", ui::DriftView::Reference) == "reference window");

    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    view->grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/drift-view-pinned.png"));

    // Alt+B: back to the reference window, and the file says so.
    table->setCurrentCell(rowOf(table, "body_length"), 0);
    QTest::keyClick(table, Qt::Key_B, Qt::AltModifier);
    CHECK(view->baselineStatus().startsWith("feature=body_length is compared against its reference window again"));
    CHECK(drift::loadBaselines(baselineFile, &error).isEmpty());
    REQUIRE(waitUntil([&] { return cellOf(table, "body_length", ui::DriftView::Reference) == "reference window"; }, 20'000));
    CHECK(cellOf(table, "body_length", ui::DriftView::Verdict).startsWith("drift (PSI "));

    // Shift+B pins all three; a new window on the same workspace loads them.
    QTest::keyClick(table, Qt::Key_B, Qt::ShiftModifier);
    CHECK(view->baselineStatus().startsWith("Pinned the current windows of 3 features as their baselines"));
    CHECK(drift::loadBaselines(baselineFile, &error).size() == 3);
    Session again;
    again.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(again.open(ws).isEmpty());
    ui::DriftView reopened(&again);
    CHECK(reopened.baselines().size() == 3);
    CHECK(reopened.baselineStatus().startsWith("3 pinned baseline(s) from "));
    REQUIRE(waitUntil([&] {
        return reopened.table()->rowCount() == 3
            && cellOf(reopened.table(), "body_length", ui::DriftView::Reference).startsWith("pinned ");
    }, 20'000));
}

namespace {
// Painted pixels are 8 bits a channel; the scale's colours are computed in float.
bool near(const QColor &a, const QColor &b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}
} // namespace

TEST_CASE("Drift heatmap: features by time, the worst score per interval, a scale and plain-text tips", "[ui][drift][heatmap]")
{
    const qint64 t0 = 1'700'000'000'000;
    const qint64 min = 60'000;
    QList<ui::DriftHeatmap::Row> rows;
    // Stable, drifting from minute 20, and a hostile label value with no data after minute 10.
    QList<Sample> stable, drifting, hostile;
    for (int m = 0; m < 30; ++m) {
        stable.append({t0 + m * min, 0.02 + 0.001 * (m % 3)});
        drifting.append({t0 + m * min, m < 20 ? 0.03 : 0.05 * (m - 18)});
        if (m < 10)
            hostile.append({t0 + m * min, 0.12});
    }
    drifting.append({t0 + 20 * min + 30'000, 0.9}); // a spike inside the bucket of minute 20
    rows.append({QStringLiteral("feature=link_count · spam inputs"), stable});
    rows.append({QStringLiteral("feature=body_length · spam inputs"), drifting});
    rows.append({QStringLiteral("feature=<b>bold</b> · spam inputs"), hostile});
    ui::DriftHeatmap map;
    map.resize(900, 200);
    map.show();
    map.setData(rows, t0, t0 + 30 * min, ui::DriftHeatmap::Scale{}, 30);
    QCoreApplication::processEvents();
    REQUIRE(map.rowCount() == 3);
    REQUIRE(map.columnCount() == 30);
    CHECK(map.cellValue(0, 0) == Approx(0.02));
    CHECK(map.cellValue(1, 19) == Approx(0.03));
    CHECK(map.cellValue(1, 21) == Approx(0.15));
    CHECK(map.cellValue(1, 20) == Approx(0.9)); // the largest in the interval, not the last
    CHECK(std::isnan(map.cellValue(2, 10)));
    CHECK(map.cellValue(2, 9) == Approx(0.12));
    // Colours on the scale: green below warning, amber at it, red at drift, grey without data.
    using H = ui::DriftHeatmap;
    const H::Scale psi;
    CHECK(H::colourFor(0.0, psi) == QColor(0x66, 0xbb, 0x6a));
    CHECK(H::colourFor(0.1, psi) == QColor(0xff, 0xca, 0x28));
    CHECK(H::colourFor(0.2, psi) == QColor(0xe5, 0x39, 0x35));
    CHECK(H::colourFor(0.4, psi) == QColor(0x8e, 0x1b, 0x1b));
    CHECK(H::colourFor(9.0, psi) == QColor(0x8e, 0x1b, 0x1b));
    CHECK(H::colourFor(std::nan(""), psi) == QColor(0xe0, 0xe0, 0xe0));
    // What is painted is what the cells say.
    const QImage img = map.grab().toImage();
    for (auto [r, c] : {std::pair{0, 0}, {1, 25}, {2, 5}, {2, 20}}) {
        const QPoint centre = map.cellRect(r, c).center();
        INFO("cell " << r << "," << c);
        CHECK(near(QColor(img.pixel(centre)), map.cellColour(r, c), 1));
    }
    const QRect legend = map.legendRect();
    REQUIRE(legend.width() > 100);
    CHECK(near(QColor(img.pixel(legend.left() + 1, legend.center().y())), H::colourFor(0.0, psi), 4));
    CHECK(QColor(img.pixel(legend.right() - 1, legend.center().y())).red() < 0xa0); // dark red at 2x drift
    // Tips: plain text with the feature, the interval and the score.
    const QString tip = map.toolTipAt(map.cellRect(1, 20).center());
    CHECK(tip == map.cellText(1, 20));
    CHECK(tip.startsWith("feature=body_length · spam inputs\n2023-11-14 22:33:20 to 22:34:20 UTC\nPSI 0.9 (drift"));
    CHECK(map.cellText(2, 20).endsWith("no PSI in this interval"));
    CHECK(map.cellText(2, 0).startsWith("feature=<b>bold</b>")); // as written
    CHECK(plainToolTip(map.cellText(2, 0)).contains("&lt;b&gt;bold&lt;/b&gt;")); // and never rendered as HTML
    CHECK(map.toolTipAt(QPoint(1, 1)).isEmpty());

    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    CHECK(map.grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/drift-heatmap-unit.png")));
}
