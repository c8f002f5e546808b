// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/notification_gate.h"

#include "rules/alert_state_machine.h"

namespace vigil::rules {

namespace {
// Recovering is still the firing alert as far as anyone outside knows.
AlertState announceAs(AlertState s)
{
    return s == AlertState::Recovering ? AlertState::Firing : s;
}
} // namespace

QString toString(IntentKind kind)
{
    switch (kind) {
    case IntentKind::Firing: return QStringLiteral("firing");
    case IntentKind::Resolved: return QStringLiteral("resolved");
    case IntentKind::Reopened: return QStringLiteral("reopened");
    case IntentKind::Repeat: return QStringLiteral("repeat");
    }
    return {};
}

NotificationGate::NotificationGate(GateOptions options)
    : m_options(options)
{
}

NotifyDecision NotificationGate::decide(IntentKind kind, const QString &fingerprint, const Labels &labels,
                                        bool flapping, const AckBook &acks, const SilenceBook &silences,
                                        qint64 nowMs) const
{
    NotifyDecision d;
    // A re-open is the ack ending; the ack may still be in the book while the
    // re-open is being decided, and must not hold it back.
    const bool acked = kind != IntentKind::Reopened && acks.isAcked(fingerprint, nowMs);
    const bool silenced = silences.isSilenced(labels, nowMs);
    if (acked)
        d.suppressedBy |= SuppressedByAck;
    if (silenced)
        d.suppressedBy |= SuppressedBySilence;
    if (flapping)
        d.suppressedBy |= SuppressedByFlapping;
    switch (kind) {
    case IntentKind::Firing:
    case IntentKind::Repeat:
    case IntentKind::Reopened:
        d.notify = !acked && !silenced && !flapping;
        break;
    case IntentKind::Resolved:
        d.notify = !flapping && (!acked || m_options.resolvedWhenAcked) && (!silenced || m_options.resolvedWhenSilenced);
        break;
    }
    return d;
}

NotificationIntent NotificationGate::make(IntentKind kind, const Transition &t, const Labels &labels) const
{
    NotificationIntent n;
    n.kind = kind;
    n.instance = t.instance;
    n.labels = labels;
    n.state = announceAs(t.to);
    n.severity = t.severity;
    n.value = t.value;
    n.atMs = t.atMs;
    n.reason = t.reason;
    n.detail = t.detail;
    return n;
}

NotificationGate::Output NotificationGate::process(const QList<Transition> &transitions, AckBook &acks,
                                                   const SilenceBook &silences, const LabelsFn &labelsOf,
                                                   qint64 nowMs)
{
    Output out;
    for (const Transition &t : transitions) {
        const QString &fp = t.instance.fingerprint;
        const auto announced = m_announced.constFind(fp);
        const bool wasAnnounced = announced != m_announced.cend();
        const bool open = isOpen(t.to);

        std::optional<IntentKind> kind;
        std::optional<AckEvent::Cause> reopened;
        if (t.resolves() || (t.reason == TransitionReason::FlappingStopped && !open)) {
            if (wasAnnounced)
                kind = IntentKind::Resolved;
        } else if (open && (t.isStateChange() || t.reason == TransitionReason::FlappingStopped)
                   && (!wasAnnounced || *announced != announceAs(t.to))) {
            // Opened, changed kind (Firing <-> NoData <-> Error), or a notice
            // held while flapping that can go now.
            kind = IntentKind::Firing;
        } else if (open && t.severity > t.previousSeverity) {
            const Ack *ack = acks.find(fp);
            if (ack && !ack->expiredAt(nowMs)) {
                if (t.severity > ack->severity) {
                    kind = IntentKind::Reopened;
                    reopened = AckEvent::Cause::SeverityRaised;
                }
            } else {
                kind = IntentKind::Firing; // tell again: it got worse
            }
        }
        if (!kind)
            continue;

        const Labels labels = labelsOf ? labelsOf(t.instance) : t.instance.series.labels();
        NotificationIntent n = make(*kind, t, labels);
        n.reopenedBecause = reopened;
        n.decision = decide(*kind, fp, labels, t.flapping, acks, silences, nowMs);
        if (*kind == IntentKind::Resolved) {
            // Held by flapping: stay announced, so the resolved notice goes
            // when flapping stops. Otherwise it is over either way.
            if (!(n.decision.suppressedBy & SuppressedByFlapping))
                m_announced.remove(fp);
        } else if (n.decision.notify) {
            m_announced.insert(fp, announceAs(t.to));
            m_held.remove(fp);
        } else if (!wasAnnounced) {
            m_held.insert(fp); // announced by tick() once nothing holds it
        }
        out.intents.append(std::move(n));
    }
    out.ackEvents = acks.apply(transitions);
    for (const Transition &t : transitions)
        if (!isOpen(t.to))
            m_held.remove(t.instance.fingerprint); // over before anyone was told: nothing to say
    return out;
}

void NotificationGate::rebuildHeld(const AlertStateMachine &machine)
{
    m_held.clear();
    for (const AlertInstance &inst : machine.instances())
        if (isOpen(inst.state) && !m_announced.contains(inst.id.fingerprint))
            m_held.insert(inst.id.fingerprint);
}

NotificationGate::Output NotificationGate::tick(qint64 nowMs, AckBook &acks, const AlertStateMachine &machine,
                                                const SilenceBook &silences, const LabelsFn &labelsOf)
{
    Output out;
    out.ackEvents = acks.expire(nowMs);
    for (const AckEvent &e : out.ackEvents) {
        const AlertInstance *inst = machine.instance(e.ack.fingerprint);
        if (!inst || !isOpen(inst->state))
            continue;
        Transition t;
        t.instance = inst->id;
        t.from = t.to = inst->state;
        t.atMs = nowMs;
        t.value = inst->lastValue;
        t.severity = t.previousSeverity = inst->severity;
        t.flapping = inst->flapping;
        const Labels labels = labelsOf ? labelsOf(inst->id) : inst->id.series.labels();
        NotificationIntent n = make(IntentKind::Reopened, t, labels);
        n.reason = TransitionReason::ConditionMet;
        n.reopenedBecause = e.cause;
        n.decision = decide(IntentKind::Reopened, inst->id.fingerprint, labels, inst->flapping, acks, silences, nowMs);
        if (n.decision.notify) {
            m_announced.insert(inst->id.fingerprint, announceAs(inst->state));
            m_held.remove(inst->id.fingerprint);
        }
        out.intents.append(std::move(n));
    }
    // Held firing notices whose reason to hold has gone (a silence ended or
    // was expired early, flapping settled without a transition).
    const QSet<QString> held = m_held;
    for (const QString &fp : held) {
        const AlertInstance *inst = machine.instance(fp);
        if (!inst || !isOpen(inst->state) || m_announced.contains(fp)) {
            m_held.remove(fp);
            continue;
        }
        const Labels labels = labelsOf ? labelsOf(inst->id) : inst->id.series.labels();
        const NotifyDecision d = decide(IntentKind::Firing, fp, labels, inst->flapping, acks, silences, nowMs);
        if (!d.notify)
            continue;
        Transition t;
        t.instance = inst->id;
        t.from = t.to = inst->state;
        t.atMs = nowMs;
        t.value = inst->lastValue;
        t.severity = t.previousSeverity = inst->severity;
        t.flapping = inst->flapping;
        NotificationIntent n = make(IntentKind::Firing, t, labels);
        n.reason = TransitionReason::ConditionMet;
        n.detail = QStringLiteral("still firing now that nothing holds its notice back");
        n.decision = d;
        m_announced.insert(fp, announceAs(inst->state));
        m_held.remove(fp);
        out.intents.append(std::move(n));
    }
    return out;
}

} // namespace vigil::rules
