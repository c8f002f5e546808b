// SPDX-License-Identifier: GPL-3.0-or-later
// The demo connector's PromQL subset (plugins/demo/promql_*): what it parses,
// what it refuses and how, and the values it computes on hand-built series,
// each worked out by hand from Prometheus 2.x semantics (promql/functions.go,
// promql/quantile.go, promql/engine.go) in the comments.
#include <catch2/catch.hpp>

#include "demo_connector.h"
#include "fleet_history.h"
#include "promql_eval.h"
#include "promql_parser.h"
#include "workspace/workspace.h"

#include <cmath>
#include <limits>

using namespace vigil;
using namespace vigil::demo;

namespace {

constexpr qint64 T = 1'700'000'000'000; // an arbitrary evaluation origin, ms
constexpr qint64 S = 1000;

QueryResult instantAt(const FleetHistory &h, const QString &expr, qint64 t)
{
    QueryRequest q;
    q.expr = expr;
    q.kind = QueryKind::Instant;
    q.timeMs = t;
    return promql::evaluate(h, q);
}

// The single value of the series with these labels (and name) in an instant result.
std::optional<double> valueOf(const QueryResult &r, const QString &name, const Labels &labels)
{
    const SeriesKey key(name, labels);
    for (const SeriesData &s : r.series) {
        if (s.key == key && s.samples.size() == 1)
            return s.samples.first().v;
    }
    return std::nullopt;
}

double only(const QueryResult &r)
{
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    REQUIRE(r.series.first().samples.size() == 1);
    return r.series.first().samples.first().v;
}

QStringList keysOf(const QueryResult &r)
{
    QStringList out;
    for (const SeriesData &s : r.series)
        out.append(s.key.toString());
    return out;
}

// m{a="1",b="x"} 1, m{a="1",b="y"} 2, m{a="2",b="x"} 4, sampled once at T.
FleetHistory threeSeries()
{
    FleetHistory h;
    h.append(QStringLiteral("m"), {{"a", "1"}, {"b", "x"}}, T, 1);
    h.append(QStringLiteral("m"), {{"a", "1"}, {"b", "y"}}, T, 2);
    h.append(QStringLiteral("m"), {{"a", "2"}, {"b", "x"}}, T, 4);
    return h;
}

} // namespace

TEST_CASE("The parser accepts every query of the demo workspace", "[promql]")
{
    const Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    INFO(ws.errorMessages().join(QLatin1Char('\n')).toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    int queries = 0;
    for (const DashboardDef &d : ws.dashboards) {
        for (const PanelDef &p : d.panels) {
            for (const PanelQuery &q : p.queries) {
                const promql::ParseResult r = promql::parse(q.expr);
                INFO(q.expr.toStdString() << " -> " << r.error.toStdString());
                CHECK(r.ok());
                ++queries;
            }
        }
    }
    for (const RuleDef &rule : ws.rules) {
        const promql::ParseResult r = promql::parse(rule.rule.query);
        INFO(rule.rule.name.toStdString() << " -> " << r.error.toStdString());
        CHECK(r.ok());
        ++queries;
    }
    CHECK(queries >= 13);
}

TEST_CASE("Valid PromQL outside the subset is refused naming what is missing and what is supported", "[promql]")
{
    const std::pair<const char *, const char *> table[] = {
        {"rate(x[5m:1m])", "subqueries"},
        {"abs(x)", "the function abs()"},
        {"x > 1", "the comparison operator >"},
        {"x == bool 1", "the comparison operator =="},
        {"topk(3, x)", "the aggregation topk"},
        {"x offset 5m", "the offset modifier"},
        {"x @ 1700000000", "the @ modifier"},
        {"x and y", "the and operator"},
        {"x / on(a) group_left y", "group_left"},
        {"\"text\"", "string literals"},
    };
    for (const auto &[query, what] : table) {
        const promql::ParseResult r = promql::parse(QString::fromLatin1(query));
        INFO(query << " -> " << r.error.toStdString());
        CHECK_FALSE(r.ok());
        CHECK(r.unsupported);
        CHECK(r.error.startsWith(QStringLiteral("the demo connector does not support %1").arg(QLatin1String(what))));
        CHECK(r.error.contains(QStringLiteral("(supported: selectors")));
    }
}

TEST_CASE("Malformed queries get Prometheus-style parse errors with a position", "[promql]")
{
    const std::pair<const char *, const char *> table[] = {
        {"sum by (le (x)", "1:12: parse error: unexpected \"(\" in by clause"},
        {"rate(x)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
        {"sum(x[1m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"},
        {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
        {"{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
        {"x{a=\"1\"", "1:8: parse error: unexpected end of input in label matching"},
        {"x{a=~\"(\"}", "1:6: parse error: invalid regular expression"},
        {"x[1x]", "1:2: parse error: bad duration syntax: \"1x\""},
        {"histogram_quantile(0.9)", "1:1: parse error: expected 2 argument(s) in call to \"histogram_quantile\", got 1"},
        {"x +", "1:4: parse error: unexpected end of input"},
        {"(x", "1:3: parse error: unexpected end of input, expected \")\""},
        {"x[1m] + 1", "1:7: parse error: binary expression must contain only scalar and instant vector types"},
        {"1 + on(a) x", "1:3: parse error: vector matching only allowed between instant vectors"},
        {"sum(x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"},
    };
    for (const auto &[query, message] : table) {
        const promql::ParseResult r = promql::parse(QString::fromLatin1(query));
        INFO(query << " -> " << r.error.toStdString());
        CHECK_FALSE(r.ok());
        CHECK_FALSE(r.unsupported);
        CHECK(r.error.startsWith(QString::fromLatin1(message)));
    }
}

TEST_CASE("Refused queries reach the caller as a Server error, as a Prometheus bad_data would", "[promql]")
{
    FleetHistory h;
    const QueryResult unsupported = instantAt(h, QStringLiteral("abs(x)"), T);
    CHECK(unsupported.error == ErrorKind::Server);
    CHECK(unsupported.message.startsWith(QStringLiteral("the demo connector does not support the function abs()")));
    const QueryResult bad = instantAt(h, QStringLiteral("sum(("), T);
    CHECK(bad.error == ErrorKind::Server);
    CHECK(bad.message.startsWith(QStringLiteral("the demo connector rejected the query (bad_data): 1:6: parse error")));
}

TEST_CASE("Durations parse as Prometheus writes them", "[promql]")
{
    CHECK(promql::parseDuration(QStringLiteral("1m")) == 60'000);
    CHECK(promql::parseDuration(QStringLiteral("90s")) == 90'000);
    CHECK(promql::parseDuration(QStringLiteral("1h30m")) == 5'400'000);
    CHECK(promql::parseDuration(QStringLiteral("500ms")) == 500);
    CHECK(promql::parseDuration(QStringLiteral("1d")) == 86'400'000);
    CHECK(promql::parseDuration(QStringLiteral("1w")) == 7 * 86'400'000LL);
    CHECK(promql::parseDuration(QStringLiteral("30m1h")) == -1); // units largest first
    CHECK(promql::parseDuration(QStringLiteral("1.5m")) == -1);  // integers only
    CHECK(promql::parseDuration(QStringLiteral("m")) == -1);
}

TEST_CASE("Arithmetic follows PromQL precedence and associativity", "[promql]")
{
    FleetHistory h;
    const std::pair<const char *, double> table[] = {
        {"1 + 2 * 3", 7},   {"(1 + 2) * 3", 9}, {"10 - 2 - 3", 5},  {"2 ^ 3 ^ 2", 512}, {"-2 ^ 2", -4},
        {"7 % 4", 3},       {"-(1 + 2)", -3},   {"1e3 / 4", 250},   {"0x10", 16},       {".5 * 4", 2},
        {"2 * -1", -2},     {"+3", 3},
    };
    for (const auto &[query, expected] : table) {
        INFO(query);
        const QueryResult r = instantAt(h, QString::fromLatin1(query), T);
        CHECK(r.type == ResultType::Scalar);
        CHECK(only(r) == expected);
    }
    CHECK(std::isinf(only(instantAt(h, QStringLiteral("Inf"), T))));
    CHECK(std::isnan(only(instantAt(h, QStringLiteral("NaN"), T))));
}

TEST_CASE("Each matcher type selects as in Prometheus, regexes fully anchored", "[promql]")
{
    FleetHistory h;
    for (const char *code : {"200", "500", "503", "1500"})
        h.append(QStringLiteral("req"), {{"code", QString::fromLatin1(code)}}, T, 1);
    h.append(QStringLiteral("req"), {{"path", "/"}}, T, 1); // no code label at all
    h.append(QStringLiteral("other"), {{"code", "500"}}, T, 1);

    const auto codes = [&](const char *query) {
        QStringList out;
        const QueryResult r = instantAt(h, QString::fromLatin1(query), T);
        INFO(query << " -> " << r.message.toStdString());
        REQUIRE(r.ok());
        for (const SeriesData &s : r.series)
            out.append(s.key.name() + QLatin1Char('/') + s.key.label(QStringLiteral("code")));
        return out;
    };
    CHECK(codes("req{code=\"500\"}") == QStringList{"req/500"});
    // A series without the label matches != (its value is the empty string).
    CHECK(codes("req{code!=\"500\"}") == QStringList{"req/1500", "req/200", "req/503", "req/"});
    CHECK(codes("req{code=~\"5..\"}") == QStringList{"req/500", "req/503"}); // not 1500: anchored
    CHECK(codes("req{code!~\"5..|\"}") == QStringList{"req/1500", "req/200"});
    CHECK(codes("req{code=~\"2.*|15.*\"}") == QStringList{"req/1500", "req/200"});
    CHECK(codes("{code=\"500\"}") == QStringList{"other/500", "req/500"});
    CHECK(codes("{__name__=~\"o.*\"}") == QStringList{"other/500"});
    CHECK(codes("req{code=\"500\",}") == QStringList{"req/500"}); // a trailing comma is fine
    CHECK(codes("req{code='500'}") == QStringList{"req/500"});
    CHECK(codes("req{code=`500`}") == QStringList{"req/500"});
    CHECK(codes("nothing").isEmpty());
}

TEST_CASE("An instant selector takes the newest sample within the 5-minute lookback", "[promql]")
{
    FleetHistory h;
    h.append(QStringLiteral("g"), {{"a", "1"}}, T, 1);
    h.append(QStringLiteral("g"), {{"a", "1"}}, T + 10 * S, 2);
    CHECK(instantAt(h, QStringLiteral("g"), T - 1).series.isEmpty()); // before the first sample
    CHECK(only(instantAt(h, QStringLiteral("g"), T)) == 1);
    CHECK(only(instantAt(h, QStringLiteral("g"), T + 9999)) == 1);
    CHECK(only(instantAt(h, QStringLiteral("g"), T + 10 * S)) == 2);
    CHECK(only(instantAt(h, QStringLiteral("g"), T + 10 * S + 300 * S)) == 2); // exactly 5 minutes old: kept
    CHECK(instantAt(h, QStringLiteral("g"), T + 10 * S + 300 * S + 1).series.isEmpty());
    // The key keeps the metric name for a plain selector.
    CHECK(instantAt(h, QStringLiteral("g"), T).series.first().key == SeriesKey(QStringLiteral("g"), {{"a", "1"}}));
}

TEST_CASE("rate and increase handle a counter reset and extrapolate to the window edges", "[promql]")
{
    FleetHistory h;
    // Samples 10 s apart, reset between 25 s and 35 s, evaluated at 60 s over [1m]:
    //   (5,10) (15,20) (25,30) (35,5) (45,15) (55,25)
    // raw increase: 25 - 10 = 15, plus 30 lost at the reset = 45;
    // first/last are 5 s from the edges, under 1.1 x the 10 s average interval,
    // so extrapolate all the way: 45 x 60 / 50 = 54 (the zero point, 50 x 10/45
    // = 11.1 s before the first sample, is further than the edge).
    const std::pair<int, double> samples[] = {{5, 10}, {15, 20}, {25, 30}, {35, 5}, {45, 15}, {55, 25}};
    for (const auto &[sec, v] : samples)
        h.append(QStringLiteral("c_total"), {{"job", "x"}}, T + sec * S, v);
    CHECK(only(instantAt(h, QStringLiteral("increase(c_total[1m])"), T + 60 * S)) == Approx(54.0).epsilon(1e-12));
    CHECK(only(instantAt(h, QStringLiteral("rate(c_total[1m])"), T + 60 * S)) == Approx(0.9).epsilon(1e-12));
    // rate and increase drop the metric name.
    CHECK(instantAt(h, QStringLiteral("rate(c_total[1m])"), T + 60 * S).series.first().key
          == SeriesKey(QString(), {{"job", "x"}}));
}

TEST_CASE("rate does not extrapolate a counter below zero", "[promql]")
{
    FleetHistory h;
    // (30,1) (40,3) (50,5) (60,7) at 60 s over [1m]: increase 6 over 30 s; the
    // start edge is 30 s away but the counter was zero 30 x 1/6 = 5 s before the
    // first sample, so extrapolate 5 s back and 0 s forward: 6 x 35/30 = 7.
    for (int i = 0; i < 4; ++i)
        h.append(QStringLiteral("c_total"), {}, T + (30 + 10 * i) * S, 1 + 2 * i);
    CHECK(only(instantAt(h, QStringLiteral("increase(c_total[1m])"), T + 60 * S)) == Approx(7.0).epsilon(1e-12));
}

TEST_CASE("rate extrapolates only half an interval when samples stop short of the edges", "[promql]")
{
    FleetHistory h;
    // (20,100) (30,110) (40,120) at 60 s over [1m]: 20 s from each edge, more
    // than 1.1 x 10 s, so add 5 s at each end: 20 x 30/20 = 30, rate 30/60 = 0.5.
    for (int i = 0; i < 3; ++i)
        h.append(QStringLiteral("c_total"), {}, T + (20 + 10 * i) * S, 100 + 10 * i);
    CHECK(only(instantAt(h, QStringLiteral("increase(c_total[1m])"), T + 60 * S)) == Approx(30.0).epsilon(1e-12));
    CHECK(only(instantAt(h, QStringLiteral("rate(c_total[1m])"), T + 60 * S)) == Approx(0.5).epsilon(1e-12));
    // One sample in the window: no rate at all.
    CHECK(instantAt(h, QStringLiteral("rate(c_total[5s])"), T + 40 * S).series.isEmpty());
}

TEST_CASE("A range selector includes a sample exactly at its start, as Prometheus 2.x does", "[promql]")
{
    FleetHistory h;
    // (0,5) (30,30) (60,60) at 60 s over [1m]: all three are in [0, 60]:
    // 55 over 60 s with no extrapolation = 55. Were the start open (Prometheus
    // 3), only (30,30) (60,60) would count, extrapolated to 60.
    h.append(QStringLiteral("c_total"), {}, T, 5);
    h.append(QStringLiteral("c_total"), {}, T + 30 * S, 30);
    h.append(QStringLiteral("c_total"), {}, T + 60 * S, 60);
    CHECK(only(instantAt(h, QStringLiteral("increase(c_total[1m])"), T + 60 * S)) == Approx(55.0).epsilon(1e-12));
    // A bare range selector returns the raw samples.
    const QueryResult raw = instantAt(h, QStringLiteral("c_total[1m]"), T + 60 * S);
    REQUIRE(raw.ok());
    CHECK(raw.type == ResultType::Matrix);
    REQUIRE(raw.series.size() == 1);
    CHECK(raw.series.first().samples.size() == 3);
}

TEST_CASE("histogram_quantile interpolates within buckets as Prometheus does", "[promql]")
{
    FleetHistory h;
    const auto bucket = [&](const char *group, const char *le, double count) {
        h.append(QStringLiteral("lat_bucket"), {{"g", QString::fromLatin1(group)}, {"le", QString::fromLatin1(le)}}, T,
                 count);
    };
    // Group a: 10 observations <= 0.1, 20 in (0.1, 0.5], 10 in (0.5, 1], none above.
    bucket("a", "0.1", 10);
    bucket("a", "0.5", 30);
    bucket("a", "1", 40);
    bucket("a", "+Inf", 40);
    // Group b: as a, plus 10 above 1.
    bucket("b", "0.1", 10);
    bucket("b", "0.5", 30);
    bucket("b", "1", 40);
    bucket("b", "+Inf", 50);
    // Group z: no observations. Group n: no +Inf bucket. Group zero: lowest bound 0.
    bucket("z", "0.1", 0);
    bucket("z", "+Inf", 0);
    bucket("n", "0.1", 5);
    bucket("zero", "0", 5);
    bucket("zero", "1", 10);
    bucket("zero", "+Inf", 10);

    const auto q = [&](const char *phi, const char *group) {
        const QueryResult r = instantAt(
            h, QStringLiteral("histogram_quantile(%1, lat_bucket{g=\"%2\"})").arg(QLatin1String(phi), QLatin1String(group)),
            T);
        return only(r);
    };
    CHECK(q("0.5", "a") == Approx(0.3).epsilon(1e-12));   // rank 20: 0.1 + 0.4 x (20-10)/20
    CHECK(q("0.1", "a") == Approx(0.04).epsilon(1e-12));  // rank 4 in the first bucket, from 0: 0.1 x 4/10
    CHECK(q("0.99", "a") == Approx(0.98).epsilon(1e-12)); // rank 39.6: 0.5 + 0.5 x 9.6/10
    CHECK(q("1", "a") == Approx(1.0).epsilon(1e-12));     // rank 40 reached in the le=1 bucket
    CHECK(q("0.9", "b") == 1.0);                          // rank 45 is in +Inf: the highest finite bound
    CHECK(std::isnan(q("0.5", "z")));                     // no observations
    CHECK(std::isnan(q("0.5", "n")));                     // no +Inf bucket
    CHECK(q("0.2", "zero") == 0.0);                       // rank 2 in a bucket bounded by 0
    CHECK(q("-1", "a") == -std::numeric_limits<double>::infinity());
    CHECK(q("2", "a") == std::numeric_limits<double>::infinity());

    // The result keeps every label but le (and the name), one series per group.
    const QueryResult all = instantAt(h, QStringLiteral("histogram_quantile(0.5, lat_bucket)"), T);
    CHECK(keysOf(all) == QStringList{"{g=\"a\"}", "{g=\"b\"}", "{g=\"n\"}", "{g=\"z\"}", "{g=\"zero\"}"});
}

TEST_CASE("histogram_quantile repairs bucket counts that fall", "[promql]")
{
    FleetHistory h;
    // Cumulative counts 10, 8 (lower than its predecessor), 20: Prometheus lifts
    // 8 to 10, so rank 15 (q 0.75) lies in (1, +Inf]... no: in (0.5, 1]:
    // buckets 0.1:10, 0.5:10, 1:20, +Inf:20; rank 15 -> 0.5 + 0.5 x 5/10 = 0.75.
    h.append(QStringLiteral("b_bucket"), {{"le", "0.1"}}, T, 10);
    h.append(QStringLiteral("b_bucket"), {{"le", "0.5"}}, T, 8);
    h.append(QStringLiteral("b_bucket"), {{"le", "1"}}, T, 20);
    h.append(QStringLiteral("b_bucket"), {{"le", "+Inf"}}, T, 20);
    CHECK(only(instantAt(h, QStringLiteral("histogram_quantile(0.75, b_bucket)"), T)) == Approx(0.75).epsilon(1e-12));
}

TEST_CASE("Aggregations group by and without, in prefix and postfix position", "[promql]")
{
    const FleetHistory h = threeSeries();
    const auto check = [&](const char *query, const QList<std::pair<Labels, double>> &expected) {
        const QueryResult r = instantAt(h, QString::fromLatin1(query), T);
        INFO(query << " -> " << r.message.toStdString() << " " << keysOf(r).join(' ').toStdString());
        REQUIRE(r.ok());
        CHECK(r.series.size() == expected.size());
        for (const auto &[labels, value] : expected) {
            const auto v = valueOf(r, QString(), labels);
            REQUIRE(v);
            CHECK(*v == Approx(value).epsilon(1e-12));
        }
    };
    check("sum by (a) (m)", {{{{"a", "1"}}, 3}, {{{"a", "2"}}, 4}});
    check("sum(m) by (a)", {{{{"a", "1"}}, 3}, {{{"a", "2"}}, 4}});
    check("sum without (b) (m)", {{{{"a", "1"}}, 3}, {{{"a", "2"}}, 4}});
    check("sum(m) without (b)", {{{{"a", "1"}}, 3}, {{{"a", "2"}}, 4}});
    check("sum(m)", {{{}, 7}});
    check("avg by (b) (m)", {{{{"b", "x"}}, 2.5}, {{{"b", "y"}}, 2}});
    check("max by (b) (m)", {{{{"b", "x"}}, 4}, {{{"b", "y"}}, 2}});
    check("min by (b) (m)", {{{{"b", "x"}}, 1}, {{{"b", "y"}}, 2}});
    check("count by (b) (m)", {{{{"b", "x"}}, 2}, {{{"b", "y"}}, 1}});
    check("count(m)", {{{}, 3}});
    // A label no series has is absent from the result, not empty.
    check("sum by (nope) (m)", {{{}, 7}});
    check("SUM BY (a) (m)", {{{{"a", "1"}}, 3}, {{{"a", "2"}}, 4}}); // keywords are case-insensitive
}

TEST_CASE("Vector and scalar arithmetic drops the name and follows IEEE division", "[promql]")
{
    const FleetHistory h = threeSeries();
    const QueryResult doubled = instantAt(h, QStringLiteral("m * 2"), T);
    REQUIRE(doubled.ok());
    CHECK(valueOf(doubled, QString(), {{"a", "2"}, {"b", "x"}}) == 8.0);
    CHECK(valueOf(instantAt(h, QStringLiteral("10 - m"), T), QString(), {{"a", "2"}, {"b", "x"}}) == 6.0);
    CHECK(valueOf(instantAt(h, QStringLiteral("m / 0"), T), QString(), {{"a", "1"}, {"b", "x"}})
          == std::numeric_limits<double>::infinity());
    CHECK(valueOf(instantAt(h, QStringLiteral("-m / 0"), T), QString(), {{"a", "1"}, {"b", "x"}})
          == -std::numeric_limits<double>::infinity());
    const auto nan = valueOf(instantAt(h, QStringLiteral("(m - m) / 0"), T), QString(), {{"a", "1"}, {"b", "x"}});
    REQUIRE(nan);
    CHECK(std::isnan(*nan));
    // Unary minus on a vector drops the name too; unary plus keeps it.
    CHECK(valueOf(instantAt(h, QStringLiteral("-m"), T), QString(), {{"a", "2"}, {"b", "x"}}) == -4.0);
    CHECK(valueOf(instantAt(h, QStringLiteral("+m"), T), QStringLiteral("m"), {{"a", "2"}, {"b", "x"}}) == 4.0);
}

TEST_CASE("Vector to vector arithmetic matches one to one on labels, with on and ignoring", "[promql]")
{
    FleetHistory h = threeSeries();
    h.append(QStringLiteral("z"), {{"a", "1"}}, T, 0);
    h.append(QStringLiteral("z"), {{"a", "2"}}, T, 0);
    const auto value = [&](const char *query, const Labels &labels) {
        const QueryResult r = instantAt(h, QString::fromLatin1(query), T);
        INFO(query << " -> " << r.message.toStdString() << " " << keysOf(r).join(' ').toStdString());
        REQUIRE(r.ok());
        return valueOf(r, QString(), labels);
    };
    // sum by (a) m: {a=1} 3, {a=2} 4; m{b="x"}: {a=1} 1, {a=2} 4.
    CHECK(value("sum by (a) (m) / sum by (a) (m{b=\"x\"})", {{"a", "1"}}) == 3.0);
    CHECK(value("sum by (a) (m) / sum by (a) (m{b=\"x\"})", {{"a", "2"}}) == 1.0);
    // Unmatched elements drop out: {a=1,b=y} has no partner on the right.
    CHECK_FALSE(value("m / m{b=\"x\"}", {{"a", "1"}, {"b", "y"}}));
    CHECK(value("m / m{b=\"x\"}", {{"a", "1"}, {"b", "x"}}) == 1.0);
    // ignoring(b): the left keeps its labels minus b.
    CHECK(value("m{b=\"x\"} / ignoring(b) sum by (a) (m)", {{"a", "1"}}) == Approx(1.0 / 3.0).epsilon(1e-12));
    // on(a): only the on labels remain.
    CHECK(value("m{b=\"y\"} / on(a) sum by (a) (m)", {{"a", "1"}}) == Approx(2.0 / 3.0).epsilon(1e-12));
    // Division by a zero vector: +Inf, and 0/0 is NaN.
    CHECK(value("sum by (a) (m) / z", {{"a", "1"}}) == std::numeric_limits<double>::infinity());
    const auto nan = value("(sum by (a) (m) - sum by (a) (m)) / z", {{"a", "2"}});
    REQUIRE(nan);
    CHECK(std::isnan(*nan));
}

TEST_CASE("Ambiguous vector matching is an execution error, as in Prometheus", "[promql]")
{
    const FleetHistory h = threeSeries();
    // Two series on the right share the signature {a="1"}.
    const QueryResult manyRight = instantAt(h, QStringLiteral("sum by (a) (m) / on(a) m"), T);
    CHECK(manyRight.error == ErrorKind::Server);
    CHECK(manyRight.message.contains(QStringLiteral("many-to-many matching not allowed")));
    // Two series on the left share it.
    const QueryResult manyLeft = instantAt(h, QStringLiteral("m / on(a) sum by (a) (m)"), T);
    CHECK(manyLeft.error == ErrorKind::Server);
    CHECK(manyLeft.message.contains(QStringLiteral("many-to-one matching must be explicit")));
}

TEST_CASE("A range query evaluates at start plus whole steps up to end", "[promql]")
{
    FleetHistory h;
    for (int i = 0; i <= 20; ++i)
        h.append(QStringLiteral("g"), {}, T + i * S, i);
    const promql::ParseResult parsed = promql::parse(QStringLiteral("g * 10"));
    REQUIRE(parsed.ok());
    const QueryResult r = promql::evaluateRange(h, *parsed.expr, T + 1 * S, T + 11 * S, 3 * S);
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::Matrix);
    REQUIRE(r.series.size() == 1);
    const QList<vigil::Sample> expected{{T + 1 * S, 10}, {T + 4 * S, 40}, {T + 7 * S, 70}, {T + 10 * S, 100}};
    CHECK(r.series.first().samples == expected);

    // A scalar gives one series with an empty key.
    const promql::ParseResult one = promql::parse(QStringLiteral("1"));
    const QueryResult scalar = promql::evaluateRange(h, *one.expr, T, T + 2 * S, S);
    REQUIRE(scalar.series.size() == 1);
    CHECK(scalar.series.first().key.isEmpty());
    CHECK(scalar.series.first().samples.size() == 3);

    // The checks of /api/v1/query_range.
    CHECK(promql::evaluateRange(h, *parsed.expr, T, T + S, 0).error == ErrorKind::Server);
    CHECK(promql::evaluateRange(h, *parsed.expr, T + S, T, S).error == ErrorKind::Server);
    CHECK(promql::evaluateRange(h, *parsed.expr, T, T + 11'001 * S, S).message.contains(QStringLiteral("11,000")));
    const promql::ParseResult matrix = promql::parse(QStringLiteral("g[1m]"));
    CHECK(promql::evaluateRange(h, *matrix.expr, T, T + S, S).message.contains(QStringLiteral("range vector")));
}

TEST_CASE("The connector aligns a range query's window as the Prometheus connector does", "[promql]")
{
    // Step rounded up to whole seconds, start and end floored to a multiple of it.
    const AlignedRange a = alignRange(10'500, 20'700, 1500);
    CHECK(a.stepMs == 2000);
    CHECK(a.startMs == 10'000);
    CHECK(a.endMs == 20'000);
    // At least one second.
    CHECK(alignRange(0, 10'000, 10).stepMs == 1000);
    // Coarsened to at most 11,000 points.
    const AlignedRange wide = alignRange(0, 22'000'000, 1000);
    CHECK(wide.stepMs == 2000);
    CHECK((wide.endMs - wide.startMs) / wide.stepMs <= 11'000);
}
