// SPDX-License-Identifier: GPL-3.0-or-later
// The Prometheus API parser and request builder, against bodies recorded from
// Prometheus 2.42 and VictoriaMetrics 1.79 (tests/fixtures/prometheus) and
// handwritten broken ones.
#include <catch2/catch.hpp>

#include "prometheus_request.h"
#include "prometheus_response.h"

#include <QFile>
#include <cmath>
#include <cstring>

using namespace vigil;
using namespace vigil::prometheus;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/prometheus/") + QLatin1String(name));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

const QString kJson = QStringLiteral("application/json");

} // namespace

// ---- result types ----

TEST_CASE("A vector keeps __name__ out of the labels and converts seconds to ms", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("vector_up.json"), 200, kJson);
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::Vector);
    REQUIRE(r.series.size() == 1);
    const SeriesData &s = r.series.front();
    CHECK(s.key.name() == "up");
    CHECK_FALSE(s.key.hasLabel("__name__"));
    CHECK(s.key.label("job") == "prom");
    CHECK(s.key.label("instance") == "127.0.0.1:19090");
    REQUIRE(s.samples.size() == 1);
    CHECK(s.samples[0].t == 1795932565234);
    CHECK(s.samples[0].v == 1.0);
    CHECK(r.bytes == fixture("vector_up.json").size());
}

TEST_CASE("A vector from an aggregation has an empty name", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("vector_rate.json"), 200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].key.name().isEmpty());
    CHECK(r.series[0].key.label("code") == "200");
    CHECK(r.series[0].samples[0].v == 2.0);
}

TEST_CASE("VictoriaMetrics' integer timestamps parse like Prometheus' float ones", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("vector_up_victoriametrics.json"), 200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].samples[0].t == 1795932565000);
    CHECK(r.series[0].key.name() == "up");
}

TEST_CASE("A matrix yields every sample in order", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("matrix_up.json"), 200, kJson);
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::Matrix);
    REQUIRE(r.series.size() == 1);
    const auto &samples = r.series[0].samples;
    REQUIRE(samples.size() == 6);
    for (qsizetype i = 0; i < samples.size(); ++i) {
        CHECK(samples[i].t == (1795932560 + i) * 1000);
        CHECK(samples[i].v == 1.0);
    }
}

TEST_CASE("A scalar is one series with an empty key", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("scalar.json"), 200, kJson);
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::Scalar);
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].key.isEmpty());
    CHECK(r.series[0].samples[0] == Sample{1795932565313, 1.0});
}

TEST_CASE("A string result keeps its text as a label and NaN as the value", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("string.json"), 200, kJson);
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::String);
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].key.label("value") == "hello");
    CHECK(std::isnan(r.series[0].samples[0].v));
}

TEST_CASE("NaN, +Inf and -Inf arrive as strings and become doubles", "[prometheus][parser]")
{
    const auto nan = parseQueryResponse(fixture("vector_nan.json"), 200, kJson);
    const auto inf = parseQueryResponse(fixture("vector_inf.json"), 200, kJson);
    const auto neg = parseQueryResponse(fixture("vector_neginf.json"), 200, kJson);
    REQUIRE(nan.ok());
    REQUIRE(inf.ok());
    REQUIRE(neg.ok());
    CHECK(std::isnan(nan.series[0].samples[0].v));
    CHECK(std::isinf(inf.series[0].samples[0].v));
    CHECK(inf.series[0].samples[0].v > 0);
    CHECK(std::isinf(neg.series[0].samples[0].v));
    CHECK(neg.series[0].samples[0].v < 0);
}

TEST_CASE("Sample values: every spelling Prometheus and VictoriaMetrics use", "[prometheus][parser]")
{
    CHECK(parseSampleValue("1.5") == 1.5);
    CHECK(parseSampleValue("1e-3") == 0.001);
    CHECK(parseSampleValue("-2") == -2.0);
    CHECK(parseSampleValue("Inf") == std::numeric_limits<double>::infinity());
    CHECK_FALSE(parseSampleValue("abc").has_value());
    CHECK_FALSE(parseSampleValue("").has_value());
}

TEST_CASE("Sample values read exactly as QString::toDouble reads them", "[prometheus][parser][issue7]")
{
    // parseSampleValue has a std::from_chars fast path for plain decimals
    // (issue 7: QString::toDouble was two thirds of parsing a query_range
    // body). Whatever the path, the double must be the very same, and what
    // Qt rejects stays rejected.
    QStringList inputs = {"0", "1", "-1", "1.5", "-0", "0.1", "1e-3", "1E3", "1e+3", "-2.5e-10", "007",
                          ".5", "5.", "1.", "-.5", "1e308", "1e309", "-1e309", "4.9e-324", "1e-400",
                          "123456789012345678901234567890", "0.30000000000000004", "1.7976931348623157e308",
                          "+1", " 1", "1 ", "1e", "e1", "-", ".", "1-2", "1..2", "--1", "1e5.5", "0x10",
                          "nan", "inf", "-inf", "1,5", "١", "abc", ""};
    quint64 x = 88172645463325252ULL; // xorshift: deterministic doubles of every magnitude
    for (int i = 0; i < 3000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        std::memcpy(&d, &x, sizeof d);
        if (!std::isfinite(d))
            continue;
        inputs << QString::number(d, 'g', 17) << QString::number(d, 'g', QLocale::FloatingPointShortest)
               << QString::number(std::fmod(d, 1e6), 'f', 6) << QString::number(double(x % 100000) / 1000.0);
    }
    for (const QString &in : std::as_const(inputs)) {
        INFO(in.toStdString());
        bool ok = false;
        const double qt = in.toDouble(&ok);
        const std::optional<double> ours = parseSampleValue(in);
        CHECK(ours.has_value() == ok);
        if (ours && ok)
            CHECK(std::memcmp(&*ours, &qt, sizeof qt) == 0);
    }
}

TEST_CASE("Warnings are surfaced next to the data", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(fixture("vector_with_warnings.json"), 200, kJson);
    REQUIRE(r.ok());
    CHECK(r.series.size() == 1);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].contains("remote read"));
}

TEST_CASE("An empty result is success with no series", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(R"({"status":"success","data":{"resultType":"vector","result":[]}})", 200, kJson);
    CHECK(r.ok());
    CHECK(r.type == ResultType::Vector);
    CHECK(r.series.isEmpty());
}

TEST_CASE("Native histogram samples are skipped with a warning, not an error", "[prometheus][parser]")
{
    const QueryResult r = parseQueryResponse(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h"},"histogram":[1,{"count":"2","sum":"3"}]},{"metric":{"__name__":"g"},"value":[1,"4"]}]}})",
        200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].key.name() == "g");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].contains("native histogram"));
}

// ---- errors the server explains ----

TEST_CASE("Every Prometheus errorType becomes a Server error with its text", "[prometheus][parser][errors]")
{
    struct Case { const char *file; int status; const char *lead; const char *detail; };
    const Case cases[] = {
        {"error_bad_data.json", 400, "Prometheus rejected the query (bad_data): ", "parse error: unclosed left parenthesis"},
        {"error_range_too_many_points.json", 400, "Prometheus rejected the query (bad_data): ", "11,000 points"},
        {"error_execution.json", 422, "Prometheus could not evaluate the query (execution): ", "duplicate series"},
        {"error_timeout.json", 503, "the query timed out in Prometheus (timeout): ", "timed out in expression evaluation"},
        {"error_canceled.json", 503, "Prometheus canceled the query (canceled): ", "canceled in query queue"},
        {"error_unavailable.json", 503, "Prometheus is not ready to answer (unavailable): ", "TSDB not ready"},
    };
    for (const Case &c : cases) {
        INFO(c.file);
        const QueryResult r = parseQueryResponse(fixture(c.file), c.status, kJson);
        CHECK(r.error == ErrorKind::Server);
        CHECK(r.httpStatus == c.status);
        CHECK(r.message.startsWith(QLatin1String(c.lead)));
        CHECK(r.message.contains(QLatin1String(c.detail)));
    }
}

TEST_CASE("A server error names where it came from when told", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(fixture("error_bad_data.json"), 400, kJson,
                                             "http://127.0.0.1:9090/api/v1/query");
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.message.endsWith("(HTTP 400 Bad Request from http://127.0.0.1:9090/api/v1/query)"));
}

TEST_CASE("An unknown errorType still reads as a server error", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(R"({"status":"error","errorType":"weird","error":"boom"})", 500, kJson);
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.message == "Prometheus returned an error (weird): boom");
}

// ---- bodies that are not what we asked for ----

TEST_CASE("An HTML 502 from a proxy is an HTTP error naming the page title", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(fixture("bad_gateway.html"), 502, "text/html", "http://proxy/api/v1/query");
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.httpStatus == 502);
    CHECK(r.message == "HTTP 502 Bad Gateway from http://proxy/api/v1/query (an HTML page: 502 Bad Gateway)");
}

TEST_CASE("An HTML page with status 200 is a bad response, not data", "[prometheus][parser][errors]")
{
    const QByteArray login = "<!DOCTYPE html><html><head><title>Sign in &amp; continue</title></head><body>...</body></html>";
    const QueryResult r = parseQueryResponse(login, 200, "text/html; charset=utf-8");
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("got an HTML page: Sign in & continue"));
}

TEST_CASE("HTML is recognised even when the Content-Type says JSON", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(fixture("bad_gateway.html"), 200, kJson);
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("502 Bad Gateway"));
}

TEST_CASE("Truncated JSON is reported as truncated", "[prometheus][parser][errors]")
{
    const QByteArray full = fixture("matrix_up.json");
    for (const qsizetype cut : {qsizetype(1), qsizetype(20), full.size() / 2, full.size() - 2}) {
        INFO("cut at " << cut);
        const QueryResult r = parseQueryResponse(full.left(cut), 200, kJson);
        CHECK(r.error == ErrorKind::BadResponse);
        CHECK(r.message.contains("truncated"));
    }
}

TEST_CASE("Malformed JSON that is not cut off says where it breaks", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(R"({"status":"success",, "data":{}})", 200, kJson);
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("not valid JSON"));
    CHECK(r.message.contains("at byte"));
}

TEST_CASE("An empty body: bad response on 200, HTTP error otherwise", "[prometheus][parser][errors]")
{
    const QueryResult ok200 = parseQueryResponse("", 200, kJson);
    CHECK(ok200.error == ErrorKind::BadResponse);
    CHECK(ok200.message.contains("empty answer"));
    const QueryResult e500 = parseQueryResponse("  \n", 500, "text/plain");
    CHECK(e500.error == ErrorKind::Http);
    CHECK(e500.message == "HTTP 500 Internal Server Error (an empty body)");
}

TEST_CASE("A plain-text error body is quoted in the HTTP error", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse("upstream request timeout\n", 504, "text/plain");
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.message == "HTTP 504 Gateway Timeout (text: upstream request timeout)");
}

TEST_CASE("Wrong shapes are bad responses naming the offending path", "[prometheus][parser][errors]")
{
    struct Case { const char *body; const char *mentions; };
    const Case cases[] = {
        {R"([1,2,3])", "not an object"},
        {R"({"data":{}})", R"(no "status")"},
        {R"({"status":"success"})", "data is not an object (got missing)"},
        {R"({"status":"success","data":[]})", "data is not an object (got an array)"},
        {R"({"status":"success","data":{"result":[]}})", "data.resultType is missing"},
        {R"({"status":"success","data":{"resultType":"tensor","result":[]}})", R"(unknown resultType "tensor")"},
        {R"({"status":"success","data":{"resultType":"vector","result":{}}})", "data.result is not an array (got an object)"},
        {R"({"status":"success","data":{"resultType":"vector","result":[5]}})", "data.result[0] is not an object"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":[],"value":[1,"1"]}]}})", "data.result[0].metric is not an object"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}})", "data.result[0].metric.a is not a string"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,1]}]}})", R"(data.result[0].value is not a [timestamp, "value"] pair (got [1,1]))"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","1"]}]}})", "data.result[0].value is not a [timestamp"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1",2]}]}})", "data.result[0].value is not a [timestamp"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})", "data.result[0].value is not a [timestamp, \"value\"] pair (got nothing)"},
        {R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}})", R"(data.result[0].value has a value that is not a number: "abc")"},
        {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":5}]}})", "data.result[0].values is not an array"},
        {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2]]}]}})", "data.result[0].values[1] is not a [timestamp"},
        {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"],[3,"x"]]}]}})", R"(data.result[0].values[2] has a value that is not a number: "x")"},
        {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],["2","2"]]}]}})", R"(data.result[0].values[1] is not a [timestamp, "value"] pair (got ["2","2"]))"},
        {R"({"status":"success","data":{"resultType":"scalar","result":[]}})", "data.result is not a [timestamp"},
    };
    for (const Case &c : cases) {
        INFO(c.body);
        const QueryResult r = parseQueryResponse(QByteArray(c.body), 200, kJson);
        CHECK(r.error == ErrorKind::BadResponse);
        CHECK(r.message.contains(QString::fromUtf8(c.mentions)));
        CHECK(r.series.isEmpty());
    }
}

TEST_CASE("A non-2xx JSON body that is not a Prometheus error is an HTTP error", "[prometheus][parser][errors]")
{
    const QueryResult r = parseQueryResponse(R"({"message":"forbidden"})", 403, kJson);
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.message.startsWith("HTTP 403 Forbidden"));
}

// ---- discovery endpoints ----

TEST_CASE("Label names and values parse to string lists", "[prometheus][parser][discovery]")
{
    const LabelListResult names = parseLabelListResponse(fixture("labels.json"), 200, kJson);
    REQUIRE(names.ok());
    CHECK(names.values.contains("__name__"));
    CHECK(names.values.contains("job"));
    const LabelListResult values = parseLabelListResponse(fixture("label_values_job.json"), 200, kJson);
    REQUIRE(values.ok());
    CHECK(values.values == QStringList{"prom"});
    const LabelListResult none = parseLabelListResponse(R"({"status":"success","data":null})", 200, kJson);
    CHECK(none.ok());
    CHECK(none.values.isEmpty());
    const LabelListResult bad = parseLabelListResponse(R"({"status":"success","data":[1]})", 200, kJson);
    CHECK(bad.error == ErrorKind::BadResponse);
}

TEST_CASE("Series lists parse to keys without __name__ in the labels", "[prometheus][parser][discovery]")
{
    const SeriesListResult r = parseSeriesListResponse(fixture("series_up.json"), 200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0] == SeriesKey("up", {{"instance", "127.0.0.1:19090"}, {"job", "prom"}}));
}

TEST_CASE("Build info: Prometheus names its version, VictoriaMetrics does not", "[prometheus][parser][discovery]")
{
    const BuildInfoResult prom = parseBuildInfoResponse(fixture("buildinfo.json"), 200, kJson);
    REQUIRE(prom.ok());
    CHECK(prom.version == "2.42.0+ds");
    const BuildInfoResult vm = parseBuildInfoResponse(fixture("buildinfo_victoriametrics.json"), 200, kJson);
    REQUIRE(vm.ok());
    CHECK(vm.version.isEmpty());
    const BuildInfoResult missing = parseBuildInfoResponse("404 page not found\n", 404, "text/plain");
    CHECK(missing.error == ErrorKind::Http);
    CHECK(missing.message.contains("404 page not found"));
}

// ---- step selection ----

TEST_CASE("Step: the requested one when the window is small, aligned to it", "[prometheus][step]")
{
    const RangeWindow w = chooseRange(1'700'000'003'500, 1'700'000'603'500, 15'000);
    CHECK(w.stepMs == 15'000);
    CHECK(w.startMs % 15'000 == 0);
    CHECK(w.endMs % 15'000 == 0);
    CHECK(w.startMs <= 1'700'000'003'500);
    CHECK(w.endMs <= 1'700'000'603'500);
    CHECK(w.endMs > 1'700'000'603'500 - 15'000);
}

TEST_CASE("Step: coarsened to stay within 11,000 points per series", "[prometheus][step]")
{
    struct Case { qint64 spanMs; qint64 requested; qint64 expected; };
    const Case cases[] = {
        {30LL * 24 * 3600 * 1000, 15'000, 236'000},  // 30 days: ceil(2,592,000 s / 11000) = 236 s
        {11'000'000, 1'000, 1'000},                  // exactly 11,000 points at 1 s (before alignment)
        {11'000'001, 1'000, 2'000},                  // one ms more: next whole second
        {3600'000, 1, 1'000},                        // never below 1 s
        {3600'000, 1'500, 2'000},                    // rounded up to a whole second
    };
    for (const Case &c : cases) {
        INFO("span " << c.spanMs << " requested " << c.requested);
        const qint64 start = 1'700'000'000'000;
        const RangeWindow w = chooseRange(start, start + c.spanMs, c.requested);
        CHECK(w.stepMs == c.expected);
        CHECK((w.endMs - w.startMs) / w.stepMs <= kMaxPointsPerSeries);
    }
}

TEST_CASE("Step: alignment never pushes the window past the point limit", "[prometheus][step]")
{
    // 11,000 s starting mid-second: aligned start moves back, which could make 11,001 points.
    const RangeWindow w = chooseRange(1'700'000'000'500, 1'700'011'000'400, 1'000);
    CHECK((w.endMs - w.startMs) / w.stepMs <= kMaxPointsPerSeries);
    CHECK(w.stepMs % 1000 == 0);
}

// ---- request building ----

TEST_CASE("Instant queries GET /api/v1/query with the expression and optional time", "[prometheus][request]")
{
    QueryRequest q;
    q.kind = QueryKind::Instant;
    q.expr = "sum by (version) (rate(model_requests_total[1m]))";
    ApiRequest r = buildQueryRequest(q);
    CHECK(r.path == "/api/v1/query");
    CHECK_FALSE(r.post);
    CHECK(r.params.queryItemValue("query", QUrl::FullyDecoded) == q.expr);
    CHECK_FALSE(r.params.hasQueryItem("time"));
    q.timeMs = 1'700'000'000'250;
    r = buildQueryRequest(q);
    CHECK(r.params.queryItemValue("time") == "1700000000.25");
}

TEST_CASE("Range queries carry the aligned start, end and step in seconds", "[prometheus][request]")
{
    QueryRequest q;
    q.kind = QueryKind::Range;
    q.expr = "up";
    q.startMs = 1'700'000'007'000;
    q.endMs = 1'700'000'607'000;
    q.stepMs = 15'000;
    const ApiRequest r = buildQueryRequest(q);
    CHECK(r.path == "/api/v1/query_range");
    CHECK(r.params.queryItemValue("start") == "1699999995");
    CHECK(r.params.queryItemValue("end") == "1700000595");
    CHECK(r.params.queryItemValue("step") == "15");
}

TEST_CASE("Long queries switch to a POST form", "[prometheus][request]")
{
    QueryRequest q;
    q.kind = QueryKind::Instant;
    q.expr = QStringLiteral("up{job=\"a\"}");
    CHECK_FALSE(buildQueryRequest(q).post);
    QStringList alternatives;
    for (int i = 0; i < 200; ++i)
        alternatives << QStringLiteral("model-%1").arg(i);
    q.expr = QStringLiteral("sum(rate(model_requests_total{model=~\"%1\"}[1m]))").arg(alternatives.join('|'));
    REQUIRE(q.expr.size() > 1500);
    const ApiRequest r = buildQueryRequest(q);
    CHECK(r.post);
    CHECK(r.params.toString(QUrl::FullyEncoded).size() > kPostThreshold);
}

TEST_CASE("Discovery requests: match[] selectors and a validated label name", "[prometheus][request]")
{
    const ApiRequest s = buildSeriesRequest({"up", "model_requests_total{model=\"x\"}"}, 1'700'000'000'000, 0);
    CHECK(s.path == "/api/v1/series");
    CHECK(s.params.allQueryItemValues("match[]", QUrl::FullyDecoded).size() == 2);
    CHECK(s.params.queryItemValue("start") == "1700000000");
    CHECK_FALSE(s.params.hasQueryItem("end"));
    CHECK(buildLabelNamesRequest().path == "/api/v1/labels");
    CHECK(buildLabelValuesRequest("version").path == "/api/v1/label/version/values");
    CHECK(buildLabelValuesRequest("../../admin").path.isEmpty());
    CHECK(buildLabelValuesRequest("").path.isEmpty());
}

TEST_CASE("Timestamps are written as seconds with up to millisecond precision", "[prometheus][request]")
{
    CHECK(formatTimestamp(1'700'000'000'000) == "1700000000");
    CHECK(formatTimestamp(1'700'000'000'001) == "1700000000.001");
    CHECK(formatTimestamp(1'700'000'000'120) == "1700000000.12");
    CHECK(formatTimestamp(0) == "0");
}

TEST_CASE("Invalid UTF-8 in a label value is shown as U+FFFD with a warning, and the rest of the answer kept", "[prometheus][parser][errors]")
{
    // Prometheus itself refuses invalid UTF-8 in labels, but a proxy or another
    // engine may send anything: bytes 0xFF, an overlong '/' (C0 AF), a lone
    // continuation byte, a surrogate written as UTF-8 (ED A0 80) and a string
    // cut inside a 3-byte sequence.
    const QByteArray body = QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[)")
        + R"({"metric":{"model":"a)" + QByteArray("\xff\xfe") + R"(b","path":")" + QByteArray("\xc0\xaf\x80")
        + R"("},"value":[1700000000,"1"]},)"
        + R"({"metric":{"model":")" + QByteArray("\xed\xa0\x80") + R"(","cut":"x)" + QByteArray("\xe2\x82")
        + R"("},"value":[1700000000,"2"]}]}})";
    const QueryResult r = parseQueryResponse(body, 200, kJson);
    INFO(r.message.toStdString());
    // Before, the whole answer was refused ("invalid UTF8 string at byte 81"),
    // blanking every panel for one label value.
    REQUIRE(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].contains("held bytes that are not UTF-8 (the first at byte 81)"));
    REQUIRE(r.series.size() == 2);
    const QString replacement(QChar(0xFFFD));
    for (const SeriesData &s : r.series) {
        for (const auto &[name, value] : s.key.labels()) {
            INFO(name.toStdString());
            CHECK(value.isValidUtf16());
        }
    }
    CHECK(r.series[0].key.label("model").startsWith("a"));
    CHECK(r.series[0].key.label("model").contains(replacement));
    CHECK(r.series[0].key.label("model").endsWith("b"));
    CHECK(r.series[0].key.label("path").contains(replacement));
    CHECK(r.series[1].key.label("model").contains(replacement));
    CHECK(r.series[1].key.label("cut").startsWith("x"));
    CHECK(r.series[0].samples[0].v == 1.0);
    CHECK(r.series[1].samples[0].v == 2.0);
}
