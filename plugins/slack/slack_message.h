// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/http_client.h"
#include "notify/notifier.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace vigil::slack {

// Slack treats &, < and > as control characters in text ("<!channel>",
// "<url|label>"), so text from servers and rules is escaped as its formatting
// guide asks: & -> &amp;, < -> &lt;, > -> &gt;, nothing else.
QString escapeText(const QString &text);

// The colour bar of an alert's attachment: Slack's own palette, green when resolved.
QString colorFor(const Notification &n);

// Alerts described in full in one message; the rest of a larger batch is
// listed in one closing line. 8 alerts of at most 6 blocks stay under
// Slack's 50-block limit for a message.
inline constexpr int kMaxDetailedAlerts = 8;

// One webhook message for a batch (the router's group, merged further by the
// outbox): a `text` fallback for notifications and screen readers, and one
// attachment per alert with its colour and Block Kit blocks: a header
// (state, severity, rule; its block_id is the notification id), the summary, value vs condition, the labels, since
// when, model and version, the acknowledgement, and a link button. Every
// piece of server text is a plain_text object, so nothing an alert carries is
// rendered as markup or a mention.
QJsonObject buildMessage(const QList<Notification> &batch);
// The fallback alone: one line per alert, escaped.
QString fallbackText(const QList<Notification> &batch);

// A webhook URL is a credential (its path is the token): logs and messages
// get "https://hooks.slack.com/***".
QString redactWebhookUrl(const QUrl &url);

// Retry-After as Slack (and RFC 9110) send it: delay-seconds or an HTTP-date.
// 0 when absent or unreadable (the outbox then uses its backoff).
qint64 parseRetryAfterMs(const QByteArray &value, qint64 nowMs);

// What Slack's answer means for the outbox:
//   200 "ok"                              delivered
//   429 (Retry-After)                     retry when Slack says
//   5xx, 408, timeouts, connection errors retry with the outbox's backoff
//   400 invalid_payload, 403 action_prohibited / invalid_token,
//   404 channel_not_found / no_service, 410 channel_is_archived, other 4xx
//                                         permanent, with Slack's reason explained
// `where` is the redacted webhook, used in messages instead of the URL.
DeliveryResult classifyResponse(const HttpResponse &response, const QString &where, qint64 nowMs);

} // namespace vigil::slack
