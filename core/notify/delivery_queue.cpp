// SPDX-License-Identifier: GPL-3.0-or-later
#include "notify/delivery_queue.h"

#include "log/log.h"

#include <QFutureWatcher>
#include <QRandomGenerator>
#include <algorithm>
#include <limits>

namespace vigil {

namespace {
constexpr qint64 kNever = std::numeric_limits<qint64>::max();
}

DeliveryQueue::DeliveryQueue(const Clock &clock, QObject *parent)
    : QObject(parent), m_clock(clock), m_random([] { return QRandomGenerator::global()->generateDouble(); })
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { reschedule(tick()); });
}

void DeliveryQueue::addNotifier(Notifier *notifier, double messagesPerSecond)
{
    Channel c;
    c.notifier = notifier;
    c.generation = ++m_generation;
    c.limited = messagesPerSecond > 0;
    if (c.limited)
        c.bucket = TokenBucket(messagesPerSecond, 1.0);
    m_channels.insert(notifier->settings().name, c);
}

void DeliveryQueue::removeNotifier(const QString &name)
{
    if (m_channels.remove(name) == 0)
        return;
    for (Entry &e : m_entries)
        if (e.notifier == name && e.state == Entry::State::InFlight)
            e.state = Entry::State::Pending;
}

bool DeliveryQueue::enqueue(const QString &notifier, const Notification &notification)
{
    for (const Entry &e : std::as_const(m_entries)) {
        if (e.notifier == notifier && e.notification.id == notification.id)
            return true; // at least once, not twice
    }
    Entry e;
    e.notifier = notifier;
    e.notification = notification;
    e.enqueuedMs = m_clock.nowMs();
    e.nextAttemptMs = e.enqueuedMs;
    const bool known = m_channels.contains(notifier);
    if (!known) {
        e.state = Entry::State::Failed;
        e.lastError = QStringLiteral("no notifier named '%1' (check the workspace's notifiers)").arg(notifier);
    }
    m_entries.append(e);
    if (!known)
        Q_EMIT failed(notifier, {notification.id}, e.lastError, true);
    if (m_running)
        reschedule(tick());
    return known;
}

int DeliveryQueue::pendingCount() const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += (e.state == Entry::State::Pending || e.state == Entry::State::InFlight) ? 1 : 0;
    return n;
}

qint64 DeliveryQueue::tick()
{
    const qint64 now = m_clock.nowMs();
    qint64 next = kNever;
    for (auto it = m_channels.begin(); it != m_channels.end(); ++it) {
        Channel &c = it.value();
        if (c.inFlight || !c.notifier)
            continue;
        const bool anyPending = std::any_of(m_entries.cbegin(), m_entries.cend(), [&](const Entry &e) {
            return e.notifier == it.key() && e.state == Entry::State::Pending;
        });
        if (!anyPending)
            continue;
        if (c.retryAtMs > now) {
            next = std::min(next, c.retryAtMs);
            continue;
        }
        if (c.limited) {
            const qint64 wait = c.bucket.msUntilToken(now);
            if (wait > 0) {
                next = std::min(next, now + wait);
                continue;
            }
            c.bucket.tryTake(now);
        }
        send(it.key(), c);
    }
    return next;
}

void DeliveryQueue::send(const QString &name, Channel &channel)
{
    QList<Notification> batch;
    QStringList ids;
    for (Entry &e : m_entries) {
        if (e.notifier != name || e.state != Entry::State::Pending)
            continue;
        if (batch.size() >= m_maxBatch)
            break;
        e.state = Entry::State::InFlight;
        ++e.attempts;
        batch.append(e.notification);
        ids.append(e.notification.id);
    }
    channel.inFlight = true;
    Q_EMIT sending(name, ids);
    auto *watcher = new QFutureWatcher<DeliveryResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, name, ids, generation = channel.generation] {
        watcher->deleteLater();
        if (m_channels.value(name).generation != generation)
            return; // the notifier was removed or replaced meanwhile: its entries went back to pending
        const DeliveryResult r = watcher->future().resultCount() > 0
            ? watcher->result()
            : DeliveryResult::retry(QStringLiteral("the notifier gave no result"));
        finish(name, ids, r);
    });
    watcher->setFuture(channel.notifier->deliver(batch));
}

void DeliveryQueue::finish(const QString &name, const QStringList &ids, const DeliveryResult &result)
{
    const qint64 now = m_clock.nowMs();
    // The receiver's Retry-After is an instruction, not a hint: taking max()
    // with our backoff would hold a page for minutes after a 5xx storm even
    // though Slack said "1 s". Backoff only when it says nothing.
    qint64 retryAt = now;
    if (result.outcome == DeliveryResult::Outcome::Retry) {
        int attempts = 1;
        for (const Entry &e : std::as_const(m_entries))
            if (e.notifier == name && e.state == Entry::State::InFlight && ids.contains(e.notification.id))
                attempts = std::max(attempts, e.attempts);
        retryAt = now + (result.retryAfterMs > 0 ? result.retryAfterMs : m_backoff.delayMs(attempts, m_random()));
    }
    auto ch = m_channels.find(name);
    if (ch != m_channels.end()) {
        ch->inFlight = false;
        ch->retryAtMs = retryAt;
    }
    for (Entry &e : m_entries) {
        if (e.notifier != name || e.state != Entry::State::InFlight || !ids.contains(e.notification.id))
            continue;
        switch (result.outcome) {
        case DeliveryResult::Outcome::Delivered:
            e.state = Entry::State::Delivered;
            e.deliveredMs = now;
            e.lastError.clear();
            break;
        case DeliveryResult::Outcome::Retry:
            e.state = Entry::State::Pending;
            e.lastError = result.reason;
            e.nextAttemptMs = retryAt;
            break;
        case DeliveryResult::Outcome::PermanentFailure:
            e.state = Entry::State::Failed;
            e.lastError = result.reason;
            break;
        }
    }
    switch (result.outcome) {
    case DeliveryResult::Outcome::Delivered:
        Q_EMIT delivered(name, ids);
        break;
    case DeliveryResult::Outcome::Retry:
        logger("notify")->warn("delivery to {} failed, will retry: {}", name.toStdString(), result.reason.toStdString());
        Q_EMIT failed(name, ids, result.reason, false);
        break;
    case DeliveryResult::Outcome::PermanentFailure:
        logger("notify")->error("delivery to {} failed permanently: {}", name.toStdString(), result.reason.toStdString());
        Q_EMIT failed(name, ids, result.reason, true);
        break;
    }
    if (m_running)
        reschedule(tick());
}

void DeliveryQueue::reschedule(qint64 next)
{
    if (!m_running || next == kNever)
        return;
    m_timer.start(int(std::clamp<qint64>(next - m_clock.nowMs(), 0, 60'000)));
}

void DeliveryQueue::start()
{
    m_running = true;
    reschedule(tick());
}

void DeliveryQueue::stop()
{
    m_running = false;
    m_timer.stop();
}

void DeliveryQueue::prune(qint64 olderThanMs)
{
    const qint64 cutoff = m_clock.nowMs() - olderThanMs;
    m_entries.removeIf([cutoff](const Entry &e) {
        return (e.state == Entry::State::Delivered && e.deliveredMs < cutoff)
            || (e.state == Entry::State::Failed && e.enqueuedMs < cutoff);
    });
}

} // namespace vigil
