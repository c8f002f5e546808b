// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "workspace/workspace.h"

using namespace vigil;

namespace {
Workspace parse(const char *yaml)
{
    return parseWorkspace(QByteArray(yaml), QStringLiteral("/tmp/ws/team.yaml"));
}

const char *kGood = R"(settings:
  refresh: 5s
  range: 30m
connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090", timeout: 3s,
          headers: { X-Scope-OrgID: team-a }, auth: { bearer_token_secret: prom-token } }
dashboards:
  - name: Fleet
    columns: 3
    panels:
      - title: p99 latency
        query: histogram_quantile(0.99, sum by (le, version) (rate(x_bucket[1m])))
        legend: "{{version}}"
        unit: s
      - title: Load
        queries:
          - sum(rate(model_requests_total[1m]))
          - { expr: sum(kube_deployment_status_replicas), legend: replicas }
)";
} // namespace

TEST_CASE("Workspace: a valid file loads with every field", "[workspace]")
{
    const Workspace ws = parse(kGood);
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    CHECK(ws.refreshMs == 5'000);
    CHECK(ws.rangeMs == 30 * 60'000);
    REQUIRE(ws.connections.size() == 1);
    const ConnectionDef &c = ws.connections.first();
    CHECK(c.name == "prom");
    CHECK(c.kind == "prometheus");
    CHECK(c.url == "http://127.0.0.1:9090");
    CHECK(c.timeoutMs == 3'000);
    CHECK(c.bearerTokenSecret == "prom-token");
    REQUIRE(c.headers.size() == 1);
    CHECK(c.headers.first().first == "X-Scope-OrgID");
    REQUIRE(ws.dashboards.size() == 1);
    const DashboardDef &d = ws.dashboards.first();
    CHECK(d.columns == 3);
    REQUIRE(d.panels.size() == 2);
    CHECK(d.panels[0].unit == "s");
    CHECK(d.panels[0].queries.first().legend == "{{version}}");
    REQUIRE(d.panels[1].queries.size() == 2);
    CHECK(d.panels[1].queries[1].legend == "replicas");
    CHECK(ws.connectionFor(d.panels[0]) == "prom");
    CHECK(ws.dashboard("fleet") == &ws.dashboards.first());
}

TEST_CASE("Workspace: broken files give the file, line and key", "[workspace]")
{
    struct Case
    {
        const char *yaml;
        const char *message;
    };
    const Case cases[] = {
        {"connections:\n  prom: { kind: prometheus, url: http://x\n", // unclosed flow map
         "team.yaml:3: YAML syntax error: end of map flow not found"},
        {"conections: {}\n", "team.yaml:1: unknown key 'conections' at the top level; did you mean 'connections'?"},
        {"connections:\n  prom: { kind: prometheus, url: \"http://x\", timout: 3s }\n",
         "team.yaml:2: unknown key 'timout' in connection 'prom'; did you mean 'timeout'?"},
        {"connections:\n  prom: { url: \"http://x\" }\n", "team.yaml:2: missing key 'kind' in connection 'prom'"},
        {"connections:\n  prom: { kind: prometheus, url: \"localhost:9090\" }\n",
         "team.yaml:2: url in connection 'prom' must start with http:// or https://, not 'localhost:9090'"},
        {"connections:\n  prom: { kind: prometheus, url: \"http://x\", timeout: soon }\n",
         "team.yaml:2: 'timeout' in connection 'prom' is not a duration: 'soon' (write e.g. 15s, 5m, 1h)"},
        {"connections:\n  prom: { kind: prometheus, url: \"http://x\", auth: { password: hunter2 } }\n",
         "team.yaml:2: 'password' in connection 'prom' would put a secret in the workspace file; store it in the "
         "keychain and name it with 'password_secret'"},
        {"dashboards:\n  - name: A\n    panels:\n      - title: p99\n        query: up\n        unit: sec\n",
         "team.yaml:6: unknown unit 'sec' in panel 'p99'; did you mean 's'?"},
        {"dashboards:\n  - name: A\n    panels:\n      - title: p99\n", "team.yaml:4: panel 'p99' has no query: add 'query: <PromQL>'"},
        {"dashboards:\n  - name: A\n  - name: a\n", "team.yaml:3: dashboard name 'a' is used twice; names must be unique"},
        {"dashboards:\n  - name: A\n    panels:\n      - title: x\n        query: up\n        connection: nope\n",
         "team.yaml:6: panel 'x' uses connection 'nope', which is not defined under 'connections'"},
        {"dashboards:\n  - name: A\n    columns: 12\n", "team.yaml:3: 'columns' in dashboard 'A' must be a whole number from 1 to 6, not '12'"},
        {"dashboards: {}\n", "team.yaml:1: 'dashboards' must be a list, each item starting with '- name: ...'"},
        {"- a\n- b\n", "team.yaml:1: the top level must be a mapping of sections (connections, dashboards, ...)"},
    };
    for (const Case &c : cases) {
        const Workspace ws = parse(c.yaml);
        INFO(c.yaml);
        REQUIRE(ws.hasErrors());
        CHECK(ws.errorMessages().first().toStdString() == c.message);
    }
}

TEST_CASE("Workspace: one bad panel does not take down the rest", "[workspace]")
{
    const Workspace ws = parse("connections:\n  prom: { kind: prometheus, url: \"http://x\" }\n"
                               "dashboards:\n  - name: A\n    panels:\n"
                               "      - title: broken\n"
                               "      - title: fine\n        query: up\n");
    CHECK(ws.hasErrors());
    REQUIRE(ws.dashboards.size() == 1);
    REQUIRE(ws.dashboards.first().panels.size() == 1);
    CHECK(ws.dashboards.first().panels.first().title == "fine");
    CHECK(ws.connections.size() == 1);
}

TEST_CASE("Workspace: every section is read, and a misspelt one is an error with a hint", "[workspace]")
{
    const Workspace ok = parse("rules: []\nmodels: {}\ndrift: []\nrule_files: []\n");
    CHECK(ok.issues.isEmpty());
    const Workspace typo = parse("rule: []\n");
    REQUIRE(typo.hasErrors());
    CHECK(typo.issues.first().toString() == "team.yaml:1: unknown key 'rule' at the top level; did you mean 'rules'?");
}

TEST_CASE("Workspace: a missing file says so with its path", "[workspace]")
{
    const Workspace ws = loadWorkspace("/nonexistent/ws.yaml");
    REQUIRE(ws.hasErrors());
    CHECK(ws.issues.first().message.startsWith("cannot open the workspace file /nonexistent/ws.yaml"));
}

TEST_CASE("Durations follow Prometheus' syntax", "[workspace][duration]")
{
    CHECK(parseDuration("15s") == 15'000);
    CHECK(parseDuration("1h30m") == 5'400'000);
    CHECK(parseDuration("500ms") == 500);
    CHECK(parseDuration("7d") == 7 * 86'400'000LL);
    CHECK(parseDuration("2") == 2'000);
    CHECK(parseDuration("") == -1);
    CHECK(parseDuration("5 minutes") == -1);
    CHECK(parseDuration("-3") == -1);
    CHECK(formatPromDuration(5'400'000) == "1h30m");
    CHECK(formatPromDuration(1'500) == "1s500ms");
}

TEST_CASE("nearestWord suggests close keys and nothing for unrelated words", "[workspace]")
{
    CHECK(nearestWord("treshold", {"threshold", "query", "for"}) == "threshold");
    CHECK(nearestWord("banana", {"threshold", "query", "for"}).isEmpty());
}

TEST_CASE("Workspace values expand ${VAR} and ${VAR:-default} from the environment", "[workspace]")
{
    qputenv("VIGIL_TEST_PROM", "http://127.0.0.1:19090");
    CHECK(expandEnvironment("${VIGIL_TEST_PROM:-http://x}/api") == "http://127.0.0.1:19090/api");
    qunsetenv("VIGIL_TEST_PROM");
    CHECK(expandEnvironment("${VIGIL_TEST_PROM:-http://x}/api") == "http://x/api");
    CHECK(expandEnvironment("${VIGIL_TEST_PROM}") == "");
    CHECK(expandEnvironment("sum(rate(x[1m]))") == "sum(rate(x[1m]))");
}

TEST_CASE("The demo workspace loads without errors", "[workspace]")
{
    const Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    CHECK_FALSE(ws.hasErrors());
    CHECK(ws.dashboards.size() == 4);
    CHECK(ws.drift.size() == 2);
    CHECK(ws.drift[1].detector == "page-hinkley");
    CHECK(ws.connections.first().url == "http://127.0.0.1:9090");
}

TEST_CASE("Workspace: tls_verify false is a warning naming the connection and line, ca_file is not", "[workspace][tls]")
{
    const Workspace ws = parse(R"(
connections:
  lab:
    kind: prometheus
    url: https://prometheus.lab:9090
    tls_verify: false
  prod:
    kind: prometheus
    url: https://prometheus.prod:9090
    ca_file: /etc/vigil/prod-ca.pem
)");
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.issues.size() == 1);
    const WorkspaceIssue &w = ws.issues.first();
    CHECK(w.severity == WorkspaceIssue::Severity::Warning);
    CHECK(w.line == 6);
    CHECK(w.key == "connections.lab.tls_verify");
    CHECK(w.message.startsWith("TLS certificates are not checked in connection 'lab' (tls_verify: false)"));
    CHECK(w.message.contains("set ca_file instead"));
    REQUIRE(ws.connection("lab"));
    CHECK_FALSE(ws.connection("lab")->tlsVerify);
    CHECK(ws.connection("prod")->tlsVerify);
    CHECK(ws.connection("prod")->caFile == "/etc/vigil/prod-ca.pem");
}

TEST_CASE("Workspace values: $${ is a literal ${, and escapeEnvironment round-trips any text", "[workspace]")
{
    qputenv("VIGIL_TEST_HOST", "prom.internal");
    CHECK(expandEnvironment(QStringLiteral("http://${VIGIL_TEST_HOST}:9090")) == "http://prom.internal:9090");
    CHECK(expandEnvironment(QStringLiteral("label_replace(up, \"v\", \"$${name}\", \"job\", \"(?P<name>.*)\")"))
          == "label_replace(up, \"v\", \"${name}\", \"job\", \"(?P<name>.*)\")");
    CHECK(expandEnvironment(QStringLiteral("$${VIGIL_TEST_HOST} and ${VIGIL_TEST_HOST}")) == "${VIGIL_TEST_HOST} and prom.internal");
    for (const QString &text : {QStringLiteral("${VIGIL_TEST_HOST}"), QStringLiteral("$${x}"), QStringLiteral("$$${x}"),
                                QStringLiteral("a$"), QStringLiteral("${"), QStringLiteral("$"), QStringLiteral("cost: $$ {x}")}) {
        INFO(text.toStdString());
        CHECK(expandEnvironment(escapeEnvironment(text)) == text);
    }
    qunsetenv("VIGIL_TEST_HOST");
}
