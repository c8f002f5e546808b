// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow_response.h"

#include "net/http_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <cmath>
#include <limits>
#include <optional>

namespace vigil::mlflow {

namespace {

// fromWhere, jsonTypeName, httpStatusText, isHttpSuccess: core/net/http_client.h.
// A wrong shape somewhere in the answer: where it is and what was there.
struct ShapeError
{
    QString what;
    bool failed() const { return !what.isEmpty(); }
};

// A JSON number as an int64, if it is one: casting a double beyond qint64
// (1e300 from a broken server) is undefined behaviour (fuzz_mlflow_response).
std::optional<qint64> asInt64(double d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return std::nullopt;
    return qint64(d);
}

// Ids and versions are strings in MLflow; a number (another implementation, a
// hand-written mock) is taken as its decimal text.
QString text(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isString())
        return v.toString();
    if (v.isDouble()) {
        const std::optional<qint64> n = asInt64(v.toDouble());
        return n ? QString::number(*n) : QString::number(v.toDouble(), 'g', 17);
    }
    return {};
}

// Epoch ms; a number, or (protobuf's JSON for int64) a string of digits. A
// number beyond int64 is no time at all: 0, "not set".
qint64 millis(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isDouble())
        return asInt64(v.toDouble()).value_or(0);
    if (v.isString())
        return v.toString().toLongLong();
    return 0;
}

// An array that may be omitted (empty); anything else is a shape error.
QJsonArray array(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isArray()) {
        err.what = QStringLiteral("%1.%2 is not an array (got %3)").arg(path, QLatin1String(key), jsonTypeName(v));
        return {};
    }
    return v.toArray();
}

QJsonObject object(const QJsonValue &v, const QString &path, ShapeError &err)
{
    if (!v.isObject()) {
        err.what = QStringLiteral("%1 is not an object (got %2)").arg(path, jsonTypeName(v));
        return {};
    }
    return v.toObject();
}

KeyValues keyValues(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    KeyValues out;
    const QJsonArray items = array(o, key, path, err);
    for (qsizetype i = 0; i < items.size() && !err.failed(); ++i) {
        const QJsonObject kv = object(items.at(i), QStringLiteral("%1.%2[%3]").arg(path, QLatin1String(key)).arg(i), err);
        if (!err.failed())
            out.append({text(kv, "key"), text(kv, "value")});
    }
    return out;
}

// MLflow writes non-finite metric values as the strings "NaN", "Infinity", "-Infinity".
std::optional<double> metricValue(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (v.isUndefined())
        return 0.0; // a value of 0 is a default, so omitted
    const QString s = v.toString();
    if (s == QLatin1String("NaN"))
        return std::numeric_limits<double>::quiet_NaN();
    if (s == QLatin1String("Infinity") || s == QLatin1String("+Infinity") || s == QLatin1String("inf"))
        return std::numeric_limits<double>::infinity();
    if (s == QLatin1String("-Infinity") || s == QLatin1String("-inf"))
        return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double d = s.toDouble(&ok);
    return ok ? std::optional<double>(d) : std::nullopt;
}

QList<MetricPoint> metricPoints(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    QList<MetricPoint> out;
    const QJsonArray items = array(o, key, path, err);
    out.reserve(items.size());
    for (qsizetype i = 0; i < items.size() && !err.failed(); ++i) {
        const QString at = QStringLiteral("%1.%2[%3]").arg(path, QLatin1String(key)).arg(i);
        const QJsonObject m = object(items.at(i), at, err);
        if (err.failed())
            break;
        MetricPoint p;
        p.key = text(m, "key");
        const auto value = metricValue(m.value(QLatin1String("value")));
        if (!value) {
            err.what = QStringLiteral("%1.value is not a number (got %2)").arg(at, jsonTypeName(m.value(QLatin1String("value"))));
            break;
        }
        p.value = *value;
        p.timestampMs = millis(m, "timestamp");
        p.step = millis(m, "step");
        out.append(p);
    }
    return out;
}

ModelVersion modelVersion(const QJsonObject &o, const QString &path, bool aliasesKnown, ShapeError &err)
{
    ModelVersion v;
    v.name = text(o, "name");
    v.version = text(o, "version");
    if (v.version.isEmpty()) {
        err.what = QStringLiteral("%1 has no version").arg(path);
        return v;
    }
    v.stage = text(o, "current_stage");
    v.runId = text(o, "run_id");
    v.status = text(o, "status");
    v.statusMessage = text(o, "status_message");
    v.description = text(o, "description");
    v.source = text(o, "source");
    v.userId = text(o, "user_id");
    v.creationTimeMs = millis(o, "creation_timestamp");
    v.lastUpdatedTimeMs = millis(o, "last_updated_timestamp");
    v.tags = keyValues(o, "tags", path, err);
    // A list of strings here; the registered model's aliases are objects.
    const QJsonArray aliases = array(o, "aliases", path, err);
    for (const QJsonValue &a : aliases)
        v.aliases.append(a.toString());
    v.aliasesKnown = aliasesKnown;
    return v;
}

RegisteredModel registeredModel(const QJsonObject &o, const QString &path, ShapeError &err)
{
    RegisteredModel m;
    m.name = text(o, "name");
    if (m.name.isEmpty()) {
        err.what = QStringLiteral("%1 has no name").arg(path);
        return m;
    }
    m.description = text(o, "description");
    m.creationTimeMs = millis(o, "creation_timestamp");
    m.lastUpdatedTimeMs = millis(o, "last_updated_timestamp");
    m.tags = keyValues(o, "tags", path, err);
    const QJsonArray aliases = array(o, "aliases", path, err);
    for (qsizetype i = 0; i < aliases.size() && !err.failed(); ++i) {
        const QJsonObject a = object(aliases.at(i), QStringLiteral("%1.aliases[%2]").arg(path).arg(i), err);
        m.aliases.append(ModelAlias{text(a, "alias"), text(a, "version")});
    }
    const QJsonArray latest = array(o, "latest_versions", path, err);
    for (qsizetype i = 0; i < latest.size() && !err.failed(); ++i) {
        const QString at = QStringLiteral("%1.latest_versions[%2]").arg(path).arg(i);
        const QJsonObject vo = object(latest.at(i), at, err);
        if (err.failed())
            break;
        ModelVersion v = modelVersion(vo, at, false, err);
        applyAliases(m.aliases, v);
        m.latestVersions.append(std::move(v));
    }
    return m;
}

Experiment experiment(const QJsonObject &o, const QString &path, ShapeError &err)
{
    Experiment e;
    e.id = text(o, "experiment_id");
    if (e.id.isEmpty()) {
        err.what = QStringLiteral("%1 has no experiment_id").arg(path);
        return e;
    }
    e.name = text(o, "name");
    e.artifactLocation = text(o, "artifact_location");
    e.lifecycleStage = text(o, "lifecycle_stage");
    e.creationTimeMs = millis(o, "creation_time");
    e.lastUpdateTimeMs = millis(o, "last_update_time");
    e.tags = keyValues(o, "tags", path, err);
    return e;
}

Run run(const QJsonObject &o, const QString &path, ShapeError &err)
{
    Run r;
    const QJsonObject info = object(o.value(QLatin1String("info")), path + QStringLiteral(".info"), err);
    if (err.failed())
        return r;
    // run_uuid is the deprecated spelling; 2.10 sends both.
    r.id = text(info, "run_id");
    if (r.id.isEmpty())
        r.id = text(info, "run_uuid");
    if (r.id.isEmpty()) {
        err.what = QStringLiteral("%1.info has no run_id").arg(path);
        return r;
    }
    r.experimentId = text(info, "experiment_id");
    r.name = text(info, "run_name");
    r.userId = text(info, "user_id");
    r.status = text(info, "status");
    r.lifecycleStage = text(info, "lifecycle_stage");
    r.artifactUri = text(info, "artifact_uri");
    r.startTimeMs = millis(info, "start_time");
    r.endTimeMs = millis(info, "end_time");
    // A run with nothing logged has no data at all.
    const QJsonValue dataValue = o.value(QLatin1String("data"));
    if (dataValue.isUndefined())
        return r;
    const QString dataPath = path + QStringLiteral(".data");
    const QJsonObject data = object(dataValue, dataPath, err);
    if (err.failed())
        return r;
    r.metrics = metricPoints(data, "metrics", dataPath, err);
    r.params = keyValues(data, "params", dataPath, err);
    r.tags = keyValues(data, "tags", dataPath, err);
    return r;
}

template<typename T>
Result<T> fromAnswer(const Answer &a)
{
    Result<T> r;
    r.error = a.error;
    r.message = a.message;
    r.httpStatus = a.httpStatus;
    r.errorCode = a.errorCode;
    r.notFound = a.notFound;
    r.warnings = a.warnings;
    return r;
}

template<typename T>
Result<T> shapeFailure(const ShapeError &err, int httpStatus, const QString &where)
{
    return Result<T>::failure(ErrorKind::BadResponse,
                              QStringLiteral("unexpected answer%1: %2").arg(fromWhere(where), err.what), httpStatus);
}

// A listing: `key` holds an array of objects, each read by `readOne`.
template<typename T, typename ReadOne>
Result<Page<T>> parsePage(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where,
                          const char *key, ReadOne readOne)
{
    const Answer a = parseAnswer(body, httpStatus, contentType, where);
    if (!a.ok())
        return fromAnswer<Page<T>>(a);
    Result<Page<T>> out;
    out.httpStatus = httpStatus;
    out.warnings = a.warnings;
    ShapeError err;
    const QJsonArray items = array(a.json, key, QString(), err);
    out.value.items.reserve(items.size());
    for (qsizetype i = 0; i < items.size() && !err.failed(); ++i) {
        const QString path = QStringLiteral("%1[%2]").arg(QLatin1String(key)).arg(i);
        const QJsonObject o = object(items.at(i), path, err);
        if (err.failed())
            break;
        T item = readOne(o, path, err);
        if (!err.failed())
            out.value.items.append(std::move(item));
    }
    if (err.failed()) {
        if (err.what.startsWith(QLatin1Char('.')))
            err.what.remove(0, 1);
        return shapeFailure<Page<T>>(err, httpStatus, where);
    }
    const QJsonValue token = a.json.value(QLatin1String("next_page_token"));
    if (!token.isUndefined() && !token.isString())
        return shapeFailure<Page<T>>(ShapeError{QStringLiteral("next_page_token is not a string (got %1)").arg(jsonTypeName(token))},
                                     httpStatus, where);
    out.value.nextPageToken = token.toString();
    return out;
}

// A single object under `key` (registered_model, model_version, run).
template<typename T, typename ReadOne>
Result<T> parseOne(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where,
                   const char *key, ReadOne readOne)
{
    const Answer a = parseAnswer(body, httpStatus, contentType, where);
    if (!a.ok())
        return fromAnswer<T>(a);
    ShapeError err;
    const QJsonObject o = object(a.json.value(QLatin1String(key)), QLatin1String(key), err);
    Result<T> out;
    out.httpStatus = httpStatus;
    out.warnings = a.warnings;
    if (!err.failed())
        out.value = readOne(o, QLatin1String(key), err);
    if (err.failed())
        return shapeFailure<T>(err, httpStatus, where);
    return out;
}

} // namespace

Answer parseAnswer(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    Answer a;
    a.httpStatus = httpStatus;
    const bool success = isHttpSuccess(httpStatus);
    auto fail = [&](ErrorKind kind, QString message) {
        a.error = kind;
        a.message = std::move(message);
        return a;
    };
    auto httpFailure = [&] {
        QString hint;
        // Flask's own 404: the path is not an endpoint of this server at all.
        if (httpStatus == 404)
            hint = QStringLiteral(": not an MLflow 2.x API endpoint (is the URL the tracking server's base URL?)");
        else if (httpStatus == 405)
            hint = QStringLiteral(": the server does not take this method here (an MLflow older or newer than 2.x?)");
        return fail(ErrorKind::Http, QStringLiteral("%1%2 (%3)%4")
                                         .arg(httpStatusText(httpStatus), fromWhere(where), describeBody(body, contentType), hint));
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
                    QStringLiteral("expected JSON%1 but got an HTML page%2 (is the URL the MLflow tracking server, not its web UI behind a login page?)")
                        .arg(fromWhere(where), title.isEmpty() ? QString() : QStringLiteral(": ") + title));
    }
    QJsonParseError perr;
    qsizetype notUtf8 = -1;
    const QJsonDocument doc = parseJsonRepairingUtf8(body.toByteArray(), &perr, &notUtf8);
    if (notUtf8 >= 0)
        a.warnings.append(notUtf8Warning(where, notUtf8));
    if (perr.error != QJsonParseError::NoError) {
        if (!success)
            return httpFailure();
        // The parser ran off the end: the body was cut short, not malformed.
        if (perr.offset >= trimmed.size() - 1)
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
    const QString code = root.value(QLatin1String("error_code")).toString();
    if (!code.isEmpty()) {
        // MLflow's own explanation: show its words, then its code and where.
        a.errorCode = code;
        const QString said = root.value(QLatin1String("message")).toString();
        const QString tail = httpStatus > 0 ? QStringLiteral("%1, %2%3").arg(code, httpStatusText(httpStatus), fromWhere(where))
                                            : code + fromWhere(where);
        fail(ErrorKind::Server, said.isEmpty() ? QStringLiteral("MLflow returned %1").arg(tail)
                                               : QStringLiteral("MLflow: %1 (%2)").arg(said, tail));
        // Only MLflow's own code: Flask's HTML 404 means a missing endpoint, not a missing model.
        a.notFound = code == QLatin1String("RESOURCE_DOES_NOT_EXIST");
        return a;
    }
    if (!success)
        return httpFailure();
    a.json = root;
    return a;
}

QString describeAuthFailure(int httpStatus, const HttpAuth &auth, QByteArrayView body, const QString &contentType,
                            const QString &where)
{
    const QString status = httpStatusText(httpStatus);
    // MLflow's auth plugin sends plain text labelled text/html: read it as text.
    const bool markup = body.trimmed().startsWith('<');
    const QString said = describeBody(body, markup ? contentType : QStringLiteral("text/plain"));
    QString who;
    if (!auth.bearerToken.isEmpty())
        who = QStringLiteral("the bearer token");
    else if (!auth.basicUser.isEmpty())
        who = QStringLiteral("user \"%1\"").arg(auth.basicUser);
    if (httpStatus == 401) {
        if (who.isEmpty())
            return QStringLiteral("MLflow%1 needs credentials (%2, %3): set basic_user and password_secret, or "
                                  "bearer_token_secret, for this connection")
                .arg(fromWhere(where).replace(QStringLiteral(" from "), QStringLiteral(" at ")), status, said);
        return QStringLiteral("MLflow%1 did not accept %2 (%3, %4): check the %5")
            .arg(fromWhere(where).replace(QStringLiteral(" from "), QStringLiteral(" at ")), who, status, said,
                 auth.bearerToken.isEmpty() ? QStringLiteral("user name and the password in the keychain")
                                            : QStringLiteral("token in the keychain"));
    }
    return QStringLiteral("MLflow%1 refused access%2 (%3, %4): the account lacks the permission")
        .arg(fromWhere(where).replace(QStringLiteral(" from "), QStringLiteral(" at ")),
             who.isEmpty() ? QString() : QStringLiteral(" to ") + who, status, said);
}

Result<Page<Experiment>> parseExperimentsPage(QByteArrayView body, int httpStatus, const QString &contentType,
                                              const QString &where)
{
    return parsePage<Experiment>(body, httpStatus, contentType, where, "experiments", experiment);
}

Result<Page<RegisteredModel>> parseRegisteredModelsPage(QByteArrayView body, int httpStatus,
                                                        const QString &contentType, const QString &where)
{
    return parsePage<RegisteredModel>(body, httpStatus, contentType, where, "registered_models", registeredModel);
}

Result<RegisteredModel> parseRegisteredModel(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where)
{
    return parseOne<RegisteredModel>(body, httpStatus, contentType, where, "registered_model", registeredModel);
}

Result<Page<ModelVersion>> parseModelVersionsPage(QByteArrayView body, int httpStatus, const QString &contentType,
                                                  const QString &where)
{
    return parsePage<ModelVersion>(body, httpStatus, contentType, where, "model_versions",
                                   [](const QJsonObject &o, const QString &path, ShapeError &err) {
                                       return modelVersion(o, path, false, err);
                                   });
}

Result<ModelVersion> parseModelVersion(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where)
{
    return parseOne<ModelVersion>(body, httpStatus, contentType, where, "model_version",
                                  [](const QJsonObject &o, const QString &path, ShapeError &err) {
                                      return modelVersion(o, path, true, err);
                                  });
}

Result<Run> parseRun(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    return parseOne<Run>(body, httpStatus, contentType, where, "run", run);
}

Result<Page<Run>> parseRunsPage(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    return parsePage<Run>(body, httpStatus, contentType, where, "runs", run);
}

Result<Page<MetricPoint>> parseMetricHistory(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where)
{
    const Answer a = parseAnswer(body, httpStatus, contentType, where);
    if (!a.ok())
        return fromAnswer<Page<MetricPoint>>(a);
    Result<Page<MetricPoint>> out;
    out.httpStatus = httpStatus;
    out.warnings = a.warnings;
    ShapeError err;
    out.value.items = metricPoints(a.json, "metrics", QString(), err);
    if (err.failed()) {
        if (err.what.startsWith(QLatin1Char('.')))
            err.what.remove(0, 1);
        return shapeFailure<Page<MetricPoint>>(err, httpStatus, where);
    }
    out.value.nextPageToken = a.json.value(QLatin1String("next_page_token")).toString();
    return out;
}

void applyAliases(const QList<ModelAlias> &aliases, ModelVersion &version)
{
    version.aliases.clear();
    for (const ModelAlias &a : aliases) {
        if (a.version == version.version)
            version.aliases.append(a.alias);
    }
    version.aliasesKnown = true;
}

} // namespace vigil::mlflow
