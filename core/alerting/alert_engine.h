// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/acks.h"
#include "rules/alert_state_machine.h"
#include "rules/notification_gate.h"
#include "rules/silences.h"
#include "sources/connector.h"
#include "util/clock.h"
#include "workspace/workspace.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <functional>
#include <optional>

namespace vigil::alerting {

// One alert as the UI and `vigil watch` show it: a copy, safe to hand to
// another thread.
struct AlertRow
{
    rules::AlertInstance instance;
    Labels labels;            // the alert's labels (series labels, rule labels, alertname, severity)
    QString summary;          // the rendered `summary` annotation, plain text
    QString description;      // the rendered `description` annotation
    QString condition;        // "> 0.25 (recovers at <= 0.2)"
    QString group;            // the rule group
    std::optional<rules::Ack> ack;
    QStringList silencedBy;   // ids of active silences that match
    QList<rules::Annotation> annotations; // every rendered annotation, in the rule's order
    // Empty for Vigil's own rules; "Alertmanager <connection>" for an alert
    // read from a server (then serverState is its state there, e.g. "suppressed").
    QString source;
    QString serverState;
    QString label(const QString &name) const;
};

// Evaluates the workspace's rules on their groups' intervals and keeps every
// alert's state, acknowledgements and silences: the core of issue 3 wired to
// the connectors. Owns the pure pieces (AlertStateMachine, AckBook,
// SilenceBook, NotificationGate) and drives them with the clock and the query
// results. Lives in one thread (the I/O thread in the app, the test's thread
// in tests); every method must be called there.
//
// Evaluation follows Prometheus: each group is evaluated every `interval`
// from when the rules were set; all of a group's rules are queried with an
// instant query at the same evaluation time; a rule whose previous query has
// not answered yet skips this evaluation (counted in missedEvaluations()).
class AlertEngine : public QObject
{
    Q_OBJECT
public:
    // Runs `request` (an instant query) on the named connection. The future
    // may be finished already (tests) or finish later in this thread.
    using QueryFn = std::function<QFuture<vigil::QueryResult>(const QString &connection, const QueryRequest &request)>;

    AlertEngine(const Clock &clock, QueryFn query, QObject *parent = nullptr);
    ~AlertEngine() override;

    // Replaces the rules. Instances of rules that are gone are dropped;
    // instances of rules that stay keep their state (a reload does not re-fire).
    // `defaultConnection` serves rules that name none.
    void setRules(const QList<RuleDef> &rules, const QString &defaultConnection);
    const QList<RuleDef> &rules() const { return m_rules; }

    // Evaluates every group whose time has come and applies ack expiry.
    // Returns the number of queries started.
    int tick();
    // When tick() next has work: the earliest group due, or an ack expiring.
    qint64 nextDueMs() const;

    // Commands from a person (the Alerts view, a desktop notification's
    // button). Return an empty string on success, otherwise why not.
    QString acknowledge(const QString &fingerprint, const QString &by, const QString &comment = {},
                        qint64 expiresAtMs = 0);
    QString unacknowledge(const QString &fingerprint, const QString &by);
    // Returns the silence's id, or empty with *error set.
    QString addSilence(rules::Silence silence, QString *error = nullptr);
    bool expireSilence(const QString &id);

    // Restart: puts back what the store kept (docs/STORAGE.md). Call after
    // setRules(): instances of rules that no longer exist are not restored
    // (nor their acks or announcements); their fingerprints are returned so
    // the caller can forget them too. Emits nothing but alertsChanged: a
    // restored Firing alert that still breaches sends nothing new.
    QStringList restore(const QList<rules::AlertInstance> &instances, const QList<rules::Ack> &acks,
                        const QList<rules::Silence> &silences, const QHash<QString, rules::AlertState> &announced);
    // The gate's decide() bound to this engine's acks and silences: the
    // router asks it before each reminder.
    rules::NotifyDecision decide(rules::IntentKind kind, const QString &fingerprint, const Labels &labels,
                                 bool flapping, qint64 nowMs) const;
    const rules::NotificationGate &gate() const { return m_gate; }
    const Clock &clock() const { return m_clock; }

    QList<AlertRow> alerts() const;
    std::optional<AlertRow> alert(const QString &fingerprint) const;
    QList<rules::Silence> silences() const;
    const rules::AlertStateMachine &machine() const { return m_machine; }
    int missedEvaluations() const { return m_missed; }
    // The last query error per rule (empty when the last evaluation worked).
    QHash<QString, QString> ruleErrors() const { return m_ruleErrors; }

    // Converts a connector's answer into the state machine's input: every
    // series with its newest sample (an instant vector), or a scalar.
    static rules::QueryResult toRuleResult(const vigil::QueryResult &result);

Q_SIGNALS:
    void transitionsHappened(const QList<vigil::rules::Transition> &transitions);
    // What the router should consider sending (each carries its decision).
    void notificationIntents(const QList<vigil::rules::NotificationIntent> &intents);
    void ackEventsHappened(const QList<vigil::rules::AckEvent> &events);
    void silencesChanged();
    // Something about the alerts changed (state, ack, silence): read alerts().
    void alertsChanged();
    void ruleFailed(const QString &rule, const QString &message);

private:
    struct Group
    {
        QString name;
        qint64 intervalMs = 60'000;
        qint64 nextDueMs = 0;
        QList<int> ruleIndexes;
    };
    void evaluateRule(int index, qint64 evalMs);
    void applyResult(int index, qint64 evalMs, const vigil::QueryResult &result);
    void publish(const rules::NotificationGate::Output &out);
    Labels labelsOf(const rules::AlertInstanceId &id) const;
    const RuleDef *ruleNamed(const QString &name) const;
    AlertRow rowFor(const rules::AlertInstance &inst) const;

    const Clock &m_clock;
    QueryFn m_query;
    QList<RuleDef> m_rules;
    QString m_defaultConnection;
    QList<Group> m_groups;
    QHash<QString, int> m_inFlight; // rule name -> queries running (0 or 1)
    quint64 m_generation = 0;       // bumped by setRules: late answers for old rules are dropped
    rules::AlertStateMachine m_machine;
    rules::AckBook m_acks;
    rules::SilenceBook m_silences;
    rules::NotificationGate m_gate;
    QHash<QString, QString> m_ruleErrors;
    int m_missed = 0;
};

} // namespace vigil::alerting
