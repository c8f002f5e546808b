// SPDX-License-Identifier: GPL-3.0-or-later
// Inputs the fuzzers (fuzz/, docs/RELIABILITY.md) showed to crash, hang or
// misbehave, replayed in the normal suite. Each input is committed under
// tests/fixtures/fuzz-regressions/<parser>/; each case states what the parser
// must do with it instead.
#include <catch2/catch.hpp>

#include "mlflow_response.h"
#include "promql_parser.h"
#include "workspace/dashboard_proposal.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <cmath>
#include <limits>

using namespace vigil;

namespace {

QByteArray regressionInput(const QString &name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/fuzz-regressions/") + name);
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

bool anyIssueContains(const QList<WorkspaceIssue> &issues, const QString &text)
{
    for (const WorkspaceIssue &i : issues)
        if (i.toString().contains(text))
            return true;
    return false;
}

} // namespace

TEST_CASE("PromQL nested thousands of levels deep is refused with a message, not a stack overflow",
          "[fuzz][promql]")
{
    // 16 000 '(' / '-' / '^': each level was a recursion of the parser.
    for (const char *name : {"promql/deep-parentheses.promql", "promql/deep-negation.promql",
                             "promql/deep-power.promql"}) {
        DYNAMIC_SECTION(name)
        {
            const demo::promql::ParseResult r = demo::promql::parse(QString::fromUtf8(regressionInput(QLatin1String(name))));
            CHECK_FALSE(r.ok());
            CHECK_FALSE(r.unsupported);
            CHECK(r.error.contains(QStringLiteral("parse error: expression nested too deeply (more than 128 levels)")));
        }
    }
}

TEST_CASE("PromQL with thousands of chained operators is refused: the tree would be as deep", "[fuzz][promql]")
{
    // x+x+...+x, 5 400 terms: parsed in a loop, but evaluated and destroyed recursively.
    const demo::promql::ParseResult r = demo::promql::parse(QString::fromUtf8(regressionInput(QStringLiteral("promql/long-sum.promql"))));
    CHECK_FALSE(r.ok());
    CHECK(r.error.contains(QStringLiteral("nested too deeply")));
}

TEST_CASE("PromQL nesting up to the limit still parses", "[fuzz][promql]")
{
    const QString deep = QString(100, u'(') + QStringLiteral("x") + QString(100, u')');
    CHECK(demo::promql::parse(deep).ok());
    QString sum = QStringLiteral("x");
    for (int i = 0; i < 100; ++i)
        sum += QStringLiteral(" + x");
    CHECK(demo::promql::parse(sum).ok());
    CHECK(demo::promql::parse(QString(100, u'-') + QStringLiteral("x")).ok());
}

// Durations: n * unit overflowed qint64 (signed overflow, undefined) and a
// bare number of seconds beyond qint64 was cast to it (undefined too); the
// result was whatever the machine made of it, e.g. a negative `for`.
TEST_CASE("Durations too long for Prometheus are refused, not overflowed", "[fuzz][workspace][promql]")
{
    CHECK(parseDuration(QStringLiteral("9999999999999999y")) == -1);
    CHECK(parseDuration(QStringLiteral("1e300")) == -1);
    CHECK(parseDuration(QStringLiteral("inf")) == -1);
    CHECK(parseDuration(QStringLiteral("nan")) == -1);
    CHECK(parseDuration(QStringLiteral("99999999999999999999s")) == -1); // beyond qint64 before multiplying
    // The longest accepted, as Prometheus: int64 nanoseconds.
    CHECK(parseDuration(QStringLiteral("292y")) == 292 * 365LL * 86'400'000);
    CHECK(parseDuration(QStringLiteral("293y")) == -1);
    CHECK(parseDuration(QStringLiteral("1.5")) == 1500);

    CHECK(demo::promql::parseDuration(QStringLiteral("9999999999999999y")) == -1);
    // fuzz_promql's own find: "777777777777777777w7777777777777" and a stray byte.
    CHECK(demo::promql::parseDuration(QString::fromUtf8(regressionInput(QStringLiteral("promql/duration-weeks-overflow-crash-3ee55be0"))))
          == -1);
    CHECK(demo::promql::parseDuration(QStringLiteral("777777777777777777w")) == -1);
    CHECK(demo::promql::parseDuration(QStringLiteral("292y")) == 292 * 365LL * 86'400'000);
    CHECK(demo::promql::parseDuration(QStringLiteral("293y")) == -1);
}

TEST_CASE("A workspace with an overflowing duration names the key instead of using a garbage value",
          "[fuzz][workspace]")
{
    const std::pair<const char *, const char *> table[] = {
        {"workspace/for-years-overflow.yaml", "'for'"},
        {"workspace/for-seconds-1e300.yaml", "'for'"},
        {"workspace/evaluation-interval-1e30.yaml", "'evaluation_interval'"},
    };
    for (const auto &[name, key] : table) {
        DYNAMIC_SECTION(name)
        {
            const Workspace ws = parseWorkspace(regressionInput(QLatin1String(name)), QStringLiteral("fuzz.yaml"));
            CHECK(anyIssueContains(ws.issues, QLatin1String(key) + QStringLiteral(" ")));
            CHECK(anyIssueContains(ws.issues, QStringLiteral("is not a duration")));
            for (const RuleDef &r : ws.rules)
                CHECK(r.rule.forMs >= 0);
        }
    }
}

TEST_CASE("A Prometheus rule file with an overflowing interval is reported", "[fuzz][workspace]")
{
    QList<WorkspaceIssue> issues;
    const QList<RuleDef> rules = parsePrometheusRules(regressionInput(QStringLiteral("prometheus-rules/interval-years-overflow.yml")),
                                                      QStringLiteral("fuzz.rules.yml"), &issues);
    CHECK(anyIssueContains(issues, QStringLiteral("'interval'")));
    for (const RuleDef &r : rules) {
        CHECK(r.intervalMs > 0);
        CHECK(r.rule.forMs >= 0);
    }
}

TEST_CASE("A PromQL range too long for Prometheus is a bad duration, not an overflow", "[fuzz][promql]")
{
    const demo::promql::ParseResult r = demo::promql::parse(QString::fromUtf8(regressionInput(QStringLiteral("promql/range-years-overflow.promql"))));
    CHECK_FALSE(r.ok());
    CHECK(r.error.contains(QStringLiteral("bad duration syntax")));
}

// MLflow numbers beyond int64: a timestamp, a step or a version of 1e300 was
// cast from double to qint64 (UBSan float-cast-overflow: undefined). Found by
// fuzz_mlflow_response within its first seconds, from a hand-written seed.
TEST_CASE("MLflow numbers beyond int64 are read as not set, not overflowed", "[fuzz][mlflow]")
{
    const QString json = QStringLiteral("application/json");
    const auto history = mlflow::parseMetricHistory(
        regressionInput(QStringLiteral("mlflow/metric-timestamp-1e300-crash-b737ad55")), 200, json, "test");
    REQUIRE(history.ok());
    REQUIRE(history.value.items.size() == 1);
    CHECK(history.value.items.first().timestampMs == 0); // 1e300: no time at all
    // -9223372036854775809 reads as the double -2^63, which int64 holds.
    CHECK(history.value.items.first().step == std::numeric_limits<qint64>::min());
    CHECK(std::isnan(history.value.items.first().value));

    const auto version = mlflow::parseModelVersion(
        regressionInput(QStringLiteral("mlflow/version-number-1e300.json")), 200, json, "test");
    REQUIRE(version.ok());
    CHECK(version.value.version == "1.0000000000000001e+300"); // a number id kept as its text
    CHECK(version.value.creationTimeMs == 0);
    CHECK(version.value.lastUpdatedTimeMs == 0); // 2^63 is one past the largest int64
}

TEST_CASE("A Grafana query holding ${model} is written so that it reads back as imported, not expanded from the environment",
          "[fuzz][grafana][workspace]")
{
    // Found by fuzz_grafana_import within a second of its first run with a
    // dictionary: the variable's current value "$_settings_${model}all"
    // went into the query, and reading the workspace back replaced ${model}
    // with the (unset) environment variable.
    const GrafanaImport g = importGrafanaDashboard(regressionInput(QStringLiteral("grafana/template-dollar-brace.json")),
                                                   QStringLiteral("prom"), QStringLiteral("t.json"));
    REQUIRE(g.ok());
    REQUIRE(g.dashboard.panels.size() == 1);
    const QString expr = g.dashboard.panels[0].queries.value(0).expr;
    REQUIRE(expr.contains(QStringLiteral("${model}")));
    QString error;
    const QByteArray text = addDashboardToWorkspaceText("connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n",
                                                        g.dashboard, QStringLiteral("t.yaml"), &error);
    INFO(error.toStdString());
    REQUIRE(error.isEmpty());
    CHECK(text.contains("$${model}"));
    qputenv("model", "from-the-environment"); // even when it is set
    const Workspace ws = parseWorkspace(text, QStringLiteral("t.yaml"));
    qunsetenv("model");
    const DashboardDef *d = ws.dashboard(g.dashboard.name);
    REQUIRE(d);
    REQUIRE(d->panels.size() == 1);
    CHECK(d->panels[0].queries.value(0).expr == expr);
}

TEST_CASE("A Grafana dashboard with a lone UTF-16 surrogate in a query reads back from the workspace as imported",
          "[fuzz][grafana][workspace]")
{
    // Found by fuzz_grafana_import with its dictionary (the "\\ud800" entry),
    // in CI's 10 s run and in a 5 min run: JSON may escape a lone surrogate,
    // which UTF-8 cannot hold, so the query written to the workspace read back
    // with U+FFFD in its place. The import makes it U+FFFD itself.
    for (const char *name : {"grafana/lone-surrogate-query.json", "grafana/lone-surrogate-legacy-rows.json"}) {
        INFO(name);
        const GrafanaImport g = importGrafanaDashboard(regressionInput(QString::fromLatin1(name)), QStringLiteral("prom"),
                                                       QStringLiteral("t.json"));
        REQUIRE(g.ok());
        REQUIRE_FALSE(g.dashboard.panels.isEmpty());
        const QString expr = g.dashboard.panels[0].queries.value(0).expr;
        CHECK(expr.isValidUtf16());
        CHECK(expr.contains(QChar(QChar::ReplacementCharacter)));
        QString error;
        const QByteArray text = addDashboardToWorkspaceText(
            "connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n", g.dashboard,
            QStringLiteral("t.yaml"), &error);
        REQUIRE(error.isEmpty());
        const Workspace ws = parseWorkspace(text, QStringLiteral("t.yaml"));
        const DashboardDef *d = ws.dashboard(g.dashboard.name);
        REQUIRE(d);
        REQUIRE(d->panels.size() == g.dashboard.panels.size());
        CHECK(d->panels[0].queries.value(0).expr == expr);
        CHECK(d->panels[0].title == g.dashboard.panels[0].title);
    }
}
