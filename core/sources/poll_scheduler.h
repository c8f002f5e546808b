// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/backoff.h"
#include "sources/connector.h"
#include "util/clock.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

namespace vigil {

// One query polled on an interval. Its series land in the store under the name `id`.
struct PollSpec
{
    QString id;
    QString connection;
    QString expr;
    QueryKind kind = QueryKind::Range;
    qint64 intervalMs = 5'000;
    qint64 windowMs = 15 * 60'000; // range queries: how far back the panel looks
    qint64 endMs = 0;              // range queries: 0, the window ends now; else a fixed end (an absolute range)
    qint64 stepMs = 2'000;
    qint64 timeoutMs = 10'000;
};

// What the last polls of one query came to, for the panel that shows it.
struct PollStatus
{
    enum class State { Loading, Ok, NoData, Error };
    State state = State::Loading;
    QString message;           // the reason, for Error
    QStringList warnings;      // the server's warnings on the last success
    ErrorKind lastError = ErrorKind::None;
    qint64 lastSuccessMs = 0;  // 0: never
    qint64 lastAttemptMs = 0;
    int failures = 0;          // consecutive
    int seriesCount = 0;
};

enum class Health { Unknown, Ok, Degraded, Down };
QString healthName(Health h);

struct ConnectionHealth
{
    Health state = Health::Unknown;
    QString reason; // human-readable: "all 4 queries failing: connection refused by ..."
    friend bool operator==(const ConnectionHealth &, const ConnectionHealth &) = default;
};

// Polls every query on its own interval against its connection:
//  - at most one request in flight per query;
//  - a request that has not answered within its timeout counts as failed
//    (and its late answer is ignored);
//  - after a failure the next attempt waits max(interval, backoff) with jitter;
//  - range queries fetch only the slice since the last sample they got, with
//    start aligned to the step so query frontends can cache the result;
//  - each connection's health comes from its queries' outcomes: transport
//    failures make it degraded (some fail) or down (all fail). A query the
//    server rejects is the query's problem, not the connection's.
// It lives in one thread with its connectors; drive it with start() (a timer)
// or, in tests, with tick() and a ManualClock.
class PollScheduler : public QObject
{
    Q_OBJECT
public:
    PollScheduler(SeriesStore *store, const Clock &clock, QObject *parent = nullptr);

    // Keyed by its settings().name. Replacing a connector (a reloaded
    // workspace changed the connection) starts its queries over: their series
    // came from what may be another server, and the answers in flight are
    // ignored. The old connector stays its owner's to delete.
    void addConnector(Connector *connector);
    // The connection is gone from the workspace: its queries fail with a
    // "no connection" message until the jobs change.
    void removeConnector(const QString &name);
    Connector *connector(const QString &name) const { return m_connectors.value(name).data(); }
    void setJobs(const QList<PollSpec> &jobs);
    void setBackoff(const BackoffPolicy &policy) { m_backoff = policy; }
    void setRandom(std::function<double()> random01) { m_random = std::move(random01); }

    // Starts every due query and expires timed-out ones; returns the time of the next event.
    qint64 tick();
    void start();   // run tick() from a timer, rescheduled to the next event
    void stop();
    // Poll every query now, ignoring intervals and backoff (the user pressed refresh).
    void refreshAll();

    PollStatus status(const QString &jobId) const;
    ConnectionHealth health(const QString &connection) const;
    qint64 nextDueMs(const QString &jobId) const;
    bool inFlight(const QString &jobId) const;
    QStringList jobIds() const;

Q_SIGNALS:
    void statusChanged(const QString &jobId, const vigil::PollStatus &status);
    void healthChanged(const QString &connection, const vigil::ConnectionHealth &health);

private:
    struct Job
    {
        PollSpec spec;
        PollStatus status;
        qint64 nextDueMs = 0;
        qint64 startedMs = 0;
        qint64 lastEndMs = 0;    // range: end of the last successful fetch
        quint64 generation = 0;  // bumps on every start, so late answers are recognised
        bool inFlight = false;
    };

    void startJob(Job &job, qint64 now);
    void finishJob(const QString &id, quint64 generation, const QueryResult &result);
    void fail(Job &job, qint64 now, ErrorKind kind, const QString &message);
    void updateHealth(const QString &connection);
    void restartJobsOf(const QString &connection);
    void reschedule(qint64 nextEventMs);
    static bool isTransportError(ErrorKind kind);

    SeriesStore *m_store;
    const Clock &m_clock;
    BackoffPolicy m_backoff;
    std::function<double()> m_random;
    QHash<QString, QPointer<Connector>> m_connectors;
    QHash<QString, Job> m_jobs;
    QHash<QString, ConnectionHealth> m_health;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace vigil

Q_DECLARE_METATYPE(vigil::PollStatus)
Q_DECLARE_METATYPE(vigil::ConnectionHealth)
