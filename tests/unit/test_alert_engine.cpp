// SPDX-License-Identifier: GPL-3.0-or-later
// AlertEngine: rules from the workspace evaluated on their intervals against a
// scripted connection, with a manual clock.
#include <catch2/catch.hpp>

#include "alerting/alert_engine.h"

#include <QPromise>
#include <QSignalSpy>

using namespace vigil;
using alerting::AlertEngine;
using rules::AlertState;

namespace {

// A connection whose answers the test sets: expr -> series values (or an error).
struct ScriptedConnection
{
    QHash<QString, QList<std::pair<Labels, double>>> values;
    QHash<QString, QString> errors;
    QList<QueryRequest> requests;
    QStringList connections;
    bool hold = false; // answer later (a slow server)
    QList<std::shared_ptr<QPromise<QueryResult>>> held;

    QFuture<QueryResult> operator()(const QString &connection, const QueryRequest &req)
    {
        requests << req;
        connections << connection;
        QueryResult r;
        if (errors.contains(req.expr)) {
            r = QueryResult::failure(ErrorKind::Network, errors.value(req.expr));
        } else {
            r.type = ResultType::Vector;
            for (const auto &[labels, v] : values.value(req.expr))
                r.series.append({SeriesKey(QString(), labels), {{req.timeMs, v}}});
        }
        auto promise = std::make_shared<QPromise<QueryResult>>();
        promise->start();
        if (hold) {
            held << promise;
            return promise->future();
        }
        promise->addResult(r);
        promise->finish();
        return promise->future();
    }
};

RuleDef latencyRule(qint64 forMs = 120'000)
{
    RuleDef d;
    d.rule.name = QStringLiteral("HighP99Latency");
    d.rule.query = QStringLiteral("p99");
    d.rule.condition = rules::Condition::above(0.25, 0.20);
    d.rule.forMs = forMs;
    d.rule.severity = rules::Severity::Critical;
    d.rule.annotations = {{QStringLiteral("summary"), QStringLiteral("p99 of {{ $labels.model }} is {{ $value }}")}};
    d.group = QStringLiteral("default");
    d.intervalMs = 60'000;
    return d;
}

const Labels kFraud{{"model", "fraud-detector"}, {"version", "v13"}};

AlertState stateOf(const AlertEngine &e, const QString &rule = QStringLiteral("HighP99Latency"))
{
    const auto rows = e.alerts();
    for (const auto &r : rows)
        if (r.instance.id.rule == rule && !r.instance.id.series.labels().isEmpty())
            return r.instance.state;
    return AlertState::Normal;
}

} // namespace

TEST_CASE("AlertEngine: a breach goes Pending, fires after `for`, resolves below the recovery threshold", "[alerting]")
{
    ManualClock clock(1'700'000'000'000);
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    QList<rules::NotificationIntent> intents;
    QObject::connect(&engine, &AlertEngine::notificationIntents, [&](const auto &list) { intents += list; });
    engine.setRules({latencyRule()}, QStringLiteral("prom"));

    conn->values["p99"] = {{kFraud, 0.31}};
    REQUIRE(engine.tick() == 1);
    REQUIRE(conn->requests.size() == 1);
    CHECK(conn->requests[0].kind == QueryKind::Instant);
    CHECK(conn->requests[0].timeMs == clock.nowMs());
    CHECK(conn->connections[0] == "prom");
    CHECK(stateOf(engine) == AlertState::Pending);
    CHECK(intents.isEmpty()); // Prometheus sends nothing while pending

    // Not due yet: nothing is queried.
    clock.advanceMs(30'000);
    CHECK(engine.tick() == 0);
    CHECK(engine.nextDueMs() == 1'700'000'060'000);

    clock.advanceMs(30'000);
    CHECK(engine.tick() == 1);
    CHECK(stateOf(engine) == AlertState::Pending); // 60 s of 120 s
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(stateOf(engine) == AlertState::Firing);
    REQUIRE(intents.size() == 1);
    CHECK(intents[0].kind == rules::IntentKind::Firing);
    CHECK(intents[0].decision.notify);
    const auto row = engine.alerts().value(0);
    CHECK(row.summary == "p99 of fraud-detector is 0.31");
    CHECK(row.label("alertname") == "HighP99Latency");
    CHECK(row.label("severity") == "critical");

    // 0.22: below the threshold, above the recovery threshold: still a problem.
    conn->values["p99"] = {{kFraud, 0.22}};
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(stateOf(engine) == AlertState::Recovering);
    CHECK(intents.size() == 1);

    conn->values["p99"] = {{kFraud, 0.12}};
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(stateOf(engine) == AlertState::Normal);
    REQUIRE(intents.size() == 2);
    CHECK(intents[1].kind == rules::IntentKind::Resolved);
}

TEST_CASE("AlertEngine: acknowledge stops the repeat decision, and lapses when the alert resolves", "[alerting]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    QList<rules::AckEvent> ackEvents;
    QObject::connect(&engine, &AlertEngine::ackEventsHappened, [&](const auto &list) { ackEvents += list; });
    engine.setRules({latencyRule(0)}, QStringLiteral("prom"));
    conn->values["p99"] = {{kFraud, 0.4}};
    engine.tick();
    REQUIRE(stateOf(engine) == AlertState::Firing);
    const QString fp = engine.alerts().value(0).instance.id.fingerprint;

    CHECK(engine.acknowledge(QStringLiteral("nope"), QStringLiteral("alice")).contains("no alert with fingerprint nope"));
    CHECK(engine.acknowledge(fp, QStringLiteral("alice"), QStringLiteral("looking")).isEmpty());
    REQUIRE(ackEvents.size() == 1);
    CHECK(ackEvents[0].kind == rules::AckEvent::Kind::Acknowledged);
    const auto row = engine.alert(fp);
    REQUIRE(row);
    REQUIRE(row->ack);
    CHECK(row->ack->by == "alice");
    CHECK(row->ack->comment == "looking");

    conn->values["p99"] = {{kFraud, 0.1}};
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(stateOf(engine) == AlertState::Normal);
    CHECK_FALSE(engine.alert(fp)->ack); // lapsed on resolve
    REQUIRE(ackEvents.size() == 2);
    CHECK(ackEvents[1].cause == rules::AckEvent::Cause::Resolved);
    CHECK_FALSE(engine.unacknowledge(fp, QStringLiteral("alice")).isEmpty());
}

TEST_CASE("AlertEngine: an acknowledgement and its withdrawal are recorded before they take effect", "[alerting][ack]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    engine.setRules({latencyRule(0)}, QStringLiteral("prom"));
    conn->values["p99"] = {{kFraud, 0.4}};
    engine.tick();
    const QString fp = engine.alerts().value(0).instance.id.fingerprint;
    // What the store's writer (a direct connection) sees while it records the event.
    QList<bool> ackedWhileRecording;
    QObject::connect(&engine, &AlertEngine::ackEventsHappened, [&](const QList<rules::AckEvent> &) {
        ackedWhileRecording << engine.alert(fp)->ack.has_value();
    });
    REQUIRE(engine.acknowledge(fp, QStringLiteral("alice"), QStringLiteral("looking")).isEmpty());
    CHECK(engine.alert(fp)->ack.has_value());
    REQUIRE(engine.unacknowledge(fp, QStringLiteral("alice")).isEmpty());
    CHECK_FALSE(engine.alert(fp)->ack.has_value());
    // Not yet acknowledged while the ack was written; still acknowledged while the un-ack was.
    CHECK(ackedWhileRecording == QList<bool>{false, true});
}

TEST_CASE("AlertEngine: a silence marks matching alerts and holds their notifications", "[alerting]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    QList<rules::NotificationIntent> intents;
    QObject::connect(&engine, &AlertEngine::notificationIntents, [&](const auto &list) { intents += list; });
    engine.setRules({latencyRule(0)}, QStringLiteral("prom"));

    rules::Silence s;
    s.matchers << *rules::LabelMatcher::parse(QStringLiteral("model=\"fraud-detector\""));
    s.endsAtMs = clock.nowMs() + 3'600'000;
    s.createdBy = QStringLiteral("bob");
    s.comment = QStringLiteral("deploying");
    QString error;
    const QString id = engine.addSilence(s, &error);
    INFO(error.toStdString());
    REQUIRE_FALSE(id.isEmpty());
    CHECK(engine.silences().size() == 1);

    conn->values["p99"] = {{kFraud, 0.4}, {Labels{{"model", "spam-filter"}, {"version", "v8"}}, 0.5}};
    engine.tick();
    REQUIRE(intents.size() == 2);
    int notified = 0;
    for (const auto &i : intents) {
        const bool fraud = i.instance.series.label("model") == "fraud-detector";
        CHECK(i.decision.notify == !fraud);
        if (fraud)
            CHECK((i.decision.suppressedBy & rules::SuppressedBySilence) != 0);
        notified += i.decision.notify;
    }
    CHECK(notified == 1);
    for (const auto &row : engine.alerts())
        CHECK(row.silencedBy.isEmpty() == (row.label("model") != "fraud-detector"));
    CHECK(engine.expireSilence(id));
    for (const auto &row : engine.alerts())
        CHECK(row.silencedBy.isEmpty());
}

TEST_CASE("AlertEngine: a failing query applies the error policy and is reported once", "[alerting]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    QStringList failures;
    QObject::connect(&engine, &AlertEngine::ruleFailed, [&](const QString &rule, const QString &msg) { failures << rule + ": " + msg; });
    RuleDef d = latencyRule(0);
    engine.setRules({d}, QStringLiteral("prom"));
    conn->values["p99"] = {{kFraud, 0.4}};
    engine.tick();
    REQUIRE(stateOf(engine) == AlertState::Firing);

    conn->errors["p99"] = QStringLiteral("prom: connection refused (http://127.0.0.1:9/api/v1/query)");
    clock.advanceMs(60'000);
    engine.tick();
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(failures == QStringList{"HighP99Latency: prom: connection refused (http://127.0.0.1:9/api/v1/query)"});
    CHECK(engine.ruleErrors().value("HighP99Latency").contains("connection refused"));
    CHECK(stateOf(engine) == AlertState::Error); // the default error policy, as in Grafana

    conn->errors.clear();
    clock.advanceMs(60'000);
    engine.tick();
    CHECK(engine.ruleErrors().isEmpty());
    CHECK(stateOf(engine) == AlertState::Firing);
}

TEST_CASE("AlertEngine: a slow query skips the next evaluation instead of piling up", "[alerting]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    conn->hold = true;
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    engine.setRules({latencyRule(0)}, QStringLiteral("prom"));
    CHECK(engine.tick() == 1);
    clock.advanceMs(60'000);
    CHECK(engine.tick() == 0);
    CHECK(engine.missedEvaluations() == 1);
    CHECK(conn->requests.size() == 1);

    // The answer arrives: it is applied at its evaluation time.
    QueryResult r;
    r.type = ResultType::Vector;
    r.series.append({SeriesKey(QString(), kFraud), {{clock.nowMs(), 0.4}}});
    conn->held[0]->addResult(r);
    conn->held[0]->finish();
    QSignalSpy changed(&engine, &AlertEngine::alertsChanged);
    REQUIRE(changed.wait(5'000));
    CHECK(stateOf(engine) == AlertState::Firing);
    CHECK(engine.alerts().value(0).instance.stateSinceMs == clock.nowMs() - 60'000);
}

TEST_CASE("AlertEngine: reloading rules keeps the state of rules that stay and drops the rest", "[alerting]")
{
    ManualClock clock;
    auto conn = std::make_shared<ScriptedConnection>();
    AlertEngine engine(clock, [conn](const QString &c, const QueryRequest &r) { return (*conn)(c, r); });
    RuleDef other = latencyRule(0);
    other.rule.name = QStringLiteral("Other");
    other.rule.query = QStringLiteral("other");
    other.connection = QStringLiteral("vm");
    engine.setRules({latencyRule(0), other}, QStringLiteral("prom"));
    conn->values["p99"] = {{kFraud, 0.4}};
    conn->values["other"] = {{kFraud, 0.4}};
    CHECK(engine.tick() == 2);
    CHECK(conn->connections == QStringList{"prom", "vm"});
    CHECK(engine.machine().instanceCount() == 2);

    engine.setRules({latencyRule(0)}, QStringLiteral("prom"));
    CHECK(engine.machine().instanceCount() == 1);
    CHECK(stateOf(engine) == AlertState::Firing); // no re-fire, no reset
}

TEST_CASE("AlertEngine: toRuleResult takes each series' newest sample and refuses strings", "[alerting]")
{
    QueryResult r;
    r.type = ResultType::Matrix;
    r.series.append({SeriesKey(QStringLiteral("x"), {{"a", "1"}}), {{1000, 1.0}, {2000, 2.0}}});
    r.series.append({SeriesKey(QStringLiteral("x"), {{"a", "2"}}), {}});
    const rules::QueryResult rr = AlertEngine::toRuleResult(r);
    REQUIRE(rr.samples.size() == 1);
    CHECK(rr.samples[0].value == 2.0);
    QueryResult s;
    s.type = ResultType::String;
    CHECK(AlertEngine::toRuleResult(s).failed);
    CHECK(AlertEngine::toRuleResult(QueryResult::failure(ErrorKind::Timeout, QStringLiteral("slow"))).error == "slow");
}
