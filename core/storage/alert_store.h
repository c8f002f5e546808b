// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"
#include "rules/acks.h"
#include "rules/alert_instance.h"
#include "rules/silences.h"

#include <QHash>
#include <QList>
#include <QSqlError>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QLockFile>
#include <deque>
#include <memory>
#include <limits>

class QThread;

namespace vigil {
class Clock;
}

namespace vigil::storage {

struct StoreOptions
{
    QString path; // empty: defaultPath()
    // How long a write waits for another connection's lock before it is kept
    // in memory instead. The store lives on the I/O thread, so a wait delays
    // deliveries, never the GUI; 1 s rides out a `sqlite3` shell's short read.
    int busyTimeoutMs = 1000;
    // PRAGMA quick_check when opening: finds damage inside a file whose header
    // is fine (O(size of the file), a fraction of a second for a year of history).
    bool quickCheckOnOpen = true;
    // Writes kept in memory while the database refuses them (locked, disk
    // full); beyond this the write is refused and the caller keeps its copy.
    int maxBacklog = 100'000;
    // One process at a time (the window and `vigil watch` of one user share
    // the default path): a lock file beside the database (QLockFile, stale
    // when its process is gone). Another live holder makes open() Unavailable
    // with OpenResult::inUseBy set. Off for stores a process opens twice.
    bool exclusive = false;
    // > 0: PRAGMA max_page_count, a database this many pages big behaves as
    // a full disk. For tests of the disk-full path.
    qint64 maxPageCount = 0;
    // For the timestamp of a moved-aside file and of notices. Null: the system clock.
    const Clock *clock = nullptr;
};

// What open() did, for the user: a fresh start is never silent.
struct OpenResult
{
    enum class Status : quint8 {
        Opened,      // the database is open and at the current schema
        Recreated,   // the old file could not be used: moved aside, a fresh one created
        Unavailable, // no database (locked, unwritable, too new); writes are kept in memory
    };
    Status status = Status::Unavailable;
    QString message;        // for the user; set for Recreated and Unavailable
    QString movedAsidePath; // for Recreated: where the old file went
    int schemaVersion = 0;
    // Unavailable because another process holds the lock (StoreOptions::exclusive):
    // "vigil (pid 1234 on host)".
    QString inUseBy;

    bool usable() const { return status != Status::Unavailable; }
};

// What became of a write. Callers act only on Durable; on Queued or Failed
// they keep their in-memory copy (and deliver from it) and show `error`.
struct WriteResult
{
    enum class Status : quint8 {
        Durable, // committed (synchronous=FULL: on the disk) before this returned
        Queued,  // the database refused it for now (locked, full); kept in memory, written by flush()
        Failed,  // not written and not kept (backlog full, or a bug in the statement)
    };
    Status status = Status::Durable;
    QString error; // for the user; empty when Durable

    bool durable() const { return status == Status::Durable; }
};

// A read: the value, or an error for the user (and an empty value).
template<typename T>
struct Loaded
{
    T value{};
    QString error;
    bool ok() const { return error.isEmpty(); }
};

struct OutboxEntry
{
    enum class State : quint8 { Pending, Delivered, Failed };
    QString notifier;
    Notification notification;
    State state = State::Pending;
    int attempts = 0;          // deliveries started (recordAttempt)
    qint64 nextAttemptMs = 0;  // not before this
    qint64 lastAttemptMs = 0;
    QString lastError;
    qint64 enqueuedMs = 0;
};

QString toString(OutboxEntry::State state);

// One line of an alert's history: a transition or an acknowledgement event.
struct HistoryEntry
{
    enum class Kind : quint8 { Transition, Ack };
    Kind kind = Kind::Transition;
    qint64 atMs = 0;
    rules::Transition transition; // Kind::Transition
    rules::AckEvent ack;          // Kind::Ack
};

// Something the user must be told about the store (a file moved aside, a
// locked or full database); also logged. The UI shows them.
struct StoreNotice
{
    qint64 atMs = 0;
    QString message;
};

// The alert database: SQLite through QtSql, in WAL mode with
// synchronous=FULL, so every write that returns Durable has reached the disk
// and survives a kill -9 or a power cut (docs/STORAGE.md).
//
// Threading: not thread-safe. A QSqlDatabase connection belongs to the thread
// that opened it, so create, use and destroy a store on one thread: the I/O
// thread. Other threads reach it through queued calls; a call from another
// thread is refused (Failed / an error) and logged, never run. Each store has its
// own connection name, so two stores (even on one file) never share one.
//
// Write-ahead: every write method runs in one transaction and returns only
// once it has committed. Writes the database refuses for now (locked by
// another program, disk full, file system error) are kept in memory in
// order and written by the next write or by flush(); reads see only what
// is written.
class AlertStore
{
public:
    static constexpr int kSchemaVersion = 1;

    explicit AlertStore(StoreOptions options = {});
    ~AlertStore();
    AlertStore(const AlertStore &) = delete;
    AlertStore &operator=(const AlertStore &) = delete;

    // $XDG_STATE_HOME/vigil/alerts.db (~/.local/state/vigil/alerts.db).
    static QString defaultPath();

    // Opens (creating the file and its directory when missing), checks and
    // migrates the database. A write before open() opens it on the way. A file that is not a database, or is damaged, or
    // cannot be opened is moved aside to "<name>.corrupt-<timestamp>" and a
    // fresh one created (Recreated). A locked or too-new database is left as
    // it is (Unavailable); writes are then kept in memory and flush() retries.
    OpenResult open();
    void close();
    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }

    // --- writes (each one transaction) -------------------------------------

    // One evaluation: its transitions appended to the history, and the
    // instances they changed (or all, for a periodic snapshot) saved for
    // AlertStateMachine::restore(), together.
    WriteResult recordTransitions(const QList<rules::Transition> &transitions,
                                  const QList<rules::AlertInstance> &instances = {});
    // Replaces the whole instance snapshot.
    WriteResult replaceInstances(const QList<rules::AlertInstance> &instances);
    // Instances gone without a transition (their rule was removed).
    WriteResult removeInstances(const QStringList &fingerprints);

    // Acks, un-acks, lapses and re-opens, appended to the audit log; the acks
    // in force (loadAcks()) follow them.
    WriteResult recordAckEvents(const QList<rules::AckEvent> &events);

    // Adds or replaces a silence.
    WriteResult saveSilence(const rules::Silence &silence, qint64 nowMs);
    // A silence someone ended early: `silence` as SilenceBook::expire() left it.
    WriteResult recordSilenceExpired(const rules::Silence &silence, qint64 nowMs);
    // Silences SilenceBook::purge() forgot.
    WriteResult deleteSilences(const QStringList &ids);

    // NotificationGate::announced(), whole (it is small: the open alerts).
    WriteResult saveAnnounced(const QHash<QString, rules::AlertState> &announced);

    // Outbox. Enqueueing is idempotent by (notifier, notification id): a
    // notification already there (pending, delivered or failed) is left as it is.
    WriteResult enqueue(const QString &notifier, const QList<Notification> &notifications, qint64 nowMs);
    // Call before handing the notifications to the notifier: the attempt is
    // counted even when the process dies during it (delivery is at least once;
    // the receiver de-duplicates by id).
    WriteResult recordAttempt(const QString &notifier, const QStringList &ids, qint64 atMs);
    WriteResult markDelivered(const QString &notifier, const QStringList &ids, qint64 atMs);
    // permanent: the entry is failed for good (shown in the UI with `reason`);
    // otherwise it stays pending and is not tried before `nextAttemptMs`.
    WriteResult markFailed(const QString &notifier, const QStringList &ids, bool permanent, const QString &reason,
                           qint64 atMs, qint64 nextAttemptMs = 0);
    // Forgets delivered entries finished before `beforeMs`.
    WriteResult purgeDelivered(qint64 beforeMs);
    // Forgets transitions and ack events before `beforeMs` (history retention;
    // the acks in force, silences, instances and the outbox are not history).
    WriteResult purgeHistory(qint64 beforeMs);

    // Writes what is kept in memory (reopening the database if needed).
    // Durable when nothing is left over.
    WriteResult flush();
    int backlogSize() const { return int(m_backlog.size()); }

    // --- reads ---------------------------------------------------------------

    Loaded<QList<rules::AlertInstance>> loadInstances();
    Loaded<QList<rules::Ack>> loadAcks();
    Loaded<QList<rules::Silence>> loadSilences();
    Loaded<QHash<QString, rules::AlertState>> loadAnnounced();
    // Pending outbox entries in the order they were enqueued, for a restart;
    // empty `notifier`: every notifier's.
    Loaded<QList<OutboxEntry>> pending(const QString &notifier = {});
    Loaded<QList<OutboxEntry>> failed(const QString &notifier = {});
    // When each alert was last told to each notifier: the newest firing,
    // re-opened or reminder notice in the outbox that did not fail for good
    // (fingerprint -> notifier -> when it was queued). A restart resumes
    // reminders from it (Router::resume), so repeat_interval counts from the
    // last message, not from the restart.
    Loaded<QHash<QString, QHash<QString, qint64>>> lastSent();
    // An alert's transitions and ack events between two times, oldest first
    // (at equal times, in the order they were written).
    Loaded<QList<HistoryEntry>> history(const QString &fingerprint,
                                        qint64 fromMs = std::numeric_limits<qint64>::min(),
                                        qint64 toMs = std::numeric_limits<qint64>::max());
    // Who acked, un-acked (and what lapsed or re-opened) in [fromMs, toMs), oldest first.
    Loaded<QList<rules::AckEvent>> ackEventsBetween(qint64 fromMs, qint64 toMs);

    // --- for the user ----------------------------------------------------------

    QList<StoreNotice> notices() const { return m_notices; }
    void clearNotices() { m_notices.clear(); }

    // Tests: change PRAGMA max_page_count on the open connection (0: SQLite's default).
    void setMaxPageCount(qint64 pages);

private:
    struct Statement
    {
        QString sql;
        QVariantList values;
    };
    struct Write
    {
        QString what; // "3 alert transitions", for messages
        QList<Statement> statements;
        quint64 id = 0; // set when queued
    };
    struct Outcome
    {
        QSqlError error;
        bool ok() const { return !error.isValid(); }
    };

    OpenResult openOnce(bool *damaged);
    OpenResult prepareConnection(bool *damaged);
    bool openConnection(QSqlError *error);
    void dropConnection();
    QString moveAside(QString *error);
    WriteResult submit(Write write);
    WriteResult drain(quint64 id);
    Outcome runWrite(const Write &write);
    Loaded<QList<OutboxEntry>> outbox(const QString &state, const QString &notifier);
    void notice(const QString &message);
    qint64 nowMs() const;
    bool checkThread() const;

    // StoreOptions::exclusive: taken by open(), released by close().
    std::unique_ptr<QLockFile> m_lock;
    StoreOptions m_options;
    QString m_path;
    QString m_connection;
    QThread *m_thread = nullptr;
    bool m_open = false;
    std::deque<Write> m_backlog; // refused for now, oldest first
    quint64 m_nextWriteId = 1;
    qint64 m_retryAtMs = 0;      // a new write does not retry the database before this
    QString m_lastError;         // why the backlog is not empty / the database not open
    QList<StoreNotice> m_notices;
};

} // namespace vigil::storage
