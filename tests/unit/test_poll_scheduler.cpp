// SPDX-License-Identifier: GPL-3.0-or-later
// The poll scheduler against a scripted connector and a manual clock: which
// requests go out when, and what the panel and the status bar are told.
#include <catch2/catch.hpp>

#include "sources/backoff.h"
#include "sources/poll_scheduler.h"

#include <QCoreApplication>
#include <QPromise>
#include <memory>

using namespace vigil;

namespace {

// A connector whose answers the test gives by hand.
class ScriptedConnector : public Connector
{
public:
    explicit ScriptedConnector(QString name)
    {
        m_settings.name = std::move(name);
        m_settings.kind = QStringLiteral("scripted");
    }
    QString kind() const override { return m_settings.kind; }
    Capabilities capabilities() const override { return Capability::TimeSeries; }
    const ConnectionSettings &settings() const override { return m_settings; }
    QFuture<QueryResult> query(const QueryRequest &request) override
    {
        requests.append(request);
        auto promise = std::make_shared<QPromise<QueryResult>>();
        promise->start();
        pending.append(promise);
        return promise->future();
    }
    QFuture<ProbeResult> probe() override { return {}; }

    void answer(int index, const QueryResult &result)
    {
        pending[index]->addResult(result);
        pending[index]->finish();
        QCoreApplication::processEvents(); // deliver the continuation
    }

    QList<QueryRequest> requests;
    QList<std::shared_ptr<QPromise<QueryResult>>> pending;

private:
    ConnectionSettings m_settings;
};

QueryResult okResult(QList<SeriesData> series)
{
    QueryResult r;
    r.type = ResultType::Matrix;
    r.series = std::move(series);
    return r;
}

PollSpec spec(QString id, qint64 interval = 5'000, QString connection = QStringLiteral("prom"))
{
    PollSpec s;
    s.id = std::move(id);
    s.connection = std::move(connection);
    s.expr = QStringLiteral("up");
    s.intervalMs = interval;
    s.windowMs = 60'000;
    s.stepMs = 1'000;
    s.timeoutMs = 3'000;
    return s;
}

struct Fixture
{
    ManualClock clock{1'700'000'000'000};
    SeriesStore store{1000};
    ScriptedConnector conn{QStringLiteral("prom")};
    PollScheduler scheduler{&store, clock};
    Fixture()
    {
        scheduler.addConnector(&conn);
        scheduler.setRandom([] { return 0.5; }); // jitter factor exactly 1
    }
};

} // namespace

TEST_CASE("Backoff doubles from the initial delay up to the cap", "[scheduler][backoff]")
{
    BackoffPolicy p; // 1 s, x2, 60 s cap, +-20 %
    CHECK(p.delayMs(0, 0.5) == 0);
    CHECK(p.delayMs(1, 0.5) == 1'000);
    CHECK(p.delayMs(2, 0.5) == 2'000);
    CHECK(p.delayMs(3, 0.5) == 4'000);
    CHECK(p.delayMs(6, 0.5) == 32'000);
    CHECK(p.delayMs(7, 0.5) == 60'000);
    CHECK(p.delayMs(1000, 0.5) == 60'000);
}

TEST_CASE("Backoff jitter stays within +-20 percent", "[scheduler][backoff]")
{
    BackoffPolicy p;
    CHECK(p.delayMs(3, 0.0) == 3'200);
    CHECK(p.delayMs(3, 0.999999) == Approx(4'800).margin(1));
    CHECK(p.delayMs(7, 0.0) == 48'000);
}

TEST_CASE("Scheduler starts a due query once and keeps one request in flight", "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("q1")});
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 1);
    CHECK(f.scheduler.inFlight("q1"));
    f.clock.advanceMs(10'000);
    f.scheduler.tick(); // past the interval, but the first request has not answered
    CHECK(f.conn.requests.size() == 1);
}

TEST_CASE("Scheduler stores results under the query id and polls again after the interval",
          "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("q1")});
    f.scheduler.tick();
    const qint64 t0 = f.clock.nowMs();
    f.clock.advanceMs(200);
    f.conn.answer(0, okResult({{SeriesKey("up", {{"job", "fleet"}}), {{t0, 1.0}}}}));

    const SeriesKey stored("q1", {{"__name__", "up"}, {"job", "fleet"}});
    CHECK(f.store.contains(stored));
    CHECK(f.scheduler.status("q1").state == PollStatus::State::Ok);
    CHECK(f.scheduler.status("q1").lastSuccessMs == t0 + 200);
    // The cadence is anchored at the start of the poll.
    CHECK(f.scheduler.nextDueMs("q1") == t0 + 5'000);

    f.clock.advanceMs(4'000);
    f.scheduler.tick();
    CHECK(f.conn.requests.size() == 1);
    f.clock.advanceMs(800);
    f.scheduler.tick();
    CHECK(f.conn.requests.size() == 2);
}

TEST_CASE("Scheduler fetches only the new slice, aligned to the step", "[scheduler][incremental]")
{
    Fixture f;
    f.clock.setMs(1'700'000'000'500);
    f.scheduler.setJobs({spec("q1")});
    f.scheduler.tick();
    const QueryRequest first = f.conn.requests.at(0);
    CHECK(first.kind == QueryKind::Range);
    CHECK(first.startMs == 1'700'000'000'000 - 60'000); // window, aligned down to 1 s
    CHECK(first.endMs == 1'700'000'000'500);
    f.conn.answer(0, okResult({}));

    f.clock.advanceMs(5'000);
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 2);
    // From one step before the last fetched end (aligned), not the whole window again.
    CHECK(f.conn.requests.at(1).startMs == 1'700'000'000'000 - 1'000);
}

TEST_CASE("Scheduler asks a fixed window for an absolute range, whatever the time", "[scheduler][absolute]")
{
    // Issue 6: a zoom or a custom from/to polls [end - window, end], not the last window.
    Fixture f;
    f.clock.setMs(1'700'000'000'500);
    PollSpec s = spec("q1");
    s.endMs = 1'699'999'000'000;
    s.windowMs = 120'000;
    f.scheduler.setJobs({s});
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 1);
    CHECK(f.conn.requests.at(0).startMs == 1'699'999'000'000 - 120'000);
    CHECK(f.conn.requests.at(0).endMs == 1'699'999'000'000);
    f.conn.answer(0, okResult({}));
    f.clock.advanceMs(5'000);
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 2);
    CHECK(f.conn.requests.at(1).endMs == 1'699'999'000'000);
    // Back to live: a new job definition, the whole window up to now.
    s.endMs = 0;
    f.scheduler.setJobs({s});
    f.clock.advanceMs(5'000);
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 3);
    CHECK(f.conn.requests.at(2).endMs == 1'700'000'010'500);
    CHECK(f.conn.requests.at(2).startMs == 1'700'000'010'000 - 120'000);
}

TEST_CASE("Scheduler reports a query with no series as no data", "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("q1")});
    f.scheduler.tick();
    f.conn.answer(0, okResult({}));
    CHECK(f.scheduler.status("q1").state == PollStatus::State::NoData);
    CHECK(f.scheduler.health("prom").state == Health::Ok);
}

TEST_CASE("Scheduler backs off exponentially on failure and recovers", "[scheduler][backoff]")
{
    Fixture f;
    auto s = spec("q1", 1'000);
    f.scheduler.setJobs({s});
    const qint64 t0 = f.clock.nowMs();
    f.scheduler.tick();
    f.conn.answer(0, QueryResult::failure(ErrorKind::Network, "connection refused by http://127.0.0.1:9/"));
    CHECK(f.scheduler.status("q1").failures == 1);
    CHECK(f.scheduler.nextDueMs("q1") == t0 + 1'000);

    f.clock.advanceMs(1'000);
    f.scheduler.tick();
    f.conn.answer(1, QueryResult::failure(ErrorKind::Network, "connection refused"));
    CHECK(f.scheduler.nextDueMs("q1") == f.clock.nowMs() + 2'000);

    f.clock.advanceMs(2'000);
    f.scheduler.tick();
    f.conn.answer(2, QueryResult::failure(ErrorKind::Network, "connection refused"));
    CHECK(f.scheduler.nextDueMs("q1") == f.clock.nowMs() + 4'000);
    CHECK(f.scheduler.health("prom").state == Health::Down);
    CHECK(f.scheduler.health("prom").reason == "connection refused");

    f.clock.advanceMs(4'000);
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 4);
    f.conn.answer(3, okResult({{SeriesKey("up"), {{f.clock.nowMs(), 1}}}}));
    CHECK(f.scheduler.status("q1").failures == 0);
    CHECK(f.scheduler.health("prom").state == Health::Ok);
    CHECK(f.scheduler.nextDueMs("q1") == f.clock.nowMs() + 1'000);
}

TEST_CASE("Scheduler times out a request that never answers and ignores its late answer",
          "[scheduler][timeout]")
{
    Fixture f;
    f.scheduler.setJobs({spec("q1")});
    f.scheduler.tick();
    f.clock.advanceMs(2'999);
    f.scheduler.tick();
    CHECK(f.scheduler.inFlight("q1"));
    f.clock.advanceMs(1);
    f.scheduler.tick();
    CHECK_FALSE(f.scheduler.inFlight("q1"));
    const PollStatus st = f.scheduler.status("q1");
    CHECK(st.state == PollStatus::State::Error);
    CHECK(st.lastError == ErrorKind::Timeout);
    CHECK(st.message == "no answer from prom within 3 s");

    // The late answer must not land in the store or clear the error.
    f.conn.answer(0, okResult({{SeriesKey("up"), {{1, 1}}}}));
    CHECK(f.store.seriesCount() == 0);
    CHECK(f.scheduler.status("q1").state == PollStatus::State::Error);
}

TEST_CASE("Connection health: degraded when some queries fail, down when all do", "[scheduler][health]")
{
    Fixture f;
    f.scheduler.setJobs({spec("a"), spec("b")});
    f.scheduler.tick();
    REQUIRE(f.conn.requests.size() == 2);
    CHECK(f.scheduler.health("prom").state == Health::Unknown);
    const int ia = f.conn.requests[0].id == "a" ? 0 : 1;
    const int ib = 1 - ia;
    f.conn.answer(ia, QueryResult::failure(ErrorKind::Http, "HTTP 502 Bad Gateway from http://proxy/"));
    f.conn.answer(ib, okResult({}));
    CHECK(f.scheduler.health("prom").state == Health::Degraded);
    CHECK(f.scheduler.health("prom").reason == "1 of 2 queries failing: HTTP 502 Bad Gateway from http://proxy/");
}

TEST_CASE("A query the server rejects does not degrade the connection", "[scheduler][health]")
{
    Fixture f;
    f.scheduler.setJobs({spec("bad")});
    f.scheduler.tick();
    f.conn.answer(0, QueryResult::failure(ErrorKind::Server, "Prometheus rejected the query (bad_data)"));
    CHECK(f.scheduler.status("bad").state == PollStatus::State::Error);
    CHECK(f.scheduler.health("prom").state == Health::Ok);
}

TEST_CASE("A query naming a missing connection fails with the connection's name", "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("q", 5'000, "nope")});
    f.scheduler.tick();
    CHECK(f.conn.requests.isEmpty());
    CHECK(f.scheduler.status("q").message.contains("no connection named 'nope'"));
}

TEST_CASE("setJobs keeps unchanged queries and drops the series of removed ones", "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("a"), spec("b")});
    f.scheduler.tick();
    for (int i = 0; i < 2; ++i)
        f.conn.answer(i, okResult({{SeriesKey("up"), {{f.clock.nowMs(), 1}}}}));
    REQUIRE(f.store.seriesCount() == 2);
    const qint64 dueA = f.scheduler.nextDueMs("a");
    f.scheduler.setJobs({spec("a")});
    CHECK(f.scheduler.nextDueMs("a") == dueA);
    CHECK(f.store.keysNamed("b").isEmpty());
    CHECK(f.scheduler.jobIds() == QStringList{"a"});
}

TEST_CASE("refreshAll polls every idle query now", "[scheduler]")
{
    Fixture f;
    f.scheduler.setJobs({spec("a", 60'000)});
    f.scheduler.tick();
    f.conn.answer(0, okResult({}));
    f.clock.advanceMs(1'000);
    f.scheduler.refreshAll();
    f.scheduler.tick();
    CHECK(f.conn.requests.size() == 2);
}

TEST_CASE("A replaced connector starts its queries over and the old one's late answer is ignored",
          "[scheduler][reload]")
{
    Fixture f;
    f.scheduler.setJobs({spec("a", 60'000), spec("other", 60'000, "vm")});
    ScriptedConnector vm(QStringLiteral("vm"));
    f.scheduler.addConnector(&vm);
    f.scheduler.tick();
    f.conn.answer(0, okResult({{SeriesKey("up"), {{f.clock.nowMs(), 1}}}}));
    REQUIRE(f.store.keysNamed("a").size() == 1);
    f.clock.advanceMs(60'000);
    f.scheduler.tick(); // a second request of "a" in flight on the old connector
    REQUIRE(f.conn.requests.size() == 2);

    // The workspace changed prom's URL: a new connector of the same name.
    ScriptedConnector replacement(QStringLiteral("prom"));
    f.scheduler.addConnector(&replacement);
    CHECK(f.store.keysNamed("a").isEmpty()); // from what may be another server
    CHECK(f.scheduler.health("prom").state == Health::Unknown);
    f.scheduler.tick();
    REQUIRE(replacement.requests.size() == 1);
    CHECK(replacement.requests.first().startMs == f.clock.nowMs() - 60'000); // the whole window again
    f.conn.answer(1, okResult({{SeriesKey("up"), {{f.clock.nowMs(), 7}}}}));
    CHECK(f.store.keysNamed("a").isEmpty());
    replacement.answer(0, okResult({{SeriesKey("up"), {{f.clock.nowMs(), 2}}}}));
    CHECK(f.store.keysNamed("a").size() == 1);
    // The other connection's query was not touched: it keeps its timed-out
    // request's failure (a restarted query would have none).
    CHECK(vm.requests.size() == 1);
    CHECK(f.scheduler.status(QStringLiteral("other")).failures == 1);

    // Removed from the workspace: its queries say so.
    f.scheduler.removeConnector(QStringLiteral("prom"));
    f.scheduler.tick();
    CHECK(f.scheduler.status("a").message.contains("no connection named 'prom'"));
    CHECK(replacement.requests.size() == 1);
}
