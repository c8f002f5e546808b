// SPDX-License-Identifier: GPL-3.0-or-later
// Two Vigils on one alert database (issue 8's "acknowledge or silence it in
// one keystroke" across processes): a real `vigil watch` holds the database
// and sends to Slack; the window, started later on the same database, only
// shows alerts. An acknowledgement or a silence made in the window must reach
// `vigil watch` over the session bus, or its reminders would go on paging.
// Each case runs under its own dbus-run-session (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include "session/alert_commands_bus.h"
#include "session/session.h"
#include "storage/alert_store.h"
#include "support/slack_receiver.h"
#include "support/test_stack.h"
#include "support/watch_process.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

namespace {

// The in-process demo fleet: precision is always above 0, so the rule fires at
// its first evaluation, once per model and version, each its own Slack message
// and each reminded every 2 s.
QByteArray workspaceYaml()
{
    return R"(connections:
  fleet: { kind: demo }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-commands-test }
routes:
  receiver: oncall-slack
  group_by: [alertname, model, version]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
rules:
  - group: quality
    interval: 1s
    rules:
      - name: PrecisionReported
        query: model_quality{metric="precision"}
        above: 0
        severity: critical
)";
}

// vigil watch with this file's Slack secret.
struct Watch : WatchProcess
{
    Watch(const QString &workspace, const QString &stateDir, const QString &webhook)
        : WatchProcess(workspace, stateDir, QStringLiteral("VIGIL_SECRET_SLACK_COMMANDS_TEST"), webhook)
    {
    }
};

// The workspace file in `dir`, and where vigil watch keeps its database.
struct Files
{
    explicit Files(const QTemporaryDir &dir)
        : workspace(dir.filePath(QStringLiteral("commands.yaml")))
        , stateDir(dir.filePath(QStringLiteral("state")))
        , db(QDir(stateDir).filePath(QStringLiteral("alerts.db")))
    {
        QFile f(workspace);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(workspaceYaml());
    }
    QString workspace, stateDir, db;
};

// The window's Session on the same database, which vigil watch holds: it
// shows alerts and sends none. Commands it could not pass on land in
// `failures`, those it did in `forwarded`.
struct Window
{
    explicit Window(const Files &files)
    {
        QObject::connect(&session, &Session::alertCommandFailed, [this](const QString &m) { failures << m; });
        QObject::connect(&session, &Session::alertCommandForwarded, [this](const QString &m) { forwarded << m; });
        session.enableAlertPipeline(files.db);
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        const Workspace ws = parseWorkspace(workspaceYaml(), files.workspace);
        REQUIRE_FALSE(ws.hasErrors());
        const QStringList problems = session.open(ws);
        INFO(problems.join(u'\n').toStdString());
        REQUIRE(problems.size() == 1);
        CHECK(problems.first().contains(QStringLiteral("is in use by")));
        CHECK(problems.first().contains(QStringLiteral("passed on to it over the session bus")));
        REQUIRE_FALSE(session.alertsSentBy().isEmpty());
    }
    Session session;
    QStringList failures;
    QStringList forwarded;
};

// Reminders that reached Slack, queued by vigil watch at or after `sinceMs`
// (a notification id is "fingerprint:queuedAtMs:kind"), of `fingerprint` or,
// with an empty one, of any alert but those in `except`.
int reminders(const SlackWebhookReceiver &slack, qint64 sinceMs, const QString &fingerprint,
              const QStringList &except = {})
{
    int n = 0;
    for (const SlackWebhookReceiver::Arrival &a : slack.arrivals)
        for (const QString &id : a.ids()) {
            const QStringList parts = id.split(u':');
            if (parts.size() != 3 || parts[2] != QLatin1String("reminder") || parts[1].toLongLong() < sinceMs)
                continue;
            if (fingerprint.isEmpty() ? !except.contains(parts[0]) : parts[0] == fingerprint)
                ++n;
        }
    return n;
}

std::optional<alerting::AlertRow> openAlert(const Session &s, const QString &model, const QString &version = QStringLiteral("v12"))
{
    for (const alerting::AlertRow &row : s.alertRows())
        if (rules::isOpen(row.instance.state) && row.instance.id.series.label(QStringLiteral("model")) == model
            && row.instance.id.series.label(QStringLiteral("version")) == version)
            return row;
    return std::nullopt;
}

// Calls `method` on the Vigil holding `db`, as a desktop notification's
// button in that Vigil would act: "" or why not.
QString callHolder(const QString &db, const QString &method, const QVariantList &args)
{
    QObject context;
    std::optional<QString> answer;
    callAlertCommand(db, method, args, &context, [&](const QString &a) { answer = a; });
    REQUIRE(waitUntil([&] { return answer.has_value(); }, 15'000));
    return *answer;
}

} // namespace

TEST_CASE("Two Vigils on one database: an ack or silence made in the one that shows alerts reaches vigil watch, "
          "which stops reminding",
          "[dbus][pipeline][lock][watch]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")); // run through ctest (dbus-run-session)
    QTemporaryDir dir;
    const Files files(dir);
    SlackWebhookReceiver slack;
    Watch watch(files.workspace, files.stateDir, slack.url());
    // vigil watch fires and reminds.
    {
        const bool reminding = waitUntil([&] { return reminders(slack, 0, QString()) >= 2; }, 30'000);
        INFO(watch.output().toStdString());
        REQUIRE(reminding);
    }

    Window window(files);
    Session &session = window.session;
    REQUIRE(waitUntil([&] {
        return openAlert(session, "fraud-detector") && openAlert(session, "spam-filter", "v7")
            && openAlert(session, "spam-filter", "v8");
    }, 20'000));
    const QString acked = openAlert(session, "fraud-detector")->instance.id.fingerprint;
    const QString silenced = openAlert(session, "spam-filter", "v7")->instance.id.fingerprint;
    const QString silencedToo = openAlert(session, "spam-filter", "v8")->instance.id.fingerprint;

    // Acknowledge one alert and silence the other model in the window.
    session.acknowledge(acked, QStringLiteral("looking at it"));
    rules::Silence silence;
    silence.matchers = {*rules::LabelMatcher::create(QStringLiteral("model"), rules::LabelMatcher::Op::Equal,
                                                     QStringLiteral("spam-filter"))};
    silence.endsAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
    silence.createdBy = QStringLiteral("oncall");
    silence.comment = QStringLiteral("known drift, retraining");
    session.addSilence(silence);
    {
        const bool both = waitUntil([&] { return window.forwarded.size() >= 2 || !window.failures.isEmpty(); }, 15'000);
        INFO(window.failures.join(u'\n').toStdString());
        INFO(watch.output().toStdString());
        REQUIRE(both);
        REQUIRE(window.failures.isEmpty());
    }
    CHECK(window.forwarded.first().contains(session.alertsSentBy()));
    CHECK(window.forwarded.first().contains(QStringLiteral("took it too")));
    // Shown in the window as well.
    REQUIRE(openAlert(session, "fraud-detector"));
    CHECK(openAlert(session, "fraud-detector")->ack.has_value());
    REQUIRE(session.silences().size() == 1);
    const QString silenceId = session.silences().first().id;

    // vigil watch goes on reminding of the alert nobody acknowledged or
    // silenced (fraud-detector v13), every 2 s, and never of the others: counted
    // by when vigil watch queued them, so a reminder already on its way when the
    // ack came does not count.
    const qint64 since = QDateTime::currentMSecsSinceEpoch();
    const QStringList quiet{acked, silenced, silencedToo};
    REQUIRE(waitUntil([&] { return reminders(slack, since, QString(), quiet) >= 3; }, 30'000));
    for (const QString &fp : quiet) {
        INFO(fp.toStdString());
        CHECK(reminders(slack, since, fp) == 0);
    }

    // Ending the silence in the window ends it in vigil watch too.
    session.expireSilence(silenceId);
    REQUIRE(waitUntil([&] { return window.forwarded.size() >= 3 || !window.failures.isEmpty(); }, 15'000));
    CHECK(window.failures.isEmpty());

    // What vigil watch wrote: the ack by the window's user, the silence by its id, ended.
    {
        INFO(watch.output().toStdString());
        REQUIRE(watch.stop());
    }
    storage::AlertStore store(storage::StoreOptions{files.db});
    REQUIRE(store.open().message.isEmpty());
    bool found = false;
    for (const rules::Ack &a : store.loadAcks().value)
        if (a.fingerprint == acked) {
            found = true;
            CHECK(a.by == Session::userName());
            CHECK(a.comment == "looking at it");
        }
    CHECK(found);
    const auto silences = store.loadSilences();
    REQUIRE(silences.value.size() == 1);
    CHECK(silences.value.first().id == silenceId);
    CHECK(silences.value.first().comment == "known drift, retraining");
    CHECK(silences.value.first().endsAtMs <= QDateTime::currentMSecsSinceEpoch());
}

TEST_CASE("Two Vigils on one database: when vigil watch is gone, an ack in the window says it stayed here",
          "[dbus][pipeline][lock][watch]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    QTemporaryDir dir;
    const Files files(dir);
    SlackWebhookReceiver slack;
    Watch watch(files.workspace, files.stateDir, slack.url());
    REQUIRE(waitUntil([&] { return !slack.arrivals.isEmpty(); }, 30'000));

    Window window(files);
    Session &session = window.session;
    REQUIRE(waitUntil([&] { return openAlert(session, "fraud-detector").has_value(); }, 20'000));

    // vigil watch dies (kill -9): the window cannot pass the ack on, and says so.
    watch.process.kill();
    REQUIRE(watch.waitExited());
    session.acknowledge(openAlert(session, "fraud-detector")->instance.id.fingerprint);
    REQUIRE(waitUntil([&] { return !window.failures.isEmpty(); }, 15'000));
    INFO(window.failures.join(u'\n').toStdString());
    CHECK(window.failures.first().startsWith(QStringLiteral("Acknowledged here only: ")));
    CHECK(window.failures.first().contains(session.alertsSentBy()));
    CHECK(window.failures.first().contains(QStringLiteral("does not answer on the session bus")));
    CHECK(window.forwarded.isEmpty());
    CHECK(openAlert(session, "fraud-detector")->ack.has_value()); // kept here
}

TEST_CASE("Two Vigils on one database: acks and silences made in vigil watch show in the window, those made "
          "before it opened too",
          "[dbus][pipeline][lock][watch]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    QTemporaryDir dir;
    const Files files(dir);
    SlackWebhookReceiver slack;
    Watch watch(files.workspace, files.stateDir, slack.url());
    REQUIRE(waitUntil([&] { return !slack.arrivals.isEmpty(); }, 30'000));

    // The fingerprints, from a first window, closed again.
    QString acked, silenced;
    {
        Window first(files);
        REQUIRE(waitUntil([&] {
            return openAlert(first.session, "fraud-detector") && openAlert(first.session, "spam-filter", "v7");
        }, 20'000));
        acked = openAlert(first.session, "fraud-detector")->instance.id.fingerprint;
        silenced = openAlert(first.session, "spam-filter", "v7")->instance.id.fingerprint;
    }

    // Acknowledged in vigil watch (as its desktop notification's button
    // would) while no window is open.
    REQUIRE(callHolder(files.db, "Acknowledge", {acked, "alice", "rolling back v12", qlonglong(0)}).isEmpty());

    Window window(files);
    Session &session = window.session;
    {
        const bool shown = waitUntil([&] {
            const auto row = openAlert(session, "fraud-detector");
            return row && row->ack;
        }, 20'000);
        INFO(watch.output().toStdString());
        REQUIRE(shown);
    }
    const rules::Ack ack = *openAlert(session, "fraud-detector")->ack;
    CHECK(ack.by == "alice");
    CHECK(ack.comment == "rolling back v12");
    CHECK_FALSE(openAlert(session, "spam-filter", "v7")->ack);

    // A silence made in vigil watch while the window is open: shown, by its id.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    REQUIRE(callHolder(files.db, "AddSilence", {"silence-from-watch", QStringList{R"(model="spam-filter")"}, qlonglong(now),
                                                qlonglong(now + 3'600'000), "bob", "retraining"})
                .isEmpty());
    REQUIRE(waitUntil([&] {
        const auto row = openAlert(session, "spam-filter", "v7");
        return row && row->silencedBy.contains("silence-from-watch");
    }, 15'000));
    REQUIRE(session.silences().size() == 1);
    CHECK(session.silences().first().createdBy == "bob");
    CHECK(session.silences().first().comment == "retraining");
    CHECK(openAlert(session, "spam-filter", "v7")->instance.id.fingerprint == silenced);

    // Taken back and ended in vigil watch: gone from the window too.
    REQUIRE(callHolder(files.db, "Unacknowledge", {acked, "alice"}).isEmpty());
    REQUIRE(callHolder(files.db, "ExpireSilence", {"silence-from-watch"}).isEmpty());
    REQUIRE(waitUntil([&] {
        const auto fraud = openAlert(session, "fraud-detector");
        const auto spam = openAlert(session, "spam-filter", "v7");
        return fraud && !fraud->ack && spam && spam->silencedBy.isEmpty();
    }, 15'000));
    CHECK(session.silences().first().isExpired(QDateTime::currentMSecsSinceEpoch()));

    // None of it went back to vigil watch as the window's own command.
    CHECK(window.forwarded.isEmpty());
    CHECK(window.failures.isEmpty());
}

TEST_CASE("Alert commands state: what is written reads back, and a damaged one is refused with the reason", "[dbus][lock]")
{
    AlertCommandsState state;
    state.acks.insert("fp1", {"alice", "on it", 1'700'000'000'000});
    rules::Silence s;
    s.id = "s1";
    s.matchers = {*rules::LabelMatcher::parse(R"(model=~"fraud.*")")};
    s.startsAtMs = 1'700'000'000'000;
    s.endsAtMs = 1'700'003'600'000;
    s.createdBy = "bob";
    s.comment = "<b>not bold</b>";
    state.silences = {s};
    QString why;
    const auto back = AlertCommandsState::fromJson(state.toJson(), &why);
    INFO(why.toStdString());
    REQUIRE(back);
    REQUIRE(back->acks.size() == 1);
    CHECK(back->acks.value("fp1").by == "alice");
    CHECK(back->acks.value("fp1").comment == "on it");
    CHECK(back->acks.value("fp1").expiresAtMs == 1'700'000'000'000);
    REQUIRE(back->silences.size() == 1);
    CHECK(back->silences.first().id == "s1");
    CHECK(back->silences.first().matchers.first().toString() == R"(model=~"fraud.*")");
    CHECK(back->silences.first().endsAtMs == 1'700'003'600'000);
    CHECK(back->silences.first().comment == "<b>not bold</b>");

    CHECK_FALSE(AlertCommandsState::fromJson("<html>", &why));
    CHECK(why.startsWith("not JSON"));
    CHECK_FALSE(AlertCommandsState::fromJson(R"({"acks":{}})", &why));
    CHECK(why.contains(R"("acks" and "silences")"));
    CHECK_FALSE(AlertCommandsState::fromJson(R"({"acks":[{"fingerprint":"x"}],"silences":[]})", &why));
    CHECK(why == R"(acks[0] has no fingerprint or no "by")");
    CHECK_FALSE(AlertCommandsState::fromJson(R"({"acks":[],"silences":[{"id":"a","matchers":["model=~\"(\""]}]})", &why));
    CHECK(why.startsWith("silences[0]: the matcher "));
}

TEST_CASE("Alert commands bus names are per database and valid D-Bus names", "[dbus][lock]")
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a/alerts.db"));
    const QString b = dir.filePath(QStringLiteral("b/alerts.db"));
    CHECK(alertcommands::busName(a) != alertcommands::busName(b));
    CHECK(alertcommands::busName(a) == alertcommands::busName(dir.filePath(QStringLiteral("a/../a/alerts.db"))));
    // Elements may not start with a digit; the whole is at most 255 characters.
    CHECK(alertcommands::busName(a).startsWith(QStringLiteral("io.github.vigil.AlertCommands.d")));
    CHECK(alertcommands::busName(a).size() == QStringLiteral("io.github.vigil.AlertCommands.d").size() + 16);
}
