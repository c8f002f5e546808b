// SPDX-License-Identifier: GPL-3.0-or-later
#include "alerting/alert_pipeline.h"

#include <QMetaMethod>
#include <QMetaProperty>

#include "log/log.h"
#include "rules/alert_labels.h"

#include <QJsonValue>
#include <QRegularExpression>

namespace vigil::alerting {

namespace {

QJsonValue typedOption(const QString &value)
{
    if (value == QLatin1String("true") || value == QLatin1String("false"))
        return value == QLatin1String("true");
    bool ok = false;
    const qlonglong i = value.toLongLong(&ok);
    if (ok)
        return QJsonValue(i);
    const double d = value.toDouble(&ok);
    if (ok)
        return d;
    return value;
}

std::string idsText(const QStringList &ids)
{
    return ids.join(QStringLiteral(", ")).toStdString();
}

} // namespace

RouterConfig routerConfigFor(const Workspace &ws)
{
    RouterConfig config;
    if (ws.routing) {
        config = *ws.routing;
    } else if (!ws.notifiers.isEmpty()) {
        QHash<QString, QStringList> rulesOf; // notifier -> rules naming it
        QStringList naming;                  // rules that name no notifier go everywhere
        bool anyNamed = false;
        for (const RuleDef &r : ws.rules) {
            if (r.notify.isEmpty())
                naming << r.rule.name;
            for (const QString &n : r.notify) {
                rulesOf[n] << r.rule.name;
                anyNamed = true;
            }
        }
        config.root.receiver = ws.notifiers.first().name;
        for (const NotifierDef &n : ws.notifiers) {
            Route child;
            child.receiver = n.name;
            child.continueMatching = true; // one alert, every notifier that wants it
            if (anyNamed) {
                QStringList names = rulesOf.value(n.name) + naming;
                names.removeDuplicates();
                if (names.isEmpty())
                    continue;
                QStringList escaped;
                for (const QString &name : std::as_const(names))
                    escaped << QRegularExpression::escape(name);
                child.matchers << *rules::LabelMatcher::create(QStringLiteral("alertname"), rules::LabelMatcher::Op::Regex,
                                                               escaped.join(u'|'));
            }
            config.root.routes << child;
        }
    }
    for (const NotifierDef &n : ws.notifiers)
        config.sendResolved.insert(n.name, n.sendResolved);
    return config;
}

NotifierSettings notifierSettingsFor(const NotifierDef &def, const PluginInfo *plugin, const SecretFn &secret,
                                     QStringList *errors)
{
    NotifierSettings s;
    s.name = def.name;
    s.kind = def.kind;
    for (auto it = def.options.cbegin(); it != def.options.cend(); ++it)
        s.options.insert(it.key(), typedOption(it.value()));
    for (auto it = def.secrets.cbegin(); it != def.secrets.cend(); ++it) {
        const QString optionKey = it.key() + QStringLiteral("_secret");
        s.options.insert(optionKey, it.value()); // the secret's name, for messages; never its value
        QString secretKey = it.key();
        if (plugin) {
            for (const QJsonValue &v : plugin->settings) {
                const QJsonObject o = v.toObject();
                if (o.value(QStringLiteral("key")).toString() == optionKey && o.contains(QStringLiteral("secret")))
                    secretKey = o.value(QStringLiteral("secret")).toString();
            }
        }
        QString error;
        const QString value = secret ? secret(it.value(), &error) : QString();
        if (value.isEmpty()) {
            if (errors)
                *errors << QStringLiteral("notifier '%1': %2").arg(def.name,
                    error.isEmpty() ? QStringLiteral("secret '%1' not found").arg(it.value()) : error);
            continue;
        }
        s.secrets.insert(secretKey, value);
    }
    return s;
}

AlertPipeline::AlertPipeline(const Clock &clock, AlertEngine *engine, storage::AlertStore *store, QObject *parent)
    : QObject(parent), m_clock(clock), m_engine(engine), m_store(store), m_queue(clock, this)
{
    m_router.setDecorator([this](Notification &n) { decorate(n); });
    // Direct connections: the engine emits these before it acts on them
    // (routes, shows), so the write happens first.
    connect(engine, &AlertEngine::transitionsHappened, this, &AlertPipeline::onTransitions, Qt::DirectConnection);
    connect(engine, &AlertEngine::notificationIntents, this, &AlertPipeline::onIntents, Qt::DirectConnection);
    connect(engine, &AlertEngine::ackEventsHappened, this, &AlertPipeline::onAckEvents, Qt::DirectConnection);
    connect(engine, &AlertEngine::silencesChanged, this, &AlertPipeline::onSilencesChanged, Qt::DirectConnection);

    connect(&m_queue, &DeliveryQueue::sending, this, [this](const QString &notifier, const QStringList &ids) {
        checkWrite(m_store->recordAttempt(notifier, ids, m_clock.nowMs()), "a delivery attempt");
    }, Qt::DirectConnection);
    connect(&m_queue, &DeliveryQueue::delivered, this, [this](const QString &notifier, const QStringList &ids) {
        checkWrite(m_store->markDelivered(notifier, ids, m_clock.nowMs()), "a delivery");
        logger("notify")->info("delivered to {}: {}", notifier.toStdString(), idsText(ids));
        Q_EMIT delivered(notifier, ids);
    }, Qt::DirectConnection);
    connect(&m_queue, &DeliveryQueue::failed, this,
            [this](const QString &notifier, const QStringList &ids, const QString &reason, bool permanent) {
        qint64 next = 0;
        if (!permanent)
            for (const DeliveryQueue::Entry &e : m_queue.entries())
                if (e.notifier == notifier && ids.contains(e.notification.id))
                    next = std::max(next, e.nextAttemptMs);
        checkWrite(m_store->markFailed(notifier, ids, permanent, reason, m_clock.nowMs(), next), "a failed delivery");
        Q_EMIT deliveryFailed(notifier, ids, reason, permanent);
        if (permanent)
            report(QStringLiteral("%1 notification(s) to '%2' could not be delivered and will not be retried: %3")
                       .arg(ids.size()).arg(notifier, reason));
    }, Qt::DirectConnection);
}

AlertPipeline::~AlertPipeline()
{
    m_queue.stop();
}

void AlertPipeline::setRouting(const RouterConfig &config)
{
    if (!config.root.receiver.isEmpty()) {
        if (const QString e = config.validate(); !e.isEmpty())
            report(QStringLiteral("routing: %1").arg(e));
    }
    m_router = Router(config);
    m_router.setDecorator([this](Notification &n) { decorate(n); });
}

void AlertPipeline::addNotifier(Notifier *notifier, double messagesPerSecond)
{
    const QString name = notifier->settings().name;
    m_notifiers.insert(name, notifier);
    m_queue.addNotifier(notifier, messagesPerSecond);
    connect(notifier, &Notifier::actionInvoked, this, &AlertPipeline::handleAction);
    // Notifiers that can lose their server say so through a property (the
    // plugin's own header is not visible here): relay it by meta-object.
    const int index = notifier->metaObject()->indexOfProperty("available");
    if (index >= 0 && notifier->metaObject()->property(index).hasNotifySignal()) {
        const QMetaMethod changed = notifier->metaObject()->property(index).notifySignal();
        const QMetaMethod relay = metaObject()->method(metaObject()->indexOfSlot("relayAvailability()"));
        connect(notifier, changed, this, relay);
    }
}

void AlertPipeline::relayAvailability()
{
    auto *notifier = qobject_cast<Notifier *>(sender());
    if (!notifier)
        return;
    Q_EMIT notifierAvailabilityChanged(notifier->settings().name, notifier->property("available").toBool(),
                                       notifier->property("unavailableReason").toString());
}

QStringList AlertPipeline::addNotifiers(const Workspace &ws, const PluginRegistry &plugins, const SecretFn &secret,
                                        QObject *parent)
{
    QStringList errors;
    for (const NotifierDef &def : ws.notifiers) {
        const PluginInfo *info = plugins.notifierInfo(def.kind);
        const NotifierSettings settings = notifierSettingsFor(def, info, secret, &errors);
        QString error;
        Notifier *n = plugins.createNotifier(settings, parent, &error);
        if (!n) {
            errors << QStringLiteral("notifier '%1': %2").arg(def.name, error);
            continue;
        }
        const double rate = info ? info->delivery.value(QStringLiteral("messages_per_second")).toDouble(0.0) : 0.0;
        addNotifier(n, rate);
        m_created.insert(n);
    }
    return errors; // the caller shows them (Session::open logs them with the connections')
}

void AlertPipeline::dropNotifier(const QString &name)
{
    Notifier *old = m_notifiers.take(name);
    m_queue.removeNotifier(name);
    if (!old)
        return;
    disconnect(old, nullptr, this, nullptr);
    if (m_created.remove(old))
        old->deleteLater();
}

int AlertPipeline::requeueFromOutbox(const QSet<QString> &notifiers)
{
    if (notifiers.isEmpty())
        return 0;
    const auto pending = m_store->pending();
    if (!pending.ok()) {
        report(QStringLiteral("undelivered notifications could not be read: %1").arg(pending.error));
        return 0;
    }
    int requeued = 0;
    for (const storage::OutboxEntry &e : pending.value) {
        if (!notifiers.contains(e.notifier) || !m_notifiers.contains(e.notifier))
            continue;
        remember(e.notification);
        m_queue.enqueue(e.notifier, e.notification); // once: the queue knows ids it holds
        ++requeued;
    }
    return requeued;
}

QStringList AlertPipeline::reconfigure(const Workspace &ws, const PluginRegistry &plugins, const SecretFn &secret,
                                       QObject *parent)
{
    QStringList messages;
    QSet<QString> wanted;
    QSet<QString> fresh; // created or replaced: what the outbox holds for them goes to them
    for (const NotifierDef &def : ws.notifiers) {
        wanted.insert(def.name);
        const PluginInfo *info = plugins.notifierInfo(def.kind);
        QStringList errors;
        const NotifierSettings settings = notifierSettingsFor(def, info, secret, &errors);
        Notifier *old = m_notifiers.value(def.name);
        if (old && errors.isEmpty()) {
            const NotifierSettings &was = old->settings();
            if (was.kind == settings.kind && was.options == settings.options && was.secrets == settings.secrets)
                continue; // unchanged: keeps its connection, rate limit and pending retries
        }
        QString error;
        Notifier *n = errors.isEmpty() ? plugins.createNotifier(settings, parent, &error) : nullptr;
        if (!n) {
            const QString why = errors.isEmpty() ? QStringLiteral("notifier '%1': %2").arg(def.name, error)
                                                 : errors.join(QStringLiteral("; "));
            messages << (old ? why + QStringLiteral(" (it keeps running as it was)") : why);
            continue;
        }
        if (old)
            dropNotifier(def.name);
        const double rate = info ? info->delivery.value(QStringLiteral("messages_per_second")).toDouble(0.0) : 0.0;
        addNotifier(n, rate);
        m_created.insert(n);
        fresh.insert(def.name);
        logger("notify")->info("notifier {} {}", def.name.toStdString(), old ? "replaced" : "added");
    }
    for (const QString &name : m_notifiers.keys()) {
        if (wanted.contains(name))
            continue;
        dropNotifier(name);
        int waiting = 0;
        for (const DeliveryQueue::Entry &e : m_queue.entries())
            waiting += (e.notifier == name && e.state == DeliveryQueue::Entry::State::Pending) ? 1 : 0;
        logger("notify")->info("notifier {} removed", name.toStdString());
        if (waiting > 0)
            messages << QStringLiteral("notifier '%1' was removed from the workspace: %2 undelivered notification(s) "
                                       "for it are kept, and go out if it comes back")
                            .arg(name).arg(waiting);
    }
    if (const int n = requeueFromOutbox(fresh); n > 0)
        logger("notify")->info("re-queued {} undelivered notification(s) for new notifiers", n);

    const RouterConfig config = routerConfigFor(ws);
    if (!config.root.receiver.isEmpty()) {
        if (const QString e = config.validate(); !e.isEmpty())
            messages << QStringLiteral("routing: %1").arg(e);
    }
    if (!sameRouting(m_router.config(), config)) {
        m_router.reconfigure(config, m_clock.nowMs());
        logger("notify")->info("routes applied; {} alert group(s)", m_router.groupCount());
    }
    return messages; // the caller shows them (Session::reload returns them with the connections')
}

QStringList AlertPipeline::start()
{
    const qsizetype before = m_problems.size();
    const auto instances = m_store->loadInstances();
    const auto acks = m_store->loadAcks();
    const auto silences = m_store->loadSilences();
    const auto announced = m_store->loadAnnounced();
    for (const QString &e : {instances.error, acks.error, silences.error, announced.error})
        if (!e.isEmpty())
            report(QStringLiteral("the alert database could not be read in full: %1").arg(e));
    const QStringList dropped = m_engine->restore(instances.value, acks.value, silences.value, announced.value);
    if (!dropped.isEmpty())
        checkWrite(m_store->removeInstances(dropped), "instances of removed rules");
    for (const rules::Silence &s : m_engine->silences())
        m_savedSilences.insert(s.id, s);
    if (!instances.value.isEmpty() || !acks.value.isEmpty() || !silences.value.isEmpty())
        logger("notify")->info("restored {} alert(s), {} acknowledgement(s), {} silence(s) from {}",
                               instances.value.size() - dropped.size(), acks.value.size(), silences.value.size(),
                               m_store->path().toStdString());

    // Announced alerts that are still open go back into their groups, so
    // their reminders and resolved notices go where their firing notice went.
    const qint64 now = m_clock.nowMs();
    QList<rules::NotificationIntent> open;
    const auto announcedNow = m_engine->gate().announced();
    for (auto it = announcedNow.cbegin(); it != announcedNow.cend(); ++it) {
        const auto row = m_engine->alert(it.key());
        if (!row || !rules::isOpen(row->instance.state))
            continue;
        rules::NotificationIntent intent;
        intent.kind = rules::IntentKind::Firing;
        intent.instance = row->instance.id;
        intent.labels = row->labels;
        intent.state = it.value();
        intent.severity = row->instance.severity;
        intent.value = row->instance.lastValue;
        intent.atMs = row->instance.activeSinceMs;
        open << intent;
    }
    const auto lastSent = m_store->lastSent();
    if (!lastSent.ok())
        report(QStringLiteral("when alerts were last notified could not be read (reminders count from now): %1")
                   .arg(lastSent.error));
    m_router.resume(open, now, lastSent.value);

    // Undelivered notifications, with their ids, in the order they were queued.
    const auto pending = m_store->pending();
    if (!pending.ok())
        report(QStringLiteral("undelivered notifications could not be read: %1").arg(pending.error));
    QHash<QString, int> waiting;
    int requeued = 0;
    for (const storage::OutboxEntry &e : pending.value) {
        if (!m_notifiers.contains(e.notifier)) {
            ++waiting[e.notifier];
            continue;
        }
        remember(e.notification);
        m_queue.enqueue(e.notifier, e.notification);
        ++requeued;
    }
    if (requeued > 0)
        logger("notify")->info("re-queued {} undelivered notification(s)", requeued);
    for (auto it = waiting.cbegin(); it != waiting.cend(); ++it)
        report(QStringLiteral("%1 undelivered notification(s) for '%2' are kept: that notifier is not available now")
                   .arg(it.value()).arg(it.key()));
    takeStoreNotices();
    return m_problems.mid(before);
}

void AlertPipeline::startDelivery()
{
    m_queue.start();
}

void AlertPipeline::tick()
{
    const qint64 now = m_clock.nowMs();
    const QList<NotificationBatch> batches = m_router.tick(now, [this](rules::IntentKind kind, const QString &fp,
                                                                       const Labels &labels, bool flapping, qint64 at) {
        return m_engine->decide(kind, fp, labels, flapping, at);
    });
    for (const NotificationBatch &b : batches)
        enqueue(b.receiver, b.notifications);
    if (m_store->backlogSize() > 0)
        checkWrite(m_store->flush(), "the writes kept in memory");
    m_queue.tick();
    takeStoreNotices();
    if (now >= m_nextHousekeepingMs) {
        if (m_nextHousekeepingMs > 0) { // not at the first tick: a restart is busy enough
            m_queue.prune(kHousekeepingMs);
            checkWrite(m_store->purgeDelivered(now - kKeepDeliveredMs), "the outbox clean-up");
            m_fingerprintById.clear(); // ids carry their fingerprint; the map only saves parsing
        }
        m_nextHousekeepingMs = now + kHousekeepingMs;
    }
}

void AlertPipeline::enqueue(const QString &notifier, const QList<Notification> &notifications)
{
    if (notifier.isEmpty())
        return; // no notifier at all (none in the workspace, or another Vigil sends): shown, not sent
    // Durable first: a crash after this line re-sends; before it, the
    // transitions are in the store and the alert is still announced.
    checkWrite(m_store->enqueue(notifier, notifications, m_clock.nowMs()), "notifications");
    for (const Notification &n : notifications) {
        remember(n);
        logger("notify")->info("{} {} -> {} ({})", notificationKindName(n.kind).toStdString(), n.rule.toStdString(),
                               notifier.toStdString(), n.id.toStdString());
    }
    Q_EMIT notificationsQueued(notifier, notifications);
    if (!m_notifiers.contains(notifier)) {
        // Kept pending in the store: the notifier may come back (a missing
        // secret set, a plugin installed) and the next start delivers them.
        report(QStringLiteral("%1 notification(s) for '%2' are kept undelivered: that notifier is not available")
                   .arg(notifications.size()).arg(notifier));
        return;
    }
    for (const Notification &n : notifications)
        m_queue.enqueue(notifier, n);
}

void AlertPipeline::remember(const Notification &n)
{
    if (!n.fingerprint.isEmpty())
        m_fingerprintById.insert(n.id, n.fingerprint);
}

QString AlertPipeline::fingerprintOf(const QString &notificationId) const
{
    if (const auto it = m_fingerprintById.constFind(notificationId); it != m_fingerprintById.cend())
        return it.value();
    // Router ids are "<fingerprint>:<time ms>:<kind>".
    return notificationId.section(u':', 0, 0);
}

void AlertPipeline::decorate(Notification &n) const
{
    const auto row = m_engine->alert(n.fingerprint);
    if (!row)
        return;
    n.summary = row->summary;
    if (!row->description.isEmpty())
        n.description = row->description;
    n.condition = row->condition;
    for (const auto &[k, v] : row->annotations)
        n.annotations.insert(k, v);
    if (row->ack) {
        n.ackedBy = row->ack->by;
        n.ackComment = row->ack->comment;
    }
    n.silenced = !row->silencedBy.isEmpty();
    // The link: the rule's own, in the annotation names Prometheus rules use.
    for (const char *key : {"link", "runbook_url", "dashboard_url"}) {
        const QUrl url(n.annotations.value(QLatin1String(key)));
        if (url.isValid() && (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http"))) {
            n.link = url;
            break;
        }
    }
}

void AlertPipeline::onTransitions(const QList<rules::Transition> &transitions)
{
    QList<rules::AlertInstance> changed;
    QSet<QString> seen;
    for (const rules::Transition &t : transitions) {
        if (seen.contains(t.instance.fingerprint))
            continue;
        seen.insert(t.instance.fingerprint);
        if (const rules::AlertInstance *inst = m_engine->machine().instance(t.instance.fingerprint))
            changed << *inst;
    }
    checkWrite(m_store->recordTransitions(transitions, changed), "alert transitions");
}

void AlertPipeline::onIntents(const QList<rules::NotificationIntent> &intents)
{
    checkWrite(m_store->saveAnnounced(m_engine->gate().announced()), "the announced alerts");
    m_router.submit(intents, m_clock.nowMs());
}

void AlertPipeline::onAckEvents(const QList<rules::AckEvent> &events)
{
    checkWrite(m_store->recordAckEvents(events), "acknowledgements");
}

void AlertPipeline::onSilencesChanged()
{
    const qint64 now = m_clock.nowMs();
    for (const rules::Silence &s : m_engine->silences()) {
        const auto old = m_savedSilences.constFind(s.id);
        if (old == m_savedSilences.cend()) {
            checkWrite(m_store->saveSilence(s, now), "a silence");
        } else if (old->endsAtMs != s.endsAtMs || old->startsAtMs != s.startsAtMs) {
            // Ended early (SilenceBook::expire): the audit keeps when.
            checkWrite(s.endsAtMs < old->endsAtMs ? m_store->recordSilenceExpired(s, now) : m_store->saveSilence(s, now),
                       "a silence");
        } else {
            continue;
        }
        m_savedSilences.insert(s.id, s);
    }
}

void AlertPipeline::handleAction(const QString &notificationId, const QString &action)
{
    const QString fp = fingerprintOf(notificationId);
    logger("notify")->info("desktop action '{}' on {}", action.toStdString(), notificationId.toStdString());
    if (action == QLatin1String("open")) {
        Q_EMIT openRequested(fp);
        return;
    }
    QString error;
    if (action == QLatin1String("ack")) {
        error = m_engine->acknowledge(fp, m_user, QStringLiteral("acknowledged from the desktop notification"));
    } else if (action == QLatin1String("snooze-15m")) {
        const auto row = m_engine->alert(fp);
        if (!row) {
            error = QStringLiteral("no alert with fingerprint %1 (it may have resolved)").arg(fp);
        } else {
            rules::Silence s;
            for (const auto &[name, value] : row->labels)
                if (auto m = rules::LabelMatcher::create(name, rules::LabelMatcher::Op::Equal, value))
                    s.matchers << *m;
            s.startsAtMs = m_clock.nowMs();
            s.endsAtMs = s.startsAtMs + kSnoozeMs;
            s.createdBy = m_user;
            s.comment = QStringLiteral("snoozed from the desktop notification");
            m_engine->addSilence(s, &error);
        }
    } else {
        error = QStringLiteral("unknown notification action '%1'").arg(action);
    }
    if (!error.isEmpty()) {
        logger("notify")->warn("desktop action '{}' failed: {}", action.toStdString(), error.toStdString());
        Q_EMIT actionFailed(error);
    }
}

void AlertPipeline::checkWrite(const storage::WriteResult &result, const char *what)
{
    if (result.durable()) {
        m_lastWriteError.clear();
        return;
    }
    // The store keeps a Queued write in memory and says so in its notices;
    // a Failed one is gone from the database's point of view.
    if (result.error != m_lastWriteError) {
        m_lastWriteError = result.error;
        if (result.status == storage::WriteResult::Status::Failed)
            report(QStringLiteral("%1 could not be saved: %2").arg(QLatin1String(what), result.error));
    }
    takeStoreNotices();
}

void AlertPipeline::takeStoreNotices()
{
    const QList<storage::StoreNotice> notices = m_store->notices();
    if (notices.size() < m_noticesSeen)
        m_noticesSeen = 0; // cleared elsewhere
    for (int i = m_noticesSeen; i < notices.size(); ++i)
        report(notices[i].message);
    m_noticesSeen = int(notices.size());
}

void AlertPipeline::report(const QString &message)
{
    logger("notify")->warn("{}", message.toStdString());
    m_problems << message;
    if (m_problems.size() > 200)
        m_problems.removeFirst();
    Q_EMIT problem(message);
}

} // namespace vigil::alerting
