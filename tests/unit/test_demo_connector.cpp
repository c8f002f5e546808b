// SPDX-License-Identifier: GPL-3.0-or-later
// The in-process demo connector (plugins/demo): the simulation sampled against
// a manual clock, the backfill, settings, and the demo workspace's queries
// answered without a server.
#include <catch2/catch.hpp>

#include "demo_connector.h"
#include "util/clock.h"
#include "workspace/workspace.h"

#include <QJsonObject>

#include <cmath>

using namespace vigil;
using namespace vigil::demo;

namespace {

constexpr qint64 kStart = 1'700'000'000'000; // a whole second
constexpr qint64 kMin = 60'000;

ConnectionSettings demoSettings(const QJsonObject &options = {})
{
    ConnectionSettings s;
    s.name = QStringLiteral("demo");
    s.kind = QStringLiteral("demo");
    s.options = options;
    return s;
}

// A short backfill keeps these tests fast; the default one is tested once.
SamplerConfig shortBackfill(qint64 backfillMs = 2 * kMin)
{
    SamplerConfig c;
    c.backfillMs = backfillMs;
    return c;
}

QueryResult run(Connector &c, const QueryRequest &q)
{
    auto f = c.query(q);
    REQUIRE(f.isFinished()); // evaluated in the caller's thread, already done
    return f.result();
}

QueryResult instant(Connector &c, const QString &expr, qint64 t = 0)
{
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = expr;
    q.kind = QueryKind::Instant;
    q.timeMs = t;
    return run(c, q);
}

QueryResult range(Connector &c, const QString &expr, qint64 startMs, qint64 endMs, qint64 stepMs)
{
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = expr;
    q.kind = QueryKind::Range;
    q.startMs = startMs;
    q.endMs = endMs;
    q.stepMs = stepMs;
    return run(c, q);
}

const QString kCanaryP99 = QStringLiteral(
    "histogram_quantile(0.99, sum by (le) (rate(model_request_duration_seconds_bucket"
    "{model=\"fraud-detector\",version=\"v13\"}[5s])))");

} // namespace

TEST_CASE("The demo connector is kind demo, serves time series and histograms, and probes without a server", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector c(demoSettings(), shortBackfill(), clock);
    CHECK(c.kind() == QStringLiteral("demo"));
    CHECK(c.capabilities() == (Capability::TimeSeries | Capability::Histograms));
    auto f = c.probe();
    REQUIRE(f.isFinished());
    const ProbeResult p = f.result();
    CHECK(p.ok());
    CHECK(p.message == QStringLiteral("in-process demo fleet (seed 42, time scale 1×), no server"));
}

TEST_CASE("Seed and time_scale come from the connection options, numbers or text", "[demo]")
{
    QStringList problems;
    const SamplerConfig c = DemoConnector::configFromSettings(
        demoSettings({{"seed", 7}, {"time_scale", QStringLiteral("60")}}), &problems);
    CHECK(c.seed == 7);
    CHECK(c.timeScale == 60.0);
    CHECK(problems.isEmpty());

    const SamplerConfig defaults = DemoConnector::configFromSettings(demoSettings(), &problems);
    CHECK(defaults.seed == 42);
    CHECK(defaults.timeScale == 1.0);

    ManualClock clock(kStart);
    DemoConnector fast(demoSettings({{"seed", 7}, {"time_scale", 60}}), shortBackfill(), clock);
    CHECK(fast.probe().result().message == QStringLiteral("in-process demo fleet (seed 7, time scale 60×), no server"));
}

TEST_CASE("Bad settings fall back to the defaults and the probe says why", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector c(demoSettings({{"seed", -1}, {"time_scale", QStringLiteral("fast")}}), shortBackfill(), clock);
    CHECK(c.sampler().config().seed == 42);
    CHECK(c.sampler().config().timeScale == 1.0);
    const QString message = c.probe().result().message;
    CHECK(message.contains(QStringLiteral("seed must be a whole number")));
    CHECK(message.contains(QStringLiteral("time_scale must be a number in (0, 1000]")));
}

TEST_CASE("The first query sees 15 minutes of backfilled history", "[demo]")
{
    ManualClock clock(kStart + 400); // not on a whole second
    DemoConnector c(demoSettings(), clock);
    const qint64 now = clock.nowMs();
    const QueryResult r = range(c, QStringLiteral("sum by (model, version) (rate(model_requests_total[1m]))"),
                                now - 15 * kMin, now, 2000);
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 4);
    for (const SeriesData &s : r.series) {
        INFO(s.key.toString().toStdString());
        // Aligned to the 2 s step: from kStart - 15 min (the first sample) to kStart.
        CHECK(s.samples.first().t <= kStart - 15 * kMin + 2000);
        CHECK(s.samples.last().t == kStart);
        CHECK(s.samples.size() >= 449);
        // ~300 and ~400 req/s split 85/15 and 88/12: every version serves traffic.
        CHECK(s.samples.last().v > 10.0);
    }
    CHECK(c.sampler().backfillWallMs() == 15 * kMin);
    CHECK(c.sampler().history().samples(0).size() == 15 * 60 + 1);
}

TEST_CASE("Each query first samples the simulation up to the clock's now, once a second", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector c(demoSettings(), shortBackfill(), clock);
    const QueryResult first = instant(c, QStringLiteral("model_requests_total"));
    REQUIRE(first.ok());
    REQUIRE_FALSE(first.series.isEmpty());
    CHECK(c.sampler().lastSampleMs() == kStart);

    clock.advanceMs(10'500);
    const QueryResult later = instant(c, QStringLiteral("model_requests_total"));
    REQUIRE(later.ok());
    CHECK(c.sampler().lastSampleMs() == kStart + 10'000);
    // An instant query without a time is evaluated at the clock's now.
    CHECK(later.series.first().samples.first().t == kStart + 10'500);
    // Counters moved on: ten more seconds of ~300 req/s.
    CHECK(later.series.first().samples.first().v > first.series.first().samples.first().v);
    CHECK(c.sampler().history().samples(0).size() == 2 * 60 + 1 + 10);
}

TEST_CASE("The canary's p99 latency rises over the scenario at a high time scale", "[demo]")
{
    // No backfill: simulated minute 0 is now; at 60x a wall second is a simulated minute.
    ManualClock clock(kStart);
    DemoConnector c(demoSettings({{"time_scale", 60}}), shortBackfill(0), clock);
    clock.advanceMs(2000); // simulated minutes 0-2: healthy, p99 ~120 ms
    const QueryResult early = instant(c, kCanaryP99);
    clock.advanceMs(10'000); // simulated minutes 7-12: v13 slowed down 3.6x
    const QueryResult late = instant(c, kCanaryP99);
    INFO(early.message.toStdString() << late.message.toStdString());
    REQUIRE(early.series.size() == 1);
    REQUIRE(late.series.size() == 1);
    const double before = early.series.first().samples.first().v;
    const double after = late.series.first().samples.first().v;
    INFO("p99 before " << before << " s, after " << after << " s");
    CHECK(before < 0.2);
    CHECK(after > 0.3);
    CHECK(after > 2.0 * before);
}

TEST_CASE("The same seed gives the same answers and another seed other ones", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector a(demoSettings(), shortBackfill(), clock);
    DemoConnector b(demoSettings(), shortBackfill(), clock);
    DemoConnector other(demoSettings({{"seed", 43}}), shortBackfill(), clock);
    const QString q = QStringLiteral("sum by (version) (rate(model_requests_total[1m]))");
    const QueryResult ra = instant(a, q);
    const QueryResult rb = instant(b, q);
    const QueryResult ro = instant(other, q);
    REQUIRE(ra.series.size() == 4);
    REQUIRE(ro.series.size() == 4);
    for (qsizetype i = 0; i < ra.series.size(); ++i) {
        CHECK(ra.series[i].key == rb.series[i].key);
        CHECK(ra.series[i].samples == rb.series[i].samples);
    }
    CHECK(ra.series.first().samples != ro.series.first().samples);
}

TEST_CASE("After a long pause the simulation resumes instead of ticking through the gap", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector c(demoSettings(), shortBackfill(), clock);
    REQUIRE(instant(c, QStringLiteral("model_quality")).ok());
    const qint64 simBefore = c.sampler().simulation().simElapsedMs();
    CHECK(simBefore == 2 * kMin);

    clock.advanceMs(6 * 3'600'000); // a night with the laptop closed
    const QueryResult r = instant(c, QStringLiteral("model_quality"));
    REQUIRE(r.ok());
    CHECK_FALSE(r.series.isEmpty()); // fresh samples at now
    CHECK(c.sampler().lastSampleMs() == clock.nowMs());
    // One step past where it stopped, then the catch-up window (maxBackfillSimMs
    // at 1x: 30 minutes), not six hours.
    CHECK(c.sampler().catchUpWallMs() == 30 * kMin);
    CHECK(c.sampler().simulation().simElapsedMs() == simBefore + 1000 + 30 * kMin);
    // Memory stays bounded: never more samples per series than configured.
    CHECK(c.sampler().history().samples(0).size() <= FleetHistory::kDefaultSamplesPerSeries);
}

TEST_CASE("An unsupported query comes back as a server error naming the supported subset", "[demo]")
{
    ManualClock clock(kStart);
    DemoConnector c(demoSettings(), shortBackfill(), clock);
    const QueryResult r = instant(c, QStringLiteral("topk(3, model_requests_total)"));
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.message.startsWith(QStringLiteral("the demo connector does not support the aggregation topk")));
    CHECK(r.message.contains(QStringLiteral("supported: ")));
}

TEST_CASE("Every query of the demo workspace returns data from the in-process fleet", "[demo]")
{
    const Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    REQUIRE_FALSE(ws.hasErrors());
    ManualClock clock(kStart);
    DemoConnector c(demoSettings(), shortBackfill(5 * kMin), clock);
    for (const DashboardDef &d : ws.dashboards) {
        for (const PanelDef &p : d.panels) {
            if (p.connection == "vigil")
                continue; // Vigil's own series (drift scores), not the fleet's
            for (const PanelQuery &q : p.queries) {
                const QueryResult r = range(c, q.expr, kStart - 5 * kMin, kStart, 2000);
                INFO(p.title.toStdString() << ": " << q.expr.toStdString() << " -> " << r.message.toStdString());
                REQUIRE(r.ok());
                CHECK(r.type == ResultType::Matrix);
                CHECK_FALSE(r.series.isEmpty());
                for (const SeriesData &s : r.series) {
                    INFO(s.key.toString().toStdString());
                    CHECK(s.samples.size() >= 140);
                    CHECK(std::isfinite(s.samples.last().v));
                }
            }
        }
    }
}
