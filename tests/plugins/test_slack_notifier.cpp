// SPDX-License-Identifier: GPL-3.0-or-later
// The Slack notifier plugin, loaded as the app loads it, posting to a local
// webhook receiver (QHttpServer on loopback) scripted to answer as Slack does:
// 200 "ok", 429 with Retry-After, 500, 404 no_service, 410 channel_is_archived.
// With the outbox in front of it on the system clock: the spacing of requests,
// the retries, and that every notification arrives (by its stable id).
#include <catch2/catch.hpp>

#include "notify/delivery_queue.h"
#include "slack_message.h"
#include "support/fault_server.h"
#include "support/test_stack.h"

#include <QElapsedTimer>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPluginLoader>
#include <QSet>
#include <memory>

using namespace vigil;
using namespace vigil::test;

namespace {

const QString kWebhookPath = QStringLiteral("/services/T0VIGIL/B0TEST/s3cr3tT0ken");

// What Slack's webhook endpoint answers, one script entry per request; the
// last entry repeats.
struct Reply
{
    int status = 200;
    QByteArray body = "ok";
    QByteArray retryAfter;
};

class SlackReceiver
{
public:
    SlackReceiver()
    {
        m_server.route(kWebhookPath, QHttpServerRequest::Method::Post, [this](const QHttpServerRequest &request) {
            Arrival a;
            a.atMs = m_clock.elapsed();
            a.contentType = request.value("Content-Type");
            a.body = QJsonDocument::fromJson(request.body()).object();
            const Reply reply = m_script.isEmpty() ? Reply{} : m_script.size() > 1 ? m_script.takeFirst() : m_script.first();
            a.status = reply.status;
            arrivals << a;
            QHttpServerResponse response("text/html", reply.body, QHttpServerResponse::StatusCode(reply.status));
            if (!reply.retryAfter.isEmpty())
                response.setHeader("Retry-After", reply.retryAfter);
            return response;
        });
        m_port = m_server.listen(QHostAddress::LocalHost, 0);
        m_clock.start();
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(kWebhookPath); }
    void script(QList<Reply> replies) { m_script = std::move(replies); }

    struct Arrival
    {
        qint64 atMs = 0;
        QByteArray contentType;
        QJsonObject body;
        int status = 0;
        // The notification ids in this message (each alert's header block_id).
        QStringList ids() const
        {
            QStringList out;
            for (const auto &a : body.value("attachments").toArray())
                for (const auto &b : a.toObject().value("blocks").toArray())
                    if (b.toObject().value("type") == "header")
                        out << b.toObject().value("block_id").toString();
            return out;
        }
    };
    QList<Arrival> arrivals;

private:
    QHttpServer m_server;
    quint16 m_port = 0;
    QList<Reply> m_script;
    QElapsedTimer m_clock;
};

NotifierPlugin *plugin()
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-slack.so"));
    QObject *instance = loader.instance();
    INFO(loader.errorString().toStdString());
    REQUIRE(instance);
    auto *p = qobject_cast<NotifierPlugin *>(instance);
    REQUIRE(p);
    return p;
}

std::unique_ptr<Notifier> slackTo(const QString &webhookUrl, int timeoutMs = 5'000)
{
    NotifierSettings s;
    s.name = QStringLiteral("oncall-slack");
    s.kind = QStringLiteral("slack");
    s.options = QJsonObject{{"webhook_secret", "slack-oncall"}, {"timeout_ms", timeoutMs}};
    s.secrets.insert(QStringLiteral("webhook_url"), webhookUrl);
    std::unique_ptr<Notifier> n(plugin()->createNotifier(s, nullptr));
    REQUIRE(n);
    REQUIRE(n->kind() == "slack");
    return n;
}

Notification note(const QString &id, const char *model = "fraud-detector")
{
    Notification n;
    n.id = id;
    n.rule = QStringLiteral("HighP99Latency");
    n.severity = QStringLiteral("critical");
    n.summary = QStringLiteral("p99 latency is high");
    n.labels = {{"alertname", "HighP99Latency"}, {"model", model}, {"severity", "critical"}};
    n.value = 0.31;
    n.condition = QStringLiteral("above 0.25");
    n.activeSinceMs = 1'700'000'000'000;
    n.createdMs = 1'700'000'060'000;
    return n;
}

} // namespace

TEST_CASE("Slack notifier posts the exact message as JSON and 200 ok delivers it", "[plugin][slack]")
{
    SlackReceiver receiver;
    auto slack = slackTo(receiver.url());
    const QList<Notification> batch{note("a"), note("b", "recs")};
    const DeliveryResult r = await(slack->deliver(batch));
    CHECK(r.outcome == DeliveryResult::Outcome::Delivered);
    REQUIRE(receiver.arrivals.size() == 1);
    CHECK(receiver.arrivals[0].contentType == "application/json");
    CHECK(receiver.arrivals[0].body == slack::buildMessage(batch)); // one message for the batch
    CHECK(receiver.arrivals[0].ids() == QStringList{"a", "b"});
}

TEST_CASE("Slack notifier reads the receiver's answer", "[plugin][slack]")
{
    using O = DeliveryResult::Outcome;
    struct Row
    {
        Reply reply;
        O outcome;
        qint64 retryAfterMs;
        const char *reasonContains;
    };
    const auto row = GENERATE(values<Row>({
        {{429, "rate_limited", "1"}, O::Retry, 1'000, "rate-limiting"},
        {{500, "", ""}, O::Retry, 0, "HTTP 500"},
        {{404, "no_service", ""}, O::PermanentFailure, 0, "no_service (HTTP 404)"},
        {{410, "channel_is_archived", ""}, O::PermanentFailure, 0, "channel_is_archived (HTTP 410)"},
        {{400, "invalid_payload", ""}, O::PermanentFailure, 0, "invalid_payload (HTTP 400)"},
    }));
    CAPTURE(row.reply.status);
    SlackReceiver receiver;
    receiver.script({row.reply});
    auto slack = slackTo(receiver.url());
    const DeliveryResult r = await(slack->deliver({note("a")}));
    CHECK(r.outcome == row.outcome);
    CHECK(r.retryAfterMs == row.retryAfterMs);
    CHECK(r.httpStatus == row.reply.status);
    CHECK(r.reason.contains(QLatin1String(row.reasonContains)));
    CHECK_FALSE(r.reason.contains("s3cr3tT0ken")); // the webhook path is the credential
    CHECK(r.reason.contains("http://127.0.0.1:"));
}

TEST_CASE("Slack notifier retries a refused connection and never names the webhook", "[plugin][slack]")
{
    const QString url = QStringLiteral("http://127.0.0.1:%1%2").arg(freeLoopbackPort()).arg(kWebhookPath);
    auto slack = slackTo(url);
    const DeliveryResult r = await(slack->deliver({note("a")}));
    CHECK(r.outcome == DeliveryResult::Outcome::Retry);
    CHECK_FALSE(r.reason.contains("s3cr3tT0ken"));
    CHECK_FALSE(r.reason.contains("/services/"));
}

// Fault injection (issue 8): a webhook endpoint that accepts the connection and
// never answers, one that cuts its answer short, and a proxy's HTML error page.
TEST_CASE("Slack notifier: a webhook that never answers, cuts its answer, or sends a proxy's HTML page is retried",
          "[plugin][slack][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    const QString url = server.url().toString() + kWebhookPath;

    SECTION("never answers: a timeout within timeout_ms, retried")
    {
        server.setScript(FaultServer::mode(FaultServer::Mode::Hang));
        auto slack = slackTo(url, 500);
        QElapsedTimer t;
        t.start();
        const DeliveryResult r = await(slack->deliver({note("a")}), 10'000);
        CHECK(t.elapsed() < 5'000);
        CHECK(r.outcome == DeliveryResult::Outcome::Retry);
        CHECK(r.reason.contains("no answer from"));
        CHECK(r.reason.contains("within 500 ms"));
        CHECK_FALSE(r.reason.contains("s3cr3tT0ken"));
        REQUIRE(server.requests().size() == 1); // it did reach the server
        CHECK(server.requests().first().method == "POST");
    }
    SECTION("cut off mid-answer: retried, not taken as delivered")
    {
        FaultServer::Script script = FaultServer::respond(200, "OK", "text/html", "ok and more to come");
        script.mode = FaultServer::Mode::Truncated;
        server.setScript(script);
        auto slack = slackTo(url);
        const DeliveryResult r = await(slack->deliver({note("a")}));
        INFO(r.reason.toStdString());
        // Slack may or may not have posted it: a second copy beats a lost page.
        CHECK(r.outcome == DeliveryResult::Outcome::Retry);
        CHECK_FALSE(r.reason.contains("s3cr3tT0ken"));
    }
    SECTION("a proxy's 502 page: retried, the page not pasted into the message")
    {
        server.setScript(FaultServer::respond(502, "Bad Gateway", "text/html",
                                              "<html><body><h1>502 Bad Gateway</h1><script>x()</script></body></html>"));
        auto slack = slackTo(url);
        const DeliveryResult r = await(slack->deliver({note("a")}));
        CHECK(r.outcome == DeliveryResult::Outcome::Retry);
        CHECK(r.httpStatus == 502);
        CHECK_FALSE(r.reason.contains("<script>"));
        CHECK_FALSE(r.reason.contains("s3cr3tT0ken"));
    }
}

TEST_CASE("Slack notifier without a usable webhook URL fails permanently and says which entry", "[plugin][slack]")
{
    for (const QString &bad : {QString(), QStringLiteral("ftp://hooks.example/x"), QStringLiteral("not a url")}) {
        CAPTURE(bad);
        auto slack = slackTo(bad);
        const DeliveryResult r = await(slack->deliver({note("a")}));
        CHECK(r.outcome == DeliveryResult::Outcome::PermanentFailure);
        CHECK(r.reason.contains("'slack-oncall'"));
    }
}

TEST_CASE("Slack through the outbox: spaced a second apart, retried, merged, nothing lost or doubled", "[plugin][slack][outbox]")
{
    SlackReceiver receiver;
    // First message: 500, then 429 with Retry-After: 1, then accepted; later ones accepted.
    receiver.script({{500, "", ""}, {429, "rate_limited", "1"}, {200, "ok", ""}});
    auto slack = slackTo(receiver.url());
    DeliveryQueue queue(SystemClock::instance());
    queue.addNotifier(slack.get(), 1.0); // Slack: one message per second per webhook
    queue.setRandom([] { return 0.5; }); // backoff without jitter: exactly 1 s after the first failure
    QSet<QString> delivered;
    QStringList deliveredTwice;
    QObject::connect(&queue, &DeliveryQueue::delivered, [&](const QString &, const QStringList &ids) {
        for (const QString &id : ids)
            if (delivered.contains(id))
                deliveredTwice << id;
            else
                delivered.insert(id);
    });
    queue.start();

    queue.enqueue("oncall-slack", note("n1"));
    REQUIRE(waitUntil([&] { return receiver.arrivals.size() >= 1; }, 5'000));
    // A burst while the first is failing: merged into the retries' messages.
    for (const char *id : {"n2", "n3", "n4"})
        queue.enqueue("oncall-slack", note(id));
    queue.enqueue("oncall-slack", note("n1")); // enqueued twice: kept once
    REQUIRE(waitUntil([&] { return queue.pendingCount() == 0; }, 15'000));
    // Then one at a time, each as soon as the last is delivered.
    for (const char *id : {"n5", "n6"}) {
        queue.enqueue("oncall-slack", note(id));
        REQUIRE(waitUntil([&] { return queue.pendingCount() == 0; }, 5'000));
    }
    queue.stop();

    const auto &arrivals = receiver.arrivals;
    QStringList trace;
    for (const auto &a : arrivals)
        trace << QStringLiteral("%1 ms: HTTP %2 [%3]").arg(a.atMs).arg(a.status).arg(a.ids().join(','));
    INFO(trace.join('\n').toStdString());

    REQUIRE(arrivals.size() == 5);
    CHECK(arrivals[0].status == 500);
    CHECK(arrivals[1].status == 429);
    CHECK(arrivals[2].status == 200);
    CHECK(arrivals[0].ids() == QStringList{"n1"});
    // The retry carries the same id, and the burst joins it.
    CHECK(arrivals[1].ids() == QStringList{"n1", "n2", "n3", "n4"});
    CHECK(arrivals[2].ids() == QStringList{"n1", "n2", "n3", "n4"});
    CHECK(arrivals[3].ids() == QStringList{"n5"});
    CHECK(arrivals[4].ids() == QStringList{"n6"});
    // At most one message a second (a little slack for the loopback's jitter),
    // and Retry-After's second honoured.
    for (int i = 1; i < arrivals.size(); ++i) {
        CAPTURE(i);
        CHECK(arrivals[i].atMs - arrivals[i - 1].atMs >= 950);
        CHECK(arrivals[i].atMs - arrivals[i - 1].atMs < 5'000);
    }
    // Accepted exactly once each, by id.
    QStringList acceptedIds;
    for (const auto &a : arrivals)
        if (a.status == 200)
            acceptedIds << a.ids();
    acceptedIds.sort();
    CHECK(acceptedIds == QStringList{"n1", "n2", "n3", "n4", "n5", "n6"});
    CHECK(delivered == QSet<QString>{"n1", "n2", "n3", "n4", "n5", "n6"});
    CHECK(deliveredTwice.isEmpty());
}

TEST_CASE("Slack through the outbox: a permanent failure stops retries and keeps the reason", "[plugin][slack][outbox]")
{
    SlackReceiver receiver;
    receiver.script({{404, "no_service", ""}});
    auto slack = slackTo(receiver.url());
    DeliveryQueue queue(SystemClock::instance());
    queue.addNotifier(slack.get(), 1.0);
    queue.start();
    queue.enqueue("oncall-slack", note("n1"));
    REQUIRE(waitUntil([&] { return queue.pendingCount() == 0; }, 5'000));
    // Nothing more goes out for it: give a retry every chance to happen.
    waitUntil([] { return false; }, 1'500);
    CHECK(receiver.arrivals.size() == 1);
    const auto e = queue.entries().first();
    CHECK(e.state == DeliveryQueue::Entry::State::Failed);
    CHECK(e.lastError.contains("no_service (HTTP 404): the webhook was disabled or removed"));
}
