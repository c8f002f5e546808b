// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "series/series.h"
#include "series/series_key.h"
#include "series/series_store.h"

#include <QSignalSpy>
#include <algorithm>
#include <cmath>
#include <vector>
#include <unordered_set>

using namespace vigil;

TEST_CASE("SeriesKey sorts labels so order of construction does not matter", "[series][key]")
{
    const SeriesKey a("up", {{"job", "fleet"}, {"instance", "a:1"}});
    const SeriesKey b("up", {{"instance", "a:1"}, {"job", "fleet"}});
    CHECK(a == b);
    CHECK(a.hash() == b.hash());
    CHECK(qHash(a) == qHash(b));
    CHECK(std::hash<SeriesKey>{}(a) == std::hash<SeriesKey>{}(b));
    REQUIRE(a.labels().size() == 2);
    CHECK(a.labels()[0].first == "instance");
    CHECK(a.toString() == R"(up{instance="a:1", job="fleet"})");
}

TEST_CASE("SeriesKey distinguishes name, label name and label value", "[series][key]")
{
    const SeriesKey base("m", {{"version", "v1"}});
    CHECK(base != SeriesKey("n", {{"version", "v1"}}));
    CHECK(base != SeriesKey("m", {{"version", "v2"}}));
    CHECK(base != SeriesKey("m", {{"release", "v1"}}));
    CHECK(base != SeriesKey("m"));
    // Swapping a name/value boundary must not collide: {a="bc"} vs {ab="c"}.
    CHECK(SeriesKey("m", {{"a", "bc"}}) != SeriesKey("m", {{"ab", "c"}}));
}

TEST_CASE("SeriesKey keeps the last value of a repeated label", "[series][key]")
{
    const SeriesKey k("m", {{"a", "1"}, {"b", "2"}, {"a", "3"}});
    CHECK(k.labels().size() == 2);
    CHECK(k.label("a") == "3");
    CHECK(k.withLabel("b", "9").label("b") == "9");
    CHECK(k.label("missing").isEmpty());
}

TEST_CASE("SeriesKey order is total: name first, then labels", "[series][key]")
{
    std::vector<SeriesKey> keys{SeriesKey("b"), SeriesKey("a", {{"x", "2"}}), SeriesKey("a", {{"x", "1"}}),
                                SeriesKey("a")};
    std::sort(keys.begin(), keys.end());
    CHECK(keys[0] == SeriesKey("a"));
    CHECK(keys[1] == SeriesKey("a", {{"x", "1"}}));
    CHECK(keys[2] == SeriesKey("a", {{"x", "2"}}));
    CHECK(keys[3] == SeriesKey("b"));
}

TEST_CASE("SeriesKey hashes spread distinct label sets", "[series][key]")
{
    std::unordered_set<size_t> hashes;
    for (int model = 0; model < 50; ++model)
        for (int version = 0; version < 40; ++version)
            hashes.insert(SeriesKey("model_requests_total", {{"model", QString::number(model)},
                                                             {"version", QString::number(version)}})
                              .hash());
    CHECK(hashes.size() == 2000);
}

TEST_CASE("SeriesKey escapes quotes, backslashes and newlines in toString", "[series][key]")
{
    const SeriesKey k("m", {{"path", "a\"b\\c\nd"}});
    CHECK(k.toString() == QStringLiteral("m{path=\"a\\\"b\\\\c\\nd\"}"));
}

TEST_CASE("Series appends in order and replaces duplicate timestamps", "[series][ring]")
{
    Series s(10);
    CHECK(s.append(1000, 1.0) == Series::AppendResult::Appended);
    CHECK(s.append(2000, 2.0) == Series::AppendResult::Appended);
    CHECK(s.append(2000, 2.5) == Series::AppendResult::Replaced);
    REQUIRE(s.size() == 2);
    CHECK(s.last() == Sample{2000, 2.5});
}

TEST_CASE("Series inserts an out-of-order sample in place", "[series][ring]")
{
    Series s(10);
    s.append(1000, 1);
    s.append(3000, 3);
    CHECK(s.append(2000, 2) == Series::AppendResult::Inserted);
    REQUIRE(s.size() == 3);
    CHECK(s.at(0).t == 1000);
    CHECK(s.at(1) == Sample{2000, 2});
    CHECK(s.at(2).t == 3000);
}

TEST_CASE("Series ring buffer wraps and keeps the newest capacity samples", "[series][ring]")
{
    Series s(4);
    for (int i = 1; i <= 10; ++i)
        s.append(i * 1000, i);
    REQUIRE(s.size() == 4);
    CHECK(s.first() == Sample{7000, 7});
    CHECK(s.last() == Sample{10000, 10});
    const auto all = s.all();
    REQUIRE(all.size() == 4);
    for (int i = 0; i < 4; ++i)
        CHECK(all[i].t == (7 + i) * 1000);
}

TEST_CASE("Series full ring drops a sample older than everything it holds", "[series][ring]")
{
    Series s(3);
    for (int i = 1; i <= 5; ++i)
        s.append(i * 1000, i);
    CHECK(s.append(1000, 99) == Series::AppendResult::DroppedTooOld);
    CHECK(s.first().t == 3000);
}

TEST_CASE("Series full ring inserts out of order after wrapping, dropping the oldest", "[series][ring]")
{
    Series s(3);
    s.append(1000, 1);
    s.append(2000, 2);
    s.append(4000, 4);
    s.append(6000, 6); // wraps: holds 2000, 4000, 6000
    CHECK(s.append(5000, 5) == Series::AppendResult::Inserted);
    REQUIRE(s.size() == 3);
    CHECK(s.at(0).t == 4000);
    CHECK(s.at(1).t == 5000);
    CHECK(s.at(2).t == 6000);
}

TEST_CASE("Series range queries are inclusive and binary searched", "[series][ring]")
{
    Series s(100);
    for (int i = 0; i < 100; ++i)
        s.append(i * 10, i);
    CHECK(s.range(200, 250).size() == 6);
    CHECK(s.range(201, 209).isEmpty());
    CHECK(s.range(-100, 5).size() == 1);
    CHECK(s.range(990, 5000).size() == 1);
    CHECK(s.range(50, 10).isEmpty());
    CHECK(s.lowerBound(205) == 21);
}

TEST_CASE("Series range returns the same samples as reading them one by one, wrapped or not", "[series][ring][issue7]")
{
    // range() copies in at most two contiguous runs (issue 7); a reference
    // built with at() pins the behaviour for every window, before and after
    // the ring wraps, while growing, and after an insertion into a full ring.
    auto reference = [](const Series &s, qint64 from, qint64 to) {
        QList<Sample> out;
        for (qsizetype i = 0; i < s.size(); ++i)
            if (s.at(i).t >= from && s.at(i).t <= to)
                out.append(s.at(i));
        return out;
    };
    Series s(37);
    for (int step = 0; step < 120; ++step) {
        if (step == 80)
            s.append(s.at(10).t + 1, -1.0); // inserted into a full ring
        else
            s.append(qint64(step) * 10, step);
        for (qint64 from : {qint64(-5), s.first().t, s.first().t + 3, s.at(s.size() / 2).t, s.last().t, s.last().t + 1}) {
            for (qint64 to : {from, from + 55, s.last().t, std::numeric_limits<qint64>::max()}) {
                INFO("step " << step << " from " << from << " to " << to);
                CHECK(s.range(from, to) == reference(s, from, to));
            }
        }
    }
    CHECK(s.range(std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max()) == s.all());
}

TEST_CASE("Series keeps NaN and infinities as values", "[series]")
{
    Series s(4);
    s.append(1, std::nan(""));
    s.append(2, INFINITY);
    CHECK(std::isnan(s.at(0).v));
    CHECK(std::isinf(s.at(1).v));
}

TEST_CASE("Series memory is 16 bytes per sample", "[series]")
{
    Series s(1000);
    for (int i = 0; i < 1000; ++i)
        s.append(i, i);
    CHECK(sizeof(Sample) == 16);
    CHECK(s.memoryBytes() == 1000 * 16);
}

TEST_CASE("SeriesStore appends batches and emits the changed keys once", "[series][store]")
{
    SeriesStore store(100);
    QSignalSpy spy(&store, &SeriesStore::seriesChanged);
    const SeriesKey a("q1", {{"version", "v1"}});
    const SeriesKey b("q1", {{"version", "v2"}});
    store.append({{a, {{1000, 1}, {2000, 2}}}, {b, {{1000, 5}}}});
    REQUIRE(spy.count() == 1);
    const auto keys = spy.at(0).at(0).value<QList<SeriesKey>>();
    CHECK(keys.size() == 2);
    CHECK(store.seriesCount() == 2);
    CHECK(store.lastSample(a)->v == 2);
    CHECK(store.keysNamed("q1") == QList<SeriesKey>{a, b});
    CHECK(store.range(a, 0, 1500).size() == 1);
    CHECK(store.sampleCount() == 3);
    CHECK_FALSE(store.lastSample(SeriesKey("nope")).has_value());
}

TEST_CASE("SeriesStore removes every series of a name", "[series][store]")
{
    SeriesStore store(10);
    store.append(SeriesKey("q1", {{"a", "1"}}), {{1, 1}});
    store.append(SeriesKey("q2"), {{1, 1}});
    QSignalSpy removed(&store, &SeriesStore::seriesRemoved);
    store.removeNamed("q1");
    CHECK(removed.count() == 1);
    CHECK(store.seriesCount() == 1);
    CHECK(store.keysNamed("q1").isEmpty());
    CHECK(store.contains(SeriesKey("q2")));
}

TEST_CASE("SeriesStore does not report a batch whose samples were all too old", "[series][store]")
{
    SeriesStore store(2);
    const SeriesKey k("q");
    store.append(k, {{10, 1}, {20, 2}, {30, 3}});
    QSignalSpy spy(&store, &SeriesStore::seriesChanged);
    store.append(k, {{5, 0}});
    CHECK(spy.isEmpty());
}

TEST_CASE("Series stored in blocks keeps every sample across block edges, wraps and inserts", "[series]")
{
    // Capacities around the block size and not a multiple of it; a plain
    // deque is the reference.
    for (qsizetype capacity : {qsizetype(1), qsizetype(17), Series::kBlockSamples - 1, Series::kBlockSamples,
                               Series::kBlockSamples + 1, 3 * Series::kBlockSamples + 5}) {
        INFO("capacity " << capacity);
        Series s(capacity);
        std::vector<Sample> ref;
        qint64 t = 0;
        for (qsizetype i = 0; i < 3 * capacity + 7; ++i) {
            t += 10;
            s.append(t, double(i));
            ref.push_back({t, double(i)});
            if (qsizetype(ref.size()) > capacity)
                ref.erase(ref.begin());
            if (i % 97 == 5 && s.size() > 2) {
                // An older timestamp inserted in place (rare, but kept sorted).
                const qint64 older = s.at(s.size() / 2).t - 3;
                const bool taken = std::any_of(ref.begin(), ref.end(), [&](const Sample &x) { return x.t == older; });
                if (older > s.first().t && !taken) {
                    s.append(older, -1.0);
                    ref.insert(std::lower_bound(ref.begin(), ref.end(), older,
                                                [](const Sample &a, qint64 x) { return a.t < x; }),
                               Sample{older, -1.0});
                    if (qsizetype(ref.size()) > capacity)
                        ref.erase(ref.begin());
                }
            }
        }
        REQUIRE(s.size() == qsizetype(ref.size()));
        bool same = true;
        for (qsizetype i = 0; i < s.size(); ++i)
            same = same && s.at(i) == ref[size_t(i)];
        CHECK(same);
        CHECK(s.all() == QList<Sample>(ref.begin(), ref.end()));
        // A range starting and ending inside blocks.
        if (ref.size() > 4) {
            const auto &from = ref[1], &to = ref[ref.size() - 2];
            CHECK(s.range(from.t, to.t) == QList<Sample>(ref.begin() + 1, ref.end() - 1));
        }
        CHECK(s.memoryBytes() == size_t(capacity) * sizeof(Sample)); // full: exactly the capacity
        const Series copy = s;
        CHECK(copy.all() == s.all());
    }
}

TEST_CASE("A growing Series holds at most one partly used block beyond its samples", "[series]")
{
    Series s(1'000'000);
    for (qsizetype n = 1; n <= 20'000; ++n) {
        s.append(n, 0.0);
        const size_t used = size_t(n) * sizeof(Sample);
        if (n >= Series::kBlockSamples && s.memoryBytes() >= used + Series::kBlockSamples * sizeof(Sample)) {
            FAIL("at " << n << " samples the series holds " << s.memoryBytes() << " bytes");
        }
        if (n < Series::kBlockSamples && s.memoryBytes() > std::max<size_t>(2 * used, 16 * sizeof(Sample))) {
            FAIL("at " << n << " samples the series holds " << s.memoryBytes() << " bytes");
        }
    }
    CHECK(s.memoryBytes() == 20'480 * sizeof(Sample)); // 40 blocks of 512
    s.clear();
    CHECK(s.memoryBytes() == 0);
    CHECK(s.isEmpty());
    s.append(5, 1.0);
    CHECK(s.all() == QList<Sample>{{5, 1.0}});
}
