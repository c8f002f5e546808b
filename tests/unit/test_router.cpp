// SPDX-License-Identifier: GPL-3.0-or-later
// Routing, grouping, timing, reminders and inhibition, with a manual clock.
#include <catch2/catch.hpp>

#include "notify/router.h"
#include "rules/acks.h"
#include "rules/notification_gate.h"
#include "rules/silences.h"
#include "util/clock.h"

#include <algorithm>

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr qint64 kStart = 1'700'000'000'000;

LabelMatcher eq(const char *name, const char *value)
{
    return *LabelMatcher::create(QString::fromLatin1(name), LabelMatcher::Op::Equal, QString::fromLatin1(value));
}

LabelMatcher re(const char *name, const char *value)
{
    return *LabelMatcher::create(QString::fromLatin1(name), LabelMatcher::Op::Regex, QString::fromLatin1(value));
}

// An alert's labels as alertLabels() builds them: the series' labels, then
// alertname and severity, sorted by name.
Labels alertLabels(const QString &rule, const Labels &series, Severity severity)
{
    Labels l = series;
    l << Label{QStringLiteral("alertname"), rule} << Label{QStringLiteral("severity"), toString(severity)};
    std::sort(l.begin(), l.end());
    return l;
}

NotificationIntent intent(IntentKind kind, const char *rule, const Labels &series, qint64 atMs,
                          Severity severity = Severity::Warning)
{
    NotificationIntent n;
    n.kind = kind;
    n.instance = AlertInstanceId::make(QString::fromLatin1(rule), SeriesKey(QStringLiteral("m"), series));
    n.labels = alertLabels(n.instance.rule, series, severity);
    n.state = kind == IntentKind::Resolved ? AlertState::Normal : AlertState::Firing;
    n.severity = severity;
    n.value = 0.3;
    n.atMs = atMs;
    return n;
}

Labels model(const char *name)
{
    return {{QStringLiteral("model"), QString::fromLatin1(name)}};
}

QStringList ids(const NotificationBatch &b)
{
    QStringList out;
    for (const Notification &n : b.notifications)
        out << n.id;
    return out;
}

QList<Notification::Kind> kinds(const NotificationBatch &b)
{
    QList<Notification::Kind> out;
    for (const Notification &n : b.notifications)
        out << n.kind;
    return out;
}

QString idOf(const NotificationIntent &i, const char *kind)
{
    return QStringLiteral("%1:%2:%3").arg(i.instance.fingerprint).arg(i.atMs).arg(QLatin1String(kind));
}

// The router with the real gate's decision, against an ack and a silence book.
struct Fixture
{
    ManualClock clock{kStart};
    NotificationGate gate;
    AckBook acks;
    SilenceBook silences;
    Router router;

    explicit Fixture(RouterConfig config = defaultConfig()) : router(std::move(config)) {}

    static RouterConfig defaultConfig()
    {
        RouterConfig c;
        c.root.receiver = QStringLiteral("oncall-slack");
        c.root.groupBy = QStringList{QStringLiteral("alertname")};
        return c;
    }

    Router::DecideFn decide()
    {
        return [this](IntentKind k, const QString &fp, const Labels &l, bool flapping, qint64 now) {
            return gate.decide(k, fp, l, flapping, acks, silences, now);
        };
    }
    void submit(const NotificationIntent &i) { router.submit({i}, clock.nowMs()); }
    QList<NotificationBatch> at(qint64 offsetMs)
    {
        clock.setMs(kStart + offsetMs);
        return router.tick(clock.nowMs(), decide());
    }
    // Ticks every second from now to `offsetMs`, collecting what comes out.
    QList<std::pair<qint64, NotificationBatch>> run(qint64 offsetMs)
    {
        QList<std::pair<qint64, NotificationBatch>> out;
        while (clock.nowMs() < kStart + offsetMs) {
            clock.advanceMs(1'000);
            for (const NotificationBatch &b : router.tick(clock.nowMs(), decide()))
                out << std::make_pair(clock.nowMs() - kStart, b);
        }
        return out;
    }
};

} // namespace

TEST_CASE("Router sends an alert down the deepest matching route, and on with continue", "[notify][router]")
{
    RouterConfig c;
    c.root.receiver = QStringLiteral("default");
    Route fraud;
    fraud.matchers = {eq("team", "fraud")};
    fraud.receiver = QStringLiteral("fraud-slack");
    fraud.continueMatching = true;
    Route urgent;
    urgent.matchers = {re("severity", "critical|page")};
    urgent.receiver = QStringLiteral("oncall-slack");
    Route page;
    page.matchers = {eq("severity", "page")};
    page.receiver = QStringLiteral("desktop");
    urgent.routes = {page};
    Route never;
    never.matchers = {eq("severity", "critical")};
    never.receiver = QStringLiteral("unreachable"); // after a match without continue
    c.root.routes = {fraud, urgent, never};
    const Router router(c);

    struct Row
    {
        Labels labels;
        QStringList receivers;
    };
    const auto row = GENERATE(values<Row>({
        {{{"severity", "info"}}, {"default"}},
        {{{"severity", "critical"}}, {"oncall-slack"}},
        {{{"severity", "page"}}, {"desktop"}},
        {{{"severity", "info"}, {"team", "fraud"}}, {"fraud-slack"}},
        {{{"severity", "page"}, {"team", "fraud"}}, {"fraud-slack", "desktop"}},
    }));
    CAPTURE(row.labels);
    CHECK(router.receiversFor(row.labels) == row.receivers);
}

TEST_CASE("Router group key takes the group_by labels, or every label with ...", "[notify][router]")
{
    const Labels l = alertLabels("HighP99Latency", {{"model", "fraud"}, {"version", "3"}}, Severity::Critical);
    CHECK(groupKeyFor("0", {"alertname", "model"}, l) == R"(0:{alertname="HighP99Latency", model="fraud"})");
    CHECK(groupKeyFor("0.1", {"alertname", "missing"}, l) == R"(0.1:{alertname="HighP99Latency"})");
    CHECK(groupKeyFor("0", {}, l) == "0:{}");
    CHECK(groupKeyFor("0", {"..."}, l)
          == R"(0:{alertname="HighP99Latency", model="fraud", severity="critical", version="3"})");
}

TEST_CASE("Router waits group_wait for a new group and sends the burst as one batch", "[notify][router][timing]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    f.clock.advanceMs(10'000);
    const auto b = intent(IntentKind::Firing, "HighP99Latency", model("recs"), f.clock.nowMs());
    f.submit(b);
    CHECK(f.router.nextDueMs() == kStart + 30'000);

    const auto sent = f.run(60'000);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first == 30'000); // 30 s: Alertmanager's group_wait
    CHECK(sent[0].second.receiver == "oncall-slack");
    CHECK(sent[0].second.groupKey == R"(0:{alertname="HighP99Latency"})");
    // Ordered by fingerprint within the batch, so compare as sets.
    QStringList got = ids(sent[0].second);
    QStringList want{idOf(a, "firing"), idOf(b, "firing")};
    got.sort();
    want.sort();
    CHECK(got == want);
}

TEST_CASE("Router sends an alert joining a flushed group at the next group_interval", "[notify][router][timing]")
{
    Fixture f;
    f.submit(intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart));
    REQUIRE(f.run(30'000).size() == 1);
    f.clock.advanceMs(60'000); // t = 90 s
    const auto late = intent(IntentKind::Firing, "HighP99Latency", model("recs"), f.clock.nowMs());
    f.submit(late);

    const auto sent = f.run(30'000 + 10 * 60'000);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first == 30'000 + 300'000); // 5 min after the first flush: group_interval
    CHECK(ids(sent[0].second) == QStringList{idOf(late, "firing")});
}

TEST_CASE("Router keeps groups apart: one batch per group and receiver", "[notify][router]")
{
    Fixture f;
    f.submit(intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart));
    f.submit(intent(IntentKind::Firing, "DriftHigh", model("fraud"), kStart));
    const auto batches = f.at(30'000);
    REQUIRE(batches.size() == 2);
    CHECK(batches[0].notifications.size() == 1);
    CHECK(batches[1].notifications.size() == 1);
    CHECK(batches[0].groupKey != batches[1].groupKey);
    CHECK(f.router.groupCount() == 2);
}

TEST_CASE("Router reminds of a firing alert every repeat_interval", "[notify][router][repeat]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    REQUIRE(f.at(30'000).size() == 1);
    qint64 t = 30'000;
    QList<qint64> reminders;
    // Tick at every group_interval for 9 h.
    while (t < 9 * 3'600'000LL) {
        t += 300'000;
        for (const NotificationBatch &b : f.at(t)) {
            REQUIRE(kinds(b) == QList<Notification::Kind>{Notification::Kind::Reminder});
            CHECK(b.notifications[0].id == QStringLiteral("%1:%2:reminder").arg(a.instance.fingerprint).arg(kStart + t));
            reminders << t;
        }
    }
    // 4 h: Alertmanager's repeat_interval, counted from the last message.
    CHECK(reminders == QList<qint64>{30'000 + 4 * 3'600'000LL, 30'000 + 8 * 3'600'000LL});
}

TEST_CASE("Router stops reminders while the alert is acknowledged and resumes after un-ack", "[notify][router][repeat]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    REQUIRE(f.at(30'000).size() == 1);

    AlertInstance inst;
    inst.id = a.instance;
    inst.state = AlertState::Firing;
    inst.severity = Severity::Warning;
    REQUIRE(f.acks.acknowledge(inst, QStringLiteral("ana"), kStart + 60'000).event);

    const qint64 due = 30'000 + 4 * 3'600'000LL;
    CHECK(f.at(due).isEmpty());
    CHECK(f.at(due + 300'000).isEmpty());
    REQUIRE(f.acks.unacknowledge(a.instance.fingerprint, QStringLiteral("ana"), kStart + due + 400'000));
    const auto batches = f.at(due + 600'000);
    REQUIRE(batches.size() == 1);
    CHECK(kinds(batches[0]) == QList<Notification::Kind>{Notification::Kind::Reminder});
}

TEST_CASE("Router sends the resolved notice only to receivers with send_resolved", "[notify][router][resolved]")
{
    RouterConfig c;
    c.root.receiver = QStringLiteral("unused");
    Route slack;
    slack.receiver = QStringLiteral("oncall-slack");
    slack.continueMatching = true;
    Route desktop;
    desktop.receiver = QStringLiteral("desktop");
    c.root.routes = {slack, desktop};
    c.sendResolved.insert(QStringLiteral("desktop"), false);
    Fixture f(c);

    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    REQUIRE(f.at(30'000).size() == 2);
    f.clock.setMs(kStart + 100'000);
    const auto r = intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), f.clock.nowMs());
    f.submit(r);

    const auto batches = f.at(330'000);
    REQUIRE(batches.size() == 1);
    CHECK(batches[0].receiver == "oncall-slack");
    CHECK(ids(batches[0]) == QStringList{idOf(r, "resolved")});
    CHECK(f.router.groupCount() == 0); // both groups are empty now and forgotten
}

TEST_CASE("Router sends nothing for an alert that fires and resolves within group_wait", "[notify][router][resolved]")
{
    Fixture f;
    f.submit(intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart));
    f.clock.advanceMs(20'000);
    f.submit(intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), f.clock.nowMs()));
    CHECK(f.run(600'000).isEmpty());
    CHECK(f.router.groupCount() == 0);
}

TEST_CASE("Router drops a notice whose alert was silenced during group_wait", "[notify][router]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    Silence s;
    s.matchers = {eq("model", "fraud")};
    s.startsAtMs = kStart + 10'000;
    s.endsAtMs = kStart + 3'600'000;
    s.createdBy = QStringLiteral("ana");
    REQUIRE_FALSE(f.silences.add(s).isEmpty());
    CHECK(f.run(600'000).isEmpty());
}

TEST_CASE("Router ignores firing intents the gate held back", "[notify][router]")
{
    Fixture f;
    auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    a.decision.notify = false;
    a.decision.suppressedBy = SuppressedBySilence;
    f.submit(a);
    CHECK(f.router.groupCount() == 0);
    CHECK(f.run(600'000).isEmpty());
}

TEST_CASE("Router holds a resolve the gate held for flapping and sends the later one", "[notify][router][resolved]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    REQUIRE(f.at(30'000).size() == 1);
    auto held = intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), kStart + 60'000);
    held.decision.notify = false;
    held.decision.suppressedBy = SuppressedByFlapping;
    f.clock.setMs(kStart + 60'000);
    f.submit(held);
    CHECK(f.at(330'000).isEmpty());
    const auto later = intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), kStart + 400'000);
    f.clock.setMs(later.atMs);
    f.submit(later);
    const auto batches = f.at(630'000);
    REQUIRE(batches.size() == 1);
    CHECK(ids(batches[0]) == QStringList{idOf(later, "resolved")});
}

TEST_CASE("Router inhibition: a firing page mutes the warning of the same alert and model", "[notify][router][inhibit]")
{
    RouterConfig c = Fixture::defaultConfig();
    c.root.groupBy = QStringList{QStringLiteral("...")};
    c.inhibitRules = {InhibitRule::pageMutesWarning()};
    Fixture f(c);

    const auto page = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart, Severity::Page);
    // Another instance of the rule (a different series) at warning on the same model...
    const auto warnSame = intent(IntentKind::Firing, "HighP99Latency", {{"model", "fraud"}, {"pod", "a"}}, kStart);
    // ...and one on another model, and another rule on the same model.
    const auto warnOther = intent(IntentKind::Firing, "HighP99Latency", model("recs"), kStart);
    const auto warnRule = intent(IntentKind::Firing, "DriftHigh", model("fraud"), kStart);
    f.router.submit({page, warnSame, warnOther, warnRule}, kStart);

    QStringList sent;
    for (const NotificationBatch &b : f.at(30'000))
        sent << ids(b);
    sent.sort();
    QStringList want{idOf(page, "firing"), idOf(warnOther, "firing"), idOf(warnRule, "firing")};
    want.sort();
    CHECK(sent == want);
    CHECK(f.router.isInhibited(warnSame.labels, warnSame.instance.fingerprint));

    // The page resolves: the muted warning goes out at its group's next tick.
    f.clock.setMs(kStart + 100'000);
    f.submit(intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), f.clock.nowMs(), Severity::Page));
    QStringList after;
    for (const NotificationBatch &b : f.at(330'000))
        for (const Notification &n : b.notifications)
            after << n.id;
    CHECK(after.contains(idOf(warnSame, "firing")));
    CHECK_FALSE(f.router.isInhibited(warnSame.labels, warnSame.instance.fingerprint));
}

TEST_CASE("Router notification carries the alert and a stable id", "[notify][router]")
{
    Fixture f;
    f.router.setDecorator([](Notification &n) { n.summary = QStringLiteral("p99 of %1 is high").arg(n.labels.first().second); });
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart, Severity::Critical);
    f.submit(a);
    const auto batches = f.at(30'000);
    REQUIRE(batches.size() == 1);
    const Notification &n = batches[0].notifications.first();
    CHECK(n.id == idOf(a, "firing"));
    CHECK(n.kind == Notification::Kind::Firing);
    CHECK(n.rule == "HighP99Latency");
    CHECK(n.severity == "critical");
    CHECK(n.labels == a.labels);
    CHECK(n.value == 0.3);
    CHECK(n.activeSinceMs == kStart);
    CHECK(n.createdMs == kStart + 30'000);
    CHECK(n.summary == "p99 of HighP99Latency is high");

    // The same transition replayed (a restart) gets the same id.
    Fixture g;
    g.submit(a);
    CHECK(g.at(30'000).first().notifications.first().id == n.id);
}

TEST_CASE("Router configuration errors are named", "[notify][router]")
{
    RouterConfig c;
    CHECK(c.validate() == "the root route names no receiver: every alert needs somewhere to go");
    c.root.receiver = QStringLiteral("oncall-slack");
    CHECK(c.validate().isEmpty());
    Route child;
    child.groupWaitMs = 0;
    c.root.routes = {child};
    CHECK(c.validate() == "route 0.0: group_wait must be positive");
    c.root.routes[0].groupWaitMs.reset();
    c.root.routes[0].groupBy = QStringList{QStringLiteral("..."), QStringLiteral("model")};
    CHECK(c.validate() == "route 0.0: group_by '...' groups by every label and cannot be combined with names");
}

// The whole decision chain with a manual clock: the state machine's
// transitions through the gate into the router, evaluated every minute,
// the router ticked whenever it is due.
#include "rules/alert_labels.h"
#include "rules/alert_state_machine.h"

namespace {

struct Pipeline
{
    ManualClock clock{kStart};
    Rule rule;
    AlertStateMachine machine;
    NotificationGate gate;
    AckBook acks;
    SilenceBook silences;
    Router router{Fixture::defaultConfig()};
    QMap<QString, double> values; // model -> the value the query returns
    qint64 nextEvalMs = kStart;
    QList<std::pair<qint64, Notification>> sent; // (offset ms, notification)

    Pipeline()
    {
        rule.name = QStringLiteral("HighP99Latency");
        rule.condition = Condition::above(0.25, 0.2);
        rule.severity = Severity::Critical;
    }

    void evaluate()
    {
        QueryResult result;
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            result.samples << QuerySample{SeriesKey(QStringLiteral("p99"), {{QStringLiteral("model"), it.key()}}), it.value()};
        const QList<Transition> transitions = machine.evaluate(rule, clock.nowMs(), result);
        const auto out = gate.process(transitions, acks, silences,
                                      [&](const AlertInstanceId &id) { return alertLabels(rule, *machine.instance(id.fingerprint)); },
                                      clock.nowMs());
        router.submit(out.intents, clock.nowMs());
    }

    // Runs to `offsetMs`: evaluations every minute, router ticks when due.
    void runTo(qint64 offsetMs)
    {
        const auto decide = [&](IntentKind k, const QString &fp, const Labels &l, bool flapping, qint64 now) {
            return gate.decide(k, fp, l, flapping, acks, silences, now);
        };
        while (true) {
            const qint64 next = std::min(nextEvalMs, router.nextDueMs());
            if (next > kStart + offsetMs)
                break;
            clock.setMs(next);
            if (next == nextEvalMs) {
                evaluate();
                nextEvalMs += 60'000;
            }
            for (const NotificationBatch &b : router.tick(clock.nowMs(), decide))
                for (const Notification &n : b.notifications)
                    sent << std::make_pair(clock.nowMs() - kStart, n);
        }
        clock.setMs(kStart + offsetMs);
    }

    QStringList log() const
    {
        QStringList out;
        for (const auto &[at, n] : sent)
            out << QStringLiteral("%1 s %2 %3").arg(at / 1000).arg(notificationKindName(n.kind), n.labels.value(1).second);
        return out;
    }
};

} // namespace

TEST_CASE("Pipeline: grouped firing, reminders only for the unacknowledged, resolved notice for the acknowledged", "[notify][router][pipeline]")
{
    Pipeline p;
    p.values = {{"fraud", 0.31}, {"recs", 0.40}};
    p.runTo(10 * 60'000);
    // Both fire at the first evaluation; one message after group_wait.
    CHECK(p.log() == QStringList{"30 s firing fraud", "30 s firing recs"});

    const AlertInstance *fraud = p.machine.instance(QStringLiteral("HighP99Latency"),
                                                    SeriesKey(QStringLiteral("p99"), {{QStringLiteral("model"), QStringLiteral("fraud")}}));
    REQUIRE(fraud);
    REQUIRE(p.acks.acknowledge(*fraud, QStringLiteral("ana"), p.clock.nowMs(), QStringLiteral("on it")).event);
    const QString fraudFp = fraud->id.fingerprint; // the pointer is valid until the next evaluation only

    p.sent.clear();
    p.runTo(5 * 3'600'000LL);
    // 4 h after the first message, at a group tick: only the unacknowledged one.
    CHECK(p.log() == QStringList{"14430 s reminder recs"});

    p.sent.clear();
    p.values["fraud"] = 0.1; // recovers (below 0.2)
    p.runTo(5 * 3'600'000LL + 10 * 60'000);
    // Acknowledged alerts still send their resolved notice, at the group's next tick.
    REQUIRE(p.log().size() == 1);
    CHECK(p.log().first().endsWith("resolved fraud"));
    CHECK(p.acks.find(fraudFp) == nullptr); // the ack lapsed on resolve
}

namespace {

// Every batch in `out` sent to `receiver`, with when.
QList<std::pair<qint64, NotificationBatch>> to(const QList<std::pair<qint64, NotificationBatch>> &out,
                                               const char *receiver)
{
    QList<std::pair<qint64, NotificationBatch>> got;
    for (const auto &p : out)
        if (p.second.receiver == QLatin1String(receiver))
            got << p;
    return got;
}

RouterConfig onlyTo(const char *receiver, QStringList groupBy = {QStringLiteral("alertname")})
{
    RouterConfig c;
    c.root.receiver = QString::fromLatin1(receiver);
    c.root.groupBy = std::move(groupBy);
    return c;
}

} // namespace

TEST_CASE("Router reconfigured: a receiver the new routes add is told once, the old one keeps its reminder cadence",
          "[notify][router][reload]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    const auto first = f.run(60'000);
    REQUIRE(to(first, "oncall-slack").size() == 1); // at group_wait, 30 s

    // An hour later the file routes fraud alerts to the ML team as well.
    f.run(3'600'000);
    RouterConfig c = onlyTo("oncall-slack");
    Route both;
    both.matchers = {eq("model", "fraud")};
    both.receiver = QStringLiteral("oncall-slack");
    both.continueMatching = true;
    Route team;
    team.matchers = {eq("model", "fraud")};
    team.receiver = QStringLiteral("ml-team");
    c.root.routes = {both, team};
    REQUIRE_FALSE(sameRouting(f.router.config(), c));
    f.router.reconfigure(c, f.clock.nowMs());

    const auto after = f.run(5 * 3'600'000LL);
    const auto team_ = to(after, "ml-team");
    REQUIRE(team_.size() >= 1);
    CHECK(team_.first().first == 3'600'000 + 30'000); // after the new group's group_wait
    CHECK(kinds(team_.first().second) == QList<Notification::Kind>{Notification::Kind::Firing});
    CHECK(ids(team_.first().second) == QStringList{idOf(a, "firing")}); // the same notice, the same id
    const auto slack = to(after, "oncall-slack");
    REQUIRE_FALSE(slack.isEmpty());
    // No second firing notice to the receiver that had it; its first reminder
    // comes 4 h after its notice, not 4 h after the reload.
    for (const auto &[t, b] : slack)
        CHECK(kinds(b) == QList<Notification::Kind>{Notification::Kind::Reminder});
    CHECK(slack.first().first >= 30'000 + 4 * 3'600'000LL);
    CHECK(slack.first().first < 3'600'000 + 4 * 3'600'000LL);
}

TEST_CASE("Router reconfigured during group_wait sends the waiting notice once, to the new receiver",
          "[notify][router][reload]")
{
    Fixture f;
    const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
    f.submit(a);
    f.run(10'000); // still in group_wait
    f.router.reconfigure(onlyTo("ml-team"), f.clock.nowMs());
    const auto out = f.run(600'000);
    CHECK(to(out, "oncall-slack").isEmpty());
    const auto team = to(out, "ml-team");
    REQUIRE(team.size() == 1);
    CHECK(team.first().first == 40'000); // the new group's group_wait from the reload
    CHECK(ids(team.first().second) == QStringList{idOf(a, "firing")});
}

TEST_CASE("Router reconfigured: a receiver dropped hears nothing more, a resolved notice pending stays with its receiver",
          "[notify][router][reload]")
{
    SECTION("dropped receiver")
    {
        Fixture f;
        const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
        f.submit(a);
        REQUIRE(to(f.run(60'000), "oncall-slack").size() == 1);
        f.router.reconfigure(onlyTo("ml-team"), f.clock.nowMs());
        auto out = f.run(120'000);
        f.submit(intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), kStart + 120'000));
        out << f.run(9 * 3'600'000LL);
        CHECK(to(out, "oncall-slack").isEmpty()); // neither reminders nor the resolved notice
        const auto team = to(out, "ml-team");
        REQUIRE(team.size() == 2);
        CHECK(kinds(team[0].second) == QList<Notification::Kind>{Notification::Kind::Firing});
        CHECK(kinds(team[1].second) == QList<Notification::Kind>{Notification::Kind::Resolved});
        CHECK(f.router.groupCount() == 0); // resolved and sent: nothing held
    }
    SECTION("pending resolved notice, group_by changed")
    {
        Fixture f;
        const auto a = intent(IntentKind::Firing, "HighP99Latency", model("fraud"), kStart);
        f.submit(a);
        REQUIRE(to(f.run(60'000), "oncall-slack").size() == 1);
        const auto resolved = intent(IntentKind::Resolved, "HighP99Latency", model("fraud"), kStart + 100'000);
        f.run(100'000);
        f.submit(resolved); // waits for the group's next group_interval (330 s)
        f.run(120'000);
        f.router.reconfigure(onlyTo("oncall-slack", {QStringLiteral("alertname"), QStringLiteral("model")}),
                             f.clock.nowMs());
        const auto out = f.run(3'600'000);
        const auto slack = to(out, "oncall-slack");
        REQUIRE(slack.size() == 1);
        CHECK(kinds(slack.first().second) == QList<Notification::Kind>{Notification::Kind::Resolved});
        CHECK(ids(slack.first().second) == QStringList{idOf(resolved, "resolved")});
    }
}

TEST_CASE("Router routing comparison sees a changed receiver, timing, matcher or inhibition", "[notify][router][reload]")
{
    const RouterConfig base = onlyTo("oncall-slack");
    CHECK(sameRouting(base, onlyTo("oncall-slack")));
    CHECK_FALSE(sameRouting(base, onlyTo("ml-team")));
    RouterConfig timing = base;
    timing.root.repeatIntervalMs = 3'600'000;
    CHECK_FALSE(sameRouting(base, timing));
    RouterConfig child = base;
    Route r;
    r.matchers = {eq("model", "fraud")};
    child.root.routes = {r};
    RouterConfig other = base;
    r.matchers = {eq("model", "spam")};
    other.root.routes = {r};
    CHECK_FALSE(sameRouting(child, other));
    RouterConfig inhibit = base;
    inhibit.inhibitRules = {InhibitRule::pageMutesWarning()};
    CHECK_FALSE(sameRouting(base, inhibit));
}
