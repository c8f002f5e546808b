// SPDX-License-Identifier: GPL-3.0-or-later
// Soak (issue 7): hours of a live dashboard in accelerated time, resident
// memory flat within 5 % after warm-up; and how much each poll fetches
// (incremental) against the whole window.
//
// The I/O half of a session as Session builds it (a SeriesStore, a
// PollScheduler and a connector), with the in-process demo connector (kind
// `demo`, the simulated fleet and its PromQL subset) and a ManualClock
// advanced one second per step: 20 panels, one query each, every 1 s, range
// 15 min at a 1 s step. No sleeps: two simulated hours run in well under a
// minute of CPU. Every 5 simulated minutes it prints the process' resident
// set (/proc/self/statm), the heap in use (mallinfo2), the store's samples
// and bytes and the demo history's bytes.
//
//   bench-soak [SIM_MINUTES] [PANELS] [STORE_CAPACITY]   (default 120 20 3600)
//
// STORE_CAPACITY is samples per series: 3600 (one hour at 1 s) so the store
// is full, and memory should be flat, after the first hour (the warm-up). The
// app's default, 43,200, fills after 12 hours at 1 s: pass it to see the
// growth, which stops at 691 KB a series.
//
// Fails (exit 1) when a poll fails, or when, after a warm-up of at least an
// hour, the resident set moves by more than 5 %.
#include "demo_connector.h"
#include "series/series_store.h"
#include "sources/poll_scheduler.h"
#include "util/clock.h"

#include "bench_util.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFuture>
#include <QLoggingCategory>

#include <fstream>
#include <malloc.h>
#include <unistd.h>

using namespace vigil;

namespace {

size_t rssBytes()
{
    std::ifstream f("/proc/self/statm");
    size_t size = 0, resident = 0;
    f >> size >> resident;
    return resident * size_t(sysconf(_SC_PAGESIZE));
}

size_t heapBytes()
{
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

// Counts what each range poll brought back, between the scheduler and the
// demo connector (whose answers are already finished futures).
class CountingConnector : public Connector
{
public:
    explicit CountingConnector(Connector *inner) : m_inner(inner) {}
    QString kind() const override { return m_inner->kind(); }
    Capabilities capabilities() const override { return m_inner->capabilities(); }
    const ConnectionSettings &settings() const override { return m_inner->settings(); }
    QFuture<ProbeResult> probe() override { return m_inner->probe(); }
    QFuture<QueryResult> query(const QueryRequest &request) override
    {
        QFuture<QueryResult> f = m_inner->query(request);
        if (f.isFinished() && f.resultCount() > 0) {
            const QueryResult &r = f.result();
            if (!r.ok()) {
                ++failures;
                lastError = r.message;
            }
            qint64 points = 0;
            for (const SeriesData &sd : r.series)
                points += sd.samples.size();
            const qint64 steps = request.stepMs > 0 ? (request.endMs - request.startMs) / request.stepMs + 1 : 1;
            const qint64 series = r.series.size();
            polls += 1;
            pointsFetched += points;
            // What the poll would have carried had it asked for the whole window every time.
            pointsWholeWindow += series * (windowMs / std::max<qint64>(request.stepMs, 1) + 1);
            stepsAsked += steps;
        }
        return f;
    }

    qint64 windowMs = 15 * 60'000;
    qint64 polls = 0, pointsFetched = 0, pointsWholeWindow = 0, stepsAsked = 0, failures = 0;
    QString lastError;

private:
    Connector *m_inner;
};

const char *const kQueries[] = {
    "histogram_quantile(0.99, sum by (le, model, version) (rate(model_request_duration_seconds_bucket[1m])))",
    "sum by (model, version) (rate(model_requests_total[1m]))",
    "sum by (model, version) (rate(model_requests_total{code=~\"5..\"}[1m])) / sum by (model, version) "
    "(rate(model_requests_total[1m]))",
    "sum by (deployment) (kube_deployment_status_replicas_available{namespace=\"ml\"})",
    "sum by (model) (rate(model_requests_total[1m])) / 100",
    "histogram_quantile(0.50, sum by (le, version) (rate(model_request_duration_seconds_bucket{model=\"fraud-detector\"}[1m])))",
    "histogram_quantile(0.95, sum by (le, version) (rate(model_request_duration_seconds_bucket{model=\"fraud-detector\"}[1m])))",
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The demo connector logs every query's timing at debug level.
    QLoggingCategory::setFilterRules(QStringLiteral("vigil.demo.debug=false"));
    const bool shortRun = bench::shortMode();
    const int minutes = argc > 1 ? std::max(1, std::atoi(argv[1])) : (shortRun ? 10 : 120);
    const int panels = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
    const qsizetype capacity = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3600;
    const qint64 intervalMs = 1000, windowMs = 15 * 60'000, stepMs = 1000;
    bench::printLoad("start");
    std::printf("soak: %d simulated minutes, %d panels x 1 query every %lld ms, range 15 min, step %lld ms, "
                "store capacity %lld samples per series\n",
                minutes, panels, (long long)intervalMs, (long long)stepMs, (long long)capacity);

    ManualClock clock(1'700'000'000'000);
    ConnectionSettings settings;
    settings.name = QStringLiteral("demo");
    settings.kind = QStringLiteral("demo");
    demo::DemoConnector demoConnector(settings, clock);
    CountingConnector counting(&demoConnector);
    counting.windowMs = windowMs;
    SeriesStore store(capacity);
    PollScheduler scheduler(&store, clock);
    scheduler.addConnector(&counting);
    QList<PollSpec> jobs;
    for (int p = 0; p < panels; ++p) {
        PollSpec spec;
        spec.id = QStringLiteral("soak/%1/0").arg(p);
        spec.connection = settings.name;
        spec.expr = QString::fromLatin1(kQueries[size_t(p) % std::size(kQueries)]);
        spec.kind = QueryKind::Range;
        spec.intervalMs = intervalMs;
        spec.windowMs = windowMs;
        spec.stepMs = stepMs;
        jobs.append(spec);
    }
    scheduler.setJobs(jobs);

    auto settle = [&] {
        // The answers come through queued QFutureWatcher signals; the watchers
        // are deleteLater()'d, which needs the deferred-delete pass an event
        // loop would run.
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    };

    struct Point
    {
        int minute;
        size_t rss, heap, store, history;
        qsizetype samples;
    };
    std::vector<Point> points;
    auto sample = [&](int minute) {
        points.push_back({minute, rssBytes(), heapBytes(), store.memoryBytes(),
                          demoConnector.sampler().history().memoryBytes(), store.sampleCount()});
        const Point &p = points.back();
        std::printf("  t=%4d min  RSS %7.1f MB  heap %7.1f MB  store %8lld samples %6.1f MB  demo history %6.1f MB\n",
                    p.minute, p.rss / 1e6, p.heap / 1e6, (long long)p.samples, p.store / 1e6, p.history / 1e6);
        std::fflush(stdout);
    };

    const auto t0 = bench::Clock::now();
    scheduler.tick();
    settle();
    sample(0);
    qint64 warmPolls = 0, warmFetched = 0, warmWhole = 0;
    const qint64 totalSteps = qint64(minutes) * 60'000 / intervalMs;
    for (qint64 step = 1; step <= totalSteps; ++step) {
        clock.advanceMs(intervalMs);
        scheduler.tick();
        settle();
        if (step == 60'000 / intervalMs) {
            // The first minute holds the first fetch of every window; the rest is steady state.
            warmPolls = counting.polls;
            warmFetched = counting.pointsFetched;
            warmWhole = counting.pointsWholeWindow;
        }
        if (step % (5 * 60'000 / intervalMs) == 0)
            sample(int(step * intervalMs / 60'000));
    }
    const double wallMs = bench::msSince(t0);

    std::printf("ran %d simulated minutes in %.1f s of wall time (%.0fx), %lld polls, %lld failed\n", minutes,
                wallMs / 1000, minutes * 60'000.0 / wallMs, (long long)counting.polls, (long long)counting.failures);

    // Incremental fetch: points per poll in steady state against the window.
    const qint64 steadyPolls = counting.polls - warmPolls;
    if (steadyPolls > 0) {
        const double fetched = double(counting.pointsFetched - warmFetched) / double(steadyPolls);
        const double whole = double(counting.pointsWholeWindow - warmWhole) / double(steadyPolls);
        // 31.7 bytes a point in a Prometheus query_range body (bench-prometheus-parse).
        std::printf("incremental fetch, steady state: %.1f points per poll (about %.0f B of JSON) against %.0f for the "
                    "whole 15-min window (about %.1f KB): %.0fx less\n",
                    fetched, fetched * 31.7, whole, whole * 31.7 / 1000, fetched > 0 ? whole / fetched : 0.0);
    }
    std::printf("first minute (first fetch of each window): %lld polls, %lld points\n", (long long)warmPolls,
                (long long)warmFetched);

    int rc = 0;
    if (counting.failures > 0) {
        std::fprintf(stderr, "soak: %lld polls failed, last: %s\n", (long long)counting.failures,
                     qPrintable(counting.lastError));
        rc = 1;
    }
    // After warm-up: the store and the demo history are full once the longer
    // of the two retentions (capacity at 1 s, the history's hour) has passed.
    const int warmMinutes = int(std::max<qint64>(capacity * stepMs, 3'600'000) / 60'000);
    size_t lo = SIZE_MAX, hi = 0;
    for (const Point &p : points) {
        if (p.minute >= warmMinutes) {
            lo = std::min(lo, p.rss);
            hi = std::max(hi, p.rss);
        }
    }
    if (hi > 0) {
        const double spread = double(hi - lo) / double(lo) * 100;
        std::printf("RSS after %d min warm-up: %.1f to %.1f MB, spread %.2f %% (target: within 5 %%)\n", warmMinutes,
                    lo / 1e6, hi / 1e6, spread);
        if (spread > 5.0 && !shortRun) {
            std::fprintf(stderr, "soak: resident memory moved by %.2f %% after warm-up\n", spread);
            rc = 1;
        }
    } else {
        std::printf("RSS after warm-up: run shorter than the %d min warm-up, not judged\n", warmMinutes);
    }
    bench::printLoad("end");
    return rc;
}
