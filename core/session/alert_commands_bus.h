// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

namespace vigil {

namespace alerting {
class AlertEngine;
}
namespace rules {
struct Silence;
}

// Acknowledgements and silences between two Vigils on one alert database.
//
// One Vigil holds an alert database and sends its notifications (typically
// `vigil watch` as a user unit); a second one on the same database (the
// window, opened at 3 a.m.) only shows alerts. An acknowledgement made in the
// second must still stop the first one's reminders, so the second forwards
// every ack, un-ack and silence to the first over the session bus, and keeps
// it in its own view too.
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

private:
    alerting::AlertEngine *m_engine;
    QString m_name;
};

// The other side: calls `method` on the Vigil holding `databasePath`,
// asynchronously; `done` runs in `context`'s thread with "" or why not (no
// such Vigil on the bus, a refusal in its words, no answer in 10 s).
void callAlertCommand(const QString &databasePath, const QString &method, const QVariantList &args,
                      QObject *context, std::function<void(const QString &error)> done);
// The arguments of AddSilence for `silence`.
QVariantList silenceArguments(const rules::Silence &silence);

} // namespace vigil
