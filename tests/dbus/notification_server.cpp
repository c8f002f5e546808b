// SPDX-License-Identifier: GPL-3.0-or-later
#include "notification_server.h"

#include <QDBusConnectionInterface>

namespace vigil::test {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kConnectionName = QStringLiteral("vigil-test-notification-server");
} // namespace

NotificationServer::NotificationServer(QStringList capabilities, QObject *parent)
    : QObject(parent)
    , m_capabilities(std::move(capabilities))
    , m_bus(QDBusConnection::connectToBus(QDBusConnection::SessionBus, kConnectionName))
{
}

NotificationServer::~NotificationServer()
{
    stop();
    QDBusConnection::disconnectFromBus(kConnectionName);
}

bool NotificationServer::start(QString *error)
{
    if (!m_bus.isConnected()) {
        *error = QStringLiteral("no session bus (%1); run the test under dbus-run-session")
                     .arg(m_bus.lastError().message());
        return false;
    }
    if (!m_bus.registerObject(kPath, this, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals)) {
        *error = QStringLiteral("registerObject: %1").arg(m_bus.lastError().message());
        return false;
    }
    if (!m_bus.registerService(kService)) {
        *error = QStringLiteral("registerService: %1").arg(m_bus.lastError().message());
        m_bus.unregisterObject(kPath);
        return false;
    }
    m_started = true;
    return true;
}

void NotificationServer::stop()
{
    if (!m_started)
        return;
    m_bus.unregisterService(kService);
    m_bus.unregisterObject(kPath);
    m_started = false;
}

QStringList NotificationServer::GetCapabilities()
{
    ++capabilityCalls;
    return m_capabilities;
}

uint NotificationServer::Notify(const QString &app_name, uint replaces_id, const QString &app_icon,
                                const QString &summary, const QString &body, const QStringList &actions,
                                const QVariantMap &hints, int expire_timeout)
{
    // The spec: replacing an open notification keeps its id; anything else gets a new one.
    const uint id = replaces_id != 0 && m_open.contains(replaces_id) ? replaces_id : m_nextId++;
    if (!m_open.contains(id))
        m_open << id;
    notifyCalls << NotifyCall{app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout, id};
    return id;
}

void NotificationServer::CloseNotification(uint id)
{
    closeCalls << id;
    if (m_open.removeAll(id) > 0)
        Q_EMIT NotificationClosed(id, 3); // 3: closed by CloseNotification
}

QString NotificationServer::GetServerInformation(QString &vendor, QString &version, QString &spec_version)
{
    vendor = QStringLiteral("Vigil tests");
    version = QStringLiteral("1");
    spec_version = QStringLiteral("1.2");
    return QStringLiteral("vigil-test-notification-server");
}

} // namespace vigil::test
