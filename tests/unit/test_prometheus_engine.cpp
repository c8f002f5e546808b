// SPDX-License-Identifier: GPL-3.0-or-later
// Scale-out engines: the connection options for Thanos/Mimir/Cortex/VictoriaMetrics,
// and the splitting of long range queries into cacheable sub-queries.
#include <catch2/catch.hpp>

#include "prometheus_engine.h"
#include "workspace/workspace.h"

#include <QJsonObject>
#include <QSet>
#include <random>

using namespace vigil;
using namespace vigil::prometheus;

namespace {
constexpr qint64 kMin = 60'000;
constexpr qint64 kHour = 60 * kMin;
constexpr qint64 kDay = 24 * kHour;

QueryResult matrix(std::initializer_list<std::pair<const char *, QList<Sample>>> series)
{
    QueryResult r;
    r.type = ResultType::Matrix;
    for (const auto &[version, samples] : series)
        r.series.append(SeriesData{SeriesKey(QStringLiteral("q"), Labels{{QStringLiteral("version"), QString::fromLatin1(version)}}), samples});
    r.bytes = 100;
    return r;
}
} // namespace

TEST_CASE("Engine options: tenant, Thanos flags, split interval and concurrency are read", "[prometheus][engine]")
{
    QStringList problems;
    const EngineOptions e = parseEngineOptions(QJsonObject{{"tenant", "team-ml"},
                                                           {"partial_response", false},
                                                           {"dedup", true},
                                                           {"split_interval", "24h"},
                                                           {"max_concurrency", 2.0}},
                                               &problems);
    CHECK(problems.isEmpty());
    CHECK(e.tenant == "team-ml");
    REQUIRE(e.partialResponse.has_value());
    CHECK_FALSE(*e.partialResponse);
    REQUIRE(e.dedup.has_value());
    CHECK(*e.dedup);
    CHECK(e.splitIntervalMs == kDay);
    CHECK(e.maxConcurrency == 2);

    const EngineOptions none = parseEngineOptions({}, &problems);
    CHECK(none.tenant.isEmpty());
    CHECK_FALSE(none.partialResponse.has_value());
    CHECK(none.splitIntervalMs == 0);
    CHECK(none.maxConcurrency == 4);
    CHECK(parseEngineOptions(QJsonObject{{"tenant", 42.0}}).tenant == "42");
}

TEST_CASE("Engine options: wrong values are named and the default is kept", "[prometheus][engine]")
{
    QStringList problems;
    const EngineOptions e = parseEngineOptions(QJsonObject{{"partial_response", "maybe"},
                                                           {"split_interval", "5s"},
                                                           {"max_concurrency", 0.0},
                                                           {"tenant", "a\nb"}},
                                               &problems);
    CHECK_FALSE(e.partialResponse.has_value());
    CHECK(e.splitIntervalMs == 0);
    CHECK(e.maxConcurrency == 4);
    CHECK(e.tenant.isEmpty());
    REQUIRE(problems.size() == 4);
    CHECK(problems.contains("option partial_response must be true or false, not 'maybe'"));
    CHECK(problems.contains("option split_interval must be a duration of at least 1m (e.g. 24h) or 0, not '5s'"));
    CHECK(problems.contains("option max_concurrency must be a whole number from 1 to 64, not '0'"));
    CHECK(problems.contains("option tenant must be one line"));
}

TEST_CASE("Engine params: partial_response and dedup go on the query, unset sends nothing", "[prometheus][engine]")
{
    QueryRequest q;
    q.expr = "up";
    q.kind = QueryKind::Instant;
    ApiRequest plain = buildQueryRequest(q);
    applyEngineParams(plain, EngineOptions{});
    CHECK_FALSE(plain.params.hasQueryItem("partial_response"));
    CHECK_FALSE(plain.params.hasQueryItem("dedup"));

    EngineOptions thanos;
    thanos.partialResponse = false;
    thanos.dedup = true;
    ApiRequest r = buildQueryRequest(q);
    applyEngineParams(r, thanos);
    CHECK(r.params.queryItemValue("partial_response") == "false");
    CHECK(r.params.queryItemValue("dedup") == "true");
    CHECK_FALSE(r.post);
}

TEST_CASE("Split: a week at 15 s cut at day boundaries, aligned to the step", "[prometheus][engine][split]")
{
    const qint64 start = 1'700'000'000'000 - 7 * kDay;
    const RangeWindow w = chooseRange(start, 1'700'000'000'000, 60'000);
    const QList<RangeWindow> parts = splitRange(w, kDay);
    REQUIRE(parts.size() == 8); // a week not starting at midnight touches 8 days
    CHECK(parts.first().startMs == w.startMs);
    CHECK(parts.last().endMs == w.endMs);
    for (qsizetype i = 0; i < parts.size(); ++i) {
        CHECK(parts[i].stepMs == w.stepMs);
        CHECK((parts[i].startMs - w.startMs) % w.stepMs == 0);
        if (i > 0) {
            CHECK(parts[i].startMs == parts[i - 1].endMs + w.stepMs); // no gap, no overlap
            CHECK(parts[i].startMs % kDay < w.stepMs);                // first step at or after midnight
        }
    }
}

TEST_CASE("Split: every step timestamp lands in exactly one part, for random windows", "[prometheus][engine][split]")
{
    std::mt19937_64 rng(7);
    for (int round = 0; round < 300; ++round) {
        const qint64 step = 1000 * qint64(1 + rng() % 600);
        const qint64 interval = kMin * qint64(1 + rng() % 1500);
        const qint64 start = step * qint64(1'600'000'000 / (step / 1000) + rng() % 100'000);
        const qint64 end = start + step * qint64(rng() % 3000);
        const RangeWindow w{start, end, step};
        const QList<RangeWindow> parts = splitRange(w, interval);
        QSet<qint64> seen;
        for (const RangeWindow &p : parts) {
            REQUIRE(p.startMs <= p.endMs);
            const qint64 bucket = p.startMs / interval;
            for (qint64 t = p.startMs; t <= p.endMs; t += step) {
                REQUIRE_FALSE(seen.contains(t));
                seen.insert(t);
                REQUIRE(t / interval == bucket); // a part never crosses a cut
            }
        }
        qint64 expected = 0;
        for (qint64 t = start; t <= end; t += step)
            expected += seen.contains(t) ? 1 : 0;
        REQUIRE(seen.size() == (end - start) / step + 1);
        REQUIRE(expected == seen.size());
    }
}

TEST_CASE("Split: no cut inside the window, or no interval, gives the window itself", "[prometheus][engine][split]")
{
    const RangeWindow w{kDay + kHour, kDay + 2 * kHour, 15'000};
    CHECK(splitRange(w, kDay) == QList<RangeWindow>{w});
    CHECK(splitRange(w, 0) == QList<RangeWindow>{w});
}

TEST_CASE("Merge: parts join per series in order, warnings once, bytes summed", "[prometheus][engine][split]")
{
    const QList<RangeWindow> windows{{0, 30, 10}, {40, 60, 10}};
    QueryResult a = matrix({{"v1", {{0, 1}, {10, 2}, {20, 3}, {30, 4}}}, {"v2", {{20, 9}}}});
    a.warnings = {"partial"};
    QueryResult b = matrix({{"v1", {{30, 40}, {40, 5}, {50, 6}}}, {"v3", {{60, 7}}}});
    b.warnings = {"partial", "other"};
    const QueryResult m = mergeSplitResults({a, b}, windows);
    REQUIRE(m.ok());
    CHECK(m.type == ResultType::Matrix);
    REQUIRE(m.series.size() == 3);
    CHECK(m.series[0].samples == QList<Sample>{{0, 1}, {10, 2}, {20, 3}, {30, 40}, {40, 5}, {50, 6}});
    CHECK(m.series[1].samples == QList<Sample>{{20, 9}});
    CHECK(m.series[2].samples == QList<Sample>{{60, 7}});
    CHECK(m.warnings == QStringList{"partial", "other"});
    CHECK(m.bytes == 200);
}

TEST_CASE("Merge: a failed part fails the whole and says which part and window", "[prometheus][engine][split]")
{
    const QList<RangeWindow> windows{{0, 1000, 1000}, {86'400'000, 86'401'000, 1000}};
    const QueryResult bad = QueryResult::failure(ErrorKind::Server, "query timed out in expression evaluation", 503);
    const QueryResult m = mergeSplitResults({matrix({{"v1", {{0, 1}}}}), bad}, windows);
    CHECK(m.error == ErrorKind::Server);
    CHECK(m.httpStatus == 503);
    CHECK(m.message == "part 2 of 2 of a split range query (1970-01-02T00:00:00Z to 1970-01-02T00:00:01Z): "
                       "query timed out in expression evaluation");
}

TEST_CASE("Workspace: connection options are read as typed values and checked per kind", "[prometheus][engine][workspace]")
{
    const Workspace ws = parseWorkspace(R"(connections:
  mimir:
    kind: prometheus
    url: http://127.0.0.1:9009/prometheus
    options: { tenant: "42", partial_response: false, split_interval: 24h, max_concurrency: 3 }
  registry:
    kind: mlflow
    url: http://127.0.0.1:5000
    options: { page_sise: 50 }
dashboards: []
)",
                                        QStringLiteral("/tmp/ws/scale.yaml"));
    REQUIRE(ws.connections.size() == 2);
    const QJsonObject o = ws.connections[0].options;
    CHECK(o.value("tenant") == QJsonValue("42")); // quoted: stays a string
    CHECK(o.value("partial_response") == QJsonValue(false));
    CHECK(o.value("split_interval") == QJsonValue("24h"));
    CHECK(o.value("max_concurrency") == QJsonValue(3.0));
    const QStringList errors = ws.errorMessages();
    INFO(errors.join('\n').toStdString());
    REQUIRE(errors.size() == 1);
    CHECK(errors.first().startsWith("scale.yaml:9: "));
    CHECK(errors.first().contains("unknown key 'page_sise' in the options of connection 'registry'"));
    CHECK(errors.first().contains("did you mean 'page_size'?"));
    CHECK(ws.connections[1].options.isEmpty());
}
