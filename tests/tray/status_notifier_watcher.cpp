// SPDX-License-Identifier: GPL-3.0-or-later
#include "status_notifier_watcher.h"

#include <QDBusConnection>
#include <QMutexLocker>

namespace vigil::test {

namespace {
const QString kService = QStringLiteral("org.kde.StatusNotifierWatcher");
const QString kPath = QStringLiteral("/StatusNotifierWatcher");
const QString kItemPath = QStringLiteral("/StatusNotifierItem");
const QString kConnectionName = QStringLiteral("vigil-test-status-notifier-watcher");
} // namespace

TrayHost::TrayHost()
{
    m_thread.setObjectName(QStringLiteral("tray host"));
    m_context.moveToThread(&m_thread);
}

TrayHost::~TrayHost()
{
    if (!m_thread.isRunning())
        return;
    // Off the bus and deleted in its own thread, as it was made.
    QMetaObject::invokeMethod(&m_context, [this] {
        QDBusConnection bus(kConnectionName);
        if (m_watcher) {
            bus.unregisterService(kService);
            bus.unregisterObject(kPath);
            delete m_watcher;
            m_watcher = nullptr;
        }
        QDBusConnection::disconnectFromBus(kConnectionName);
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool TrayHost::start(QString *error)
{
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(&m_context, [&] {
        // Made in this thread, so calls to the watcher are answered here.
        QDBusConnection bus = QDBusConnection::connectToBus(QDBusConnection::SessionBus, kConnectionName);
        if (!bus.isConnected()) {
            *error = QStringLiteral("no session bus (%1); run the test under dbus-run-session").arg(bus.lastError().message());
            return;
        }
        m_watcher = new StatusNotifierWatcher(this);
        if (!bus.registerObject(kPath, m_watcher, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals
                                                      | QDBusConnection::ExportAllProperties)) {
            *error = QStringLiteral("registerObject: %1").arg(bus.lastError().message());
            return;
        }
        if (!bus.registerService(kService)) {
            *error = QStringLiteral("registerService %1: %2").arg(kService, bus.lastError().message());
            return;
        }
        ok = true;
    }, Qt::BlockingQueuedConnection);
    return ok;
}

void TrayHost::addItem(const Item &item)
{
    QMutexLocker lock(&m_mutex);
    m_items.append(item);
}

QList<TrayHost::Item> TrayHost::items() const
{
    QMutexLocker lock(&m_mutex);
    return m_items;
}

void StatusNotifierWatcher::RegisterStatusNotifierItem(const QString &service, const QDBusMessage &message)
{
    // The spec allows a bus name (the item at /StatusNotifierItem) or an
    // object path (the item on the caller's own connection).
    const TrayHost::Item item = service.startsWith(u'/') ? TrayHost::Item{message.service(), service}
                                                          : TrayHost::Item{service, kItemPath};
    m_host->addItem(item);
    Q_EMIT StatusNotifierItemRegistered(item.service + item.path);
}

void StatusNotifierWatcher::RegisterStatusNotifierHost(const QString &)
{
    Q_EMIT StatusNotifierHostRegistered();
}

QStringList StatusNotifierWatcher::registeredItems() const
{
    QStringList out;
    for (const TrayHost::Item &item : m_host->items())
        out << item.service + item.path;
    return out;
}

} // namespace vigil::test
