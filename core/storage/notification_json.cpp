// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/notification_json.h"

#include <QJsonValue>
#include <cmath>

namespace vigil::storage {

namespace {

std::optional<Notification::Kind> kindFromName(const QString &name)
{
    for (auto k : {Notification::Kind::Firing, Notification::Kind::Resolved, Notification::Kind::Reopened,
                   Notification::Kind::Reminder}) {
        if (notificationKindName(k) == name)
            return k;
    }
    return std::nullopt;
}

} // namespace

QJsonObject labelsToJson(const Labels &labels)
{
    QJsonObject o;
    for (const Label &l : labels)
        o.insert(l.first, l.second);
    return o;
}

Labels labelsFromJson(const QJsonObject &o)
{
    // QJsonObject iterates in key order, which is the order SeriesKey keeps.
    Labels labels;
    labels.reserve(o.size());
    for (auto it = o.begin(); it != o.end(); ++it)
        labels.append({it.key(), it.value().toString()});
    return labels;
}

QJsonObject notificationToJson(const Notification &n)
{
    QJsonObject annotations;
    for (auto it = n.annotations.cbegin(); it != n.annotations.cend(); ++it)
        annotations.insert(it.key(), it.value());
    QJsonObject o{
        {QStringLiteral("id"), n.id},
        {QStringLiteral("fingerprint"), n.fingerprint},
        {QStringLiteral("kind"), notificationKindName(n.kind)},
        {QStringLiteral("rule"), n.rule},
        {QStringLiteral("severity"), n.severity},
        {QStringLiteral("summary"), n.summary},
        {QStringLiteral("description"), n.description},
        {QStringLiteral("labels"), labelsToJson(n.labels)},
        {QStringLiteral("annotations"), annotations},
        {QStringLiteral("value"), std::isfinite(n.value) ? QJsonValue(n.value) : QJsonValue()},
        {QStringLiteral("condition"), n.condition},
        {QStringLiteral("activeSinceMs"), n.activeSinceMs},
        {QStringLiteral("createdMs"), n.createdMs},
        {QStringLiteral("ackedBy"), n.ackedBy},
        {QStringLiteral("ackComment"), n.ackComment},
        {QStringLiteral("silenced"), n.silenced},
        {QStringLiteral("link"), n.link.toString()},
    };
    return o;
}

std::optional<Notification> notificationFromJson(const QJsonObject &o, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<Notification> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    Notification n;
    n.id = o.value(QStringLiteral("id")).toString();
    if (n.id.isEmpty())
        return fail(QStringLiteral("the notification has no id"));
    n.fingerprint = o.value(QStringLiteral("fingerprint")).toString(); // absent in entries written before it was kept
    const QString kind = o.value(QStringLiteral("kind")).toString();
    const auto k = kindFromName(kind);
    if (!k)
        return fail(QStringLiteral("notification %1 has an unknown kind \"%2\"").arg(n.id, kind));
    n.kind = *k;
    n.rule = o.value(QStringLiteral("rule")).toString();
    n.severity = o.value(QStringLiteral("severity")).toString();
    n.summary = o.value(QStringLiteral("summary")).toString();
    n.description = o.value(QStringLiteral("description")).toString();
    n.labels = labelsFromJson(o.value(QStringLiteral("labels")).toObject());
    const QJsonObject annotations = o.value(QStringLiteral("annotations")).toObject();
    for (auto it = annotations.begin(); it != annotations.end(); ++it)
        n.annotations.insert(it.key(), it.value().toString());
    const QJsonValue value = o.value(QStringLiteral("value"));
    n.value = value.isDouble() ? value.toDouble() : std::nan("");
    n.condition = o.value(QStringLiteral("condition")).toString();
    n.activeSinceMs = o.value(QStringLiteral("activeSinceMs")).toInteger();
    n.createdMs = o.value(QStringLiteral("createdMs")).toInteger();
    n.ackedBy = o.value(QStringLiteral("ackedBy")).toString();
    n.ackComment = o.value(QStringLiteral("ackComment")).toString();
    n.silenced = o.value(QStringLiteral("silenced")).toBool();
    n.link = QUrl(o.value(QStringLiteral("link")).toString());
    return n;
}

} // namespace vigil::storage
