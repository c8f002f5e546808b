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
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), body.size()), &perr);
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

QueryResult parseQueryResponse(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
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
