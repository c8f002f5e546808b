// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <optional>

#include "rules/silences.h"

namespace vigil {

namespace alerting {
class AlertEngine;
}

// Acknowledgements and silences between two Vigils on one alert database.
//
// One Vigil holds an alert database and sends its notifications (typically
// `vigil watch` as a user unit); a second one on the same database (the
// window, opened at 3 a.m.) only shows alerts. An acknowledgement made in the
// second must still stop the first one's reminders, so the second forwards
// every ack, un-ack and silence to the first over the session bus, and keeps
// it in its own view too. The other way, the second mirrors the first's acks
// and silences (made from its desktop notifications, or before the window was
// opened): the holder says Changed, the second asks for its State.
//
// The holder owns the bus name alertCommandsBusName(database), derived from
// the database's canonical path, so two Vigils on two databases never meet.
// The session bus is the user's own: no other user can call it.
namespace alertcommands {
inline constexpr char kPath[] = "/io/github/vigil/AlertCommands";
inline constexpr char kInterface[] = "io.github.vigil.AlertCommands";
// "io.github.vigil.AlertCommands.d<16 hex digits of SHA-256 of the canonical path>".
QString busName(const QString &databasePath);
} // namespace alertcommands

// The holder's side: exported on the session bus, living in the engine's
// thread (D-Bus calls are delivered there). Each method returns "" on success,
// otherwise why not, in words for the person who asked.
class AlertCommandsService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "io.github.vigil.AlertCommands")
public:
    AlertCommandsService(alerting::AlertEngine *engine, QObject *parent = nullptr);
    ~AlertCommandsService() override;

    // Takes the bus name for `databasePath`. Returns "" or why not (no session
    // bus, the name taken): the caller logs it; nothing else depends on it.
    QString start(const QString &databasePath);
    bool isStarted() const { return !m_name.isEmpty(); }

public Q_SLOTS:
    QString Acknowledge(const QString &fingerprint, const QString &by, const QString &comment, qlonglong expiresAtMs);
    QString Unacknowledge(const QString &fingerprint, const QString &by);
    // `matchers` in Alertmanager's text form (name=~"re"); `id` is kept, so the
    // silence can later be expired by the same id from either side.
    QString AddSilence(const QString &id, const QStringList &matchers, qlonglong startsAtMs, qlonglong endsAtMs,
                       const QString &createdBy, const QString &comment);
    QString ExpireSilence(const QString &id);
    // The acks of open alerts and the silences not yet over, as JSON (see
    // AlertCommandsState).
    QString State();

Q_SIGNALS:
    // An ack or a silence changed here: a mirror asks for State again.
    void Changed();

private:
    alerting::AlertEngine *m_engine;
    QString m_name;
};

// What State() answers, read and written.
struct AlertCommandsState
{
    struct Ack
    {
        QString by, comment;
        qint64 expiresAtMs = 0;
    };
    QHash<QString, Ack> acks; // by fingerprint
    QList<rules::Silence> silences;

    QByteArray toJson() const;
    // Empty, with *error, when `json` is not such a state.
    static std::optional<AlertCommandsState> fromJson(const QByteArray &json, QString *error);
};

// The other side's view of the holder: keeps this Vigil's engine showing
// the holder's acks and silences. Lives in the engine's thread.
//
// What it put here it also takes back when the holder no longer has it;
// what was made here and not taken by the holder ("acknowledged here only")
// it leaves alone. A command made here makes it drop answers asked for
// before it, so an un-ack here is not undone by a stale answer.
class AlertCommandsMirror : public QObject
{
    Q_OBJECT
public:
    AlertCommandsMirror(alerting::AlertEngine *engine, const QString &databasePath, const QString &holder,
                        QObject *parent = nullptr);

    // Listens for the holder's Changed and asks for its state now and every
    // `refreshMs` (a holder restarted, a signal missed). Returns "" or why not.
    QString start(int refreshMs = 30'000);

    // A command made here on this alert or silence: forget what the holder
    // last said of it until its next answer.
    void forgetAck(const QString &fingerprint);
    void forgetSilence(const QString &id);

    int answers() const { return m_answers; }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // The holder answered and its state is applied as far as this engine's
    // alerts allow (an alert not evaluated here yet gets its ack later).
    void synced();

private Q_SLOTS:
    void holderChanged();

private:
    void ask();
    void reconcile();

    alerting::AlertEngine *m_engine;
    QString m_databasePath, m_holder;
    QTimer m_refresh;
    AlertCommandsState m_state;
    QSet<QString> m_mirroredAcks, m_mirroredSilences, m_refusedSilences;
    quint64 m_localCommands = 0;
    bool m_asking = false, m_askAgain = false, m_reconciling = false;
    int m_answers = 0;
    QString m_lastError;
};

// The other side: calls `method` on the Vigil holding `databasePath`,
// asynchronously; `done` runs in `context`'s thread with "" or why not (no
// such Vigil on the bus, a refusal in its words, no answer in 10 s).
void callAlertCommand(const QString &databasePath, const QString &method, const QVariantList &args,
                      QObject *context, std::function<void(const QString &error)> done);
// The arguments of AddSilence for `silence`.
QVariantList silenceArguments(const rules::Silence &silence);

} // namespace vigil
