// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"
#include "notify/token_bucket.h"
#include "sources/backoff.h"
#include "util/clock.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

namespace vigil {

// The outbox: every notification handed to it is delivered at least once,
// per notifier, in order of arrival:
//  - one delivery in flight per notifier; everything enqueued meanwhile is
//    merged into the next batch (a burst becomes one message);
//  - a failure holds the whole notifier, not the one entry: the retry carries
//    the failed entries and everything that arrived since, oldest first, so a
//    newer notice never overtakes an older one (a resolved notice must not
//    arrive before the firing notice it ends);
//  - at most `messagesPerSecond` batches per notifier (a token bucket;
//    Slack's webhook limit is 1/s);
//  - a retryable failure waits the receiver's Retry-After when it gives one,
//    else an exponential backoff with jitter (1 s doubling to 5 min), and
//    tries again with no attempt limit: an outage delays a page, never drops it;
//  - a permanent failure (e.g. Slack's channel_not_found) stops retrying
//    that entry and keeps the reason for the UI;
//  - the same (notifier, id) enqueued twice is kept once.
// Time comes from a Clock; drive it with start() or, in tests, tick().
class DeliveryQueue : public QObject
{
    Q_OBJECT
public:
    struct Entry
    {
        enum class State { Pending, InFlight, Delivered, Failed };
        QString notifier;
        Notification notification;
        State state = State::Pending;
        int attempts = 0;
        qint64 enqueuedMs = 0;
        qint64 nextAttemptMs = 0; // for the UI: when it will be tried (again)
        qint64 deliveredMs = 0;
        QString lastError;
    };

    explicit DeliveryQueue(const Clock &clock, QObject *parent = nullptr);

    // messagesPerSecond <= 0: no rate limit. A notifier of a name already
    // added replaces it (removeNotifier() first).
    void addNotifier(Notifier *notifier, double messagesPerSecond = 0.0);
    // The workspace no longer has it (or it is being replaced): nothing more
    // goes to it. Its undelivered entries stay pending, for a notifier of the
    // same name added later; one in flight counts as not sent (at least once)
    // and the old notifier's late answer is ignored.
    void removeNotifier(const QString &name);
    bool hasNotifier(const QString &name) const { return m_channels.contains(name); }
    void setBackoff(const BackoffPolicy &policy) { m_backoff = policy; }
    void setRandom(std::function<double()> random01) { m_random = std::move(random01); }
    // At most this many notifications in one batch; the rest wait for the next.
    void setMaxBatch(int n) { m_maxBatch = std::max(1, n); }

    // False when the notifier is unknown (the entry is kept as failed, with the reason).
    bool enqueue(const QString &notifier, const Notification &notification);

    qint64 tick(); // sends what is due; returns the time of the next event
    void start();
    void stop();

    QList<Entry> entries() const { return m_entries; }
    int pendingCount() const;
    // Drops delivered and failed entries older than `olderThanMs` (bounded memory).
    void prune(qint64 olderThanMs);

Q_SIGNALS:
    // Emitted just before the notifier is handed these notifications: a
    // direct connection can record the attempt first (write-ahead; a crash
    // during the send then counts as "may have been sent").
    void sending(const QString &notifier, const QStringList &ids);
    void delivered(const QString &notifier, const QStringList &ids);
    void failed(const QString &notifier, const QStringList &ids, const QString &reason, bool permanent);

private:
    struct Channel
    {
        QPointer<Notifier> notifier;
        TokenBucket bucket;
        bool limited = false;
        bool inFlight = false;
        quint64 generation = 0; // which addNotifier() this channel is, for late answers
        qint64 retryAtMs = 0; // after a retryable failure: nothing goes out before this
    };
    void send(const QString &name, Channel &channel);
    void finish(const QString &name, const QStringList &ids, const DeliveryResult &result);
    void reschedule(qint64 next);

    const Clock &m_clock;
    BackoffPolicy m_backoff{1'000, 300'000, 2.0, 0.2}; // 1 s doubling to 5 min
    std::function<double()> m_random;
    int m_maxBatch = 20;
    quint64 m_generation = 0;
    QHash<QString, Channel> m_channels;
    QList<Entry> m_entries;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace vigil
