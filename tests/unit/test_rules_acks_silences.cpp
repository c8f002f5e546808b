// SPDX-License-Identifier: GPL-3.0-or-later
// Acknowledgements (core/rules/acks.h) and silences (core/rules/silences.h).
#include <catch2/catch.hpp>

#include "rules/acks.h"
#include "rules/alert_state_machine.h"
#include "rules/notification_gate.h"
#include "rules/silences.h"

#include <QUuid>
#include <optional>
#include <vector>

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr qint64 kMin = 60'000;
constexpr qint64 kHour = 60 * kMin;

const SeriesKey kSeries("latency", {{"model", "fraud"}});

AlertInstance instanceIn(AlertState state, Severity severity = Severity::Warning, const SeriesKey &key = kSeries)
{
    AlertInstance inst;
    inst.id = AlertInstanceId::make(QStringLiteral("HighP99Latency"), key);
    inst.state = state;
    inst.severity = severity;
    return inst;
}

Transition transition(const AlertInstance &inst, AlertState from, AlertState to, qint64 atMs,
                      Severity severity, Severity previous)
{
    Transition t;
    t.instance = inst.id;
    t.from = from;
    t.to = to;
    t.atMs = atMs;
    t.severity = severity;
    t.previousSeverity = previous;
    return t;
}

QueryResult sample(double value)
{
    QueryResult r;
    r.samples.append({kSeries, value});
    return r;
}

LabelMatcher matcher(const QString &name, LabelMatcher::Op op, const QString &value)
{
    QString error;
    const auto m = LabelMatcher::create(name, op, value, &error);
    INFO(error.toStdString());
    REQUIRE(m.has_value());
    return *m;
}

Silence silenceOf(QList<LabelMatcher> matchers, qint64 start, qint64 end, QString id = {})
{
    Silence s;
    s.id = std::move(id);
    s.matchers = std::move(matchers);
    s.startsAtMs = start;
    s.endsAtMs = end;
    s.createdBy = QStringLiteral("alice");
    s.comment = QStringLiteral("deploying fraud v4");
    return s;
}

} // namespace

// ---------------------------------------------------------------- acks

TEST_CASE("Acks: an acknowledgement records who, when, comment and expiry", "[rules][acks]")
{
    AckBook book;
    const AlertInstance inst = instanceIn(AlertState::Firing, Severity::Critical);
    const AckBook::Result r = book.acknowledge(inst, QStringLiteral("alice"), 1000, QStringLiteral("on it"), 1000 + kHour);
    REQUIRE(r.error.isEmpty());
    REQUIRE(r.event.has_value());
    CHECK(r.event->kind == AckEvent::Kind::Acknowledged);
    CHECK(r.event->cause == AckEvent::Cause::Person);
    CHECK(r.event->by == QStringLiteral("alice"));
    CHECK(r.event->atMs == 1000);
    CHECK(r.event->severity == Severity::Critical);

    const Ack *ack = book.find(inst.id.fingerprint);
    REQUIRE(ack);
    CHECK(ack->by == QStringLiteral("alice"));
    CHECK(ack->atMs == 1000);
    CHECK(ack->comment == QStringLiteral("on it"));
    CHECK(ack->expiresAtMs == 1000 + kHour);
    CHECK(ack->severity == Severity::Critical);
    CHECK(ack->instanceText == QStringLiteral(R"(HighP99Latency{model="fraud"})"));
    CHECK(book.isAcked(inst.id.fingerprint, 1000));
    CHECK(book.size() == 1);
}

TEST_CASE("Acks: every open state can be acknowledged, closed ones cannot", "[rules][acks]")
{
    struct Case { AlertState state; bool accepted; };
    const std::vector<Case> cases{{AlertState::Normal, false},    {AlertState::Pending, false},
                                  {AlertState::Firing, true},     {AlertState::Recovering, true},
                                  {AlertState::NoData, true},     {AlertState::Error, true}};
    for (const Case &c : cases) {
        DYNAMIC_SECTION(toString(c.state).toStdString())
        {
            AckBook book;
            const AckBook::Result r = book.acknowledge(instanceIn(c.state), QStringLiteral("bob"), 0);
            CHECK(r.event.has_value() == c.accepted);
            CHECK(r.error.isEmpty() == c.accepted);
            CHECK(book.size() == (c.accepted ? 1 : 0));
            if (c.state == AlertState::Pending)
                CHECK(r.error.contains(QStringLiteral("pending")));
        }
    }
}

TEST_CASE("Acks: an acknowledgement needs a name and an expiry in the future", "[rules][acks]")
{
    AckBook book;
    const AlertInstance inst = instanceIn(AlertState::Firing);
    CHECK_FALSE(book.acknowledge(inst, QStringLiteral("   "), 0).error.isEmpty());
    CHECK_FALSE(book.acknowledge(inst, QStringLiteral("bob"), 5000, {}, 5000).error.isEmpty());
    CHECK_FALSE(book.acknowledge(inst, QStringLiteral("bob"), 5000, {}, 4000).error.isEmpty());
    CHECK(book.size() == 0);
}

TEST_CASE("Acks: a second acknowledgement replaces the first", "[rules][acks]")
{
    AckBook book;
    const AlertInstance inst = instanceIn(AlertState::Firing);
    book.acknowledge(inst, QStringLiteral("alice"), 0, QStringLiteral("looking"), kHour);
    book.acknowledge(inst, QStringLiteral("bob"), kMin, QStringLiteral("taking over"));
    REQUIRE(book.size() == 1);
    const Ack *ack = book.find(inst.id.fingerprint);
    REQUIRE(ack);
    CHECK(ack->by == QStringLiteral("bob"));
    CHECK(ack->comment == QStringLiteral("taking over"));
    CHECK(ack->expiresAtMs == 0);
    CHECK(book.isAcked(inst.id.fingerprint, 100 * kHour)); // 0 = until it resolves
}

TEST_CASE("Acks: an acknowledged alert's repeats stop, and start again when un-acked", "[rules][acks]")
{
    AckBook book;
    const SilenceBook silences;
    const NotificationGate gate;
    const AlertInstance inst = instanceIn(AlertState::Firing);
    const Labels labels = kSeries.labels();

    CHECK(gate.decide(IntentKind::Repeat, inst.id.fingerprint, labels, false, book, silences, 0).notify);
    book.acknowledge(inst, QStringLiteral("alice"), 0);
    const NotifyDecision held = gate.decide(IntentKind::Repeat, inst.id.fingerprint, labels, false, book, silences, kMin);
    CHECK_FALSE(held.notify);
    CHECK(held.suppressedBy == SuppressedByAck);

    const auto e = book.unacknowledge(inst.id.fingerprint, QStringLiteral("carol"), 2 * kMin);
    REQUIRE(e.has_value());
    CHECK(e->kind == AckEvent::Kind::Unacknowledged);
    CHECK(e->cause == AckEvent::Cause::Person);
    CHECK(e->by == QStringLiteral("carol"));
    CHECK(e->ack.by == QStringLiteral("alice"));
    CHECK(e->atMs == 2 * kMin);
    CHECK_FALSE(book.isAcked(inst.id.fingerprint, 2 * kMin));
    CHECK(gate.decide(IntentKind::Repeat, inst.id.fingerprint, labels, false, book, silences, 3 * kMin).notify);

    CHECK_FALSE(book.unacknowledge(inst.id.fingerprint, QStringLiteral("carol"), 3 * kMin).has_value());
}

TEST_CASE("Acks: an acknowledgement lapses when its alert resolves", "[rules][acks]")
{
    Rule rule;
    rule.name = QStringLiteral("HighP99Latency");
    rule.query = QStringLiteral("q");
    rule.condition = Condition::above(0.25);
    AlertStateMachine m;
    AckBook book;
    m.evaluate(rule, 0, sample(0.3));
    const AlertInstance *inst = m.instance(rule.name, kSeries);
    REQUIRE(inst);
    const QString fp = inst->id.fingerprint;
    book.acknowledge(*inst, QStringLiteral("alice"), 0);

    SECTION("through the state machine")
    {
        CHECK(book.apply(m.evaluate(rule, kMin, sample(0.3))).isEmpty()); // still firing
        const QList<AckEvent> events = book.apply(m.evaluate(rule, 2 * kMin, sample(0.1)));
        REQUIRE(events.size() == 1);
        CHECK(events[0].kind == AckEvent::Kind::Lapsed);
        CHECK(events[0].cause == AckEvent::Cause::Resolved);
        CHECK(events[0].atMs == 2 * kMin);
        CHECK(events[0].ack.by == QStringLiteral("alice"));
        CHECK(book.find(fp) == nullptr);
        // Firing again is a new problem: nobody has acknowledged it.
        m.evaluate(rule, 3 * kMin, sample(0.3));
        CHECK_FALSE(book.isAcked(fp, 3 * kMin));
    }
    SECTION("a change between open states does not lapse it")
    {
        const AlertInstance a = instanceIn(AlertState::Firing);
        CHECK(book.apply({transition(a, AlertState::Firing, AlertState::NoData, kMin, Severity::Warning,
                                     Severity::Warning)})
                  .isEmpty());
        CHECK(book.apply({transition(a, AlertState::NoData, AlertState::Recovering, kMin, Severity::Warning,
                                     Severity::Warning)})
                  .isEmpty());
        CHECK(book.isAcked(fp, kMin));
    }
}

TEST_CASE("Acks: an acknowledgement re-opens when severity rises above the acknowledged one", "[rules][acks]")
{
    AckBook book;
    const AlertInstance inst = instanceIn(AlertState::Firing, Severity::Warning);
    book.acknowledge(inst, QStringLiteral("alice"), 0);

    SECTION("warning acked, now critical: re-opened")
    {
        const QList<AckEvent> events = book.apply(
            {transition(inst, AlertState::Firing, AlertState::Firing, kMin, Severity::Critical, Severity::Warning)});
        REQUIRE(events.size() == 1);
        CHECK(events[0].kind == AckEvent::Kind::Reopened);
        CHECK(events[0].cause == AckEvent::Cause::SeverityRaised);
        CHECK(events[0].severity == Severity::Critical);
        CHECK(events[0].ack.severity == Severity::Warning);
        CHECK_FALSE(book.isAcked(inst.id.fingerprint, kMin));
    }
    SECTION("critical acked, lowered to warning and raised back to critical: still acked")
    {
        AckBook critical;
        critical.acknowledge(instanceIn(AlertState::Firing, Severity::Critical), QStringLiteral("bob"), 0);
        CHECK(critical.apply({transition(inst, AlertState::Firing, AlertState::Firing, kMin, Severity::Warning,
                                         Severity::Critical)})
                  .isEmpty());
        CHECK(critical.apply({transition(inst, AlertState::Firing, AlertState::Firing, 2 * kMin,
                                         Severity::Critical, Severity::Warning)})
                  .isEmpty());
        CHECK(critical.isAcked(inst.id.fingerprint, 2 * kMin));
    }
    SECTION("a transition of another instance leaves it alone")
    {
        const AlertInstance other = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "spam"}}));
        CHECK(book.apply({transition(other, AlertState::Firing, AlertState::Normal, kMin, Severity::Page,
                                     Severity::Warning)})
                  .isEmpty());
        CHECK(book.isAcked(inst.id.fingerprint, kMin));
    }
}

TEST_CASE("Acks: an expired acknowledgement re-opens its alert", "[rules][acks]")
{
    AckBook book;
    const AlertInstance a = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "a"}}));
    const AlertInstance b = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "b"}}));
    const AlertInstance c = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "c"}}));
    book.acknowledge(b, QStringLiteral("alice"), 0, {}, kHour);
    book.acknowledge(a, QStringLiteral("alice"), 0, {}, kHour);
    book.acknowledge(c, QStringLiteral("alice"), 0, {}, 2 * kHour);

    CHECK(book.isAcked(a.id.fingerprint, kHour - 1));
    // Expired counts as gone at once, before expire() has reported it.
    CHECK_FALSE(book.isAcked(a.id.fingerprint, kHour));
    CHECK(book.find(a.id.fingerprint) != nullptr);
    CHECK(book.find(a.id.fingerprint)->expiredAt(kHour));

    CHECK(book.expire(kHour - 1).isEmpty());
    const QList<AckEvent> events = book.expire(kHour);
    REQUIRE(events.size() == 2);
    for (const AckEvent &e : events) {
        CHECK(e.kind == AckEvent::Kind::Reopened);
        CHECK(e.cause == AckEvent::Cause::Expired);
        CHECK(e.atMs == kHour);
    }
    CHECK(events[0].ack.fingerprint < events[1].ack.fingerprint); // sorted, deterministic
    CHECK(book.size() == 1);
    CHECK(book.isAcked(c.id.fingerprint, kHour));
    CHECK(book.expire(kHour).isEmpty()); // reported once
}

TEST_CASE("Acks: restore and listing", "[rules][acks][persistence]")
{
    AckBook book;
    const AlertInstance a = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "a"}}));
    const AlertInstance b = instanceIn(AlertState::Firing, Severity::Warning, SeriesKey("latency", {{"model", "b"}}));
    book.acknowledge(b, QStringLiteral("alice"), 2000);
    book.acknowledge(a, QStringLiteral("bob"), 1000);
    const QList<Ack> all = book.all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].by == QStringLiteral("bob")); // by time
    CHECK(all[1].by == QStringLiteral("alice"));

    AckBook restored;
    restored.restore(all);
    CHECK(restored.size() == 2);
    CHECK(restored.isAcked(a.id.fingerprint, 5000));
    CHECK(restored.find(b.id.fingerprint)->by == QStringLiteral("alice"));

    CHECK(toString(AckEvent::Kind::Reopened) == QStringLiteral("reopened"));
    CHECK(toString(AckEvent::Kind::Lapsed) == QStringLiteral("lapsed"));
    CHECK(toString(AckEvent::Cause::SeverityRaised) == QStringLiteral("severity-raised"));
    CHECK(toString(AckEvent::Cause::Expired) == QStringLiteral("expired"));
}

// ---------------------------------------------------------------- silences

TEST_CASE("Silences: label matchers, Alertmanager's semantics", "[rules][silences]")
{
    using Op = LabelMatcher::Op;
    const Labels fraud{{"alertname", "HighP99Latency"}, {"model", "fraud"}, {"severity", "critical"}};
    const Labels fraudV2{{"alertname", "HighP99Latency"}, {"model", "fraud-v2"}};
    const Labels noModel{{"alertname", "HighP99Latency"}};
    const Labels trailingNewline{{"model", "fraud\n"}};
    struct Case
    {
        const char *name;
        Op op;
        const char *value;
        Labels labels;
        bool matches;
    };
    const std::vector<Case> cases{
        {"= equal", Op::Equal, "fraud", fraud, true},
        {"= other value", Op::Equal, "fraud", fraudV2, false},
        {"= missing label is the empty string", Op::Equal, "", noModel, true},
        {"= missing label against a value", Op::Equal, "fraud", noModel, false},
        {"= is case sensitive", Op::Equal, "Fraud", fraud, false},
        {"!= other value", Op::NotEqual, "fraud", fraudV2, true},
        {"!= same value", Op::NotEqual, "fraud", fraud, false},
        {"!= missing label", Op::NotEqual, "fraud", noModel, true},
        {"=~ whole value", Op::Regex, "fraud", fraud, true},
        {"=~ is anchored at the end: fraud does not match fraud-v2", Op::Regex, "fraud", fraudV2, false},
        {"=~ is anchored at the start", Op::Regex, "v2", fraudV2, false},
        {"=~ with a wildcard", Op::Regex, "fraud.*", fraudV2, true},
        {"=~ alternation is anchored as a group", Op::Regex, "fraud|spam", Labels{{"model", "fraudspam"}}, false},
        {"=~ alternation", Op::Regex, "fraud|spam", Labels{{"model", "spam"}}, true},
        {"=~ anchored at the very end, not before a trailing newline", Op::Regex, "fraud", trailingNewline, false},
        {"=~ .* matches a missing label", Op::Regex, ".*", noModel, true},
        {"=~ .+ does not match a missing label", Op::Regex, ".+", noModel, false},
        {"!~ complement of the anchored regex", Op::NotRegex, "fraud", fraudV2, true},
        {"!~ same", Op::NotRegex, "fraud.*", fraudV2, false},
        {"!~ missing label", Op::NotRegex, ".+", noModel, true},
        {"!~ anchored at the very end", Op::NotRegex, "fraud", trailingNewline, true},
    };
    for (const Case &c : cases) {
        DYNAMIC_SECTION(c.name)
        {
            const LabelMatcher m = matcher(QStringLiteral("model"), c.op, QString::fromUtf8(c.value));
            CHECK(m.matches(c.labels) == c.matches);
        }
    }
}

TEST_CASE("Silences: a matcher with a bad regex or no name is refused with a message", "[rules][silences]")
{
    QString error;
    CHECK_FALSE(LabelMatcher::create(QStringLiteral("model"), LabelMatcher::Op::Regex, QStringLiteral("fraud("), &error));
    CHECK(error.contains(QStringLiteral("not a valid regular expression")));
    error.clear();
    CHECK_FALSE(LabelMatcher::create(QStringLiteral(" "), LabelMatcher::Op::Equal, QStringLiteral("x"), &error));
    CHECK_FALSE(error.isEmpty());
    // A value that is not a valid regex is fine for = and !=.
    CHECK(LabelMatcher::create(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud(")));
}

TEST_CASE("Silences: matchers parse from Alertmanager's text form", "[rules][silences]")
{
    using Op = LabelMatcher::Op;
    struct Case
    {
        const char *text;
        const char *name;
        Op op;
        const char *value;
    };
    const std::vector<Case> cases{
        {R"(model="fraud")", "model", Op::Equal, "fraud"},
        {R"(  model = "fraud"  )", "model", Op::Equal, "fraud"},
        {"model=fraud", "model", Op::Equal, "fraud"},
        {R"(model!="fraud")", "model", Op::NotEqual, "fraud"},
        {R"(model=~"fraud|spam")", "model", Op::Regex, "fraud|spam"},
        {R"(model!~"fraud.*")", "model", Op::NotRegex, "fraud.*"},
        {R"(msg="say \"hi\"")", "msg", Op::Equal, R"(say "hi")"},
        {R"(path="a\\b")", "path", Op::Equal, R"(a\b)"},
        {R"(team="")", "team", Op::Equal, ""},
    };
    for (const Case &c : cases) {
        DYNAMIC_SECTION(c.text)
        {
            QString error;
            const auto m = LabelMatcher::parse(QString::fromUtf8(c.text), &error);
            INFO(error.toStdString());
            REQUIRE(m.has_value());
            CHECK(m->name() == QString::fromUtf8(c.name));
            CHECK(m->op() == c.op);
            CHECK(m->value() == QString::fromUtf8(c.value));
            // toString writes what parse reads.
            const auto again = LabelMatcher::parse(m->toString());
            REQUIRE(again.has_value());
            CHECK(again->value() == m->value());
            CHECK(again->op() == m->op());
        }
    }
    for (const char *bad : {"model", "=\"fraud\"", "1model=\"x\"", "model~\"x\"", ""}) {
        DYNAMIC_SECTION("refused: " << bad)
        {
            QString error;
            CHECK_FALSE(LabelMatcher::parse(QString::fromUtf8(bad), &error).has_value());
            CHECK_FALSE(error.isEmpty());
        }
    }
    QString error;
    CHECK_FALSE(LabelMatcher::parse(QStringLiteral(R"(model=~"(")"), &error).has_value());
    CHECK(error.contains(QStringLiteral("regular expression")));
    CHECK(matcher(QStringLiteral("model"), LabelMatcher::Op::NotRegex, QStringLiteral("a\"b")).toString()
          == QStringLiteral(R"(model!~"a\"b")"));
}

TEST_CASE("Silences: all matchers must match (AND)", "[rules][silences]")
{
    const Silence s = silenceOf({matcher(QStringLiteral("alertname"), LabelMatcher::Op::Equal, QStringLiteral("HighP99Latency")),
                                 matcher(QStringLiteral("model"), LabelMatcher::Op::Regex, QStringLiteral("fraud.*"))},
                                0, kHour);
    CHECK(s.matches({{"alertname", "HighP99Latency"}, {"model", "fraud-v2"}}));
    CHECK_FALSE(s.matches({{"alertname", "HighP99Latency"}, {"model", "spam"}}));
    CHECK_FALSE(s.matches({{"alertname", "Other"}, {"model", "fraud"}}));
    CHECK_FALSE(Silence{}.matches({{"model", "fraud"}})); // no matchers never matches
}

TEST_CASE("Silences: adding validates and assigns an id", "[rules][silences]")
{
    SilenceBook book;
    const LabelMatcher fraud = matcher(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud"));
    QString error;

    const QString id = book.add(silenceOf({fraud}, 0, kHour), &error);
    CHECK(error.isEmpty());
    CHECK_FALSE(QUuid(id).isNull());
    REQUIRE(book.find(id));
    CHECK(book.find(id)->createdBy == QStringLiteral("alice"));
    CHECK(book.find(id)->comment == QStringLiteral("deploying fraud v4"));

    struct Bad { const char *name; Silence silence; };
    Silence noAuthor = silenceOf({fraud}, 0, kHour);
    noAuthor.createdBy = QStringLiteral(" ");
    const std::vector<Bad> bad{
        {"no matchers", silenceOf({}, 0, kHour)},
        {"only matchers that match the empty string",
         silenceOf({matcher(QStringLiteral("team"), LabelMatcher::Op::Equal, QString()),
                    matcher(QStringLiteral("model"), LabelMatcher::Op::Regex, QStringLiteral(".*")),
                    matcher(QStringLiteral("env"), LabelMatcher::Op::NotEqual, QStringLiteral("prod"))},
                   0, kHour)},
        {"ends when it starts", silenceOf({fraud}, kHour, kHour)},
        {"ends before it starts", silenceOf({fraud}, kHour, 0)},
        {"no author", noAuthor},
    };
    for (const Bad &b : bad) {
        DYNAMIC_SECTION(b.name)
        {
            QString e;
            CHECK(book.add(b.silence, &e).isEmpty());
            CHECK_FALSE(e.isEmpty());
            CHECK(book.all().size() == 1);
        }
    }
    SECTION("one matcher needing a value is enough beside empty-matching ones")
    {
        CHECK_FALSE(book.add(silenceOf({fraud, matcher(QStringLiteral("team"), LabelMatcher::Op::Equal, QString())}, 0, kHour))
                        .isEmpty());
    }
    SECTION("an existing id replaces that silence")
    {
        const QString same = book.add(silenceOf({fraud}, 0, 2 * kHour, id));
        CHECK(same == id);
        CHECK(book.all().size() == 1);
        CHECK(book.find(id)->endsAtMs == 2 * kHour);
    }
}

TEST_CASE("Silences: a silence applies from its start until (not at) its end", "[rules][silences]")
{
    SilenceBook book;
    const Labels fraud{{"alertname", "HighP99Latency"}, {"model", "fraud"}};
    const QString id = book.add(silenceOf({matcher(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud"))},
                                          kHour, 3 * kHour));
    REQUIRE_FALSE(id.isEmpty());
    const Silence &s = *book.find(id);

    struct Case { qint64 at; bool silenced; bool pending; bool expired; };
    const std::vector<Case> cases{
        {0, false, true, false},
        {kHour - 1, false, true, false},
        {kHour, true, false, false},
        {2 * kHour, true, false, false},
        {3 * kHour - 1, true, false, false},
        {3 * kHour, false, false, true},
    };
    for (const Case &c : cases) {
        INFO("at " << c.at);
        CHECK(book.isSilenced(fraud, c.at) == c.silenced);
        CHECK(s.isActive(c.at) == c.silenced);
        CHECK(s.isPending(c.at) == c.pending);
        CHECK(s.isExpired(c.at) == c.expired);
    }
    CHECK_FALSE(book.isSilenced({{"model", "spam"}}, 2 * kHour));
}

TEST_CASE("Silences: expiring early", "[rules][silences]")
{
    SilenceBook book;
    const LabelMatcher fraudMatcher = matcher(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud"));
    const Labels fraud{{"model", "fraud"}};

    SECTION("an active silence ends now")
    {
        const QString id = book.add(silenceOf({fraudMatcher}, 0, 4 * kHour));
        REQUIRE(book.isSilenced(fraud, kHour));
        CHECK(book.expire(id, kHour));
        CHECK_FALSE(book.isSilenced(fraud, kHour));
        CHECK(book.find(id)->endsAtMs == kHour);
        CHECK(book.find(id)->startsAtMs == 0);
        CHECK_FALSE(book.expire(id, kHour)); // already over
    }
    SECTION("a silence that has not started starts and ends now: it never silences")
    {
        const QString id = book.add(silenceOf({fraudMatcher}, 2 * kHour, 4 * kHour));
        CHECK(book.expire(id, kHour));
        CHECK(book.find(id)->startsAtMs == kHour);
        CHECK(book.find(id)->endsAtMs == kHour);
        for (qint64 t : {kHour, 2 * kHour, 3 * kHour})
            CHECK_FALSE(book.isSilenced(fraud, t));
    }
    SECTION("an unknown or finished silence cannot be expired")
    {
        const QString id = book.add(silenceOf({fraudMatcher}, 0, kHour));
        CHECK_FALSE(book.expire(id, 2 * kHour));
        CHECK(book.find(id)->endsAtMs == kHour); // untouched
        CHECK_FALSE(book.expire(QStringLiteral("no-such-id"), 0));
    }
}

TEST_CASE("Silences: silencedBy lists active matching silences, purge forgets old ones", "[rules][silences]")
{
    SilenceBook book;
    const LabelMatcher fraudMatcher = matcher(QStringLiteral("model"), LabelMatcher::Op::Equal, QStringLiteral("fraud"));
    const LabelMatcher latency = matcher(QStringLiteral("alertname"), LabelMatcher::Op::Equal, QStringLiteral("HighP99Latency"));
    book.add(silenceOf({fraudMatcher}, 0, kHour, QStringLiteral("b")));
    book.add(silenceOf({latency}, 0, kHour, QStringLiteral("a")));
    book.add(silenceOf({latency}, 2 * kHour, 3 * kHour, QStringLiteral("c"))); // not yet
    const Labels labels{{"alertname", "HighP99Latency"}, {"model", "fraud"}};
    CHECK(book.silencedBy(labels, 0) == QStringList{QStringLiteral("a"), QStringLiteral("b")});
    CHECK(book.silencedBy(labels, 2 * kHour) == QStringList{QStringLiteral("c")});

    const QList<Silence> all = book.all();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == QStringLiteral("a")); // by start, then id
    CHECK(all[1].id == QStringLiteral("b"));
    CHECK(all[2].id == QStringLiteral("c"));

    // Alertmanager's --data.retention default: 120 h after the end.
    CHECK(book.purge(kHour + 120 * kHour - 1) == 0);
    CHECK(book.purge(kHour + 120 * kHour) == 2);
    CHECK(book.all().size() == 1);
    CHECK(book.purge(3 * kHour, 0) == 1);
}
