// SPDX-License-Identifier: GPL-3.0-or-later
#include "notify/router.h"

#include <QSet>

#include <algorithm>
#include <limits>

namespace vigil {

using rules::IntentKind;
using rules::LabelMatcher;
using rules::NotificationIntent;

namespace {

bool matchesAll(const QList<LabelMatcher> &matchers, const Labels &labels)
{
    return std::all_of(matchers.cbegin(), matchers.cend(), [&](const LabelMatcher &m) { return m.matches(labels); });
}

QString labelValue(const Labels &labels, const QString &name)
{
    for (const Label &l : labels)
        if (l.first == name)
            return l.second;
    return {};
}

std::optional<LabelMatcher> equalMatcher(const char *name, const char *value)
{
    return LabelMatcher::create(QString::fromLatin1(name), LabelMatcher::Op::Equal, QString::fromLatin1(value));
}

QString kindTag(Notification::Kind kind)
{
    switch (kind) {
    case Notification::Kind::Firing: return QStringLiteral("firing");
    case Notification::Kind::Resolved: return QStringLiteral("resolved");
    case Notification::Kind::Reopened: return QStringLiteral("reopened");
    case Notification::Kind::Reminder: return QStringLiteral("reminder");
    }
    return {};
}

} // namespace

InhibitRule InhibitRule::pageMutesWarning()
{
    InhibitRule r;
    r.source = {*equalMatcher("severity", "page")};
    r.target = {*equalMatcher("severity", "warning")};
    r.equal = {QStringLiteral("alertname"), QStringLiteral("model")};
    return r;
}

QString RouterConfig::validate() const
{
    if (root.receiver.isEmpty())
        return QStringLiteral("the root route names no receiver: every alert needs somewhere to go");
    std::function<QString(const Route &, const QString &)> check = [&](const Route &r, const QString &path) {
        const auto positive = [&](const std::optional<qint64> &v, const char *what) -> QString {
            if (v && *v <= 0)
                return QStringLiteral("route %1: %2 must be positive").arg(path, QLatin1String(what));
            return {};
        };
        for (const QString &e : {positive(r.groupWaitMs, "group_wait"), positive(r.groupIntervalMs, "group_interval"),
                                 positive(r.repeatIntervalMs, "repeat_interval")})
            if (!e.isEmpty())
                return e;
        if (r.groupBy && r.groupBy->contains(QStringLiteral("...")) && r.groupBy->size() > 1)
            return QStringLiteral("route %1: group_by '...' groups by every label and cannot be combined with names").arg(path);
        for (int i = 0; i < r.routes.size(); ++i) {
            const QString e = check(r.routes[i], path + QLatin1Char('.') + QString::number(i));
            if (!e.isEmpty())
                return e;
        }
        return QString();
    };
    return check(root, QStringLiteral("0"));
}

QString groupKeyFor(const QString &routeId, const QStringList &groupBy, const Labels &labels)
{
    const bool all = groupBy.contains(QStringLiteral("..."));
    QStringList parts;
    for (const Label &l : labels) // labels are sorted by name
        if (all || groupBy.contains(l.first))
            parts << QStringLiteral("%1=\"%2\"").arg(l.first, l.second);
    return routeId + QStringLiteral(":{") + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

namespace {

bool sameMatchers(const QList<rules::LabelMatcher> &a, const QList<rules::LabelMatcher> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const rules::LabelMatcher &x, const rules::LabelMatcher &y) { return x.toString() == y.toString(); });
}

bool sameRoute(const Route &a, const Route &b)
{
    return sameMatchers(a.matchers, b.matchers) && a.receiver == b.receiver && a.groupBy == b.groupBy
        && a.groupWaitMs == b.groupWaitMs && a.groupIntervalMs == b.groupIntervalMs
        && a.repeatIntervalMs == b.repeatIntervalMs && a.continueMatching == b.continueMatching
        && std::equal(a.routes.begin(), a.routes.end(), b.routes.begin(), b.routes.end(), sameRoute);
}

} // namespace

bool sameRouting(const RouterConfig &a, const RouterConfig &b)
{
    return sameRoute(a.root, b.root) && a.sendResolved == b.sendResolved
        && std::equal(a.inhibitRules.begin(), a.inhibitRules.end(), b.inhibitRules.begin(), b.inhibitRules.end(),
                      [](const InhibitRule &x, const InhibitRule &y) {
                          return sameMatchers(x.source, y.source) && sameMatchers(x.target, y.target) && x.equal == y.equal;
                      });
}


Router::Router(RouterConfig config)
    : m_config(std::move(config))
{
}

bool Router::match(const Route &node, const ResolvedRoute &inherited, const QString &id, const Labels &labels,
                   QList<ResolvedRoute> &out) const
{
    if (!matchesAll(node.matchers, labels))
        return false;
    ResolvedRoute r = inherited;
    r.id = id;
    if (!node.receiver.isEmpty())
        r.receiver = node.receiver;
    if (node.groupBy)
        r.groupBy = *node.groupBy;
    r.groupWaitMs = node.groupWaitMs.value_or(r.groupWaitMs);
    r.groupIntervalMs = node.groupIntervalMs.value_or(r.groupIntervalMs);
    r.repeatIntervalMs = node.repeatIntervalMs.value_or(r.repeatIntervalMs);
    bool childMatched = false;
    for (int i = 0; i < node.routes.size(); ++i) {
        const Route &child = node.routes[i];
        if (match(child, r, id + QLatin1Char('.') + QString::number(i), labels, out)) {
            childMatched = true;
            if (!child.continueMatching)
                break;
        }
    }
    if (!childMatched)
        out.append(r);
    return true;
}

QList<Router::ResolvedRoute> Router::routesFor(const Labels &labels) const
{
    const ResolvedRoute defaults{QString(), QString(), {}, kDefaultGroupWaitMs, kDefaultGroupIntervalMs,
                                 kDefaultRepeatIntervalMs};
    QList<ResolvedRoute> out;
    Route root = m_config.root;
    root.matchers.clear(); // the root matches every alert, as in Alertmanager
    match(root, defaults, QStringLiteral("0"), labels, out);
    return out;
}

QStringList Router::receiversFor(const Labels &labels) const
{
    QStringList out;
    for (const ResolvedRoute &r : routesFor(labels))
        out << r.receiver;
    return out;
}

bool Router::isInhibited(const Labels &labels, const QString &fingerprint) const
{
    for (const InhibitRule &rule : m_config.inhibitRules) {
        if (!matchesAll(rule.target, labels))
            continue;
        for (auto it = m_alerts.cbegin(); it != m_alerts.cend(); ++it) {
            const AlertRecord &source = it.value();
            if (!source.open || it.key() == fingerprint || !matchesAll(rule.source, source.last.labels))
                continue;
            const bool equal = std::all_of(rule.equal.cbegin(), rule.equal.cend(), [&](const QString &name) {
                return labelValue(source.last.labels, name) == labelValue(labels, name);
            });
            if (equal)
                return true;
        }
    }
    return false;
}

void Router::submit(const QList<NotificationIntent> &intents, qint64 nowMs)
{
    for (const NotificationIntent &intent : intents) {
        const QString &fp = intent.instance.fingerprint;
        const bool held = !intent.decision.notify;
        const bool flapping = intent.decision.suppressedBy & rules::SuppressedByFlapping;
        std::optional<Notification::Kind> kind;
        switch (intent.kind) {
        case IntentKind::Firing: kind = Notification::Kind::Firing; break;
        case IntentKind::Reopened: kind = Notification::Kind::Reopened; break;
        case IntentKind::Resolved: kind = Notification::Kind::Resolved; break;
        case IntentKind::Repeat: break; // reminders are the router's own business
        }
        if (!kind)
            continue;
        const bool resolved = *kind == Notification::Kind::Resolved;
        // A resolve held while flapping comes again when the flapping stops:
        // until then the alert stays as it was, everywhere.
        if (resolved && held && flapping)
            continue;
        // A firing notice held back (silenced, acknowledged, flapping) is not
        // announced by the gate, so no resolve will follow it: holding it here
        // would keep a group, and an inhibition, alive for ever.
        if (!resolved && held)
            continue;

        AlertRecord &rec = m_alerts[fp];
        if (!resolved && !rec.open)
            rec.activeSinceMs = intent.atMs;
        rec.last = intent;
        rec.open = !resolved;
        rec.flapping = flapping;

        for (const ResolvedRoute &route : routesFor(intent.labels)) {
            const QString key = groupKeyFor(route.id, route.groupBy, intent.labels);
            const QString groupId = route.receiver + QLatin1Char('\x1f') + key;
            auto g = m_groups.find(groupId);
            if (g == m_groups.end()) {
                if (resolved)
                    continue; // never grouped here, so never told here
                Group group;
                group.route = route;
                group.key = key;
                group.nextFlushMs = nowMs + route.groupWaitMs; // wait for the rest of a burst
                g = m_groups.insert(groupId, group);
            }
            if (resolved) {
                auto a = g->alerts.find(fp);
                if (a == g->alerts.end())
                    continue;
                // Nobody here heard it fire, or this receiver does not want
                // resolved notices, or the gate held the notice back: it just leaves.
                if (!a->notified || held || !sendResolved(route.receiver)) {
                    g->alerts.erase(a);
                    continue;
                }
                a->pending = Notification::Kind::Resolved;
                a->pendingAtMs = intent.atMs;
                continue;
            }
            GroupAlert &a = g->alerts[fp];
            a.pending = *kind;
            a.pendingAtMs = intent.atMs;
        }
    }
}

void Router::resume(const QList<NotificationIntent> &open, qint64 nowMs,
                    const QHash<QString, QHash<QString, qint64>> &lastSentMs)
{
    for (const NotificationIntent &intent : open) {
        const QString &fp = intent.instance.fingerprint;
        AlertRecord &rec = m_alerts[fp];
        rec.last = intent;
        rec.open = true;
        rec.activeSinceMs = intent.atMs;
        for (const ResolvedRoute &route : routesFor(intent.labels)) {
            const QString key = groupKeyFor(route.id, route.groupBy, intent.labels);
            const QString groupId = route.receiver + QLatin1Char('\x1f') + key;
            auto g = m_groups.find(groupId);
            if (g == m_groups.end()) {
                Group group;
                group.route = route;
                group.key = key;
                group.nextFlushMs = nowMs + route.groupIntervalMs; // it has sent before
                g = m_groups.insert(groupId, group);
            }
            GroupAlert &a = g->alerts[fp];
            a.notified = true;
            const qint64 sent = lastSentMs.value(fp).value(route.receiver, nowMs);
            a.lastSentMs = sent > 0 && sent <= nowMs ? sent : nowMs;
        }
    }
}

void Router::reconfigure(RouterConfig config, qint64 nowMs)
{
    // What each receiver knew of each alert, under the old tree.
    struct Told
    {
        bool notified = false;
        qint64 lastSentMs = 0;
        std::optional<Notification::Kind> pending;
        qint64 pendingAtMs = 0;
    };
    QHash<QString, QHash<QString, Told>> told; // fingerprint -> receiver -> what it knew
    for (const Group &g : std::as_const(m_groups)) {
        for (auto a = g.alerts.cbegin(); a != g.alerts.cend(); ++a) {
            Told &t = told[a.key()][g.route.receiver];
            t.notified = t.notified || a->notified;
            t.lastSentMs = std::max(t.lastSentMs, a->lastSentMs);
            if (a->pending && !t.pending) {
                t.pending = a->pending;
                t.pendingAtMs = a->pendingAtMs;
            }
        }
    }

    m_config = std::move(config);
    m_groups.clear();
    for (auto rec = m_alerts.begin(); rec != m_alerts.end();) {
        const QString fp = rec.key();
        const QHash<QString, Told> known = told.value(fp);
        bool held = false;
        for (const ResolvedRoute &route : routesFor(rec->last.labels)) {
            const Told t = known.value(route.receiver);
            GroupAlert a;
            if (rec->open) {
                a.notified = t.notified;
                a.lastSentMs = t.lastSentMs;
                if (t.pending) {
                    a.pending = t.pending;
                    a.pendingAtMs = t.pendingAtMs;
                } else if (!t.notified) { // new to this receiver: tell it
                    a.pending = Notification::Kind::Firing;
                    a.pendingAtMs = rec->activeSinceMs;
                }
            } else {
                // Resolved, its notice not sent yet: only to a receiver that heard it fire.
                if (!t.notified || t.pending != Notification::Kind::Resolved || !sendResolved(route.receiver))
                    continue;
                a.notified = true;
                a.lastSentMs = t.lastSentMs;
                a.pending = Notification::Kind::Resolved;
                a.pendingAtMs = t.pendingAtMs;
            }
            const QString key = groupKeyFor(route.id, route.groupBy, rec->last.labels);
            const QString groupId = route.receiver + QLatin1Char('\x1f') + key;
            auto g = m_groups.find(groupId);
            if (g == m_groups.end()) {
                Group group;
                group.route = route;
                group.key = key;
                group.nextFlushMs = nowMs + route.groupWaitMs;
                g = m_groups.insert(groupId, group);
            }
            g->alerts.insert(fp, a);
            held = true;
        }
        // An alert no group holds any more is forgotten, as tick() forgets a resolved one.
        if (!held && !rec->open)
            rec = m_alerts.erase(rec);
        else
            ++rec;
    }
}

Notification Router::makeNotification(const QString &fingerprint, Notification::Kind kind, qint64 atMs,
                                      qint64 nowMs) const
{
    const AlertRecord &rec = m_alerts[fingerprint];
    Notification n;
    n.id = QStringLiteral("%1:%2:%3").arg(fingerprint).arg(atMs).arg(kindTag(kind));
    n.fingerprint = fingerprint;
    n.kind = kind;
    n.rule = rec.last.instance.rule;
    n.severity = rules::toString(rec.last.severity);
    n.labels = rec.last.labels;
    n.value = rec.last.value;
    n.state = rec.last.state == rules::AlertState::NoData ? Notification::State::NoData
            : rec.last.state == rules::AlertState::Error  ? Notification::State::Error
                                                          : Notification::State::Firing;
    n.activeSinceMs = rec.activeSinceMs;
    n.createdMs = nowMs;
    n.description = rec.last.detail;
    if (m_decorate)
        m_decorate(n);
    return n;
}

QList<NotificationBatch> Router::tick(qint64 nowMs, const DecideFn &decide)
{
    QList<NotificationBatch> out;
    for (auto g = m_groups.begin(); g != m_groups.end(); ++g) {
        if (g->nextFlushMs > nowMs)
            continue;
        NotificationBatch batch;
        batch.receiver = g->route.receiver;
        batch.groupKey = g->key;
        for (auto a = g->alerts.begin(); a != g->alerts.end();) {
            const QString &fp = a.key();
            const AlertRecord &rec = m_alerts[fp];
            if (a->pending == Notification::Kind::Resolved) {
                batch.notifications << makeNotification(fp, Notification::Kind::Resolved, a->pendingAtMs, nowMs);
                a = g->alerts.erase(a);
                continue;
            }
            if (a->pending) {
                // Muted by a firing page: stays pending and goes out at a
                // later tick if the page resolves first (as in Alertmanager).
                if (!isInhibited(rec.last.labels, fp)) {
                    // Silenced or acknowledged during group_wait: never told.
                    const IntentKind asked = *a->pending == Notification::Kind::Reopened ? IntentKind::Reopened
                                                                                         : IntentKind::Firing;
                    if (!decide || decide(asked, fp, rec.last.labels, rec.flapping, nowMs).notify) {
                        batch.notifications << makeNotification(fp, *a->pending, a->pendingAtMs, nowMs);
                        a->notified = true;
                        a->lastSentMs = nowMs;
                    }
                    a->pending.reset();
                }
            } else if (rec.open && a->notified && nowMs - a->lastSentMs >= g->route.repeatIntervalMs
                       && !isInhibited(rec.last.labels, fp)
                       && (!decide || decide(IntentKind::Repeat, fp, rec.last.labels, rec.flapping, nowMs).notify)) {
                batch.notifications << makeNotification(fp, Notification::Kind::Reminder, nowMs, nowMs);
                a->lastSentMs = nowMs;
            }
            ++a;
        }
        g->nextFlushMs = nowMs + g->route.groupIntervalMs;
        if (!batch.notifications.isEmpty())
            out << batch;
    }

    // Forget empty groups (the next alert starts a new one, with group_wait,
    // as in Alertmanager) and closed alerts no group holds.
    QSet<QString> held;
    for (auto g = m_groups.begin(); g != m_groups.end();) {
        if (g->alerts.isEmpty()) {
            g = m_groups.erase(g);
            continue;
        }
        for (auto a = g->alerts.cbegin(); a != g->alerts.cend(); ++a)
            held.insert(a.key());
        ++g;
    }
    m_alerts.removeIf([&](const QHash<QString, AlertRecord>::iterator &it) {
        return !it->open && !held.contains(it.key());
    });
    return out;
}

qint64 Router::nextDueMs() const
{
    qint64 next = std::numeric_limits<qint64>::max();
    for (const Group &g : m_groups)
        next = std::min(next, g.nextFlushMs);
    return next;
}

} // namespace vigil
