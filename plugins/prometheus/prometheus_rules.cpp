// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_rules.h"

#include "net/http_client.h"
#include "prometheus_response.h"
#include "util/rfc3339.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::prometheus {

namespace {

struct ShapeError
{
    QString what;
    bool failed() const { return !what.isEmpty(); }
    void set(QString w)
    {
        if (what.isEmpty())
            what = std::move(w);
    }
};

QJsonObject object(const QJsonValue &v, const QString &path, ShapeError &err)
{
    if (!v.isObject())
        err.set(QStringLiteral("%1 is not an object (got %2)").arg(path, jsonTypeName(v)));
    return v.toObject();
}

QJsonArray array(const QJsonValue &v, const QString &path, ShapeError &err)
{
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isArray())
        err.set(QStringLiteral("%1 is not an array (got %2)").arg(path, jsonTypeName(v)));
    return v.toArray();
}

QString string(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isString())
        err.set(QStringLiteral("%1.%2 is not a string (got %3)").arg(path, QLatin1String(key), jsonTypeName(v)));
    return v.toString();
}

double number(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return 0.0;
    if (!v.isDouble())
        err.set(QStringLiteral("%1.%2 is not a number (got %3)").arg(path, QLatin1String(key), jsonTypeName(v)));
    return v.toDouble();
}

qint64 time(const QJsonObject &o, const char *key, const QString &path, ShapeError &err)
{
    const QString text = string(o, key, path, err);
    if (text.isEmpty())
        return 0;
    const auto ms = parseRfc3339Ms(text);
    if (!ms)
        err.set(QStringLiteral("%1.%2 is not an RFC 3339 time: \"%3\"").arg(path, QLatin1String(key), text.left(40)));
    return ms.value_or(0);
}

Labels labelSet(const QJsonValue &v, const QString &path, ShapeError &err)
{
    if (v.isUndefined() || v.isNull())
        return {};
    const QJsonObject o = object(v, path, err);
    Labels out;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            err.set(QStringLiteral("%1.%2 is not a string (got %3)").arg(path, it.key(), jsonTypeName(it.value())));
            return {};
        }
        out.append({it.key(), it.value().toString()});
    }
    std::sort(out.begin(), out.end());
    return out;
}

QList<RuleAlert> alerts(const QJsonValue &v, const QString &path, ShapeError &err)
{
    QList<RuleAlert> out;
    const QJsonArray arr = array(v, path, err);
    for (qsizetype i = 0; i < arr.size() && !err.failed(); ++i) {
        const QString at = QStringLiteral("%1[%2]").arg(path).arg(i);
        const QJsonObject o = object(arr.at(i), at, err);
        RuleAlert a;
        a.labels = labelSet(o.value(QLatin1String("labels")), at + QStringLiteral(".labels"), err);
        a.annotations = labelSet(o.value(QLatin1String("annotations")), at + QStringLiteral(".annotations"), err);
        a.state = string(o, "state", at, err);
        a.activeAtMs = time(o, "activeAt", at, err);
        a.value = string(o, "value", at, err);
        a.numericValue = parseSampleValue(a.value).value_or(std::numeric_limits<double>::quiet_NaN());
        out.append(std::move(a));
    }
    return out;
}

template<typename T>
Result<T> fromEnvelope(const Envelope &env, int status)
{
    return Result<T>::failure(env.error, env.message, status);
}

template<typename T>
Result<T> shapeFailure(const ShapeError &err, int status, const QString &where)
{
    return Result<T>::failure(ErrorKind::BadResponse,
                              QStringLiteral("unexpected answer%1: %2").arg(fromWhere(where), err.what), status);
}

} // namespace

ApiRequest buildRulesRequest()
{
    return ApiRequest{QStringLiteral("/api/v1/rules"), {}, false};
}

ApiRequest buildAlertsRequest()
{
    return ApiRequest{QStringLiteral("/api/v1/alerts"), {}, false};
}

Result<QList<RuleGroupInfo>> parseRulesResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                                const QString &where)
{
    using R = Result<QList<RuleGroupInfo>>;
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    if (env.error != ErrorKind::None)
        return fromEnvelope<QList<RuleGroupInfo>>(env, httpStatus);
    ShapeError err;
    R r;
    r.httpStatus = httpStatus;
    r.warnings = env.warnings;
    const QJsonObject data = object(env.data, QStringLiteral("data"), err);
    const QJsonValue groupsValue = data.value(QLatin1String("groups"));
    if (!err.failed() && !groupsValue.isArray() && !groupsValue.isNull())
        err.set(QStringLiteral("data.groups is not an array (got %1)").arg(jsonTypeName(groupsValue)));
    const QJsonArray groups = array(groupsValue, QStringLiteral("data.groups"), err);
    for (qsizetype i = 0; i < groups.size() && !err.failed(); ++i) {
        const QString gp = QStringLiteral("data.groups[%1]").arg(i);
        const QJsonObject go = object(groups.at(i), gp, err);
        RuleGroupInfo g;
        g.name = string(go, "name", gp, err);
        g.file = string(go, "file", gp, err);
        g.intervalS = number(go, "interval", gp, err);
        g.evaluationTimeS = number(go, "evaluationTime", gp, err);
        g.lastEvaluationMs = time(go, "lastEvaluation", gp, err);
        const QJsonArray rules = array(go.value(QLatin1String("rules")), gp + QStringLiteral(".rules"), err);
        for (qsizetype j = 0; j < rules.size() && !err.failed(); ++j) {
            const QString rp = QStringLiteral("%1.rules[%2]").arg(gp).arg(j);
            const QJsonObject ro = object(rules.at(j), rp, err);
            RuleInfo rule;
            const QString type = string(ro, "type", rp, err);
            if (type == QLatin1String("alerting"))
                rule.type = RuleInfo::Type::Alerting;
            else if (type == QLatin1String("recording"))
                rule.type = RuleInfo::Type::Recording;
            else
                err.set(QStringLiteral("%1.type is \"%2\", not alerting or recording").arg(rp, type.left(40)));
            rule.name = string(ro, "name", rp, err);
            rule.query = string(ro, "query", rp, err);
            const QString health = string(ro, "health", rp, err);
            rule.health = health == QLatin1String("ok")    ? RuleInfo::Health::Ok
                        : health == QLatin1String("err")   ? RuleInfo::Health::Err
                                                           : RuleInfo::Health::Unknown;
            rule.lastError = string(ro, "lastError", rp, err);
            rule.state = string(ro, "state", rp, err);
            rule.durationS = number(ro, "duration", rp, err);
            rule.evaluationTimeS = number(ro, "evaluationTime", rp, err);
            rule.lastEvaluationMs = time(ro, "lastEvaluation", rp, err);
            rule.labels = labelSet(ro.value(QLatin1String("labels")), rp + QStringLiteral(".labels"), err);
            rule.annotations = labelSet(ro.value(QLatin1String("annotations")), rp + QStringLiteral(".annotations"), err);
            rule.alerts = alerts(ro.value(QLatin1String("alerts")), rp + QStringLiteral(".alerts"), err);
            g.rules.append(std::move(rule));
        }
        r.value.append(std::move(g));
    }
    if (err.failed())
        return shapeFailure<QList<RuleGroupInfo>>(err, httpStatus, where);
    return r;
}

Result<QList<RuleAlert>> parseAlertsResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where)
{
    const Envelope env = parseEnvelope(body, httpStatus, contentType, where);
    if (env.error != ErrorKind::None)
        return fromEnvelope<QList<RuleAlert>>(env, httpStatus);
    ShapeError err;
    Result<QList<RuleAlert>> r;
    r.httpStatus = httpStatus;
    r.warnings = env.warnings;
    const QJsonObject data = object(env.data, QStringLiteral("data"), err);
    const QJsonValue list = data.value(QLatin1String("alerts"));
    if (!err.failed() && !list.isArray() && !list.isNull())
        err.set(QStringLiteral("data.alerts is not an array (got %1)").arg(jsonTypeName(list)));
    r.value = alerts(list, QStringLiteral("data.alerts"), err);
    if (err.failed())
        return shapeFailure<QList<RuleAlert>>(err, httpStatus, where);
    return r;
}

} // namespace vigil::prometheus
