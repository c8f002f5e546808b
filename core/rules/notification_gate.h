// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/acks.h"
#include "rules/alert_instance.h"
#include "rules/silences.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <functional>

namespace vigil::rules {

class AlertStateMachine;

// What the router is asked to send. Firing, Resolved and Reopened come out of
// the gate; Repeat is never produced here: the router asks about it when its
// repeat_interval comes round (Alertmanager's 4 h default lives in routing).
enum class IntentKind : quint8 { Firing, Resolved, Reopened, Repeat };

QString toString(IntentKind kind);

// Why a notification is held back; several may apply at once.
enum Suppression : quint8 {
    NotSuppressed = 0,
    SuppressedByAck = 1,      // acknowledged: repeats stop
    SuppressedBySilence = 2,  // an active silence matches the alert's labels
    SuppressedByFlapping = 4, // flapping: held until it settles (Nagios suppresses while flapping)
};

struct NotifyDecision
{
    bool notify = true;
    quint8 suppressedBy = NotSuppressed; // Suppression bits, also set when notify is true
                                         // because an option let a resolved notice through
};

struct GateOptions
{
    // The resolved notice still goes out for an acknowledged / silenced alert
    // whose firing notice went out: the person who acked wants to know it is
    // over, and the channel that saw it fire should see it end.
    bool resolvedWhenAcked = true;
    bool resolvedWhenSilenced = true;
};

struct NotificationIntent
{
    IntentKind kind = IntentKind::Firing;
    AlertInstanceId instance;
    Labels labels;                    // the alert's labels (alertLabels()), for routing and grouping
    AlertState state = AlertState::Firing; // the state notified about: Firing, NoData, Error, or Normal when resolved
    Severity severity = Severity::Warning;
    double value = std::numeric_limits<double>::quiet_NaN();
    qint64 atMs = 0;
    TransitionReason reason = TransitionReason::ConditionMet; // the transition behind it
    std::optional<AckEvent::Cause> reopenedBecause;           // for Reopened
    QString detail;
    NotifyDecision decision; // the router sends only when decision.notify
};

// Turns transitions and acknowledgement changes into notification intents,
// deciding for each whether it may go out now (ack, silence, flapping). It
// remembers which alerts have been announced, so a resolved notice goes out
// only for an alert whose firing notice did (Alertmanager does the same), and
// a notice held while flapping is sent when the flapping stops.
class NotificationGate
{
public:
    using LabelsFn = std::function<Labels(const AlertInstanceId &)>;

    explicit NotificationGate(GateOptions options = {});

    // The pure question "should this instance notify now?", for intents and
    // for the router's repeats.
    NotifyDecision decide(IntentKind kind, const QString &fingerprint, const Labels &labels, bool flapping,
                          const AckBook &acks, const SilenceBook &silences, qint64 nowMs) const;

    struct Output
    {
        QList<NotificationIntent> intents;
        QList<AckEvent> ackEvents; // lapses and re-opens, for persistence
    };
    // One evaluation's transitions. Also applies them to `acks` (an ack
    // lapses on resolve, re-opens when severity rises), so the decision and
    // the ack book never disagree about order.
    Output process(const QList<Transition> &transitions, AckBook &acks, const SilenceBook &silences,
                   const LabelsFn &labelsOf, qint64 nowMs);
    // Time passing without an evaluation: expired acks re-open their alerts,
    // and an open alert whose firing notice was held back (by a silence, an
    // ack or flapping) is announced once nothing holds it any more, e.g. its
    // silence ended while it still fires (Alertmanager sends it on the next
    // flush once it is no longer muted).
    Output tick(qint64 nowMs, AckBook &acks, const AlertStateMachine &machine, const SilenceBook &silences,
                const LabelsFn &labelsOf);

    bool isAnnounced(const QString &fingerprint) const { return m_announced.contains(fingerprint); }
    // Open but never announced: its firing notice was held back.
    bool isHeld(const QString &fingerprint) const { return m_held.contains(fingerprint); }
    // An instance removed without a resolve (its rule deleted).
    void forget(const QString &fingerprint)
    {
        m_announced.remove(fingerprint);
        m_held.remove(fingerprint);
    }
    // Persistence: which alerts have had a firing notice, and as what state.
    QHash<QString, AlertState> announced() const { return m_announced; }
    void restore(const QHash<QString, AlertState> &announced) { m_announced = announced; }
    // After restore(): every open instance that was not announced was held
    // back, so it is watched again (nothing else needs persisting for it).
    void rebuildHeld(const AlertStateMachine &machine);

private:
    NotificationIntent make(IntentKind kind, const Transition &t, const Labels &labels) const;

    GateOptions m_options;
    QHash<QString, AlertState> m_announced; // fingerprint -> the open state last announced
    QSet<QString> m_held;                   // open, firing notice held back, not announced
};

} // namespace vigil::rules
