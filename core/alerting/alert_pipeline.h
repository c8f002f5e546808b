// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerting/alert_engine.h"
#include "notify/delivery_queue.h"
#include "notify/router.h"
#include "sources/plugin_registry.h"
#include "storage/alert_store.h"
#include "util/clock.h"
#include "workspace/workspace.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <functional>

namespace vigil::alerting {

// How the workspace routes alerts. Its `routes:` section when it has one;
// otherwise one route per notifier (each with `continue`), taking the alerts
// of the rules that name it in `notify:` and of the rules that name none;
// when no rule names a notifier, every notifier takes every alert.
// send_resolved comes from each notifier's definition.
RouterConfig routerConfigFor(const Workspace &ws);

// A secret by name (the workspace's `webhook_secret: slack-oncall`): its
// value, or empty with *error saying where it was looked for.
using SecretFn = std::function<QString(const QString &name, QString *error)>;

// The settings a notifier plugin gets for a workspace definition: options
// as JSON (numbers and booleans typed), each `X_secret` kept as an option
// naming the secret, and the secret's value under the key the plugin's
// plugin.json declares for it (`"secret": "webhook_url"`), else `X`.
NotifierSettings notifierSettingsFor(const NotifierDef &def, const PluginInfo *plugin, const SecretFn &secret,
                                     QStringList *errors);

// The alert pipeline of issue 3, wired: AlertEngine -> AlertStore ->
// Router -> AlertStore's outbox -> DeliveryQueue -> notifiers. Lives in the
// engine's thread (the I/O thread in the app), next to the engine.
//
// Nothing is lost (DESIGN.md principle 5): every transition, ack event,
// silence change and the gate's announced set are written to the store in
// the engine's signal, before anything acts on them (the engine emits
// transitionsHappened before it routes, ackEventsHappened before
// alertsChanged); every notification is enqueued in the store's outbox
// before the DeliveryQueue sees it, its attempt recorded before the notifier
// is handed it, and its outcome recorded after. start() restores the engine
// and re-queues what was not delivered, with the same ids (at least once;
// receivers de-duplicate by id).
//
// A store that refuses a write (locked, full) keeps it in memory and the
// pipeline goes on from memory: the user is told (problem()), a page is not
// held back because the disk is full.
class AlertPipeline : public QObject
{
    Q_OBJECT
public:
    // The pipeline uses but does not own the engine and the store.
    AlertPipeline(const Clock &clock, AlertEngine *engine, storage::AlertStore *store, QObject *parent = nullptr);
    ~AlertPipeline() override;

    void setRouting(const RouterConfig &config);
    // A notifier to deliver to, by its settings().name. Not owned.
    void addNotifier(Notifier *notifier, double messagesPerSecond = 0.0);
    // Creates the workspace's notifiers through the plugins (parented to
    // `parent`) and adds them. Returns a message per notifier that could not
    // be created or lacks a secret; the others work.
    QStringList addNotifiers(const Workspace &ws, const PluginRegistry &plugins, const SecretFn &secret,
                             QObject *parent);
    // The workspace changed while Vigil runs: applies its notifiers and routes
    // without a restart. A notifier whose settings (secrets resolved again)
    // are unchanged is kept; a changed one is replaced, a new one created, a
    // removed one dropped; its undelivered notifications stay in the outbox
    // (and go out if a notifier of that name comes back). A notifier that
    // cannot be created from its new definition keeps running as it was.
    // Open alerts are regrouped under the new routes (Router::reconfigure).
    // Returns what the user should see.
    QStringList reconfigure(const Workspace &ws, const PluginRegistry &plugins, const SecretFn &secret,
                            QObject *parent);
    QStringList notifierNames() const { return m_notifiers.keys(); }
    Notifier *notifier(const QString &name) const { return m_notifiers.value(name); }

    // Who acknowledges and snoozes from a desktop notification.
    void setUser(const QString &user) { m_user = user; }

    // Call once, after the engine's setRules(): restores instances, acks,
    // silences and the announced set, puts open announced alerts back in
    // the router and re-queues the outbox's pending notifications. Returns
    // problems for the user (also emitted as problem()).
    QStringList start();
    // Lets the DeliveryQueue send on its own timer (the app). Tests leave it
    // off and call tick().
    void startDelivery();
    // Flushes the router's due groups into the outbox, sends what is due and
    // retries the store's backlog. The app calls it on the engine's tick.
    void tick();

    // A notifier's action (the desktop's buttons): "ack" acknowledges the
    // alert behind the notification, "snooze-15m" silences exactly its labels
    // for 15 minutes, "open" asks for the Alerts view (openRequested).
    void handleAction(const QString &notificationId, const QString &action);
    // The alert (fingerprint) a notification id is about.
    QString fingerprintOf(const QString &notificationId) const;

    DeliveryQueue &queue() { return m_queue; }
    const Router &router() const { return m_router; }
    QStringList problems() const { return m_problems; }

    static constexpr qint64 kSnoozeMs = 15 * 60'000;
    // Housekeeping, hourly: delivered outbox entries are kept a week for the
    // audit, then purged; the in-memory queue forgets finished entries after
    // an hour (the store has them).
    static constexpr qint64 kHousekeepingMs = 3'600'000;
    static constexpr qint64 kKeepDeliveredMs = 7 * 86'400'000LL;

Q_SIGNALS:
    // In the outbox (durable, or kept in memory when the store refused it).
    void notificationsQueued(const QString &notifier, const QList<vigil::Notification> &notifications);
    void delivered(const QString &notifier, const QStringList &ids);
    void deliveryFailed(const QString &notifier, const QStringList &ids, const QString &reason, bool permanent);
    // Something the user must see: a notification that failed for good, the
    // store's notices (moved aside, locked, full), a notifier that is missing.
    void problem(const QString &message);
    // A desktop notification's "Open" (or a click on it).
    void openRequested(const QString &fingerprint);
    // A desktop action that could not be carried out, for the user.
    void actionFailed(const QString &message);
    // A notifier with an `available` property (the desktop one) could not
    // reach its server, or can again: the window falls back to its tray balloon.
    void notifierAvailabilityChanged(const QString &notifier, bool available, const QString &reason);

private Q_SLOTS:
    void relayAvailability();

private:
    void onTransitions(const QList<rules::Transition> &transitions);
    void onIntents(const QList<rules::NotificationIntent> &intents);
    void onAckEvents(const QList<rules::AckEvent> &events);
    void onSilencesChanged();
    void enqueue(const QString &notifier, const QList<Notification> &notifications);
    void decorate(Notification &n) const;
    void checkWrite(const storage::WriteResult &result, const char *what);
    void takeStoreNotices();
    void report(const QString &message);
    void remember(const Notification &n);
    void dropNotifier(const QString &name);
    int requeueFromOutbox(const QSet<QString> &notifiers);

    const Clock &m_clock;
    AlertEngine *m_engine;
    storage::AlertStore *m_store;
    Router m_router;
    DeliveryQueue m_queue;
    QHash<QString, Notifier *> m_notifiers;
    QSet<Notifier *> m_created; // by addNotifiers()/reconfigure(): deleted when dropped
    QHash<QString, QString> m_fingerprintById; // notification id -> alert fingerprint
    QHash<QString, rules::Silence> m_savedSilences; // as last written, to write only what changed
    QString m_user;
    QStringList m_problems;
    QString m_lastWriteError; // one message per distinct store error, not one per write
    int m_noticesSeen = 0;
    qint64 m_nextHousekeepingMs = 0;
};

} // namespace vigil::alerting
