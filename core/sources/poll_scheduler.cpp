// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/poll_scheduler.h"

#include <QFutureWatcher>
#include <QRandomGenerator>
#include <algorithm>
#include <limits>

namespace vigil {

namespace {
constexpr qint64 kNever = std::numeric_limits<qint64>::max();

qint64 alignDown(qint64 t, qint64 step)
{
    if (step <= 0)
        return t;
    const qint64 r = t % step;
    return r < 0 ? t - r - step : t - r;
}

QString seconds(qint64 ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) + QStringLiteral(" s")
                          : QString::number(double(ms) / 1000.0, 'f', 1) + QStringLiteral(" s");
}
} // namespace

QString healthName(Health h)
{
    switch (h) {
    case Health::Unknown: return QStringLiteral("connecting");
    case Health::Ok: return QStringLiteral("ok");
    case Health::Degraded: return QStringLiteral("degraded");
    case Health::Down: return QStringLiteral("down");
    }
    return {};
}

PollScheduler::PollScheduler(SeriesStore *store, const Clock &clock, QObject *parent)
    : QObject(parent), m_store(store), m_clock(clock),
      m_random([] { return QRandomGenerator::global()->generateDouble(); })
{
    qRegisterMetaType<vigil::PollStatus>();
    qRegisterMetaType<vigil::ConnectionHealth>();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { reschedule(tick()); });
}

void PollScheduler::addConnector(Connector *connector)
{
    const QString name = connector->settings().name;
    const bool replacing = m_connectors.contains(name);
    m_connectors.insert(name, connector);
    if (replacing)
        restartJobsOf(name);
}

void PollScheduler::removeConnector(const QString &name)
{
    if (m_connectors.remove(name) > 0)
        restartJobsOf(name);
}

void PollScheduler::restartJobsOf(const QString &connection)
{
    for (Job &job : m_jobs) {
        if (job.spec.connection != connection)
            continue;
        m_store->removeNamed(job.spec.id);
        const PollSpec spec = job.spec;
        const quint64 generation = job.generation + 1; // the old connector's late answer is ignored
        job = Job{};
        job.spec = spec;
        job.generation = generation;
    }
    m_health.remove(connection);
    Q_EMIT healthChanged(connection, ConnectionHealth{});
    if (m_running)
        reschedule(tick());
}

void PollScheduler::setJobs(const QList<PollSpec> &jobs)
{
    QHash<QString, Job> next;
    for (const PollSpec &spec : jobs) {
        Job job;
        auto old = m_jobs.constFind(spec.id);
        // Keep the state of a query whose definition did not change (a reload
        // that touched another panel must not refetch everything).
        if (old != m_jobs.cend() && old->spec.expr == spec.expr && old->spec.connection == spec.connection
            && old->spec.kind == spec.kind && old->spec.stepMs == spec.stepMs
            && old->spec.windowMs == spec.windowMs && old->spec.endMs == spec.endMs) {
            job = *old;
            job.spec = spec;
        } else {
            job.spec = spec;
            if (old != m_jobs.cend())
                m_store->removeNamed(spec.id);
        }
        next.insert(spec.id, job);
    }
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it) {
        if (!next.contains(it.key()))
            m_store->removeNamed(it.key());
    }
    m_jobs = std::move(next);
    if (m_running)
        reschedule(tick());
}

qint64 PollScheduler::tick()
{
    const qint64 now = m_clock.nowMs();
    qint64 nextEvent = kNever;
    QSet<QString> touched;
    for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
        Job &job = it.value();
        if (job.inFlight && now - job.startedMs >= job.spec.timeoutMs) {
            job.inFlight = false;
            ++job.generation; // the late answer, if any, is ignored
            fail(job, now, ErrorKind::Timeout,
                 QStringLiteral("no answer from %1 within %2")
                     .arg(job.spec.connection, seconds(job.spec.timeoutMs)));
            touched.insert(job.spec.connection);
        }
        if (!job.inFlight && job.nextDueMs <= now)
            startJob(job, now);
        nextEvent = std::min(nextEvent, job.inFlight ? job.startedMs + job.spec.timeoutMs : job.nextDueMs);
    }
    for (const QString &c : touched)
        updateHealth(c);
    return nextEvent;
}

void PollScheduler::startJob(Job &job, qint64 now)
{
    Connector *connector = m_connectors.value(job.spec.connection);
    if (!connector) {
        fail(job, now, ErrorKind::Network,
             QStringLiteral("no connection named '%1' (check the workspace's connections)").arg(job.spec.connection));
        return;
    }
    QueryRequest req;
    req.id = job.spec.id;
    req.expr = job.spec.expr;
    req.kind = job.spec.kind;
    req.timeMs = now;
    if (job.spec.kind == QueryKind::Range) {
        const qint64 step = std::max<qint64>(job.spec.stepMs, 1);
        const qint64 end = job.spec.endMs > 0 ? job.spec.endMs : now;
        qint64 start = end - job.spec.windowMs;
        // Incremental: refetch from one step before the last sample we have, so a
        // sample the server had not finished (the newest step) is replaced.
        if (job.lastEndMs > 0)
            start = std::max(start, job.lastEndMs - step);
        req.startMs = alignDown(start, step);
        req.endMs = end;
        req.stepMs = step;
    }
    job.inFlight = true;
    job.startedMs = now;
    job.status.lastAttemptMs = now;
    const quint64 generation = ++job.generation;
    const QString id = job.spec.id;
    const qint64 end = req.endMs;
    // A watcher owned by the scheduler rather than QFuture::then(context): in Qt
    // 6.4 a context continuation asserts when the context dies first, and the
    // scheduler may well be destroyed with requests in flight.
    auto *watcher = new QFutureWatcher<QueryResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, id, generation, end] {
        watcher->deleteLater();
        if (watcher->future().isCanceled() || watcher->future().resultCount() == 0) {
            finishJob(id, generation, QueryResult::failure(ErrorKind::Canceled, QStringLiteral("the request was canceled")));
            return;
        }
        const QueryResult result = watcher->result();
        auto it = m_jobs.find(id);
        if (it != m_jobs.end() && it->generation == generation && result.ok() && it->spec.kind == QueryKind::Range)
            it->lastEndMs = alignDown(end, std::max<qint64>(it->spec.stepMs, 1));
        finishJob(id, generation, result);
    });
    watcher->setFuture(connector->query(req));
}

void PollScheduler::finishJob(const QString &id, quint64 generation, const QueryResult &result)
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end() || it->generation != generation || !it->inFlight)
        return; // removed, timed out, or superseded
    Job &job = it.value();
    const qint64 now = m_clock.nowMs();
    job.inFlight = false;
    if (!result.ok()) {
        fail(job, now, result.error, result.message);
    } else {
        QList<SeriesData> batches;
        batches.reserve(result.series.size());
        for (const SeriesData &s : result.series) {
            Labels labels = s.key.labels();
            if (!s.key.name().isEmpty())
                labels.append({QStringLiteral("__name__"), s.key.name()});
            batches.append({SeriesKey(job.spec.id, std::move(labels)), s.samples});
        }
        m_store->append(batches);
        job.status.failures = 0;
        job.status.lastSuccessMs = now;
        job.status.lastError = ErrorKind::None;
        job.status.message.clear();
        job.status.warnings = result.warnings;
        job.status.seriesCount = int(m_store->keysNamed(job.spec.id).size());
        job.status.state = job.status.seriesCount > 0 ? PollStatus::State::Ok : PollStatus::State::NoData;
        // Keep the cadence anchored to when the poll started, not when it answered.
        job.nextDueMs = std::max(now, job.startedMs + job.spec.intervalMs);
        Q_EMIT statusChanged(id, job.status);
    }
    updateHealth(job.spec.connection);
    if (m_running)
        reschedule(tick());
}

void PollScheduler::fail(Job &job, qint64 now, ErrorKind kind, const QString &message)
{
    ++job.status.failures;
    job.status.state = PollStatus::State::Error;
    job.status.lastError = kind;
    job.status.message = message;
    const qint64 delay = std::max(job.spec.intervalMs, m_backoff.delayMs(job.status.failures, m_random()));
    job.nextDueMs = now + delay;
    Q_EMIT statusChanged(job.spec.id, job.status);
}

bool PollScheduler::isTransportError(ErrorKind kind)
{
    return kind != ErrorKind::None && kind != ErrorKind::Server && kind != ErrorKind::Canceled;
}

void PollScheduler::updateHealth(const QString &connection)
{
    int total = 0, answered = 0, failing = 0;
    QString reason;
    qint64 latestFailure = -1;
    for (const Job &job : std::as_const(m_jobs)) {
        if (job.spec.connection != connection)
            continue;
        ++total;
        if (job.status.lastAttemptMs == 0 || (job.status.state == PollStatus::State::Loading))
            continue;
        ++answered;
        if (job.status.failures > 0 && isTransportError(job.status.lastError)) {
            ++failing;
            if (job.status.lastAttemptMs > latestFailure) {
                latestFailure = job.status.lastAttemptMs;
                reason = job.status.message;
            }
        }
    }
    ConnectionHealth h;
    if (answered == 0) {
        h.state = Health::Unknown;
    } else if (failing == 0) {
        h.state = Health::Ok;
    } else if (failing == answered && answered == total) {
        h.state = Health::Down;
        h.reason = reason;
    } else {
        h.state = Health::Degraded;
        h.reason = QStringLiteral("%1 of %2 queries failing: %3").arg(failing).arg(total).arg(reason);
    }
    auto it = m_health.find(connection);
    if (it == m_health.end() || !(*it == h)) {
        m_health.insert(connection, h);
        Q_EMIT healthChanged(connection, h);
    }
}

void PollScheduler::reschedule(qint64 nextEventMs)
{
    if (!m_running || nextEventMs == kNever)
        return;
    const qint64 delay = std::clamp<qint64>(nextEventMs - m_clock.nowMs(), 0, 60'000);
    m_timer.start(int(delay));
}

void PollScheduler::start()
{
    m_running = true;
    reschedule(tick());
}

void PollScheduler::stop()
{
    m_running = false;
    m_timer.stop();
}

void PollScheduler::refreshAll()
{
    const qint64 now = m_clock.nowMs();
    for (Job &job : m_jobs) {
        if (!job.inFlight)
            job.nextDueMs = now;
    }
    if (m_running)
        reschedule(tick());
}

PollStatus PollScheduler::status(const QString &jobId) const
{
    return m_jobs.value(jobId).status;
}

ConnectionHealth PollScheduler::health(const QString &connection) const
{
    return m_health.value(connection);
}

qint64 PollScheduler::nextDueMs(const QString &jobId) const
{
    return m_jobs.value(jobId).nextDueMs;
}

bool PollScheduler::inFlight(const QString &jobId) const
{
    return m_jobs.value(jobId).inFlight;
}

QStringList PollScheduler::jobIds() const
{
    QStringList ids = m_jobs.keys();
    ids.sort();
    return ids;
}

} // namespace vigil
