// SPDX-License-Identifier: GPL-3.0-or-later
// Memory per 1 M stored points (issue 7: <= 16 MB). A Sample is 16 bytes
// (qint64 epoch ms + double); a Series keeps 12 a sample in compact blocks of
// 512 (qint64 base, qint32 ms offsets, doubles), see core/series/series.h.
// Also times appends (filling and full), the range() copy and lowerBound.
//
//   bench-series-memory
//
// Measured with glibc's mallinfo2() (bytes the allocator handed out, which is
// what the process keeps) and resident memory from /proc/self/statm, before
// and after filling:
//  - one Series of capacity 1 M filled with 1 M samples;
//  - a SeriesStore of 100 series x 10,000 samples (1 M points), as a
//    dashboard holds them, keys, hashes and name index included;
//  - a SeriesStore at the default capacity (43,200) with 24 series filled past
//    capacity (ring wrap), about 1 M points;
//  - transient: the QList<Sample> a range() copy allocates for 1 M points.
#include "series/series.h"
#include "series/series_store.h"

#include "bench_util.h"

#include <malloc.h>
#include <unistd.h>

using namespace vigil;

namespace {

size_t heapBytes()
{
    return mallinfo2().uordblks + mallinfo2().hblkhd;
}

size_t rssBytes()
{
    std::ifstream f("/proc/self/statm");
    size_t size = 0, resident = 0;
    f >> size >> resident;
    return resident * size_t(sysconf(_SC_PAGESIZE));
}

void report(const char *what, qsizetype points, size_t heap, size_t rss, size_t accounted)
{
    const double perM = 1e6 / double(points);
    std::printf("%-58s %9lld points  heap %7.2f MB  RSS %7.2f MB  per 1M: heap %6.2f MB, RSS %6.2f MB (memoryBytes %6.2f MB)\n",
                what, (long long)points, heap / 1e6, rss / 1e6, heap / 1e6 * perM, rss / 1e6 * perM,
                accounted / 1e6 * perM);
}

} // namespace

int main()
{
    bench::printLoad("start");
    std::printf("sizeof(Sample) = %zu B\n", sizeof(Sample));
    constexpr qint64 t0 = 1'700'000'000'000;
    malloc_trim(0);

    {
        const size_t h0 = heapBytes(), r0 = rssBytes();
        Series s(1'000'000);
        auto c0 = bench::Clock::now();
        for (qint64 i = 0; i < 1'000'000; ++i)
            s.append(t0 + i * 15'000, double(i % 1000) * 0.001);
        const double fillMs = bench::msSince(c0);
        report("Series(capacity 1M), 1M appends", s.size(), heapBytes() - h0, rssBytes() - r0, s.memoryBytes());
        // Speed: appends into the full ring (overwrite the oldest), the
        // range() copy of all of it, and lookups (lowerBound), best of 5.
        double wrapMs = 1e9, rangeMs = 1e9, lookupMs = 1e9;
        qint64 t = t0 + 1'000'000LL * 15'000, checksum = 0;
        for (int run = 0; run < 5; ++run) {
            c0 = bench::Clock::now();
            for (int i = 0; i < 1'000'000; ++i, t += 15'000)
                s.append(t, double(i));
            wrapMs = std::min(wrapMs, bench::msSince(c0));
            c0 = bench::Clock::now();
            const QList<Sample> all = s.range(s.first().t, s.last().t);
            rangeMs = std::min(rangeMs, bench::msSince(c0));
            checksum += all.size();
            c0 = bench::Clock::now();
            const qint64 span = s.last().t - s.first().t;
            for (qint64 k = 0; k < 1'000'000; ++k)
                checksum += s.lowerBound(s.first().t + (k * 7919) % span);
            lookupMs = std::min(lookupMs, bench::msSince(c0));
        }
        std::printf("  speed: fill %.1f ns/append, full ring %.1f ns/append, range() of 1M %.2f ms (%.2f ns/sample), "
                    "lowerBound %.0f ns (checksum %lld)\n",
                    fillMs * 1e6 / 1e6, wrapMs * 1e6 / 1e6, rangeMs, rangeMs * 1e6 / 1e6, lookupMs * 1e6 / 1e6,
                    (long long)checksum);
    }
    malloc_trim(0);
    {
        const size_t h0 = heapBytes(), r0 = rssBytes();
        SeriesStore store(20'000);
        for (int k = 0; k < 100; ++k) {
            const SeriesKey key(QStringLiteral("dash/0/0"),
                                {{QStringLiteral("model"), QStringLiteral("fraud-detector")},
                                 {QStringLiteral("version"), QStringLiteral("v%1").arg(k)},
                                 {QStringLiteral("instance"), QStringLiteral("10.0.0.%1:9100").arg(k)}});
            // Delivered in polls of 100 samples, as an incremental fetch would.
            for (int b = 0; b < 100; ++b) {
                QList<Sample> batch;
                batch.reserve(100);
                for (int i = 0; i < 100; ++i)
                    batch.append({t0 + (b * 100 + i) * 15'000LL, double(i)});
                store.append(key, batch);
            }
        }
        report("SeriesStore 100 series x 10k (capacity 20k each)", store.sampleCount(), heapBytes() - h0,
               rssBytes() - r0, store.memoryBytes());
    }
    malloc_trim(0);
    {
        const size_t h0 = heapBytes(), r0 = rssBytes();
        SeriesStore store; // default capacity 43,200
        for (int k = 0; k < 24; ++k) {
            const SeriesKey key(QStringLiteral("dash/0/0"), {{QStringLiteral("pod"), QStringLiteral("p%1").arg(k)}});
            for (int b = 0; b < 50; ++b) {
                QList<Sample> batch;
                for (int i = 0; i < 1000; ++i)
                    batch.append({t0 + (b * 1000 + i) * 1000LL, double(i)});
                store.append(key, batch);
            }
        }
        report("SeriesStore 24 series, default capacity, wrapped", store.sampleCount(), heapBytes() - h0,
               rssBytes() - r0, store.memoryBytes());
        const SeriesKey key(QStringLiteral("dash/0/0"), {{QStringLiteral("pod"), QStringLiteral("p0")}});
        const size_t h1 = heapBytes();
        const QList<Sample> copy = store.range(key, 0, std::numeric_limits<qint64>::max());
        report("  transient: range() copy of one full series", copy.size(), heapBytes() - h1, 0, 0);
    }
    bench::printLoad("end");
    return 0;
}
