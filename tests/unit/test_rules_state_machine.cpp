// SPDX-License-Identifier: GPL-3.0-or-later
// The alert state machine, as specified in core/rules/alert_state_machine.h
// and rule.h. Time is passed in as milliseconds; nothing sleeps.
#include <catch2/catch.hpp>

#include "rules/alert_instance.h"
#include "rules/alert_state_machine.h"
#include "rules/rule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr qint64 kSec = 1000;
constexpr qint64 kMin = 60 * kSec;
constexpr qint64 kHour = 60 * kMin;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const SeriesKey kSeries("latency", {{"model", "fraud"}});
const SeriesKey kOther("latency", {{"model", "spam"}});

// One evaluation's input for kSeries: a value, the series missing from an
// otherwise good (empty) result, or a failed query.
struct In
{
    enum Kind { Value, Gone, Fail } kind = Value;
    double value = 0;
};
In v(double x) { return {In::Value, x}; }
In gone() { return {In::Gone, 0}; }
In fail() { return {In::Fail, 0}; }

QueryResult resultOf(const In &in, const SeriesKey &key = kSeries)
{
    switch (in.kind) {
    case In::Value: {
        QueryResult r;
        r.samples.append({key, in.value});
        return r;
    }
    case In::Gone: return {};
    case In::Fail: return QueryResult::failure(QStringLiteral("prom: connection refused"));
    }
    return {};
}

// The rule every scenario starts from. Flap detection is off unless a test
// is about it, so a scenario's toggles never add FlappingStarted rows.
Rule makeRule(Condition c, qint64 forMs = 0, qint64 keepFiringForMs = 0)
{
    Rule r;
    r.name = QStringLiteral("HighP99Latency");
    r.query = QStringLiteral("histogram_quantile(0.99, rate(x[1m]))");
    r.condition = c;
    r.forMs = forMs;
    r.keepFiringForMs = keepFiringForMs;
    r.flapping.enabled = false;
    return r;
}

const Transition *stateChangeFor(const QList<Transition> &ts, const SeriesKey &key)
{
    for (const Transition &t : ts) {
        if (t.instance.series == key && t.isStateChange())
            return &t;
    }
    return nullptr;
}

// One row: at `atMs` the query answers `in`; afterwards kSeries' instance is
// in `state`, and the evaluation produced a state change with `reason`
// (nullopt: no state change at this evaluation).
struct Row
{
    qint64 atMs;
    In in;
    AlertState state;
    std::optional<TransitionReason> reason;
};

struct Scenario
{
    const char *name;
    Rule rule;
    std::vector<Row> rows;
};

// Plays a scenario row by row; returns how many rows ended in the expected state.
int run(const Scenario &s)
{
    int matched = 0;
    AlertStateMachine m;
    for (std::size_t i = 0; i < s.rows.size(); ++i) {
        const Row &row = s.rows[i];
        INFO("row " << i << " at " << row.atMs << " ms");
        const QList<Transition> ts = m.evaluate(s.rule, row.atMs, resultOf(row.in));
        const AlertInstance *inst = m.instance(s.rule.name, kSeries);
        REQUIRE(inst != nullptr);
        CHECK(toString(inst->state).toStdString() == toString(row.state).toStdString());
        matched += inst->state == row.state;
        const Transition *t = stateChangeFor(ts, kSeries);
        if (row.reason) {
            REQUIRE(t != nullptr);
            CHECK(toString(t->reason).toStdString() == toString(*row.reason).toStdString());
            CHECK(t->to == row.state);
            CHECK(t->atMs == row.atMs);
        } else {
            CHECK(t == nullptr);
        }
    }
    return matched;
}

using R = TransitionReason;
using S = AlertState;

} // namespace

TEST_CASE("Rules state machine: threshold transitions, for and keep_firing_for", "[rules][state]")
{
    // Fire above 0.25, recover only at or below 0.20 (DESIGN.md's example).
    const Condition hyst = Condition::above(0.25, 0.20);
    const std::vector<Scenario> scenarios{
        {"Normal to Pending to Firing once for has held", makeRule(hyst, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {1 * kMin, v(0.3), S::Pending, {}},
          {2 * kMin - 1, v(0.3), S::Pending, {}},
          {2 * kMin, v(0.3), S::Firing, R::PendingElapsed}}},
        {"Pending to Normal when the breach stops before for", makeRule(hyst, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet}, {1 * kMin, v(0.1), S::Normal, R::ConditionCleared}}},
        {"Pending is not held by hysteresis: 0.22 clears it", makeRule(hyst, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet}, {1 * kMin, v(0.22), S::Normal, R::ConditionCleared}}},
        {"Pending restarts the for clock after clearing", makeRule(hyst, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {1 * kMin, v(0.1), S::Normal, R::ConditionCleared},
          {2 * kMin, v(0.3), S::Pending, R::ConditionMet},
          {3 * kMin, v(0.3), S::Pending, {}},
          {4 * kMin, v(0.3), S::Firing, R::PendingElapsed}}},
        {"for 0 fires on the first breaching evaluation", makeRule(hyst),
         {{0, v(0.3), S::Firing, R::ConditionMet}}},
        {"the threshold itself does not breach (strict >)", makeRule(hyst),
         {{0, v(0.25), S::Normal, {}}, {1 * kMin, v(0.2500001), S::Firing, R::ConditionMet}}},
        {"hysteresis: 0.22 holds a firing alert open, 0.20 recovers it", makeRule(hyst),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.22), S::Recovering, R::BelowRecovery},
          {2 * kMin, v(0.24), S::Recovering, {}},
          {3 * kMin, v(0.20), S::Normal, R::Recovered}}},
        {"Firing to Recovering to Firing when the breach returns", makeRule(hyst),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.22), S::Recovering, R::BelowRecovery},
          {2 * kMin, v(0.3), S::Firing, R::ConditionReturned}}},
        {"without hysteresis the first non-breaching value resolves", makeRule(Condition::above(0.25)),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, v(0.25), S::Normal, R::Recovered}}},
        {"keep_firing_for: Recovering until it has elapsed, then Normal", makeRule(hyst, 0, 5 * kMin),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.1), S::Recovering, R::KeepFiring},
          {5 * kMin, v(0.1), S::Recovering, {}},
          {6 * kMin - 1, v(0.1), S::Recovering, {}},
          {6 * kMin, v(0.1), S::Normal, R::Recovered}}},
        {"keep_firing_for restarts when the breach returns", makeRule(hyst, 0, 5 * kMin),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.1), S::Recovering, R::KeepFiring},
          {2 * kMin, v(0.3), S::Firing, R::ConditionReturned},
          {3 * kMin, v(0.1), S::Recovering, R::KeepFiring},
          {7 * kMin, v(0.1), S::Recovering, {}},
          {8 * kMin, v(0.1), S::Normal, R::Recovered}}},
        {"keep_firing_for counts only recovered evaluations: the hysteresis band restarts it",
         makeRule(hyst, 0, 5 * kMin),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.1), S::Recovering, R::KeepFiring},
          {2 * kMin, v(0.22), S::Recovering, {}},
          {3 * kMin, v(0.1), S::Recovering, {}},
          {7 * kMin, v(0.1), S::Recovering, {}},
          {8 * kMin, v(0.1), S::Normal, R::Recovered}}},
        {"for and keep_firing_for together", makeRule(hyst, 2 * kMin, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {2 * kMin, v(0.3), S::Firing, R::PendingElapsed},
          {3 * kMin, v(0.1), S::Recovering, R::KeepFiring},
          {5 * kMin, v(0.1), S::Normal, R::Recovered}}},
    };
    for (const Scenario &s : scenarios) {
        DYNAMIC_SECTION(s.name) { CHECK(run(s) == int(s.rows.size())); }
    }
}

TEST_CASE("Rules state machine: Below and OutsideBand with recovery bands", "[rules][state]")
{
    const std::vector<Scenario> scenarios{
        {"Below fires under the threshold and recovers at or above recover",
         makeRule(Condition::below(0.90, 0.95)),
         {{0, v(0.90), S::Normal, {}},
          {1 * kMin, v(0.85), S::Firing, R::ConditionMet},
          {2 * kMin, v(0.92), S::Recovering, R::BelowRecovery},
          {3 * kMin, v(0.89), S::Firing, R::ConditionReturned},
          {4 * kMin, v(0.95), S::Normal, R::Recovered}}},
        {"OutsideBand fires on either side and recovers inside the recovery band",
         makeRule(Condition::outside(10, 100, 20, 80)),
         {{0, v(10), S::Normal, {}},
          {1 * kMin, v(100), S::Normal, {}},
          {2 * kMin, v(5), S::Firing, R::ConditionMet},
          {3 * kMin, v(15), S::Recovering, R::BelowRecovery},
          {4 * kMin, v(20), S::Normal, R::Recovered},
          {5 * kMin, v(120), S::Firing, R::ConditionMet},
          {6 * kMin, v(90), S::Recovering, R::BelowRecovery},
          {7 * kMin, v(80), S::Normal, R::Recovered}}},
        {"OutsideBand without a recovery band recovers anywhere inside the band",
         makeRule(Condition::outside(10, 100)),
         {{0, v(101), S::Firing, R::ConditionMet}, {1 * kMin, v(100), S::Normal, R::Recovered}}},
    };
    for (const Scenario &s : scenarios) {
        DYNAMIC_SECTION(s.name) { CHECK(run(s) == int(s.rows.size())); }
    }
}

TEST_CASE("Rules state machine: ReturnsAnything fires for every returned series", "[rules][state]")
{
    const std::vector<Scenario> scenarios{
        {"any value fires, leaving the result recovers", makeRule(Condition::returnsAnything()),
         {{0, v(0), S::Firing, R::ConditionMet},
          {1 * kMin, v(-5), S::Firing, {}},
          {2 * kMin, gone(), S::Normal, R::Recovered}}},
        {"for applies: leaving the result while Pending clears", makeRule(Condition::returnsAnything(), kMin),
         {{0, v(1), S::Pending, R::ConditionMet}, {30 * kSec, gone(), S::Normal, R::ConditionCleared}}},
        {"keep_firing_for applies to leaving the result",
         makeRule(Condition::returnsAnything(), 0, 2 * kMin),
         {{0, v(1), S::Firing, R::ConditionMet},
          {1 * kMin, gone(), S::Recovering, R::KeepFiring},
          {3 * kMin, gone(), S::Normal, R::Recovered}}},
        // rule.h: "every series the query returns fires, whatever its value".
        {"a NaN sample is still a returned series and fires", makeRule(Condition::returnsAnything()),
         {{0, v(kNaN), S::Firing, R::ConditionMet}}},
    };
    for (const Scenario &s : scenarios) {
        DYNAMIC_SECTION(s.name) { CHECK(run(s) == int(s.rows.size())); }
    }
}

TEST_CASE("Rules state machine: ReturnsAnything treats the empty result as healthy", "[rules][state]")
{
    const Rule rule = makeRule(Condition::returnsAnything());
    AlertStateMachine m;
    CHECK(m.evaluate(rule, 0, {}).isEmpty());
    CHECK(m.evaluate(rule, kMin, {}).isEmpty());
    CHECK(m.instanceCount() == 0);
}

TEST_CASE("Rules state machine: a ReturnsAnything rule-level error ends on the next good empty result",
          "[rules][state]")
{
    // The rule's healthy answer is the empty one: once the query works
    // again, the DatasourceError-like instance must end, not turn into NoData.
    const Rule rule = makeRule(Condition::returnsAnything());
    AlertStateMachine m;
    m.evaluate(rule, 0, QueryResult::failure(QStringLiteral("timeout")));
    const AlertInstance *ruleLevel = m.instance(rule.name, SeriesKey());
    REQUIRE(ruleLevel != nullptr);
    CHECK(ruleLevel->state == AlertState::Error);

    const QList<Transition> ts = m.evaluate(rule, kMin, {});
    ruleLevel = m.instance(rule.name, SeriesKey());
    REQUIRE(ruleLevel != nullptr);
    CHECK(ruleLevel->state == AlertState::Normal);
    REQUIRE(ts.size() == 1);
    CHECK(ts[0].from == AlertState::Error);
    CHECK(ts[0].to == AlertState::Normal);
    CHECK(ts[0].reason == TransitionReason::DataReturned);
}

TEST_CASE("Rules state machine: no-data policies for a series missing from a good result", "[rules][state][nodata]")
{
    auto withNoData = [](StatePolicy p, qint64 forMs = 0) {
        Rule r = makeRule(Condition::above(0.25, 0.20), forMs);
        r.noDataPolicy = p;
        return r;
    };
    const std::vector<Scenario> scenarios{
        {"nodata (default): a firing alert goes NoData at once, data back resumes firing",
         withNoData(StatePolicy::NoData),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, gone(), S::NoData, R::NoData},
          {2 * kMin, gone(), S::NoData, {}},
          {3 * kMin, v(0.3), S::Firing, R::DataReturned}}},
        {"nodata: an alert that fired resolves through the recovery threshold when data returns",
         withNoData(StatePolicy::NoData),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, gone(), S::NoData, R::NoData},
          {2 * kMin, v(0.22), S::Recovering, R::DataReturned},
          {3 * kMin, v(0.1), S::Normal, R::Recovered}}},
        {"nodata: a healthy series that vanishes waits for then goes NoData",
         withNoData(StatePolicy::NoData, 2 * kMin),
         {{0, v(0.1), S::Normal, {}},
          {1 * kMin, gone(), S::Pending, R::NoData},
          {2 * kMin, gone(), S::Pending, {}},
          {3 * kMin, gone(), S::NoData, R::PendingElapsed},
          {4 * kMin, v(0.1), S::Normal, R::DataReturned}}},
        {"nodata: a NoData problem that never fired and returns breaching starts over",
         withNoData(StatePolicy::NoData),
         {{0, v(0.1), S::Normal, {}},
          {1 * kMin, gone(), S::NoData, R::NoData},
          {2 * kMin, v(0.3), S::Firing, R::DataReturned}}},
        {"nodata: Pending becomes whatever the latest evaluation says when for elapses",
         withNoData(StatePolicy::NoData, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {1 * kMin, gone(), S::Pending, {}},
          {2 * kMin, gone(), S::NoData, R::PendingElapsed}}},
        {"nodata: an open alert goes NoData at once, without waiting for again",
         withNoData(StatePolicy::NoData, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {2 * kMin, v(0.3), S::Firing, R::PendingElapsed},
          {3 * kMin, gone(), S::NoData, R::NoData},
          {4 * kMin, v(0.3), S::Firing, R::DataReturned}}},
        {"a NaN sample is no data for its instance", withNoData(StatePolicy::NoData),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, v(kNaN), S::NoData, R::NoData}}},
        {"ok: a missing series goes Normal at once", withNoData(StatePolicy::Ok),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, gone(), S::Normal, R::NoData}}},
        {"ok: a Pending one clears", withNoData(StatePolicy::Ok, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet}, {1 * kMin, gone(), S::Normal, R::NoData}}},
        {"alerting: a firing alert keeps firing", withNoData(StatePolicy::Alerting),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, gone(), S::Firing, {}}}},
        {"alerting: a healthy series that vanishes is a breach, with the no-data reason",
         withNoData(StatePolicy::Alerting, 2 * kMin),
         {{0, v(0.1), S::Normal, {}},
          {1 * kMin, gone(), S::Pending, R::NoData},
          {3 * kMin, gone(), S::Firing, R::PendingElapsed}}},
        {"alerting: a Recovering alert fires again, with the no-data reason", withNoData(StatePolicy::Alerting),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.22), S::Recovering, R::BelowRecovery},
          {2 * kMin, gone(), S::Firing, R::NoData}}},
        {"keep-last: a firing alert keeps firing", withNoData(StatePolicy::KeepLast),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, gone(), S::Firing, {}}}},
        {"keep-last: a healthy series stays Normal", withNoData(StatePolicy::KeepLast),
         {{0, v(0.1), S::Normal, {}}, {1 * kMin, gone(), S::Normal, {}}}},
        {"keep-last: a Pending one still fires when for elapses", withNoData(StatePolicy::KeepLast, 2 * kMin),
         {{0, v(0.3), S::Pending, R::ConditionMet},
          {1 * kMin, gone(), S::Pending, {}},
          {2 * kMin, gone(), S::Firing, R::PendingElapsed}}},
        {"keep-last: Recovering stays Recovering", withNoData(StatePolicy::KeepLast),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, v(0.22), S::Recovering, R::BelowRecovery},
          {2 * kMin, gone(), S::Recovering, {}}}},
        {"error policy as no-data policy: a missing series goes Error", withNoData(StatePolicy::Error),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, gone(), S::Error, R::NoData}}},
    };
    for (const Scenario &s : scenarios) {
        DYNAMIC_SECTION(s.name) { CHECK(run(s) == int(s.rows.size())); }
    }
}

TEST_CASE("Rules state machine: error policies for a failed query", "[rules][state][error]")
{
    auto withError = [](StatePolicy p, qint64 forMs = 0) {
        Rule r = makeRule(Condition::above(0.25, 0.20), forMs);
        r.errorPolicy = p;
        return r;
    };
    const std::vector<Scenario> scenarios{
        {"error (default): a firing alert goes Error, data back resumes firing", withError(StatePolicy::Error),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, fail(), S::Error, R::QueryError},
          {2 * kMin, fail(), S::Error, {}},
          {3 * kMin, v(0.3), S::Firing, R::DataReturned}}},
        {"error: a healthy present instance goes Error after for, then back to Normal",
         withError(StatePolicy::Error, kMin),
         {{0, v(0.1), S::Normal, {}},
          {1 * kMin, fail(), S::Pending, R::QueryError},
          {2 * kMin, fail(), S::Error, R::PendingElapsed},
          {3 * kMin, v(0.1), S::Normal, R::DataReturned}}},
        {"nodata: a failed query puts the instance in NoData", withError(StatePolicy::NoData),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, fail(), S::NoData, R::QueryError}}},
        {"ok: a failed query resolves", withError(StatePolicy::Ok),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, fail(), S::Normal, R::QueryError}}},
        {"alerting: a failed query on a healthy instance fires, with the error reason",
         withError(StatePolicy::Alerting),
         {{0, v(0.1), S::Normal, {}}, {1 * kMin, fail(), S::Firing, R::QueryError}}},
        {"alerting: a firing alert keeps firing", withError(StatePolicy::Alerting),
         {{0, v(0.3), S::Firing, R::ConditionMet}, {1 * kMin, fail(), S::Firing, {}}}},
        {"keep-last: a failed query changes nothing", withError(StatePolicy::KeepLast),
         {{0, v(0.3), S::Firing, R::ConditionMet},
          {1 * kMin, fail(), S::Firing, {}},
          {2 * kMin, v(0.1), S::Normal, R::Recovered}}},
    };
    for (const Scenario &s : scenarios) {
        DYNAMIC_SECTION(s.name) { CHECK(run(s) == int(s.rows.size())); }
    }
}

TEST_CASE("Rules state machine: stateSince and activeSince timestamps", "[rules][state]")
{
    const Rule rule = makeRule(Condition::above(0.25, 0.20), 2 * kMin);
    AlertStateMachine m;
    auto inst = [&] { return m.instance(rule.name, kSeries); };
    m.evaluate(rule, 1 * kMin, resultOf(v(0.1)));
    CHECK(inst()->activeSinceMs == 0);
    CHECK(inst()->lastEvalMs == 1 * kMin);
    CHECK(inst()->lastValue == Approx(0.1));
    m.evaluate(rule, 2 * kMin, resultOf(v(0.3)));
    CHECK(inst()->activeSinceMs == 2 * kMin); // the problem began with Pending
    CHECK(inst()->stateSinceMs == 2 * kMin);
    m.evaluate(rule, 4 * kMin, resultOf(v(0.3)));
    CHECK(inst()->state == AlertState::Firing);
    CHECK(inst()->stateSinceMs == 4 * kMin);
    CHECK(inst()->activeSinceMs == 2 * kMin);
    m.evaluate(rule, 5 * kMin, {}); // NoData: the same problem
    m.evaluate(rule, 6 * kMin, resultOf(v(0.22)));
    CHECK(inst()->state == AlertState::Recovering);
    CHECK(inst()->activeSinceMs == 2 * kMin);
    CHECK(inst()->stateSinceMs == 6 * kMin);
    m.evaluate(rule, 7 * kMin, resultOf(v(0.1)));
    CHECK(inst()->state == AlertState::Normal);
    CHECK(inst()->activeSinceMs == 0);
    CHECK(inst()->stateSinceMs == 7 * kMin);
}

TEST_CASE("Rules state machine: a failed query records its error on the transition and instance", "[rules][state][error]")
{
    const Rule rule = makeRule(Condition::above(0.25));
    AlertStateMachine m;
    m.evaluate(rule, 0, resultOf(v(0.3)));
    const QList<Transition> ts = m.evaluate(rule, kMin, QueryResult::failure(QStringLiteral("prom: 503")));
    REQUIRE(ts.size() == 1);
    CHECK(ts[0].reason == TransitionReason::QueryError);
    CHECK(ts[0].detail == QStringLiteral("prom: 503"));
    CHECK(std::isnan(ts[0].value));
    const AlertInstance *inst = m.instance(rule.name, kSeries);
    REQUIRE(inst);
    CHECK(inst->lastError == QStringLiteral("prom: 503"));
    CHECK(inst->lastValue == Approx(0.3)); // the last value seen survives the error
    m.evaluate(rule, 2 * kMin, resultOf(v(0.3)));
    CHECK(m.instance(rule.name, kSeries)->lastError.isEmpty());
}

TEST_CASE("Rules state machine: rule-level instance for a failure or empty result with no series", "[rules][state][nodata]")
{
    Rule rule = makeRule(Condition::above(0.25));
    AlertStateMachine m;

    SECTION("a failed first query gives one rule-level Error instance, ended by data")
    {
        QList<Transition> ts = m.evaluate(rule, 0, QueryResult::failure(QStringLiteral("down")));
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].instance.series.isEmpty());
        CHECK(ts[0].instance.toString() == rule.name);
        CHECK(ts[0].to == AlertState::Error);
        CHECK(ts[0].detail == QStringLiteral("down"));

        ts = m.evaluate(rule, kMin, resultOf(v(0.1)));
        const AlertInstance *ruleLevel = m.instance(rule.name, SeriesKey());
        REQUIRE(ruleLevel);
        CHECK(ruleLevel->state == AlertState::Normal);
        const Transition *t = stateChangeFor(ts, SeriesKey());
        REQUIRE(t);
        CHECK(t->reason == TransitionReason::DataReturned);
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::Normal);
    }
    SECTION("an empty first result gives one rule-level NoData instance")
    {
        const QList<Transition> ts = m.evaluate(rule, 0, {});
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].to == AlertState::NoData);
        CHECK(ts[0].reason == TransitionReason::NoData);
        CHECK(m.instanceCount() == 1);
        CHECK(m.evaluate(rule, kMin, {}).isEmpty()); // still NoData, no new transition
    }
    SECTION("the rule-level NoData instance honours for")
    {
        rule.forMs = 2 * kMin;
        CHECK(m.evaluate(rule, 0, {}).at(0).to == AlertState::Pending);
        CHECK(m.evaluate(rule, kMin, {}).isEmpty());
        const QList<Transition> ts = m.evaluate(rule, 2 * kMin, {});
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].to == AlertState::NoData);
        CHECK(ts[0].reason == TransitionReason::PendingElapsed);
    }
    SECTION("policy ok creates no instance at all")
    {
        rule.noDataPolicy = StatePolicy::Ok;
        rule.errorPolicy = StatePolicy::Ok;
        CHECK(m.evaluate(rule, 0, {}).isEmpty());
        CHECK(m.evaluate(rule, kMin, QueryResult::failure(QStringLiteral("x"))).isEmpty());
        CHECK(m.instanceCount() == 0);
    }
    SECTION("with live instances a failure goes to them, not to a rule-level instance")
    {
        m.evaluate(rule, 0, resultOf(v(0.3)));
        m.evaluate(rule, kMin, QueryResult::failure(QStringLiteral("x")));
        CHECK(m.instance(rule.name, SeriesKey()) == nullptr);
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::Error);
    }
}

TEST_CASE("Rules state machine: a vanished series is never silently resolved", "[rules][state][nodata]")
{
    Rule rule = makeRule(Condition::above(0.25));
    REQUIRE(rule.resolveMissingAfterMs == 24 * kHour); // the documented default
    AlertStateMachine m;
    m.evaluate(rule, 0, resultOf(v(0.3)));

    SECTION("NoData until resolveMissingAfterMs, then Normal with reason MissingSeries")
    {
        CHECK(m.evaluate(rule, kMin, {}).at(0).to == AlertState::NoData);
        CHECK(m.evaluate(rule, kMin + 24 * kHour - 1, {}).isEmpty());
        const QList<Transition> ts = m.evaluate(rule, kMin + 24 * kHour, {});
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].from == AlertState::NoData);
        CHECK(ts[0].to == AlertState::Normal);
        CHECK(ts[0].reason == TransitionReason::MissingSeries);
        CHECK(ts[0].resolves());
        // No rule-level NoData instance appears in its place.
        CHECK(m.instance(rule.name, SeriesKey()) == nullptr);
    }
    SECTION("keep-last keeps it firing until resolveMissingAfterMs")
    {
        rule.noDataPolicy = StatePolicy::KeepLast;
        CHECK(m.evaluate(rule, kMin, {}).isEmpty());
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::Firing);
        const QList<Transition> ts = m.evaluate(rule, kMin + 24 * kHour, {});
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].reason == TransitionReason::MissingSeries);
    }
    SECTION("the missing clock restarts when the series comes back")
    {
        rule.resolveMissingAfterMs = 10 * kMin;
        m.evaluate(rule, kMin, {});
        m.evaluate(rule, 2 * kMin, resultOf(v(0.3)));
        m.evaluate(rule, 3 * kMin, {});
        CHECK(m.evaluate(rule, 12 * kMin, {}).isEmpty()); // 9 min since it went missing again
        CHECK(m.evaluate(rule, 13 * kMin, {}).at(0).reason == TransitionReason::MissingSeries);
    }
    SECTION("0 never resolves a missing series")
    {
        rule.resolveMissingAfterMs = 0;
        m.evaluate(rule, kMin, {});
        CHECK(m.evaluate(rule, 30 * 24 * kHour, {}).isEmpty());
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::NoData);
    }
    SECTION("only the missing series is affected: others keep their own state")
    {
        QueryResult onlyOther;
        onlyOther.samples.append({kOther, 0.1});
        m.evaluate(rule, kMin, onlyOther);
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::NoData);
        CHECK(m.instance(rule.name, kOther)->state == AlertState::Normal);
    }
}

TEST_CASE("Rules state machine: flapping, Nagios weighted percent state change", "[rules][state][flapping]")
{
    Rule rule = makeRule(Condition::above(0.25));
    rule.flapping = FlapSettings{}; // enabled, 20 % / 5 %
    REQUIRE(rule.flapping.enabled);
    REQUIRE(rule.flapping.highPercent == 20.0);
    REQUIRE(rule.flapping.lowPercent == 5.0);
    AlertStateMachine m;
    qint64 t = 0;
    auto eval = [&](double x) { return m.evaluate(rule, t += kMin, resultOf(v(x))); };
    auto inst = [&] { return m.instance(rule.name, kSeries); };
    auto has = [](const QList<Transition> &ts, TransitionReason r) {
        return std::any_of(ts.begin(), ts.end(), [r](const Transition &x) { return x.reason == r; });
    };

    SECTION("three open/closed changes are not flapping, the fourth is")
    {
        eval(0.3);
        eval(0.1);
        eval(0.3);
        // 1.25 + (1.25 - 0.5/19) + (1.25 - 1/19) over 20, as a percent.
        CHECK(inst()->flapPercent() == Approx((3 * 1.25 - 3 * 0.5 / 19) * 5));
        CHECK_FALSE(inst()->flapping);
        const QList<Transition> ts = eval(0.1);
        CHECK(inst()->flapPercent() == Approx((4 * 1.25 - 6 * 0.5 / 19) * 5)); // ~24.2 %
        CHECK(inst()->flapping);
        REQUIRE(ts.size() == 2);
        CHECK(ts[0].to == AlertState::Normal);
        CHECK(ts[0].flapping);
        CHECK(ts[1].reason == TransitionReason::FlappingStarted);
        CHECK(ts[1].from == ts[1].to);
    }
    SECTION("flapping stops once the weighted percent falls below 5")
    {
        eval(0.3);
        eval(0.1);
        eval(0.3);
        eval(0.1); // flapping from here: changes at evaluations 1..4
        REQUIRE(inst()->flapping);
        // Evaluation n keeps the changes of evaluations n-19..n. At 22 the
        // changes of 3 and 4 remain with the two oldest weights: 7.6 %, still
        // >= 5; at 23 only one remains (3.75 %): flapping stops.
        int stoppedAt = 0;
        for (int n = 5; n <= 30 && !stoppedAt; ++n) {
            const QList<Transition> ts = eval(0.1);
            if (has(ts, TransitionReason::FlappingStopped))
                stoppedAt = n;
        }
        CHECK(stoppedAt == 23);
        CHECK_FALSE(inst()->flapping);
    }
    SECTION("changes between closed states (Normal, Pending) do not count")
    {
        rule.forMs = 10 * kMin;
        for (int i = 0; i < 10; ++i) {
            eval(0.3);
            eval(0.1);
        }
        CHECK(inst()->flapPercent() == 0);
        CHECK_FALSE(inst()->flapping);
    }
    SECTION("changes between open states (Firing, Recovering) do not count")
    {
        rule.condition = Condition::above(0.25, 0.20);
        eval(0.3);
        for (int i = 0; i < 10; ++i) {
            eval(0.22);
            eval(0.3);
        }
        CHECK_FALSE(inst()->flapping);
    }
    SECTION("disabled: never flapping")
    {
        rule.flapping.enabled = false;
        for (int i = 0; i < 10; ++i) {
            eval(0.3);
            eval(0.1);
        }
        CHECK_FALSE(inst()->flapping);
    }
    SECTION("disabling while flapping stops it at the next evaluation")
    {
        eval(0.3);
        eval(0.1);
        eval(0.3);
        eval(0.1);
        REQUIRE(inst()->flapping);
        rule.flapping.enabled = false;
        CHECK(has(eval(0.1), TransitionReason::FlappingStopped));
    }
    SECTION("the thresholds are per rule")
    {
        rule.flapping.highPercent = 10;
        eval(0.3);
        CHECK_FALSE(inst()->flapping); // one change: 6.25 %
        eval(0.1);
        CHECK(inst()->flapping); // two changes: 12.4 %
    }
}

TEST_CASE("Rules state machine: a flapping alert whose series vanished still stops flapping", "[rules][state][flapping]")
{
    // ReturnsAnything: the series coming and going is the flapping. Once it
    // stays gone the instance is Normal and not present; the flap window must
    // still run out, or the gate holds its resolved notice for ever.
    Rule rule = makeRule(Condition::returnsAnything());
    rule.flapping = FlapSettings{};
    AlertStateMachine m;
    qint64 t = 0;
    for (int i = 0; i < 2; ++i) {
        m.evaluate(rule, t += kMin, resultOf(v(1)));
        m.evaluate(rule, t += kMin, {});
    }
    const AlertInstance *inst = m.instance(rule.name, kSeries);
    REQUIRE(inst);
    REQUIRE(inst->flapping);
    REQUIRE(inst->state == AlertState::Normal);

    bool stopped = false;
    for (int n = 0; n < 30 && !stopped; ++n) {
        for (const Transition &tr : m.evaluate(rule, t += kMin, {}))
            stopped = stopped || tr.reason == TransitionReason::FlappingStopped;
    }
    CHECK(stopped);
    // Once settled it is an ordinary resolved instance: dropped after retention.
    m.evaluate(rule, t += AlertStateMachine::kDefaultResolvedRetentionMs, {});
    CHECK(m.instance(rule.name, kSeries) == nullptr);
}

TEST_CASE("Rules state machine: severity escalation steps", "[rules][state][severity]")
{
    Rule rule = makeRule(Condition::above(0.25, 0.20));
    rule.severity = Severity::Warning;
    rule.escalations = {{Comparison::Above, 0.5, Severity::Critical}, {Comparison::Above, 1.0, Severity::Page}};
    AlertStateMachine m;
    qint64 t = 0;
    auto eval = [&](double x) { return m.evaluate(rule, t += kMin, resultOf(v(x))); };

    SECTION("raised and lowered while firing, same instance")
    {
        QList<Transition> ts = eval(0.3);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].severity == Severity::Warning);
        const QString fp = ts[0].instance.fingerprint;

        ts = eval(0.6);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].reason == TransitionReason::SeverityRaised);
        CHECK(ts[0].from == AlertState::Firing);
        CHECK(ts[0].to == AlertState::Firing);
        CHECK(ts[0].previousSeverity == Severity::Warning);
        CHECK(ts[0].severity == Severity::Critical);
        CHECK(ts[0].instance.fingerprint == fp);

        ts = eval(1.2);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].severity == Severity::Page);

        CHECK(eval(1.1).isEmpty()); // still past the same step

        ts = eval(0.6);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].reason == TransitionReason::SeverityLowered);
        CHECK(ts[0].severity == Severity::Critical);
        CHECK(ts[0].previousSeverity == Severity::Page);
    }
    SECTION("the hysteresis band keeps the escalated severity, a new problem starts from the rule's")
    {
        eval(0.6);
        CHECK(m.instance(rule.name, kSeries)->severity == Severity::Critical);
        const QList<Transition> ts = eval(0.22);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].to == AlertState::Recovering);
        CHECK(ts[0].severity == Severity::Critical);
        CHECK(eval(0.1).at(0).severity == Severity::Critical); // the resolved alert's severity
        eval(0.1);
        CHECK(m.instance(rule.name, kSeries)->severity == Severity::Warning);
        CHECK(eval(0.3).at(0).severity == Severity::Warning);
    }
    SECTION("firing straight into a step carries its severity on the firing transition")
    {
        const QList<Transition> ts = eval(1.5);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].reason == TransitionReason::ConditionMet);
        CHECK(ts[0].severity == Severity::Page);
    }
    SECTION("while Pending the severity follows the value, with no transition")
    {
        rule.forMs = 2 * kMin;
        eval(0.3);
        CHECK(eval(0.6).isEmpty());
        const QList<Transition> ts = eval(0.6);
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].to == AlertState::Firing);
        CHECK(ts[0].severity == Severity::Critical);
    }
    SECTION("severityAt: Below steps, and a step below the rule's severity never lowers it")
    {
        Rule r;
        r.severity = Severity::Critical;
        r.escalations = {{Comparison::Below, 0.5, Severity::Page}, {Comparison::Above, 0, Severity::Info}};
        CHECK(r.severityAt(0.4) == Severity::Page);
        CHECK(r.severityAt(0.5) == Severity::Critical); // strict <
        CHECK(r.severityAt(5) == Severity::Critical);   // Info does not lower Critical
    }
}

TEST_CASE("Rules state machine: instances are identified by rule and labels", "[rules][state][identity]")
{
    const Rule rule = makeRule(Condition::above(0.25));
    AlertStateMachine m;

    SECTION("one instance per series, label order irrelevant")
    {
        QueryResult r;
        r.samples.append({SeriesKey("latency", {{"model", "fraud"}, {"version", "3"}}), 0.3});
        r.samples.append({SeriesKey("latency", {{"model", "spam"}, {"version", "3"}}), 0.1});
        m.evaluate(rule, 0, r);
        CHECK(m.instanceCount() == 2);
        QueryResult reordered;
        reordered.samples.append({SeriesKey("latency", {{"version", "3"}, {"model", "fraud"}}), 0.3});
        reordered.samples.append({SeriesKey("latency", {{"version", "3"}, {"model", "spam"}}), 0.1});
        CHECK(m.evaluate(rule, kMin, reordered).isEmpty());
        CHECK(m.instanceCount() == 2);
    }
    SECTION("the fingerprint is FNV-1a over rule and series, stable across processes")
    {
        // Computed independently (Python) from the construction in alert_instance.h.
        CHECK(fingerprintOf(QStringLiteral("HighP99Latency"), kSeries) == QStringLiteral("740c139afa94dbac"));
        CHECK(fingerprintOf(QStringLiteral("HighP99Latency"), SeriesKey()) == QStringLiteral("56e0571f20d3b923"));
        const AlertInstanceId id = AlertInstanceId::make(QStringLiteral("HighP99Latency"), kSeries);
        CHECK(id.fingerprint.size() == 16);
        CHECK(id.toString() == QStringLiteral(R"(HighP99Latency{model="fraud"})"));
    }
    SECTION("the same series under two rules is two instances")
    {
        Rule other = rule;
        other.name = QStringLiteral("AnotherRule");
        const QString a = m.evaluate(rule, 0, resultOf(v(0.3))).at(0).instance.fingerprint;
        const QString b = m.evaluate(other, 0, resultOf(v(0.3))).at(0).instance.fingerprint;
        CHECK(a != b);
        CHECK(m.instanceCount() == 2);
        REQUIRE(m.instance(a));
        CHECK(m.instance(a)->id.rule == rule.name);
        CHECK(m.instance(b)->id.rule == other.name);
        CHECK(m.instances().size() == 2);
        CHECK(m.instances(other.name).size() == 1);
        CHECK(m.instance(QStringLiteral("0000000000000000")) == nullptr);
    }
    SECTION("transitions come in result order, missing instances after")
    {
        const SeriesKey a("latency", {{"model", "a"}});
        const SeriesKey b("latency", {{"model", "b"}});
        const SeriesKey c("latency", {{"model", "c"}});
        QueryResult first;
        first.samples = {{c, 0.3}};
        m.evaluate(rule, 0, first);
        QueryResult second;
        second.samples = {{b, 0.3}, {a, 0.3}};
        const QList<Transition> ts = m.evaluate(rule, kMin, second);
        REQUIRE(ts.size() == 3);
        CHECK(ts[0].instance.series == b);
        CHECK(ts[1].instance.series == a);
        CHECK(ts[2].instance.series == c);
        CHECK(ts[2].to == AlertState::NoData);
    }
    SECTION("the out-parameter overload appends")
    {
        QList<Transition> out;
        m.evaluate(rule, 0, resultOf(v(0.3)), out);
        m.evaluate(rule, kMin, resultOf(v(0.1)), out);
        REQUIRE(out.size() == 2);
        CHECK(out[0].to == AlertState::Firing);
        CHECK(out[1].to == AlertState::Normal);
    }
}

TEST_CASE("Rules state machine: resolved instances are kept for the retention, then dropped", "[rules][state][retention]")
{
    REQUIRE(AlertStateMachine::kDefaultResolvedRetentionMs == 15 * kMin);
    const Rule rule = makeRule(Condition::returnsAnything());

    SECTION("default 15 minutes from resolution")
    {
        AlertStateMachine m;
        m.evaluate(rule, 0, resultOf(v(1)));
        m.evaluate(rule, kMin, {}); // resolved at 1 min
        m.evaluate(rule, kMin + 15 * kMin - 1, {});
        REQUIRE(m.instance(rule.name, kSeries));
        CHECK(m.instance(rule.name, kSeries)->state == AlertState::Normal);
        CHECK(m.evaluate(rule, kMin + 15 * kMin, {}).isEmpty()); // dropped with no transition
        CHECK(m.instance(rule.name, kSeries) == nullptr);
        CHECK(m.instanceCount() == 0);
    }
    SECTION("a custom retention")
    {
        AlertStateMachine m(0);
        m.evaluate(rule, 0, resultOf(v(1)));
        m.evaluate(rule, kMin, {});
        const QString fp = fingerprintOf(rule.name, kSeries);
        CHECK(m.instance(fp) != nullptr);
        m.evaluate(rule, 2 * kMin, {});
        CHECK(m.instance(fp) == nullptr);
    }
    SECTION("a dropped series that returns is a fresh instance")
    {
        AlertStateMachine m(0);
        m.evaluate(rule, 0, resultOf(v(1)));
        m.evaluate(rule, kMin, {});
        m.evaluate(rule, 2 * kMin, {});
        const QList<Transition> ts = m.evaluate(rule, 3 * kMin, resultOf(v(1)));
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].from == AlertState::Normal);
        CHECK(ts[0].to == AlertState::Firing);
        CHECK(m.instance(rule.name, kSeries)->activeSinceMs == 3 * kMin);
    }
}

TEST_CASE("Rules state machine: restore puts instances back where they were", "[rules][state][persistence]")
{
    Rule rule = makeRule(Condition::above(0.25, 0.20), 0, 0);
    AlertStateMachine first;
    first.evaluate(rule, 0, resultOf(v(0.3)));
    QList<AlertInstance> saved = first.instances();
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].activeSinceMs == 0);
    saved[0].id.fingerprint = QStringLiteral("tampered"); // the key is the identity, not the stored text

    AlertStateMachine second;
    second.restore(saved);
    const QString fp = fingerprintOf(rule.name, kSeries);
    REQUIRE(second.instance(fp));
    CHECK(second.instance(fp)->state == AlertState::Firing);
    CHECK(second.instance(QStringLiteral("tampered")) == nullptr);

    SECTION("still breaching: no second firing transition")
    {
        CHECK(second.evaluate(rule, kMin, resultOf(v(0.3))).isEmpty());
    }
    SECTION("the hysteresis of a restored firing alert still applies")
    {
        CHECK(second.evaluate(rule, kMin, resultOf(v(0.22))).at(0).to == AlertState::Recovering);
    }
    SECTION("recovered: resolves")
    {
        const QList<Transition> ts = second.evaluate(rule, kMin, resultOf(v(0.1)));
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].from == AlertState::Firing);
        CHECK(ts[0].resolves());
    }
    SECTION("a restored Pending alert keeps its for clock")
    {
        rule.forMs = 5 * kMin;
        AlertStateMachine a;
        a.evaluate(rule, 0, resultOf(v(0.3)));
        AlertStateMachine b;
        b.restore(a.instances());
        CHECK(b.evaluate(rule, 4 * kMin, resultOf(v(0.3))).isEmpty());
        CHECK(b.evaluate(rule, 5 * kMin, resultOf(v(0.3))).at(0).reason == TransitionReason::PendingElapsed);
    }
}

TEST_CASE("Rules state machine: removeRule forgets a rule's instances only", "[rules][state]")
{
    const Rule rule = makeRule(Condition::above(0.25));
    Rule other = rule;
    other.name = QStringLiteral("Other");
    AlertStateMachine m;
    const QString fp = m.evaluate(rule, 0, resultOf(v(0.3))).at(0).instance.fingerprint;
    m.evaluate(other, 0, resultOf(v(0.3)));
    REQUIRE(m.instanceCount() == 2);

    m.removeRule(rule.name);
    CHECK(m.instanceCount() == 1);
    CHECK(m.instance(fp) == nullptr);
    CHECK(m.instance(rule.name, kSeries) == nullptr);
    CHECK(m.instance(other.name, kSeries) != nullptr);
    m.removeRule(QStringLiteral("never-existed")); // harmless

    // Re-added, it starts from Normal: the firing is new.
    const QList<Transition> ts = m.evaluate(rule, kMin, resultOf(v(0.3)));
    REQUIRE(ts.size() == 1);
    CHECK(ts[0].from == AlertState::Normal);
    CHECK(ts[0].to == AlertState::Firing);
}

TEST_CASE("Rules state machine: open states and transition predicates", "[rules][state]")
{
    CHECK_FALSE(isOpen(AlertState::Normal));
    CHECK_FALSE(isOpen(AlertState::Pending));
    CHECK(isOpen(AlertState::Firing));
    CHECK(isOpen(AlertState::Recovering));
    CHECK(isOpen(AlertState::NoData));
    CHECK(isOpen(AlertState::Error));

    Transition t;
    t.from = AlertState::Pending;
    t.to = AlertState::Firing;
    CHECK(t.opens());
    CHECK_FALSE(t.resolves());
    t.from = AlertState::Recovering;
    t.to = AlertState::Normal;
    CHECK(t.resolves());
    t.from = AlertState::Firing;
    t.to = AlertState::NoData;
    CHECK_FALSE(t.opens());
    CHECK_FALSE(t.resolves());

    for (AlertState s : {AlertState::Normal, AlertState::Pending, AlertState::Firing, AlertState::Recovering,
                         AlertState::NoData, AlertState::Error})
        CHECK(alertStateFromString(toString(s)) == s);
    CHECK_FALSE(alertStateFromString(QStringLiteral("FIRING")).has_value());
}

TEST_CASE("Rules model: names, policies and validation", "[rules][model]")
{
    CHECK(severityFromString(QStringLiteral(" Critical ")) == Severity::Critical);
    CHECK(severityFromString(QStringLiteral("warn")) == Severity::Warning);
    CHECK_FALSE(severityFromString(QStringLiteral("urgent")).has_value());
    CHECK(Severity::Page > Severity::Critical);
    CHECK(Severity::Critical > Severity::Warning);
    CHECK(Severity::Warning > Severity::Info);

    CHECK(statePolicyFromString(QStringLiteral("Normal")) == StatePolicy::Ok);
    CHECK(statePolicyFromString(QStringLiteral("no_data")) == StatePolicy::NoData);
    CHECK(statePolicyFromString(QStringLiteral("no-data")) == StatePolicy::NoData);
    CHECK(statePolicyFromString(QStringLiteral("KeepLastState")) == StatePolicy::KeepLast);
    CHECK(statePolicyFromString(QStringLiteral("keep_last")) == StatePolicy::KeepLast);
    CHECK(statePolicyFromString(QStringLiteral("Alerting")) == StatePolicy::Alerting);
    CHECK(statePolicyFromString(QStringLiteral("error")) == StatePolicy::Error);
    CHECK_FALSE(statePolicyFromString(QStringLiteral("firing")).has_value());

    const Rule defaults;
    CHECK(defaults.noDataPolicy == StatePolicy::NoData); // Grafana's default
    CHECK(defaults.errorPolicy == StatePolicy::Error);   // Grafana's default
    CHECK(defaults.severity == Severity::Warning);
    CHECK(defaults.forMs == 0);
    CHECK(defaults.keepFiringForMs == 0);
    CHECK(defaults.flapping.enabled);
    CHECK(RuleGroup{}.intervalMs == 60'000);

    CHECK(Condition::above(0.25, 0.20).describe() == QStringLiteral("> 0.25 (recovers at <= 0.2)"));
    CHECK(Condition::above(0.25).describe() == QStringLiteral("> 0.25"));
    CHECK(Condition::below(0.9, 0.95).describe() == QStringLiteral("< 0.9 (recovers at >= 0.95)"));
    CHECK(Condition::outside(10, 100, 20, 80).describe() == QStringLiteral("outside [10, 100] (recovers inside [20, 80])"));
    CHECK(Condition::returnsAnything().describe() == QStringLiteral("returns any series"));

    CHECK(Condition::above(0.25, 0.20).validate().isEmpty());
    CHECK_FALSE(Condition::above(0.25, 0.30).validate().isEmpty()); // recovery above the threshold
    CHECK_FALSE(Condition::below(0.9, 0.8).validate().isEmpty());
    CHECK_FALSE(Condition::above(std::numeric_limits<double>::infinity()).validate().isEmpty());
    CHECK_FALSE(Condition::outside(100, 10).validate().isEmpty());
    CHECK_FALSE(Condition::outside(10, 100, 5, 80).validate().isEmpty()); // recovery band outside
    CHECK_FALSE(Condition::outside(10, 100, 50, 40).validate().isEmpty());

    Rule r = makeRule(Condition::above(0.25));
    CHECK(r.validate().isEmpty());
    r.name.clear();
    r.query = QStringLiteral("  ");
    r.forMs = -1;
    r.keepFiringForMs = -1;
    r.resolveMissingAfterMs = -1;
    r.flapping.enabled = true;
    r.flapping.lowPercent = 30;
    r.escalations = {{Comparison::Above, kNaN, Severity::Page}};
    CHECK(r.validate().size() == 7);
}
