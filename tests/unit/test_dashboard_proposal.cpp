// SPDX-License-Identifier: GPL-3.0-or-later
// Start from what the user has: a dashboard proposed from a connection's
// metrics, a Grafana dashboard export imported, and both written back as YAML
// the workspace parser reads to the same meaning.
#include <catch2/catch.hpp>

#include "workspace/dashboard_proposal.h"

#include <QFile>

using namespace vigil;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/grafana/") + QLatin1String(name));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

const PanelDef *panelTitled(const DashboardDef &d, const QString &title)
{
    for (const PanelDef &p : d.panels)
        if (p.title == title)
            return &p;
    return nullptr;
}

// Wraps one dashboard's YAML into a workspace and parses it back.
Workspace roundTrip(const DashboardDef &d)
{
    const QString yaml = QStringLiteral("connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n"
                                        "dashboards:\n")
                       + dashboardToYaml(d);
    return parseWorkspace(yaml.toUtf8(), QStringLiteral("/tmp/ws/imported.yaml"));
}

void checkSameMeaning(const DashboardDef &a, const DashboardDef &b)
{
    CHECK(a.name == b.name);
    CHECK(a.columns == b.columns);
    REQUIRE(a.panels.size() == b.panels.size());
    for (qsizetype i = 0; i < a.panels.size(); ++i) {
        INFO("panel " << a.panels[i].title.toStdString());
        CHECK(a.panels[i].title == b.panels[i].title);
        CHECK(a.panels[i].unit == b.panels[i].unit);
        CHECK(a.panels[i].connection == b.panels[i].connection);
        CHECK(a.panels[i].description == b.panels[i].description);
        CHECK(a.panels[i].thresholds == b.panels[i].thresholds);
        REQUIRE(a.panels[i].queries.size() == b.panels[i].queries.size());
        for (qsizetype q = 0; q < a.panels[i].queries.size(); ++q) {
            CHECK(a.panels[i].queries[q].expr == b.panels[i].queries[q].expr);
            CHECK(a.panels[i].queries[q].legend == b.panels[i].queries[q].legend);
        }
    }
}

QList<MetricInfo> fleetMetrics()
{
    return {
        {"model_request_duration_seconds", "histogram", "Serving latency", {"instance", "job", "model", "version"}},
        {"model_requests_total", "counter", "Requests served", {"code", "instance", "job", "model", "version"}},
        {"model_errors_total", "counter", "Failed predictions", {"instance", "job", "model", "version"}},
        {"model_quality", "gauge", "Offline quality", {"metric", "model", "version"}},
        {"kube_deployment_status_replicas", "gauge", "", {"deployment", "namespace"}},
        {"go_goroutines", "gauge", "", {"instance"}},
        {"request_size_summary", "summary", "", {"model"}},
    };
}

} // namespace

TEST_CASE("Proposal: histograms become p50/p95/p99 panels grouped by model and version", "[proposal]")
{
    const ProposedDashboard p = proposeDashboard("Fleet (proposed)", "prom", fleetMetrics());
    const DashboardDef &d = p.dashboard;
    CHECK(d.name == "Fleet (proposed)");
    const PanelDef *latency = panelTitled(d, "Model request duration (p50, p95, p99)");
    REQUIRE(latency);
    CHECK(latency->unit == "s");
    CHECK(latency->connection == "prom");
    CHECK(latency->description == "Serving latency");
    REQUIRE(latency->queries.size() == 3);
    CHECK(latency->queries[2].expr
          == "histogram_quantile(0.99, sum by (le, model, version) (rate(model_request_duration_seconds_bucket[1m])))");
    CHECK(latency->queries[2].legend == "{{model}} {{version}} p99");
    CHECK(d.panels.first().title == latency->title); // histograms first
}

TEST_CASE("Proposal: counters become rates, an error counter beside requests an error ratio", "[proposal]")
{
    const DashboardDef d = proposeDashboard("x", "prom", fleetMetrics()).dashboard;
    const PanelDef *requests = panelTitled(d, "Model requests per second");
    REQUIRE(requests);
    CHECK(requests->unit == "reqps");
    CHECK(requests->queries.first().expr == "sum by (model, version) (rate(model_requests_total[1m]))");
    const PanelDef *ratio = panelTitled(d, "Model errors ratio");
    REQUIRE(ratio);
    CHECK(ratio->unit == "percentunit");
    CHECK(ratio->queries.first().expr
          == "sum by (model, version) (rate(model_errors_total[1m])) / sum by (model, version) (rate(model_requests_total[1m]))");
    const PanelDef *replicas = panelTitled(d, "Kube deployment status replicas");
    REQUIRE(replicas);
    CHECK(replicas->queries.first().expr == "avg by (deployment) (kube_deployment_status_replicas)");
}

TEST_CASE("Proposal: internal metrics are left out and summaries explained", "[proposal]")
{
    const ProposedDashboard p = proposeDashboard("x", "prom", fleetMetrics());
    for (const PanelDef &panel : p.dashboard.panels)
        for (const PanelQuery &q : panel.queries)
            CHECK_FALSE(q.expr.contains("go_goroutines"));
    REQUIRE_FALSE(p.notes.isEmpty());
    CHECK(p.notes.first() == "grouped by deployment, model, version");
    CHECK(p.notes.filter("request_size_summary is a summary").size() == 1);
}

TEST_CASE("Proposal: at most maxPanels panels, and it says how many were possible", "[proposal]")
{
    QList<MetricInfo> many;
    for (int i = 0; i < 40; ++i)
        many.append({QStringLiteral("app_thing_%1_total").arg(i), "counter", {}, {"service"}});
    const ProposedDashboard p = proposeDashboard("x", "prom", many, 10);
    CHECK(p.dashboard.panels.size() == 10);
    CHECK(p.notes.filter("40 metrics could be charted; the first 10 panels are proposed").size() == 1);
}

TEST_CASE("Proposal: the names without metadata get their types from the suffix", "[proposal]")
{
    QString base;
    CHECK(typeFromName("http_request_duration_seconds_bucket", &base) == "histogram");
    CHECK(base == "http_request_duration_seconds");
    CHECK(typeFromName("http_requests_total", &base) == "counter");
    CHECK(typeFromName("http_request_duration_seconds_count", &base).isEmpty());
    CHECK(typeFromName("queue_depth", &base) == "gauge");
    CHECK(isInternalMetric("prometheus_tsdb_head_series"));
    CHECK(isInternalMetric("up"));
    CHECK_FALSE(isInternalMetric("model_requests_total"));
    CHECK(groupingLabels({"instance", "version", "model_name", "app"}) == QStringList{"model_name", "version"});
}

TEST_CASE("Grafana import: Prometheus panels become Vigil panels with queries, units and thresholds", "[grafana]")
{
    const GrafanaImport g = importGrafanaDashboard(fixture("model-serving.json"), "prom", "model-serving.json");
    INFO(g.error.toStdString());
    REQUIRE(g.ok());
    const DashboardDef &d = g.dashboard;
    CHECK(d.name == "Model serving");
    CHECK(d.columns == 2); // the widest panels are half the 24-column grid
    REQUIRE(d.panels.size() == 5);

    const PanelDef *latency = panelTitled(d, "p99 latency");
    REQUIRE(latency);
    CHECK(latency->unit == "s");
    CHECK(latency->description == "Latency per version, from the serving histogram");
    REQUIRE(latency->queries.size() == 1); // the hidden p50 target is left out
    CHECK(latency->queries.first().expr
          == "histogram_quantile(0.99, sum by (le, version) (rate(model_request_duration_seconds_bucket"
             "{model=\"fraud-detector\", version=~\".*\"}[1m])))");
    CHECK(latency->queries.first().legend == "{{version}} p99");
    CHECK(latency->thresholds == QList<PanelThreshold>{{0.25, "orange"}, {0.5, "red"}});

    const PanelDef *requests = panelTitled(d, "Requests");
    REQUIRE(requests);
    CHECK(requests->unit == "reqps");
    CHECK(requests->queries.first().legend.isEmpty()); // __auto: Vigil's own legend
    CHECK(requests->thresholds.isEmpty());             // only the base step

    const PanelDef *errors = panelTitled(d, "Error ratio"); // from inside a collapsed row
    REQUIRE(errors);
    CHECK(errors->unit == "percentunit");

    const PanelDef *replicas = panelTitled(d, "Replicas (old graph panel)");
    REQUIRE(replicas);
    CHECK(replicas->unit == "short");
    CHECK(replicas->thresholds == QList<PanelThreshold>{{2, "critical"}});
    // Imported with what it could not resolve said, so the user can fix it.
    const PanelDef *gpu = panelTitled(d, "GPU temperature");
    REQUIRE(gpu);
    CHECK(gpu->unit.isEmpty());
    CHECK(gpu->queries.first().expr == "avg(node_hwmon_temp_celsius{instance=~\"$node\"})");
}

TEST_CASE("Grafana import: what cannot be imported is listed, with the reason", "[grafana]")
{
    const GrafanaImport g = importGrafanaDashboard(fixture("model-serving.json"), "prom", "model-serving.json");
    REQUIRE(g.ok());
    CHECK(g.skipped == QStringList{"panel 'Serving logs' (logs): Vigil has no logs panel",
                                   "panel 'Runbook' (text): Vigil has no text panel",
                                   "panel 'Latency heatmap' (heatmap): Vigil has no heatmap panel"});
    CHECK(g.notes.contains("variable $model replaced by its current value 'fraud-detector'"));
    CHECK(g.notes.contains("variable $version replaced by its current value '.*'"));
    CHECK(g.notes.contains("panel 'p99 latency' (timeseries): 1 hidden query left out"));
    CHECK(g.notes.contains("panel 'Requests' (stat) is shown as a time series"));
    CHECK(g.notes.contains("panel 'GPU temperature' (timeseries): unit 'celsius' has no Vigil equivalent; shown without a unit"));
    CHECK(g.notes.contains("variable $node is not defined in the dashboard: left in the query as written; replace it with a label value"));
}

TEST_CASE("Grafana import: the HTTP API's {dashboard: ...} shape and the pre-5.0 rows", "[grafana]")
{
    const QByteArray api = R"J({"meta": {"slug": "x"}, "dashboard": {"title": "Old one", "rows": [
        {"title": "r", "panels": [{"type": "graph", "title": "QPS", "span": 6, "datasource": "prom-main",
          "targets": [{"expr": "sum(rate(http_requests_total[$__interval]))", "legendFormat": "qps"}],
          "yaxes": [{"format": "ops"}, {"format": "short"}]}]}]}})J";
    const GrafanaImport g = importGrafanaDashboard(api, "prom", "old.json");
    INFO(g.error.toStdString());
    REQUIRE(g.ok());
    CHECK(g.dashboard.name == "Old one");
    REQUIRE(g.dashboard.panels.size() == 1);
    CHECK(g.dashboard.panels.first().unit == "reqps");
    CHECK(g.dashboard.panels.first().queries.first().expr == "sum(rate(http_requests_total[1m]))");
}

TEST_CASE("Grafana import: broken files say where and why", "[grafana]")
{
    CHECK(importGrafanaDashboard("{\n  \"title\": \"x\",\n  \"panels\": [,]\n}", "prom", "bad.json").error
          == "bad.json:3: not valid JSON (illegal value); export the dashboard again with Share > Export > Save to file");
    CHECK(importGrafanaDashboard(R"({"title": "x"})", "prom", "empty.json").error
          == "empty.json: not a Grafana dashboard: it has neither 'panels' nor 'rows'");
    CHECK(importGrafanaDashboard(R"({"title": "x", "panels": [{"type": "text", "title": "t"}]})", "prom", "text.json").error
          == "text.json: no panel with a Prometheus query to import (1 skipped)");
    CHECK(importGrafanaDashboard("", "prom", "zero.json").error.startsWith("zero.json:1: not valid JSON"));
}

TEST_CASE("YAML: an imported and a proposed dashboard read back to the same meaning", "[grafana][proposal][workspace]")
{
    const GrafanaImport g = importGrafanaDashboard(fixture("model-serving.json"), "prom", "model-serving.json");
    REQUIRE(g.ok());
    const Workspace ws = roundTrip(g.dashboard);
    INFO(ws.errorMessages().join('\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.dashboards.size() == 1);
    checkSameMeaning(g.dashboard, ws.dashboards.first());

    const ProposedDashboard p = proposeDashboard("Fleet: \"proposed\"\t#1", "prom", fleetMetrics());
    const Workspace ws2 = roundTrip(p.dashboard);
    INFO(ws2.errorMessages().join('\n').toStdString());
    REQUIRE_FALSE(ws2.hasErrors());
    REQUIRE(ws2.dashboards.size() == 1);
    checkSameMeaning(p.dashboard, ws2.dashboards.first());
}

TEST_CASE("Adding a dashboard to a workspace file keeps everything else byte for byte", "[grafana][proposal][workspace]")
{
    const QByteArray original = R"Y(# team workspace
connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }   # the main one
dashboards:
  - name: Fleet
    panels:
      - { title: Load, query: "sum(rate(model_requests_total[1m]))" }

# alerting below
rules:
  - { name: Up, query: "up", below: 1 }
)Y";
    DashboardDef d;
    d.name = "Imported";
    PanelDef p;
    p.title = "Errors";
    p.queries = {{"sum(rate(model_requests_total{code=~\"5..\"}[1m]))", "{{version}}"}};
    p.thresholds = {{0.5, "red"}};
    d.panels = {p};
    QString error;
    const QByteArray updated = addDashboardToWorkspaceText(original, d, "team.yaml", &error);
    INFO(error.toStdString());
    REQUIRE_FALSE(updated.isEmpty());
    const Workspace ws = parseWorkspace(updated, "team.yaml");
    INFO(ws.errorMessages().join('\n').toStdString());
    REQUIRE(ws.dashboards.size() == 2);
    CHECK(ws.dashboards[1].name == "Imported");
    CHECK(ws.dashboards[1].panels.first().thresholds == QList<PanelThreshold>{{0.5, "red"}});
    CHECK(ws.rules.size() == 1);
    // The original text is all there, in order; the new item sits before the blank line and comment.
    const qsizetype at = updated.indexOf("  - name: \"Imported\"");
    REQUIRE(at > 0);
    CHECK(updated.left(at) == original.left(original.indexOf("\n# alerting below")));
    CHECK(updated.endsWith(original.mid(original.indexOf("\n# alerting below"))));

    SECTION("a list written at column 0 gets its item at column 0")
    {
        const QByteArray col0 = "connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\ndashboards:\n- name: A\n  panels:\n  - { title: t, query: up }\n";
        const QByteArray out = addDashboardToWorkspaceText(col0, d, "c.yaml", &error);
        INFO(error.toStdString());
        REQUIRE_FALSE(out.isEmpty());
        CHECK(out.contains("\n- name: \"Imported\"\n"));
        CHECK(parseWorkspace(out, "c.yaml").dashboards.size() == 2);
    }
    SECTION("no dashboards section, or an empty one, gets one")
    {
        for (const QByteArray &text : {QByteArray("connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\n"),
                                       QByteArray("connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\ndashboards: []\n")}) {
            const QByteArray out = addDashboardToWorkspaceText(text, d, "n.yaml", &error);
            INFO(error.toStdString());
            REQUIRE_FALSE(out.isEmpty());
            CHECK(parseWorkspace(out, "n.yaml").dashboards.size() == 1);
        }
    }
    SECTION("an empty list with a comment keeps the comment")
    {
        const QByteArray text = "connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\ndashboards: []  # none yet\n";
        const QByteArray out = addDashboardToWorkspaceText(text, d, "n.yaml", &error);
        INFO(error.toStdString());
        REQUIRE_FALSE(out.isEmpty());
        CHECK(out.startsWith("connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\ndashboards:  # none yet\n  - name: \"Imported\"\n"));
        CHECK(parseWorkspace(out, "n.yaml").dashboards.size() == 1);
    }
    SECTION("a flow-style list is not rewritten: the message gives the YAML to paste")
    {
        const QByteArray flow = "connections:\n  prom: { kind: prometheus, url: \"http://x:9090\" }\ndashboards: [ { name: A, panels: [ { title: t, query: up } ] } ]\n";
        CHECK(addDashboardToWorkspaceText(flow, d, "f.yaml", &error).isEmpty());
        CHECK(error.startsWith("f.yaml:3: 'dashboards:' is written in flow style; add the dashboard by hand:\n  - name: \"Imported\""));
    }
    SECTION("unique names")
    {
        CHECK(uniqueDashboardName(ws, "Fleet") == "Fleet (2)");
        CHECK(uniqueDashboardName(ws, "New") == "New");
    }
}
