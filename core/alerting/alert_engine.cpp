// SPDX-License-Identifier: GPL-3.0-or-later
#include "alerting/alert_engine.h"

#include "log/log.h"
#include "rules/alert_labels.h"

#include <QFutureWatcher>
#include <algorithm>

namespace vigil::alerting {

QString AlertRow::label(const QString &name) const
{
    for (const auto &[k, v] : labels)
        if (k == name)
            return v;
    return {};
}

AlertEngine::AlertEngine(const Clock &clock, QueryFn query, QObject *parent)
    : QObject(parent), m_clock(clock), m_query(std::move(query))
{
}

AlertEngine::~AlertEngine() = default;

void AlertEngine::setRules(const QList<RuleDef> &rules, const QString &defaultConnection)
{
    QSet<QString> keep;
    for (const RuleDef &r : rules)
        keep.insert(r.rule.name);
    for (const RuleDef &old : std::as_const(m_rules)) {
        if (!keep.contains(old.rule.name)) {
            for (const rules::AlertInstance &inst : m_machine.instances(old.rule.name))
                m_gate.forget(inst.id.fingerprint);
            m_machine.removeRule(old.rule.name);
            m_ruleErrors.remove(old.rule.name);
        }
    }
    m_rules = rules;
    m_defaultConnection = defaultConnection;
    ++m_generation;
    m_inFlight.clear();
    m_groups.clear();
    const qint64 now = m_clock.nowMs();
    for (int i = 0; i < m_rules.size(); ++i) {
        const RuleDef &r = m_rules[i];
        auto it = std::find_if(m_groups.begin(), m_groups.end(), [&](const Group &g) { return g.name == r.group; });
        if (it == m_groups.end()) {
            m_groups.append({r.group, std::max<qint64>(r.intervalMs, 1'000), now, {}});
            it = m_groups.end() - 1;
        }
        it->ruleIndexes.append(i);
    }
    Q_EMIT alertsChanged();
}

int AlertEngine::tick()
{
    const qint64 now = m_clock.nowMs();
    int started = 0;
    for (Group &g : m_groups) {
        if (now < g.nextDueMs)
            continue;
        // Evaluate at the scheduled time, as Prometheus does; a group that fell
        // behind (the machine slept) evaluates once now, not once per missed slot.
        const qint64 evalMs = now;
        const qint64 behind = (now - g.nextDueMs) / g.intervalMs;
        g.nextDueMs += (behind + 1) * g.intervalMs;
        for (int index : std::as_const(g.ruleIndexes)) {
            const QString &name = m_rules[index].rule.name;
            if (m_inFlight.value(name) > 0) {
                ++m_missed;
                logger("rules")->warn("rule {}: previous evaluation still running; skipping this one", name.toStdString());
                continue;
            }
            evaluateRule(index, evalMs);
            ++started;
        }
    }
    // Acks that expired re-open their alerts even between evaluations.
    const auto out = m_gate.tick(now, m_acks, m_machine, m_silences,
                                 [this](const rules::AlertInstanceId &id) { return labelsOf(id); });
    if (!out.intents.isEmpty() || !out.ackEvents.isEmpty())
        publish(out);
    return started;
}

qint64 AlertEngine::nextDueMs() const
{
    qint64 next = std::numeric_limits<qint64>::max();
    for (const Group &g : m_groups)
        next = std::min(next, g.nextDueMs);
    for (const rules::Ack &a : m_acks.all())
        if (a.expiresAtMs > 0)
            next = std::min(next, a.expiresAtMs);
    return next;
}

void AlertEngine::evaluateRule(int index, qint64 evalMs)
{
    const RuleDef &def = m_rules[index];
    QueryRequest req;
    req.id = QStringLiteral("rule/%1/%2").arg(def.group, def.rule.name);
    req.expr = def.rule.query;
    req.kind = QueryKind::Instant;
    req.timeMs = evalMs;
    const QString connection = def.connection.isEmpty() ? m_defaultConnection : def.connection;
    const QString name = def.rule.name;
    const quint64 generation = m_generation;
    QFuture<vigil::QueryResult> future = m_query ? m_query(connection, req)
                                                 : QFuture<vigil::QueryResult>();
    if (!m_query || future.isCanceled()) {
        applyResult(index, evalMs, vigil::QueryResult::failure(ErrorKind::Canceled,
            QStringLiteral("rule %1: connection '%2' is not available").arg(name, connection)));
        return;
    }
    if (future.isFinished()) {
        applyResult(index, evalMs, future.result());
        return;
    }
    m_inFlight[name] = 1;
    auto *watcher = new QFutureWatcher<vigil::QueryResult>(this);
    connect(watcher, &QFutureWatcher<vigil::QueryResult>::finished, this, [=, this] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // the rules changed while it ran
        m_inFlight.remove(name);
        const vigil::QueryResult r = watcher->future().isCanceled()
            ? vigil::QueryResult::failure(ErrorKind::Canceled, QStringLiteral("the query was canceled"))
            : watcher->result();
        applyResult(index, evalMs, r);
    });
    watcher->setFuture(future);
}

rules::QueryResult AlertEngine::toRuleResult(const vigil::QueryResult &result)
{
    if (!result.ok())
        return rules::QueryResult::failure(result.message);
    rules::QueryResult out;
    if (result.type == ResultType::String) {
        out.failed = true;
        out.error = QStringLiteral("the query returns a string; a rule needs a number or a vector");
        return out;
    }
    out.samples.reserve(result.series.size());
    for (const SeriesData &s : result.series) {
        if (s.samples.isEmpty())
            continue;
        out.samples.append({s.key, s.samples.last().v});
    }
    return out;
}

void AlertEngine::applyResult(int index, qint64 evalMs, const vigil::QueryResult &result)
{
    if (index < 0 || index >= m_rules.size())
        return;
    const rules::Rule &rule = m_rules[index].rule;
    const rules::QueryResult rr = toRuleResult(result);
    if (rr.failed) {
        if (m_ruleErrors.value(rule.name) != rr.error) {
            logger("rules")->warn("rule {}: {}", rule.name.toStdString(), rr.error.toStdString());
            Q_EMIT ruleFailed(rule.name, rr.error);
        }
        m_ruleErrors[rule.name] = rr.error;
    } else {
        m_ruleErrors.remove(rule.name);
    }
    const QList<rules::Transition> transitions = m_machine.evaluate(rule, evalMs, rr);
    if (transitions.isEmpty())
        return;
    for (const rules::Transition &t : transitions)
        logger("rules")->info("{} {} -> {} ({})", t.instance.toString().toStdString(),
                              rules::toString(t.from).toStdString(), rules::toString(t.to).toStdString(),
                              rules::toString(t.reason).toStdString());
    Q_EMIT transitionsHappened(transitions);
    const auto out = m_gate.process(transitions, m_acks, m_silences,
                                    [this](const rules::AlertInstanceId &id) { return labelsOf(id); }, evalMs);
    publish(out);
}

void AlertEngine::publish(const rules::NotificationGate::Output &out)
{
    if (!out.ackEvents.isEmpty())
        Q_EMIT ackEventsHappened(out.ackEvents);
    if (!out.intents.isEmpty())
        Q_EMIT notificationIntents(out.intents);
    Q_EMIT alertsChanged();
}

const RuleDef *AlertEngine::ruleNamed(const QString &name) const
{
    for (const RuleDef &r : m_rules)
        if (r.rule.name == name)
            return &r;
    return nullptr;
}

Labels AlertEngine::labelsOf(const rules::AlertInstanceId &id) const
{
    const RuleDef *def = ruleNamed(id.rule);
    const rules::AlertInstance *inst = m_machine.instance(id.fingerprint);
    if (!def || !inst)
        return id.series.labels();
    return rules::alertLabels(def->rule, *inst);
}

QString AlertEngine::acknowledge(const QString &fingerprint, const QString &by, const QString &comment, qint64 expiresAtMs)
{
    const rules::AlertInstance *inst = m_machine.instance(fingerprint);
    if (!inst)
        return QStringLiteral("no alert with fingerprint %1 (it may have resolved)").arg(fingerprint);
    const qint64 now = m_clock.nowMs();
    // Write-ahead: the ack is worked out on a copy of the book, recorded
    // (ackEventsHappened: the store, by a direct connection), and only then
    // takes effect. A crash in between leaves no ack anywhere, never one in
    // effect that the database does not have.
    rules::AckBook next = m_acks;
    const auto result = next.acknowledge(*inst, by, now, comment, expiresAtMs);
    if (!result.error.isEmpty())
        return result.error;
    if (result.event) {
        logger("rules")->info("{} acknowledged by {}", inst->id.toString().toStdString(), by.toStdString());
        Q_EMIT ackEventsHappened({*result.event});
    }
    m_acks = std::move(next);
    Q_EMIT alertsChanged();
    return {};
}

QString AlertEngine::unacknowledge(const QString &fingerprint, const QString &by)
{
    rules::AckBook next = m_acks; // write-ahead, as acknowledge()
    const auto event = next.unacknowledge(fingerprint, by, m_clock.nowMs());
    if (!event)
        return QStringLiteral("alert %1 is not acknowledged").arg(fingerprint);
    Q_EMIT ackEventsHappened({*event});
    m_acks = std::move(next);
    Q_EMIT alertsChanged();
    return {};
}

QString AlertEngine::addSilence(rules::Silence silence, QString *error)
{
    if (silence.startsAtMs == 0)
        silence.startsAtMs = m_clock.nowMs();
    const QString id = m_silences.add(std::move(silence), error);
    if (!id.isEmpty()) {
        Q_EMIT silencesChanged();
        Q_EMIT alertsChanged();
    }
    return id;
}

bool AlertEngine::expireSilence(const QString &id)
{
    const bool ok = m_silences.expire(id, m_clock.nowMs());
    if (ok) {
        Q_EMIT silencesChanged();
        Q_EMIT alertsChanged();
    }
    return ok;
}

QStringList AlertEngine::restore(const QList<rules::AlertInstance> &instances, const QList<rules::Ack> &acks,
                                 const QList<rules::Silence> &silences,
                                 const QHash<QString, rules::AlertState> &announced)
{
    QList<rules::AlertInstance> keep;
    QStringList dropped;
    QSet<QString> kept;
    for (const rules::AlertInstance &inst : instances) {
        if (ruleNamed(inst.id.rule)) {
            keep.append(inst);
            kept.insert(rules::AlertInstanceId::make(inst.id.rule, inst.id.series).fingerprint);
        } else {
            dropped << inst.id.fingerprint;
        }
    }
    m_machine.restore(keep);
    QList<rules::Ack> keepAcks;
    for (const rules::Ack &a : acks)
        if (kept.contains(a.fingerprint))
            keepAcks.append(a);
    m_acks.restore(keepAcks);
    m_silences.restore(silences);
    QHash<QString, rules::AlertState> keepAnnounced;
    for (auto it = announced.cbegin(); it != announced.cend(); ++it)
        if (kept.contains(it.key()))
            keepAnnounced.insert(it.key(), it.value());
    m_gate.restore(keepAnnounced);
    m_gate.rebuildHeld(m_machine);
    Q_EMIT alertsChanged();
    return dropped;
}

rules::NotifyDecision AlertEngine::decide(rules::IntentKind kind, const QString &fingerprint, const Labels &labels,
                                          bool flapping, qint64 nowMs) const
{
    return m_gate.decide(kind, fingerprint, labels, flapping, m_acks, m_silences, nowMs);
}

QList<rules::Silence> AlertEngine::silences() const
{
    return m_silences.all();
}

AlertRow AlertEngine::rowFor(const rules::AlertInstance &inst) const
{
    AlertRow row;
    row.instance = inst;
    const qint64 now = m_clock.nowMs();
    if (const RuleDef *def = ruleNamed(inst.id.rule)) {
        row.labels = rules::alertLabels(def->rule, inst);
        row.condition = def->rule.condition.describe();
        row.group = def->group;
        row.annotations = rules::renderAnnotations(def->rule, inst);
        for (const auto &[k, v] : std::as_const(row.annotations)) {
            if (k == QLatin1String("summary"))
                row.summary = v;
            else if (k == QLatin1String("description"))
                row.description = v;
        }
    } else {
        row.labels = inst.id.series.labels();
    }
    if (const rules::Ack *a = m_acks.find(inst.id.fingerprint); a && !a->expiredAt(now))
        row.ack = *a;
    row.silencedBy = m_silences.silencedBy(row.labels, now);
    return row;
}

QList<AlertRow> AlertEngine::alerts() const
{
    QList<AlertRow> out;
    for (const rules::AlertInstance &inst : m_machine.instances())
        out.append(rowFor(inst));
    return out;
}

std::optional<AlertRow> AlertEngine::alert(const QString &fingerprint) const
{
    if (const rules::AlertInstance *inst = m_machine.instance(fingerprint))
        return rowFor(*inst);
    return std::nullopt;
}

} // namespace vigil::alerting
