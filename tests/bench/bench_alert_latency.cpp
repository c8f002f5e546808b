// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 3's benchmark: from a breaching sample arriving to the notification
// being handed to the notifier, excluding the network and the routing policy's
// own waits (group_wait is 0 here). In between: the state machine, the gate,
// the SQLite writes made before acting (WAL, synchronous=FULL: each one an
// fsync), the router and the outbox.
//   bench-alert-latency [RUNS]
#include "alerting/alert_pipeline.h"
#include "bench_util.h"
#include "storage/alert_store.h"

#include <QCoreApplication>
#include <QPromise>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::bench;

namespace {

class StopwatchNotifier : public Notifier
{
public:
    StopwatchNotifier()
    {
        m_settings.name = QStringLiteral("pager");
        m_settings.kind = QStringLiteral("bench");
    }
    QString kind() const override { return m_settings.kind; }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &batch) override
    {
        if (!handedAt)
            handedAt = bench::Clock::now();
        count += int(batch.size());
        QPromise<DeliveryResult> p;
        p.start();
        p.addResult(DeliveryResult::delivered());
        p.finish();
        return p.future();
    }
    std::optional<bench::Clock::time_point> handedAt;
    int count = 0;

private:
    NotifierSettings m_settings;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = runsFromArgs(argc, argv, 50);
    printLoad("start");
    RuleDef rule;
    rule.rule.name = QStringLiteral("HighP99Latency");
    rule.rule.query = QStringLiteral("p99");
    rule.rule.condition = rules::Condition::above(0.25);
    rule.rule.annotations = {{QStringLiteral("summary"), QStringLiteral("p99 of {{ $labels.model }} is {{ $value }}")}};
    rule.group = QStringLiteral("default");
    RouterConfig routing;
    routing.root.receiver = QStringLiteral("pager");
    routing.root.groupBy = QStringList{QStringLiteral("alertname")};
    routing.root.groupWaitMs = 0;
    routing.root.groupIntervalMs = 1'000;
    routing.root.repeatIntervalMs = 3'600'000;

    std::vector<double> total, evaluate;
    for (int run = 0; run < runs; ++run) {
        QTemporaryDir dir;
        ManualClock clock;
        storage::StoreOptions o;
        o.path = dir.filePath(QStringLiteral("alerts.db"));
        o.clock = &clock;
        storage::AlertStore store(o);
        if (!store.open().usable()) {
            std::fprintf(stderr, "bench-alert-latency: the alert database did not open\n");
            return 1;
        }
        alerting::AlertEngine engine(clock, [](const QString &, const QueryRequest &req) {
            QueryResult r;
            r.type = ResultType::Vector;
            r.series.append({SeriesKey(QStringLiteral("p99"), {{"model", "fraud-detector"}, {"version", "v13"}}),
                             {{req.timeMs, 0.31}}});
            QPromise<QueryResult> p;
            p.start();
            p.addResult(r);
            p.finish();
            return p.future();
        });
        engine.setRules({rule}, QStringLiteral("prom"));
        alerting::AlertPipeline pipeline(clock, &engine, &store);
        pipeline.setRouting(routing);
        StopwatchNotifier notifier;
        pipeline.addNotifier(&notifier);
        pipeline.start();
        pipeline.startDelivery();

        const auto t0 = bench::Clock::now();
        engine.tick(); // the sample arrives (a finished query) and is evaluated
        evaluate.push_back(msSince(t0));
        pipeline.tick();
        for (int i = 0; i < 100 && !notifier.handedAt; ++i)
            QCoreApplication::processEvents();
        if (!notifier.handedAt) {
            std::fprintf(stderr, "bench-alert-latency: the notification never reached the notifier\n");
            return 1;
        }
        total.push_back(std::chrono::duration<double, std::milli>(*notifier.handedAt - t0).count());
    }
    const Stats e = stats(evaluate), t = stats(total);
    std::printf("sample -> notifier, one alert, group_wait 0 (%d runs)\n", runs);
    std::printf("  evaluate + persist + gate     median %8.2f ms  min %8.2f  max %8.2f\n", e.median, e.min, e.max);
    std::printf("  ... + route + outbox + hand   median %8.2f ms  min %8.2f  max %8.2f  p99 %8.2f\n", t.median, t.min, t.max, t.p99);
    printLoad("end");
    return 0;
}
