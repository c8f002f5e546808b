// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QStringList>
#include <QVariantMap>

namespace vigil::test {

// A freedesktop.org notification server for tests: org.freedesktop.Notifications
// at /org/freedesktop/Notifications on its own connection to the session bus
// (as a real server is another program), recording every call and answering
// as the spec says. Signals a user would cause (a click on a button, a
// dismissal) are sent with invokeAction() and dismiss().
class NotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct NotifyCall
    {
        QString appName;
        uint replacesId = 0;
        QString appIcon;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
        int expireTimeout = 0;
        uint returnedId = 0;
    };

    explicit NotificationServer(QStringList capabilities, QObject *parent = nullptr);
    ~NotificationServer() override;

    // Registers the object and takes the service name; false with `error` set when the bus refuses.
    bool start(QString *error);
    // Leaves the bus, as a server that exits.
    void stop();

    void invokeAction(uint id, const QString &key) { Q_EMIT ActionInvoked(id, key); }
    void dismiss(uint id) // as the user closing it: 2, dismissed
    {
        m_open.removeAll(id);
        Q_EMIT NotificationClosed(id, 2);
    }

    QList<NotifyCall> notifyCalls;
    QList<uint> closeCalls;
    int capabilityCalls = 0;

public Q_SLOTS:
    QStringList GetCapabilities();
    uint Notify(const QString &app_name, uint replaces_id, const QString &app_icon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int expire_timeout);
    void CloseNotification(uint id);
    QString GetServerInformation(QString &vendor, QString &version, QString &spec_version);

Q_SIGNALS:
    void NotificationClosed(uint id, uint reason);
    void ActionInvoked(uint id, const QString &action_key);

private:
    QStringList m_capabilities;
    QDBusConnection m_bus;
    bool m_started = false;
    uint m_nextId = 1;
    QList<uint> m_open;
};

} // namespace vigil::test
