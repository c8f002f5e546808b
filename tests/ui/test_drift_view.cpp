// SPDX-License-Identifier: GPL-3.0-or-later
// The drift monitor view offscreen on the in-process demo fleet: one row per
// feature with its scores and verdict, the selected feature's two histograms.
#include <catch2/catch.hpp>

#include "drift_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QDir>
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
