// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/alert_instance.h"
#include "rules/rule.h"

#include <QHash>
#include <QList>
#include <QString>

namespace vigil::rules {

// The alert state of every instance of every rule, advanced one evaluation
// at a time. Pure: no clock, no threads, no I/O. The caller evaluates the
// rule's query, hands over the result and the evaluation time, and gets back
// what changed. Not thread-safe; one evaluation thread owns it.
//
// Per instance and evaluation (docs/ALERTS.md has the full table):
//   Normal  --breach-->             Pending (for > 0) or Firing (for: 0)
//   Pending --breach, `for` held--> Firing;  --no breach--> Normal
//   Firing  --not breaching, recovery threshold not crossed--> Recovering
//   Firing  --recovered, keep_firing_for > 0--> Recovering; --recovered, 0--> Normal
//   Recovering --breach--> Firing; --recovered for keep_firing_for--> Normal
//   a series missing from a good result: the rule's no-data policy
//   a failed query: the rule's error policy, for every instance of the rule
//
// Performance: instances live in a hash per rule keyed by SeriesKey, whose
// hash is computed once when the key is built; an evaluation where nothing
// changes allocates nothing (no transitions, no new instances).
class AlertStateMachine
{
public:
    // How long a resolved instance whose series is gone is kept, for the UI's
    // history: 15 minutes, Prometheus' resolvedRetention for resolved alerts.
    static constexpr qint64 kDefaultResolvedRetentionMs = 15 * 60'000;

    explicit AlertStateMachine(qint64 resolvedRetentionMs = kDefaultResolvedRetentionMs);

    // One evaluation of `rule` at `nowMs`. Returns every transition, in
    // the order the result listed the series (instances it did not list
    // after them).
    QList<Transition> evaluate(const Rule &rule, qint64 nowMs, const QueryResult &result);
    // The same, appending to `out`, so a caller can reuse one list every tick.
    void evaluate(const Rule &rule, qint64 nowMs, const QueryResult &result, QList<Transition> &out);

    // nullptr when unknown. The pointer is valid until the next evaluate().
    const AlertInstance *instance(const QString &fingerprint) const;
    const AlertInstance *instance(const QString &rule, const SeriesKey &series) const;
    // Copies, for a snapshot to another thread; sorted by rule, then series.
    QList<AlertInstance> instances() const;
    QList<AlertInstance> instances(const QString &rule) const;
    qsizetype instanceCount() const;

    // A rule removed from the workspace: its instances go (no transitions:
    // the caller decides what to tell whom).
    void removeRule(const QString &rule);
    // Persistence: put back instances saved earlier (replaces same fingerprints).
    void restore(const QList<AlertInstance> &instances);

private:
    struct RuleInstances
    {
        QHash<SeriesKey, AlertInstance> byKey;
        quint64 generation = 0;
    };

    enum class Observation : quint8 {
        Breach,     // the condition holds (or a policy says treat it so)
        Hold,       // an open alert, not breaching, recovery threshold not crossed
        Clear,      // not breaching and recovered
        ForceNormal,// policy Ok: Normal at once
        NoData,     // policy NoData
        Error,      // policy Error
        KeepLast,   // policy KeepLast
    };

    AlertInstance &instanceFor(RuleInstances &ri, const Rule &rule, const SeriesKey &key, qint64 nowMs);
    Observation observe(const Rule &rule, const AlertInstance &inst, double value) const;
    static Observation fromPolicy(StatePolicy policy);
    void step(const Rule &rule, AlertInstance &inst, Observation obs, qint64 nowMs, double value,
              TransitionReason policyReason, const QString &detail, QList<Transition> &out);
    void recordFlap(const Rule &rule, AlertInstance &inst, bool wasOpen, qint64 nowMs, QList<Transition> &out);

    QHash<QString, RuleInstances> m_rules;
    QHash<QString, std::pair<QString, SeriesKey>> m_byFingerprint;
    qint64 m_resolvedRetentionMs;
};

} // namespace vigil::rules
