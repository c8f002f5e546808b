// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard grid offscreen, fed from its session's store directly (no
// connector): every change reaches its panel, however many panels change at once.
#include <catch2/catch.hpp>

#include "dashboard_view.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QCoreApplication>
#include <QDateTime>

using namespace vigil;
using namespace vigil::ui;

TEST_CASE("A refresh of every panel at once redraws every panel, spread over frames", "[ui][dashboard][issue7]")
{
    // Issue 7: redraws stop after DashboardView::kFrameBudgetMs per frame and
    // resume in the next one; none may be lost, whatever the budget cut.
    Session session;
    session.setRangeMs(15 * 60'000);
    DashboardDef def;
    def.name = QStringLiteral("Grid");
    def.columns = 4;
    constexpr int kPanels = 16;
    for (int p = 0; p < kPanels; ++p) {
        PanelDef pd;
        pd.title = QStringLiteral("panel %1").arg(p);
        pd.unit = QStringLiteral("short");
        pd.queries.append({QStringLiteral("x"), QStringLiteral("{{pod}}")});
        def.panels.append(pd);
    }
    DashboardView view(def, &session);
    view.resize(1600, 900);
    view.show();
    QCoreApplication::processEvents();

    for (int round = 1; round <= 2; ++round) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<SeriesData> batches;
        for (int p = 0; p < kPanels; ++p) {
            for (int s = 0; s < 3; ++s) {
                SeriesData sd{SeriesKey(Session::jobId(def.name, p, 0), {{"pod", QStringLiteral("p%1").arg(s)}}), {}};
                // Round 1: 50 samples per series; round 2: 50 more.
                for (int i = 0; i < 50; ++i)
                    sd.samples.append({now - 60'000 * round + i * 1000 + (round - 1) * 100, double(p + s + i)});
                batches.append(sd);
            }
        }
        session.store()->append(batches); // one poll's worth: every panel dirty at once
        const auto panels = view.panels();
        REQUIRE(test::waitUntil([&] {
            return std::all_of(panels.begin(), panels.end(), [&](ChartPanel *p) { return p->pointCount() == 3 * 50 * round; });
        }, 10'000));
        for (ChartPanel *p : panels) {
            INFO(p->definition().title.toStdString());
            CHECK(p->seriesCount() == 3);
            CHECK(p->pointCount() == 3 * 50 * round);
        }
    }
}

TEST_CASE("A minimized dashboard redraws nothing, and catches up when restored", "[ui][dashboard][issue7]")
{
    // Issue 7: minimized or hidden, no repaints at all. A minimized window's
    // widgets still report isVisible(), so the view checks the window state.
    Session session;
    session.setRangeMs(15 * 60'000);
    DashboardDef def;
    def.name = QStringLiteral("Min");
    PanelDef pd;
    pd.title = QStringLiteral("p99");
    pd.queries.append({QStringLiteral("x"), QString()});
    def.panels.append(pd);
    DashboardView view(def, &session);
    view.resize(800, 500);
    view.show();
    QCoreApplication::processEvents();
    ChartPanel *panel = view.panels().first();
    const SeriesKey key(Session::jobId(def.name, 0, 0));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    session.store()->append(key, {{now - 2000, 1.0}});
    REQUIRE(test::waitUntil([&] { return panel->pointCount() == 1; }, 5000));

    view.showMinimized();
    QCoreApplication::processEvents();
    REQUIRE(view.isMinimized());
    session.store()->append(key, {{now - 1000, 2.0}});
    test::waitUntil([] { return false; }, 300); // frames pass; nothing may be redrawn
    CHECK(panel->pointCount() == 1);

    view.showNormal();
    CHECK(test::waitUntil([&] { return panel->pointCount() == 2; }, 5000));
}
