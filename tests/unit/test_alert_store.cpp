// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "storage/alert_store.h"
#include "storage/migrations.h"
#include "storage/notification_json.h"
#include "tools/storage_crash_fixture.h"
#include "util/clock.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QCoreApplication>
#include <QTemporaryDir>
#include <QThread>
#include <cmath>
#include <random>

using namespace vigil;
using namespace vigil::storage;
using rules::AckEvent;
using rules::AlertState;
using rules::Severity;

namespace {

// A second connection to the same file, as another program would hold it.
class RawConnection
{
public:
    explicit RawConnection(const QString &path)
        : m_name(QStringLiteral("test-raw-%1").arg(s_counter++))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
        REQUIRE(db.open());
    }
    ~RawConnection() { close(); }
    void close()
    {
        if (m_name.isEmpty())
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
        m_name.clear();
    }
    void exec(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        INFO(sql.toStdString());
        INFO(q.lastError().text().toStdString());
        REQUIRE(q.exec(sql));
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    QVariant scalar(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        REQUIRE(q.exec(sql));
        REQUIRE(q.next());
        return q.value(0);
    }

private:
    static inline int s_counter = 0;
    QString m_name;
};

Notification notification(const QString &id, const QString &summary = QStringLiteral("p99 above 0.25 s"))
{
    Notification n;
    n.id = id;
    n.rule = QStringLiteral("HighP99Latency");
    n.severity = QStringLiteral("critical");
    n.summary = summary;
    n.labels = {{QStringLiteral("model"), QStringLiteral("fraud")}, {QStringLiteral("version"), QStringLiteral("3")}};
    n.annotations.insert(QStringLiteral("runbook"), QStringLiteral("https://runbooks.example/p99"));
    n.value = 0.31;
    n.condition = QStringLiteral("above 0.25 (recovers below 0.20)");
    n.activeSinceMs = 1'700'000'000'000;
    n.createdMs = 1'700'000'060'000;
    n.link = QUrl(QStringLiteral("https://grafana.example/d/p99"));
    return n;
}

rules::AlertInstanceId fraudAlert()
{
    return rules::AlertInstanceId::make(
        QStringLiteral("HighP99Latency"),
        SeriesKey(QStringLiteral("latency_p99"), {{QStringLiteral("model"), QStringLiteral("fraud")}}));
}

rules::Transition transition(AlertState from, AlertState to, qint64 atMs, double value,
                             rules::TransitionReason reason = rules::TransitionReason::ConditionMet)
{
    rules::Transition t;
    t.instance = fraudAlert();
    t.from = from;
    t.to = to;
    t.atMs = atMs;
    t.value = value;
    t.reason = reason;
    t.severity = Severity::Critical;
    t.previousSeverity = Severity::Critical;
    return t;
}

AckEvent ackEvent(AckEvent::Kind kind, const QString &by, qint64 atMs, const QString &comment = {})
{
    rules::Ack a;
    a.fingerprint = fraudAlert().fingerprint;
    a.instanceText = fraudAlert().toString();
    a.by = by;
    a.atMs = atMs;
    a.comment = comment;
    a.severity = Severity::Critical;
    return {kind, kind == AckEvent::Kind::Lapsed ? AckEvent::Cause::Resolved : AckEvent::Cause::Person, a, atMs,
            kind == AckEvent::Kind::Lapsed ? QString() : by, Severity::Critical};
}

QStringList ids(const QList<OutboxEntry> &entries)
{
    QStringList out;
    for (const OutboxEntry &e : entries)
        out.append(e.notification.id);
    return out;
}

StoreOptions optionsFor(const QTemporaryDir &dir)
{
    StoreOptions o;
    o.path = dir.filePath(QStringLiteral("alerts.db"));
    o.busyTimeoutMs = 20; // the lock tests wait this long for a lock that will not come
    return o;
}

QByteArray garbage(int size, unsigned seed)
{
    std::mt19937 rng(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &b : bytes)
        b = char(rng() & 0xff);
    return bytes;
}

} // namespace

TEST_CASE("AlertStore creates the schema at the current version in WAL mode", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Opened);
    CHECK(r.message.isEmpty());
    CHECK(r.schemaVersion == AlertStore::kSchemaVersion);
    CHECK(AlertStore::kSchemaVersion == alertStoreMigrations().constLast().version);

    RawConnection raw(store.path());
    CHECK(raw.scalar("PRAGMA user_version").toInt() == 1);
    CHECK(raw.scalar("PRAGMA journal_mode").toString() == "wal");
    for (const char *table : {"transitions", "ack_events", "acks", "silences", "announced", "instances", "outbox"})
        CHECK(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = '%1'").arg(table)).toInt() == 1);
}

TEST_CASE("AlertStore, exclusive: a second holder is told who has the database, and gets it once it is free",
          "[storage][lock]")
{
    QTemporaryDir dir;
    StoreOptions o = optionsFor(dir);
    o.exclusive = true;
    AlertStore first(o);
    REQUIRE(first.open().status == OpenResult::Status::Opened);

    AlertStore second(o);
    const OpenResult r = second.open();
    CHECK(r.status == OpenResult::Status::Unavailable);
    CHECK(r.inUseBy.contains(QStringLiteral("pid %1").arg(QCoreApplication::applicationPid())));
    CHECK(r.message.startsWith(first.path() + QStringLiteral(" is in use by ")));
    // Its writes wait in memory; nothing reaches the file while the other holds it.
    rules::Silence s;
    s.id = "sil-lock";
    s.matchers = {*rules::LabelMatcher::parse(R"(model="fraud")")};
    s.startsAtMs = 1000;
    s.endsAtMs = 100'000;
    s.createdBy = "ana";
    CHECK(second.saveSilence(s, 1000).status == WriteResult::Status::Queued);
    CHECK(first.loadSilences().value.isEmpty());

    first.close(); // the other one is gone (as when its process ends)
    CHECK(second.flush().status == WriteResult::Status::Durable);
    CHECK(second.isOpen());
    CHECK(second.loadSilences().value.size() == 1);
}

TEST_CASE("AlertStore's default file is alerts.db in the XDG state directory", "[storage]")
{
    QTemporaryDir dir;
    const QByteArray old = qgetenv("XDG_STATE_HOME");
    qputenv("XDG_STATE_HOME", dir.path().toUtf8());
    CHECK(AlertStore::defaultPath() == dir.path() + "/vigil/alerts.db");
    if (old.isNull())
        qunsetenv("XDG_STATE_HOME");
    else
        qputenv("XDG_STATE_HOME", old);
}

TEST_CASE("AlertStore migrates a version-0 database made by hand and keeps what was in it", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        RawConnection raw(path);
        raw.exec("CREATE TABLE notes (text TEXT)");
        raw.exec("INSERT INTO notes VALUES ('kept')");
        CHECK(raw.scalar("PRAGMA user_version").toInt() == 0);
    }
    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Opened);
    CHECK(r.schemaVersion == 1);
    store.close();
    RawConnection raw(path);
    CHECK(raw.scalar("PRAGMA user_version").toInt() == 1);
    CHECK(raw.scalar("SELECT text FROM notes").toString() == "kept");
}

TEST_CASE("Migrations apply in order from the file's version and a failing step leaves the previous version whole",
          "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        AlertStore store(optionsFor(dir));
        REQUIRE(store.open().status == OpenResult::Status::Opened);
        REQUIRE(store.enqueue("desktop", {notification("n-1")}, 1000).durable());
    }
    RawConnection raw(path);
    QSqlDatabase db = raw.db();
    REQUIRE(db.isOpen());

    QList<Migration> steps = alertStoreMigrations();
    steps.append({2, "outbox priority", {"ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"}});
    MigrationResult m = migrate(db, steps);
    CHECK(m.ok());
    CHECK(m.fromVersion == 1);
    CHECK(m.toVersion == 2);
    CHECK(raw.scalar("SELECT priority FROM outbox WHERE id = 'n-1'").toInt() == 0);

    steps.append({3, "a broken step", {"CREATE TABLE half_done (x)", "THIS IS NOT SQL"}});
    m = migrate(db, steps);
    CHECK_FALSE(m.ok());
    CHECK(m.error.contains("schema version 3"));
    CHECK(m.toVersion == 2);
    CHECK(raw.scalar("PRAGMA user_version").toInt() == 2);
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").toInt() == 0);
    CHECK(raw.scalar("SELECT count(*) FROM outbox").toInt() == 1);
}

TEST_CASE("AlertStore refuses a database written by a newer Vigil and leaves the file where it is", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        RawConnection raw(path);
        raw.exec("CREATE TABLE future (x)");
        raw.exec("PRAGMA user_version = 99");
    }
    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Unavailable);
    CHECK(r.message.contains("schema version 99"));
    CHECK(r.message.contains("newer"));
    CHECK(QDir(dir.path()).entryList({"*.corrupt-*"}).isEmpty());
    REQUIRE(store.notices().size() == 1);
    CHECK(store.notices().first().message == r.message);
    // Writes are not lost: kept in memory, reported as such.
    const WriteResult w = store.enqueue("desktop", {notification("n-1")}, 1000);
    CHECK(w.status == WriteResult::Status::Queued);
    CHECK(store.backlogSize() == 1);
    RawConnection raw(path);
    CHECK(raw.scalar("PRAGMA user_version").toInt() == 99);
}

TEST_CASE("Transitions and the instances they changed are saved together and restore whole", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());

    rules::AlertInstance inst;
    inst.id = fraudAlert();
    inst.state = AlertState::Firing;
    inst.severity = Severity::Critical;
    inst.stateSinceMs = 2000;
    inst.activeSinceMs = 1000;
    inst.lastEvalMs = 2000;
    inst.lastValue = 0.31;
    inst.flapping = true;
    inst.pendingTarget = AlertState::NoData;
    inst.recoveredSinceMs = 0;
    inst.missingSinceMs = 1500;
    inst.wasFiring = true;
    inst.present = true;
    inst.flapChanges = 0b1011;
    inst.flapSamples = 7;
    inst.generation = 42;

    auto pending = transition(AlertState::Normal, AlertState::Pending, 1000, 0.28);
    auto firing = transition(AlertState::Pending, AlertState::Firing, 2000, 0.31, rules::TransitionReason::PendingElapsed);
    REQUIRE(store.recordTransitions({pending, firing}, {inst}).durable());

    store.close();
    AlertStore reopened(optionsFor(dir));
    REQUIRE(reopened.open().status == OpenResult::Status::Opened);
    const auto loaded = reopened.loadInstances();
    REQUIRE(loaded.ok());
    REQUIRE(loaded.value.size() == 1);
    const rules::AlertInstance &got = loaded.value.first();
    CHECK(got.id == inst.id);
    CHECK(got.id.fingerprint == inst.id.fingerprint);
    CHECK(got.state == AlertState::Firing);
    CHECK(got.severity == Severity::Critical);
    CHECK(got.stateSinceMs == 2000);
    CHECK(got.activeSinceMs == 1000);
    CHECK(got.lastEvalMs == 2000);
    CHECK(got.lastValue == 0.31);
    CHECK(got.flapping);
    CHECK(got.pendingTarget == AlertState::NoData);
    CHECK(got.missingSinceMs == 1500);
    CHECK(got.wasFiring);
    CHECK(got.present);
    CHECK(got.flapChanges == 0b1011);
    CHECK(got.flapSamples == 7);
    CHECK(got.generation == 42);

    const auto history = reopened.history(fraudAlert().fingerprint);
    REQUIRE(history.ok());
    REQUIRE(history.value.size() == 2);
    CHECK(history.value[0].kind == HistoryEntry::Kind::Transition);
    CHECK(history.value[0].transition.to == AlertState::Pending);
    CHECK(history.value[1].transition.from == AlertState::Pending);
    CHECK(history.value[1].transition.to == AlertState::Firing);
    CHECK(history.value[1].transition.reason == rules::TransitionReason::PendingElapsed);
    CHECK(history.value[1].transition.value == 0.31);
    CHECK(history.value[1].transition.instance == fraudAlert());
}

TEST_CASE("A transition without a value is stored as null and read back as NaN", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    auto t = transition(AlertState::Firing, AlertState::Error, 5000, std::nan(""), rules::TransitionReason::QueryError);
    t.detail = "prom: connection refused";
    REQUIRE(store.recordTransitions({t}).durable());
    const auto h = store.history(fraudAlert().fingerprint);
    REQUIRE(h.value.size() == 1);
    CHECK(std::isnan(h.value.first().transition.value));
    CHECK(h.value.first().transition.detail == "prom: connection refused");
    CHECK(h.value.first().transition.reason == rules::TransitionReason::QueryError);
}

TEST_CASE("Replacing the instance snapshot drops instances no longer there", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    rules::AlertInstance a, b;
    a.id = fraudAlert();
    b.id = rules::AlertInstanceId::make("HighP99Latency", SeriesKey("latency_p99", {{"model", "spam"}}));
    REQUIRE(store.replaceInstances({a, b}).durable());
    CHECK(store.loadInstances().value.size() == 2);
    REQUIRE(store.replaceInstances({b}).durable());
    REQUIRE(store.loadInstances().value.size() == 1);
    CHECK(store.loadInstances().value.first().id == b.id);
    REQUIRE(store.removeInstances({b.id.fingerprint}).durable());
    CHECK(store.loadInstances().value.isEmpty());
}

TEST_CASE("An alert's history interleaves transitions and acknowledgements by time", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.recordTransitions({transition(AlertState::Normal, AlertState::Firing, 1000, 0.3)}).durable());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Acknowledged, "ana", 2000, "on it")}).durable());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Unacknowledged, "ana", 3000)}).durable());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Acknowledged, "bo", 4000, "taking over")}).durable());
    // The resolve and the lapse it causes share a millisecond: the transition comes first.
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Lapsed, "bo", 5000)}).durable());
    REQUIRE(store.recordTransitions({transition(AlertState::Firing, AlertState::Normal, 5000, 0.1,
                                                rules::TransitionReason::Recovered)})
                .durable());

    const auto h = store.history(fraudAlert().fingerprint);
    REQUIRE(h.ok());
    REQUIRE(h.value.size() == 6);
    struct Row { HistoryEntry::Kind kind; qint64 at; };
    const Row expected[] = {{HistoryEntry::Kind::Transition, 1000}, {HistoryEntry::Kind::Ack, 2000},
                            {HistoryEntry::Kind::Ack, 3000},        {HistoryEntry::Kind::Ack, 4000},
                            {HistoryEntry::Kind::Transition, 5000}, {HistoryEntry::Kind::Ack, 5000}};
    for (int i = 0; i < 6; ++i) {
        INFO("row " << i);
        CHECK(h.value[i].kind == expected[i].kind);
        CHECK(h.value[i].atMs == expected[i].at);
    }
    CHECK(h.value[1].ack.kind == AckEvent::Kind::Acknowledged);
    CHECK(h.value[1].ack.by == "ana");
    CHECK(h.value[1].ack.ack.comment == "on it");
    CHECK(h.value[5].ack.kind == AckEvent::Kind::Lapsed);
    CHECK(h.value[5].ack.cause == AckEvent::Cause::Resolved);

    const auto window = store.history(fraudAlert().fingerprint, 2000, 3000);
    CHECK(window.value.size() == 2);
}

TEST_CASE("Who acknowledged what between two times", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Acknowledged, "ana", 1000),
                                   ackEvent(AckEvent::Kind::Acknowledged, "bo", 2000),
                                   ackEvent(AckEvent::Kind::Unacknowledged, "bo", 3000)})
                .durable());
    const auto between = store.ackEventsBetween(1500, 3000); // [from, to)
    REQUIRE(between.ok());
    REQUIRE(between.value.size() == 1);
    CHECK(between.value.first().by == "bo");
    CHECK(between.value.first().kind == AckEvent::Kind::Acknowledged);
    CHECK(between.value.first().ack.instanceText == fraudAlert().toString());
    CHECK(store.ackEventsBetween(0, 10'000).value.size() == 3);
}

TEST_CASE("The acks in force follow the audit log: acknowledge adds, un-ack and lapse remove", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    auto ack = ackEvent(AckEvent::Kind::Acknowledged, "ana", 1000, "looking");
    ack.ack.expiresAtMs = 90'000;
    REQUIRE(store.recordAckEvents({ack}).durable());
    auto acks = store.loadAcks();
    REQUIRE(acks.value.size() == 1);
    CHECK(acks.value.first().by == "ana");
    CHECK(acks.value.first().comment == "looking");
    CHECK(acks.value.first().expiresAtMs == 90'000);
    CHECK(acks.value.first().fingerprint == fraudAlert().fingerprint);
    CHECK(acks.value.first().severity == Severity::Critical);

    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Unacknowledged, "ana", 2000)}).durable());
    CHECK(store.loadAcks().value.isEmpty());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Acknowledged, "bo", 3000),
                                   ackEvent(AckEvent::Kind::Lapsed, "bo", 4000)})
                .durable());
    CHECK(store.loadAcks().value.isEmpty());
    CHECK(store.ackEventsBetween(0, 10'000).value.size() == 4);
}

TEST_CASE("Silences round-trip with their matchers, and an early end is recorded", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    rules::Silence s;
    s.id = "sil-1";
    s.matchers = {*rules::LabelMatcher::parse(R"(model="fraud")"), *rules::LabelMatcher::parse(R"(version=~"3|4")"),
                  *rules::LabelMatcher::parse(R"(env!="dev")"), *rules::LabelMatcher::parse(R"(team!~"ml-.*")")};
    s.startsAtMs = 1000;
    s.endsAtMs = 100'000;
    s.createdBy = "ana";
    s.comment = "deploying v4";
    REQUIRE(store.saveSilence(s, 1000).durable());

    auto loaded = store.loadSilences();
    REQUIRE(loaded.ok());
    REQUIRE(loaded.value.size() == 1);
    const rules::Silence &got = loaded.value.first();
    CHECK(got.id == "sil-1");
    REQUIRE(got.matchers.size() == 4);
    for (int i = 0; i < 4; ++i)
        CHECK(got.matchers[i].toString() == s.matchers[i].toString());
    CHECK(got.matches({{"model", "fraud"}, {"version", "4"}, {"env", "prod"}, {"team", "risk"}}));
    CHECK_FALSE(got.matches({{"model", "fraud"}, {"version", "30"}}));
    CHECK(got.createdBy == "ana");
    CHECK(got.comment == "deploying v4");

    s.endsAtMs = 5000; // SilenceBook::expire(id, 5000)
    REQUIRE(store.recordSilenceExpired(s, 5000).durable());
    // Editing the comment later keeps the record of the early end.
    s.comment = "deploy done";
    REQUIRE(store.saveSilence(s, 6000).durable());
    loaded = store.loadSilences();
    REQUIRE(loaded.value.size() == 1);
    CHECK(loaded.value.first().endsAtMs == 5000);
    CHECK(loaded.value.first().comment == "deploy done");
    store.close();
    {
        RawConnection raw(dir.filePath("alerts.db"));
        CHECK(raw.scalar("SELECT expired_early_at_ms FROM silences WHERE id = 'sil-1'").toLongLong() == 5000);
    }
    REQUIRE(store.open().usable());
    REQUIRE(store.deleteSilences({"sil-1"}).durable());
    CHECK(store.loadSilences().value.isEmpty());
}

TEST_CASE("The gate's announced alerts are saved whole", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.saveAnnounced({{"aaaa", AlertState::Firing}, {"bbbb", AlertState::NoData}}).durable());
    REQUIRE(store.saveAnnounced({{"bbbb", AlertState::Error}}).durable());
    const auto loaded = store.loadAnnounced();
    REQUIRE(loaded.ok());
    CHECK(loaded.value == QHash<QString, AlertState>{{"bbbb", AlertState::Error}});
}

TEST_CASE("Notifications round-trip through JSON with every field", "[storage]")
{
    Notification n = notification("n-1");
    n.kind = Notification::Kind::Reopened;
    n.description = "line one\nline two <b>not bold</b>";
    n.ackedBy = "ana";
    n.ackComment = "on it";
    n.silenced = true;
    const auto back = notificationFromJson(notificationToJson(n));
    REQUIRE(back);
    CHECK(back->id == n.id);
    CHECK(back->kind == n.kind);
    CHECK(back->rule == n.rule);
    CHECK(back->severity == n.severity);
    CHECK(back->summary == n.summary);
    CHECK(back->description == n.description);
    CHECK(back->labels == n.labels);
    CHECK(back->annotations == n.annotations);
    CHECK(back->value == n.value);
    CHECK(back->condition == n.condition);
    CHECK(back->activeSinceMs == n.activeSinceMs);
    CHECK(back->createdMs == n.createdMs);
    CHECK(back->ackedBy == n.ackedBy);
    CHECK(back->ackComment == n.ackComment);
    CHECK(back->silenced == n.silenced);
    CHECK(back->link == n.link);

    QString error;
    CHECK_FALSE(notificationFromJson(QJsonObject{{"kind", "firing"}}, &error));
    CHECK(error == "the notification has no id");
    CHECK_FALSE(notificationFromJson(QJsonObject{{"id", "x"}, {"kind", "exploded"}}, &error));
    CHECK(error.contains("unknown kind"));
}

TEST_CASE("Enqueueing a notification twice for one notifier keeps one entry, the first", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.enqueue("oncall-slack", {notification("n-1", "first")}, 1000).durable());
    REQUIRE(store.enqueue("oncall-slack", {notification("n-1", "second")}, 2000).durable());
    REQUIRE(store.enqueue("desktop", {notification("n-1", "desktop copy")}, 2000).durable());
    const auto slack = store.pending("oncall-slack");
    REQUIRE(slack.value.size() == 1);
    CHECK(slack.value.first().notification.summary == "first");
    CHECK(slack.value.first().enqueuedMs == 1000);
    CHECK(store.pending("desktop").value.size() == 1);
    CHECK(store.pending().value.size() == 2);

    // Delivered, then enqueued again (a replay after restart): not sent twice.
    REQUIRE(store.markDelivered("oncall-slack", {"n-1"}, 3000).durable());
    REQUIRE(store.enqueue("oncall-slack", {notification("n-1")}, 4000).durable());
    CHECK(store.pending("oncall-slack").value.isEmpty());
}

TEST_CASE("The outbox records attempts, retries, permanent failures and deliveries", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.enqueue("oncall-slack", {notification("a"), notification("b"), notification("c")}, 1000).durable());
    CHECK(ids(store.pending("oncall-slack").value) == QStringList{"a", "b", "c"});

    REQUIRE(store.recordAttempt("oncall-slack", {"a", "b"}, 1100).durable());
    REQUIRE(store.markFailed("oncall-slack", {"a"}, false, "Slack says rate_limited (HTTP 429)", 1200, 31'200).durable());
    REQUIRE(store.markFailed("oncall-slack", {"b"}, true, "Slack says channel_not_found (HTTP 404)", 1200).durable());
    REQUIRE(store.recordAttempt("oncall-slack", {"c"}, 1300).durable());
    REQUIRE(store.markDelivered("oncall-slack", {"c"}, 1400).durable());

    const auto pending = store.pending("oncall-slack");
    REQUIRE(pending.value.size() == 1);
    const OutboxEntry &a = pending.value.first();
    CHECK(a.notification.id == "a");
    CHECK(a.state == OutboxEntry::State::Pending);
    CHECK(a.attempts == 1);
    CHECK(a.lastAttemptMs == 1100);
    CHECK(a.nextAttemptMs == 31'200);
    CHECK(a.lastError == "Slack says rate_limited (HTTP 429)");

    const auto failed = store.failed("oncall-slack");
    REQUIRE(failed.value.size() == 1);
    CHECK(failed.value.first().notification.id == "b");
    CHECK(failed.value.first().state == OutboxEntry::State::Failed);
    CHECK(failed.value.first().lastError == "Slack says channel_not_found (HTTP 404)");

    // A failed entry is not revived by a later transient failure report.
    REQUIRE(store.markFailed("oncall-slack", {"b"}, false, "timeout", 1500, 2000).durable());
    CHECK(store.failed("oncall-slack").value.size() == 1);

    REQUIRE(store.purgeDelivered(1401).durable());
    store.close();
    RawConnection raw(dir.filePath("alerts.db"));
    CHECK(raw.scalar("SELECT count(*) FROM outbox").toInt() == 2);
}

TEST_CASE("Pending notifications survive closing the store and come back in order", "[storage]")
{
    QTemporaryDir dir;
    {
        AlertStore store(optionsFor(dir));
        REQUIRE(store.open().usable());
        REQUIRE(store.enqueue("desktop", {notification("z")}, 1000).durable());
        REQUIRE(store.enqueue("desktop", {notification("a")}, 1000).durable());
        REQUIRE(store.enqueue("desktop", {notification("m")}, 1000).durable());
    }
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().status == OpenResult::Status::Opened);
    CHECK(ids(store.pending("desktop").value) == QStringList{"z", "a", "m"});
}

TEST_CASE("An outbox entry whose payload cannot be read is reported, not delivered half-read", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.enqueue("desktop", {notification("good")}, 1000).durable());
    {
        RawConnection raw(store.path());
        raw.exec("INSERT INTO outbox (notifier, id, payload, next_attempt_ms, enqueued_ms)"
                 " VALUES ('desktop', 'bad', '{\"kind\":\"firing\"', 0, 0)");
    }
    const auto pending = store.pending("desktop");
    CHECK(ids(pending.value) == QStringList{"good"});
    CHECK(pending.error.contains("outbox entry bad for desktop cannot be read"));
    REQUIRE_FALSE(store.notices().isEmpty());
    CHECK(store.notices().constLast().message == pending.error);
}

TEST_CASE("A file of garbage is moved aside with a timestamp and a fresh database started", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    const QByteArray bytes = garbage(16 * 1024, 7);
    {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    ManualClock clock(1'700'000'000'000); // 2023-11-14 22:13:20 UTC
    StoreOptions options = optionsFor(dir);
    options.clock = &clock;
    AlertStore store(options);
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Recreated);
    CHECK(r.movedAsidePath == path + ".corrupt-20231114-221320");
    CHECK(r.message.contains(path));
    CHECK(r.message.contains(r.movedAsidePath));
    CHECK(r.message.contains("damaged"));
    REQUIRE(store.notices().size() == 1);
    CHECK(store.notices().first().message == r.message);
    CHECK(store.notices().first().atMs == 1'700'000'000'000);

    QFile moved(r.movedAsidePath);
    REQUIRE(moved.open(QIODevice::ReadOnly));
    CHECK(moved.readAll() == bytes);

    REQUIRE(store.enqueue("desktop", {notification("n-1")}, 1000).durable());
    CHECK(store.pending().value.size() == 1);

    // The same thing again in the same second: a second name, nothing overwritten.
    store.close();
    {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(garbage(8 * 1024, 8));
    }
    QFile::remove(path + "-wal");
    QFile::remove(path + "-shm");
    const OpenResult again = store.open();
    CHECK(again.status == OpenResult::Status::Recreated);
    CHECK(again.movedAsidePath == path + ".corrupt-20231114-221320-2");
}

TEST_CASE("A database damaged inside a valid header is found by the check on open and moved aside", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        AlertStore store(optionsFor(dir));
        REQUIRE(store.open().usable());
        for (int i = 0; i < 20; ++i)
            REQUIRE(store.enqueue("desktop", {crashfixture::notification(i)}, i).durable());
    }
    // Closing the last connection checkpointed the WAL into the file; now
    // overwrite everything after the first page (the header and the schema).
    REQUIRE(QFileInfo(path).size() > 8 * 4096);
    {
        QFile f(path);
        REQUIRE(f.open(QIODevice::ReadWrite));
        REQUIRE(f.seek(4096));
        f.write(garbage(int(f.size()) - 4096, 9));
    }
    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Recreated);
    CHECK(QFileInfo::exists(r.movedAsidePath));
    CHECK(store.pending().ok());
}

TEST_CASE("A path that cannot be opened as a database is moved aside", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    REQUIRE(QDir().mkpath(path)); // a directory where the file should be
    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Recreated);
    CHECK(QFileInfo(r.movedAsidePath).isDir());
    CHECK(QFileInfo(path).isFile());
    CHECK(store.enqueue("desktop", {notification("n-1")}, 1000).durable());
}

TEST_CASE("A locked database keeps writes in memory, in order, and writes them once the lock is gone", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.enqueue("desktop", {notification("before")}, 1000).durable());

    RawConnection other(store.path());
    other.exec("BEGIN EXCLUSIVE");
    other.exec("INSERT INTO announced VALUES ('someone-else', 'firing')");

    const WriteResult queued = store.enqueue("desktop", {notification("during")}, 2000);
    CHECK(queued.status == WriteResult::Status::Queued);
    CHECK(queued.error.contains("locked"));
    CHECK(queued.error.contains("kept in memory"));
    // A second write is queued behind the first without waiting for the lock again.
    CHECK(store.markDelivered("desktop", {"during"}, 2100).status == WriteResult::Status::Queued);
    CHECK(store.backlogSize() == 2);
    REQUIRE_FALSE(store.notices().isEmpty());
    CHECK(store.notices().constLast().message.contains("locked"));
    // Readers are not blocked in WAL mode: what is written can still be read.
    CHECK(ids(store.pending().value) == QStringList{"before"});

    CHECK(store.flush().status == WriteResult::Status::Queued); // still locked

    other.exec("COMMIT");
    const WriteResult flushed = store.flush();
    CHECK(flushed.durable());
    CHECK(store.backlogSize() == 0);
    CHECK(store.notices().constLast().message.contains("writable again; the 2 writes kept in memory are written"));
    // In order: "during" was enqueued, then marked delivered.
    CHECK(ids(store.pending().value) == QStringList{"before"});
    other.close();
    RawConnection check(store.path());
    CHECK(check.scalar("SELECT state FROM outbox WHERE id = 'during'").toString() == "delivered");
}

TEST_CASE("A database locked by another program at start is left alone and opened once it is free", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        AlertStore first(optionsFor(dir));
        REQUIRE(first.open().usable());
        REQUIRE(first.enqueue("desktop", {notification("old")}, 1000).durable());
    }
    auto other = std::make_unique<RawConnection>(path);
    other->exec("PRAGMA locking_mode = EXCLUSIVE");
    other->exec("BEGIN IMMEDIATE");
    other->exec("INSERT INTO announced VALUES ('x', 'firing')");
    other->exec("COMMIT"); // in exclusive locking mode the lock stays held

    AlertStore store(optionsFor(dir));
    const OpenResult r = store.open();
    CHECK(r.status == OpenResult::Status::Unavailable);
    CHECK(r.message.contains("locked"));
    CHECK(r.message.contains("kept in memory"));
    CHECK(QDir(dir.path()).entryList({"*.corrupt-*"}).isEmpty());
    CHECK_FALSE(store.pending().ok());

    CHECK(store.enqueue("desktop", {notification("new")}, 2000).status == WriteResult::Status::Queued);
    other.reset();
    CHECK(store.flush().durable());
    CHECK(ids(store.pending().value) == QStringList{"old", "new"});
}

TEST_CASE("A full disk is reported, the refused writes are kept in memory and written when space returns",
          "[storage]")
{
    QTemporaryDir dir;
    StoreOptions options = optionsFor(dir);
    options.maxPageCount = 40; // 160 KiB at SQLite's 4 KiB pages: the schema and a few entries
    AlertStore store(options);
    REQUIRE(store.open().usable());

    int written = 0;
    WriteResult last;
    for (; written < 200; ++written) {
        last = store.enqueue("desktop", {crashfixture::notification(written)}, written);
        if (!last.durable())
            break;
    }
    REQUIRE(written < 200);
    CHECK(written > 0);
    CHECK(last.status == WriteResult::Status::Queued);
    CHECK(last.error.contains("full"));
    REQUIRE_FALSE(store.notices().isEmpty());
    CHECK(store.notices().constLast().message.contains("disk holding the alert database is full"));
    CHECK(store.backlogSize() == 1);
    // Reads still work: what made it to disk is there, whole.
    CHECK(store.pending().value.size() == written);

    // Further writes queue behind it (the caller keeps delivering from memory).
    CHECK(store.markDelivered("desktop", {crashfixture::notificationId(0)}, 5000).status == WriteResult::Status::Queued);
    CHECK(store.flush().status == WriteResult::Status::Queued);

    store.setMaxPageCount(0); // space came back
    CHECK(store.flush().durable());
    CHECK(store.backlogSize() == 0);
    const auto pending = store.pending("desktop");
    CHECK(pending.value.size() == written); // +1 refused entry written, -1 delivered
    CHECK(pending.value.constLast().notification.id == crashfixture::notificationId(written));
}

TEST_CASE("Writes beyond the backlog limit are refused and said so", "[storage]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath("alerts.db");
    {
        RawConnection raw(path);
        raw.exec("PRAGMA user_version = 99"); // unusable: everything goes to the backlog
    }
    StoreOptions options = optionsFor(dir);
    options.maxBacklog = 2;
    AlertStore store(options);
    CHECK_FALSE(store.open().usable());
    CHECK(store.enqueue("desktop", {notification("1")}, 1).status == WriteResult::Status::Queued);
    CHECK(store.enqueue("desktop", {notification("2")}, 2).status == WriteResult::Status::Queued);
    const WriteResult refused = store.enqueue("desktop", {notification("3")}, 3);
    CHECK(refused.status == WriteResult::Status::Failed);
    CHECK(refused.error.contains("was not kept"));
    CHECK(refused.error.contains("newer"));
    CHECK(store.backlogSize() == 2);
}

TEST_CASE("History older than the retention is purged and the rest kept", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    REQUIRE(store.recordTransitions({transition(AlertState::Normal, AlertState::Firing, 1000, 0.3),
                                     transition(AlertState::Firing, AlertState::Normal, 3000, 0.1)})
                .durable());
    REQUIRE(store.recordAckEvents({ackEvent(AckEvent::Kind::Acknowledged, "ana", 2000)}).durable());
    REQUIRE(store.purgeHistory(2500).durable());
    const auto h = store.history(fraudAlert().fingerprint);
    REQUIRE(h.value.size() == 1);
    CHECK(h.value.first().atMs == 3000);
    // The ack in force is not history.
    CHECK(store.loadAcks().value.size() == 1);
}

TEST_CASE("A store used from another thread refuses the call and says so", "[storage]")
{
    QTemporaryDir dir;
    AlertStore store(optionsFor(dir));
    REQUIRE(store.open().usable());
    WriteResult fromOtherThread;
    bool readFailed = false;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        fromOtherThread = store.enqueue("desktop", {notification("n-1")}, 1000);
        readFailed = !store.pending().ok();
    }));
    thread->start();
    REQUIRE(thread->wait(10'000));
    CHECK(fromOtherThread.status == WriteResult::Status::Failed);
    CHECK(fromOtherThread.error.contains("wrong thread"));
    CHECK(readFailed);
    CHECK(store.pending().value.isEmpty());
}

TEST_CASE("Every write that returned before a kill -9 is in the database after it, whole", "[storage][crash]")
{
    QTemporaryDir dir;
    const QString writer = QStringLiteral(VIGIL_BIN_DIR "/vigil-storage-crash-writer");
    REQUIRE(QFileInfo(writer).isExecutable());
    const QString fingerprint = crashfixture::transition(0).instance.fingerprint;

    std::mt19937 rng(20261129); // fixed seed: the same kill points every run
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        const QString path = dir.filePath(QStringLiteral("alerts-%1.db").arg(round));
        const int count = 200; // indexes; four writes each
        // Kill once this many writes have been confirmed; the writer is then
        // somewhere in the next one (or a few further, the pipe lagging).
        const int killAfter = std::uniform_int_distribution<int>(1, 2 * count)(rng);
        QProcess child;
        child.start(writer, {path, QString::number(count)});
        REQUIRE(child.waitForStarted(10'000));
        QHash<QByteArray, int> confirmed; // step -> last index whose write returned
        for (const char *step : crashfixture::kSteps)
            confirmed.insert(step, -1);
        auto readLine = [&] {
            const QList<QByteArray> parts = child.readLine().trimmed().split(' ');
            REQUIRE(parts.size() == 2);
            REQUIRE(confirmed.contains(parts[0]));
            confirmed[parts[0]] = parts[1].toInt();
        };
        for (int lines = 0; lines < killAfter; ++lines) {
            while (!child.canReadLine()) {
                INFO(child.readAllStandardError().toStdString());
                REQUIRE(child.waitForReadyRead(30'000));
            }
            readLine();
        }
        child.kill(); // SIGKILL
        REQUIRE(child.waitForFinished(10'000));
        CHECK(child.exitStatus() == QProcess::CrashExit);
        // Lines printed before the kill landed, still in the pipe: those writes returned too.
        while (child.canReadLine())
            readLine();

        StoreOptions options = optionsFor(dir);
        options.path = path;
        AlertStore reopened(options);
        REQUIRE(reopened.open().status == OpenResult::Status::Opened); // whole: nothing moved aside

        // What each step left, read back; each must be an unbroken run from
        // index 0 (writes are sequential), every row exactly what was written.
        const auto pending = reopened.pending(crashfixture::kNotifier);
        const auto history = reopened.history(fingerprint);
        const auto acks = reopened.ackEventsBetween(0, std::numeric_limits<qint64>::max());
        REQUIRE(pending.ok());
        REQUIRE(history.ok());
        REQUIRE(acks.ok());
        QList<HistoryEntry> transitions;
        for (const HistoryEntry &h : history.value) {
            if (h.kind == HistoryEntry::Kind::Transition)
                transitions.append(h);
        }
        reopened.close();
        RawConnection raw(path);
        const int outboxRows = raw.scalar("SELECT count(*) FROM outbox").toInt();
        const int deliveredRows = raw.scalar("SELECT count(*) FROM outbox WHERE state = 'delivered'").toInt();
        CHECK(raw.scalar("PRAGMA integrity_check").toString() == "ok");
        const QHash<QByteArray, int> found{{"outbox", outboxRows},
                                           {"transition", int(transitions.size())},
                                           {"ack", int(acks.value.size())},
                                           {"delivered", deliveredRows}};
        for (const char *step : crashfixture::kSteps) {
            INFO(step << ": confirmed up to " << confirmed[step] << ", found " << found[step]);
            // Everything confirmed is there; at most one more (committed, killed before printing).
            CHECK(found[step] >= confirmed[step] + 1);
            CHECK(found[step] <= confirmed[step] + 2);
        }
        // The steps of one index happen in order, so their counts step down by at most one.
        CHECK(found["outbox"] >= found["transition"]);
        CHECK(found["transition"] >= found["ack"]);
        CHECK(found["ack"] >= found["delivered"]);
        CHECK(found["delivered"] >= found["outbox"] - 1);

        // Pending entries are the ones not yet delivered, each one whole.
        REQUIRE(pending.value.size() == outboxRows - deliveredRows);
        for (int i = 0; i < pending.value.size(); ++i) {
            const Notification expected = crashfixture::notification(deliveredRows + i);
            const Notification &got = pending.value[i].notification;
            INFO("pending entry " << i);
            CHECK(got.id == expected.id);
            CHECK(got.description == expected.description);
            CHECK(got.summary == expected.summary);
            CHECK(got.value == expected.value);
            CHECK(got.annotations == expected.annotations);
        }
        for (int i = 0; i < transitions.size(); ++i) {
            const rules::Transition expected = crashfixture::transition(i);
            const rules::Transition &got = transitions[i].transition;
            INFO("transition " << i);
            CHECK(got.atMs == expected.atMs);
            CHECK(got.from == expected.from);
            CHECK(got.to == expected.to);
            CHECK(got.value == expected.value);
            CHECK(got.reason == expected.reason);
        }
        for (int i = 0; i < acks.value.size(); ++i) {
            const rules::AckEvent expected = crashfixture::ackEvent(i);
            INFO("ack " << i);
            CHECK(acks.value[i].by == expected.by);
            CHECK(acks.value[i].ack.comment == expected.ack.comment);
            CHECK(acks.value[i].atMs == expected.atMs);
        }
    }
}
