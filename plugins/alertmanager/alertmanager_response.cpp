// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertmanager_response.h"

#include "net/http_client.h"
#include "util/rfc3339.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <algorithm>

namespace vigil::alertmanager {

namespace {

struct ShapeError
{
    QString what;
    bool failed() const { return !what.isEmpty(); }
};

template<typename T>
Result<T> shapeFailure(const ShapeError &err, int status, const QString &where)
{
    return Result<T>::failure(ErrorKind::BadResponse,
                              QStringLiteral("unexpected answer from Alertmanager%1: %2").arg(fromWhere(where), err.what),
                              status);
}

QJsonObject object(const QJsonValue &v, const QString &path, ShapeError &err)
{
    if (!v.isObject()) {
        if (!err.failed())
            err.what = QStringLiteral("%1 is not an object (got %2)").arg(path, jsonTypeName(v));
        return {};
    }
    return v.toObject();
}

QJsonArray array(const QJsonValue &v, const QString &path, ShapeError &err, bool optional = true)
{
    if (optional && (v.isUndefined() || v.isNull()))
        return {};
    if (!v.isArray()) {
        if (!err.failed())
            err.what = QStringLiteral("%1 is not an array (got %2)").arg(path, jsonTypeName(v));
        return {};
    }
    return v.toArray();
}

QString string(const QJsonObject &o, const char *key, const QString &path, ShapeError &err, bool required = false)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isString())
        return v.toString();
    if ((v.isUndefined() || v.isNull()) && !required)
        return {};
    if (!err.failed())
        err.what = QStringLiteral("%1.%2 is not a string (got %3)").arg(path, QLatin1String(key), jsonTypeName(v));
    return {};
}

qint64 time(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    const QString text = string(o, key, path, err);
    if (text.isEmpty())
        return 0;
    const auto ms = parseRfc3339Ms(text);
    if (!ms) {
        if (!err.failed())
            err.what = QStringLiteral("%1.%2 is not an RFC 3339 time: \"%3\"").arg(path, QLatin1String(key), text.left(40));
        return 0;
    }
    return *ms;
}

// A {"name": "value"} object of strings, sorted by name.
Labels labelSet(const QJsonValue &v, const QString &path, ShapeError &err, bool required)
{
    if (!required && (v.isUndefined() || v.isNull()))
        return {};
    const QJsonObject o = object(v, path, err);
    Labels out;
    out.reserve(o.size());
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            if (!err.failed())
                err.what = QStringLiteral("%1.%2 is not a string (got %3)").arg(path, it.key(), jsonTypeName(it.value()));
            return {};
        }
        out.append({it.key(), it.value().toString()});
    }
    std::sort(out.begin(), out.end()); // QJsonObject iterates sorted already; keep the promise explicit
    return out;
}

QStringList strings(const QJsonValue &v, const QString &path, ShapeError &err)
{
    QStringList out;
    const QJsonArray arr = array(v, path, err);
    for (qsizetype i = 0; i < arr.size(); ++i) {
        if (!arr.at(i).isString()) {
            if (!err.failed())
                err.what = QStringLiteral("%1[%2] is not a string (got %3)").arg(path).arg(i).arg(jsonTypeName(arr.at(i)));
            return {};
        }
        out << arr.at(i).toString();
    }
    return out;
}

ServerAlertState alertState(const QString &s)
{
    if (s == QLatin1String("active"))
        return ServerAlertState::Active;
    if (s == QLatin1String("suppressed"))
        return ServerAlertState::Suppressed;
    if (s == QLatin1String("unprocessed"))
        return ServerAlertState::Unprocessed;
    return ServerAlertState::Unknown;
}

SilenceState silenceState(const QString &s)
{
    if (s == QLatin1String("active"))
        return SilenceState::Active;
    if (s == QLatin1String("pending"))
        return SilenceState::Pending;
    if (s == QLatin1String("expired"))
        return SilenceState::Expired;
    return SilenceState::Unknown;
}

ServerAlert alert(const QJsonValue &v, const QString &path, ShapeError &err)
{
    ServerAlert a;
    const QJsonObject o = object(v, path, err);
    if (err.failed())
        return a;
    a.labels = labelSet(o.value(QLatin1String("labels")), path + QStringLiteral(".labels"), err, true);
    a.annotations = labelSet(o.value(QLatin1String("annotations")), path + QStringLiteral(".annotations"), err, false);
    a.fingerprint = string(o, "fingerprint", path, err);
    a.startsAtMs = time(o, "startsAt", path, err);
    a.endsAtMs = time(o, "endsAt", path, err);
    a.updatedAtMs = time(o, "updatedAt", path, err);
    a.generatorUrl = string(o, "generatorURL", path, err);
    const QString statusPath = path + QStringLiteral(".status");
    const QJsonObject status = object(o.value(QLatin1String("status")), statusPath, err);
    a.state = alertState(string(status, "state", statusPath, err));
    a.silencedBy = strings(status.value(QLatin1String("silencedBy")), statusPath + QStringLiteral(".silencedBy"), err);
    a.inhibitedBy = strings(status.value(QLatin1String("inhibitedBy")), statusPath + QStringLiteral(".inhibitedBy"), err);
    const QJsonArray receivers = array(o.value(QLatin1String("receivers")), path + QStringLiteral(".receivers"), err);
    for (qsizetype i = 0; i < receivers.size() && !err.failed(); ++i) {
        const QString at = QStringLiteral("%1.receivers[%2]").arg(path).arg(i);
        a.receivers << string(object(receivers.at(i), at, err), "name", at, err);
    }
    return a;
}

QList<ServerAlert> alertList(const QJsonValue &v, const QString &path, ShapeError &err)
{
    QList<ServerAlert> out;
    const QJsonArray arr = array(v, path, err, false);
    out.reserve(arr.size());
    for (qsizetype i = 0; i < arr.size() && !err.failed(); ++i)
        out.append(alert(arr.at(i), QStringLiteral("%1[%2]").arg(path).arg(i), err));
    return out;
}

ServerSilence silence(const QJsonValue &v, const QString &path, ShapeError &err)
{
    ServerSilence s;
    const QJsonObject o = object(v, path, err);
    if (err.failed())
        return s;
    s.id = string(o, "id", path, err, true);
    s.createdBy = string(o, "createdBy", path, err);
    s.comment = string(o, "comment", path, err);
    s.startsAtMs = time(o, "startsAt", path, err);
    s.endsAtMs = time(o, "endsAt", path, err);
    s.updatedAtMs = time(o, "updatedAt", path, err);
    const QString statusPath = path + QStringLiteral(".status");
    s.state = silenceState(string(object(o.value(QLatin1String("status")), statusPath, err), "state", statusPath, err));
    const QString mpath = path + QStringLiteral(".matchers");
    const QJsonArray matchers = array(o.value(QLatin1String("matchers")), mpath, err, false);
    for (qsizetype i = 0; i < matchers.size() && !err.failed(); ++i) {
        const QString at = QStringLiteral("%1[%2]").arg(mpath).arg(i);
        const QJsonObject m = object(matchers.at(i), at, err);
        SilenceMatcher sm;
        sm.name = string(m, "name", at, err, true);
        sm.value = string(m, "value", at, err, true);
        // isEqual arrived in 0.22; older servers send only isRegex (always "equal").
        const bool isRegex = m.value(QLatin1String("isRegex")).toBool(false);
        const bool isEqual = m.value(QLatin1String("isEqual")).toBool(true);
        sm.op = SilenceMatcher::opFrom(isRegex, isEqual);
        s.matchers.append(sm);
    }
    return s;
}

} // namespace

Result<QJsonValue> parseAnswer(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    using R = Result<QJsonValue>;
    const bool success = isHttpSuccess(httpStatus);
    auto httpFailure = [&] {
        return R::failure(ErrorKind::Http,
                          QStringLiteral("Alertmanager answered %1%2 (%3)")
                              .arg(httpStatusText(httpStatus), fromWhere(where), describeBody(body, contentType)),
                          httpStatus);
    };
    const QByteArrayView trimmed = body.trimmed();
    if (trimmed.isEmpty()) {
        if (!success)
            return httpFailure();
        return R::failure(ErrorKind::BadResponse,
                          QStringLiteral("empty answer%1 (expected JSON from Alertmanager)").arg(fromWhere(where)),
                          httpStatus);
    }
    if (looksLikeHtml(body, contentType) || trimmed.startsWith('<')) {
        if (!success)
            return httpFailure();
        const QString title = htmlTitle(body);
        return R::failure(ErrorKind::BadResponse,
                          QStringLiteral("expected JSON%1 but got an HTML page%2 (is the URL Alertmanager's API, not a "
                                         "web UI or a login page?)")
                              .arg(fromWhere(where), title.isEmpty() ? QString() : QStringLiteral(": ") + title),
                          httpStatus);
    }
    // Wrapped in an array: Alertmanager's errors are often a bare JSON string,
    // which QJsonDocument does not take at the top level.
    QByteArray wrapped;
    wrapped.reserve(body.size() + 2);
    wrapped.append('[').append(body.data(), body.size()).append(']');
    QJsonParseError perr;
    qsizetype notUtf8 = -1;
    const QJsonDocument doc = parseJsonRepairingUtf8(wrapped, &perr, &notUtf8);
    if (perr.error != QJsonParseError::NoError || doc.array().size() != 1) {
        if (!success)
            return httpFailure();
        const bool truncated = perr.offset >= wrapped.trimmed().size() - 2;
        if (truncated)
            return R::failure(ErrorKind::BadResponse,
                              QStringLiteral("the JSON answer%1 is truncated: it ends after %2")
                                  .arg(fromWhere(where), formatBytes(body.size())),
                              httpStatus);
        return R::failure(ErrorKind::BadResponse,
                          QStringLiteral("the answer%1 is not valid JSON: %2 at byte %3")
                              .arg(fromWhere(where), perr.errorString(), QString::number(std::max(0, perr.offset - 1))),
                          httpStatus);
    }
    const QJsonValue value = doc.array().at(0);
    if (success) {
        R r;
        r.httpStatus = httpStatus;
        r.value = value;
        if (notUtf8 >= 0) // the offset in the body, not in its wrapping
            r.warnings.append(notUtf8Warning(where, notUtf8 - 1));
        return r;
    }
    // Alertmanager's explanation: "text", or {"code": N, "message": "text"}.
    QString text;
    QString code;
    if (value.isString()) {
        text = value.toString();
    } else if (value.isObject()) {
        const QJsonObject o = value.toObject();
        text = o.value(QLatin1String("message")).toString();
        if (o.value(QLatin1String("code")).isDouble())
            code = QString::number(o.value(QLatin1String("code")).toInt());
    }
    if (text.isEmpty())
        return httpFailure();
    R r = R::failure(ErrorKind::Server,
                     QStringLiteral("Alertmanager refused the request (%1%2): %3")
                         .arg(httpStatusText(httpStatus), fromWhere(where), text.left(500)),
                     httpStatus);
    r.errorCode = code;
    r.notFound = (httpStatus == 404 || httpStatus == 500) && text.contains(QLatin1String("not found"));
    return r;
}

Result<StatusInfo> parseStatus(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<StatusInfo>::failedAs(answer);
    ShapeError err;
    const QJsonObject root = object(answer.value, QStringLiteral("the status"), err);
    Result<StatusInfo> r;
    r.httpStatus = httpStatus;
    r.warnings = answer.warnings;
    const QJsonObject version = object(root.value(QLatin1String("versionInfo")), QStringLiteral("versionInfo"), err);
    r.value.version = string(version, "version", QStringLiteral("versionInfo"), err);
    const QJsonObject cluster = root.value(QLatin1String("cluster")).toObject();
    r.value.clusterStatus = cluster.value(QLatin1String("status")).toString();
    r.value.uptimeMs = time(root, "uptime", QStringLiteral("the status"), err);
    if (err.failed())
        return shapeFailure<StatusInfo>(err, httpStatus, where);
    return r;
}

Result<QList<ServerAlert>> parseAlerts(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where)
{
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<QList<ServerAlert>>::failedAs(answer);
    ShapeError err;
    Result<QList<ServerAlert>> r;
    r.httpStatus = httpStatus;
    r.warnings = answer.warnings;
    r.value = alertList(answer.value, QStringLiteral("alerts"), err);
    if (err.failed())
        return shapeFailure<QList<ServerAlert>>(err, httpStatus, where);
    return r;
}

Result<QList<AlertGroup>> parseAlertGroups(QByteArrayView body, int httpStatus, const QString &contentType,
                                           const QString &where)
{
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<QList<AlertGroup>>::failedAs(answer);
    ShapeError err;
    Result<QList<AlertGroup>> r;
    r.httpStatus = httpStatus;
    r.warnings = answer.warnings;
    const QJsonArray groups = array(answer.value, QStringLiteral("groups"), err, false);
    for (qsizetype i = 0; i < groups.size() && !err.failed(); ++i) {
        const QString path = QStringLiteral("groups[%1]").arg(i);
        const QJsonObject o = object(groups.at(i), path, err);
        AlertGroup g;
        g.labels = labelSet(o.value(QLatin1String("labels")), path + QStringLiteral(".labels"), err, false);
        const QString rpath = path + QStringLiteral(".receiver");
        g.receiver = string(object(o.value(QLatin1String("receiver")), rpath, err), "name", rpath, err);
        g.alerts = alertList(o.value(QLatin1String("alerts")), path + QStringLiteral(".alerts"), err);
        r.value.append(std::move(g));
    }
    if (err.failed())
        return shapeFailure<QList<AlertGroup>>(err, httpStatus, where);
    return r;
}

Result<QList<ServerSilence>> parseSilences(QByteArrayView body, int httpStatus, const QString &contentType,
                                           const QString &where)
{
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<QList<ServerSilence>>::failedAs(answer);
    ShapeError err;
    Result<QList<ServerSilence>> r;
    r.httpStatus = httpStatus;
    r.warnings = answer.warnings;
    const QJsonArray arr = array(answer.value, QStringLiteral("silences"), err, false);
    for (qsizetype i = 0; i < arr.size() && !err.failed(); ++i)
        r.value.append(silence(arr.at(i), QStringLiteral("silences[%1]").arg(i), err));
    if (err.failed())
        return shapeFailure<QList<ServerSilence>>(err, httpStatus, where);
    return r;
}

Result<QString> parseCreateSilence(QByteArrayView body, int httpStatus, const QString &contentType,
                                   const QString &where)
{
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<QString>::failedAs(answer);
    ShapeError err;
    const QJsonObject o = object(answer.value, QStringLiteral("the answer"), err);
    Result<QString> r;
    r.httpStatus = httpStatus;
    r.warnings = answer.warnings;
    r.value = string(o, "silenceID", QStringLiteral("the answer"), err, true);
    if (!err.failed() && r.value.isEmpty())
        err.what = QStringLiteral("the answer's silenceID is empty");
    if (err.failed())
        return shapeFailure<QString>(err, httpStatus, where);
    return r;
}

Result<bool> parseExpireSilence(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where)
{
    Result<bool> done;
    done.httpStatus = httpStatus;
    done.value = true;
    // 200 and no body: done. Anything else goes through the common checks (an
    // HTML page on 200 is a proxy's or a login page, not Alertmanager's answer).
    if (isHttpSuccess(httpStatus) && body.trimmed().isEmpty())
        return done;
    const auto answer = parseAnswer(body, httpStatus, contentType, where);
    if (!answer.ok())
        return Result<bool>::failedAs(answer);
    return done;
}

} // namespace vigil::alertmanager
