// SPDX-License-Identifier: GPL-3.0-or-later
// Drift benchmark (issue 4): one evaluation compares 200 features, each a
// histogram of 50 buckets (49 finite bounds and +Inf), reference against
// current. Prints the median, minimum and maximum over the runs.
//
//   bench-drift [RUNS]     (default 25; at least 20)
//
// Measured:
//  - core: validation of both cumulative histograms from their `le` strings,
//    every score and the verdicts (compareCumulative), for 200 features, then
//    the dataset verdict; what the drift engine does per evaluation once a
//    query's samples are in memory; and, apart, the scores and verdicts on
//    histograms validated beforehand;
//  - end to end (when built with the Prometheus parser): two /api/v1/query
//    bodies of 200 x 50 `_bucket` series each parsed, grouped by labels and
//    compared, as `vigil drift --json` does, JSON report included.
// The data is deterministic (fixed seed), so runs are comparable.
#include "drift/comparison.h"
#include "drift/drift_report.h"

#ifdef VIGIL_BENCH_PROMETHEUS
#include "prometheus_response.h"
#endif

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace vigil::drift;

namespace {

constexpr int kFeatures = 200;
constexpr int kBuckets = 50; // including +Inf

struct Feature
{
    QList<BucketSample> reference;
    QList<BucketSample> current;
};

QList<QString> bounds()
{
    QList<QString> les;
    for (int i = 1; i < kBuckets; ++i)
        les << QString::number(0.02 * i, 'g', 17); // 0.02 .. 0.98, as a server writes them
    les << QStringLiteral("+Inf");
    return les;
}

QList<BucketSample> cumulative(const QList<QString> &les, const std::vector<double> &perBucket)
{
    QList<BucketSample> out;
    double running = 0.0;
    for (int i = 0; i < kBuckets; ++i) {
        running += perBucket[size_t(i)];
        out.append(BucketSample{les[i], running});
    }
    return out;
}

std::vector<Feature> makeFeatures()
{
    std::mt19937_64 rng(20240601);
    // Fractional counts, as increase() gives; a few buckets empty in both
    // windows, one in the current only for every fifth feature, and every
    // tenth feature shifted by five buckets: most features are stable, a few
    // drift, and every branch of the scores is taken.
    std::uniform_real_distribution<double> count(0.0, 500.0);
    const QList<QString> les = bounds();
    std::vector<Feature> features;
    features.reserve(kFeatures);
    for (int f = 0; f < kFeatures; ++f) {
        std::vector<double> ref(kBuckets), cur(kBuckets);
        for (int b = 0; b < kBuckets; ++b) {
            ref[size_t(b)] = (b % 17 == 5) ? 0.0 : 100.0 + count(rng);
            cur[size_t(b)] = ref[size_t(b)] * (0.9 + 0.2 * count(rng) / 500.0);
            if (f % 5 == 0 && b == 7)
                cur[size_t(b)] = 0.0;
        }
        if (f % 10 == 0)
            std::rotate(cur.begin(), cur.begin() + 5, cur.end());
        features.push_back(Feature{cumulative(les, ref), cumulative(les, cur)});
    }
    return features;
}

template <typename F>
std::vector<double> timeRuns(int runs, F &&body)
{
    body(); // warm-up: page in code and data
    std::vector<double> ms;
    ms.reserve(size_t(runs));
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        body();
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms;
}

double median(const std::vector<double> &sorted)
{
    const size_t n = sorted.size();
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

void report(const char *what, const std::vector<double> &ms)
{
    std::printf("%-44s median %8.3f ms   min %8.3f   max %8.3f   (%zu runs; %.2f us per feature)\n", what,
                median(ms), ms.front(), ms.back(), ms.size(), median(ms) * 1000.0 / kFeatures);
}

#ifdef VIGIL_BENCH_PROMETHEUS
QByteArray prometheusBody(const std::vector<Feature> &features, bool current)
{
    QJsonArray result;
    for (int f = 0; f < kFeatures; ++f) {
        const QList<BucketSample> &h = current ? features[size_t(f)].current : features[size_t(f)].reference;
        for (const BucketSample &b : h) {
            QJsonObject metric{{QStringLiteral("__name__"), QStringLiteral("model_feature_value_bucket")},
                               {QStringLiteral("model"), QStringLiteral("fraud-detector")},
                               {QStringLiteral("feature"), QStringLiteral("f%1").arg(f, 3, 10, QLatin1Char('0'))},
                               {QStringLiteral("le"), b.le}};
            result.append(QJsonObject{{QStringLiteral("metric"), metric},
                                      {QStringLiteral("value"),
                                       QJsonArray{1717243200.0, QString::number(b.count, 'g', 17)}}});
        }
    }
    const QJsonObject data{{QStringLiteral("resultType"), QStringLiteral("vector")}, {QStringLiteral("result"), result}};
    return QJsonDocument(QJsonObject{{QStringLiteral("status"), QStringLiteral("success")},
                                     {QStringLiteral("data"), data}})
        .toJson(QJsonDocument::Compact);
}
#endif

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? std::max(20, std::atoi(argv[1])) : 25;
    const std::vector<Feature> features = makeFeatures();
    std::printf("drift: %d features x %d buckets per evaluation\n", kFeatures, kBuckets);

    double sink = 0.0; // keeps the work observable
    int drifted = 0;
    const std::vector<double> core = timeRuns(runs, [&] {
        QList<Verdicts> verdicts;
        verdicts.reserve(kFeatures);
        for (const Feature &f : features) {
            const Comparison c = compareCumulative(f.reference, f.current);
            sink += c.scores.psi + c.scores.wassersteinNormed;
            verdicts.append(c.verdicts);
        }
        drifted = judgeDataset(verdicts).drifted;
    });
    report("core (validate + scores + verdicts)", core);

    // The same without validation: where the time of the line above goes.
    std::vector<std::pair<Histogram, Histogram>> validated;
    for (const Feature &f : features)
        validated.emplace_back(histogramFromCumulative(f.reference).histogram,
                               histogramFromCumulative(f.current).histogram);
    const std::vector<double> scoresOnly = timeRuns(runs, [&] {
        for (const auto &[ref, cur] : validated) {
            const DriftScores s = computeScores(ref, cur);
            sink += s.psi + (judge(s).psi == Verdict::Drift ? 1.0 : 0.0);
        }
    });
    report("  of which scores + verdicts only", scoresOnly);

#ifdef VIGIL_BENCH_PROMETHEUS
    const QByteArray refBody = prometheusBody(features, false);
    const QByteArray curBody = prometheusBody(features, true);
    const QueryParser parse = [](QByteArrayView body) {
        return vigil::prometheus::parseQueryResponse(body, 0, QStringLiteral("application/json"));
    };
    qsizetype jsonBytes = 0;
    const std::vector<double> e2e = timeRuns(runs, [&] {
        const DriftFile ref = parseDriftFile(refBody, parse, QStringLiteral("reference"));
        const DriftFile cur = parseDriftFile(curBody, parse, QStringLiteral("current"));
        const DriftReport r = buildReport(ref, cur);
        jsonBytes = reportJson(r).size();
    });
    report("end to end (2 x 10000 series, JSON report)", e2e);
    std::printf("  input %.1f MB per side, report %lld bytes\n", refBody.size() / 1e6, (long long)jsonBytes);
#endif
    std::printf("  %d of %d features drifted by PSI (checksum %.6f)\n", drifted, kFeatures, sink / (runs + 1));
    return 0;
}
