// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDBusMessage>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QThread>

namespace vigil::test {

// A tray host for tests, as a desktop panel is one: the StatusNotifierWatcher
// (org.kde.StatusNotifierWatcher at /StatusNotifierWatcher) that tray icons
// register their StatusNotifierItem with. It says a host is registered, so
// Qt's generic Unix theme gives QSystemTrayIcon its D-Bus implementation.
//
// The watcher lives in its own thread on its own connection, as a panel is
// another program: Qt asks it with blocking calls (its
// IsStatusNotifierHostRegistered property, on the first QSystemTrayIcon),
// which a watcher in the test's own thread could only answer after they
// timed out. It is made, registered and deleted in that thread.
class TrayHost
{
public:
    // An item as registered: the bus name it is reached at (the service it
    // gave, or its sender's unique name when it gave an object path) and its path.
    struct Item
    {
        QString service;
        QString path;
    };

    TrayHost();
    ~TrayHost();

    // Starts the thread, registers the watcher and takes the service name;
    // false with `error` set when the bus refuses.
    bool start(QString *error);
    QList<Item> items() const;

private:
    friend class StatusNotifierWatcher;
    void addItem(const Item &item);

    QThread m_thread;
    QObject m_context; // runs code in m_thread
    class StatusNotifierWatcher *m_watcher = nullptr;
    mutable QMutex m_mutex;
    QList<Item> m_items;
};

// The D-Bus object (tests use TrayHost).
class StatusNotifierWatcher : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ isHostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ registeredItems)
public:
    explicit StatusNotifierWatcher(TrayHost *host) : m_host(host) {}

    bool isHostRegistered() const { return true; }
    int protocolVersion() const { return 0; }
    QStringList registeredItems() const;

public Q_SLOTS:
    void RegisterStatusNotifierItem(const QString &service, const QDBusMessage &message);
    void RegisterStatusNotifierHost(const QString &service);

Q_SIGNALS:
    void StatusNotifierItemRegistered(const QString &service);
    void StatusNotifierItemUnregistered(const QString &service);
    void StatusNotifierHostRegistered();

private:
    TrayHost *m_host;
};

} // namespace vigil::test
