// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "series/series.h"
#include "series/series_key.h"
#include "series/series_store.h"

#include <QSignalSpy>
#include <algorithm>
#include <bit>
#include <deque>
#include <limits>
#include <random>
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

TEST_CASE("Series memory is 12 bytes per sample in compact blocks", "[series][encoding]")
{
    Series s(1024);
    for (int i = 0; i < 1024; ++i)
        s.append(1'700'000'000'000 + i * 15'000LL, i);
    CHECK(sizeof(Sample) == 16); // what readers get; the store keeps 12
    CHECK(s.memoryBytes() == 1024 * 12);
    CHECK(s.wideBlockCount() == 0);
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
        // Full: the capacity, plus the partly used blocks at both ends and one
        // used-up block kept for reuse, 12 B a sample.
        const size_t block = size_t(std::min<qsizetype>(Series::kBlockSamples, std::bit_ceil(quint64(capacity))));
        CHECK(s.memoryBytes() >= size_t(capacity) * Series::kCompactBytesPerSample);
        CHECK(s.memoryBytes() <= (size_t(capacity) + 2 * block) * Series::kCompactBytesPerSample);
        const Series copy = s;
        CHECK(copy.all() == s.all());
    }
}

TEST_CASE("A growing Series holds at most one partly used block beyond its samples", "[series]")
{
    Series s(1'000'000);
    for (qsizetype n = 1; n <= 20'000; ++n) {
        s.append(n, 0.0);
        constexpr size_t kB = Series::kCompactBytesPerSample;
        const size_t used = size_t(n) * kB;
        if (n >= Series::kBlockSamples && s.memoryBytes() >= used + Series::kBlockSamples * kB) {
            FAIL("at " << n << " samples the series holds " << s.memoryBytes() << " bytes");
        }
        if (n < Series::kBlockSamples && s.memoryBytes() > std::max<size_t>(2 * used, 16 * kB)) {
            FAIL("at " << n << " samples the series holds " << s.memoryBytes() << " bytes");
        }
    }
    CHECK(s.memoryBytes() == 20'480 * Series::kCompactBytesPerSample); // 40 blocks of 512
    s.clear();
    CHECK(s.memoryBytes() == 0);
    CHECK(s.isEmpty());
    s.append(5, 1.0);
    CHECK(s.all() == QList<Sample>{{5, 1.0}});
}

namespace {

// The reference: a sorted std::deque with the same rules (newer appended,
// equal replaced, older inserted, the oldest dropped beyond the capacity).
void referenceAppend(std::deque<Sample> &ref, qsizetype capacity, qint64 t, double v)
{
    auto it = std::lower_bound(ref.begin(), ref.end(), t, [](const Sample &a, qint64 x) { return a.t < x; });
    if (it != ref.end() && it->t == t) {
        it->v = v;
        return;
    }
    if (it == ref.begin() && qsizetype(ref.size()) == capacity)
        return;
    ref.insert(it, Sample{t, v});
    if (qsizetype(ref.size()) > capacity)
        ref.pop_front();
}

// Equal including the bits of every value (NaN payloads).
bool sameBits(const QList<Sample> &a, const std::deque<Sample> &b)
{
    if (a.size() != qsizetype(b.size()))
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].t != b[size_t(i)].t
            || std::bit_cast<quint64>(a[i].v) != std::bit_cast<quint64>(b[size_t(i)].v))
            return false;
    }
    return true;
}

} // namespace

TEST_CASE("Series stores a block wide when an offset does not fit in 32 bits, and the next block compact again",
          "[series][encoding]")
{
    constexpr qint64 kMax32 = std::numeric_limits<qint32>::max();
    Series s(10'000);
    s.append(0, 0.0);
    s.append(kMax32, 1.0); // the largest offset that fits
    CHECK(s.wideBlockCount() == 0);
    s.append(kMax32 + 1 + 1, 2.0); // base 0: offset 2^31 + 1 does not fit
    CHECK(s.wideBlockCount() == 1);
    CHECK(s.all() == QList<Sample>{{0, 0.0}, {kMax32, 1.0}, {kMax32 + 2, 2.0}});
    CHECK(s.memoryBytes() == 16 * Series::kWideBytesPerSample); // the first block: 16 samples, wide
    // Filling on: the first block grows (still wide), the next ones are compact.
    qint64 t = kMax32 + 2;
    for (int i = 0; i < 3 * Series::kBlockSamples; ++i)
        s.append(t += 15'000, double(i));
    CHECK(s.wideBlockCount() == 1);
    CHECK(s.memoryBytes()
          == Series::kBlockSamples * (Series::kWideBytesPerSample + 3 * Series::kCompactBytesPerSample));
    CHECK(s.at(2) == Sample{kMax32 + 2, 2.0});
    CHECK(s.last() == Sample{t, double(3 * Series::kBlockSamples - 1)});
    const Series copy = s;
    CHECK(copy.all() == s.all());
    CHECK(copy.wideBlockCount() == 1);
}

TEST_CASE("Series keeps negative, extreme and duplicate timestamps and NaN bits exactly", "[series][encoding]")
{
    constexpr qint64 kMin = std::numeric_limits<qint64>::min(), kMax = std::numeric_limits<qint64>::max();
    const double quietNaN = std::bit_cast<double>(quint64(0x7ff8'dead'beef'0001));
    const double negativeNaN = std::bit_cast<double>(quint64(0xfff8'0000'0000'0042));
    Series s(100);
    std::deque<Sample> ref;
    const auto add = [&](qint64 t, double v) {
        s.append(t, v);
        referenceAppend(ref, 100, t, v);
    };
    add(-86'400'000, -1.0); // before 1970
    add(-1, quietNaN);
    add(0, 0.0);
    add(0, -0.0); // a duplicate replaces, and -0.0 keeps its sign bit
    add(5, negativeNaN);
    add(kMax, 1.0); // 2^63 ms after the base: the block turns wide
    add(kMin, 2.0); // older than everything: inserted first
    add(5, quietNaN); // duplicate again, NaN over NaN
    CHECK(s.size() == 6);
    CHECK(sameBits(s.all(), ref));
    CHECK(sameBits(s.range(kMin, kMax), ref));
    CHECK(std::bit_cast<quint64>(s.at(2).v) == std::bit_cast<quint64>(quietNaN)); // after kMin and -1 day
    CHECK(std::signbit(s.at(3).v));
    CHECK(s.lowerBound(kMin) == 0);
    CHECK(s.lowerBound(kMax) == 5);
    CHECK(s.range(kMax, kMax).size() == 1);
}

TEST_CASE("Series inserts out of order across blocks whose bases are weeks apart", "[series][encoding]")
{
    // Hourly samples with gaps of up to 60 days, then older samples inserted
    // far from their block's base, some into a full ring: against a plain
    // reference, including the NaN bits.
    for (qsizetype capacity : {qsizetype(3), qsizetype(100), Series::kBlockSamples, qsizetype(1'500)}) {
        INFO("capacity " << capacity);
        std::mt19937_64 rng{quint64(capacity)};
        Series s(capacity);
        std::deque<Sample> ref;
        qint64 t = -30LL * 86'400'000;
        for (int i = 0; i < 4 * capacity + 50; ++i) {
            const auto roll = rng() % 100;
            const double v = roll < 5 ? std::bit_cast<double>(0x7ff0'0000'0000'0000ULL | (rng() >> 13) | 1)
                                      : double(i);
            qint64 at;
            if (roll < 80) {
                t += roll < 3 ? qint64(rng() % (60LL * 86'400'000)) : 3'600'000; // now and then a gap of weeks
                at = t;
            } else if (roll < 90 && !ref.empty()) {
                at = ref[size_t(rng() % ref.size())].t; // a duplicate: the value is replaced
            } else {
                at = t - qint64(rng() % (90LL * 86'400'000)); // older, maybe before everything held
            }
            s.append(at, v);
            referenceAppend(ref, capacity, at, v);
        }
        CHECK(sameBits(s.all(), ref));
        bool same = true;
        for (qsizetype i = 0; i < s.size(); ++i)
            same = same && s.at(i).t == ref[size_t(i)].t;
        CHECK(same);
        if (ref.size() > 4) {
            const std::deque<Sample> inner(ref.begin() + 1, ref.end() - 1);
            CHECK(sameBits(s.range(inner.front().t, inner.back().t), inner));
        }
        const Series copy = s;
        CHECK(sameBits(copy.all(), ref));
    }
}
