// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "desktop_message.h"
#include "notify/notifier.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QHash>
#include <deque>
#include <functional>
#include <optional>

class QDBusServiceWatcher;

namespace vigil::desktop {

// Notifications on the desktop through the freedesktop.org Desktop
// Notifications spec (org.freedesktop.Notifications on the session bus).
//
// One desktop notification per alert (Notification::fingerprint): a later
// state of the alert replaces it in place (replaces_id) and Resolved closes it
// (CloseNotification). Closing rather than showing a "resolved" bubble is the
// choice here: a bubble is for what needs attention now; the resolved notice
// goes to Slack and the alerts view. When the bubble was already dismissed, a
// Resolved sends nothing.
//
// Availability: without a notification server on the bus, deliver() answers
// Retry with the reason (a server may start later: they are often D-Bus
// activated) and `available` turns false, so the app shows the alert in its
// tray icon's balloon instead; it turns true again when a server appears.
// Without a session bus at all, deliver() answers PermanentFailure: this
// process will never get one.
//
// Calls go out one at a time, in order, all asynchronous: the GUI thread
// never waits on the bus.
class DesktopNotifier : public Notifier
{
    Q_OBJECT
    // Read through QObject::property() by the app, which sees only Notifier.
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    Q_PROPERTY(QString unavailableReason READ unavailableReason NOTIFY availableChanged)
public:
    DesktopNotifier(const NotifierSettings &settings, QObject *parent = nullptr);
    ~DesktopNotifier() override;

    QString kind() const override { return QStringLiteral("desktop"); }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &batch) override;

    bool available() const { return m_available; }
    QString unavailableReason() const { return m_unavailableReason; }

Q_SIGNALS:
    void availableChanged(bool available);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationClosed(uint id, uint reason);

private:
    using Done = std::function<void(const QDBusError &)>;
    struct Job
    {
        Notification notification;
        Done done;
    };
    struct Shown
    {
        QString notificationId; // the latest Notification::id shown in it
        QString alert;          // alertKey()
    };

    void withCapabilities(std::function<void(const QDBusError &)> next);
    void pump();
    void run(const Job &job);
    void send(const Notification &n, Done done);
    void close(const Notification &n, Done done);
    // The answer for a failed call; updates `available` when the server or bus is gone.
    DeliveryResult interpret(const QDBusError &error);
    void setAvailable(bool available, const QString &reason);
    void forgetServer();

    NotifierSettings m_settings;
    // Before m_bus: its initializer sets it (members are built in this order;
    // the other way round, openBus assigned to a QString not yet built, and
    // the destructor never closed the connection. Found by make test-asan).
    QString m_ownConnectionName; // set when bus_address named another bus
    QDBusConnection m_bus;
    QString m_icon;
    QDBusServiceWatcher *m_watcher = nullptr;

    std::optional<ServerCapabilities> m_caps; // asked once per server
    std::vector<std::function<void(const QDBusError &)>> m_capsWaiters;

    std::deque<Job> m_queue;
    bool m_busy = false;

    QHash<QString, uint> m_idByAlert; // alertKey -> the server's notification id
    QHash<uint, Shown> m_shown;       // the server's notification id -> what it shows

    bool m_available = true;
    QString m_unavailableReason;
};

} // namespace vigil::desktop
