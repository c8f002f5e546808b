// SPDX-License-Identifier: GPL-3.0-or-later
// Decimation for the charts (issue 7: at most 2 x the plot width in points
// per series, whatever the range; the extremes stay visible).
//
//   bench-decimate [RUNS] [PIXELS]   (default 25 800)
//
// Times decimateMinMax over 100 series x 11,000 points spread over a week
// (the "7 days at 15 s, capped at 11,000 points": one every 55 s), and
// the store's range() copy that feeds it in ChartPanel::updateData; checks
// the point count per series for ranges from 5 minutes to 7 days and that
// every series' global minimum and maximum survive.
#include "series/decimate.h"
#include "series/series_store.h"

#include "bench_util.h"

#include <random>

using namespace vigil;

int main(int argc, char **argv)
{
    const int runs = bench::runsFromArgs(argc, argv, 25);
    const int pixels = argc > 2 ? std::atoi(argv[2]) : 800;
    constexpr int kSeries = 100, kPoints = 11'000;
    constexpr qint64 kStepMs = 7 * 86'400'000LL / (kPoints - 1); // 55 s: the week in 11,000 points
    constexpr qint64 t0 = 1'700'000'000'000;
    const qint64 tEnd = t0 + (kPoints - 1) * kStepMs;
    bench::printLoad("start");

    SeriesStore store(kPoints);
    std::mt19937_64 rng(11);
    std::normal_distribution<double> noise(0.0, 0.01);
    QList<SeriesKey> keys;
    for (int s = 0; s < kSeries; ++s) {
        const SeriesKey key(QStringLiteral("d/0/0"), {{QStringLiteral("pod"), QStringLiteral("p%1").arg(s)}});
        QList<Sample> samples;
        samples.reserve(kPoints);
        double v = 0.1;
        for (int i = 0; i < kPoints; ++i) {
            v = std::max(0.0, v + noise(rng));
            // One spike and one dip per series, at a random place: must survive.
            const double x = i == (s * 97) % kPoints ? 50.0 : i == (s * 131 + 5000) % kPoints ? -50.0 : v;
            samples.append({t0 + i * kStepMs, x});
        }
        store.append(key, samples);
        keys.append(key);
    }

    // Point counts across ranges (the panel always asks for [now - range, now]).
    std::printf("points per series at %d px (target <= %d):\n", pixels, 2 * pixels);
    bool ok = true;
    for (qint64 rangeMs : {5 * 60'000LL, 3'600'000LL, 6 * 3'600'000LL, 86'400'000LL, 7 * 86'400'000LL, 30 * 86'400'000LL}) {
        const qint64 from = tEnd - rangeMs;
        qsizetype worst = 0;
        bool extremes = true;
        for (const SeriesKey &k : keys) {
            const QList<Sample> in = store.range(k, from, tEnd);
            const QList<QPointF> out = decimateMinMax(in, from, tEnd, pixels);
            worst = std::max(worst, out.size());
            double inMin = 1e300, inMax = -1e300, outMin = 1e300, outMax = -1e300;
            for (const Sample &s : in) {
                inMin = std::min(inMin, s.v);
                inMax = std::max(inMax, s.v);
            }
            for (const QPointF &p : out) {
                outMin = std::min(outMin, p.y());
                outMax = std::max(outMax, p.y());
            }
            extremes &= in.isEmpty() || (inMin == outMin && inMax == outMax);
        }
        std::printf("  range %6.1f h: max %5lld points/series  extremes kept: %s\n", rangeMs / 3.6e6,
                    (long long)worst, extremes ? "yes" : "NO");
        ok &= extremes && worst <= 2 * pixels;
    }

    std::vector<double> rangeMs, decimateMs;
    qsizetype total = 0;
    for (int r = 0; r < runs; ++r) {
        std::vector<QList<Sample>> copies(kSeries);
        auto t = bench::Clock::now();
        for (int s = 0; s < kSeries; ++s)
            copies[size_t(s)] = store.range(keys[s], tEnd - 7 * 86'400'000LL, tEnd);
        rangeMs.push_back(bench::msSince(t));
        t = bench::Clock::now();
        total = 0;
        for (int s = 0; s < kSeries; ++s)
            total += decimateMinMax(copies[size_t(s)], tEnd - 7 * 86'400'000LL, tEnd, pixels).size();
        decimateMs.push_back(bench::msSince(t));
    }
    const auto a = bench::stats(rangeMs), d = bench::stats(decimateMs);
    std::printf("100 series x 11,000 points, 7-day range, %d px (%lld points out, runs %d):\n", pixels,
                (long long)total, runs);
    std::printf("  store.range() copies     median %7.2f ms (min %.2f, max %.2f)\n", a.median, a.min, a.max);
    std::printf("  decimateMinMax           median %7.2f ms (min %.2f, max %.2f)  %.1f ns/point\n", d.median, d.min,
                d.max, d.median * 1e6 / (kSeries * double(kPoints)));
    bench::printLoad("end");
    return ok ? 0 : 1;
}
