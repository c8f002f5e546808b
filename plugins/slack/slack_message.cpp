// SPDX-License-Identifier: GPL-3.0-or-later
#include "slack_message.h"

#include "util/display_text.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTimeZone>
#include <cmath>

namespace vigil::slack {

namespace {

// Block Kit's limits (reference/block-kit): header text 150, section text
// 3000, a field 2000, a button's text 75 and URL 3000 characters.
constexpr int kHeaderMax = 150;
constexpr int kSectionMax = 3000;
constexpr int kFieldMax = 2000;
constexpr int kFallbackMax = 3000;

QString clip(const QString &text, int max)
{
    if (text.size() <= max)
        return text;
    return text.left(max - 1) + QChar(0x2026); // …
}

// A plain_text object: no markup, no mentions, no emoji codes from server text.
QJsonObject plain(const QString &text, int max)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("plain_text")},
                       {QStringLiteral("text"), clip(escapeText(text), max)},
                       {QStringLiteral("emoji"), false}};
}

QString labelValue(const Labels &labels, const QString &name)
{
    for (const Label &l : labels)
        if (l.first == name)
            return l.second;
    return {};
}

QString kindWord(Notification::Kind kind)
{
    switch (kind) {
    case Notification::Kind::Firing: return QStringLiteral("FIRING");
    case Notification::Kind::Resolved: return QStringLiteral("RESOLVED");
    case Notification::Kind::Reopened: return QStringLiteral("REOPENED");
    case Notification::Kind::Reminder: return QStringLiteral("STILL FIRING");
    }
    return {};
}

QString formatValue(double v)
{
    return std::isnan(v) ? QStringLiteral("none") : QString::number(v, 'g', 6);
}

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QString formatAge(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

// The labels worth reading: alertname and severity are in the header already.
QString labelsText(const Labels &labels)
{
    QStringList parts;
    for (const Label &l : labels)
        if (l.first != QLatin1String("alertname") && l.first != QLatin1String("severity"))
            parts << l.first + QLatin1Char('=') + l.second;
    return parts.join(QStringLiteral(", "));
}

// NO DATA / QUERY FAILING for an open alert whose query gives nothing or fails.
QString headWord(const Notification &n)
{
    if (n.kind != Notification::Kind::Resolved && n.state == Notification::State::NoData)
        return kindWord(n.kind) + QStringLiteral(" (NO DATA)");
    if (n.kind != Notification::Kind::Resolved && n.state == Notification::State::Error)
        return kindWord(n.kind) + QStringLiteral(" (QUERY FAILING)");
    return kindWord(n.kind);
}

// The rule's summary, unless the alert has no value to put in it.
QString summaryFor(const Notification &n)
{
    if (n.kind == Notification::Kind::Resolved || n.state == Notification::State::Firing)
        return n.summary;
    return n.state == Notification::State::NoData ? QStringLiteral("The query returned no data")
                                                  : QStringLiteral("The query fails");
}

QString oneLine(const Notification &n)
{
    QString line = QStringLiteral("%1 %2 %3").arg(headWord(n), n.severity, n.rule);
    const QString labels = labelsText(n.labels);
    if (!labels.isEmpty())
        line += QLatin1Char('{') + labels + QLatin1Char('}');
    if (const QString summary = summaryFor(n); !summary.isEmpty())
        line += QStringLiteral(": ") + summary;
    return line;
}

QJsonObject attachmentFor(const Notification &n)
{
    const bool resolved = n.kind == Notification::Kind::Resolved;
    QJsonArray blocks;
    // The notification's stable id rides along, invisible, as the header's
    // block_id (unique within a message, up to 255 characters), so a
    // receiver can de-duplicate what at-least-once delivery may repeat.
    blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("header")},
                          {QStringLiteral("block_id"), n.id.left(255)},
                          {QStringLiteral("text"),
                           plain(QStringLiteral("%1 · %2 · %3").arg(headWord(n), n.severity, n.rule), kHeaderMax)}};
    QString summary = summaryFor(n);
    if (!n.description.isEmpty())
        summary += (summary.isEmpty() ? QString() : QStringLiteral("\n")) + n.description;
    if (!summary.isEmpty())
        blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                              {QStringLiteral("text"), plain(summary, kSectionMax)}};

    QJsonArray fields{plain(QStringLiteral("Value: %1").arg(formatValue(n.value)), kFieldMax)};
    if (!n.condition.isEmpty())
        fields << plain(QStringLiteral("Condition: %1").arg(n.condition), kFieldMax);
    blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("section")}, {QStringLiteral("fields"), fields}};

    const QString labels = labelsText(n.labels);
    if (!labels.isEmpty())
        blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                              {QStringLiteral("text"), plain(QStringLiteral("Labels: %1").arg(labels), kSectionMax)}};

    QJsonArray context;
    if (n.activeSinceMs > 0) {
        const QString age = formatAge(n.createdMs - n.activeSinceMs);
        context << plain(resolved ? QStringLiteral("Resolved after %1 (firing since %2)").arg(age, formatTime(n.activeSinceMs))
                                  : QStringLiteral("Since %1 (%2)").arg(formatTime(n.activeSinceMs), age),
                         kFieldMax);
    }
    const QString model = labelValue(n.labels, QStringLiteral("model"));
    if (!model.isEmpty()) {
        const QString version = labelValue(n.labels, QStringLiteral("version"));
        context << plain(version.isEmpty() ? QStringLiteral("Model %1").arg(model)
                                           : QStringLiteral("Model %1, version %2").arg(model, version),
                         kFieldMax);
    }
    if (!n.ackedBy.isEmpty())
        context << plain(n.ackComment.isEmpty() ? QStringLiteral("Acknowledged by %1").arg(n.ackedBy)
                                                : QStringLiteral("Acknowledged by %1: %2").arg(n.ackedBy, n.ackComment),
                         kFieldMax);
    else if (!resolved)
        context << plain(QStringLiteral("Not acknowledged"), kFieldMax);
    if (n.silenced)
        context << plain(QStringLiteral("Silenced"), kFieldMax);
    if (!context.isEmpty())
        blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("context")}, {QStringLiteral("elements"), context}};

    const QString scheme = n.link.scheme();
    if (n.link.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https"))) {
        const QString url = QString::fromUtf8(n.link.toEncoded());
        if (url.size() <= 3000)
            blocks << QJsonObject{{QStringLiteral("type"), QStringLiteral("actions")},
                                  {QStringLiteral("elements"),
                                   QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("button")},
                                                          {QStringLiteral("text"), plain(QStringLiteral("Open"), 75)},
                                                          {QStringLiteral("url"), url}}}}};
    }
    return QJsonObject{{QStringLiteral("color"), colorFor(n)}, {QStringLiteral("blocks"), blocks}};
}

QString explainSlackError(const QString &code)
{
    // Slack's incoming-webhook error strings: its changelog of 2016-05-17
    // ("Improving error conditions for Incoming Webhooks") and the webhook guide.
    static const QHash<QString, QString> explanations{
        {QStringLiteral("invalid_payload"), QStringLiteral("the message was malformed; this is a bug in Vigil, please report it")},
        {QStringLiteral("invalid_blocks"), QStringLiteral("Slack did not accept the message's blocks; this is a bug in Vigil, please report it")},
        {QStringLiteral("invalid_blocks_format"), QStringLiteral("Slack did not accept the message's blocks; this is a bug in Vigil, please report it")},
        {QStringLiteral("user_not_found"), QStringLiteral("the user the webhook posts to no longer exists")},
        {QStringLiteral("channel_not_found"), QStringLiteral("the channel the webhook posts to no longer exists; create a new webhook")},
        {QStringLiteral("channel_is_archived"), QStringLiteral("the channel the webhook posts to is archived; unarchive it or create a new webhook")},
        {QStringLiteral("action_prohibited"), QStringLiteral("a workspace admin restricted posting to that channel")},
        {QStringLiteral("posting_to_general_channel_denied"), QStringLiteral("only admins may post to that channel")},
        {QStringLiteral("no_service"), QStringLiteral("the webhook was disabled or removed; create a new one and update the keychain entry")},
        {QStringLiteral("no_service_id"), QStringLiteral("the webhook URL is incomplete; check the keychain entry")},
        {QStringLiteral("no_team"), QStringLiteral("the webhook URL is incomplete; check the keychain entry")},
        {QStringLiteral("team_disabled"), QStringLiteral("the Slack workspace is disabled")},
        {QStringLiteral("invalid_token"), QStringLiteral("the webhook URL is wrong or was revoked; check the keychain entry")},
        {QStringLiteral("no_text"), QStringLiteral("the message had no text; this is a bug in Vigil, please report it")},
        {QStringLiteral("too_many_attachments"), QStringLiteral("the message had too many attachments; this is a bug in Vigil, please report it")},
    };
    return explanations.value(code);
}

// Slack answers errors with a bare code ("channel_not_found"); anything else is described.
QString errorCode(const HttpResponse &r)
{
    static const QRegularExpression code(QStringLiteral("^[a-z_]{1,64}$"));
    const QString body = QString::fromUtf8(r.body).trimmed();
    return code.match(body).hasMatch() ? body : QString();
}

} // namespace

QString escapeText(const QString &text)
{
    // Control characters from label values and annotations become visible
    // (ESC as U+241B, an RLO as "<U+202E>"); newlines and tabs stay.
    QString out = visibleControlsMultiline(text);
    out.replace(QLatin1Char('&'), QStringLiteral("&amp;"));
    out.replace(QLatin1Char('<'), QStringLiteral("&lt;"));
    out.replace(QLatin1Char('>'), QStringLiteral("&gt;"));
    return out;
}

QString colorFor(const Notification &n)
{
    if (n.kind == Notification::Kind::Resolved)
        return QStringLiteral("#2EB67D"); // Slack green
    if (n.severity == QLatin1String("page"))
        return QStringLiteral("#8B0000");
    if (n.severity == QLatin1String("critical"))
        return QStringLiteral("#E01E5A"); // Slack red
    if (n.severity == QLatin1String("warning"))
        return QStringLiteral("#ECB22E"); // Slack yellow
    return QStringLiteral("#36C5F0");     // Slack blue: info
}

QString fallbackText(const QList<Notification> &batch)
{
    QStringList lines;
    for (const Notification &n : batch)
        lines << oneLine(n);
    return clip(escapeText(lines.join(QLatin1Char('\n'))), kFallbackMax);
}

QJsonObject buildMessage(const QList<Notification> &batch)
{
    QJsonArray attachments;
    for (int i = 0; i < batch.size() && i < kMaxDetailedAlerts; ++i)
        attachments << attachmentFor(batch[i]);
    if (batch.size() > kMaxDetailedAlerts) {
        QStringList rest;
        for (int i = kMaxDetailedAlerts; i < batch.size(); ++i)
            rest << oneLine(batch[i]);
        const QString text = QStringLiteral("And %1 more:\n%2").arg(batch.size() - kMaxDetailedAlerts).arg(rest.join(QLatin1Char('\n')));
        attachments << QJsonObject{{QStringLiteral("color"), QStringLiteral("#616061")},
                                   {QStringLiteral("blocks"),
                                    QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                                                           {QStringLiteral("text"), plain(text, kSectionMax)}}}}};
    }
    return QJsonObject{{QStringLiteral("text"), fallbackText(batch)}, {QStringLiteral("attachments"), attachments}};
}

QString redactWebhookUrl(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString()
        + QStringLiteral("/***");
}

qint64 parseRetryAfterMs(const QByteArray &value, qint64 nowMs)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return 0;
    bool ok = false;
    const qint64 seconds = v.toLongLong(&ok);
    if (ok)
        return seconds > 0 ? seconds * 1000 : 0;
    // An HTTP-date ends in "GMT", which Qt 6.4's RFC 2822 parser refuses.
    QString date = QString::fromLatin1(v);
    if (date.endsWith(QLatin1String(" GMT")))
        date = date.chopped(4) + QStringLiteral(" +0000");
    const QDateTime at = QDateTime::fromString(date, Qt::RFC2822Date);
    if (!at.isValid())
        return 0;
    return std::max<qint64>(0, at.toMSecsSinceEpoch() - nowMs);
}

DeliveryResult classifyResponse(const HttpResponse &r, const QString &where, qint64 nowMs)
{
    if (r.ok())
        return DeliveryResult::delivered(); // Slack answers 200 with the body "ok"
    if (r.status == 0 || r.error != ErrorKind::Http) {
        // No answer, or no complete one: refused, reset, DNS, TLS, timeout, an
        // answer cut off after its status line (even "200": Slack may or may
        // not have posted it, and a second copy beats a lost page). Slack may
        // be fine and the network not: retry. The message names `where`, never the URL.
        // HttpClient's messages name its own redacted URL, which keeps the
        // path: for a webhook the path is the secret.
        QString message = r.message;
        if (!r.where.isEmpty())
            message.replace(r.where, where);
        return DeliveryResult::retry(message.isEmpty() ? QStringLiteral("no answer from %1").arg(where) : message);
    }
    const QString code = errorCode(r);
    const QString status = QStringLiteral("HTTP %1").arg(r.status);
    if (r.status == 429) {
        const qint64 after = parseRetryAfterMs(r.retryAfter, nowMs);
        return DeliveryResult::retry(
            after > 0 ? QStringLiteral("Slack is rate-limiting the webhook %1 (%2); retrying in %3")
                            .arg(where, status, formatDuration(after))
                      : QStringLiteral("Slack is rate-limiting the webhook %1 (%2)").arg(where, status),
            after, r.status);
    }
    if (r.status >= 500 || r.status == 408) {
        const QString what = code.isEmpty() ? describeBody(r.body, r.contentType) : code;
        return DeliveryResult::retry(QStringLiteral("Slack answered %1 for %2 (%3); will retry").arg(status, where, what),
                                     parseRetryAfterMs(r.retryAfter, nowMs), r.status);
    }
    if (code.isEmpty())
        return DeliveryResult::permanent(QStringLiteral("Slack refused the message to %1 (%2, %3)")
                                             .arg(where, status, describeBody(r.body, r.contentType)),
                                         r.status);
    const QString why = explainSlackError(code);
    return DeliveryResult::permanent(why.isEmpty()
                                         ? QStringLiteral("Slack refused the message to %1: %2 (%3)").arg(where, code, status)
                                         : QStringLiteral("Slack refused the message to %1: %2 (%3): %4").arg(where, code, status, why),
                                     r.status);
}

} // namespace vigil::slack
