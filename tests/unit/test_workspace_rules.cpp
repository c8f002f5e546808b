// SPDX-License-Identifier: GPL-3.0-or-later
// The `rules`, `rule_files` and `notifiers` sections of the workspace file.
#include <catch2/catch.hpp>

#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace vigil;

namespace {
Workspace parse(const QByteArray &yaml)
{
    return parseWorkspace(yaml, QStringLiteral("/tmp/ws/team.yaml"));
}

const char *kHeader = R"(connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-oncall, channel: "#ml-oncall" }
  desktop: { kind: desktop }
)";

bool anyIssueContains(const Workspace &ws, const QString &text, int line = -1)
{
    for (const WorkspaceIssue &i : ws.issues)
        if (i.toString().contains(text) && (line < 0 || i.line == line))
            return true;
    return false;
}
} // namespace

TEST_CASE("Workspace rules: every key of a threshold rule", "[workspace][rules]")
{
    const Workspace ws = parse(QByteArray(kHeader) + R"(settings: { evaluation_interval: 15s }
rules:
  - name: HighP99Latency
    query: histogram_quantile(0.99, sum by (le, model, version) (rate(model_request_duration_seconds_bucket[1m])))
    above: 0.25
    recover_below: 0.20
    for: 2m
    keep_firing_for: 1m
    severity: warning
    escalate:
      - { above: 0.5, severity: page }
    labels: { team: ml }
    annotations:
      summary: "p99 of {{ $labels.model }} is {{ $value }}"
    no_data: keep_last
    on_error: alerting
    notify: [oncall-slack, desktop]
    flapping: false
    resolve_missing_after: 1h
)");
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.rules.size() == 1);
    const RuleDef &d = ws.rules[0];
    CHECK(d.group == "default");
    CHECK(d.intervalMs == 15'000);
    CHECK(d.line == 8);
    CHECK(d.notify == QStringList{"oncall-slack", "desktop"});
    const rules::Rule &r = d.rule;
    CHECK(r.name == "HighP99Latency");
    CHECK(r.query.startsWith("histogram_quantile"));
    CHECK(r.condition.kind == rules::ConditionKind::Above);
    CHECK(r.condition.threshold == 0.25);
    CHECK(r.condition.recover == 0.20);
    CHECK(r.forMs == 120'000);
    CHECK(r.keepFiringForMs == 60'000);
    CHECK(r.severity == rules::Severity::Warning);
    REQUIRE(r.escalations.size() == 1);
    CHECK(r.escalations[0].threshold == 0.5);
    CHECK(r.escalations[0].severity == rules::Severity::Page);
    CHECK(r.labels == Labels{{"team", "ml"}});
    REQUIRE(r.annotations.size() == 1);
    CHECK(r.annotations[0].first == "summary");
    CHECK(r.noDataPolicy == rules::StatePolicy::KeepLast);
    CHECK(r.errorPolicy == rules::StatePolicy::Alerting);
    CHECK_FALSE(r.flapping.enabled);
    CHECK(r.resolveMissingAfterMs == 3'600'000);

    REQUIRE(ws.notifiers.size() == 2);
    CHECK(ws.notifiers[0].name == "oncall-slack");
    CHECK(ws.notifiers[0].kind == "slack");
    CHECK(ws.notifiers[0].secrets.value("webhook") == "slack-oncall");
    CHECK(ws.notifiers[0].options.value("channel") == "#ml-oncall");
}

TEST_CASE("Workspace rules: below, outside, no threshold, and groups with their own interval", "[workspace][rules]")
{
    const Workspace ws = parse(QByteArray(kHeader) + R"(rules:
  - name: LowPrecision
    query: model_quality{metric="precision"}
    below: 0.9
    recover_above: 0.92
  - group: traffic
    interval: 30s
    rules:
      - name: OddTraffic
        query: sum(rate(model_requests_total[5m]))
        outside: [10, 500]
        recover_inside: [20, 400]
      - name: AnyReplicaMissing
        query: kube_deployment_status_replicas_unavailable > 0
)");
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.rules.size() == 3);
    CHECK(ws.rules[0].rule.condition.kind == rules::ConditionKind::Below);
    CHECK(ws.rules[0].rule.condition.recover == 0.92);
    CHECK(ws.rules[0].intervalMs == 60'000); // Prometheus' evaluation_interval default
    CHECK(ws.rules[1].group == "traffic");
    CHECK(ws.rules[1].intervalMs == 30'000);
    CHECK(ws.rules[1].rule.condition.kind == rules::ConditionKind::OutsideBand);
    CHECK(ws.rules[1].rule.condition.low == 10);
    CHECK(ws.rules[1].rule.condition.recoverHigh == 400);
    CHECK(ws.rules[2].rule.condition.kind == rules::ConditionKind::ReturnsAnything);
}

TEST_CASE("Workspace rules: mistakes name the file, line and key", "[workspace][rules]")
{
    const Workspace ws = parse(QByteArray(kHeader) + R"(rules:
  - name: HighP99Latency
    query: up
    treshold: 0.25
  - name: Both
    query: up
    above: 1
    below: 0
  - name: BadSeverity
    query: up
    above: 1
    severity: critcal
  - name: UnknownNotifier
    query: up
    above: 1
    notify: [oncall-slak]
  - name: BadFor
    query: up
    above: one
    for: soon
  - name: WrongConnection
    query: up
    connection: thanos
  - name: NoQuery
)");
    CHECK(anyIssueContains(ws, "team.yaml:9: unknown key 'treshold' in rule HighP99Latency; expected one of", 9));
    CHECK(anyIssueContains(ws, "rule Both has more than one of above, below and outside", 10));
    CHECK(anyIssueContains(ws, "not 'critcal' (did you mean 'critical'?)", 17));
    CHECK(anyIssueContains(ws, "rule UnknownNotifier notifies 'oncall-slak', which is not defined under 'notifiers'; did you mean 'oncall-slack'?"));
    CHECK(anyIssueContains(ws, "'above' in rule BadFor must be a number, not 'one'", 24));
    CHECK(anyIssueContains(ws, "'for' in rule BadFor is not a duration: 'soon'", 25));
    CHECK(anyIssueContains(ws, "rule WrongConnection uses connection 'thanos', which is not defined"));
    CHECK(anyIssueContains(ws, "missing key 'query' in rule NoQuery"));
    // What is valid is kept: the rule with the typo still loads, the broken ones do not.
    QStringList names;
    for (const RuleDef &d : ws.rules)
        names << d.rule.name;
    CHECK(names.contains("HighP99Latency"));
    CHECK_FALSE(names.contains("Both"));
    CHECK_FALSE(names.contains("BadFor"));
    CHECK_FALSE(names.contains("NoQuery"));
    CHECK(ws.dashboards.isEmpty());
}

TEST_CASE("Workspace notifiers: a webhook URL in the file is refused", "[workspace][rules]")
{
    const Workspace ws = parse(R"(notifiers:
  team: { kind: slack, webhook_url: "https://hooks.slack.com/services/T000/B000/XXXX" }
)");
    REQUIRE(ws.hasErrors());
    CHECK(anyIssueContains(ws, "'webhook_url' in notifier 'team' would put a secret in the workspace file; store it in the keychain and name it with 'webhook_secret'", 2));
    CHECK(ws.notifiers.isEmpty());
    for (const WorkspaceIssue &i : ws.issues)
        CHECK_FALSE(i.toString().contains("XXXX")); // the secret is not echoed back
}

TEST_CASE("Prometheus rule files load as Prometheus reads them", "[workspace][rules]")
{
    QList<WorkspaceIssue> issues;
    const QList<RuleDef> rules = parsePrometheusRules(R"(groups:
  - name: ml
    interval: 30s
    rules:
      - record: job:requests:rate1m
        expr: sum(rate(model_requests_total[1m]))
      - alert: ModelErrors
        expr: sum by (model) (rate(model_requests_total{code=~"5.."}[5m])) > 0.05
        for: 5m
        keep_firing_for: 2m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.model }} errors at {{ $value }}"
  - name: other
    rules:
      - alert: Down
        expr: up == 0
)", QStringLiteral("/etc/prometheus/ml.rules.yml"), &issues);
    REQUIRE(rules.size() == 2);
    const RuleDef &e = rules[0];
    CHECK(e.group == "ml");
    CHECK(e.intervalMs == 30'000);
    CHECK(e.file == "/etc/prometheus/ml.rules.yml");
    CHECK(e.line == 7);
    CHECK(e.rule.name == "ModelErrors");
    CHECK(e.rule.condition.kind == rules::ConditionKind::ReturnsAnything);
    CHECK(e.rule.forMs == 300'000);
    CHECK(e.rule.keepFiringForMs == 120'000);
    CHECK(e.rule.severity == rules::Severity::Critical);
    CHECK(e.rule.noDataPolicy == rules::StatePolicy::Ok); // a vanished series resolves, as in Prometheus
    CHECK(rules[1].intervalMs == 60'000);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].severity == WorkspaceIssue::Severity::Warning);
    CHECK(issues[0].toString() == "ml.rules.yml:5: recording rule 'job:requests:rate1m' in group ml skipped: Vigil evaluates alerting rules only");
}

TEST_CASE("Prometheus rule files: malformed files get a line, never a crash", "[workspace][rules]")
{
    const char *cases[] = {
        "groups: [",                        // YAML syntax
        "rules: []",                        // not a rule file
        "groups: { name: x }",              // groups not a list
        "groups:\n  - rules: []\n",         // group without name
        "groups:\n  - name: g\n    rules:\n      - alert: A\n",  // no expr
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: forever\n",
        "\xff\xfe garbage",
    };
    for (const char *text : cases) {
        QList<WorkspaceIssue> issues;
        const QList<RuleDef> rules = parsePrometheusRules(QByteArray(text), QStringLiteral("bad.yml"), &issues);
        INFO(text);
        CHECK_FALSE(issues.isEmpty());
        for (const WorkspaceIssue &i : issues)
            CHECK(i.toString().startsWith("bad.yml"));
    }
}

TEST_CASE("Workspace rule_files: paths relative to the workspace, missing files reported", "[workspace][rules]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    {
        QFile f(dir.filePath(QStringLiteral("ml.rules.yml")));
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("groups:\n  - name: ml\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 1m\n");
    }
    const QString wsPath = dir.filePath(QStringLiteral("team.yaml"));
    {
        QFile f(wsPath);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n"
                "rule_files:\n  - ml.rules.yml\n  - missing.yml\n");
    }
    const Workspace ws = loadWorkspace(wsPath);
    REQUIRE(ws.rules.size() == 1);
    CHECK(ws.rules[0].rule.name == "Down");
    CHECK(ws.rules[0].file == dir.filePath(QStringLiteral("ml.rules.yml")));
    CHECK(anyIssueContains(ws, "team.yaml:5: cannot open rule file " + dir.filePath(QStringLiteral("missing.yml"))));
}

TEST_CASE("Workspace: a demo connection needs no url", "[workspace]")
{
    const Workspace ws = parse("connections:\n  fleet: { kind: demo }\n  prom: { kind: prometheus }\n");
    REQUIRE(ws.connections.size() == 1);
    CHECK(ws.connections[0].name == "fleet");
    CHECK(anyIssueContains(ws, "missing key 'url' in connection 'prom'", 3));
}
