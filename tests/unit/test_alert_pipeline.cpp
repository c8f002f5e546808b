// SPDX-License-Identifier: GPL-3.0-or-later
// AlertPipeline: engine -> store -> router -> outbox -> notifier, with a manual
// clock, a scripted connection, a real AlertStore in a temporary directory and
// a fake notifier. Persist before acting, restart, desktop actions, routes.
#include <catch2/catch.hpp>

#include "alerting/alert_pipeline.h"

#include <QCoreApplication>
#include <QPromise>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <memory>

using namespace vigil;
using alerting::AlertEngine;
using alerting::AlertPipeline;

namespace {

const Labels kFraud{{"model", "fraud-detector"}, {"version", "v13"}};

// expr -> value for kFraud; a missing expr answers an empty vector.
struct Values
{
    QHash<QString, double> byExpr;
    QFuture<QueryResult> operator()(const QString &, const QueryRequest &req) const
    {
        QueryResult r;
        r.type = ResultType::Vector;
        if (byExpr.contains(req.expr))
            r.series.append({SeriesKey(QStringLiteral("p99"), kFraud), {{req.timeMs, byExpr.value(req.expr)}}});
        QPromise<QueryResult> p;
        p.start();
        p.addResult(r);
        p.finish();
        return p.future();
    }
};

class FakeNotifier : public Notifier
{
public:
    explicit FakeNotifier(QString name = QStringLiteral("pager")) { m_settings.name = name; m_settings.kind = "fake"; }
    QString kind() const override { return m_settings.kind; }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &batch) override
    {
        if (onDeliver)
            onDeliver(batch);
        batches << batch;
        QPromise<DeliveryResult> p;
        p.start();
        p.addResult(answer);
        p.finish();
        return p.future();
    }
    QStringList ids() const
    {
        QStringList out;
        for (const auto &b : batches)
            for (const auto &n : b)
                out << n.id;
        return out;
    }
    void invoke(const QString &id, const QString &action) { Q_EMIT actionInvoked(id, action); }

    DeliveryResult answer = DeliveryResult::delivered();
    QList<QList<Notification>> batches;
    std::function<void(const QList<Notification> &)> onDeliver;

private:
    NotifierSettings m_settings;
};

RuleDef latencyRule()
{
    RuleDef d;
    d.rule.name = QStringLiteral("HighP99Latency");
    d.rule.query = QStringLiteral("p99");
    d.rule.condition = rules::Condition::above(0.25);
    d.rule.severity = rules::Severity::Critical;
    d.rule.annotations = {{QStringLiteral("summary"), QStringLiteral("p99 of {{ $labels.model }} is {{ $value }}")}};
    d.group = QStringLiteral("default");
    d.intervalMs = 60'000;
    return d;
}

// Short timers so a test reads as a timeline: group_wait 1 s, group_interval
// 1 s, repeat_interval 10 min.
RouterConfig fastRouting(const QString &receiver = QStringLiteral("pager"))
{
    RouterConfig c;
    c.root.receiver = receiver;
    c.root.groupBy = QStringList{QStringLiteral("alertname")};
    c.root.groupWaitMs = 1'000;
    c.root.groupIntervalMs = 1'000;
    c.root.repeatIntervalMs = 600'000;
    return c;
}

void settle()
{
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
}

// One running pipeline over a database that outlives it (a restart is a new Rig on the same dir).
struct Rig
{
    Rig(ManualClock &clock, const QString &dbPath, std::shared_ptr<Values> values, DeliveryResult answer = DeliveryResult::delivered())
        : clock(clock)
    {
        storage::StoreOptions o;
        o.path = dbPath;
        o.clock = &clock;
        store = std::make_unique<storage::AlertStore>(o);
        REQUIRE(store->open().usable());
        engine = std::make_unique<AlertEngine>(clock, [values](const QString &c, const QueryRequest &r) { return (*values)(c, r); });
        engine->setRules({latencyRule()}, QStringLiteral("prom"));
        pipeline = std::make_unique<AlertPipeline>(clock, engine.get(), store.get());
        pipeline->setUser(QStringLiteral("alice"));
        pipeline->setRouting(fastRouting());
        notifier.answer = answer;
        pipeline->addNotifier(&notifier);
        startProblems = pipeline->start();
    }
    ~Rig()
    {
        pipeline.reset();
        engine.reset();
        store.reset();
    }
    // One evaluation, then the router and the outbox after group_wait.
    void evaluateAndSend()
    {
        engine->tick();
        settle();
        clock.advanceMs(1'000);
        pipeline->tick();
        settle();
    }
    QString fingerprint() const
    {
        const auto rows = engine->alerts();
        return rows.isEmpty() ? QString() : rows.first().instance.id.fingerprint;
    }

    ManualClock &clock;
    FakeNotifier notifier;
    std::unique_ptr<storage::AlertStore> store;
    std::unique_ptr<AlertEngine> engine;
    std::unique_ptr<AlertPipeline> pipeline;
    QStringList startProblems;
};

} // namespace

TEST_CASE("Pipeline writes the transition, the announced set and the delivery attempt before the notifier is handed the notification",
          "[pipeline]")
{
    QTemporaryDir dir;
    const QString db = dir.filePath("alerts.db");
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, db, values);
    REQUIRE(rig.startProblems.isEmpty());

    // What another connection to the same file sees at the moment of the send.
    int checked = 0;
    rig.notifier.onDeliver = [&](const QList<Notification> &batch) {
        storage::StoreOptions o;
        o.path = db;
        storage::AlertStore reader(o);
        REQUIRE(reader.open().usable());
        REQUIRE(batch.size() == 1);
        const Notification &n = batch.first();
        const auto history = reader.history(n.fingerprint);
        REQUIRE(history.value.size() == 1);
        CHECK(history.value.first().transition.to == rules::AlertState::Firing);
        CHECK(reader.loadInstances().value.size() == 1);
        CHECK(reader.loadAnnounced().value.contains(n.fingerprint));
        const auto pending = reader.pending(QStringLiteral("pager"));
        REQUIRE(pending.value.size() == 1);
        CHECK(pending.value.first().notification.id == n.id);
        CHECK(pending.value.first().attempts == 1); // counted before the send
        ++checked;
    };
    rig.evaluateAndSend();
    REQUIRE(checked == 1);
    REQUIRE(rig.notifier.batches.size() == 1);
    const Notification n = rig.notifier.batches.first().first();
    CHECK(n.kind == Notification::Kind::Firing);
    CHECK(n.fingerprint == rig.fingerprint());
    CHECK(n.id.startsWith(n.fingerprint + ':'));
    // The decorator filled what the router does not know.
    CHECK(n.summary == "p99 of fraud-detector is 0.31");
    CHECK(n.condition == rig.engine->alert(n.fingerprint)->condition);
    CHECK(n.annotations.value("summary") == n.summary);
    // And the outcome is written after it.
    CHECK(rig.store->pending().value.isEmpty());
}

TEST_CASE("Pipeline restart restores the alert and its ack without a second firing notice", "[pipeline]")
{
    QTemporaryDir dir;
    const QString db = dir.filePath("alerts.db");
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    QString fp;
    QString firingId;
    {
        Rig rig(clock, db, values);
        rig.evaluateAndSend();
        REQUIRE(rig.notifier.ids().size() == 1);
        firingId = rig.notifier.ids().first();
        fp = rig.fingerprint();
        REQUIRE(rig.engine->acknowledge(fp, QStringLiteral("alice"), QStringLiteral("on it")).isEmpty());
    }
    clock.advanceMs(60'000);
    Rig again(clock, db, values);
    CHECK(again.startProblems.isEmpty());
    const auto row = again.engine->alert(fp);
    REQUIRE(row);
    CHECK(row->instance.state == rules::AlertState::Firing);
    REQUIRE(row->ack);
    CHECK(row->ack->by == "alice");
    CHECK(again.engine->gate().isAnnounced(fp));
    // Still breaching after the restart: nothing new is sent, not even after a repeat interval (acked).
    again.evaluateAndSend();
    clock.advanceMs(600'000);
    again.evaluateAndSend();
    CHECK(again.notifier.ids().isEmpty());
    // It resolves: the resolved notice goes where the firing notice went.
    values->byExpr["p99"] = 0.10;
    clock.advanceMs(60'000);
    again.evaluateAndSend();
    REQUIRE(again.notifier.ids().size() == 1);
    CHECK(again.notifier.batches.first().first().kind == Notification::Kind::Resolved);
    CHECK(again.notifier.ids().first() != firingId);
}

TEST_CASE("Pipeline restart re-queues undelivered notifications with their ids and delivers each once", "[pipeline]")
{
    QTemporaryDir dir;
    const QString db = dir.filePath("alerts.db");
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    QStringList tried;
    {
        Rig rig(clock, db, values, DeliveryResult::retry(QStringLiteral("HTTP 500")));
        rig.evaluateAndSend();
        tried = rig.notifier.ids();
        REQUIRE(tried.size() == 1);
        REQUIRE(rig.store->pending().value.size() == 1);
    } // gone, undelivered (as after a kill: the store has it, the memory does not)
    Rig again(clock, db, values);
    again.pipeline->tick();
    settle();
    CHECK(again.notifier.ids() == tried);
    CHECK(again.store->pending().value.isEmpty());
    // A later evaluation of the same firing alert does not send it again.
    clock.advanceMs(60'000);
    again.evaluateAndSend();
    CHECK(again.notifier.ids() == tried);
}

TEST_CASE("Pipeline restart: a reminder keeps its repeat_interval from the last message, not from the restart",
          "[pipeline][repeat]")
{
    QTemporaryDir dir;
    const QString db = dir.filePath("alerts.db");
    ManualClock clock;
    const qint64 t0 = clock.nowMs();
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    QString firingId;
    {
        Rig rig(clock, db, values);
        rig.evaluateAndSend(); // fires, told at group_wait (1 s)
        REQUIRE(rig.notifier.ids().size() == 1);
        firingId = rig.notifier.ids().first();
        clock.advanceMs(8 * 60'000);
        rig.pipeline->tick();
        settle();
        REQUIRE(rig.notifier.ids().size() == 1); // repeat_interval is 10 min
    } // restart 8 min after the notice
    Rig again(clock, db, values);
    QList<qint64> reminders;
    for (int i = 0; i < 40; ++i) { // 20 more minutes, every 30 s
        clock.advanceMs(30'000);
        again.engine->tick();
        settle();
        again.pipeline->tick();
        settle();
        for (const QString &id : again.notifier.ids())
            if (id.endsWith(QLatin1String(":reminder")) && !reminders.contains(id.section(':', 1, 1).toLongLong()))
                reminders << id.section(':', 1, 1).toLongLong();
    }
    REQUIRE_FALSE(reminders.isEmpty());
    // 10 min after the first notice (t0 + 1 s), at the 30 s tick after it;
    // counted from the restart it would have been 18 min after the notice.
    CHECK(reminders.first() - t0 >= 60'000 * 10);
    CHECK(reminders.first() - t0 <= 60'000 * 10 + 31'000);
    CHECK_FALSE(again.notifier.ids().contains(firingId)); // no second firing notice
}

TEST_CASE("Pipeline: the desktop's ack action acknowledges the alert behind the notification, durably", "[pipeline]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    rig.evaluateAndSend();
    REQUIRE(rig.notifier.ids().size() == 1);
    const QString fp = rig.fingerprint();

    rig.notifier.invoke(rig.notifier.ids().first(), QStringLiteral("ack"));
    const auto row = rig.engine->alert(fp);
    REQUIRE(row->ack);
    CHECK(row->ack->by == "alice");
    const auto acks = rig.store->loadAcks();
    REQUIRE(acks.value.size() == 1);
    CHECK(acks.value.first().fingerprint == fp);

    // A notification id the pipeline never saw (another run's): its fingerprint is in the id.
    CHECK(rig.pipeline->fingerprintOf(fp + QStringLiteral(":1:firing")) == fp);
}

TEST_CASE("Pipeline: the desktop's snooze action silences exactly the alert's labels for 15 minutes", "[pipeline]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    rig.evaluateAndSend();
    REQUIRE(rig.notifier.ids().size() == 1);
    const QString fp = rig.fingerprint();
    const qint64 now = clock.nowMs();

    rig.notifier.invoke(rig.notifier.ids().first(), QStringLiteral("snooze-15m"));
    const auto silences = rig.engine->silences();
    REQUIRE(silences.size() == 1);
    const rules::Silence s = silences.first();
    CHECK(s.startsAtMs == now);
    CHECK(s.endsAtMs == now + 15 * 60'000);
    CHECK(s.createdBy == "alice");
    CHECK(s.comment == "snoozed from the desktop notification");
    QStringList matchers;
    for (const auto &m : s.matchers)
        matchers << m.toString();
    CHECK(matchers == QStringList{R"(alertname="HighP99Latency")", R"(model="fraud-detector")",
                                  R"(severity="critical")", R"(version="v13")"});
    CHECK(rig.engine->alert(fp)->silencedBy == QStringList{s.id});
    const auto stored = rig.store->loadSilences();
    REQUIRE(stored.value.size() == 1);
    CHECK(stored.value.first().id == s.id);
}

TEST_CASE("Pipeline: the desktop's open action asks for the alert, and a refused ack is reported", "[pipeline]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    rig.evaluateAndSend();
    QSignalSpy open(rig.pipeline.get(), &AlertPipeline::openRequested);
    QSignalSpy failed(rig.pipeline.get(), &AlertPipeline::actionFailed);
    rig.notifier.invoke(rig.notifier.ids().first(), QStringLiteral("open"));
    REQUIRE(open.size() == 1);
    CHECK(open.first().first().toString() == rig.fingerprint());
    rig.notifier.invoke(QStringLiteral("0123456789abcdef:1:firing"), QStringLiteral("ack"));
    REQUIRE(failed.size() == 1);
    CHECK(failed.first().first().toString().contains("no alert with fingerprint 0123456789abcdef"));
}

TEST_CASE("Pipeline: a permanent delivery failure is kept as failed and told to the user", "[pipeline]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values,
            DeliveryResult::permanent(QStringLiteral("Slack refused the message: no_service (HTTP 404)"), 404));
    QSignalSpy problems(rig.pipeline.get(), &AlertPipeline::problem);
    rig.evaluateAndSend();
    REQUIRE(problems.size() == 1);
    CHECK(problems.first().first().toString()
          == "1 notification(s) to 'pager' could not be delivered and will not be retried: "
             "Slack refused the message: no_service (HTTP 404)");
    CHECK(rig.store->failed().value.size() == 1);
    CHECK(rig.store->pending().value.isEmpty());
}

TEST_CASE("Pipeline keeps notifications for a notifier that is not available, and says so", "[pipeline]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    rig.pipeline->setRouting(fastRouting(QStringLiteral("oncall-slack")));
    QSignalSpy problems(rig.pipeline.get(), &AlertPipeline::problem);
    rig.evaluateAndSend();
    REQUIRE(problems.size() == 1);
    CHECK(problems.first().first().toString()
          == "1 notification(s) for 'oncall-slack' are kept undelivered: that notifier is not available");
    CHECK(rig.store->pending(QStringLiteral("oncall-slack")).value.size() == 1);
}

TEST_CASE("Default routing sends each rule to the notifiers its notify list names, and unnamed rules everywhere",
          "[pipeline][routing]")
{
    Workspace ws;
    for (const char *name : {"oncall-slack", "desktop"}) {
        NotifierDef n;
        n.name = QString::fromLatin1(name);
        n.kind = QStringLiteral("x");
        ws.notifiers << n;
    }
    ws.notifiers[0].sendResolved = false;
    RuleDef a = latencyRule();
    a.notify = {QStringLiteral("desktop")};
    RuleDef b = latencyRule();
    b.rule.name = QStringLiteral("Errors.5xx");
    b.notify = {QStringLiteral("oncall-slack"), QStringLiteral("desktop")};
    RuleDef c = latencyRule();
    c.rule.name = QStringLiteral("Anything");
    ws.rules = {a, b, c};
    const RouterConfig config = alerting::routerConfigFor(ws);
    CHECK(config.validate().isEmpty());
    CHECK(config.sendResolved.value("oncall-slack") == false);
    CHECK(config.sendResolved.value("desktop") == true);
    const Router router(config);
    CHECK(router.receiversFor({{"alertname", "HighP99Latency"}}) == QStringList{"desktop"});
    CHECK(router.receiversFor({{"alertname", "Errors.5xx"}}) == QStringList{"oncall-slack", "desktop"});
    CHECK(router.receiversFor({{"alertname", "Errorsx5xx"}}) == QStringList{"oncall-slack"}); // '.' is literal: the root's
    CHECK(router.receiversFor({{"alertname", "Anything"}}) == QStringList{"oncall-slack", "desktop"});

    SECTION("no rule names a notifier: every notifier gets every alert")
    {
        for (RuleDef &r : ws.rules)
            r.notify.clear();
        const Router all(alerting::routerConfigFor(ws));
        CHECK(all.receiversFor({{"alertname", "HighP99Latency"}}) == QStringList{"oncall-slack", "desktop"});
    }
}

TEST_CASE("Workspace routes: the route tree, inhibit rules and send_resolved as Alertmanager writes them",
          "[pipeline][routing][workspace]")
{
    const QByteArray yaml = R"(notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-oncall, send_resolved: false }
  desktop: { kind: desktop }
routes:
  receiver: oncall-slack
  group_by: [alertname, model]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 2h
  routes:
    - matchers: ['severity="page"', 'model=~"fraud.*"']
      receiver: desktop
      continue: true
    - matchers: ['team="ml"']
      group_by: ['...']
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="warning"']
    equal: [alertname, model]
)";
    const Workspace ws = parseWorkspace(yaml, QStringLiteral("team.yaml"));
    INFO(ws.errorMessages().join('\n').toStdString());
    CHECK(ws.issues.isEmpty());
    REQUIRE(ws.routing);
    const RouterConfig &c = *ws.routing;
    CHECK(c.root.receiver == "oncall-slack");
    CHECK(c.root.groupBy == QStringList{"alertname", "model"});
    CHECK(c.root.groupWaitMs == 10'000);
    CHECK(c.root.groupIntervalMs == 60'000);
    CHECK(c.root.repeatIntervalMs == 7'200'000);
    REQUIRE(c.root.routes.size() == 2);
    CHECK(c.root.routes[0].receiver == "desktop");
    CHECK(c.root.routes[0].continueMatching);
    CHECK(c.root.routes[0].matchers.size() == 2);
    CHECK(c.root.routes[1].groupBy == QStringList{"..."});
    REQUIRE(c.inhibitRules.size() == 1);
    CHECK(c.inhibitRules[0].equal == QStringList{"alertname", "model"});
    REQUIRE(ws.notifiers.size() == 2);
    CHECK_FALSE(ws.notifiers[0].sendResolved);

    const RouterConfig full = alerting::routerConfigFor(ws);
    CHECK(full.sendResolved.value("oncall-slack") == false);
    const Router router(full);
    CHECK(router.receiversFor({{"model", "fraud-v2"}, {"severity", "page"}, {"team", "ml"}})
          == QStringList{"desktop", "oncall-slack"});
}

TEST_CASE("Workspace routes: mistakes are reported with file, line and key, and the default routing stays",
          "[pipeline][routing][workspace]")
{
    const QByteArray yaml = R"(notifiers:
  desktop: { kind: desktop }
routes:
  receiver: dekstop
  group_wait: soon
  routes:
    - matchers: ['model=~"(unclosed"']
      recevier: desktop
)";
    const Workspace ws = parseWorkspace(yaml, QStringLiteral("team.yaml"));
    CHECK_FALSE(ws.routing);
    const QStringList messages = ws.errorMessages();
    INFO(messages.join('\n').toStdString());
    REQUIRE(messages.size() == 4);
    CHECK(messages[0] == "team.yaml:4: receiver 'dekstop' in the root route is not defined under 'notifiers'; did you mean 'desktop'?");
    CHECK(messages[1] == "team.yaml:5: 'group_wait' in the root route is not a duration: 'soon' (write e.g. 15s, 5m, 1h)");
    CHECK(messages[2].startsWith("team.yaml:8: unknown key 'recevier' in route routes.routes[0]; did you mean 'receiver'?"));
    CHECK(messages[3].startsWith("team.yaml:7: matcher 'model=~\"(unclosed\"' in route routes.routes[0]: "));
}

// Fault injection: the disk holding alerts.db fills up while an alert fires.
// SQLite's max_page_count makes "database or disk is full" (SQLITE_FULL)
// happen deterministically, as a small tmpfs would.
TEST_CASE("Pipeline on a full disk: the user is told, the notification still goes out from memory, "
          "and it is all written once space returns",
          "[pipeline][fault]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    REQUIRE(rig.startProblems.isEmpty());
    QSignalSpy problems(rig.pipeline.get(), &AlertPipeline::problem);
    // Full: not one page more than the file already has, and what room is left
    // in them taken, as by another program's log filling the disk.
    rig.store->setMaxPageCount(1);
    for (int i = 0; i < 5'000 && rig.store->backlogSize() == 0; ++i) {
        Notification filler;
        filler.id = QStringLiteral("filler:%1").arg(i);
        filler.rule = QStringLiteral("Filler");
        filler.summary = QString(200, u'x');
        rig.store->enqueue(QStringLiteral("archive"), {filler}, i);
    }
    REQUIRE(rig.store->backlogSize() == 1);

    rig.evaluateAndSend();
    // The page is not held back by the disk.
    REQUIRE(rig.notifier.batches.size() == 1);
    const Notification sent = rig.notifier.batches.first().first();
    CHECK(sent.kind == Notification::Kind::Firing);
    CHECK(sent.summary == "p99 of fraud-detector is 0.31");
    // The user is told, in words, once (not once per refused write).
    QStringList told;
    for (const QList<QVariant> &args : problems)
        told << args.first().toString();
    CHECK(told.filter("full").size() >= 1);
    CHECK(told.filter("disk holding the alert database is full").size() == 1);
    CHECK(rig.store->backlogSize() > 1);
    // Nothing of it reached the file yet.
    CHECK(rig.store->history(sent.fingerprint).value.isEmpty());

    // Space returns: the next tick writes what was kept, in order.
    rig.store->setMaxPageCount(0);
    clock.advanceMs(1'000);
    rig.pipeline->tick();
    settle();
    CHECK(rig.store->backlogSize() == 0);
    const auto history = rig.store->history(sent.fingerprint);
    REQUIRE(history.value.size() == 1);
    CHECK(history.value.first().transition.to == rules::AlertState::Firing);
    CHECK(rig.store->loadAnnounced().value.contains(sent.fingerprint));
    CHECK(rig.store->pending(QStringLiteral("pager")).value.isEmpty()); // enqueued, then delivered: both written
    // And it is not sent a second time.
    CHECK(rig.notifier.batches.size() == 1);
}

// Security (issue 8): a rule's annotations may come from a rule file someone
// else wrote; the link a notification carries (Slack's "Open" button) is
// taken only from an http or https URL, never javascript:, file: or data:.
TEST_CASE("Pipeline: a notification's link is only ever an http or https URL from the rule's annotations",
          "[pipeline][security]")
{
    QTemporaryDir dir;
    ManualClock clock;
    auto values = std::make_shared<Values>();
    values->byExpr["p99"] = 0.31;
    Rig rig(clock, dir.filePath("alerts.db"), values);
    RuleDef rule = latencyRule();

    SECTION("the first http(s) one, after refused ones")
    {
        rule.rule.annotations.append({QStringLiteral("link"), QStringLiteral("javascript:alert(1)")});
        rule.rule.annotations.append({QStringLiteral("runbook_url"), QStringLiteral("file:///etc/passwd")});
        rule.rule.annotations.append({QStringLiteral("dashboard_url"), QStringLiteral("https://grafana.example/d/p99")});
        rig.engine->setRules({rule}, QStringLiteral("prom"));
        rig.evaluateAndSend();
        REQUIRE(rig.notifier.batches.size() == 1);
        CHECK(rig.notifier.batches.first().first().link == QUrl(QStringLiteral("https://grafana.example/d/p99")));
    }
    SECTION("none at all when no annotation is http(s)")
    {
        rule.rule.annotations.append({QStringLiteral("link"), QStringLiteral("data:text/html,<script>alert(1)</script>")});
        rule.rule.annotations.append({QStringLiteral("runbook_url"), QStringLiteral("JAVASCRIPT:alert(1)")});
        rule.rule.annotations.append({QStringLiteral("dashboard_url"), QStringLiteral("ftp://example/x")});
        rig.engine->setRules({rule}, QStringLiteral("prom"));
        rig.evaluateAndSend();
        REQUIRE(rig.notifier.batches.size() == 1);
        const Notification n = rig.notifier.batches.first().first();
        CHECK(n.link.isEmpty());
        CHECK(n.annotations.value(QStringLiteral("link")).startsWith("data:")); // kept as text, not as a link
    }
}
