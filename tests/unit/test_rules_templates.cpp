// SPDX-License-Identifier: GPL-3.0-or-later
// Label and annotation templates (core/rules/alert_template.h) and the labels
// an alert carries (core/rules/alert_labels.h).
#include <catch2/catch.hpp>

#include "rules/alert_labels.h"
#include "rules/alert_template.h"

#include <algorithm>
#include <limits>
#include <vector>

using namespace vigil;
using namespace vigil::rules;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const Labels kLabels{{"model", "fraud"}, {"version", "3"}, {"count", "1234"}};

struct Case
{
    const char *name;
    const char *text;
    double value;
    const char *expected;
};

// Checks each case in its own section; returns how many rendered wrong.
int mismatches(const std::vector<Case> &cases, const Labels &labels = kLabels)
{
    int wrong = 0;
    for (const Case &c : cases) {
        DYNAMIC_SECTION(c.name)
        {
            const std::string got = renderTemplate(QString::fromUtf8(c.text), labels, c.value).toStdString();
            CHECK(got == std::string(c.expected));
            wrong += got != std::string(c.expected);
        }
    }
    return wrong;
}
} // namespace

TEST_CASE("Templates: $labels and $value", "[rules][templates]")
{
    CHECK(mismatches({
        {"value and a label", "p99 is {{ $value }} on {{ $labels.model }}", 0.31, "p99 is 0.31 on fraud"},
        {"Go's dot notation", "{{ .Value }} on {{ .Labels.model }} v{{ .Labels.version }}", 0.31, "0.31 on fraud v3"},
        {"no spaces inside the braces", "{{$labels.model}}/{{$value}}", 2, "fraud/2"},
        {"a missing label renders empty", "model=[{{ $labels.region }}]", 0, "model=[]"},
        {"every label", "{{ $labels }}", 0, R"({count="1234", model="fraud", version="3"})"},
        {"index with a quoted name", R"({{ index $labels "model" }})", 0, "fraud"},
        {"index with a raw string", "{{ index .Labels `version` }}", 0, "3"},
        {"index of a missing label", R"(<{{ index $labels "region" }}>)", 0, "<>"},
        {"several actions", "{{ $labels.model }}{{ $labels.version }}{{ $value }}", 7, "fraud37"},
        {"trim markers are accepted; the whitespace stays", "a {{- $value -}} b", 1.5, "a 1.5 b"},
        {"NaN value", "{{ $value }}", kNaN, "NaN"},
        {"infinite value", "{{ $value }}", kInf, "+Inf"},
        {"a large value as Go prints it", "{{ $value }}", 1e6, "1e+06"},
    }) == 0);
}

TEST_CASE("Templates: humanize functions, in pipelines and as calls", "[rules][templates]")
{
    CHECK(mismatches({
        {"pipe humanize", "{{ $value | humanize }}", 1234567, "1.235M"},
        {"call humanize", "{{ humanize $value }}", 1234567, "1.235M"},
        {"pipe humanizePercentage", "{{ $value | humanizePercentage }}", 0.256, "25.6%"},
        {"pipe humanizeDuration", "{{ $value | humanizeDuration }}", 3725, "1h 2m 5s"},
        {"a numeric label humanized", "{{ $labels.count | humanize }}", 0, "1.234k"},
        {"spaces around the pipe are optional", "{{$value|humanize}}", 0.0012, "1.2m"},
    }) == 0);
}

TEST_CASE("Templates: malformed templates render safely and literally", "[rules][templates]")
{
    CHECK(mismatches({
        {"unterminated action", "latency {{ $value", 1, "latency {{ $value"},
        {"unterminated after a good action", "a {{ $value }} b {{ broken", 1, "a 1 b {{ broken"},
        {"empty action", "x{{ }}y", 1, "x{{ }}y"},
        {"unknown variable", "{{ $nope }}", 1, "{{ $nope }}"},
        {"unknown function", "{{ $value | shout }}", 1, "{{ $value | shout }}"},
        {"unknown function call", "{{ upper $labels.model }}", 1, "{{ upper $labels.model }}"},
        {"too many words", "{{ $labels.model $value }}", 1, "{{ $labels.model $value }}"},
        {"humanize of a non-number", "{{ $labels.model | humanize }}", 1, "{{ $labels.model | humanize }}"},
        {"index with an unquoted name", "{{ index $labels model }}", 1, "{{ index $labels model }}"},
        {"index with an empty name", R"({{ index $labels "" }})", 1, R"({{ index $labels "" }})"},
        {"nested braces", "{{{{ $value }}}}", 1, "{{{{ $value }}}}"},
        {"closing before opening", "}} {{", 1, "}} {{"},
        {"an empty pipeline stage", "{{ $value | }}", 1, "{{ $value | }}"},
        {"Go control actions are not run", "{{ if gt $value 1.0 }}high{{ end }}", 2, "{{ if gt $value 1.0 }}high{{ end }}"},
        {"text without templates is returned as is", "plain {text} $value", 1, "plain {text} $value"},
        {"empty text", "", 1, ""},
    }) == 0);
    // A long run of openers must not blow up (no recursion, no quadratic surprise worth a test).
    const QString many = QString(QStringLiteral("{{")).repeated(2000);
    CHECK(renderTemplate(many, kLabels, 1) == many);
}

TEST_CASE("Templates: the output is plain text, never re-interpreted", "[rules][templates]")
{
    const Labels hostile{{"model", "<script>alert(1)</script>"}, {"desc", "{{ $value }}"}, {"amp", "a & b"}};
    CHECK(mismatches(
        {
            {"markup in a label is kept as characters", "<b>{{ $labels.model }}</b>", 1,
             "<b><script>alert(1)</script></b>"},
            {"a label holding a template is not rendered again", "{{ $labels.desc }}", 42, "{{ $value }}"},
            {"entities are not escaped", "{{ $labels.amp }}", 1, "a & b"},
            {"unicode passes through", "température {{ $labels.model }} ✓", 1,
             "température <script>alert(1)</script> ✓"},
        },
        hostile) == 0);
    CHECK(isTemplate(QStringLiteral("x {{ y }}")));
    CHECK_FALSE(isTemplate(QStringLiteral("x { y }")));
}

TEST_CASE("Templates: formatValue prints floats as Go's %v does", "[rules][templates]")
{
    struct Row { double v; const char *expected; };
    const std::vector<Row> rows{
        {0.25, "0.25"},       {0, "0"},           {-0.5, "-0.5"},          {100, "100"},
        {123456, "123456"},   {123456.7, "123456.7"}, {1e6, "1e+06"},      {1234567, "1.234567e+06"},
        {0.0001, "0.0001"},   {1.5e-5, "1.5e-05"}, {1e21, "1e+21"},        {1e-300, "1e-300"},
        {0.1 + 0.2, "0.30000000000000004"},        {kNaN, "NaN"},          {kInf, "+Inf"},
        {-kInf, "-Inf"},
    };
    for (const Row &r : rows) {
        INFO(r.expected);
        CHECK(formatValue(r.v).toStdString() == std::string(r.expected));
    }
}

TEST_CASE("Templates: humanize, humanizePercentage and humanizeDuration match Prometheus", "[rules][templates]")
{
    struct Row { double v; const char *expected; };
    SECTION("humanize")
    {
        const std::vector<Row> rows{{0, "0"},          {999, "999"},       {1000, "1k"},     {1234567, "1.235M"},
                                    {-1500, "-1.5k"},  {0.0012, "1.2m"},   {1e-10, "100p"},  {2.5e9, "2.5G"},
                                    {kNaN, "NaN"},     {kInf, "+Inf"},     {-kInf, "-Inf"}};
        for (const Row &r : rows) {
            INFO(r.expected);
            CHECK(humanize(r.v).toStdString() == std::string(r.expected));
        }
    }
    SECTION("humanizePercentage")
    {
        const std::vector<Row> rows{{0.256, "25.6%"}, {1, "100%"}, {0, "0%"}, {0.123456, "12.35%"}, {kNaN, "NaN%"}};
        for (const Row &r : rows) {
            INFO(r.expected);
            CHECK(humanizePercentage(r.v).toStdString() == std::string(r.expected));
        }
    }
    SECTION("humanizeDuration")
    {
        const std::vector<Row> rows{
            {0, "0s"},           {1.5, "1.5s"},          {61, "1m 1s"},          {3725, "1h 2m 5s"},
            {90061, "1d 1h 1m 1s"}, {-3725, "-1h 2m 5s"}, {0.25, "250ms"},       {-0.25, "-250ms"},
            {0.0015, "1.5ms"},   {1.5e-6, "1.5us"},      {2e-9, "2ns"},          {3e-12, "3ps"},
            {kNaN, "NaN"},       {kInf, "+Inf"},
        };
        for (const Row &r : rows) {
            INFO(r.expected);
            CHECK(humanizeDuration(r.v).toStdString() == std::string(r.expected));
        }
    }
}

TEST_CASE("Alert labels: series labels, then the rule's, then alertname and severity", "[rules][templates][labels]")
{
    Rule rule;
    rule.name = QStringLiteral("HighP99Latency");
    rule.severity = Severity::Warning;
    rule.labels = {{"team", "ml-platform"}, {"summary_model", "{{ $labels.model }} @ {{ $value }}"}, {"env", "prod"}};
    rule.annotations = {{"summary", "p99 of {{ $labels.model }} is {{ $value | humanizeDuration }}"},
                        {"runbook", "https://runbooks/{{ $labels.team }}"}};
    AlertInstance inst;
    inst.id = AlertInstanceId::make(rule.name, SeriesKey("latency", {{"model", "fraud"}, {"env", "staging"},
                                                                     {"alertname", "FromSeries"}}));
    inst.severity = Severity::Critical;
    inst.lastValue = 0.31;

    const Labels labels = alertLabels(rule, inst);
    const Labels expected{{"alertname", "HighP99Latency"}, // the rule's name wins
                          {"env", "prod"},                 // the rule's label overrides the series'
                          {"model", "fraud"},
                          {"severity", "critical"},        // the instance's (escalated) severity
                          {"summary_model", "fraud @ 0.31"},
                          {"team", "ml-platform"}};
    CHECK(labels == expected);

    SECTION("a rule that sets severity itself keeps it")
    {
        rule.labels.append(Label{"severity", "page"});
        const Labels l = alertLabels(rule, inst);
        CHECK(std::count_if(l.begin(), l.end(), [](const Label &x) { return x.first == QLatin1String("severity"); }) == 1);
        CHECK(std::find(l.begin(), l.end(), Label{"severity", "page"}) != l.end());
    }
    SECTION("annotations render in the rule's order against the series labels only")
    {
        const QList<Annotation> a = renderAnnotations(rule, inst);
        REQUIRE(a.size() == 2);
        CHECK(a[0] == Annotation{"summary", "p99 of fraud is 310ms"});
        // $labels are the series' labels (as in Prometheus), not the rule's: team is empty.
        CHECK(a[1] == Annotation{"runbook", "https://runbooks/"});
    }
    SECTION("a rule-level instance carries only the rule's labels")
    {
        AlertInstance ruleLevel;
        ruleLevel.id = AlertInstanceId::make(rule.name, SeriesKey());
        ruleLevel.severity = Severity::Warning;
        const Labels l = alertLabels(rule, ruleLevel);
        CHECK(l == Labels{{"alertname", "HighP99Latency"}, {"env", "prod"}, {"severity", "warning"},
                          {"summary_model", " @ NaN"}, {"team", "ml-platform"}});
    }
}
