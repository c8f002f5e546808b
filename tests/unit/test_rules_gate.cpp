// SPDX-License-Identifier: GPL-3.0-or-later
// NotificationGate (core/rules/notification_gate.h): which transitions become
// notifications, and whether each may go out now.
#include <catch2/catch.hpp>

#include "rules/acks.h"
#include "rules/alert_labels.h"
#include "rules/alert_state_machine.h"
#include "rules/notification_gate.h"
#include "rules/silences.h"

#include <vector>

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr qint64 kMin = 60'000;

const SeriesKey kSeries("latency", {{"model", "fraud"}});

// The state machine, the books and the gate wired as the engine wires them.
struct Harness
{
    Rule rule;
    AlertStateMachine machine;
    AckBook acks;
    SilenceBook silences;
    NotificationGate gate;
    qint64 now = 0;

    explicit Harness(GateOptions options = {})
        : gate(options)
    {
        rule.name = QStringLiteral("HighP99Latency");
        rule.query = QStringLiteral("q");
        rule.condition = Condition::above(0.25, 0.20);
        rule.flapping.enabled = false;
    }

    NotificationGate::LabelsFn labelsOf()
    {
        return [this](const AlertInstanceId &id) {
            const AlertInstance *inst = machine.instance(id.fingerprint);
            return inst ? alertLabels(rule, *inst) : id.series.labels();
        };
    }
    NotificationGate::Output run(const QueryResult &r)
    {
        now += kMin;
        return gate.process(machine.evaluate(rule, now, r), acks, silences, labelsOf(), now);
    }
    NotificationGate::Output eval(double value)
    {
        QueryResult r;
        r.samples.append({kSeries, value});
        return run(r);
    }
    NotificationGate::Output gone() { return run({}); }
    NotificationGate::Output tick(qint64 at) { return gate.tick(at, acks, machine, silences, labelsOf()); }

    QString fp() const { return fingerprintOf(rule.name, kSeries); }
    void ack(qint64 expiresAt = 0)
    {
        const AlertInstance *inst = machine.instance(fp());
        REQUIRE(inst);
        REQUIRE(acks.acknowledge(*inst, QStringLiteral("alice"), now, QStringLiteral("on it"), expiresAt).event);
    }
    void silence(qint64 from, qint64 to)
    {
        Silence s;
        s.matchers = {*LabelMatcher::create(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud"))};
        s.startsAtMs = from;
        s.endsAtMs = to;
        s.createdBy = QStringLiteral("bob");
        REQUIRE_FALSE(silences.add(s).isEmpty());
    }
};

QString labelOf(const Labels &labels, const char *name)
{
    for (const auto &[k, v] : labels) {
        if (k == QLatin1String(name))
            return v;
    }
    return {};
}

Transition manual(AlertState from, AlertState to, TransitionReason reason, bool flapping, qint64 at)
{
    Transition t;
    t.instance = AlertInstanceId::make(QStringLiteral("HighP99Latency"), kSeries);
    t.from = from;
    t.to = to;
    t.reason = reason;
    t.flapping = flapping;
    t.atMs = at;
    return t;
}

} // namespace

TEST_CASE("Gate: a firing notice when an alert opens, a resolved notice when it ends", "[rules][gate]")
{
    Harness h;
    NotificationGate::Output out = h.eval(0.3);
    REQUIRE(out.intents.size() == 1);
    const NotificationIntent &fire = out.intents[0];
    CHECK(fire.kind == IntentKind::Firing);
    CHECK(fire.state == AlertState::Firing);
    CHECK(fire.severity == Severity::Warning);
    CHECK(fire.value == Approx(0.3));
    CHECK(fire.atMs == h.now);
    CHECK(fire.reason == TransitionReason::ConditionMet);
    CHECK(fire.decision.notify);
    CHECK(fire.decision.suppressedBy == NotSuppressed);
    CHECK(fire.instance.fingerprint == h.fp());
    CHECK(labelOf(fire.labels, "alertname") == QStringLiteral("HighP99Latency"));
    CHECK(labelOf(fire.labels, "model") == QStringLiteral("fraud"));
    CHECK(labelOf(fire.labels, "severity") == QStringLiteral("warning"));
    CHECK(h.gate.isAnnounced(h.fp()));

    CHECK(h.eval(0.3).intents.isEmpty()); // still firing: repeats are the router's business

    out = h.eval(0.1);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Resolved);
    CHECK(out.intents[0].state == AlertState::Normal);
    CHECK(out.intents[0].decision.notify);
    CHECK_FALSE(h.gate.isAnnounced(h.fp()));
}

TEST_CASE("Gate: Pending notifies nothing, Firing after for does", "[rules][gate]")
{
    Harness h;
    h.rule.forMs = 2 * kMin;
    CHECK(h.eval(0.3).intents.isEmpty());
    CHECK(h.eval(0.3).intents.isEmpty());
    const NotificationGate::Output out = h.eval(0.3);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Firing);
    CHECK(out.intents[0].reason == TransitionReason::PendingElapsed);

    SECTION("a Pending alert that clears sends no resolved notice")
    {
        Harness p;
        p.rule.forMs = 2 * kMin;
        CHECK(p.eval(0.3).intents.isEmpty());
        CHECK(p.eval(0.1).intents.isEmpty());
    }
}

TEST_CASE("Gate: Recovering is still the firing alert to the outside", "[rules][gate]")
{
    Harness h;
    REQUIRE(h.eval(0.3).intents.size() == 1);
    CHECK(h.eval(0.22).intents.isEmpty()); // Firing -> Recovering
    CHECK(h.eval(0.3).intents.isEmpty());  // Recovering -> Firing
    CHECK(h.eval(0.22).intents.isEmpty());
    const NotificationGate::Output out = h.eval(0.2);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Resolved);
}

TEST_CASE("Gate: a change of kind (Firing, NoData, Error) is announced again", "[rules][gate]")
{
    Harness h;
    REQUIRE(h.eval(0.3).intents.size() == 1);
    NotificationGate::Output out = h.gone();
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Firing);
    CHECK(out.intents[0].state == AlertState::NoData);
    CHECK(out.intents[0].reason == TransitionReason::NoData);

    out = h.run(QueryResult::failure(QStringLiteral("prom: 502")));
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].state == AlertState::Error);
    CHECK(out.intents[0].detail == QStringLiteral("prom: 502"));

    out = h.eval(0.3);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Firing);
    CHECK(out.intents[0].state == AlertState::Firing);
    CHECK(out.intents[0].reason == TransitionReason::DataReturned);

    out = h.eval(0.1);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Resolved);
}

TEST_CASE("Gate: a resolved notice only for an alert whose firing notice went out", "[rules][gate]")
{
    Harness h;
    h.silence(0, 100 * kMin);
    NotificationGate::Output out = h.eval(0.3);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Firing);
    CHECK_FALSE(out.intents[0].decision.notify);
    CHECK(out.intents[0].decision.suppressedBy == SuppressedBySilence);
    CHECK_FALSE(h.gate.isAnnounced(h.fp()));
    CHECK(h.eval(0.1).intents.isEmpty()); // never announced: nothing to resolve
}

TEST_CASE("Gate: an acknowledged alert still sends its resolved notice", "[rules][gate][acks]")
{
    SECTION("by default")
    {
        Harness h;
        h.eval(0.3);
        h.ack();
        const NotificationGate::Output out = h.eval(0.1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Resolved);
        CHECK(out.intents[0].decision.notify);
        CHECK(out.intents[0].decision.suppressedBy == SuppressedByAck); // let through by the option
        REQUIRE(out.ackEvents.size() == 1);
        CHECK(out.ackEvents[0].kind == AckEvent::Kind::Lapsed);
        CHECK(h.acks.size() == 0);
        CHECK_FALSE(h.gate.isAnnounced(h.fp()));
    }
    SECTION("resolvedWhenAcked off: held, and the alert is over either way")
    {
        GateOptions o;
        o.resolvedWhenAcked = false;
        Harness h(o);
        h.eval(0.3);
        h.ack();
        const NotificationGate::Output out = h.eval(0.1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Resolved);
        CHECK_FALSE(out.intents[0].decision.notify);
        CHECK_FALSE(h.gate.isAnnounced(h.fp()));
        CHECK(h.acks.size() == 0);
    }
    SECTION("an acknowledged alert's change of kind is held by the ack")
    {
        Harness h;
        h.eval(0.3);
        h.ack();
        const NotificationGate::Output out = h.gone();
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].state == AlertState::NoData);
        CHECK_FALSE(out.intents[0].decision.notify);
        CHECK(out.intents[0].decision.suppressedBy == SuppressedByAck);
        CHECK(out.ackEvents.isEmpty()); // NoData is still open: the ack holds
    }
}

TEST_CASE("Gate: a silenced alert whose firing notice went out still sends its resolved notice", "[rules][gate][silences]")
{
    SECTION("by default")
    {
        Harness h;
        h.eval(0.3);
        h.silence(h.now, h.now + 60 * kMin);
        const NotificationGate::Output out = h.eval(0.1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Resolved);
        CHECK(out.intents[0].decision.notify);
        CHECK(out.intents[0].decision.suppressedBy == SuppressedBySilence);
    }
    SECTION("resolvedWhenSilenced off: held")
    {
        GateOptions o;
        o.resolvedWhenSilenced = false;
        Harness h(o);
        h.eval(0.3);
        h.silence(h.now, h.now + 60 * kMin);
        const NotificationGate::Output out = h.eval(0.1);
        REQUIRE(out.intents.size() == 1);
        CHECK_FALSE(out.intents[0].decision.notify);
        CHECK_FALSE(h.gate.isAnnounced(h.fp()));
    }
}

TEST_CASE("Gate: severity rising re-opens an acknowledgement or tells again", "[rules][gate][severity]")
{
    Harness h;
    h.rule.escalations = {{Comparison::Above, 0.5, Severity::Critical}, {Comparison::Above, 1.0, Severity::Page}};
    REQUIRE(h.eval(0.3).intents.size() == 1);

    SECTION("acknowledged at warning, now critical: Reopened, sent despite the ack")
    {
        h.ack();
        const NotificationGate::Output out = h.eval(0.6);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Reopened);
        CHECK(out.intents[0].reopenedBecause == AckEvent::Cause::SeverityRaised);
        CHECK(out.intents[0].severity == Severity::Critical);
        CHECK(out.intents[0].reason == TransitionReason::SeverityRaised);
        CHECK(out.intents[0].decision.notify);
        CHECK(labelOf(out.intents[0].labels, "severity") == QStringLiteral("critical"));
        REQUIRE(out.ackEvents.size() == 1);
        CHECK(out.ackEvents[0].kind == AckEvent::Kind::Reopened);
        CHECK(out.ackEvents[0].cause == AckEvent::Cause::SeverityRaised);
        CHECK_FALSE(h.acks.isAcked(h.fp(), h.now));
    }
    SECTION("not acknowledged: a Firing notice again, at the new severity")
    {
        NotificationGate::Output out = h.eval(0.6);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Firing);
        CHECK(out.intents[0].severity == Severity::Critical);
        CHECK(out.intents[0].decision.notify);
        CHECK(h.eval(0.4).intents.isEmpty()); // lowered: nothing to say
    }
    SECTION("acknowledged at critical, lowered and raised back: the ack holds")
    {
        h.eval(0.6);
        h.ack();
        CHECK(h.eval(0.4).intents.isEmpty());
        const NotificationGate::Output out = h.eval(0.6);
        CHECK(out.intents.isEmpty());
        CHECK(out.ackEvents.isEmpty());
        CHECK(h.acks.isAcked(h.fp(), h.now));
    }
    SECTION("a rise back out of Recovering counts too")
    {
        h.ack();
        h.eval(0.22);
        const NotificationGate::Output out = h.eval(0.6); // Recovering -> Firing, warning -> critical
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Reopened);
    }
}

TEST_CASE("Gate: an expired acknowledgement re-opens its still-open alert on tick", "[rules][gate][acks]")
{
    Harness h;
    h.eval(0.3);
    const qint64 expiry = h.now + 30 * kMin;
    h.ack(expiry);

    SECTION("re-opened and sent")
    {
        CHECK(h.tick(expiry - 1).intents.isEmpty());
        const NotificationGate::Output out = h.tick(expiry);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Reopened);
        CHECK(out.intents[0].reopenedBecause == AckEvent::Cause::Expired);
        CHECK(out.intents[0].state == AlertState::Firing);
        CHECK(out.intents[0].value == Approx(0.3));
        CHECK(out.intents[0].decision.notify);
        REQUIRE(out.ackEvents.size() == 1);
        CHECK(out.ackEvents[0].cause == AckEvent::Cause::Expired);
        CHECK(h.tick(expiry + kMin).intents.isEmpty());
    }
    SECTION("silenced meanwhile: re-opened but held")
    {
        h.silence(h.now, expiry + 60 * kMin);
        const NotificationGate::Output out = h.tick(expiry);
        REQUIRE(out.intents.size() == 1);
        CHECK_FALSE(out.intents[0].decision.notify);
        CHECK(out.intents[0].decision.suppressedBy == SuppressedBySilence);
    }
    SECTION("resolved before the expiry: the ack lapsed, nothing re-opens")
    {
        h.eval(0.1);
        const NotificationGate::Output out = h.tick(expiry);
        CHECK(out.intents.isEmpty());
        CHECK(out.ackEvents.isEmpty());
    }
}

TEST_CASE("Gate: flapping holds notices and releases them when it stops", "[rules][gate][flapping]")
{
    Harness h;
    h.rule.flapping = FlapSettings{};
    auto only = [](const NotificationGate::Output &o) {
        REQUIRE(o.intents.size() == 1);
        return o.intents[0];
    };
    CHECK(only(h.eval(0.3)).decision.notify);
    CHECK(only(h.eval(0.1)).decision.notify);
    CHECK(only(h.eval(0.3)).decision.notify);

    const NotificationIntent held = only(h.eval(0.1)); // the fourth change: flapping
    CHECK(held.kind == IntentKind::Resolved);
    CHECK_FALSE(held.decision.notify);
    CHECK(held.decision.suppressedBy == SuppressedByFlapping);
    CHECK(h.gate.isAnnounced(h.fp())); // still announced, so the resolved notice can go later

    CHECK(h.eval(0.3).intents.isEmpty()); // firing again: the outside still thinks it fires
    CHECK_FALSE(only(h.eval(0.1)).decision.notify);

    // Settle at Normal: exactly one resolved notice when flapping stops.
    int resolvedSent = 0;
    bool stopped = false;
    for (int i = 0; i < 40; ++i) {
        for (const NotificationIntent &n : h.eval(0.1).intents) {
            CHECK(n.kind == IntentKind::Resolved);
            CHECK(n.reason == TransitionReason::FlappingStopped);
            resolvedSent += n.decision.notify ? 1 : 0;
        }
        stopped = stopped || !h.machine.instance(h.fp())->flapping;
    }
    CHECK(stopped);
    CHECK(resolvedSent == 1);
    CHECK_FALSE(h.gate.isAnnounced(h.fp()));
}

TEST_CASE("Gate: a firing notice held by flapping goes out when flapping stops", "[rules][gate][flapping]")
{
    NotificationGate gate;
    AckBook acks;
    const SilenceBook silences;
    NotificationGate::Output out = gate.process(
        {manual(AlertState::Normal, AlertState::Firing, TransitionReason::ConditionMet, true, 0)}, acks, silences, {}, 0);
    REQUIRE(out.intents.size() == 1);
    CHECK_FALSE(out.intents[0].decision.notify);
    CHECK(out.intents[0].decision.suppressedBy == SuppressedByFlapping);
    CHECK(out.intents[0].labels == kSeries.labels()); // no labelsOf: the series' labels
    CHECK_FALSE(gate.isAnnounced(out.intents[0].instance.fingerprint));

    out = gate.process({manual(AlertState::Firing, AlertState::Firing, TransitionReason::FlappingStopped, false, kMin)},
                       acks, silences, {}, kMin);
    REQUIRE(out.intents.size() == 1);
    CHECK(out.intents[0].kind == IntentKind::Firing);
    CHECK(out.intents[0].decision.notify);
    CHECK(gate.isAnnounced(out.intents[0].instance.fingerprint));

    // Already announced as firing: flapping stopping again has nothing to add.
    out = gate.process({manual(AlertState::Firing, AlertState::Firing, TransitionReason::FlappingStopped, false, 2 * kMin)},
                       acks, silences, {}, 2 * kMin);
    CHECK(out.intents.isEmpty());
}

TEST_CASE("Gate: a flapping alert whose series vanished gets its resolved notice", "[rules][gate][flapping]")
{
    Harness h;
    h.rule.condition = Condition::returnsAnything();
    h.rule.flapping = FlapSettings{};
    QueryResult present;
    present.samples.append({kSeries, 1});
    h.run(present);
    h.gone();
    h.run(present);
    const NotificationGate::Output held = h.gone();
    REQUIRE(held.intents.size() == 1);
    REQUIRE_FALSE(held.intents[0].decision.notify);

    int sent = 0;
    for (int i = 0; i < 40; ++i) {
        for (const NotificationIntent &n : h.gone().intents)
            sent += (n.kind == IntentKind::Resolved && n.decision.notify) ? 1 : 0;
    }
    CHECK(sent == 1);
    CHECK_FALSE(h.gate.isAnnounced(h.fp()));
}

TEST_CASE("Gate: decide, the pure table", "[rules][gate]")
{
    struct Row
    {
        IntentKind kind;
        bool acked, silenced, flapping;
        bool notify;            // default options
        bool notifyStrict;      // resolvedWhenAcked = resolvedWhenSilenced = false
    };
    using K = IntentKind;
    const std::vector<Row> rows{
        {K::Firing, false, false, false, true, true},
        {K::Firing, true, false, false, false, false},
        {K::Firing, false, true, false, false, false},
        {K::Firing, false, false, true, false, false},
        {K::Repeat, false, false, false, true, true},
        {K::Repeat, true, false, false, false, false},
        {K::Repeat, false, true, false, false, false},
        {K::Repeat, false, false, true, false, false},
        {K::Reopened, false, false, false, true, true},
        {K::Reopened, true, false, false, true, true}, // the ack is what is ending
        {K::Reopened, false, true, false, false, false},
        {K::Reopened, false, false, true, false, false},
        {K::Resolved, false, false, false, true, true},
        {K::Resolved, true, false, false, true, false},
        {K::Resolved, false, true, false, true, false},
        {K::Resolved, true, true, false, true, false},
        {K::Resolved, false, false, true, false, false},
    };
    const AlertInstance firing = [] {
        AlertInstance i;
        i.id = AlertInstanceId::make(QStringLiteral("HighP99Latency"), kSeries);
        i.state = AlertState::Firing;
        return i;
    }();
    const Labels labels{{"alertname", "HighP99Latency"}, {"model", "fraud"}};
    GateOptions strictOptions;
    strictOptions.resolvedWhenAcked = false;
    strictOptions.resolvedWhenSilenced = false;
    const NotificationGate lenient;
    const NotificationGate strict(strictOptions);

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row &r = rows[i];
        INFO("row " << i << ": " << toString(r.kind).toStdString() << " acked=" << r.acked
                    << " silenced=" << r.silenced << " flapping=" << r.flapping);
        AckBook acks;
        SilenceBook silences;
        if (r.acked)
            REQUIRE(acks.acknowledge(firing, QStringLiteral("alice"), 0).event);
        if (r.silenced) {
            Silence s;
            s.matchers = {*LabelMatcher::parse(QStringLiteral(R"(model="fraud")"))};
            s.startsAtMs = 0;
            s.endsAtMs = kMin;
            s.createdBy = QStringLiteral("bob");
            REQUIRE_FALSE(silences.add(s).isEmpty());
        }
        const NotifyDecision d = lenient.decide(r.kind, firing.id.fingerprint, labels, r.flapping, acks, silences, 1);
        CHECK(d.notify == r.notify);
        CHECK(strict.decide(r.kind, firing.id.fingerprint, labels, r.flapping, acks, silences, 1).notify == r.notifyStrict);
        const quint8 expectedBits = quint8((r.acked && r.kind != K::Reopened ? SuppressedByAck : 0)
                                           | (r.silenced ? SuppressedBySilence : 0)
                                           | (r.flapping ? SuppressedByFlapping : 0));
        CHECK(d.suppressedBy == expectedBits);
    }
}

TEST_CASE("Gate: announced alerts persist, and a forgotten one resolves silently", "[rules][gate][persistence]")
{
    Harness h;
    h.eval(0.3);
    const QHash<QString, AlertState> saved = h.gate.announced();
    REQUIRE(saved.size() == 1);
    CHECK(saved.value(h.fp()) == AlertState::Firing);

    SECTION("restored: the resolved notice still goes out")
    {
        NotificationGate fresh;
        fresh.restore(saved);
        CHECK(fresh.isAnnounced(h.fp()));
        const NotificationGate::Output out = fresh.process(h.machine.evaluate(h.rule, h.now + kMin, [] {
            QueryResult r;
            r.samples.append({kSeries, 0.1});
            return r;
        }()), h.acks, h.silences, {}, h.now + kMin);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Resolved);
    }
    SECTION("forgotten (its rule deleted): nothing to resolve")
    {
        h.gate.forget(h.fp());
        CHECK_FALSE(h.gate.isAnnounced(h.fp()));
        CHECK(h.eval(0.1).intents.isEmpty());
    }
    CHECK(toString(IntentKind::Reopened) == QStringLiteral("reopened"));
}

TEST_CASE("Gate: an alert that fired under a silence is announced when the silence ends while it still fires",
          "[rules][gate][silences]")
{
    SECTION("the silence runs out")
    {
        Harness h;
        h.silence(0, 10 * kMin);
        NotificationGate::Output out = h.eval(0.3); // fires at 1 min, silenced
        REQUIRE(out.intents.size() == 1);
        CHECK_FALSE(out.intents[0].decision.notify);
        CHECK(out.intents[0].decision.suppressedBy == SuppressedBySilence);
        CHECK(h.gate.isHeld(h.fp()));
        CHECK(h.tick(5 * kMin).intents.isEmpty()); // still silenced
        out = h.tick(10 * kMin + 1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Firing);
        CHECK(out.intents[0].decision.notify);
        CHECK(out.intents[0].state == AlertState::Firing);
        CHECK(out.intents[0].value == Approx(0.3));
        CHECK(h.gate.isAnnounced(h.fp()));
        CHECK_FALSE(h.gate.isHeld(h.fp()));
        CHECK(h.tick(11 * kMin).intents.isEmpty()); // once
        // And now that it was announced, its end is announced too.
        h.now = 11 * kMin;
        out = h.eval(0.1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].kind == IntentKind::Resolved);
        CHECK(out.intents[0].decision.notify);
    }
    SECTION("the silence is expired early")
    {
        Harness h;
        h.silence(0, 600 * kMin);
        h.eval(0.3);
        const QString id = h.silences.all().first().id;
        REQUIRE(h.silences.expire(id, 3 * kMin));
        const NotificationGate::Output out = h.tick(3 * kMin + 1);
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].decision.notify);
    }
    SECTION("it resolved under the silence: nothing to say, ever")
    {
        Harness h;
        h.silence(0, 10 * kMin);
        h.eval(0.3);
        const NotificationGate::Output resolved = h.eval(0.1);
        REQUIRE(resolved.intents.isEmpty()); // never announced, so no resolved notice
        CHECK_FALSE(h.gate.isHeld(h.fp()));
        CHECK(h.tick(20 * kMin).intents.isEmpty());
    }
    SECTION("acknowledged under the silence: the end of the silence does not page")
    {
        Harness h;
        h.silence(0, 10 * kMin);
        h.eval(0.3);
        h.ack();
        CHECK(h.tick(20 * kMin).intents.isEmpty());
        CHECK(h.gate.isHeld(h.fp()));
    }
    SECTION("after a restart the held alert is found again from the state machine")
    {
        Harness h;
        h.silence(0, 10 * kMin);
        h.eval(0.3);
        NotificationGate fresh;
        fresh.restore(h.gate.announced()); // nothing announced
        fresh.rebuildHeld(h.machine);
        CHECK(fresh.isHeld(h.fp()));
        const NotificationGate::Output out = fresh.tick(10 * kMin + 1, h.acks, h.machine, h.silences, h.labelsOf());
        REQUIRE(out.intents.size() == 1);
        CHECK(out.intents[0].decision.notify);
    }
}
