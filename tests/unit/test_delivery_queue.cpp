// SPDX-License-Identifier: GPL-3.0-or-later
// The outbox against a scripted notifier and a manual clock.
#include <catch2/catch.hpp>

#include "notify/delivery_queue.h"
#include "notify/token_bucket.h"

#include <QCoreApplication>
#include <QPromise>
#include <memory>

using namespace vigil;

namespace {

class ScriptedNotifier : public Notifier
{
public:
    explicit ScriptedNotifier(QString name)
    {
        m_settings.name = std::move(name);
        m_settings.kind = QStringLiteral("scripted");
    }
    QString kind() const override { return m_settings.kind; }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &batch) override
    {
        batches.append(batch);
        auto p = std::make_shared<QPromise<DeliveryResult>>();
        p->start();
        pending.append(p);
        return p->future();
    }
    void answer(int i, const DeliveryResult &r)
    {
        pending[i]->addResult(r);
        pending[i]->finish();
        QCoreApplication::processEvents();
    }
    QStringList ids(int i) const
    {
        QStringList out;
        for (const Notification &n : batches[i])
            out << n.id;
        return out;
    }

    QList<QList<Notification>> batches;
    QList<std::shared_ptr<QPromise<DeliveryResult>>> pending;

private:
    NotifierSettings m_settings;
};

Notification note(QString id)
{
    Notification n;
    n.id = std::move(id);
    n.rule = QStringLiteral("HighP99Latency");
    n.severity = QStringLiteral("critical");
    return n;
}

struct Fixture
{
    ManualClock clock{1'700'000'000'000};
    ScriptedNotifier slack{QStringLiteral("oncall-slack")};
    DeliveryQueue queue{clock};
    explicit Fixture(double rate = 1.0)
    {
        queue.addNotifier(&slack, rate);
        queue.setRandom([] { return 0.5; });
    }
};

} // namespace

TEST_CASE("Token bucket: one message per second, no burst beyond the bucket", "[notify][bucket]")
{
    TokenBucket b(1.0, 1.0);
    CHECK(b.tryTake(0));
    CHECK_FALSE(b.tryTake(500));
    CHECK(b.msUntilToken(500) == 500);
    CHECK(b.tryTake(1000));
    CHECK_FALSE(b.tryTake(1999));
    CHECK(b.tryTake(5000));
    CHECK_FALSE(b.tryTake(5000)); // a long pause does not bank more than the burst
}

TEST_CASE("Outbox delivers a notification and records it", "[notify][outbox]")
{
    Fixture f;
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    REQUIRE(f.slack.batches.size() == 1);
    CHECK(f.slack.ids(0) == QStringList{"a"});
    CHECK(f.queue.pendingCount() == 1); // in flight
    f.slack.answer(0, DeliveryResult::delivered());
    CHECK(f.queue.pendingCount() == 0);
    CHECK(f.queue.entries().first().state == DeliveryQueue::Entry::State::Delivered);
}

TEST_CASE("Outbox merges a burst into one batch while a delivery is in flight", "[notify][outbox]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    for (const char *id : {"b", "c", "d"})
        f.queue.enqueue("oncall-slack", note(id));
    f.queue.tick();
    CHECK(f.slack.batches.size() == 1); // one in flight per notifier
    f.slack.answer(0, DeliveryResult::delivered());
    f.queue.tick();
    REQUIRE(f.slack.batches.size() == 2);
    CHECK(f.slack.ids(1) == QStringList{"b", "c", "d"});
}

TEST_CASE("Outbox spaces batches to the notifier's rate", "[notify][outbox][rate]")
{
    Fixture f(1.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    f.slack.answer(0, DeliveryResult::delivered());
    f.queue.enqueue("oncall-slack", note("b"));
    const qint64 next = f.queue.tick();
    CHECK(f.slack.batches.size() == 1);
    CHECK(next == f.clock.nowMs() + 1000);
    f.clock.advanceMs(999);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 1);
    f.clock.advanceMs(1);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 2);
}

TEST_CASE("Outbox honours Retry-After over its own backoff", "[notify][outbox][retry]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    f.slack.answer(0, DeliveryResult::retry("rate limited (HTTP 429)", 30'000, 429));
    const auto e = f.queue.entries().first();
    CHECK(e.state == DeliveryQueue::Entry::State::Pending);
    CHECK(e.lastError == "rate limited (HTTP 429)");
    CHECK(e.nextAttemptMs == f.clock.nowMs() + 30'000);
    f.clock.advanceMs(29'999);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 1);
    f.clock.advanceMs(1);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 2);
}

TEST_CASE("Outbox retries server errors with exponential backoff and never drops", "[notify][outbox][retry]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    qint64 expectedDelay = 1'000;
    for (int attempt = 0; attempt < 12; ++attempt) {
        f.slack.answer(attempt, DeliveryResult::retry("HTTP 500", 0, 500));
        CHECK(f.queue.entries().first().nextAttemptMs == f.clock.nowMs() + expectedDelay);
        f.clock.advanceMs(expectedDelay);
        f.queue.tick();
        REQUIRE(f.slack.batches.size() == attempt + 2);
        expectedDelay = std::min<qint64>(expectedDelay * 2, 300'000);
    }
    f.slack.answer(12, DeliveryResult::delivered());
    CHECK(f.queue.entries().first().state == DeliveryQueue::Entry::State::Delivered);
    CHECK(f.queue.entries().first().attempts == 13);
}

TEST_CASE("Outbox takes Retry-After as given even after a long run of backoff", "[notify][outbox][retry]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    for (int attempt = 0; attempt < 10; ++attempt) {
        f.slack.answer(attempt, DeliveryResult::retry("HTTP 503", 0, 503));
        f.clock.setMs(f.queue.entries().first().nextAttemptMs);
        f.queue.tick();
    }
    f.slack.answer(10, DeliveryResult::retry("rate limited (HTTP 429)", 2'000, 429));
    CHECK(f.queue.entries().first().nextAttemptMs == f.clock.nowMs() + 2'000); // not the 5 min backoff
}

TEST_CASE("Outbox does not let a newer notification overtake one waiting to be retried", "[notify][outbox][retry]")
{
    Fixture f(1.0);
    f.queue.enqueue("oncall-slack", note("firing"));
    f.queue.tick();
    f.slack.answer(0, DeliveryResult::retry("HTTP 500", 0, 500));
    f.clock.advanceMs(10);
    f.queue.enqueue("oncall-slack", note("resolved")); // due now, but behind the failed one
    CHECK(f.queue.tick() == f.clock.nowMs() + 990);
    CHECK(f.slack.batches.size() == 1);
    f.clock.advanceMs(990);
    f.queue.tick();
    REQUIRE(f.slack.batches.size() == 2);
    CHECK(f.slack.ids(1) == QStringList{"firing", "resolved"});
}

TEST_CASE("Outbox stops retrying a permanent failure and keeps the reason", "[notify][outbox]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    f.slack.answer(0, DeliveryResult::permanent("Slack refused the message: channel_not_found (HTTP 404)", 404));
    const auto e = f.queue.entries().first();
    CHECK(e.state == DeliveryQueue::Entry::State::Failed);
    CHECK(e.lastError.contains("channel_not_found"));
    f.clock.advanceMs(3'600'000);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 1);
}

TEST_CASE("Outbox keeps one copy of a notification enqueued twice", "[notify][outbox]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.enqueue("oncall-slack", note("a"));
    CHECK(f.queue.entries().size() == 1);
}

TEST_CASE("Outbox names an unknown notifier", "[notify][outbox]")
{
    Fixture f;
    QStringList failedIds;
    bool permanent = false;
    QObject::connect(&f.queue, &DeliveryQueue::failed, [&](const QString &, const QStringList &ids, const QString &, bool p) {
        failedIds = ids;
        permanent = p;
    });
    CHECK_FALSE(f.queue.enqueue("pagerduty", note("a")));
    CHECK(failedIds == QStringList{"a"});
    CHECK(permanent);
    CHECK(f.queue.entries().first().lastError == "no notifier named 'pagerduty' (check the workspace's notifiers)");
}

TEST_CASE("Outbox caps a batch and sends the rest next", "[notify][outbox]")
{
    Fixture f(0.0);
    f.queue.setMaxBatch(2);
    for (const char *id : {"a", "b", "c"})
        f.queue.enqueue("oncall-slack", note(id));
    f.queue.tick();
    CHECK(f.slack.ids(0) == QStringList{"a", "b"});
    f.slack.answer(0, DeliveryResult::delivered());
    f.queue.tick();
    CHECK(f.slack.ids(1) == QStringList{"c"});
}

TEST_CASE("Outbox prunes old delivered entries only", "[notify][outbox]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    f.slack.answer(0, DeliveryResult::delivered());
    f.queue.enqueue("oncall-slack", note("b"));
    f.clock.advanceMs(10'000);
    f.queue.prune(5'000);
    REQUIRE(f.queue.entries().size() == 1);
    CHECK(f.queue.entries().first().notification.id == "b");
}

TEST_CASE("Outbox: a notifier removed mid-delivery keeps its entries pending, ignores the late answer, and resumes when it is back",
          "[notify][outbox][reload]")
{
    Fixture f(0.0);
    f.queue.enqueue("oncall-slack", note("a"));
    f.queue.tick();
    REQUIRE(f.slack.batches.size() == 1); // in flight
    f.queue.removeNotifier(QStringLiteral("oncall-slack"));
    CHECK_FALSE(f.queue.hasNotifier(QStringLiteral("oncall-slack")));
    CHECK(f.queue.entries().first().state == DeliveryQueue::Entry::State::Pending); // may have gone: at least once
    f.slack.answer(0, DeliveryResult::delivered()); // the old notifier's answer, after it was removed
    CHECK(f.queue.entries().first().state == DeliveryQueue::Entry::State::Pending);
    // A new notification for it while it is gone fails with the reason, as for any unknown name.
    CHECK_FALSE(f.queue.enqueue("oncall-slack", note("b")));
    CHECK(f.queue.entries().last().state == DeliveryQueue::Entry::State::Failed);
    f.queue.tick();
    CHECK(f.slack.batches.size() == 1); // nothing goes to a notifier that is gone

    ScriptedNotifier replacement{QStringLiteral("oncall-slack")};
    f.queue.addNotifier(&replacement, 0.0);
    f.queue.tick();
    REQUIRE(replacement.batches.size() == 1);
    CHECK(replacement.ids(0) == QStringList{"a"});
    replacement.answer(0, DeliveryResult::delivered());
    CHECK(f.queue.pendingCount() == 0);
}
