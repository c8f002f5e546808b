// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/migrations.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace vigil::storage {

const QList<Migration> &alertStoreMigrations()
{
    // Times are integer milliseconds since the Unix epoch (UTC), as in Clock.
    // Enumerations are stored as their text (toString()) so an auditor can
    // read the file with the sqlite3 shell.
    static const QList<Migration> migrations{
        {1,
         QStringLiteral("transitions, acknowledgements, silences, announced alerts, instances, outbox"),
         {
             // Append-only history of the state machine's transitions.
             QStringLiteral("CREATE TABLE transitions ("
                            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " fingerprint TEXT NOT NULL,"
                            " rule TEXT NOT NULL,"
                            " series TEXT NOT NULL,"        // the series name
                            " labels TEXT NOT NULL,"        // JSON object of the series' labels
                            " from_state TEXT NOT NULL,"
                            " to_state TEXT NOT NULL,"
                            " reason TEXT NOT NULL,"
                            " detail TEXT NOT NULL DEFAULT '',"
                            " value REAL,"                  // NULL when there was none (NaN)
                            " severity TEXT NOT NULL,"
                            " previous_severity TEXT NOT NULL,"
                            " flapping INTEGER NOT NULL,"
                            " at_ms INTEGER NOT NULL)"),
             QStringLiteral("CREATE INDEX transitions_by_alert ON transitions(fingerprint, at_ms)"),
             // Audit log of acknowledgements: every ack, un-ack, lapse and re-open.
             QStringLiteral("CREATE TABLE ack_events ("
                            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " fingerprint TEXT NOT NULL,"
                            " instance TEXT NOT NULL,"      // "Rule{label=...}" as shown to people
                            " kind TEXT NOT NULL,"          // acknowledged, unacknowledged, lapsed, reopened
                            " cause TEXT NOT NULL,"         // person, resolved, severity-raised, expired
                            " by TEXT NOT NULL DEFAULT '',"   // who, for acknowledged / unacknowledged
                            " at_ms INTEGER NOT NULL,"
                            " severity TEXT NOT NULL,"      // the alert's severity at the event
                            " ack_by TEXT NOT NULL,"        // the ack the event is about
                            " ack_at_ms INTEGER NOT NULL,"
                            " ack_comment TEXT NOT NULL DEFAULT '',"
                            " ack_expires_at_ms INTEGER NOT NULL DEFAULT 0,"
                            " ack_severity TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX ack_events_by_alert ON ack_events(fingerprint, at_ms)"),
             QStringLiteral("CREATE INDEX ack_events_by_time ON ack_events(at_ms)"),
             // The acks in force, for AckBook::restore(); kept in step with ack_events.
             QStringLiteral("CREATE TABLE acks ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " instance TEXT NOT NULL,"
                            " by TEXT NOT NULL,"
                            " at_ms INTEGER NOT NULL,"
                            " comment TEXT NOT NULL DEFAULT '',"
                            " expires_at_ms INTEGER NOT NULL DEFAULT 0,"
                            " severity TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE silences ("
                            " id TEXT PRIMARY KEY,"
                            " matchers TEXT NOT NULL,"      // JSON array of {name, op, value}
                            " starts_at_ms INTEGER NOT NULL,"
                            " ends_at_ms INTEGER NOT NULL,"
                            " created_by TEXT NOT NULL,"
                            " comment TEXT NOT NULL DEFAULT '',"
                            " expired_early_at_ms INTEGER,"  // when someone ended it early; NULL otherwise
                            " updated_at_ms INTEGER NOT NULL)"),
             // NotificationGate::announced(): alerts whose firing notice went out.
             QStringLiteral("CREATE TABLE announced ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " state TEXT NOT NULL)"),
             // AlertStateMachine::instances(), for restore() after a restart.
             QStringLiteral("CREATE TABLE instances ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " rule TEXT NOT NULL,"
                            " series TEXT NOT NULL,"
                            " labels TEXT NOT NULL,"
                            " state TEXT NOT NULL,"
                            " severity TEXT NOT NULL,"
                            " state_since_ms INTEGER NOT NULL,"
                            " active_since_ms INTEGER NOT NULL,"
                            " last_eval_ms INTEGER NOT NULL,"
                            " last_value REAL,"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " flapping INTEGER NOT NULL,"
                            " pending_target TEXT NOT NULL,"
                            " recovered_since_ms INTEGER NOT NULL,"
                            " missing_since_ms INTEGER NOT NULL,"
                            " was_firing INTEGER NOT NULL,"
                            " present INTEGER NOT NULL,"
                            " flap_changes INTEGER NOT NULL,"
                            " flap_samples INTEGER NOT NULL,"
                            " generation INTEGER NOT NULL)"),
             QStringLiteral("CREATE INDEX instances_by_rule ON instances(rule)"),
             // Notifications not yet delivered (and, until purged, those that were).
             QStringLiteral("CREATE TABLE outbox ("
                            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"  // delivery order
                            " notifier TEXT NOT NULL,"
                            " id TEXT NOT NULL,"             // Notification::id, stable across restarts
                            " payload TEXT NOT NULL,"        // JSON of the Notification
                            " state TEXT NOT NULL DEFAULT 'pending'"
                            "   CHECK (state IN ('pending', 'delivered', 'failed')),"
                            " attempts INTEGER NOT NULL DEFAULT 0,"
                            " next_attempt_ms INTEGER NOT NULL,"
                            " last_attempt_ms INTEGER NOT NULL DEFAULT 0,"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " enqueued_ms INTEGER NOT NULL,"
                            " done_ms INTEGER NOT NULL DEFAULT 0,"
                            " UNIQUE (notifier, id))"),
             QStringLiteral("CREATE INDEX outbox_by_state ON outbox(state, seq)"),
         }},
    };
    return migrations;
}

MigrationResult migrate(QSqlDatabase &db, const QList<Migration> &migrations)
{
    MigrationResult r;
    const int target = migrations.isEmpty() ? 0 : migrations.constLast().version;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        r.sqlError = q.lastError();
        r.error = QStringLiteral("cannot read the schema version: %1").arg(r.sqlError.text());
        return r;
    }
    r.fromVersion = r.toVersion = q.value(0).toInt();
    q.finish();
    if (r.fromVersion > target) {
        r.error = QStringLiteral("the alert database has schema version %1, newer than this Vigil knows (%2); "
                                 "it was written by a newer Vigil and is left untouched")
                      .arg(r.fromVersion)
                      .arg(target);
        return r;
    }
    for (const Migration &m : migrations) {
        if (m.version <= r.toVersion)
            continue;
        auto fail = [&](const QSqlError &e) {
            r.sqlError = e;
            r.error = QStringLiteral("cannot upgrade the alert database to schema version %1 (%2): %3")
                          .arg(m.version)
                          .arg(m.what, e.text());
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return r;
        };
        // IMMEDIATE: take the write lock before reading anything, so two
        // Vigils starting at once cannot both apply the same step.
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return fail(q.lastError());
        // Another process may have migrated while we waited for the lock.
        if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
            return fail(q.lastError());
        const int now = q.value(0).toInt();
        q.finish();
        if (now >= m.version) {
            q.exec(QStringLiteral("ROLLBACK"));
            r.toVersion = now;
            continue;
        }
        for (const QString &sql : m.statements) {
            if (!q.exec(sql))
                return fail(q.lastError());
        }
        // PRAGMA user_version is written in the database header inside the
        // transaction, so the bump commits or rolls back with the step.
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(m.version)))
            return fail(q.lastError());
        if (!q.exec(QStringLiteral("COMMIT")))
            return fail(q.lastError());
        r.toVersion = m.version;
    }
    return r;
}

} // namespace vigil::storage
