// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop_notifier.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QLoggingCategory>
#include <QPromise>

Q_LOGGING_CATEGORY(lcDesktop, "vigil.notify.desktop")

namespace vigil::desktop {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
const QString kAppName = QStringLiteral("Vigil");
// A local server answers in milliseconds; D-Bus's own default is 25 s, too
// long to hold the queue behind a hung server.
constexpr int kCallTimeoutMs = 10'000;

QDBusConnection openBus(const NotifierSettings &settings, QString *ownName, const void *self)
{
    const QString address = settings.options.value(QStringLiteral("bus_address")).toString();
    if (address.isEmpty())
        return QDBusConnection::sessionBus();
    *ownName = QStringLiteral("vigil-desktop-%1").arg(reinterpret_cast<quintptr>(self), 0, 16);
    return QDBusConnection::connectToBus(address, *ownName);
}

QString noBusReason(const QDBusConnection &bus, const NotifierSettings &settings)
{
    const QString address = settings.options.value(QStringLiteral("bus_address")).toString();
    QString why = bus.lastError().message();
    if (why.isEmpty())
        why = qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")
            ? QStringLiteral("the bus did not accept the connection")
            : QStringLiteral("DBUS_SESSION_BUS_ADDRESS is not set");
    const QString which = address.isEmpty() ? QStringLiteral("No D-Bus session bus")
                                            : QStringLiteral("Cannot connect to the D-Bus at %1").arg(address);
    return QStringLiteral("%1 (%2): desktop notifications are off in this session; "
                          "Vigil shows alerts in its tray icon instead.")
        .arg(which, why);
}

} // namespace

DesktopNotifier::DesktopNotifier(const NotifierSettings &settings, QObject *parent)
    : Notifier(parent)
    , m_settings(settings)
    , m_bus(openBus(settings, &m_ownConnectionName, this))
    , m_icon(settings.options.value(QStringLiteral("icon")).toString(QStringLiteral("vigil")))
{
    if (!m_bus.isConnected()) {
        setAvailable(false, noBusReason(m_bus, m_settings)); // logs it
        return;
    }
    // Filtered by the service's owner: other programs' signals never arrive.
    m_bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                  SLOT(onActionInvoked(uint,QString)));
    m_bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                  SLOT(onNotificationClosed(uint,uint)));

    // A new server (or a restarted one) knows none of our ids and may have
    // other capabilities.
    m_watcher = new QDBusServiceWatcher(kService, m_bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(m_watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) {
                forgetServer();
                if (newOwner.isEmpty())
                    setAvailable(false, QStringLiteral("The desktop notification server left the session bus; "
                                                       "Vigil shows alerts in its tray icon until one returns."));
                else
                    setAvailable(true, {});
            });

    // Ask now, so `available` is right before the first alert.
    withCapabilities([](const QDBusError &) {});
}

DesktopNotifier::~DesktopNotifier()
{
    if (!m_ownConnectionName.isEmpty())
        QDBusConnection::disconnectFromBus(m_ownConnectionName);
}

QFuture<DeliveryResult> DesktopNotifier::deliver(const QList<Notification> &batch)
{
    if (!m_bus.isConnected())
        return QtFuture::makeReadyFuture(DeliveryResult::permanent(m_unavailableReason));

    auto promise = std::make_shared<QPromise<DeliveryResult>>();
    promise->start();
    QFuture<DeliveryResult> future = promise->future();
    if (batch.isEmpty()) {
        promise->addResult(DeliveryResult::delivered());
        promise->finish();
        return future;
    }

    // The batch is delivered when every notification in it is; the first
    // error decides the answer. A retry repeats the whole batch, which is
    // harmless: the same alert replaces its own notification.
    struct BatchState
    {
        qsizetype remaining = 0;
        QDBusError firstError;
    };
    auto state = std::make_shared<BatchState>();
    state->remaining = batch.size();
    for (const Notification &n : batch) {
        m_queue.push_back({n, [this, state, promise](const QDBusError &error) {
                               if (error.isValid() && !state->firstError.isValid())
                                   state->firstError = error;
                               if (--state->remaining > 0)
                                   return;
                               promise->addResult(state->firstError.isValid() ? interpret(state->firstError)
                                                                              : DeliveryResult::delivered());
                               promise->finish();
                           }});
    }
    pump();
    return future;
}

void DesktopNotifier::withCapabilities(std::function<void(const QDBusError &)> next)
{
    if (m_caps) {
        next({});
        return;
    }
    m_capsWaiters.push_back(std::move(next));
    if (m_capsWaiters.size() > 1)
        return; // already asking

    const QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface,
                                                             QStringLiteral("GetCapabilities"));
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kCallTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QDBusPendingReply<QStringList> reply = *watcher;
        QDBusError error;
        if (reply.isError()) {
            error = reply.error();
            interpret(error); // updates `available`
        } else {
            m_caps = ServerCapabilities::fromList(reply.value());
            setAvailable(true, {});
        }
        for (auto &waiter : std::exchange(m_capsWaiters, {}))
            waiter(error);
    });
}

void DesktopNotifier::pump()
{
    if (m_busy || m_queue.empty())
        return;
    m_busy = true;
    Job job = std::move(m_queue.front());
    m_queue.pop_front();
    if (job.notification.kind == Notification::Kind::Resolved
        && !m_idByAlert.contains(alertKey(job.notification))) {
        // Nothing of this alert on the desktop (dismissed, never shown, or the
        // server is gone): nothing to close, even without a server.
        m_busy = false;
        job.done({});
        pump();
        return;
    }
    withCapabilities([this, job = std::move(job)](const QDBusError &capsError) {
        Done done = [this, finished = job.done](const QDBusError &error) {
            m_busy = false;
            finished(error);
            pump();
        };
        if (capsError.isValid())
            done(capsError);
        else if (job.notification.kind == Notification::Kind::Resolved)
            close(job.notification, std::move(done));
        else
            send(job.notification, std::move(done));
    });
}

void DesktopNotifier::send(const Notification &n, Done done)
{
    const QString alert = alertKey(n);
    const uint replaces = m_idByAlert.value(alert, 0);
    const DesktopMessage m = composeMessage(n, *m_caps);

    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    call << kAppName << replaces << m_icon << m.summary << m.body << m.actions << m.hints << m.expireTimeoutMs;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kCallTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, watcher, alert, replaces, id = n.id, done = std::move(done)] {
                watcher->deleteLater();
                const QDBusPendingReply<uint> reply = *watcher;
                if (reply.isError()) {
                    done(reply.error());
                    return;
                }
                const uint shownId = reply.value();
                if (replaces != 0 && replaces != shownId)
                    m_shown.remove(replaces);
                m_idByAlert.insert(alert, shownId);
                m_shown.insert(shownId, Shown{id, alert});
                done({});
            });
}

void DesktopNotifier::close(const Notification &n, Done done)
{
    const QString alert = alertKey(n);
    const auto it = m_idByAlert.constFind(alert);
    if (it == m_idByAlert.cend()) {
        done({}); // never shown here, or already dismissed: nothing to close
        return;
    }
    const uint id = *it;
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface,
                                                       QStringLiteral("CloseNotification"));
    call << id;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kCallTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, alert, id, done = std::move(done)] {
        watcher->deleteLater();
        if (watcher->isError()) {
            done(watcher->error()); // kept: a retry closes it
            return;
        }
        if (m_idByAlert.value(alert) == id)
            m_idByAlert.remove(alert);
        m_shown.remove(id);
        done({});
    });
}

DeliveryResult DesktopNotifier::interpret(const QDBusError &error)
{
    const QString detail = error.name() + QStringLiteral(": ") + error.message();
    // QDBusError has no type of its own for NameHasNoOwner (Other).
    const bool noOwner = error.name() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner");
    switch (noOwner ? QDBusError::ServiceUnknown : error.type()) {
    case QDBusError::ServiceUnknown: {
        const QString reason = QStringLiteral("No desktop notification server on the session bus (%1). "
                                              "Vigil shows alerts in its tray icon until one starts.")
                                   .arg(detail);
        setAvailable(false, reason);
        return DeliveryResult::retry(reason);
    }
    case QDBusError::NoReply:
    case QDBusError::Timeout:
    case QDBusError::TimedOut:
        return DeliveryResult::retry(
            QStringLiteral("The desktop notification server did not answer within %1 s (%2).")
                .arg(kCallTimeoutMs / 1000)
                .arg(detail));
    case QDBusError::Disconnected: {
        const QString reason = QStringLiteral("The D-Bus session bus connection was lost (%1); "
                                              "Vigil shows alerts in its tray icon instead.")
                                   .arg(detail);
        setAvailable(false, reason);
        return DeliveryResult::permanent(reason);
    }
    case QDBusError::UnknownMethod:
    case QDBusError::UnknownInterface:
    case QDBusError::UnknownObject:
    case QDBusError::InvalidArgs:
    case QDBusError::InvalidSignature:
    case QDBusError::NotSupported:
        // The same call would be refused again: not the freedesktop.org spec.
        return DeliveryResult::permanent(
            QStringLiteral("The desktop notification server refused the notification (%1).").arg(detail));
    default:
        return DeliveryResult::retry(QStringLiteral("The desktop notification server failed (%1).").arg(detail));
    }
}

void DesktopNotifier::onActionInvoked(uint id, const QString &actionKey)
{
    const auto it = m_shown.constFind(id);
    if (it == m_shown.cend())
        return; // another application's notification on the same server
    Q_EMIT actionInvoked(it->notificationId, appActionForKey(actionKey));
}

void DesktopNotifier::onNotificationClosed(uint id, uint reason)
{
    Q_UNUSED(reason) // expired, dismissed, closed by us or undefined: all the same here
    const auto it = m_shown.constFind(id);
    if (it == m_shown.cend())
        return;
    if (m_idByAlert.value(it->alert) == id)
        m_idByAlert.remove(it->alert);
    m_shown.erase(it);
}

void DesktopNotifier::setAvailable(bool available, const QString &reason)
{
    const bool changed = available != m_available || reason != m_unavailableReason;
    m_available = available;
    m_unavailableReason = available ? QString() : reason;
    if (changed) {
        if (!available)
            qCWarning(lcDesktop).noquote() << reason;
        Q_EMIT availableChanged(available);
    }
}

void DesktopNotifier::forgetServer()
{
    m_caps.reset();
    m_idByAlert.clear();
    m_shown.clear();
}

} // namespace vigil::desktop
