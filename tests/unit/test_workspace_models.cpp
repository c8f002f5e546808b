// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace's `models:` section and the mapping from registry versions to
// live queries (issue 5, item 2).
#include <catch2/catch.hpp>

#include "compare/model_mapping.h"
#include "workspace/workspace.h"

using namespace vigil;
using namespace vigil::compare;

namespace {

const char *kConnections = "connections:\n"
                           "  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n"
                           "  registry: { kind: mlflow, url: \"http://127.0.0.1:5000\" }\n";

Workspace parseWith(const char *models)
{
    return parseWorkspace(QByteArray(kConnections) + QByteArray(models), QStringLiteral("/tmp/ws/team.yaml"));
}

} // namespace

TEST_CASE("Models: the section from DESIGN.md loads with its defaults", "[workspace][models]")
{
    const Workspace ws = parseWith("models:\n"
                                   "  fraud-detector: { registry: registry, metrics: prom, version_label: version }\n");
    INFO(ws.errorMessages().join("\n").toStdString());
    CHECK(ws.issues.isEmpty()); // no "recognised but not used" any more
    REQUIRE(ws.models.size() == 1);
    const ModelDef &m = ws.models.first();
    CHECK(m.name == "fraud-detector");
    CHECK(m.registry == "registry");
    CHECK(m.metrics == "prom");
    CHECK(m.versionLabel == "version");
    CHECK(m.versionValue == "{{version}}");
    CHECK(m.baseline == "champion");
    CHECK(m.canary == "challenger");
    CHECK(m.intervalMs == 60'000);
    CHECK(m.queries.isEmpty());
    CHECK(m.line == 5);
    CHECK(ws.model("fraud-detector") == &ws.models.first());
    CHECK(ws.model("spam-filter") == nullptr);
}

TEST_CASE("Models: every key is read", "[workspace][models]")
{
    const Workspace ws = parseWith("models:\n"
                                   "  spam-filter:\n"
                                   "    registry: registry\n"
                                   "    metrics: prom\n"
                                   "    version_label: model_version\n"
                                   "    version_value: \"v{{version}}\"\n"
                                   "    baseline: \"7\"\n"
                                   "    canary: \"8\"\n"
                                   "    interval: 30s\n"
                                   "    queries:\n"
                                   "      rps: sum(rate(http_requests_total{app=\"{{model}}\", {{version_label}}=\"{{version}}\"}[{{interval}}]))\n");
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE(ws.models.size() == 1);
    const ModelDef &m = ws.models.first();
    CHECK(m.versionLabel == "model_version");
    CHECK(m.versionValue == "v{{version}}");
    CHECK(m.baseline == "7");
    CHECK(m.canary == "8");
    CHECK(m.intervalMs == 30'000);
    CHECK(m.queries.size() == 1);
    CHECK(liveQuery(m, QStringLiteral("rps"), QStringLiteral("8"))
          == "sum(rate(http_requests_total{app=\"spam-filter\", model_version=\"v8\"}[30s]))");
    // The others keep their defaults.
    CHECK(liveQuery(m, QStringLiteral("p99_latency"), QStringLiteral("8"))
          == "histogram_quantile(0.99, sum by (le) (rate(model_request_duration_seconds_bucket{model=\"spam-filter\", "
             "model_version=\"v8\"}[30s])))");
}

TEST_CASE("Models: mistakes name the file, line and key", "[workspace][models]")
{
    struct Case
    {
        const char *yaml;
        const char *message;
    };
    const Case cases[] = {
        {"models: [fraud-detector]\n",
         "team.yaml:4: 'models' must map model names to their registry and metrics, e.g. fraud-detector: { registry: "
         "registry, metrics: prom, version_label: version }"},
        {"models:\n  fraud-detector: registry\n",
         "team.yaml:5: model 'fraud-detector' must be a mapping, e.g. { registry: registry, metrics: prom, version_label: "
         "version }"},
        {"models:\n  fraud-detector: { registy: registry }\n",
         "team.yaml:5: unknown key 'registy' in model 'fraud-detector'; did you mean 'registry'?"},
        {"models:\n  fraud-detector: { registry: registri }\n",
         "team.yaml:5: 'registry' in model 'fraud-detector' names connection 'registri', which is not defined under "
         "'connections'; did you mean 'registry'?"},
        {"models:\n  fraud-detector: { registry: prom }\n",
         "team.yaml:5: 'registry' in model 'fraud-detector' must name a model registry (kind mlflow), but 'prom' is of "
         "kind prometheus"},
        {"models:\n  fraud-detector: { metrics: registry }\n",
         "team.yaml:5: 'metrics' in model 'fraud-detector' must name a time-series connection (prometheus, ...), but "
         "'registry' is of kind mlflow"},
        {"models:\n  fraud-detector:\n    version_label: model-version\n",
         "team.yaml:6: 'version_label' in model 'fraud-detector' must be a Prometheus label name (letters, digits, _), "
         "not 'model-version'"},
        {"models:\n  fraud-detector:\n    version_value: v1\n",
         "team.yaml:6: 'version_value' in model 'fraud-detector' must contain {{version}}, e.g. \"v{{version}}\"; 'v1' "
         "would be the same for every version"},
        {"models:\n  fraud-detector:\n    interval: often\n",
         "team.yaml:6: 'interval' in model 'fraud-detector' is not a duration: 'often' (write e.g. 15s, 5m, 1h)"},
        {"models:\n  fraud-detector:\n    queries:\n      p999_latency: x\n",
         "team.yaml:7: unknown key 'p999_latency' in model 'fraud-detector'; did you mean 'p99_latency'?"},
    };
    for (const Case &c : cases) {
        const Workspace ws = parseWith(c.yaml);
        INFO(c.yaml);
        REQUIRE_FALSE(ws.issues.isEmpty());
        CHECK(ws.issues.first().toString() == QString::fromUtf8(c.message));
    }
}

TEST_CASE("Models: a query template without {{version}} is a warning", "[workspace][models]")
{
    const Workspace ws = parseWith("models:\n  fraud-detector:\n    queries:\n      rps: sum(rate(x[1m]))\n");
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.issues.size() == 1);
    CHECK(ws.issues.first().severity == WorkspaceIssue::Severity::Warning);
    CHECK(ws.issues.first().toString()
          == "team.yaml:7: query 'rps' in model 'fraud-detector' has no {{version}}: every version would show the same "
             "series");
    CHECK(ws.models.size() == 1);
}

TEST_CASE("Models: a bad model does not take down the others", "[workspace][models]")
{
    const Workspace ws = parseWith("models:\n  a: { registry: nowhere }\n  b: { registry: registry, metrics: prom }\n");
    CHECK(ws.hasErrors());
    REQUIRE(ws.models.size() == 1);
    CHECK(ws.models.first().name == "b");
}

TEST_CASE("Live query templates are filled in and escaped", "[compare][models]")
{
    CHECK(expandQueryTemplate(QStringLiteral("x{model=\"{{model}}\", {{version_label}}=\"{{version}}\"}[{{interval}}]"),
                              QStringLiteral("a\"b\\c"), QStringLiteral("v1"), QStringLiteral("ver"), 90'000)
          == "x{model=\"a\\\"b\\\\c\", ver=\"v1\"}[1m30s]");
    ModelDef m;
    m.name = QStringLiteral("fraud-detector");
    m.versionValue = QStringLiteral("v{{version}}");
    CHECK(versionLabelValue(m, QStringLiteral("13")) == "v13");
    CHECK(liveQuery(m, QStringLiteral("error_ratio"), QStringLiteral("13"))
          == "sum(rate(model_requests_total{model=\"fraud-detector\", version=\"v13\", code=~\"5..\"}[1m])) / "
             "sum(rate(model_requests_total{model=\"fraud-detector\", version=\"v13\"}[1m]))");
    CHECK(liveQuery(m, QStringLiteral("no_such_metric"), QStringLiteral("13")).isEmpty());
}

TEST_CASE("Live metrics know their direction: lower latency and errors are better, more traffic is not worse",
          "[compare][models]")
{
    REQUIRE(liveMetricKeys() == QStringList{"p50_latency", "p95_latency", "p99_latency", "rps", "error_ratio"});
    CHECK(liveMetric(QStringLiteral("p99_latency"))->bad == BadDirection::Increase);
    CHECK(liveMetric(QStringLiteral("rps"))->bad == BadDirection::Decrease);
    CHECK(liveMetric(QStringLiteral("error_ratio"))->bad == BadDirection::Increase);
    CHECK(liveMetric(QStringLiteral("error_ratio"))->critical);
    // A canary on a small traffic share serves fewer requests by design: shown, not judged.
    CHECK_FALSE(liveMetric(QStringLiteral("rps"))->judged);
    CHECK(liveMetric(QStringLiteral("p99_latency"))->judged);
    CHECK(offlineMetricDirection(QStringLiteral("roc_auc")) == 1);
    CHECK(offlineMetricDirection(QStringLiteral("val_loss")) == -1);
    CHECK(offlineMetricDirection(QStringLiteral("error_rate")) == -1);
    CHECK(offlineMetricDirection(QStringLiteral("n_trees")) == 0);
}

TEST_CASE("Version references: digits are versions, anything else an alias", "[compare][models]")
{
    CHECK(isVersionNumber(QStringLiteral("13")));
    CHECK_FALSE(isVersionNumber(QStringLiteral("v13")));
    CHECK_FALSE(isVersionNumber(QStringLiteral("champion")));
    CHECK_FALSE(isVersionNumber(QString()));
}
