// SPDX-License-Identifier: GPL-3.0-or-later
// The Slack message builder and the meaning of Slack's answers: exact payloads, no network.
#include <catch2/catch.hpp>

#include "slack_message.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace vigil;
using namespace vigil::slack;

namespace {

constexpr qint64 kSince = 1'700'000'000'000; // 2023-11-14 22:13:20 UTC

Notification firing()
{
    Notification n;
    n.id = QStringLiteral("a1b2c3d4e5f60718:1700000000000:firing");
    n.kind = Notification::Kind::Firing;
    n.rule = QStringLiteral("HighP99Latency");
    n.severity = QStringLiteral("critical");
    n.summary = QStringLiteral("p99 latency of fraud-detector is 0.31 s");
    n.labels = {{"alertname", "HighP99Latency"}, {"model", "fraud-detector"}, {"severity", "critical"}, {"version", "3"}};
    n.value = 0.31;
    n.condition = QStringLiteral("above 0.25 (recovers below 0.2)");
    n.activeSinceMs = kSince;
    n.createdMs = kSince + 5 * 60'000;
    n.link = QUrl(QStringLiteral("http://127.0.0.1:8080/alerts/a1b2c3d4e5f60718"));
    return n;
}

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
    INFO(error.errorString().toStdString());
    REQUIRE(doc.isObject());
    return doc.object();
}

std::string pretty(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

HttpResponse answer(int status, QByteArray body, QByteArray retryAfter = {})
{
    HttpResponse r;
    r.error = status >= 200 && status < 300 ? ErrorKind::None : ErrorKind::Http;
    r.status = status;
    r.body = std::move(body);
    r.contentType = QStringLiteral("text/html");
    r.retryAfter = std::move(retryAfter);
    return r;
}

} // namespace

TEST_CASE("Slack message for a firing alert, exactly", "[notify][slack]")
{
    const QJsonObject expected = parse(R"json({
      "text": "FIRING critical HighP99Latency{model=fraud-detector, version=3}: p99 latency of fraud-detector is 0.31 s",
      "attachments": [{
        "color": "#E01E5A",
        "blocks": [
          {"type": "header", "block_id": "a1b2c3d4e5f60718:1700000000000:firing",
           "text": {"type": "plain_text", "text": "FIRING · critical · HighP99Latency", "emoji": false}},
          {"type": "section", "text": {"type": "plain_text", "text": "p99 latency of fraud-detector is 0.31 s", "emoji": false}},
          {"type": "section", "fields": [
            {"type": "plain_text", "text": "Value: 0.31", "emoji": false},
            {"type": "plain_text", "text": "Condition: above 0.25 (recovers below 0.2)", "emoji": false}]},
          {"type": "section", "text": {"type": "plain_text", "text": "Labels: model=fraud-detector, version=3", "emoji": false}},
          {"type": "context", "elements": [
            {"type": "plain_text", "text": "Since 2023-11-14 22:13:20 UTC (5 min)", "emoji": false},
            {"type": "plain_text", "text": "Model fraud-detector, version 3", "emoji": false},
            {"type": "plain_text", "text": "Not acknowledged", "emoji": false}]},
          {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open", "emoji": false},
             "url": "http://127.0.0.1:8080/alerts/a1b2c3d4e5f60718"}]}
        ]
      }]
    })json");
    const QJsonObject got = buildMessage({firing()});
    INFO(pretty(got));
    CHECK(got == expected);
}

TEST_CASE("Slack message for a resolved, acknowledged alert is green and says who acked", "[notify][slack]")
{
    Notification n = firing();
    n.kind = Notification::Kind::Resolved;
    n.id = QStringLiteral("a1b2c3d4e5f60718:1700000000000:resolved");
    n.value = 0.18;
    n.summary.clear();
    n.ackedBy = QStringLiteral("ana");
    n.ackComment = QStringLiteral("rolled back to v2");
    n.link = QUrl();
    n.createdMs = kSince + 2 * 3'600'000 + 7 * 60'000;
    const QJsonObject expected = parse(R"json({
      "text": "RESOLVED critical HighP99Latency{model=fraud-detector, version=3}",
      "attachments": [{
        "color": "#2EB67D",
        "blocks": [
          {"type": "header", "block_id": "a1b2c3d4e5f60718:1700000000000:resolved",
           "text": {"type": "plain_text", "text": "RESOLVED · critical · HighP99Latency", "emoji": false}},
          {"type": "section", "fields": [
            {"type": "plain_text", "text": "Value: 0.18", "emoji": false},
            {"type": "plain_text", "text": "Condition: above 0.25 (recovers below 0.2)", "emoji": false}]},
          {"type": "section", "text": {"type": "plain_text", "text": "Labels: model=fraud-detector, version=3", "emoji": false}},
          {"type": "context", "elements": [
            {"type": "plain_text", "text": "Resolved after 2 h 7 min (firing since 2023-11-14 22:13:20 UTC)", "emoji": false},
            {"type": "plain_text", "text": "Model fraud-detector, version 3", "emoji": false},
            {"type": "plain_text", "text": "Acknowledged by ana: rolled back to v2", "emoji": false}]}
        ]
      }]
    })json");
    const QJsonObject got = buildMessage({n});
    INFO(pretty(got));
    CHECK(got == expected);
}

TEST_CASE("Slack message escapes server text and never renders it as markup", "[notify][slack]")
{
    Notification n = firing();
    n.summary = QStringLiteral("<!channel> *bold* & <http://evil|click>");
    n.labels = {{"model", "a<b>&c"}};
    n.link = QUrl(QStringLiteral("javascript:alert(1)")); // not http(s): no button
    const QJsonObject got = buildMessage({n});
    const QString json = QString::fromUtf8(QJsonDocument(got).toJson(QJsonDocument::Compact));
    CHECK_FALSE(json.contains(QStringLiteral("<!channel>")));
    CHECK_FALSE(json.contains(QStringLiteral("\"mrkdwn\"")));
    CHECK_FALSE(json.contains(QStringLiteral("javascript")));
    CHECK(got["text"].toString()
          == "FIRING critical HighP99Latency{model=a&lt;b&gt;&amp;c}: &lt;!channel&gt; *bold* &amp; &lt;http://evil|click&gt;");
    const QJsonArray blocks = got["attachments"].toArray()[0].toObject()["blocks"].toArray();
    CHECK(blocks[1].toObject()["text"].toObject()["text"].toString()
          == "&lt;!channel&gt; *bold* &amp; &lt;http://evil|click&gt;");
    CHECK(blocks[1].toObject()["text"].toObject()["type"].toString() == "plain_text");
}

TEST_CASE("Slack message shows control characters from server text instead of sending them", "[notify][slack][security]")
{
    Notification n = firing();
    n.summary = QStringLiteral("note red\x1b[31m \u202Egnp.exe\nsecond line\tend");
    n.labels = {{"note", "a\ab\u2066c"}};
    const QJsonObject got = buildMessage({n});
    const QString json = QString::fromUtf8(QJsonDocument(got).toJson(QJsonDocument::Compact));
    for (const QChar c : {QChar(0x1b), QChar(0x202e), QChar(0x07), QChar(0x2066)})
        CHECK_FALSE(json.contains(c));
    INFO(got["text"].toString().toStdString());
    // Made visible first, then escaped for mrkdwn: Slack shows "<U+202E>".
    CHECK(got["text"].toString()
          == "FIRING critical HighP99Latency{note=a\u2407b&lt;U+2066&gt;c}: note red\u241B[31m &lt;U+202E&gt;gnp.exe\nsecond line\tend");
    const QJsonArray blocks = got["attachments"].toArray()[0].toObject()["blocks"].toArray();
    // The summary's own line break and tab are kept: they are layout, not an attack.
    CHECK(blocks[1].toObject()["text"].toObject()["text"].toString()
          == "note red\u241B[31m &lt;U+202E&gt;gnp.exe\nsecond line\tend");
}

TEST_CASE("Slack message merges a batch and lists what does not fit", "[notify][slack]")
{
    QList<Notification> batch;
    for (int i = 0; i < kMaxDetailedAlerts + 3; ++i) {
        Notification n = firing();
        n.id = QStringLiteral("id-%1").arg(i);
        n.labels = {{"model", QStringLiteral("m%1").arg(i)}};
        n.summary.clear();
        batch << n;
    }
    batch[1].kind = Notification::Kind::Resolved;
    const QJsonObject got = buildMessage(batch);
    const QJsonArray attachments = got["attachments"].toArray();
    REQUIRE(attachments.size() == kMaxDetailedAlerts + 1);
    CHECK(attachments[1].toObject()["color"] == "#2EB67D");
    CHECK(attachments.last().toObject()["blocks"].toArray()[0].toObject()["text"].toObject()["text"].toString()
          == "And 3 more:\nFIRING critical HighP99Latency{model=m8}\nFIRING critical HighP99Latency{model=m9}\n"
             "FIRING critical HighP99Latency{model=m10}");
    CHECK(got["text"].toString().count('\n') == batch.size() - 1);
    int blocks = 0;
    for (const auto &a : attachments)
        blocks += a.toObject()["blocks"].toArray().size();
    CHECK(blocks <= 50); // Slack's limit for one message
}

TEST_CASE("Slack header is clipped to Block Kit's 150 characters", "[notify][slack]")
{
    Notification n = firing();
    n.rule = QString(200, QLatin1Char('R'));
    const QJsonObject got = buildMessage({n});
    const QString header = got["attachments"].toArray()[0].toObject()["blocks"].toArray()[0]
                               .toObject()["text"].toObject()["text"].toString();
    CHECK(header.size() == 150);
    CHECK(header.endsWith(QChar(0x2026)));
}

TEST_CASE("Slack answers classified: delivered, retry, permanent with the reason", "[notify][slack]")
{
    const QString where = QStringLiteral("https://hooks.slack.com/***");
    using O = DeliveryResult::Outcome;
    struct Row
    {
        int status;
        const char *body;
        const char *retryAfter;
        O outcome;
        qint64 retryAfterMs;
        const char *reason;
    };
    const auto row = GENERATE(values<Row>({
        {200, "ok", "", O::Delivered, 0, ""},
        {429, "rate_limited", "30", O::Retry, 30'000,
         "Slack is rate-limiting the webhook https://hooks.slack.com/*** (HTTP 429); retrying in 30 s"},
        {429, "", "", O::Retry, 0, "Slack is rate-limiting the webhook https://hooks.slack.com/*** (HTTP 429)"},
        {500, "", "", O::Retry, 0, "Slack answered HTTP 500 for https://hooks.slack.com/*** (an empty body); will retry"},
        {503, "service_unavailable", "5", O::Retry, 5'000,
         "Slack answered HTTP 503 for https://hooks.slack.com/*** (service_unavailable); will retry"},
        {400, "invalid_payload", "", O::PermanentFailure, 0,
         "Slack refused the message to https://hooks.slack.com/***: invalid_payload (HTTP 400): the message was malformed; this is a bug in Vigil, please report it"},
        {403, "action_prohibited", "", O::PermanentFailure, 0,
         "Slack refused the message to https://hooks.slack.com/***: action_prohibited (HTTP 403): a workspace admin restricted posting to that channel"},
        {404, "channel_not_found", "", O::PermanentFailure, 0,
         "Slack refused the message to https://hooks.slack.com/***: channel_not_found (HTTP 404): the channel the webhook posts to no longer exists; create a new webhook"},
        {404, "no_service", "", O::PermanentFailure, 0,
         "Slack refused the message to https://hooks.slack.com/***: no_service (HTTP 404): the webhook was disabled or removed; create a new one and update the keychain entry"},
        {410, "channel_is_archived", "", O::PermanentFailure, 0,
         "Slack refused the message to https://hooks.slack.com/***: channel_is_archived (HTTP 410): the channel the webhook posts to is archived; unarchive it or create a new webhook"},
    }));
    CAPTURE(row.status, row.body);
    const DeliveryResult r = classifyResponse(answer(row.status, row.body, row.retryAfter), where, kSince);
    CHECK(r.outcome == row.outcome);
    CHECK(r.retryAfterMs == row.retryAfterMs);
    CHECK(r.reason == QString::fromUtf8(row.reason));
    if (row.outcome != O::Delivered)
        CHECK(r.httpStatus == row.status);
}

TEST_CASE("Slack connection errors retry and never name the webhook path", "[notify][slack]")
{
    HttpResponse r;
    r.error = ErrorKind::Network;
    r.where = QStringLiteral("https://hooks.slack.com/services/T000/B000/SECRETSECRET");
    r.message = QStringLiteral("connection refused by https://hooks.slack.com/services/T000/B000/SECRETSECRET");
    const DeliveryResult d = classifyResponse(r, QStringLiteral("https://hooks.slack.com/***"), kSince);
    CHECK(d.outcome == DeliveryResult::Outcome::Retry);
    CHECK(d.reason == "connection refused by https://hooks.slack.com/***");
}

TEST_CASE("Slack webhook URLs are redacted to scheme and host", "[notify][slack]")
{
    CHECK(redactWebhookUrl(QUrl("https://hooks.slack.com/services/T000/B000/XXXX")) == "https://hooks.slack.com/***");
    CHECK(redactWebhookUrl(QUrl("http://user:pw@127.0.0.1:8123/services/T/B/X?x=1")) == "http://127.0.0.1:8123/***");
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[notify][slack]")
{
    CHECK(parseRetryAfterMs("1", kSince) == 1'000);
    CHECK(parseRetryAfterMs(" 30 ", kSince) == 30'000);
    CHECK(parseRetryAfterMs("", kSince) == 0);
    CHECK(parseRetryAfterMs("soon", kSince) == 0);
    CHECK(parseRetryAfterMs("Tue, 14 Nov 2023 22:13:50 GMT", kSince) == 30'000);
    CHECK(parseRetryAfterMs("Tue, 14 Nov 2023 22:00:00 GMT", kSince) == 0); // in the past
}

TEST_CASE("Slack message for an alert with no data or a failing query names it and shows no empty value", "[notify][slack]")
{
    Notification n = firing();
    n.state = Notification::State::NoData;
    n.value = std::numeric_limits<double>::quiet_NaN();
    n.summary = QStringLiteral("p99 latency of  is NaN");
    const QString json = QString::fromUtf8(QJsonDocument(slack::buildMessage({n})).toJson(QJsonDocument::Compact));
    INFO(json.toStdString());
    CHECK(json.contains("FIRING (NO DATA) critical HighP99Latency{model=fraud-detector, version=3}: The query returned no data"));
    CHECK(json.contains("FIRING (NO DATA) · critical · HighP99Latency"));
    CHECK(json.contains("Value: none"));
    CHECK_FALSE(json.contains("NaN"));

    n.state = Notification::State::Error;
    n.kind = Notification::Kind::Resolved;
    const QString resolved = QString::fromUtf8(QJsonDocument(slack::buildMessage({n})).toJson(QJsonDocument::Compact));
    CHECK(resolved.contains("RESOLVED critical HighP99Latency")); // over: no state word
    CHECK_FALSE(resolved.contains("QUERY FAILING"));
}
