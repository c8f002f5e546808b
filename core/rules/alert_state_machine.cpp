// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/alert_state_machine.h"

#include <algorithm>

namespace vigil::rules {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr quint32 kFlapMask = (1U << (FlapSettings::kWindow - 1)) - 1; // 20 change slots

bool isFiringLike(const AlertInstance &inst)
{
    // An alert that was firing stays "the same alert" across a data gap:
    // when data returns it resumes firing (or recovering) instead of starting
    // over through Pending, which would send a second firing notice.
    return inst.state == AlertState::Firing || inst.state == AlertState::Recovering
        || ((inst.state == AlertState::NoData || inst.state == AlertState::Error) && inst.wasFiring);
}
} // namespace

AlertStateMachine::AlertStateMachine(qint64 resolvedRetentionMs)
    : m_resolvedRetentionMs(resolvedRetentionMs)
{
}

QList<Transition> AlertStateMachine::evaluate(const Rule &rule, qint64 nowMs, const QueryResult &result)
{
    QList<Transition> out;
    evaluate(rule, nowMs, result, out);
    return out;
}

AlertInstance &AlertStateMachine::instanceFor(RuleInstances &ri, const Rule &rule, const SeriesKey &key,
                                              qint64 nowMs)
{
    auto it = ri.byKey.find(key);
    if (it != ri.byKey.end())
        return *it;
    AlertInstance inst;
    inst.id = AlertInstanceId::make(rule.name, key);
    inst.state = AlertState::Normal;
    inst.severity = rule.severity;
    inst.stateSinceMs = nowMs;
    m_byFingerprint.insert(inst.id.fingerprint, {rule.name, key});
    return *ri.byKey.insert(key, std::move(inst));
}

AlertStateMachine::Observation AlertStateMachine::fromPolicy(StatePolicy policy)
{
    switch (policy) {
    case StatePolicy::Ok: return Observation::ForceNormal;
    case StatePolicy::Alerting: return Observation::Breach;
    case StatePolicy::NoData: return Observation::NoData;
    case StatePolicy::Error: return Observation::Error;
    case StatePolicy::KeepLast: return Observation::KeepLast;
    }
    return Observation::KeepLast;
}

AlertStateMachine::Observation AlertStateMachine::observe(const Rule &rule, const AlertInstance &inst,
                                                          double value) const
{
    const Condition &c = rule.condition;
    if (c.breaches(value))
        return Observation::Breach;
    // Hysteresis only holds an alert that fired; a Pending one clears at once
    // (Prometheus: pending alerts are dropped as soon as the expression stops returning them).
    if (isFiringLike(inst) && !c.recovered(value))
        return Observation::Hold;
    return Observation::Clear;
}

void AlertStateMachine::step(const Rule &rule, AlertInstance &inst, Observation obs, qint64 nowMs,
                             double value, TransitionReason policyReason, const QString &detail,
                             QList<Transition> &out)
{
    const AlertState from = inst.state;
    const Severity previousSeverity = inst.severity;
    const bool wasOpen = isOpen(from);
    AlertState to = from;
    TransitionReason reason = policyReason;

    // Severity follows the value while it breaches; a problem that starts
    // without a value (no data, error) carries the rule's own severity.
    if (obs == Observation::Breach && !std::isnan(value))
        inst.severity = rule.severityAt(value);
    else if (!isOpen(from) && from != AlertState::Pending)
        inst.severity = rule.severity;

    auto startProblem = [&](AlertState target, TransitionReason why) {
        inst.activeSinceMs = nowMs;
        inst.pendingTarget = target;
        inst.wasFiring = false;
        to = rule.forMs <= 0 ? target : AlertState::Pending;
        reason = why;
    };
    auto targetOf = [](Observation o) {
        return o == Observation::NoData ? AlertState::NoData
             : o == Observation::Error  ? AlertState::Error
                                        : AlertState::Firing;
    };
    auto firingClear = [&](TransitionReason whenResolved) {
        if (inst.recoveredSinceMs == 0)
            inst.recoveredSinceMs = nowMs;
        // keep_firing_for counts from the first recovered evaluation, as
        // Prometheus counts from the first evaluation the expression is empty.
        if (nowMs - inst.recoveredSinceMs >= rule.keepFiringForMs) {
            to = AlertState::Normal;
            reason = whenResolved;
        } else {
            to = AlertState::Recovering;
            reason = TransitionReason::KeepFiring;
        }
    };

    // A policy that says "treat it as a breach" (Alerting) still reports the
    // no-data / error reason, so history never says "condition met" for a
    // series that vanished or a query that failed.
    const bool policyApplied = policyReason == TransitionReason::NoData || policyReason == TransitionReason::QueryError;
    const bool fromGap = from == AlertState::NoData || from == AlertState::Error;

    switch (from) {
    case AlertState::Normal:
        if (obs == Observation::Breach || obs == Observation::NoData || obs == Observation::Error)
            startProblem(targetOf(obs), policyApplied ? policyReason : TransitionReason::ConditionMet);
        break;
    case AlertState::Pending:
        if (obs == Observation::Breach || obs == Observation::NoData || obs == Observation::Error
            || obs == Observation::KeepLast) {
            // The `for` clock keeps running from the first problem evaluation;
            // Pending becomes whatever the latest evaluation says it is.
            if (obs != Observation::KeepLast)
                inst.pendingTarget = targetOf(obs);
            if (nowMs - inst.activeSinceMs >= rule.forMs) {
                to = inst.pendingTarget;
                reason = TransitionReason::PendingElapsed;
            }
        } else {
            to = AlertState::Normal;
            reason = obs == Observation::ForceNormal ? policyReason : TransitionReason::ConditionCleared;
        }
        break;
    case AlertState::Firing:
    case AlertState::Recovering:
    case AlertState::NoData:
    case AlertState::Error:
        if (obs == Observation::KeepLast)
            break;
        if (obs == Observation::ForceNormal) {
            to = AlertState::Normal;
            break;
        }
        if (obs == Observation::NoData || obs == Observation::Error) {
            // An open alert goes straight to NoData / Error: it was already a
            // problem, and waiting `for` again would only hide that it still is.
            if (!fromGap)
                inst.wasFiring = true;
            to = targetOf(obs);
            reason = policyReason;
            break;
        }
        if (fromGap && !inst.wasFiring) {
            // A NoData / Error problem that never fired: data is back.
            if (obs == Observation::Breach)
                startProblem(AlertState::Firing, policyApplied ? policyReason : TransitionReason::DataReturned);
            else {
                to = AlertState::Normal;
                reason = TransitionReason::DataReturned;
            }
            break;
        }
        if (obs == Observation::Breach) {
            inst.recoveredSinceMs = 0;
            to = AlertState::Firing;
            reason = policyApplied ? policyReason
                   : fromGap       ? TransitionReason::DataReturned
                                   : TransitionReason::ConditionReturned;
        } else if (obs == Observation::Hold) {
            inst.recoveredSinceMs = 0;
            to = AlertState::Recovering;
            reason = fromGap ? TransitionReason::DataReturned : TransitionReason::BelowRecovery;
        } else {
            firingClear(TransitionReason::Recovered);
        }
        break;
    }

    if (to == AlertState::Normal) {
        inst.activeSinceMs = 0;
        inst.recoveredSinceMs = 0;
        inst.wasFiring = false;
        inst.pendingTarget = AlertState::Firing;
    } else if (to == AlertState::Firing) {
        inst.wasFiring = false;
        inst.recoveredSinceMs = 0;
    }

    const bool changed = to != from;
    if (changed) {
        inst.state = to;
        inst.stateSinceMs = nowMs;
    }

    // Flapping: one sample per evaluation, open vs closed.
    const bool nowOpen = isOpen(to);
    const bool wasFlapping = inst.flapping;
    if (rule.flapping.enabled || inst.flapping) {
        inst.flapChanges = ((inst.flapChanges << 1) | (wasOpen != nowOpen ? 1U : 0U)) & kFlapMask;
        if (inst.flapSamples < FlapSettings::kWindow)
            ++inst.flapSamples;
        if (inst.flapChanges != 0 || inst.flapping) {
            const double pct = inst.flapPercent();
            if (!inst.flapping && rule.flapping.enabled && pct >= rule.flapping.highPercent)
                inst.flapping = true;
            else if (inst.flapping && (!rule.flapping.enabled || pct < rule.flapping.lowPercent))
                inst.flapping = false;
        }
    }

    auto push = [&](AlertState f, AlertState t, TransitionReason why, Severity before) {
        Transition tr;
        tr.instance = inst.id;
        tr.from = f;
        tr.to = t;
        tr.atMs = nowMs;
        tr.value = value;
        tr.reason = why;
        if (why == TransitionReason::QueryError)
            tr.detail = detail;
        tr.severity = inst.severity;
        tr.previousSeverity = before;
        tr.flapping = inst.flapping;
        out.append(std::move(tr));
    };

    if (changed)
        push(from, to, reason, previousSeverity);
    else if (to == AlertState::Firing && inst.severity != previousSeverity)
        push(to, to, inst.severity > previousSeverity ? TransitionReason::SeverityRaised
                                                       : TransitionReason::SeverityLowered,
             previousSeverity);
    if (inst.flapping != wasFlapping)
        push(to, to, inst.flapping ? TransitionReason::FlappingStarted : TransitionReason::FlappingStopped,
             inst.severity);
}

void AlertStateMachine::evaluate(const Rule &rule, qint64 nowMs, const QueryResult &result,
                                 QList<Transition> &out)
{
    RuleInstances &ri = m_rules[rule.name];
    const quint64 gen = ++ri.generation;
    const bool returnsAnything = rule.condition.kind == ConditionKind::ReturnsAnything;
    auto createsProblem = [](Observation o) {
        return o == Observation::Breach || o == Observation::NoData || o == Observation::Error;
    };
    auto dormant = [](const AlertInstance &inst) {
        return inst.state == AlertState::Normal && !inst.present;
    };

    if (result.failed) {
        // The error policy applies to every live instance of the rule; with
        // none, to one rule-level instance (Grafana's DatasourceError).
        const Observation obs = fromPolicy(rule.errorPolicy);
        bool any = false;
        for (auto it = ri.byKey.begin(); it != ri.byKey.end(); ++it) {
            AlertInstance &inst = *it;
            if (dormant(inst))
                continue;
            any = true;
            inst.generation = gen;
            inst.lastEvalMs = nowMs;
            inst.lastError = result.error;
            step(rule, inst, obs, nowMs, kNaN, TransitionReason::QueryError, result.error, out);
        }
        if (!any && createsProblem(obs)) {
            AlertInstance &inst = instanceFor(ri, rule, SeriesKey(), nowMs);
            inst.generation = gen;
            inst.lastEvalMs = nowMs;
            inst.lastError = result.error;
            step(rule, inst, obs, nowMs, kNaN, TransitionReason::QueryError, result.error, out);
        }
        return;
    }

    for (const QuerySample &sample : result.samples) {
        AlertInstance &inst = instanceFor(ri, rule, sample.series, nowMs);
        inst.generation = gen;
        inst.present = true;
        inst.missingSinceMs = 0;
        inst.lastEvalMs = nowMs;
        if (!inst.lastError.isEmpty())
            inst.lastError.clear();
        if (std::isnan(sample.value) && !returnsAnything) {
            // NaN (0/0 rates, histogram_quantile over no requests) says
            // nothing about a threshold: it is no data for this instance.
            // A "returns anything" rule fires whatever the value, NaN too.
            step(rule, inst, fromPolicy(rule.noDataPolicy), nowMs, sample.value, TransitionReason::NoData,
                 QString(), out);
        } else {
            inst.lastValue = sample.value;
            const Observation obs = observe(rule, inst, sample.value);
            step(rule, inst, obs, nowMs, sample.value, TransitionReason::ConditionMet, QString(), out);
        }
    }

    bool anyLive = !result.samples.isEmpty();
    bool anyGoneFlapping = false;
    for (auto it = ri.byKey.begin(); it != ri.byKey.end();) {
        AlertInstance &inst = *it;
        if (inst.generation == gen) {
            ++it;
            continue;
        }
        const bool wasPresent = inst.present;
        inst.present = false;
        if (inst.state == AlertState::Normal && !wasPresent) {
            // Resolved and gone: kept for the history view, then dropped.
            // A flapping one is kept until flapping stops (below).
            if (inst.flapping) {
                anyGoneFlapping = true;
                ++it;
            } else if (nowMs - inst.stateSinceMs >= m_resolvedRetentionMs) {
                m_byFingerprint.remove(inst.id.fingerprint);
                it = ri.byKey.erase(it);
            } else {
                ++it;
            }
            continue;
        }
        inst.generation = gen;
        inst.lastEvalMs = nowMs;
        const bool ruleLevel = inst.id.series.isEmpty();
        if (!inst.lastError.isEmpty() && !ruleLevel)
            inst.lastError.clear();
        if (ruleLevel && (!result.samples.isEmpty() || returnsAnything)) {
            // The rule-level no-data / error instance ends once series
            // return, or, for "returns anything", once the query works at
            // all: its healthy answer is the empty one.
            if (isOpen(inst.state) || inst.state == AlertState::Pending)
                step(rule, inst, Observation::ForceNormal, nowMs, kNaN, TransitionReason::DataReturned, QString(), out);
        } else if (returnsAnything && !ruleLevel) {
            // "Returns anything": the series leaving the result is the recovery.
            step(rule, inst, Observation::Clear, nowMs, kNaN, TransitionReason::Recovered, QString(), out);
        } else {
            anyLive = true;
            if (inst.missingSinceMs == 0)
                inst.missingSinceMs = nowMs;
            if (!ruleLevel && rule.resolveMissingAfterMs > 0
                && nowMs - inst.missingSinceMs >= rule.resolveMissingAfterMs) {
                step(rule, inst, Observation::ForceNormal, nowMs, kNaN, TransitionReason::MissingSeries, QString(), out);
            } else {
                step(rule, inst, fromPolicy(rule.noDataPolicy), nowMs, kNaN, TransitionReason::NoData, QString(), out);
            }
        }
        ++it;
    }

    // An empty result for a rule with nothing live: the no-data policy gets a
    // rule-level instance to act on (Grafana's DatasourceNoData). Not for
    // "returns anything" rules, whose healthy answer is the empty one.
    if (result.samples.isEmpty() && !anyLive && !returnsAnything) {
        const Observation obs = fromPolicy(rule.noDataPolicy);
        if (createsProblem(obs)) {
            AlertInstance &inst = instanceFor(ri, rule, SeriesKey(), nowMs);
            if (inst.generation != gen) {
                inst.generation = gen;
                inst.lastEvalMs = nowMs;
                step(rule, inst, obs, nowMs, kNaN, TransitionReason::NoData, QString(), out);
            }
        }
    }

    // Resolved, gone and still flapping: nothing else steps these, so record
    // a closed evaluation here, or flapping would never stop and the gate
    // would hold their resolved notice for ever.
    if (anyGoneFlapping) {
        for (AlertInstance &inst : ri.byKey) {
            if (inst.generation != gen && inst.flapping && inst.state == AlertState::Normal && !inst.present) {
                inst.generation = gen;
                inst.lastEvalMs = nowMs;
                step(rule, inst, Observation::Clear, nowMs, kNaN, TransitionReason::Recovered, QString(), out);
            }
        }
    }
}

const AlertInstance *AlertStateMachine::instance(const QString &fingerprint) const
{
    const auto it = m_byFingerprint.constFind(fingerprint);
    if (it == m_byFingerprint.cend())
        return nullptr;
    return instance(it->first, it->second);
}

const AlertInstance *AlertStateMachine::instance(const QString &rule, const SeriesKey &series) const
{
    const auto r = m_rules.constFind(rule);
    if (r == m_rules.cend())
        return nullptr;
    const auto it = r->byKey.constFind(series);
    return it == r->byKey.cend() ? nullptr : &*it;
}

QList<AlertInstance> AlertStateMachine::instances() const
{
    QList<AlertInstance> all;
    all.reserve(instanceCount());
    for (const RuleInstances &ri : m_rules) {
        for (const AlertInstance &inst : ri.byKey)
            all.append(inst);
    }
    std::sort(all.begin(), all.end(), [](const AlertInstance &a, const AlertInstance &b) {
        if (a.id.rule != b.id.rule)
            return a.id.rule < b.id.rule;
        return a.id.series < b.id.series;
    });
    return all;
}

QList<AlertInstance> AlertStateMachine::instances(const QString &rule) const
{
    QList<AlertInstance> all;
    const auto r = m_rules.constFind(rule);
    if (r == m_rules.cend())
        return all;
    for (const AlertInstance &inst : r->byKey)
        all.append(inst);
    std::sort(all.begin(), all.end(),
              [](const AlertInstance &a, const AlertInstance &b) { return a.id.series < b.id.series; });
    return all;
}

qsizetype AlertStateMachine::instanceCount() const
{
    qsizetype n = 0;
    for (const RuleInstances &ri : m_rules)
        n += ri.byKey.size();
    return n;
}

void AlertStateMachine::removeRule(const QString &rule)
{
    const auto r = m_rules.constFind(rule);
    if (r == m_rules.cend())
        return;
    for (const AlertInstance &inst : r->byKey)
        m_byFingerprint.remove(inst.id.fingerprint);
    m_rules.remove(rule);
}

void AlertStateMachine::restore(const QList<AlertInstance> &instances)
{
    for (AlertInstance inst : instances) {
        // Recompute rather than trust a stored fingerprint: the key is the identity.
        inst.id = AlertInstanceId::make(inst.id.rule, inst.id.series);
        inst.generation = 0;
        m_byFingerprint.insert(inst.id.fingerprint, {inst.id.rule, inst.id.series});
        m_rules[inst.id.rule].byKey.insert(inst.id.series, inst);
    }
}

} // namespace vigil::rules
