// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the crash-safety test's writer writes, so the test can check every
// row it finds after the kill against what the row must hold.

#include "notify/notifier.h"
#include "rules/acks.h"
#include "rules/alert_instance.h"

namespace vigil::crashfixture {

inline const QString kNotifier = QStringLiteral("oncall-slack");
inline const QString kRule = QStringLiteral("HighP99Latency");

inline SeriesKey series()
{
    return SeriesKey(QStringLiteral("latency_p99"), {{QStringLiteral("model"), QStringLiteral("fraud")}});
}

inline QString notificationId(int i)
{
    return QStringLiteral("crash-%1").arg(i, 6, 10, QLatin1Char('0'));
}

// A payload of a few kilobytes, so a write spans more than one page and a
// torn write would show.
inline Notification notification(int i)
{
    Notification n;
    n.id = notificationId(i);
    n.kind = i % 2 ? Notification::Kind::Resolved : Notification::Kind::Firing;
    n.rule = kRule;
    n.severity = QStringLiteral("critical");
    n.summary = QStringLiteral("p99 latency of fraud is %1 s").arg(i);
    n.description = QString(3000, QChar(u'a' + i % 26));
    n.labels = series().labels();
    n.annotations.insert(QStringLiteral("runbook"), QStringLiteral("https://runbooks.example/%1").arg(i));
    n.value = 0.25 + i;
    n.activeSinceMs = 1'700'000'000'000 + i;
    n.createdMs = 1'700'000'000'000 + i;
    return n;
}

inline rules::Transition transition(int i)
{
    rules::Transition t;
    t.instance = rules::AlertInstanceId::make(kRule, series());
    t.from = i % 2 ? rules::AlertState::Firing : rules::AlertState::Normal;
    t.to = i % 2 ? rules::AlertState::Normal : rules::AlertState::Firing;
    t.atMs = 1'700'000'000'000 + i;
    t.value = i;
    t.reason = i % 2 ? rules::TransitionReason::Recovered : rules::TransitionReason::ConditionMet;
    t.severity = rules::Severity::Critical;
    t.previousSeverity = rules::Severity::Critical;
    return t;
}

inline rules::AckEvent ackEvent(int i)
{
    rules::Ack a;
    a.fingerprint = rules::AlertInstanceId::make(kRule, series()).fingerprint;
    a.instanceText = rules::AlertInstanceId::make(kRule, series()).toString();
    a.by = QStringLiteral("oncall-%1").arg(i);
    a.atMs = 1'700'000'000'000 + i;
    a.comment = QStringLiteral("looking at %1").arg(i);
    a.severity = rules::Severity::Critical;
    return {rules::AckEvent::Kind::Acknowledged, rules::AckEvent::Cause::Person, a, a.atMs, a.by,
            rules::Severity::Critical};
}

// The writes of one index, in order: what the router, the state machine, the
// person and the notifier do for one page.
inline const char *const kSteps[] = {"outbox", "transition", "ack", "delivered"};

} // namespace vigil::crashfixture
