// SPDX-License-Identifier: GPL-3.0-or-later
// parseQueryResponse reads well-formed answers with simdjson when built with
// it, and hands everything else to the QJsonDocument parser. Whatever the
// path, the result must be the one parseQueryResponseQJson gives: same error,
// same message, same series, bit for bit the same samples. Compared here on
// recorded bodies, the fuzz seeds, and bodies that probe where the two JSON
// parsers could differ (escapes, duplicate keys, numbers, nesting, cuts).
#include <catch2/catch.hpp>

#include "prometheus_response.h"

#include <QDir>
#include <QFile>
#include <cstring>

using namespace vigil;
using namespace vigil::prometheus;

namespace {

const QString kJson = QStringLiteral("application/json");
const QString kWhere = QStringLiteral("http://prom:9090/api/v1/query_range");

std::string describe(const QueryResult &r)
{
    std::string out = "error=" + std::to_string(int(r.error)) + " type=" + std::to_string(int(r.type)) +
                      " http=" + std::to_string(r.httpStatus) + " bytes=" + std::to_string(r.bytes) +
                      " message=" + r.message.toStdString() + " warnings=" + r.warnings.join(u'|').toStdString() +
                      " series=" + std::to_string(r.series.size());
    for (const SeriesData &sd : r.series)
        out += " " + sd.key.toString().toStdString() + "#" + std::to_string(sd.samples.size());
    return out;
}

bool sameResult(const QueryResult &a, const QueryResult &b)
{
    if (a.error != b.error || a.message != b.message || a.httpStatus != b.httpStatus || a.type != b.type ||
        a.warnings != b.warnings || a.bytes != b.bytes || a.series.size() != b.series.size())
        return false;
    for (qsizetype i = 0; i < a.series.size(); ++i) {
        const SeriesData &x = a.series[i], &y = b.series[i];
        if (!(x.key == y.key) || x.key.toString() != y.key.toString() || x.samples.size() != y.samples.size())
            return false;
        // Bit for bit: NaN compares unequal to itself, and -0.0 equal to 0.0.
        if (!x.samples.isEmpty() // an empty list's data pointer may be null: no memcmp (UBSan)
            && std::memcmp(x.samples.constData(), y.samples.constData(), size_t(x.samples.size()) * sizeof(Sample)) != 0)
            return false;
    }
    return true;
}

int g_compared = 0; // bodies checkSame() has compared, for the cases to count what they covered

void checkSame(const QByteArray &body, int status = 200, const QString &contentType = kJson)
{
    ++g_compared;
    const QueryResult fast = parseQueryResponse(body, status, contentType, kWhere);
    const QueryResult ref = parseQueryResponseQJson(body, status, contentType, kWhere);
    INFO("body: " << body.left(300).toStdString());
    INFO("parseQueryResponse:      " << describe(fast));
    INFO("parseQueryResponseQJson: " << describe(ref));
    CHECK(sameResult(fast, ref));
}

QByteArray matrix(const QByteArray &metric, const QByteArray &values)
{
    return R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":)" + metric +
           R"(,"values":)" + values + "}]}}";
}

QByteArray vector(const QByteArray &metric, const QByteArray &value)
{
    return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":)" + metric +
           R"(,"value":)" + value + "}]}}";
}

} // namespace

TEST_CASE("The fast query parser and the QJsonDocument parser agree on recorded bodies and fuzz seeds",
          "[prometheus][parser][simdjson]")
{
    int files = 0;
    for (const char *dir : {"/tests/fixtures/prometheus", "/fuzz/corpus/fuzz_prometheus_response"}) {
        const QDir d(QStringLiteral(VIGIL_SOURCE_DIR) + QLatin1String(dir));
        for (const QString &name : d.entryList(QDir::Files)) {
            QFile f(d.filePath(name));
            REQUIRE(f.open(QIODevice::ReadOnly));
            const QByteArray body = f.readAll();
            INFO("file: " << name.toStdString());
            checkSame(body);
            checkSame(body, 422);
            checkSame(body, 200, QStringLiteral("text/html"));
            // Every cut of the first 2 KB: truncated bodies keep their message.
            for (qsizetype n = 0; n < std::min<qsizetype>(body.size(), 2048); n += 7)
                checkSame(body.left(n));
            ++files;
        }
    }
    CHECK(files >= 30);
}

TEST_CASE("The fast query parser reads labels, escapes and values exactly as QJsonDocument does",
          "[prometheus][parser][simdjson]")
{
    const int before = g_compared;
    // Escapes and non-ASCII in label names and values.
    checkSame(matrix(R"({"__name__":"up","job":"a\"b\\c\/d\n\t","\u00e9t\u00e9":"\u65e5\u672c","emoji":"\ud83d\ude00"})",
                     R"([[1,"1"]])"));
    checkSame(matrix(R"({"job":"caf\u00e9","raw":"é日本😀"})", R"([[1.5,"2"]])"));
    // Lone surrogates and a NUL: whichever way QJsonDocument reads them.
    checkSame(matrix(R"({"a":"\ud800"})", R"([[1,"1"]])"));
    checkSame(matrix(R"({"a":"\udc00x"})", R"([[1,"1"]])"));
    checkSame(matrix(R"({"a":"x\u0000y"})", R"([[1,"1"]])"));
    // Duplicate keys, at every level.
    checkSame(matrix(R"({"a":"1","a":"2"})", R"([[1,"1"]])"));
    checkSame(matrix(R"({"__name__":"x","__name__":"y"})", R"([[1,"1"]])"));
    checkSame(R"({"status":"success","status":"error","data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]},"data":{"resultType":"matrix","result":[]}})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","resultType":"matrix","result":[]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]],"values":[[2,"2"]]}]}})");
    // Values: what Prometheus writes, and what it does not.
    for (const char *v : {"1", "-1", "0", "-0", "1.5", "1e-3", "1E+3", "6.02214076e23", "0.30000000000000004",
                          "1.7976931348623157e308", "4.9e-324", "2.2250738585072011e-308", "1e999", "-1e999", "NaN",
                          "+Inf", "Inf", "-Inf", "inf", "nan", "+1", " 1", "1 ", "0x10", "", "1.", ".5", "--1",
                          "1e", "١", "12345678901234567890123", "\\u0031"}) {
        INFO("value: " << v);
        checkSame(matrix("{}", QByteArray(R"([[1,")") + v + R"("]])"));
        checkSame(vector("{}", QByteArray(R"([1,")") + v + R"("])"));
    }
    // Timestamps: integers, fractions, large, negative, exponents, not numbers.
    for (const char *t : {"0", "-1", "1700000000", "1700000000.123", "1700000000.1234567", "1.7e9", "17e8",
                          "9007199254740993", "9223372036854775807", "9223372036854775808", "18446744073709551616",
                          "1e400", "-0", "0.0005", "0.0015", "\"1\"", "null", "true", "[1]", "{}"}) {
        INFO("timestamp: " << t);
        checkSame(matrix("{}", QByteArray("[[") + t + R"(,"1"]])"));
    }
    // Pairs of the wrong length or types.
    for (const char *pair : {"[]", "[1]", R"([1,"1",2])", R"(["1","1"])", R"([1,1])", "{}", "1", "null"}) {
        INFO("pair: " << pair);
        checkSame(matrix("{}", QByteArray("[") + pair + "]"));
        checkSame(vector("{}", pair));
    }
    // Each checkSame() CHECKs that both parsers agree; all 111 bodies above were compared.
    CHECK(g_compared - before == 11 + 32 * 2 + 20 + 8 * 2);
}

TEST_CASE("The fast query parser leaves wrong shapes, warnings and histograms to the QJsonDocument parser",
          "[prometheus][parser][simdjson]")
{
    checkSame(R"({"status":"success","warnings":["a","b"],"data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"success","warnings":["a",1,null],"data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"success","warnings":"a","data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"histograms":[]}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[],"histograms":[]}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{}]}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":{}}]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":[1]}})");
    checkSame(R"({"status":"success","data":{"resultType":"matrix","result":{}}})");
    checkSame(R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})");
    checkSame(R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})");
    checkSame(R"({"status":"success","data":{"resultType":"heatmap","result":[]}})");
    checkSame(R"({"status":"success","data":{"result":[]}})");
    checkSame(R"({"status":"success","data":[]})");
    checkSame(R"({"status":"success"})");
    checkSame(R"({"status":"Success","data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"error","errorType":"bad_data","error":"parse error"})");
    checkSame(R"([{"status":"success"}])");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]}} x)");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]}}   )");
    checkSame("\xEF\xBB\xBF" R"({"status":"success","data":{"resultType":"vector","result":[]}})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]},"x":tru})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]},"x":"\xff"})");
    checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]},"x":[01]})");
    // Nesting: deep in an ignored field, up to and beyond both parsers' limits.
    for (int depth : {10, 63, 64, 65, 200, 1023, 1024, 1025, 3000}) {
        INFO("depth: " << depth);
        checkSame(R"({"status":"success","data":{"resultType":"vector","result":[]},"x":)" +
                  QByteArray(depth, '[') + QByteArray(depth, ']') + "}");
    }
    // The ordinary answer, for every status and an HTML content type.
    const QByteArray ok = matrix(R"({"__name__":"up","job":"node"})", R"([[1700000000,"1"],[1700000015.5,"0.25"]])");
    for (int status : {0, 200, 204, 299, 300, 400, 422, 500, 503})
        checkSame(ok, status);
    checkSame(ok, 200, QStringLiteral("text/html; charset=utf-8"));
    const QueryResult r = parseQueryResponse(ok, 200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].samples == QList<Sample>{{1700000000000, 1.0}, {1700000015500, 0.25}});
}
