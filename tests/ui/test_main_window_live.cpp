// SPDX-License-Identifier: GPL-3.0-or-later
// The main window offscreen against a real Prometheus scraping the demo fleet.
#include <catch2/catch.hpp>

#include "dashboard_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>

using namespace vigil;
using namespace vigil::test;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

Workspace demoWorkspace(const QUrl &prometheus)
{
    qputenv("PROMETHEUS_URL", prometheus.toString().toUtf8());
    qputenv("VIGIL_DEMO_KIND", "prometheus");
    Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    qunsetenv("PROMETHEUS_URL");
    qunsetenv("VIGIL_DEMO_KIND");
    return ws;
}

struct LiveStack
{
    TestStack stack;
    QUrl prometheus;
    LiveStack()
    {
        const QUrl fleet = stack.startDemoFleet(60.0);
        prometheus = stack.startPrometheus({fleet}, 1000);
    }
};

} // namespace

TEST_CASE("Main window shows the demo dashboard with live data from a real Prometheus", "[ui][live]")
{
    LiveStack live;
    Workspace ws = demoWorkspace(live.prometheus);
    REQUIRE_FALSE(ws.hasErrors());
    // A one-minute window, so the screenshot after ~30 s of scraping shows lines, not dots.
    ws.rangeMs = 60'000;

    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.plugins().hasKind("prometheus"));
    REQUIRE(session.open(ws).isEmpty());

    ui::MainWindow window(&session, {});
    window.resize(1600, 1000);
    window.show();
    ui::DashboardView *view = window.currentDashboard();
    REQUIRE(view);
    CHECK(view->name() == "Fleet overview");
    REQUIRE(view->panels().size() == 4);

    const bool complete = waitUntil([&] { return view->allPanelsHaveData(); }, 60'000);
    for (const ui::ChartPanel *p : view->panels()) {
        INFO(p->definition().title.toStdString() << ": " << p->stateText().toStdString());
        CHECK(p->hasData());
        CHECK(p->state() == ui::ChartPanel::State::Ok);
    }
    REQUIRE(complete);
    // Two models with two versions each: four latency lines, named from the legend template.
    CHECK(view->panels()[0]->legendNames()
          == QStringList{"fraud-detector v12", "fraud-detector v13", "spam-filter v7", "spam-filter v8"});
    CHECK(window.healthText("prom").startsWith("● prom: ok"));

    // Let half the window fill (the fleet runs 60x, so that is half an hour of
    // scenario: the canary's latency climbs), then take the picture.
    const SeriesKey anyKey = session.store()->keysNamed(view->panels()[0]->jobIds().first()).value(0);
    REQUIRE(waitUntil([&] {
        const auto s = session.store()->range(anyKey, 0, std::numeric_limits<qint64>::max());
        return s.size() >= 2 && s.last().t - s.first().t >= 30'000;
    }, 60'000));
    view->redrawAll();
    CHECK(view->panels()[0]->pointCount() >= 4 * 10);

    const QString out = screenshotDir() + QStringLiteral("/dashboard-fleet-overview.png");
    REQUIRE(window.grab().save(out, "PNG"));
    const QImage img(out);
    CHECK(img.width() >= 1600);
    CHECK(img.height() >= 1000);
}

TEST_CASE("Switching dashboards polls the new one and the time range reaches the queries", "[ui][live]")
{
    LiveStack live;
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    session.open(demoWorkspace(live.prometheus));
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    REQUIRE(window.showDashboard("Fraud detector"));
    CHECK(session.activeDashboard() == "Fraud detector");
    ui::DashboardView *view = window.currentDashboard();
    REQUIRE(view->name() == "Fraud detector");
    REQUIRE(waitUntil([&] { return view->allPanelsHaveData(); }, 60'000));
    // p50/p95/p99 for two versions.
    CHECK(view->panels()[0]->seriesCount() == 6);
    REQUIRE(window.grab().save(screenshotDir() + "/dashboard-fraud-detector.png", "PNG"));
}

TEST_CASE("A rejected query and a dead connection show their reasons in the window", "[ui][live][errors]")
{
    LiveStack live;
    const quint16 deadPort = freeLoopbackPort();
    const QByteArray yaml = QStringLiteral(R"(connections:
  prom: { kind: prometheus, url: "%1" }
  dead: { kind: prometheus, url: "http://127.0.0.1:%2", timeout: 2s }
dashboards:
  - name: Broken
    panels:
      - title: Bad PromQL
        query: sum(rate(model_requests_total[1m])
      - title: Dead server
        connection: dead
        query: up
      - title: Fine
        query: sum(rate(model_requests_total[1m]))
)").arg(live.prometheus.toString()).arg(deadPort).toUtf8();
    const Workspace ws = parseWorkspace(yaml, "broken.yaml");
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    session.open(ws);
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    ui::DashboardView *view = window.currentDashboard();
    auto panels = view->panels();
    REQUIRE(panels.size() == 3);
    REQUIRE(waitUntil([&] {
        return panels[0]->state() == ui::ChartPanel::State::Error && panels[1]->state() == ui::ChartPanel::State::Error
            && panels[2]->hasData();
    }, 30'000));
    INFO(panels[0]->stateText().toStdString());
    CHECK(panels[0]->stateText().contains("parse error"));
    INFO(panels[1]->stateText().toStdString());
    CHECK(panels[1]->stateText().contains(QString::number(deadPort)));
    REQUIRE(waitUntil([&] { return window.healthText("dead").contains("down"); }, 10'000));
    CHECK(window.healthText("prom").contains("ok")); // a rejected query is not the connection's fault
    REQUIRE(window.grab().save(screenshotDir() + "/dashboard-errors.png", "PNG"));
}

TEST_CASE("vigil screenshot renders a dashboard once data has arrived", "[ui][live][cli]")
{
    LiveStack live;
    const QString out = screenshotDir() + QStringLiteral("/cli-fleet-overview.png");
    QFile::remove(out);
    QProcess vigil;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PROMETHEUS_URL", live.prometheus.toString());
    env.insert("VIGIL_DEMO_KIND", "prometheus");
    env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
    env.insert("XDG_STATE_HOME", live.stack.dir() + "/state");
    vigil.setProcessEnvironment(env);
    vigil.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"),
                {"screenshot", "--workspace", VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml", "--view",
                 "dashboard:Fleet overview", "-o", out, "--timeout", "60s"});
    REQUIRE(vigil.waitForStarted(10'000));
    REQUIRE(waitUntil([&] { return vigil.state() == QProcess::NotRunning; }, 90'000));
    INFO(vigil.readAllStandardError().toStdString());
    CHECK(vigil.exitStatus() == QProcess::NormalExit);
    CHECK(vigil.exitCode() == 0);
    CHECK(QImage(out).width() == 1600);
}

TEST_CASE("vigil screenshot exits non-zero when data never comes", "[ui][cli][errors]")
{
    TestStack stack;
    const QString out = screenshotDir() + QStringLiteral("/cli-no-data.png");
    QProcess vigil;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PROMETHEUS_URL", QStringLiteral("http://127.0.0.1:%1").arg(freeLoopbackPort()));
    env.insert("VIGIL_DEMO_KIND", "prometheus");
    env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
    env.insert("XDG_STATE_HOME", stack.dir() + "/state");
    vigil.setProcessEnvironment(env);
    vigil.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"),
                {"screenshot", "--workspace", VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml", "--view",
                 "dashboard:Fleet overview", "-o", out, "--timeout", "3s"});
    REQUIRE(waitUntil([&] { return vigil.state() == QProcess::NotRunning; }, 30'000));
    const QString err = QString::fromUtf8(vigil.readAllStandardError());
    INFO(err.toStdString());
    CHECK(vigil.exitCode() == 2);
    CHECK(err.contains("these panels had no data"));
    CHECK(err.contains("connection refused"));
}
