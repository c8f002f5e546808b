// SPDX-License-Identifier: GPL-3.0-or-later
// Start from what the user has, against the real thing: a Prometheus 2.42 and
// a VictoriaMetrics 1.79 scraping the demo fleet. Discovery lists the fleet's
// metrics with types and labels; the proposed dashboard's queries all run;
// `vigil dashboard` adds a proposed and an imported Grafana dashboard to a
// workspace file that still loads.
#include <catch2/catch.hpp>

#include "sources/connector.h"
#include "sources/metric_discovery.h"
#include "support/test_stack.h"
#include "workspace/dashboard_proposal.h"

#include <QCoreApplication>
#include <QFile>
#include <QPluginLoader>
#include <QProcess>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

namespace {

std::unique_ptr<Connector> connectTo(const QUrl &url)
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-prometheus.so"));
    auto *plugin = qobject_cast<ConnectorPlugin *>(loader.instance());
    INFO(loader.errorString().toStdString());
    REQUIRE(plugin);
    ConnectionSettings s;
    s.name = QStringLiteral("prom");
    s.kind = QStringLiteral("prometheus");
    s.url = url;
    std::unique_ptr<Connector> c(plugin->createConnector(s, nullptr));
    REQUIRE(c);
    return c;
}

struct Stack
{
    TestStack stack;
    QUrl fleet, prometheus, victoria;
};

Stack &shared()
{
    static std::unique_ptr<Stack> s;
    if (!s) {
        auto fresh = std::make_unique<Stack>();
        fresh->fleet = fresh->stack.startDemoFleet(60.0);
        fresh->prometheus = fresh->stack.startPrometheus({fresh->fleet}, 1000);
        fresh->victoria = fresh->stack.startVictoriaMetrics({fresh->fleet}, 1000);
        // Two whole scrapes on each server before any discovery. A server
        // creates a scrape's series one by one as it appends them, before
        // the scrape is committed: a listing during the first scrape holds
        // some of the fleet's names but not the rest, nor `up` and
        // `scrape_*`, which come last. A rate with a value needs a second
        // scrape, so by then the first one is whole.
        for (const QUrl &server : {fresh->prometheus, fresh->victoria}) {
            const QUrl rate(server.toString() + QStringLiteral("/api/v1/query?query=count(rate(model_requests_total[10s]))"));
            REQUIRE(waitUntil([&] { return httpGet(rate).body.contains("\"value\""); }, 30'000));
        }
        s = std::move(fresh);
        qAddPostRoutine([] { s.reset(); });
    }
    return *s;
}

// Discovery once the server has scraped the fleet: the latency histogram
// with its labels and, where the server keeps metric metadata (Prometheus,
// not VictoriaMetrics), that metadata too. Prometheus fills its metadata from
// the scrape cache, a moment after the first samples are queryable; before
// that, gauges cannot be typed from their names and drop out of the catalog.
MetricCatalog discoverWhenScraped(Connector &c, bool withMetadata = true)
{
    auto *discovery = qobject_cast<MetricDiscovery *>(&c);
    REQUIRE(discovery);
    MetricCatalog catalog;
    waitUntil([&] {
        catalog = await(discovery->discoverMetrics(40));
        if (withMetadata && !catalog.notes.isEmpty())
            return false;
        for (const MetricInfo &m : catalog.metrics)
            if (m.name == QLatin1String("model_request_duration_seconds") && m.labels.contains(QLatin1String("version")))
                return true;
        return false;
    }, 30'000);
    INFO(catalog.message.toStdString());
    REQUIRE(catalog.ok());
    return catalog;
}

const MetricInfo *find(const MetricCatalog &c, const QString &name)
{
    for (const MetricInfo &m : c.metrics)
        if (m.name == name)
            return &m;
    return nullptr;
}

// Every query of the dashboard, run once as an instant query: how many the server rejected, and why.
QStringList rejected(Connector &c, const DashboardDef &d)
{
    QStringList out;
    for (const PanelDef &p : d.panels) {
        for (const PanelQuery &q : p.queries) {
            QueryRequest r;
            r.id = QStringLiteral("q");
            r.expr = q.expr;
            r.kind = QueryKind::Instant;
            const QueryResult result = await(c.query(r));
            if (!result.ok())
                out.append(p.title + QStringLiteral(": ") + result.message);
        }
    }
    return out;
}

struct Run
{
    int exitCode = -1;
    QString out, err;
};

Run runVigil(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("VIGIL_PLUGIN_PATH"), QStringLiteral(VIGIL_PLUGIN_DIR));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"), args);
    REQUIRE(p.waitForFinished(60'000));
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

TEST_CASE("Discovery on Prometheus: the fleet's metrics with their types and labels, internal ones left out",
          "[plugins][discovery][prometheus]")
{
    auto c = connectTo(shared().prometheus);
    const MetricCatalog catalog = discoverWhenScraped(*c);
    CHECK(catalog.namesSeen > int(catalog.metrics.size()));
    CHECK(catalog.skippedInternal > 0); // up, scrape_* at least
    CHECK(catalog.notes.isEmpty());     // Prometheus has metadata
    const MetricInfo *latency = find(catalog, "model_request_duration_seconds");
    REQUIRE(latency);
    CHECK(latency->type == "histogram");
    CHECK(latency->labels.contains("model"));
    CHECK_FALSE(latency->labels.contains("le"));
    const MetricInfo *requests = find(catalog, "model_requests_total");
    REQUIRE(requests);
    CHECK(requests->type == "counter");
    CHECK_FALSE(requests->help.isEmpty());
    const MetricInfo *quality = find(catalog, "model_quality");
    REQUIRE(quality);
    CHECK(quality->type == "gauge");
    CHECK_FALSE(find(catalog, "model_request_duration_seconds_count"));
    CHECK_FALSE(find(catalog, "up"));
    // Histograms come first.
    CHECK(catalog.metrics.first().type == "histogram");
}

TEST_CASE("A dashboard proposed from Prometheus groups by model and version and every query runs",
          "[plugins][discovery][prometheus]")
{
    auto c = connectTo(shared().prometheus);
    const ProposedDashboard p = proposeDashboard("Fleet (proposed)", "prom", discoverWhenScraped(*c).metrics);
    REQUIRE(p.dashboard.panels.size() >= 6);
    CHECK(p.notes.first().contains("model, version"));
    CHECK(p.dashboard.panels.first().queries.size() == 3);
    CHECK(p.dashboard.panels.first().queries.first().expr.contains("by (le, model, version)"));
    const QStringList bad = rejected(*c, p.dashboard);
    INFO(bad.join('\n').toStdString());
    CHECK(bad.isEmpty());
}

TEST_CASE("Discovery on VictoriaMetrics works too", "[plugins][discovery][victoriametrics]")
{
    auto c = connectTo(shared().victoria);
    const MetricCatalog catalog = discoverWhenScraped(*c, false); // VictoriaMetrics keeps no metadata
    const MetricInfo *latency = find(catalog, "model_request_duration_seconds");
    REQUIRE(latency);
    CHECK(latency->type == "histogram");
    const ProposedDashboard p = proposeDashboard("VM", "prom", catalog.metrics);
    const QStringList bad = rejected(*c, p.dashboard);
    INFO(bad.join('\n').toStdString());
    CHECK(bad.isEmpty());
}

TEST_CASE("The imported Grafana dashboard's queries all run on Prometheus",
          "[plugins][grafana][prometheus]")
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/grafana/model-serving.json"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    const GrafanaImport g = importGrafanaDashboard(f.readAll(), "prom", "model-serving.json");
    REQUIRE(g.ok());
    auto c = connectTo(shared().prometheus);
    discoverWhenScraped(*c);
    // Including the one with the undefined $node: a valid regular expression
    // that matches nothing, which the import's notes point out.
    const QStringList bad = rejected(*c, g.dashboard);
    INFO(bad.join('\n').toStdString());
    CHECK(bad.isEmpty());
}

TEST_CASE("vigil dashboard propose --write and import-grafana --write add dashboards to the workspace file",
          "[plugins][discovery][grafana][cli]")
{
    auto c = connectTo(shared().prometheus);
    discoverWhenScraped(*c);
    QTemporaryDir dir;
    const QString path = dir.filePath("team.yaml");
    const QByteArray original = QStringLiteral("# the team's workspace\nconnections:\n  prom: { kind: prometheus, url: \"%1\" }  # local\n"
                                               "dashboards: []\n").arg(shared().prometheus.toString()).toUtf8();
    {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(original);
    }
    const Run dry = runVigil({"dashboard", "propose", "--workspace", path});
    INFO(dry.err.toStdString());
    REQUIRE(dry.exitCode == 0);
    CHECK(dry.out.contains("  - name: \"prom (proposed)\""));
    CHECK(dry.err.contains("note: grouped by"));

    const Run write = runVigil({"dashboard", "propose", "--workspace", path, "--write", "--name", "Fleet"});
    INFO(write.err.toStdString());
    REQUIRE(write.exitCode == 0);
    CHECK(write.out.startsWith("added dashboard 'Fleet' ("));
    const Run import = runVigil({"dashboard", "import-grafana", VIGIL_SOURCE_DIR "/tests/fixtures/grafana/model-serving.json",
                              "--workspace", path, "--write"});
    INFO(import.err.toStdString());
    REQUIRE(import.exitCode == 0);
    CHECK(import.err.contains("skipped: panel 'Serving logs' (logs): Vigil has no logs panel"));
    CHECK(import.out.startsWith("added dashboard 'Model serving' (5 panels)"));

    const Workspace ws = loadWorkspace(path);
    INFO(ws.errorMessages().join('\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.dashboards.size() == 2);
    CHECK(ws.dashboard("Fleet"));
    CHECK(ws.dashboard("Model serving")->panels.size() == 5);
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    CHECK(f.readAll().startsWith("# the team's workspace\nconnections:\n  prom: { kind: prometheus, url: \""));

    const Run again = runVigil({"dashboard", "propose", "--workspace", path, "--write", "--name", "Fleet"});
    CHECK(again.out.startsWith("added dashboard 'Fleet (2)'"));
    const Run usage = runVigil({"dashboard", "frobnicate"});
    CHECK(usage.exitCode == 2);
    CHECK(usage.err.contains("say what to do: propose or import-grafana"));
    const Run missing = runVigil({"dashboard", "import-grafana", dir.filePath("nope.json"), "--workspace", path});
    CHECK(missing.exitCode == 1);
    CHECK(missing.err.contains("cannot read " + dir.filePath("nope.json")));
}
