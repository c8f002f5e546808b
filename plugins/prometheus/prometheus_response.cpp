// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_response.h"

#include "net/http_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#ifdef VIGIL_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace vigil::prometheus {

namespace {

// fromWhere, jsonTypeName, httpStatusText, isHttpSuccess: core/net/http_client.h.
// How Prometheus' errorType values read to a user (web/api/v1/api.go).
QString describeServerError(const QString &type, const QString &text)
{
    QString lead;
    if (type == QLatin1String("bad_data"))
        lead = QStringLiteral("Prometheus rejected the query");
    else if (type == QLatin1String("execution"))
        lead = QStringLiteral("Prometheus could not evaluate the query");
    else if (type == QLatin1String("timeout"))
        lead = QStringLiteral("the query timed out in Prometheus");
    else if (type == QLatin1String("canceled"))
        lead = QStringLiteral("Prometheus canceled the query");
    else if (type == QLatin1String("unavailable"))
        lead = QStringLiteral("Prometheus is not ready to answer");
    else if (type == QLatin1String("internal"))
        lead = QStringLiteral("Prometheus failed with an internal error");
    else if (type == QLatin1String("not_found"))
        lead = QStringLiteral("Prometheus does not know this");
    else
        lead = QStringLiteral("Prometheus returned an error");
    const QString kind = type.isEmpty() ? QStringLiteral("no errorType") : type;
    return text.isEmpty() ? QStringLiteral("%1 (%2)").arg(lead, kind)
                          : QStringLiteral("%1 (%2): %3").arg(lead, kind, text);
}

// A JSON value as short text for a message: `[1.5,2]`, `"x"`, `null`.
QString compactJson(const QJsonValue &v)
{
    // Wrapped in an array because QJsonDocument holds only arrays and objects.
    const QByteArray json = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    QString text = QString::fromUtf8(json.mid(1, json.size() - 2));
    if (v.isUndefined())
        text = QStringLiteral("nothing");
    return text.size() > 80 ? text.left(77) + QStringLiteral("...") : text;
}

struct ShapeError
{
    QString what;
};

// A [timestamp, "value"] pair at `path`; false with `err` set otherwise.
bool readPair(const QJsonValue &v, const QString &path, qint64 &tMs, QString &text, ShapeError &err)
{
    const QJsonArray pair = v.toArray();
    if (!v.isArray() || pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isString()) {
        err.what = QStringLiteral("%1 is not a [timestamp, \"value\"] pair (got %2)")
                       .arg(path, compactJson(v));
        return false;
    }
    tMs = std::llround(pair.at(0).toDouble() * 1000.0);
    text = pair.at(1).toString();
    return true;
}

bool readSample(const QJsonValue &v, const QString &path, Sample &out, ShapeError &err)
{
    QString text;
    if (!readPair(v, path, out.t, text, err))
        return false;
    const auto value = parseSampleValue(text);
    if (!value) {
        err.what = QStringLiteral("%1 has a value that is not a number: \"%2\"").arg(path, text.left(80));
        return false;
    }
    out.v = *value;
    return true;
}

// The same for one element of a matrix's values: the hot loop. The path
// ("data.result[3].values[1234]") is only written out when the sample is bad:
// formatting it for every sample cost more than reading the sample.
bool readMatrixSample(const QJsonValue &v, const QString &seriesPath, qsizetype j, Sample &out, ShapeError &err)
{
    if (v.isArray()) {
        const QJsonArray pair = v.toArray();
        if (pair.size() == 2 && pair.at(0).isDouble() && pair.at(1).isString()) {
            if (const auto value = parseSampleValue(pair.at(1).toString())) {
                out.t = std::llround(pair.at(0).toDouble() * 1000.0);
                out.v = *value;
                return true;
            }
        }
    }
    return readSample(v, QStringLiteral("%1.values[%2]").arg(seriesPath).arg(j), out, err);
}

bool readKey(const QJsonValue &v, const QString &path, SeriesKey &out, ShapeError &err)
{
    if (!v.isObject()) {
        err.what = QStringLiteral("%1 is not an object of labels (got %2)").arg(path, jsonTypeName(v));
        return false;
    }
    const QJsonObject obj = v.toObject();
    QString name;
    Labels labels;
    labels.reserve(obj.size());
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (!it.value().isString()) {
            err.what = QStringLiteral("%1.%2 is not a string (got %3)").arg(path, it.key(), jsonTypeName(it.value()));
            return false;
        }
        // __name__ stays out of the labels: the caller keys series by query id.
        if (it.key() == QLatin1String("__name__"))
            name = it.value().toString();
        else
            labels.append({it.key(), it.value().toString()});
    }
    out = SeriesKey(std::move(name), std::move(labels));
    return true;
}

} // namespace

std::optional<double> parseSampleValue(const QString &text)
{
    if (text == QLatin1String("NaN"))
        return std::numeric_limits<double>::quiet_NaN();
    if (text == QLatin1String("+Inf") || text == QLatin1String("Inf"))
        return std::numeric_limits<double>::infinity();
    if (text == QLatin1String("-Inf"))
        return -std::numeric_limits<double>::infinity();
    // Fast path for what Prometheus writes (strconv.FormatFloat(v, 'f', -1)):
    // plain ASCII decimals. QString::toDouble goes through QLocale and cost
    // about 13,000 instructions a value (two thirds of parsing a query_range
    // body, per callgrind); std::from_chars rounds correctly as Qt's
    // double-conversion does, so the value is the same double. Anything else
    // ("+1", " 1", "1e999", hex, ...) takes Qt's path as before.
    const qsizetype n = text.size();
    if (n > 0 && n <= 64) {
        char buf[64];
        bool plain = true;
        for (qsizetype i = 0; i < n && plain; ++i) {
            const char16_t c = text.at(i).unicode();
            plain = (c >= u'0' && c <= u'9') || c == u'.' || c == u'-' || c == u'e' || c == u'E';
            buf[i] = char(c);
        }
        if (plain) {
            double v = 0;
            const auto [end, ec] = std::from_chars(buf, buf + n, v, std::chars_format::general);
            if (ec == std::errc() && end == buf + n)
                return v;
        }
    }
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

Envelope parseEnvelope(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    Envelope e;
    const bool success = isHttpSuccess(httpStatus);
    auto fail = [&](ErrorKind kind, QString message) {
        e.error = kind;
        e.message = std::move(message);
        return e;
    };
    auto httpFailure = [&] {
        return fail(ErrorKind::Http, QStringLiteral("%1%2 (%3)")
                                         .arg(httpStatusText(httpStatus), fromWhere(where), describeBody(body, contentType)));
    };

    const QByteArrayView trimmed = body.trimmed();
    if (trimmed.isEmpty()) {
        if (!success)
            return httpFailure();
        return fail(ErrorKind::BadResponse, QStringLiteral("empty answer%1 (expected JSON)").arg(fromWhere(where)));
    }
    if (looksLikeHtml(body, contentType) || trimmed.startsWith('<')) {
        if (!success)
            return httpFailure();
        const QString title = htmlTitle(body);
        return fail(ErrorKind::BadResponse,
                    QStringLiteral("expected JSON%1 but got an HTML page%2 (is the URL the API, not a web UI or a login page?)")
                        .arg(fromWhere(where), title.isEmpty() ? QString() : QStringLiteral(": ") + title));
    }

    QJsonParseError perr;
    // fromRawData: no copy of the body (35 MB for a week of 100 series); the
    // document owns what it parsed and keeps no reference to the bytes.
    // Prometheus refuses invalid UTF-8 in labels, but a proxy or another engine
    // may send it: repaired to U+FFFD, with a warning.
    qsizetype notUtf8 = -1;
    QJsonDocument doc = parseJsonRepairingUtf8(QByteArray::fromRawData(body.data(), body.size()), &perr, &notUtf8);
    if (notUtf8 >= 0)
        e.warnings.append(notUtf8Warning(where, notUtf8));
    if (perr.error != QJsonParseError::NoError) {
        if (!success)
            return httpFailure();
        // The parser ran off the end: the body was cut short, not malformed.
        // (Qt reports an error at or just before the end for a cut-off document.)
        const bool truncated = perr.offset >= trimmed.size() - 1;
        if (truncated)
            return fail(ErrorKind::BadResponse, QStringLiteral("the JSON answer%1 is truncated: it ends after %2")
                                                    .arg(fromWhere(where), formatBytes(body.size())));
        return fail(ErrorKind::BadResponse, QStringLiteral("the answer%1 is not valid JSON: %2 at byte %3")
                                                .arg(fromWhere(where), perr.errorString(), QString::number(perr.offset)));
    }
    if (!doc.isObject()) {
        if (!success)
            return httpFailure();
        return fail(ErrorKind::BadResponse, QStringLiteral("the answer%1 is JSON but not an object").arg(fromWhere(where)));
    }

    const QJsonObject root = doc.object();
    for (const QJsonValue &w : root.value(QLatin1String("warnings")).toArray())
        e.warnings.append(w.toString());
    const QString status = root.value(QLatin1String("status")).toString();
    if (status == QLatin1String("error")) {
        QString message = describeServerError(root.value(QLatin1String("errorType")).toString(),
                                              root.value(QLatin1String("error")).toString());
        if (!where.isEmpty())
            message += httpStatus > 0 ? QStringLiteral(" (%1 from %2)").arg(httpStatusText(httpStatus), where)
                                      : QStringLiteral(" (from %1)").arg(where);
        return fail(ErrorKind::Server, message);
    }
    if (status != QLatin1String("success")) {
        if (!success)
            return httpFailure();
        return fail(ErrorKind::BadResponse,
                    QStringLiteral("the answer%1 has no \"status\": \"success\" or \"error\" (is this a Prometheus API?)")
                        .arg(fromWhere(where)));
    }
    e.data = root.value(QLatin1String("data"));
    return e;
}

QueryResult parseQueryResponseQJson(QByteArrayView body, int httpStatus, const QString &contentType,
                                    const QString &where)
{
    Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    QueryResult result;
    result.httpStatus = httpStatus;
    result.bytes = body.size();
    result.warnings = env.warnings;
    auto fail = [&](ErrorKind kind, const QString &message) {
        QueryResult r = QueryResult::failure(kind, message, httpStatus);
        r.bytes = body.size();
        r.warnings = env.warnings;
        return r;
    };
    auto shape = [&](const QString &what) {
        return fail(ErrorKind::BadResponse, QStringLiteral("unexpected answer%1: %2").arg(fromWhere(where), what));
    };
    if (env.error != ErrorKind::None)
        return fail(env.error, env.message);

    if (!env.data.isObject())
        return shape(QStringLiteral("data is not an object (got %1)").arg(jsonTypeName(env.data)));
    const QJsonObject data = env.data.toObject();
    const QString type = data.value(QLatin1String("resultType")).toString();
    const QJsonValue res = data.value(QLatin1String("result"));
    ShapeError err;
    int skippedHistograms = 0;

    if (type == QLatin1String("vector") || type == QLatin1String("matrix")) {
        const bool matrix = type == QLatin1String("matrix");
        result.type = matrix ? ResultType::Matrix : ResultType::Vector;
        if (!res.isArray())
            return shape(QStringLiteral("data.result is not an array (got %1)").arg(jsonTypeName(res)));
        const QJsonArray items = res.toArray();
        result.series.reserve(items.size());
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString path = QStringLiteral("data.result[%1]").arg(i);
            const QJsonObject item = items.at(i).toObject();
            if (!items.at(i).isObject())
                return shape(QStringLiteral("%1 is not an object (got %2)").arg(path, jsonTypeName(items.at(i))));
            SeriesData sd;
            if (!readKey(item.value(QLatin1String("metric")), path + QStringLiteral(".metric"), sd.key, err))
                return shape(err.what);
            if (matrix) {
                const QJsonValue values = item.value(QLatin1String("values"));
                if (values.isUndefined() && item.contains(QLatin1String("histograms"))) {
                    ++skippedHistograms;
                    continue;
                }
                if (!values.isArray())
                    return shape(QStringLiteral("%1.values is not an array (got %2)").arg(path, jsonTypeName(values)));
                const QJsonArray arr = values.toArray();
                sd.samples.reserve(arr.size());
                for (qsizetype j = 0; j < arr.size(); ++j) {
                    Sample s;
                    if (!readMatrixSample(arr.at(j), path, j, s, err))
                        return shape(err.what);
                    sd.samples.append(s);
                }
                if (item.contains(QLatin1String("histograms")))
                    ++skippedHistograms;
            } else {
                const QJsonValue value = item.value(QLatin1String("value"));
                if (value.isUndefined() && item.contains(QLatin1String("histogram"))) {
                    ++skippedHistograms;
                    continue;
                }
                Sample s;
                if (!readSample(value, path + QStringLiteral(".value"), s, err))
                    return shape(err.what);
                sd.samples.append(s);
            }
            result.series.append(std::move(sd));
        }
    } else if (type == QLatin1String("scalar")) {
        result.type = ResultType::Scalar;
        Sample s;
        if (!readSample(res, QStringLiteral("data.result"), s, err))
            return shape(err.what);
        result.series.append(SeriesData{SeriesKey(), {s}});
    } else if (type == QLatin1String("string")) {
        // A string literal query ("foo"): not a number, so it is kept as a
        // label of a single series whose value is the string read as a number
        // when it is one, NaN otherwise.
        result.type = ResultType::String;
        qint64 t = 0;
        QString text;
        if (!readPair(res, QStringLiteral("data.result"), t, text, err))
            return shape(err.what);
        const double v = parseSampleValue(text).value_or(std::numeric_limits<double>::quiet_NaN());
        result.series.append(SeriesData{SeriesKey(QString(), {{QStringLiteral("value"), text}}), {Sample{t, v}}});
    } else if (type.isEmpty()) {
        return shape(QStringLiteral("data.resultType is %1").arg(jsonTypeName(data.value(QLatin1String("resultType")))));
    } else {
        return shape(QStringLiteral("unknown resultType \"%1\"").arg(type.left(40)));
    }
    if (skippedHistograms > 0)
        result.warnings.append(QStringLiteral("%1 native histogram series skipped (not supported yet)").arg(skippedHistograms));
    return result;
}

#ifdef VIGIL_HAVE_SIMDJSON
namespace {

// The fast path: simdjson's DOM parser (which validates the whole document,
// as QJsonDocument does) walked straight into Samples. It only answers a
// well-formed success: a 2xx JSON object with "status": "success" and a
// vector or matrix whose every part has the expected shape. Anything else
// (errors, HTML, truncation, wrong shapes, bad values, native histograms,
// scalars, strings, a key given twice, nesting beyond 64) returns nullopt and
// the QJsonDocument parser runs, so every error keeps its message.
class FastQueryParser
{
public:
    std::optional<QueryResult> parse(QByteArrayView body, int httpStatus, const QString &contentType)
    {
        // An empty body has a null data(): simdjson would memcpy from it (UB,
        // found by the sanitizer run); the other parser says "empty answer".
        if (body.isEmpty() || !isHttpSuccess(httpStatus) || looksLikeHtml(body, contentType))
            return std::nullopt;
        simdjson::dom::parser *parser = threadParser(size_t(body.size()));
        if (!parser)
            return std::nullopt;
        simdjson::dom::element root;
        // Copies the body into a padded buffer (simdjson reads past the end).
        if (parser->parse(body.data(), size_t(body.size())).get(root) != simdjson::SUCCESS) {
            releaseIfLarge();
            return std::nullopt;
        }
        std::optional<QueryResult> result = walk(root);
        releaseIfLarge();
        if (result) {
            result->httpStatus = httpStatus;
            result->bytes = body.size();
        }
        return result;
    }

private:
    static constexpr size_t kMaxDepth = 64;
    // A parser kept per thread for the small answers of every poll; one that
    // grew for a large answer (its buffers are several times the body) is
    // dropped rather than kept for the life of the connector thread.
    static constexpr size_t kKeepCapacity = 1 << 20;

    static std::unique_ptr<simdjson::dom::parser> &slot()
    {
        thread_local std::unique_ptr<simdjson::dom::parser> parser;
        return parser;
    }
    // nullptr when the buffers cannot be had: the other path then reads the body.
    static simdjson::dom::parser *threadParser(size_t len)
    {
        auto &p = slot();
        if (!p)
            p = std::make_unique<simdjson::dom::parser>();
        if ((p->capacity() < len || p->max_depth() != kMaxDepth) &&
            p->allocate(std::max<size_t>(len, 64), kMaxDepth) != simdjson::SUCCESS) {
            p.reset();
            return nullptr;
        }
        return p.get();
    }
    static void releaseIfLarge()
    {
        auto &p = slot();
        if (p && p->capacity() > kKeepCapacity)
            p.reset();
    }

    static QString text(std::string_view sv) { return QString::fromUtf8(sv.data(), qsizetype(sv.size())); }

    // Each key of interest at most once (QJsonDocument and simdjson could
    // disagree on which duplicate wins); unknown keys are ignored, as before.
    static bool take(simdjson::dom::element &slot, bool &seen, simdjson::dom::element value)
    {
        if (seen)
            return false;
        seen = true;
        slot = value;
        return true;
    }

    std::optional<QueryResult> walk(simdjson::dom::element root)
    {
        simdjson::dom::object obj;
        if (root.get_object().get(obj) != simdjson::SUCCESS)
            return std::nullopt;
        simdjson::dom::element status, data, warnings;
        bool hasStatus = false, hasData = false, hasWarnings = false;
        for (const simdjson::dom::key_value_pair field : obj) {
            bool ok = true;
            if (field.key == "status")
                ok = take(status, hasStatus, field.value);
            else if (field.key == "data")
                ok = take(data, hasData, field.value);
            else if (field.key == "warnings")
                ok = take(warnings, hasWarnings, field.value);
            else if (field.key == "errorType" || field.key == "error")
                ok = true; // read only for an error status, which takes the other path
            if (!ok)
                return std::nullopt;
        }
        std::string_view statusText;
        if (!hasStatus || status.get_string().get(statusText) != simdjson::SUCCESS || statusText != "success")
            return std::nullopt;
        QueryResult result;
        if (hasWarnings) {
            // As before: a warnings value that is not an array is ignored, an
            // element that is not a string reads as an empty warning.
            simdjson::dom::array arr;
            if (warnings.get_array().get(arr) == simdjson::SUCCESS) {
                for (const simdjson::dom::element w : arr) {
                    std::string_view sv;
                    result.warnings.append(w.get_string().get(sv) == simdjson::SUCCESS ? text(sv) : QString());
                }
            }
        }
        simdjson::dom::object dataObj;
        if (!hasData || data.get_object().get(dataObj) != simdjson::SUCCESS)
            return std::nullopt;
        simdjson::dom::element resultType, res;
        bool hasType = false, hasResult = false;
        for (const simdjson::dom::key_value_pair field : dataObj) {
            bool ok = true;
            if (field.key == "resultType")
                ok = take(resultType, hasType, field.value);
            else if (field.key == "result")
                ok = take(res, hasResult, field.value);
            if (!ok)
                return std::nullopt;
        }
        std::string_view type;
        if (!hasType || resultType.get_string().get(type) != simdjson::SUCCESS)
            return std::nullopt;
        const bool matrix = type == "matrix";
        if (!matrix && type != "vector")
            return std::nullopt; // scalar, string, unknown: small or wrong, the other path
        result.type = matrix ? ResultType::Matrix : ResultType::Vector;
        simdjson::dom::array items;
        if (!hasResult || res.get_array().get(items) != simdjson::SUCCESS)
            return std::nullopt;
        for (const simdjson::dom::element item : items) {
            SeriesData sd;
            if (!readItem(item, matrix, sd))
                return std::nullopt;
            result.series.append(std::move(sd));
        }
        return result;
    }

    static bool readItem(simdjson::dom::element item, bool matrix, SeriesData &sd)
    {
        simdjson::dom::object obj;
        if (item.get_object().get(obj) != simdjson::SUCCESS)
            return false;
        simdjson::dom::element metric, values;
        bool hasMetric = false, hasValues = false;
        for (const simdjson::dom::key_value_pair field : obj) {
            bool ok = true;
            if (field.key == "metric")
                ok = take(metric, hasMetric, field.value);
            else if (field.key == (matrix ? "values" : "value"))
                ok = take(values, hasValues, field.value);
            else if (field.key == "histograms" || field.key == "histogram")
                ok = false; // native histograms: counted and skipped by the other path
            if (!ok)
                return false;
        }
        if (!hasMetric || !hasValues || !readKey(metric, sd.key))
            return false;
        if (!matrix) {
            Sample s;
            if (!readPair(values, s))
                return false;
            sd.samples.append(s);
            return true;
        }
        simdjson::dom::array arr;
        if (values.get_array().get(arr) != simdjson::SUCCESS)
            return false;
        sd.samples.reserve(qsizetype(arr.size())); // saturates at 2^24 - 1: only a hint
        for (const simdjson::dom::element pair : arr) {
            Sample s;
            if (!readPair(pair, s))
                return false;
            sd.samples.append(s);
        }
        return true;
    }

    static bool readKey(simdjson::dom::element metric, SeriesKey &out)
    {
        simdjson::dom::object obj;
        if (metric.get_object().get(obj) != simdjson::SUCCESS)
            return false;
        QString name;
        bool hasName = false;
        Labels labels;
        labels.reserve(qsizetype(obj.size()));
        for (const simdjson::dom::key_value_pair field : obj) {
            std::string_view value;
            if (field.value.get_string().get(value) != simdjson::SUCCESS)
                return false;
            if (field.key == "__name__") {
                if (hasName)
                    return false;
                hasName = true;
                name = text(value);
            } else {
                labels.append({text(field.key), text(value)});
            }
        }
        // A label given twice: QJsonDocument's choice is the reference.
        for (qsizetype i = 1; i < labels.size(); ++i) {
            for (qsizetype j = 0; j < i; ++j) {
                if (labels[i].first == labels[j].first)
                    return false;
            }
        }
        out = SeriesKey(std::move(name), std::move(labels));
        return true;
    }

    static bool readPair(simdjson::dom::element v, Sample &out)
    {
        simdjson::dom::array pair;
        if (v.get_array().get(pair) != simdjson::SUCCESS)
            return false;
        auto it = pair.begin();
        const auto end = pair.end();
        if (it == end)
            return false;
        double t = 0;
        if ((*it).get_double().get(t) != simdjson::SUCCESS)
            return false;
        ++it;
        if (it == end)
            return false;
        std::string_view value;
        if ((*it).get_string().get(value) != simdjson::SUCCESS)
            return false;
        ++it;
        if (!(it == end))
            return false;
        const auto parsed = parseSampleValueUtf8(value);
        if (!parsed)
            return false;
        out.t = std::llround(t * 1000.0);
        out.v = *parsed;
        return true;
    }

    // parseSampleValue on the UTF-8 bytes: the same special names and the
    // same std::from_chars fast path; anything else goes through the QString
    // version, so the answer is the same double.
    static std::optional<double> parseSampleValueUtf8(std::string_view sv)
    {
        if (sv == "NaN")
            return std::numeric_limits<double>::quiet_NaN();
        const size_t n = sv.size();
        if (n > 0 && n <= 64) {
            bool plain = true;
            for (size_t i = 0; i < n && plain; ++i) {
                const char c = sv[i];
                plain = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == 'e' || c == 'E';
            }
            if (plain) {
                double v = 0;
                const auto [end, ec] = std::from_chars(sv.data(), sv.data() + n, v, std::chars_format::general);
                if (ec == std::errc() && end == sv.data() + n)
                    return v;
            }
        }
        return parseSampleValue(text(sv));
    }
};

} // namespace
#endif

QueryResult parseQueryResponse(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
#ifdef VIGIL_HAVE_SIMDJSON
    if (auto fast = FastQueryParser().parse(body, httpStatus, contentType))
        return std::move(*fast);
#endif
    return parseQueryResponseQJson(body, httpStatus, contentType, where);
}

bool hasFastQueryParser()
{
#ifdef VIGIL_HAVE_SIMDJSON
    return true;
#else
    return false;
#endif
}

LabelListResult parseLabelListResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where)
{
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    LabelListResult r;
    r.warnings = env.warnings;
    if (env.error != ErrorKind::None) {
        r.error = env.error;
        r.message = env.message;
        return r;
    }
    // Prometheus answers null rather than [] when nothing matches.
    if (env.data.isNull())
        return r;
    if (!env.data.isArray()) {
        r.error = ErrorKind::BadResponse;
        r.message = QStringLiteral("unexpected answer%1: data is not an array of names (got %2)")
                        .arg(fromWhere(where), jsonTypeName(env.data));
        return r;
    }
    const QJsonArray arr = env.data.toArray();
    r.values.reserve(arr.size());
    for (qsizetype i = 0; i < arr.size(); ++i) {
        if (!arr.at(i).isString()) {
            r.error = ErrorKind::BadResponse;
            r.message = QStringLiteral("unexpected answer%1: data[%2] is not a string (got %3)")
                            .arg(fromWhere(where), QString::number(i), jsonTypeName(arr.at(i)));
            r.values.clear();
            return r;
        }
        r.values.append(arr.at(i).toString());
    }
    return r;
}

MetadataResult parseMetadataResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                     const QString &where)
{
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    MetadataResult r;
    if (env.error != ErrorKind::None) {
        r.error = env.error;
        r.message = env.message;
        return r;
    }
    if (env.data.isNull())
        return r;
    if (!env.data.isObject()) {
        r.error = ErrorKind::BadResponse;
        r.message = QStringLiteral("unexpected answer%1: data is not an object of metrics (got %2)")
                        .arg(fromWhere(where), jsonTypeName(env.data));
        return r;
    }
    const QJsonObject metrics = env.data.toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        const QJsonObject first = it.value().toArray().at(0).toObject();
        if (first.isEmpty())
            continue;
        r.metrics.insert(it.key(), MetadataResult::Entry{first.value(QLatin1String("type")).toString(),
                                                         first.value(QLatin1String("help")).toString(),
                                                         first.value(QLatin1String("unit")).toString()});
    }
    return r;
}

SeriesListResult parseSeriesListResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                         const QString &where)
{
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    SeriesListResult r;
    r.warnings = env.warnings;
    if (env.error != ErrorKind::None) {
        r.error = env.error;
        r.message = env.message;
        return r;
    }
    if (env.data.isNull())
        return r;
    if (!env.data.isArray()) {
        r.error = ErrorKind::BadResponse;
        r.message = QStringLiteral("unexpected answer%1: data is not an array of label sets (got %2)")
                        .arg(fromWhere(where), jsonTypeName(env.data));
        return r;
    }
    const QJsonArray arr = env.data.toArray();
    ShapeError err;
    for (qsizetype i = 0; i < arr.size(); ++i) {
        SeriesKey key;
        if (!readKey(arr.at(i), QStringLiteral("data[%1]").arg(i), key, err)) {
            r.error = ErrorKind::BadResponse;
            r.message = QStringLiteral("unexpected answer%1: %2").arg(fromWhere(where), err.what);
            r.series.clear();
            return r;
        }
        r.series.append(std::move(key));
    }
    return r;
}

BuildInfoResult parseBuildInfoResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where)
{
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    BuildInfoResult r;
    if (env.error != ErrorKind::None) {
        r.error = env.error;
        r.message = env.message;
        return r;
    }
    if (!env.data.isObject()) {
        r.error = ErrorKind::BadResponse;
        r.message = QStringLiteral("unexpected answer%1: data is not an object (got %2)")
                        .arg(fromWhere(where), jsonTypeName(env.data));
        return r;
    }
    const QJsonObject data = env.data.toObject();
    r.version = data.value(QLatin1String("version")).toString();
    r.revision = data.value(QLatin1String("revision")).toString();
    return r;
}

} // namespace vigil::prometheus
