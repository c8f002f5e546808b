// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertmanager_request.h"

#include "util/rfc3339.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>

namespace vigil::alertmanager {

namespace {

using Items = QList<std::pair<QString, QString>>;

QString boolText(bool b)
{
    return b ? QStringLiteral("true") : QStringLiteral("false");
}

void addMatchers(Items &items, const QList<SilenceMatcher> &matchers)
{
    for (const SilenceMatcher &m : matchers)
        items.append({QStringLiteral("filter"), m.toString()});
}

ApiRequest get(const QString &path, const Items &items = {})
{
    ApiRequest r;
    r.path = path;
    r.query = encodeQuery(items);
    return r;
}

ApiRequest refused(QString why)
{
    ApiRequest r;
    r.error = std::move(why);
    return r;
}

Items alertItems(const AlertFilter &filter)
{
    Items items;
    addMatchers(items, filter.matchers);
    items.append({QStringLiteral("active"), boolText(filter.active)});
    items.append({QStringLiteral("silenced"), boolText(filter.silenced)});
    items.append({QStringLiteral("inhibited"), boolText(filter.inhibited)});
    // /alerts/groups has no `unprocessed`; the caller drops it there.
    items.append({QStringLiteral("unprocessed"), boolText(filter.unprocessed)});
    if (!filter.receiver.isEmpty())
        items.append({QStringLiteral("receiver"), filter.receiver});
    return items;
}

bool matchesEmpty(const SilenceMatcher &m)
{
    switch (m.op) {
    case SilenceMatcher::Op::Equal: return m.value.isEmpty();
    case SilenceMatcher::Op::NotEqual: return !m.value.isEmpty();
    case SilenceMatcher::Op::Regex:
    case SilenceMatcher::Op::NotRegex: {
        // Anchored like Alertmanager: the whole value must match.
        const QRegularExpression re(QRegularExpression::anchoredPattern(m.value));
        if (!re.isValid())
            return false; // the server says what is wrong with it
        const bool hit = re.match(QString()).hasMatch();
        return m.op == SilenceMatcher::Op::Regex ? hit : !hit;
    }
    }
    return false;
}

QJsonObject labelsObject(const Labels &labels)
{
    QJsonObject o;
    for (const Label &l : labels)
        o.insert(l.first, l.second);
    return o;
}

} // namespace

QUrlQuery encodeQuery(const Items &items)
{
    QStringList parts;
    parts.reserve(items.size());
    for (const auto &[key, value] : items)
        parts << QString::fromLatin1(QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value));
    QUrlQuery query;
    query.setQuery(parts.join(QLatin1Char('&'))); // already encoded: kept as is
    return query;
}

ApiRequest buildStatusRequest()
{
    return get(QStringLiteral("/api/v2/status"));
}

ApiRequest buildAlertsRequest(const AlertFilter &filter)
{
    return get(QStringLiteral("/api/v2/alerts"), alertItems(filter));
}

ApiRequest buildAlertGroupsRequest(const AlertFilter &filter)
{
    Items items = alertItems(filter);
    items.removeIf([](const auto &kv) { return kv.first == QLatin1String("unprocessed"); });
    return get(QStringLiteral("/api/v2/alerts/groups"), items);
}

ApiRequest buildSilencesRequest(const QList<SilenceMatcher> &filter)
{
    Items items;
    addMatchers(items, filter);
    return get(QStringLiteral("/api/v2/silences"), items);
}

QJsonObject silenceToJson(const ServerSilence &s)
{
    QJsonArray matchers;
    for (const SilenceMatcher &m : s.matchers) {
        matchers.append(QJsonObject{{QStringLiteral("name"), m.name},
                                    {QStringLiteral("value"), m.value},
                                    {QStringLiteral("isRegex"), m.isRegex()},
                                    {QStringLiteral("isEqual"), m.isEqual()}});
    }
    QJsonObject o{{QStringLiteral("matchers"), matchers},
                  {QStringLiteral("startsAt"), formatRfc3339Ms(s.startsAtMs)},
                  {QStringLiteral("endsAt"), formatRfc3339Ms(s.endsAtMs)},
                  {QStringLiteral("createdBy"), s.createdBy},
                  {QStringLiteral("comment"), s.comment}};
    if (!s.id.isEmpty())
        o.insert(QStringLiteral("id"), s.id);
    return o;
}

ApiRequest buildCreateSilenceRequest(const ServerSilence &s)
{
    if (s.matchers.isEmpty())
        return refused(QStringLiteral("a silence needs at least one matcher"));
    bool allEmpty = true;
    for (qsizetype i = 0; i < s.matchers.size(); ++i) {
        if (s.matchers.at(i).name.isEmpty())
            return refused(QStringLiteral("matcher %1 of the silence has no label name").arg(i + 1));
        allEmpty = allEmpty && matchesEmpty(s.matchers.at(i));
    }
    if (allEmpty)
        return refused(QStringLiteral("every matcher of the silence also matches a missing label, so it would silence "
                                      "nearly everything; add a matcher on a label value"));
    if (s.createdBy.trimmed().isEmpty())
        return refused(QStringLiteral("a silence needs an author (createdBy)"));
    if (s.comment.trimmed().isEmpty())
        return refused(QStringLiteral("a silence needs a comment"));
    if (s.endsAtMs <= s.startsAtMs)
        return refused(QStringLiteral("the silence ends (%1) before it starts (%2)")
                           .arg(formatRfc3339Ms(s.endsAtMs), formatRfc3339Ms(s.startsAtMs)));
    ApiRequest r;
    r.method = ApiRequest::Method::PostJson;
    r.path = QStringLiteral("/api/v2/silences");
    r.body = QJsonDocument(silenceToJson(s));
    return r;
}

ApiRequest buildExpireSilenceRequest(const QString &id)
{
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    if (!uuid.match(id).hasMatch())
        return refused(QStringLiteral("\"%1\" is not a silence id (Alertmanager's ids are UUIDs)").arg(id.left(80)));
    ApiRequest r;
    r.method = ApiRequest::Method::Delete;
    r.path = QStringLiteral("/api/v2/silence/") + id;
    return r;
}

QJsonDocument postableAlerts(const QList<ServerAlert> &alerts)
{
    QJsonArray arr;
    for (const ServerAlert &a : alerts) {
        QJsonObject o{{QStringLiteral("labels"), labelsObject(a.labels)},
                      {QStringLiteral("annotations"), labelsObject(a.annotations)}};
        if (a.startsAtMs > 0)
            o.insert(QStringLiteral("startsAt"), formatRfc3339Ms(a.startsAtMs));
        if (a.endsAtMs > 0)
            o.insert(QStringLiteral("endsAt"), formatRfc3339Ms(a.endsAtMs));
        if (!a.generatorUrl.isEmpty())
            o.insert(QStringLiteral("generatorURL"), a.generatorUrl);
        arr.append(o);
    }
    return QJsonDocument(arr);
}

} // namespace vigil::alertmanager
