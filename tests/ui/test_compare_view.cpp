// SPDX-License-Identifier: GPL-3.0-or-later
// The compare view (issue 5, item 3) on the demo fleet: its MLflow registry
// and its metrics scraped by a real Prometheus, read by the real plugins.
// The canary (fraud-detector v13) slows down from simulated minute 3, so the
// judge must fail it while its offline metrics are better. Writes
// build/screenshots/compare-fraud-detector.png.
#include <catch2/catch.hpp>

#include "compare/compare_loader.h"
#include "compare_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/plugins.h"
#include "support/test_stack.h"

#include <QChartView>
#include <QDateTime>
#include <QLineSeries>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QLabel>
#include <QLineEdit>
#include <QPluginLoader>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace vigil;
using namespace vigil::compare;
using namespace vigil::test;

namespace {


ModelDef fraudDetector()
{
    ModelDef m;
    m.name = QStringLiteral("fraud-detector");
    m.registry = QStringLiteral("mlflow");
    m.metrics = QStringLiteral("prometheus");
    m.versionValue = QStringLiteral("v{{version}}"); // the fleet labels series version="v13"
    // 2 s steps (scrapes every 1 s) so the test needs half a minute, not ten.
    m.intervalMs = 2'000;
    return m;
}

} // namespace

TEST_CASE("Compare view on the demo fleet: versions, deltas and a failing canary verdict", "[ui][compare]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl prometheus = stack.startPrometheus({fleet}, 1000);
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    auto registry = connectorFor(QStringLiteral("mlflow"), fleet, 5'000);
    auto metrics = connectorFor(QStringLiteral("prometheus"), prometheus, 5'000);

    ui::CompareView view(QStringLiteral("fraud-detector"));
    view.resize(1500, 1250);
    view.setRefs({QStringLiteral("champion"), QStringLiteral("challenger")});
    CHECK(view.refs() == QStringList{"champion", "challenger"});
    CompareLoader loader(registry.get(), metrics.get());
    QObject::connect(&loader, &CompareLoader::finished, &view, &ui::CompareView::setSnapshot);
    // The user's request goes to the loader, as the main window wires it.
    CompareRequest request;
    request.model = fraudDetector();
    QObject::connect(&view, &ui::CompareView::compareRequested, &loader, [&](const QStringList &refs) {
        request.refs = refs;
        request.endMs = QDateTime::currentMSecsSinceEpoch();
        // From 10 s in: the canary has slowed down by then (simulated minute 7).
        request.startMs = started + 10'000;
        loader.load(request);
    });

    // 32 s of scrapes after the first 10: 16 two-second intervals a side.
    waitUntil([&] { return QDateTime::currentMSecsSinceEpoch() - started > 42'000; }, 60'000);
    QSignalSpy spy(&loader, &CompareLoader::finished);
    auto *refs = view.findChild<QLineEdit *>(QStringLiteral("compareRefs"));
    REQUIRE(refs);
    QTest::keyClick(refs, Qt::Key_Return);
    REQUIRE(waitUntil([&] { return spy.count() > 0; }, 20'000));

    const CompareSnapshot &s = view.snapshot();
    REQUIRE(s.error.isEmpty());
    REQUIRE(s.columns.size() == 2);
    INFO(s.columns[0].version.message.toStdString() << s.columns[1].version.message.toStdString());
    REQUIRE(s.columns[0].version.ok());
    REQUIRE(s.columns[1].version.ok());
    CHECK(s.columns[0].version.value.version == "12");
    CHECK(s.columns[1].version.value.version == "13");
    for (const VersionColumn &c : s.columns) {
        INFO(c.run.message.toStdString());
        CHECK(c.run.ok());
        for (const LiveValues &lv : c.live) {
            INFO(lv.key.toStdString() << ": " << lv.error.toStdString() << " from " << lv.query.toStdString());
            CHECK(lv.values.size() >= 10);
        }
    }

    const QTableWidget *table = view.table();
    CHECK(table->columnCount() == 3);
    CHECK(table->horizontalHeaderItem(1)->text().startsWith(QStringLiteral("version 12 (champion)")));
    CHECK(table->horizontalHeaderItem(2)->text().startsWith(QStringLiteral("version 13 (challenger)")));
    // Registry facts.
    const int stage = view.rowOf(QStringLiteral("stage"));
    REQUIRE(stage >= 0);
    CHECK(table->item(stage, 1)->text() == "Production");
    CHECK(table->item(stage, 2)->text() == "Staging");
    // Params: differences highlighted, equal ones not.
    const int lr = view.rowOf(QStringLiteral("learning_rate"));
    const int seed = view.rowOf(QStringLiteral("seed"));
    REQUIRE(lr >= 0);
    REQUIRE(seed >= 0);
    CHECK(ui::CompareView::cellTone(table, lr, 2) == "differs");
    CHECK(ui::CompareView::cellTone(table, seed, 2).isEmpty());
    // Offline: the challenger's f1 is better, its training time worse.
    const int f1 = view.rowOf(QStringLiteral("f1"));
    REQUIRE(f1 >= 0);
    CHECK(table->item(f1, 2)->text().contains(QStringLiteral("+0.012")));
    CHECK(ui::CompareView::cellTone(table, f1, 2) == "better");
    // Live: the canary's p99 is worse.
    const int p99 = view.rowOf(QStringLiteral("p99 latency"));
    REQUIRE(p99 >= 0);
    CHECK(ui::CompareView::cellTone(table, p99, 2) == "worse");
    // The verdict, with evidence per metric.
    REQUIRE(s.verdicts.size() == 1);
    INFO(s.verdicts.first().reason.toStdString());
    CHECK(s.verdicts.first().verdict == Verdict::Fail);
    const int verdict = view.rowOf(QStringLiteral("verdict"));
    REQUIRE(verdict >= 0);
    CHECK(table->item(verdict, 2)->text().startsWith(QStringLiteral("FAIL")));
    const int p99Judge = view.rowOf(QStringLiteral("p99 latency (judge)"));
    REQUIRE(p99Judge >= 0);
    CHECK(table->item(p99Judge, 2)->text().startsWith(QStringLiteral("high: p")));
    CHECK(view.rowOf(QStringLiteral("requests/s (judge)")) == -1); // shown, not judged
    CHECK(s.verdicts.first().metrics.size() == 4);
    CHECK(view.summary()->text().contains(QStringLiteral("FAIL")));
    // What decides comes first: the verdict and its evidence, the live metrics,
    // the offline ones, then the registry and the run's params.
    CHECK(verdict < p99Judge);
    CHECK(p99Judge < p99);
    CHECK(p99 < f1);
    CHECK(f1 < stage);
    CHECK(stage < lr);

    // Below the table: the live metrics overlaid, a line per version.
    REQUIRE(view.charts().size() == 5);
    auto *p99Chart = qobject_cast<QChartView *>(view.charts()[2]);
    REQUIRE(p99Chart);
    REQUIRE(p99Chart->chart()->series().size() == 2);
    for (QAbstractSeries *line : p99Chart->chart()->series())
        CHECK(static_cast<QLineSeries *>(line)->count() >= 10);
    CHECK(p99Chart->chart()->series()[1]->name() == "13 challenger");

    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    REQUIRE(view.grab().save(dir + QStringLiteral("/compare-fraud-detector.png"), "PNG"));
}

TEST_CASE("Compare view: a missing alias and a missing registry show in their cells, the rest works", "[ui][compare]")
{
    // Built by hand: the loader's failures as the view receives them.
    CompareSnapshot s;
    s.model = QStringLiteral("fraud-detector");
    s.startMs = 1'700'000'000'000;
    s.endMs = s.startMs + 15 * 60'000;
    s.stepMs = 60'000;
    VersionColumn base;
    base.ref = QStringLiteral("12");
    base.version.value.version = QStringLiteral("12");
    base.version.value.stage = QStringLiteral("Production");
    base.run = Result<Run>::failure(ErrorKind::Server, QStringLiteral("run abc no longer exists in MLflow (deleted?)"));
    VersionColumn canary;
    canary.ref = QStringLiteral("canary");
    canary.version = Result<ModelVersion>::failure(ErrorKind::Server, QStringLiteral("no alias \"canary\" on model \"fraud-detector\""));
    canary.version.notFound = true;
    s.columns = {base, canary};
    s.verdicts = {judgeCanary(canaryInputs(base, canary))};

    ui::CompareView view(QStringLiteral("fraud-detector"));
    view.resize(1200, 800);
    view.setSnapshot(s);
    const QTableWidget *table = view.table();
    const int version = view.rowOf(QStringLiteral("version"));
    REQUIRE(version >= 0);
    CHECK(table->item(version, 2)->text() == "no alias \"canary\" on model \"fraud-detector\"");
    CHECK(table->item(view.rowOf(QStringLiteral("run")), 1)->text().contains(QStringLiteral("deleted")));
    CHECK(table->item(view.rowOf(QStringLiteral("stage")), 1)->text() == "Production");
    CHECK(table->item(view.rowOf(QStringLiteral("verdict")), 2)->text().startsWith(QStringLiteral("NOT ENOUGH DATA")));

    CompareSnapshot broken;
    broken.model = QStringLiteral("fraud-detector");
    broken.error = QStringLiteral("model 'fraud-detector' has no registry connection (set 'registry:' under models)");
    view.setSnapshot(broken);
    CHECK(view.summary()->text() == broken.error);
}

TEST_CASE("Main window: the demo workspace's models get a Compare entry that compares champion and challenger",
          "[ui][compare]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl prometheus = stack.startPrometheus({fleet}, 1000);
    qputenv("PROMETHEUS_URL", prometheus.toString().toUtf8());
    qputenv("VIGIL_DEMO_KIND", "prometheus");
    qputenv("VIGIL_REGISTRY_URL", fleet.toString().toUtf8());
    Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    qunsetenv("PROMETHEUS_URL");
    qunsetenv("VIGIL_DEMO_KIND");
    qunsetenv("VIGIL_REGISTRY_URL");
    INFO(ws.errorMessages().join(u'\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.models.size() == 2);
    ws.rangeMs = 60'000;

    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 900);
    window.show();
    ui::CompareView *view = window.compareView(QStringLiteral("spam-filter"));
    REQUIRE(view);
    CHECK(view->refs() == QStringList{"champion", "challenger"});
    // Opening the entry starts the comparison, in the compare session's thread.
    REQUIRE(window.showCompare(QStringLiteral("spam-filter")));
    REQUIRE(waitUntil([&] { return view->hasSnapshot(); }, 20'000));
    const CompareSnapshot &s = view->snapshot();
    INFO(s.error.toStdString());
    REQUIRE(s.columns.size() == 2);
    CHECK(s.columns[0].version.value.version == "7");
    CHECK(s.columns[1].version.value.version == "8");
    CHECK(s.columns[1].run.ok());
    // Seconds after start a one-minute step has no intervals yet: not enough data, never a pass.
    REQUIRE(s.verdicts.size() == 1);
    CHECK(s.verdicts.first().verdict == Verdict::NotEnoughData);
}

TEST_CASE("Main window: with make demo's backfilled history the demo workspace fails the fraud-detector canary at once",
          "[ui][compare][backfill]")
{
    // As demo/run-demo.sh starts it: the fleet with 22 minutes of history,
    // promtool backfilling it into Prometheus, the demo workspace as shipped.
    TestStack stack;
    const QString history = stack.dir() + QStringLiteral("/history.om");
    const QUrl fleet = stack.startDemoFleet(1.0, {"--history", "1320", "--history-file", history, "--history-job", "fleet"});
    TestStack::PrometheusRules backfill;
    backfill.backfill = history;
    const QUrl prometheus = stack.startPrometheus({fleet}, 1000, backfill);
    qputenv("PROMETHEUS_URL", prometheus.toString().toUtf8());
    qputenv("VIGIL_DEMO_KIND", "prometheus");
    qputenv("VIGIL_REGISTRY_URL", fleet.toString().toUtf8());
    Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    qunsetenv("PROMETHEUS_URL");
    qunsetenv("VIGIL_DEMO_KIND");
    qunsetenv("VIGIL_REGISTRY_URL");
    INFO(ws.errorMessages().join(u'\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());

    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1600, 1000);
    window.show();
    REQUIRE(window.showCompare(QStringLiteral("fraud-detector")));
    ui::CompareView *view = window.compareView(QStringLiteral("fraud-detector"));
    REQUIRE(view);
    REQUIRE(waitUntil([&] { return view->hasSnapshot(); }, 20'000));
    const CompareSnapshot &s = view->snapshot();
    INFO(s.error.toStdString());
    REQUIRE(s.columns.size() == 2);
    CHECK(s.stepMs == 60'000); // the workspace's default interval
    REQUIRE(s.verdicts.size() == 1);
    INFO(s.verdicts.first().reason.toStdString());
    CHECK(s.verdicts.first().verdict == Verdict::Fail);
    CHECK(view->summary()->text().contains(QStringLiteral("FAIL")));
    // The five live charts are on screen at once, side by side and of one
    // width (they used to come back at no height after the first compare).
    const auto charts = view->findChildren<QChartView *>();
    REQUIRE(charts.size() == 5);
    for (const QChartView *c : charts) {
        INFO(c->objectName().toStdString());
        CHECK(c->isVisible());
        CHECK(c->height() >= 200);
        CHECK(std::abs(c->width() - charts.first()->width()) <= 2);
    }
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    REQUIRE(window.grab().save(dir + QStringLiteral("/compare-demo-backfilled.png"), "PNG"));
}

TEST_CASE("vigil screenshot renders the compare view of a model, and names the models it has", "[ui][compare][cli]")
{
    // The registry from a running fleet; the live metrics from the in-process
    // demo fleet (kind demo), which has the past fifteen minutes at once.
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    const QString out = dir + QStringLiteral("/compare-cli-fraud-detector.png");
    QFile::remove(out);
    const auto run = [&](const QString &view) {
        auto vigil = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("VIGIL_DEMO_KIND", "demo");
        env.insert("VIGIL_REGISTRY_URL", fleet.toString());
        env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
        env.insert("XDG_STATE_HOME", stack.dir() + "/state");
        vigil->setProcessEnvironment(env);
        vigil->start(QStringLiteral(VIGIL_BIN_DIR "/vigil"),
                     {"screenshot", "--workspace", VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml", "--view", view,
                      "-o", out, "--timeout", "30s"});
        REQUIRE(vigil->waitForStarted(10'000));
        REQUIRE(waitUntil([&] { return vigil->state() == QProcess::NotRunning; }, 60'000));
        return vigil;
    };
    const auto ok = run(QStringLiteral("compare:fraud-detector:champion,challenger"));
    INFO(ok->readAllStandardError().toStdString());
    CHECK(ok->exitCode() == 0);
    CHECK(QString::fromUtf8(ok->readAllStandardOutput()).contains(QStringLiteral("wrote ")));
    CHECK(QImage(out).width() == 1600);

    const auto unknown = run(QStringLiteral("compare:fraud"));
    const QString err = QString::fromUtf8(unknown->readAllStandardError());
    INFO(err.toStdString());
    CHECK(unknown->exitCode() == 1);
    CHECK(err.contains(QStringLiteral("no model named 'fraud' under 'models:'")));
    CHECK(err.contains(QStringLiteral("fraud-detector, spam-filter")));
}
