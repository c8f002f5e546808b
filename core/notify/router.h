// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"
#include "rules/notification_gate.h"
#include "rules/silences.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

namespace vigil {

// Alertmanager's timing defaults (its route configuration documentation):
// wait 30 s for more alerts of a new group, then at most one message per group
// every 5 min, and remind of a still-firing alert every 4 h.
inline constexpr qint64 kDefaultGroupWaitMs = 30'000;
inline constexpr qint64 kDefaultGroupIntervalMs = 5 * 60'000;
inline constexpr qint64 kDefaultRepeatIntervalMs = 4 * 3'600'000LL;

// One node of the routing tree (Alertmanager's `route`). Unset options are
// inherited from the parent; the root's unset options take the defaults above.
struct Route
{
    QList<rules::LabelMatcher> matchers; // all must match; the root matches everything
    QString receiver;                    // a notifier name; empty: the parent's
    std::optional<QStringList> groupBy;  // label names; {"..."}: every label (one group per alert)
    std::optional<qint64> groupWaitMs;
    std::optional<qint64> groupIntervalMs;
    std::optional<qint64> repeatIntervalMs;
    bool continueMatching = false; // after matching, try the following siblings too
    QList<Route> routes;
};

// Alertmanager's inhibit_rules: while an alert matching `source` fires, alerts
// matching `target` with the same values of the `equal` labels are muted (a
// label missing on both sides counts as equal, as in Alertmanager).
struct InhibitRule
{
    QList<rules::LabelMatcher> source;
    QList<rules::LabelMatcher> target;
    QStringList equal;

    // A firing page mutes the warnings of the same alert on the same model:
    // the person paged does not also need the warning.
    static InhibitRule pageMutesWarning();
};

struct RouterConfig
{
    Route root;
    // Per receiver (notifier name); a receiver not listed sends resolved
    // notices (Alertmanager's slack_configs default send_resolved: false is
    // the one exception we do not copy: Vigil promises the resolved notice).
    QHash<QString, bool> sendResolved;
    QList<InhibitRule> inhibitRules;

    // Empty when usable; otherwise what is wrong, for the user.
    QString validate() const;
};

// The same tree, receivers, timings and inhibition rules (matchers compared as written).
bool sameRouting(const RouterConfig &a, const RouterConfig &b);

// What goes to one notifier in one message: Alertmanager's group notification.
struct NotificationBatch
{
    QString receiver;
    QString groupKey; // the route's path and the group's labels: "0.1:{alertname="X", model="fraud"}"
    QList<Notification> notifications;
};

// Alertmanager-style routing, pure: intents from the NotificationGate go in
// with submit(), time moves with tick(), batches come out for the outbox.
//
// Differences from Alertmanager, on purpose:
//  - a batch carries what changed (new firing, reopened, resolved) plus the
//    reminders that are due, not the whole group each time: the outbox
//    de-duplicates by id, and a resent unchanged alert would only be noise;
//  - reminders are per alert (repeat_interval after that alert's last
//    message), checked at the group's ticks, so a new alert in a group does
//    not postpone the reminder of an older one;
//  - Notification ids are "<fingerprint>:<transition time ms>:<kind>" for
//    transitions and "<fingerprint>:<reminder time ms>:reminder": unique per
//    transition without a counter to persist, and the same again when a
//    persisted transition is replayed after a restart.
class Router
{
public:
    // The gate's decide(), bound to the ack and silence books: asked before
    // each reminder, so an acknowledged alert stops repeating.
    using DecideFn = std::function<rules::NotifyDecision(rules::IntentKind kind, const QString &fingerprint,
                                                         const Labels &labels, bool flapping, qint64 nowMs)>;
    // Fills what the router does not know (summary, annotations, condition,
    // link, ack state) from the rule and the ack book. Optional.
    using DecorateFn = std::function<void(Notification &)>;

    explicit Router(RouterConfig config = {});

    void setDecorator(DecorateFn decorate) { m_decorate = std::move(decorate); }

    // The receivers (notifier names) an alert with these labels goes to, in
    // tree order; for the UI's "routes to ..." and for tests.
    QStringList receiversFor(const Labels &labels) const;

    void submit(const QList<rules::NotificationIntent> &intents, qint64 nowMs);
    // Restart: alerts that were announced before it, open now. Each is put
    // back in its groups as already notified (no new message), so its
    // reminders and its resolved notice go where its firing notice went;
    // reminders count repeat_interval from when each receiver was last told
    // (`lastSentMs`: fingerprint -> receiver -> ms, from the outbox), else
    // from `nowMs`.
    void resume(const QList<rules::NotificationIntent> &open, qint64 nowMs,
                const QHash<QString, QHash<QString, qint64>> &lastSentMs = {});
    // The workspace's routes changed while alerts are open: regroups every
    // alert the router holds under the new tree, without a restart and
    // without losing a notice. A receiver that was told of an open alert stays
    // told (its reminders keep their cadence: lastSentMs is kept); a receiver
    // the new tree adds for it is told (a pending firing notice, after its
    // group_wait); a notice not yet sent (still in group_wait, or a resolved
    // notice) stays pending where its receiver still routes it. Receivers the
    // new tree no longer routes the alert to hear nothing more of it.
    void reconfigure(RouterConfig config, qint64 nowMs);
    const RouterConfig &config() const { return m_config; }
    QList<NotificationBatch> tick(qint64 nowMs, const DecideFn &decide);
    // When tick() next has something to do; max() when nothing is grouped.
    qint64 nextDueMs() const;

    // Whether an alert is muted by an inhibition rule at this moment.
    bool isInhibited(const Labels &labels, const QString &fingerprint) const;
    int groupCount() const { return int(m_groups.size()); }

private:
    struct ResolvedRoute
    {
        QString id; // "0", "0.1", ...: the path in the tree
        QString receiver;
        QStringList groupBy;
        qint64 groupWaitMs;
        qint64 groupIntervalMs;
        qint64 repeatIntervalMs;
    };
    struct AlertRecord
    {
        rules::NotificationIntent last; // the latest intent, for its labels, value and severity
        bool open = false;
        bool flapping = false;
        qint64 activeSinceMs = 0;
    };
    struct GroupAlert
    {
        std::optional<Notification::Kind> pending; // a change not yet sent
        qint64 pendingAtMs = 0;                    // the transition's time, for its id
        bool notified = false;                     // a firing notice went out in this group
        qint64 lastSentMs = 0;
    };
    struct Group
    {
        ResolvedRoute route;
        QString key;
        qint64 nextFlushMs = 0;
        QMap<QString, GroupAlert> alerts; // by fingerprint: a stable order in batches
    };

    // False when `node` does not match; otherwise appends the routes the
    // alert takes under it (the deepest matching nodes) to `out`.
    bool match(const Route &node, const ResolvedRoute &inherited, const QString &id, const Labels &labels,
               QList<ResolvedRoute> &out) const;
    QList<ResolvedRoute> routesFor(const Labels &labels) const;
    Notification makeNotification(const QString &fingerprint, Notification::Kind kind, qint64 atMs,
                                  qint64 nowMs) const;
    bool sendResolved(const QString &receiver) const { return m_config.sendResolved.value(receiver, true); }

    RouterConfig m_config;
    DecorateFn m_decorate;
    QHash<QString, AlertRecord> m_alerts; // by fingerprint: every alert some group holds, for inhibition
    QMap<QString, Group> m_groups;        // by receiver + group key
};

QString groupKeyFor(const QString &routeId, const QStringList &groupBy, const Labels &labels);

} // namespace vigil
