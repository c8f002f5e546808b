// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing a Prometheus /api/v1/query_range answer (issue 7: >= 200 MB/s of
// JSON on one core). The body is what Prometheus writes for a week at the
// 11,000-point cap (100 series x 11,000 [timestamp, "value"] pairs, 4 labels per
// series, values as Go's strconv.FormatFloat(v, 'f', -1) writes them:
// shortest round-trip digits, so mostly 15-17 significant digits for a
// rate() or a quantile, integers for counts).
//
//   bench-prometheus-parse [RUNS] [SERIES] [POINTS]   (default 7 100 11000)
//
// Prints, side by side in the same run, the median of:
//  - QJsonDocument::fromJson alone (the floor of any parser built on it);
//  - parseQueryResponseQJson: the parser on QJsonDocument (envelope, shape
//    checks, labels, samples), which reads every answer without simdjson
//    and every failing answer with it;
//  - parseQueryResponse: what the connector thread runs per poll (simdjson
//    for a well-formed answer when built with libsimdjson-dev).
// Both results are compared sample by sample, bit for bit: the run fails if
// they differ or the sample count is wrong.
#include "prometheus_response.h"

#include "bench_util.h"

#include <QJsonDocument>
#include <cstring>
#include <ctime>
#include <random>

using namespace vigil;

namespace {

// CPU time of this thread: on a loaded machine the wall time also counts the
// time spent waiting for a core, which says nothing about the parser.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

QByteArray makeBody(int series, int points)
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> noise(0.0, 1.0);
    QByteArray b;
    b.reserve(qsizetype(series) * points * 34 + 4096);
    b += R"({"status":"success","data":{"resultType":"matrix","result":[)";
    const qint64 start = 1'700'000'000; // seconds
    for (int s = 0; s < series; ++s) {
        if (s)
            b += ',';
        b += R"({"metric":{"model":"fraud-detector","version":"v)";
        b += QByteArray::number(s % 7);
        b += R"(","instance":"10.0.)";
        b += QByteArray::number(s / 250) + '.' + QByteArray::number(s % 250);
        b += R"(:9100","job":"model-server"},"values":[)";
        const bool counts = s % 4 == 3; // every fourth series is an integer count
        double level = 0.05 + 0.01 * (s % 10);
        for (int i = 0; i < points; ++i) {
            if (i)
                b += ',';
            b += '[';
            b += QByteArray::number(start + qint64(i) * 15);
            b += ",\"";
            level = std::max(0.0, level + (noise(rng) - 0.5) * 0.002);
            if (counts)
                b += QByteArray::number(qint64(level * 100000));
            else
                b += QByteArray::number(level, 'g', 17);
            b += "\"]";
        }
        b += "]}";
    }
    b += "]}}";
    return b;
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = bench::runsFromArgs(argc, argv, 7);
    const int series = argc > 2 ? std::atoi(argv[2]) : (bench::shortMode() ? 10 : 100);
    const int points = argc > 3 ? std::atoi(argv[3]) : 11'000;
    bench::printLoad("start");
    const QByteArray body = makeBody(series, points);
    const double mb = body.size() / 1e6;
    std::printf("body: %d series x %d points, %.1f MB (%.1f B/point)\n", series, points, mb,
                double(body.size()) / (double(series) * points));

    std::vector<double> jsonMs, qjsonMs, parseMs, jsonCpu, qjsonCpu, parseCpu;
    qsizetype samples = 0;
    const QString json = QStringLiteral("application/json");
    auto count = [](const QueryResult &res) {
        qsizetype n = 0;
        for (const SeriesData &sd : res.series)
            n += sd.samples.size();
        return n;
    };
    {
        const QueryResult a = prometheus::parseQueryResponseQJson(body, 200, json);
        const QueryResult b = prometheus::parseQueryResponse(body, 200, json);
        bool same = a.ok() && b.ok() && a.series.size() == b.series.size() && a.type == b.type;
        for (qsizetype i = 0; same && i < a.series.size(); ++i) {
            const auto &x = a.series[i], &y = b.series[i];
            same = x.key == y.key && x.samples.size() == y.samples.size() &&
                   (x.samples.isEmpty() || std::memcmp(x.samples.constData(), y.samples.constData(), size_t(x.samples.size()) * sizeof(Sample)) == 0);
        }
        if (!same) {
            std::fprintf(stderr, "parseQueryResponse and parseQueryResponseQJson disagree on the body\n");
            return 1;
        }
    }
    std::printf("parseQueryResponse path: %s\n",
                prometheus::hasFastQueryParser() ? "simdjson (libsimdjson-dev)" : "QJsonDocument (built without simdjson)");
    for (int r = 0; r < runs; ++r) {
        auto t0 = bench::Clock::now();
        double c0 = threadCpuMs();
        {
            const QJsonDocument doc = QJsonDocument::fromJson(body);
            if (!doc.isObject())
                return 1;
        }
        jsonMs.push_back(bench::msSince(t0));
        jsonCpu.push_back(threadCpuMs() - c0);
        t0 = bench::Clock::now();
        c0 = threadCpuMs();
        {
            const QueryResult res = prometheus::parseQueryResponseQJson(body, 200, json);
            if (!res.ok() || count(res) != qsizetype(series) * points)
                return 1;
        }
        qjsonMs.push_back(bench::msSince(t0));
        qjsonCpu.push_back(threadCpuMs() - c0);
        t0 = bench::Clock::now();
        c0 = threadCpuMs();
        {
            const QueryResult res = prometheus::parseQueryResponse(body, 200, json);
            if (!res.ok()) {
                std::fprintf(stderr, "parse failed: %s\n", qPrintable(res.message));
                return 1;
            }
            samples = count(res);
        }
        parseMs.push_back(bench::msSince(t0));
        parseCpu.push_back(threadCpuMs() - c0);
    }
    if (samples != qsizetype(series) * points) {
        std::fprintf(stderr, "expected %lld samples, got %lld\n", (long long)series * points, (long long)samples);
        return 1;
    }
    const auto j = bench::stats(jsonMs), q = bench::stats(qjsonMs), p = bench::stats(parseMs);
    std::printf("%-40s median %8.1f ms (min %.1f, max %.1f)  %7.1f MB/s\n", "QJsonDocument::fromJson only", j.median,
                j.min, j.max, mb / (j.median / 1000));
    std::printf("%-40s median %8.1f ms (min %.1f, max %.1f)  %7.1f MB/s  %.1f M samples/s\n",
                "parseQueryResponseQJson (QJsonDocument)", q.median, q.min, q.max, mb / (q.median / 1000),
                samples / (q.median / 1000) / 1e6);
    std::printf("%-40s median %8.1f ms (min %.1f, max %.1f)  %7.1f MB/s  %.1f M samples/s\n",
                prometheus::hasFastQueryParser() ? "parseQueryResponse (simdjson)" : "parseQueryResponse (QJsonDocument)", p.median, p.min, p.max, mb / (p.median / 1000),
                samples / (p.median / 1000) / 1e6);
    const double jc = bench::stats(jsonCpu).median, qc = bench::stats(qjsonCpu).median, pc = bench::stats(parseCpu).median;
    std::printf("CPU time (this thread), median: QJsonDocument::fromJson %.1f ms (%.1f MB/s), parseQueryResponseQJson "
                "%.1f ms (%.1f MB/s), parseQueryResponse %.1f ms (%.1f MB/s)\n",
                jc, mb / (jc / 1000), qc, mb / (qc / 1000), pc, mb / (pc / 1000));
    std::printf("runs: %d\n", runs);
    bench::printLoad("end");
    return 0;
}
