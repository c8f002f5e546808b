// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/alert_store.h"

#include "log/log.h"
#include "storage/migrations.h"
#include "storage/notification_json.h"
#include "storage/sqlite_error.h"
#include "util/clock.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <algorithm>
#include <atomic>
#include <cmath>

namespace vigil::storage {

using rules::Ack;
using rules::AckEvent;
using rules::AlertInstance;
using rules::AlertState;
using rules::Severity;
using rules::Silence;
using rules::Transition;
using rules::TransitionReason;

namespace {

// While the database refuses writes, a new write does not wait for the lock
// again sooner than this; flush() always tries.
constexpr qint64 kRetryIntervalMs = 5'000;

QVariant nullableDouble(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

double doubleOrNaN(const QVariant &v)
{
    return v.isNull() ? std::nan("") : v.toDouble();
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString json(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QJsonObject objectFrom(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

template<typename E, E Last>
std::optional<E> enumFromString(const QString &text)
{
    for (int i = 0; i <= int(Last); ++i) {
        if (toString(E(i)) == text)
            return E(i);
    }
    return std::nullopt;
}

// Reads tolerate an unknown enumeration text (a newer Vigil's value in an
// old file would be refused by the schema version first): the default.
AlertState stateOr(const QString &text, AlertState fallback = AlertState::Normal)
{
    return rules::alertStateFromString(text).value_or(fallback);
}

Severity severityOr(const QString &text)
{
    return rules::severityFromString(text).value_or(Severity::Warning);
}

using rules::toString;

std::optional<TransitionReason> reasonFromString(const QString &text)
{
    return enumFromString<TransitionReason, TransitionReason::FlappingStopped>(text);
}

std::optional<AckEvent::Kind> ackKindFromString(const QString &text)
{
    return enumFromString<AckEvent::Kind, AckEvent::Kind::Reopened>(text);
}

std::optional<AckEvent::Cause> ackCauseFromString(const QString &text)
{
    return enumFromString<AckEvent::Cause, AckEvent::Cause::Expired>(text);
}

QString placeholders(int n)
{
    QString s;
    for (int i = 0; i < n; ++i)
        s += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return s;
}

const QString kInstanceColumns = QStringLiteral(
    "fingerprint, rule, series, labels, state, severity, state_since_ms, active_since_ms, last_eval_ms,"
    " last_value, last_error, flapping, pending_target, recovered_since_ms, missing_since_ms, was_firing,"
    " present, flap_changes, flap_samples, generation");

QVariantList instanceValues(const AlertInstance &i)
{
    return {i.id.fingerprint,
            i.id.rule,
            i.id.series.name(),
            json(labelsToJson(i.id.series.labels())),
            toString(i.state),
            toString(i.severity),
            i.stateSinceMs,
            i.activeSinceMs,
            i.lastEvalMs,
            nullableDouble(i.lastValue),
            i.lastError,
            int(i.flapping),
            toString(i.pendingTarget),
            i.recoveredSinceMs,
            i.missingSinceMs,
            int(i.wasFiring),
            int(i.present),
            qint64(i.flapChanges),
            int(i.flapSamples),
            // SQLite integers are signed 64-bit; the generation counter never gets near 2^63.
            qint64(i.generation)};
}

const QString kAckEventColumns = QStringLiteral(
    "fingerprint, instance, kind, cause, by, at_ms, severity, ack_by, ack_at_ms, ack_comment,"
    " ack_expires_at_ms, ack_severity");

AckEvent ackEventFrom(const QSqlQuery &q, int c)
{
    AckEvent e;
    e.ack.fingerprint = q.value(c).toString();
    e.ack.instanceText = q.value(c + 1).toString();
    e.kind = ackKindFromString(q.value(c + 2).toString()).value_or(AckEvent::Kind::Acknowledged);
    e.cause = ackCauseFromString(q.value(c + 3).toString()).value_or(AckEvent::Cause::Person);
    e.by = q.value(c + 4).toString();
    e.atMs = q.value(c + 5).toLongLong();
    e.severity = severityOr(q.value(c + 6).toString());
    e.ack.by = q.value(c + 7).toString();
    e.ack.atMs = q.value(c + 8).toLongLong();
    e.ack.comment = q.value(c + 9).toString();
    e.ack.expiresAtMs = q.value(c + 10).toLongLong();
    e.ack.severity = severityOr(q.value(c + 11).toString());
    return e;
}

QJsonArray matchersToJson(const QList<rules::LabelMatcher> &matchers)
{
    QJsonArray a;
    for (const rules::LabelMatcher &m : matchers) {
        a.append(QJsonObject{{QStringLiteral("name"), m.name()},
                             {QStringLiteral("op"), rules::toString(m.op())},
                             {QStringLiteral("value"), m.value()}});
    }
    return a;
}

std::optional<rules::LabelMatcher::Op> matcherOpFromString(const QString &text)
{
    for (auto op : {rules::LabelMatcher::Op::Equal, rules::LabelMatcher::Op::NotEqual,
                    rules::LabelMatcher::Op::Regex, rules::LabelMatcher::Op::NotRegex}) {
        if (rules::toString(op) == text)
            return op;
    }
    return std::nullopt;
}

std::atomic<int> g_connectionCounter{0};

} // namespace

QString toString(OutboxEntry::State state)
{
    switch (state) {
    case OutboxEntry::State::Pending: return QStringLiteral("pending");
    case OutboxEntry::State::Delivered: return QStringLiteral("delivered");
    case OutboxEntry::State::Failed: return QStringLiteral("failed");
    }
    return {};
}

AlertStore::AlertStore(StoreOptions options)
    : m_options(std::move(options))
    , m_path(m_options.path.isEmpty() ? defaultPath() : m_options.path)
    , m_connection(QStringLiteral("vigil-alert-store-%1").arg(g_connectionCounter.fetch_add(1)))
    , m_thread(QThread::currentThread())
{
}

AlertStore::~AlertStore()
{
    close();
}

QString AlertStore::defaultPath()
{
    return stateDirectory() + QStringLiteral("/alerts.db");
}

qint64 AlertStore::nowMs() const
{
    return (m_options.clock ? *m_options.clock : static_cast<const Clock &>(SystemClock::instance())).nowMs();
}

bool AlertStore::checkThread() const
{
    // A connection used from another thread fails in odd ways inside the
    // driver; say so plainly instead.
    if (QThread::currentThread() == m_thread)
        return true;
    logger("storage")->error("AlertStore used from a thread other than the one that created it");
    return false;
}

void AlertStore::notice(const QString &message)
{
    // Once per distinct message in a row: a locked database retried every
    // five seconds is one notice, not a thousand.
    if (!m_notices.isEmpty() && m_notices.constLast().message == message)
        return;
    m_notices.append({nowMs(), message});
    logger("storage")->warn("{}", message.toStdString());
}

bool AlertStore::openConnection(QSqlError *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_options.busyTimeoutMs));
    if (!db.open()) {
        *error = db.lastError();
        return false;
    }
    return true;
}

void AlertStore::dropConnection()
{
    m_open = false;
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

void AlertStore::close()
{
    dropConnection();
    if (m_lock)
        m_lock->unlock();
    m_lock.reset();
}

QString AlertStore::moveAside(QString *error)
{
    const QString stamp =
        QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC).toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = m_path + QStringLiteral(".corrupt-") + stamp;
    for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral("-wal")); ++n)
        target = m_path + QStringLiteral(".corrupt-") + stamp + QLatin1Char('-') + QString::number(n);
    QDir dir;
    if (!dir.rename(m_path, target)) {
        *error = QStringLiteral("cannot move %1 aside to %2").arg(m_path, target);
        return {};
    }
    // The WAL may hold the newest commits: keep it beside the moved file,
    // under the name SQLite looks for, so the sqlite3 shell can read both.
    for (const char *suffix : {"-wal", "-shm"}) {
        if (QFileInfo::exists(m_path + QLatin1String(suffix)) && !dir.rename(m_path + QLatin1String(suffix), target + QLatin1String(suffix)))
            QFile::remove(m_path + QLatin1String(suffix));
    }
    return target;
}

// One attempt at opening: connection, pragmas, check, migrations. The
// connection is dropped on failure, once no handle to it is left.
OpenResult AlertStore::openOnce(bool *damaged)
{
    OpenResult r = prepareConnection(damaged);
    if (r.usable())
        m_open = true;
    else
        dropConnection();
    return r;
}

OpenResult AlertStore::prepareConnection(bool *damaged)
{
    *damaged = false;
    OpenResult r;
    auto unusable = [&](const QSqlError &e, const QString &what) {
        // A file that is not a database, or that exists and cannot be opened
        // at all (a directory, a device), is moved aside; a locked one is
        // someone else's and is left alone, as is one on a failing disk.
        const bool cannotOpen = sqliteResultCode(e) == 14 /* SQLITE_CANTOPEN */
            || e.databaseText().contains(QLatin1String("unable to open"));
        *damaged = classify(e) == SqliteFailure::Corrupt || (cannotOpen && QFileInfo::exists(m_path));
        r.message = what.isEmpty() ? describe(e) : what;
        return r;
    };

    QSqlError error;
    if (!openConnection(&error))
        return unusable(error, {});
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    // WAL: readers never block the writer and a commit appends to one file.
    if (!q.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
        return unusable(q.lastError(), {});
    if (q.next() && q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        r.message = QStringLiteral("the alert database %1 cannot use write-ahead logging (journal mode %2)")
                        .arg(m_path, q.value(0).toString());
        return r;
    }
    q.finish();
    // FULL, not NORMAL: in WAL mode NORMAL survives a process crash but may
    // lose the last commits on a power cut or kernel panic, and a page the
    // user never got because the laptop died is exactly what must not
    // happen. Writes are few (transitions, acks, notifications), so one
    // fsync per commit costs nothing that matters (docs/STORAGE.md).
    if (!q.exec(QStringLiteral("PRAGMA synchronous = FULL")))
        return unusable(q.lastError(), {});
    if (!q.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(m_options.busyTimeoutMs)))
        return unusable(q.lastError(), {});
    if (m_options.maxPageCount > 0
        && !q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(m_options.maxPageCount)))
        return unusable(q.lastError(), {});
    if (m_options.quickCheckOnOpen) {
        if (!q.exec(QStringLiteral("PRAGMA quick_check(1)")))
            return unusable(q.lastError(), {});
        if (q.next() && q.value(0).toString() != QLatin1String("ok")) {
            const QString detail = q.value(0).toString();
            q.finish();
            *damaged = true;
            r.message = QStringLiteral("the alert database is damaged (%1)").arg(detail);
            return r;
        }
        q.finish();
    }
    const MigrationResult m = migrate(db, alertStoreMigrations());
    if (!m.ok()) {
        if (!m.sqlError.isValid()) { // a newer schema: not ours to touch
            r.message = m.error;
            r.schemaVersion = m.toVersion;
            return r;
        }
        unusable(m.sqlError, {});
        r.message = m.error;
        return r;
    }
    r.status = OpenResult::Status::Opened;
    r.schemaVersion = m.toVersion;
    return r;
}

OpenResult AlertStore::open()
{
    if (!checkThread())
        return {OpenResult::Status::Unavailable, QStringLiteral("the alert store was used from the wrong thread")};
    dropConnection();
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(dir)) {
        OpenResult r;
        r.message = QStringLiteral("cannot create the directory %1 for the alert database; alerts, "
                                   "acknowledgements and notifications are kept in memory only")
                        .arg(dir);
        notice(r.message);
        return r;
    }

    if (m_options.exclusive && !m_lock) {
        auto lock = std::make_unique<QLockFile>(m_path + QStringLiteral(".lock"));
        lock->setStaleLockTime(0); // stale only when its process is gone, however long it ran
        if (!lock->tryLock(0)) {
            OpenResult r;
            qint64 pid = 0;
            QString host, app;
            if (lock->error() == QLockFile::LockFailedError && lock->getLockInfo(&pid, &host, &app))
                r.inUseBy = QStringLiteral("%1 (pid %2 on %3)").arg(app.isEmpty() ? QStringLiteral("another program") : app)
                                .arg(pid).arg(host);
            else
                r.inUseBy = QStringLiteral("another program");
            r.message = lock->error() == QLockFile::LockFailedError
                ? QStringLiteral("%1 is in use by %2; alerts, acknowledgements and notifications of this "
                                 "process are kept in memory").arg(m_path, r.inUseBy)
                : QStringLiteral("%1: its lock file %1.lock cannot be created; alerts, acknowledgements and "
                                 "notifications are kept in memory").arg(m_path);
            if (m_lastError != r.message)
                notice(r.message); // once, not at every retry of the backlog
            m_lastError = r.message;
            return r;
        }
        m_lock = std::move(lock);
    }

    bool damaged = false;
    OpenResult r = openOnce(&damaged);
    if (r.usable())
        return r;
    if (!damaged) {
        r.message = QStringLiteral("%1: %2. Alerts, acknowledgements and notifications are kept in memory "
                                   "and written when it becomes available.")
                        .arg(m_path, r.message);
        notice(r.message);
        return r;
    }

    const QString why = r.message;
    QString moveError;
    const QString moved = moveAside(&moveError);
    if (moved.isEmpty()) {
        r.message = QStringLiteral("%1: %2, and %3. Alerts, acknowledgements and notifications are kept in "
                                   "memory only.")
                        .arg(m_path, why, moveError);
        notice(r.message);
        return r;
    }
    OpenResult fresh = openOnce(&damaged);
    if (!fresh.usable()) {
        fresh.message = QStringLiteral("%1: %2; it was moved to %3, but a new database cannot be created "
                                       "either (%4). Alerts, acknowledgements and notifications are kept in "
                                       "memory only.")
                            .arg(m_path, why, moved, fresh.message);
        notice(fresh.message);
        return fresh;
    }
    fresh.status = OpenResult::Status::Recreated;
    fresh.movedAsidePath = moved;
    fresh.message = QStringLiteral("%1: %2. It was moved to %3 and a new, empty alert database started: "
                                   "alert history, acknowledgements, silences and undelivered notifications "
                                   "from before are not restored (the old file is kept for inspection).")
                        .arg(m_path, why, moved);
    notice(fresh.message);
    return fresh;
}

void AlertStore::setMaxPageCount(qint64 pages)
{
    m_options.maxPageCount = pages;
    if (!m_open)
        return;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    // 0 cannot be set; SQLite's own ceiling (4294967294 pages) means "no limit".
    q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages > 0 ? pages : 4294967294LL));
}

// --- writes ------------------------------------------------------------------

AlertStore::Outcome AlertStore::runWrite(const Write &write)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery control(db);
    // IMMEDIATE takes the write lock now (waiting up to busy_timeout), so a
    // competing writer is found before any statement runs.
    if (!control.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return {control.lastError()};
    QSqlError failure;
    {
        QHash<QString, QSqlQuery> prepared; // a batch repeats one statement many times
        for (const Statement &s : write.statements) {
            auto it = prepared.find(s.sql);
            if (it == prepared.end()) {
                QSqlQuery q(db);
                if (!q.prepare(s.sql)) {
                    failure = q.lastError();
                    break;
                }
                it = prepared.insert(s.sql, q);
            }
            for (int i = 0; i < s.values.size(); ++i) {
                const QVariant &v = s.values.at(i);
                // QtSql binds a null QString as NULL; an empty text is ''.
                const bool nullText = v.typeId() == QMetaType::QString && v.toString().isNull();
                it->bindValue(i, nullText ? QVariant(QStringLiteral("")) : v);
            }
            if (!it->exec()) {
                failure = it->lastError();
                break;
            }
            it->finish();
        }
    }
    if (!failure.isValid() && control.exec(QStringLiteral("COMMIT")))
        return {};
    if (!failure.isValid())
        failure = control.lastError();
    // After SQLITE_FULL or an I/O error SQLite may have rolled back already;
    // the ROLLBACK then fails harmlessly.
    QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
    return {failure};
}

WriteResult AlertStore::submit(Write write)
{
    if (!checkThread())
        return {WriteResult::Status::Failed, QStringLiteral("the alert store was used from the wrong thread")};
    if (write.statements.isEmpty())
        return {};
    if (int(m_backlog.size()) >= m_options.maxBacklog) {
        const QString message = QStringLiteral("the alert database has refused writes for a while and %1 are "
                                               "waiting in memory; %2 was not kept: %3")
                                    .arg(m_backlog.size())
                                    .arg(write.what, m_lastError);
        notice(message);
        return {WriteResult::Status::Failed, message};
    }
    m_backlog.push_back(std::move(write));
    const quint64 id = m_nextWriteId++;
    m_backlog.back().id = id;
    // While the database refuses writes, do not wait for its lock on every
    // write: retry every kRetryIntervalMs, or when the caller flushes.
    if (m_backlog.size() > 1 && nowMs() < m_retryAtMs)
        return {WriteResult::Status::Queued, m_lastError};
    return drain(id);
}

WriteResult AlertStore::flush()
{
    if (!checkThread())
        return {WriteResult::Status::Failed, QStringLiteral("the alert store was used from the wrong thread")};
    return drain(0);
}

WriteResult AlertStore::drain(quint64 id)
{
    WriteResult result; // about write `id` (0: the whole backlog)
    int reopened = 0;
    int written = 0;
    while (!m_backlog.empty()) {
        if (!m_open) {
            if (reopened++ > 1)
                break;
            const OpenResult r = open();
            if (!r.usable()) {
                m_lastError = r.message;
                break;
            }
        }
        const Write &write = m_backlog.front();
        const Outcome o = runWrite(write);
        if (o.ok()) {
            m_backlog.pop_front();
            ++written;
            continue;
        }
        const SqliteFailure f = classify(o.error);
        const QString message = QStringLiteral("%1 (writing %2)").arg(describe(o.error), write.what);
        if (f == SqliteFailure::Corrupt) {
            // Damaged while open: reopening moves the file aside and starts a fresh one.
            notice(message);
            dropConnection();
            continue;
        }
        if (isTransient(f)) {
            m_lastError = message + QStringLiteral("; kept in memory and written when possible");
            notice(m_lastError);
            break;
        }
        // Not the database's state but the statement: retrying cannot help,
        // and keeping it would block every write behind it. Say so and drop it.
        notice(QStringLiteral("could not write %1 to the alert database: %2").arg(write.what, describe(o.error)));
        if (write.id == id)
            result = {WriteResult::Status::Failed, describe(o.error)};
        m_backlog.pop_front();
    }
    if (m_backlog.empty()) {
        // The banner that said "kept in memory" must not outlive the problem.
        if (!m_lastError.isEmpty() && written > 0)
            notice(QStringLiteral("the alert database %1 is writable again; the %2 writes kept in memory are "
                                  "written")
                       .arg(m_path)
                       .arg(written));
        m_retryAtMs = 0;
        m_lastError.clear();
        return result;
    }
    m_retryAtMs = nowMs() + kRetryIntervalMs;
    const bool stillQueued = id == 0 || std::any_of(m_backlog.cbegin(), m_backlog.cend(),
                                                    [id](const Write &w) { return w.id == id; });
    if (stillQueued)
        return {WriteResult::Status::Queued, m_lastError};
    return result;
}

WriteResult AlertStore::recordTransitions(const QList<Transition> &transitions, const QList<AlertInstance> &instances)
{
    static const QString insertTransition = QStringLiteral(
        "INSERT INTO transitions (fingerprint, rule, series, labels, from_state, to_state, reason, detail, value,"
        " severity, previous_severity, flapping, at_ms) VALUES (%1)")
                                                .arg(placeholders(13));
    static const QString upsertInstance =
        QStringLiteral("INSERT OR REPLACE INTO instances (%1) VALUES (%2)").arg(kInstanceColumns, placeholders(20));
    Write w{QStringLiteral("%1 alert transitions").arg(transitions.size()), {}, 0};
    w.statements.reserve(transitions.size() + instances.size());
    for (const Transition &t : transitions) {
        w.statements.append({insertTransition,
                             {t.instance.fingerprint, t.instance.rule, t.instance.series.name(),
                              json(labelsToJson(t.instance.series.labels())), toString(t.from), toString(t.to),
                              toString(t.reason), t.detail, nullableDouble(t.value), toString(t.severity),
                              toString(t.previousSeverity), int(t.flapping), t.atMs}});
    }
    for (const AlertInstance &i : instances)
        w.statements.append({upsertInstance, instanceValues(i)});
    return submit(std::move(w));
}

WriteResult AlertStore::replaceInstances(const QList<AlertInstance> &instances)
{
    static const QString upsertInstance =
        QStringLiteral("INSERT OR REPLACE INTO instances (%1) VALUES (%2)").arg(kInstanceColumns, placeholders(20));
    Write w{QStringLiteral("a snapshot of %1 alert instances").arg(instances.size()), {}, 0};
    w.statements.append({QStringLiteral("DELETE FROM instances"), {}});
    for (const AlertInstance &i : instances)
        w.statements.append({upsertInstance, instanceValues(i)});
    return submit(std::move(w));
}

WriteResult AlertStore::removeInstances(const QStringList &fingerprints)
{
    Write w{QStringLiteral("the removal of %1 alert instances").arg(fingerprints.size()), {}, 0};
    for (const QString &f : fingerprints)
        w.statements.append({QStringLiteral("DELETE FROM instances WHERE fingerprint = ?"), {f}});
    return submit(std::move(w));
}

WriteResult AlertStore::recordAckEvents(const QList<AckEvent> &events)
{
    static const QString insertEvent =
        QStringLiteral("INSERT INTO ack_events (%1) VALUES (%2)").arg(kAckEventColumns, placeholders(12));
    static const QString upsertAck = QStringLiteral(
        "INSERT OR REPLACE INTO acks (fingerprint, instance, by, at_ms, comment, expires_at_ms, severity)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)");
    static const QString deleteAck = QStringLiteral("DELETE FROM acks WHERE fingerprint = ?");
    Write w{QStringLiteral("%1 acknowledgement events").arg(events.size()), {}, 0};
    for (const AckEvent &e : events) {
        const Ack &a = e.ack;
        w.statements.append({insertEvent,
                             {a.fingerprint, a.instanceText, toString(e.kind), toString(e.cause), e.by, e.atMs,
                              toString(e.severity), a.by, a.atMs, a.comment, a.expiresAtMs, toString(a.severity)}});
        // The acks in force follow the book: only an acknowledgement adds one;
        // un-ack, lapse and re-open each take it away.
        if (e.kind == AckEvent::Kind::Acknowledged)
            w.statements.append(
                {upsertAck, {a.fingerprint, a.instanceText, a.by, a.atMs, a.comment, a.expiresAtMs, toString(a.severity)}});
        else
            w.statements.append({deleteAck, {a.fingerprint}});
    }
    return submit(std::move(w));
}

WriteResult AlertStore::saveSilence(const Silence &s, qint64 nowMs)
{
    Write w{QStringLiteral("silence %1").arg(s.id), {}, 0};
    // Upsert keeping expired_early_at_ms: editing a silence does not undo its early end.
    w.statements.append({QStringLiteral("INSERT INTO silences (id, matchers, starts_at_ms, ends_at_ms, created_by,"
                                        " comment, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                        " ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers,"
                                        " starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms,"
                                        " created_by = excluded.created_by, comment = excluded.comment,"
                                        " updated_at_ms = excluded.updated_at_ms"),
                         {s.id, json(matchersToJson(s.matchers)), s.startsAtMs, s.endsAtMs, s.createdBy, s.comment,
                          nowMs}});
    return submit(std::move(w));
}

WriteResult AlertStore::recordSilenceExpired(const Silence &s, qint64 nowMs)
{
    Write w{QStringLiteral("the early end of silence %1").arg(s.id), {}, 0};
    w.statements.append({QStringLiteral("INSERT INTO silences (id, matchers, starts_at_ms, ends_at_ms, created_by,"
                                        " comment, expired_early_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                        " ON CONFLICT (id) DO UPDATE SET starts_at_ms = excluded.starts_at_ms,"
                                        " ends_at_ms = excluded.ends_at_ms,"
                                        " expired_early_at_ms = excluded.expired_early_at_ms,"
                                        " updated_at_ms = excluded.updated_at_ms"),
                         {s.id, json(matchersToJson(s.matchers)), s.startsAtMs, s.endsAtMs, s.createdBy, s.comment,
                          nowMs, nowMs}});
    return submit(std::move(w));
}

WriteResult AlertStore::deleteSilences(const QStringList &ids)
{
    Write w{QStringLiteral("the removal of %1 silences").arg(ids.size()), {}, 0};
    for (const QString &id : ids)
        w.statements.append({QStringLiteral("DELETE FROM silences WHERE id = ?"), {id}});
    return submit(std::move(w));
}

WriteResult AlertStore::saveAnnounced(const QHash<QString, AlertState> &announced)
{
    Write w{QStringLiteral("the announced alerts"), {}, 0};
    w.statements.append({QStringLiteral("DELETE FROM announced"), {}});
    for (auto it = announced.cbegin(); it != announced.cend(); ++it)
        w.statements.append(
            {QStringLiteral("INSERT INTO announced (fingerprint, state) VALUES (?, ?)"), {it.key(), toString(it.value())}});
    return submit(std::move(w));
}

WriteResult AlertStore::enqueue(const QString &notifier, const QList<Notification> &notifications, qint64 nowMs)
{
    Write w{QStringLiteral("%1 notifications for %2").arg(notifications.size()).arg(notifier), {}, 0};
    for (const Notification &n : notifications) {
        // OR IGNORE: the same notification enqueued twice (a retry of the
        // router's write, a replay after restart) stays one entry.
        w.statements.append({QStringLiteral("INSERT OR IGNORE INTO outbox (notifier, id, payload, next_attempt_ms,"
                                            " enqueued_ms) VALUES (?, ?, ?, ?, ?)"),
                             {notifier, n.id, json(notificationToJson(n)), nowMs, nowMs}});
    }
    return submit(std::move(w));
}

WriteResult AlertStore::recordAttempt(const QString &notifier, const QStringList &ids, qint64 atMs)
{
    Write w{QStringLiteral("a delivery attempt to %1").arg(notifier), {}, 0};
    for (const QString &id : ids)
        w.statements.append({QStringLiteral("UPDATE outbox SET attempts = attempts + 1, last_attempt_ms = ?"
                                            " WHERE notifier = ? AND id = ? AND state = 'pending'"),
                             {atMs, notifier, id}});
    return submit(std::move(w));
}

WriteResult AlertStore::markDelivered(const QString &notifier, const QStringList &ids, qint64 atMs)
{
    Write w{QStringLiteral("the delivery of %1 notifications to %2").arg(ids.size()).arg(notifier), {}, 0};
    for (const QString &id : ids)
        w.statements.append({QStringLiteral("UPDATE outbox SET state = 'delivered', done_ms = ?, last_error = ''"
                                            " WHERE notifier = ? AND id = ?"),
                             {atMs, notifier, id}});
    return submit(std::move(w));
}

WriteResult AlertStore::markFailed(const QString &notifier, const QStringList &ids, bool permanent,
                                   const QString &reason, qint64 atMs, qint64 nextAttemptMs)
{
    Write w{QStringLiteral("a failed delivery to %1").arg(notifier), {}, 0};
    for (const QString &id : ids) {
        if (permanent)
            w.statements.append({QStringLiteral("UPDATE outbox SET state = 'failed', last_error = ?, done_ms = ?"
                                                " WHERE notifier = ? AND id = ? AND state = 'pending'"),
                                 {reason, atMs, notifier, id}});
        else
            w.statements.append({QStringLiteral("UPDATE outbox SET last_error = ?, next_attempt_ms = ?"
                                                " WHERE notifier = ? AND id = ? AND state = 'pending'"),
                                 {reason, nextAttemptMs, notifier, id}});
    }
    return submit(std::move(w));
}

WriteResult AlertStore::purgeDelivered(qint64 beforeMs)
{
    Write w{QStringLiteral("the removal of delivered notifications"), {}, 0};
    w.statements.append({QStringLiteral("DELETE FROM outbox WHERE state = 'delivered' AND done_ms < ?"), {beforeMs}});
    return submit(std::move(w));
}

WriteResult AlertStore::purgeHistory(qint64 beforeMs)
{
    Write w{QStringLiteral("the removal of old alert history"), {}, 0};
    w.statements.append({QStringLiteral("DELETE FROM transitions WHERE at_ms < ?"), {beforeMs}});
    w.statements.append({QStringLiteral("DELETE FROM ack_events WHERE at_ms < ?"), {beforeMs}});
    return submit(std::move(w));
}

// --- reads -------------------------------------------------------------------

namespace {

template<typename T>
Loaded<T> unavailable(const QString &why)
{
    Loaded<T> l;
    l.error = why.isEmpty() ? QStringLiteral("the alert database is not open") : why;
    return l;
}

} // namespace

#define VIGIL_STORE_READ_PRELUDE(T)                                                                              \
    if (!checkThread())                                                                                         \
        return unavailable<T>(QStringLiteral("the alert store was used from the wrong thread"));                 \
    if (!m_open)                                                                                                \
        return unavailable<T>(m_lastError);                                                                     \
    QSqlQuery q(QSqlDatabase::database(m_connection, false));                                                   \
    q.setForwardOnly(true)

Loaded<QList<AlertInstance>> AlertStore::loadInstances()
{
    using T = QList<AlertInstance>;
    VIGIL_STORE_READ_PRELUDE(T);
    if (!q.exec(QStringLiteral("SELECT %1 FROM instances ORDER BY rule, fingerprint").arg(kInstanceColumns)))
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next()) {
        AlertInstance i;
        const SeriesKey series(q.value(2).toString(), labelsFromJson(objectFrom(q.value(3).toString())));
        i.id = rules::AlertInstanceId::make(q.value(1).toString(), series);
        i.state = stateOr(q.value(4).toString());
        i.severity = severityOr(q.value(5).toString());
        i.stateSinceMs = q.value(6).toLongLong();
        i.activeSinceMs = q.value(7).toLongLong();
        i.lastEvalMs = q.value(8).toLongLong();
        i.lastValue = doubleOrNaN(q.value(9));
        i.lastError = q.value(10).toString();
        i.flapping = q.value(11).toBool();
        i.pendingTarget = stateOr(q.value(12).toString(), AlertState::Firing);
        i.recoveredSinceMs = q.value(13).toLongLong();
        i.missingSinceMs = q.value(14).toLongLong();
        i.wasFiring = q.value(15).toBool();
        i.present = q.value(16).toBool();
        i.flapChanges = quint32(q.value(17).toLongLong());
        i.flapSamples = quint8(q.value(18).toInt());
        i.generation = quint64(q.value(19).toLongLong());
        out.value.append(i);
    }
    return out;
}

Loaded<QList<Ack>> AlertStore::loadAcks()
{
    using T = QList<Ack>;
    VIGIL_STORE_READ_PRELUDE(T);
    if (!q.exec(QStringLiteral("SELECT fingerprint, instance, by, at_ms, comment, expires_at_ms, severity FROM acks"
                               " ORDER BY at_ms, fingerprint")))
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next()) {
        Ack a;
        a.fingerprint = q.value(0).toString();
        a.instanceText = q.value(1).toString();
        a.by = q.value(2).toString();
        a.atMs = q.value(3).toLongLong();
        a.comment = q.value(4).toString();
        a.expiresAtMs = q.value(5).toLongLong();
        a.severity = severityOr(q.value(6).toString());
        out.value.append(a);
    }
    return out;
}

Loaded<QList<Silence>> AlertStore::loadSilences()
{
    using T = QList<Silence>;
    VIGIL_STORE_READ_PRELUDE(T);
    if (!q.exec(QStringLiteral("SELECT id, matchers, starts_at_ms, ends_at_ms, created_by, comment FROM silences"
                               " ORDER BY starts_at_ms, id")))
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    QStringList problems;
    while (q.next()) {
        Silence s;
        s.id = q.value(0).toString();
        const QJsonArray matchers = QJsonDocument::fromJson(q.value(1).toString().toUtf8()).array();
        bool good = true;
        for (const QJsonValue &v : matchers) {
            const QJsonObject m = v.toObject();
            const auto op = matcherOpFromString(m.value(QStringLiteral("op")).toString());
            QString why;
            const auto matcher = op ? rules::LabelMatcher::create(m.value(QStringLiteral("name")).toString(), *op,
                                                                  m.value(QStringLiteral("value")).toString(), &why)
                                    : std::nullopt;
            if (!matcher) {
                good = false;
                problems.append(QStringLiteral("silence %1 has a matcher that cannot be read%2")
                                    .arg(s.id, why.isEmpty() ? QString() : QStringLiteral(": ") + why));
                break;
            }
            s.matchers.append(*matcher);
        }
        s.startsAtMs = q.value(2).toLongLong();
        s.endsAtMs = q.value(3).toLongLong();
        s.createdBy = q.value(4).toString();
        s.comment = q.value(5).toString();
        // A silence with an unreadable matcher would silence more than its
        // author meant: it is left out and reported.
        if (good)
            out.value.append(s);
    }
    if (!problems.isEmpty()) {
        out.error = problems.join(QStringLiteral("; "));
        notice(out.error);
    }
    return out;
}

Loaded<QHash<QString, AlertState>> AlertStore::loadAnnounced()
{
    using T = QHash<QString, AlertState>;
    VIGIL_STORE_READ_PRELUDE(T);
    if (!q.exec(QStringLiteral("SELECT fingerprint, state FROM announced")))
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next())
        out.value.insert(q.value(0).toString(), stateOr(q.value(1).toString(), AlertState::Firing));
    return out;
}

Loaded<QList<OutboxEntry>> AlertStore::pending(const QString &notifier)
{
    return outbox(QStringLiteral("pending"), notifier);
}

Loaded<QList<OutboxEntry>> AlertStore::failed(const QString &notifier)
{
    return outbox(QStringLiteral("failed"), notifier);
}

Loaded<QHash<QString, QHash<QString, qint64>>> AlertStore::lastSent()
{
    using T = QHash<QString, QHash<QString, qint64>>;
    VIGIL_STORE_READ_PRELUDE(T);
    // Ids are "<fingerprint>:<at ms>:<kind>" (Router::makeNotification).
    if (!q.exec(QStringLiteral("SELECT notifier, id, enqueued_ms FROM outbox WHERE state != 'failed'"
                               " AND (id LIKE '%:firing' OR id LIKE '%:reopened' OR id LIKE '%:reminder')")))
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next()) {
        const QString id = q.value(1).toString();
        const QString fingerprint = id.section(QLatin1Char(':'), 0, 0);
        qint64 &at = out.value[fingerprint][q.value(0).toString()];
        at = std::max(at, q.value(2).toLongLong());
    }
    return out;
}

Loaded<QList<OutboxEntry>> AlertStore::outbox(const QString &state, const QString &notifier)
{
    using T = QList<OutboxEntry>;
    VIGIL_STORE_READ_PRELUDE(T);
    q.prepare(QStringLiteral("SELECT notifier, id, payload, state, attempts, next_attempt_ms, last_attempt_ms,"
                             " last_error, enqueued_ms FROM outbox WHERE state = ?%1 ORDER BY seq")
                  .arg(notifier.isEmpty() ? QString() : QStringLiteral(" AND notifier = ?")));
    q.addBindValue(state);
    if (!notifier.isEmpty())
        q.addBindValue(notifier);
    if (!q.exec())
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    QStringList problems;
    while (q.next()) {
        OutboxEntry e;
        e.notifier = q.value(0).toString();
        QString why;
        const auto n = notificationFromJson(objectFrom(q.value(2).toString()), &why);
        if (!n) {
            problems.append(QStringLiteral("outbox entry %1 for %2 cannot be read: %3")
                                .arg(q.value(1).toString(), e.notifier, why));
            continue;
        }
        e.notification = *n;
        const QString s = q.value(3).toString();
        e.state = s == QLatin1String("delivered") ? OutboxEntry::State::Delivered
            : s == QLatin1String("failed")        ? OutboxEntry::State::Failed
                                                  : OutboxEntry::State::Pending;
        e.attempts = q.value(4).toInt();
        e.nextAttemptMs = q.value(5).toLongLong();
        e.lastAttemptMs = q.value(6).toLongLong();
        e.lastError = q.value(7).toString();
        e.enqueuedMs = q.value(8).toLongLong();
        out.value.append(e);
    }
    if (!problems.isEmpty()) {
        out.error = problems.join(QStringLiteral("; "));
        notice(out.error);
    }
    return out;
}

Loaded<QList<HistoryEntry>> AlertStore::history(const QString &fingerprint, qint64 fromMs, qint64 toMs)
{
    using T = QList<HistoryEntry>;
    VIGIL_STORE_READ_PRELUDE(T);
    // Transitions sort before ack events at the same millisecond: an ack is a
    // response to the alert's state, and a lapse is caused by the resolve.
    q.prepare(QStringLiteral(
        "SELECT 0 AS k, at_ms, seq, rule, series, labels, from_state, to_state, reason, detail, value, severity,"
        " previous_severity, flapping, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM transitions WHERE fingerprint = ? AND at_ms >= ? AND at_ms <= ?"
        " UNION ALL"
        " SELECT 1 AS k, at_ms, seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %1"
        " FROM ack_events WHERE fingerprint = ? AND at_ms >= ? AND at_ms <= ?"
        " ORDER BY 2, 1, 3")
                  .arg(kAckEventColumns));
    for (int i = 0; i < 2; ++i) {
        q.addBindValue(fingerprint);
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
    }
    if (!q.exec())
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next()) {
        HistoryEntry h;
        h.atMs = q.value(1).toLongLong();
        if (q.value(0).toInt() == 0) {
            h.kind = HistoryEntry::Kind::Transition;
            Transition &t = h.transition;
            t.instance = rules::AlertInstanceId::make(
                q.value(3).toString(), SeriesKey(q.value(4).toString(), labelsFromJson(objectFrom(q.value(5).toString()))));
            t.from = stateOr(q.value(6).toString());
            t.to = stateOr(q.value(7).toString());
            t.reason = reasonFromString(q.value(8).toString()).value_or(TransitionReason::ConditionMet);
            t.detail = q.value(9).toString();
            t.value = doubleOrNaN(q.value(10));
            t.severity = severityOr(q.value(11).toString());
            t.previousSeverity = severityOr(q.value(12).toString());
            t.flapping = q.value(13).toBool();
            t.atMs = h.atMs;
        } else {
            h.kind = HistoryEntry::Kind::Ack;
            h.ack = ackEventFrom(q, 14);
        }
        out.value.append(h);
    }
    return out;
}

Loaded<QList<AckEvent>> AlertStore::ackEventsBetween(qint64 fromMs, qint64 toMs)
{
    using T = QList<AckEvent>;
    VIGIL_STORE_READ_PRELUDE(T);
    q.prepare(QStringLiteral("SELECT %1 FROM ack_events WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, seq")
                  .arg(kAckEventColumns));
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    if (!q.exec())
        return unavailable<T>(describe(q.lastError()));
    Loaded<T> out;
    while (q.next())
        out.value.append(ackEventFrom(q, 0));
    return out;
}

} // namespace vigil::storage
