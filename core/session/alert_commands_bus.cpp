// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/alert_commands_bus.h"

#include "alerting/alert_engine.h"
#include "rules/silences.h"

#include <QCryptographicHash>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDir>
#include <QFileInfo>
#include <QPointer>

namespace vigil {

namespace alertcommands {

QString busName(const QString &databasePath)
{
    const QFileInfo info(databasePath);
    const QString canonical = info.canonicalFilePath();
    const QString path = canonical.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : canonical;
    const QByteArray digest = QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    // A bus name element may not start with a digit: hence the "d".
    return QStringLiteral("io.github.vigil.AlertCommands.d") + QString::fromLatin1(digest);
}

} // namespace alertcommands

AlertCommandsService::AlertCommandsService(alerting::AlertEngine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
}

AlertCommandsService::~AlertCommandsService()
{
    if (m_name.isEmpty())
        return;
    QDBusConnection bus = QDBusConnection::sessionBus();
    bus.unregisterObject(QString::fromLatin1(alertcommands::kPath));
    bus.unregisterService(m_name);
}

QString AlertCommandsService::start(const QString &databasePath)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return QStringLiteral("no D-Bus session bus (%1), so another Vigil on this alert database cannot forward "
                              "acknowledgements here")
            .arg(bus.lastError().message().isEmpty() ? QStringLiteral("DBUS_SESSION_BUS_ADDRESS is not set")
                                                     : bus.lastError().message());
    const QString name = alertcommands::busName(databasePath);
    if (!bus.registerObject(QString::fromLatin1(alertcommands::kPath), this, QDBusConnection::ExportAllSlots))
        return QStringLiteral("cannot export the alert commands on the session bus: %1").arg(bus.lastError().message());
    if (!bus.registerService(name)) {
        const QString why = bus.lastError().message();
        bus.unregisterObject(QString::fromLatin1(alertcommands::kPath));
        return QStringLiteral("cannot take the bus name %1 for the alert database %2: %3").arg(name, databasePath, why);
    }
    m_name = name;
    return {};
}

QString AlertCommandsService::Acknowledge(const QString &fingerprint, const QString &by, const QString &comment,
                                          qlonglong expiresAtMs)
{
    if (by.trimmed().isEmpty())
        return QStringLiteral("an acknowledgement needs a name");
    return m_engine->acknowledge(fingerprint, by, comment, expiresAtMs);
}

QString AlertCommandsService::Unacknowledge(const QString &fingerprint, const QString &by)
{
    if (by.trimmed().isEmpty())
        return QStringLiteral("taking back an acknowledgement needs a name");
    return m_engine->unacknowledge(fingerprint, by);
}

QString AlertCommandsService::AddSilence(const QString &id, const QStringList &matchers, qlonglong startsAtMs,
                                         qlonglong endsAtMs, const QString &createdBy, const QString &comment)
{
    rules::Silence s;
    s.id = id;
    for (const QString &text : matchers) {
        QString why;
        const auto m = rules::LabelMatcher::parse(text, &why);
        if (!m)
            return QStringLiteral("the matcher %1 cannot be read: %2").arg(text, why);
        s.matchers.append(*m);
    }
    s.startsAtMs = startsAtMs;
    s.endsAtMs = endsAtMs;
    s.createdBy = createdBy;
    s.comment = comment;
    QString error;
    if (m_engine->addSilence(std::move(s), &error).isEmpty())
        return error.isEmpty() ? QStringLiteral("the silence was refused") : error;
    return {};
}

QString AlertCommandsService::ExpireSilence(const QString &id)
{
    return m_engine->expireSilence(id) ? QString() : QStringLiteral("silence %1 is unknown or already over").arg(id);
}

void callAlertCommand(const QString &databasePath, const QString &method, const QVariantList &args, QObject *context,
                      std::function<void(const QString &error)> done)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        done(QStringLiteral("there is no D-Bus session bus to reach it by"));
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(alertcommands::busName(databasePath),
                                                       QString::fromLatin1(alertcommands::kPath),
                                                       QString::fromLatin1(alertcommands::kInterface), method);
    call.setArguments(args);
    // No service activation: a Vigil that is not running is not started for this.
    call.setAutoStartService(false);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 10'000), context);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, context,
                     [watcher, done = std::move(done)] {
                         watcher->deleteLater();
                         const QDBusPendingReply<QString> reply = *watcher;
                         if (reply.isError()) {
                             const QDBusError e = reply.error();
                             if (e.type() == QDBusError::ServiceUnknown
                                 || e.name() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner"))
                                 done(QStringLiteral("it does not answer on the session bus (it stopped, runs on another "
                                                     "machine or session, or is an older Vigil)"));
                             else if (e.type() == QDBusError::NoReply || e.type() == QDBusError::Timeout)
                                 done(QStringLiteral("it did not answer within 10 s"));
                             else
                                 done(QStringLiteral("D-Bus: %1").arg(e.message()));
                             return;
                         }
                         done(reply.value());
                     });
}

QVariantList silenceArguments(const rules::Silence &silence)
{
    QStringList matchers;
    for (const rules::LabelMatcher &m : silence.matchers)
        matchers.append(m.toString());
    return {silence.id, matchers, qlonglong(silence.startsAtMs), qlonglong(silence.endsAtMs), silence.createdBy,
            silence.comment};
}

} // namespace vigil
