// SPDX-License-Identifier: GPL-3.0-or-later
// The fleet's history as OpenMetrics (demo/fleet/history.*), which
// demo/run-demo.sh backfills into Prometheus with promtool: the format promtool
// reads, determinism, and that the live simulation continues where it ends.
// tests/plugins/test_demo_backfill.cpp runs it through promtool and Prometheus.
#include <catch2/catch.hpp>

#include "fleet/fleet_simulation.h"
#include "fleet/history.h"

#include <QBuffer>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace vigil::demo;

namespace {

constexpr qint64 kOrigin = 1'764'000'000'123; // ms since the epoch
const Labels kTarget{{QStringLiteral("job"), QStringLiteral("model-fleet")},
                     {QStringLiteral("instance"), QStringLiteral("127.0.0.1:9999")}};

HistoryOptions options(qint64 lengthMs, qint64 stepMs)
{
    HistoryOptions o;
    o.originWallMs = kOrigin;
    o.lengthMs = lengthMs;
    o.stepMs = stepMs;
    o.targetLabels = kTarget;
    return o;
}

QByteArray history(FleetSimulation &sim, const HistoryOptions &o)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    REQUIRE(writeOpenMetricsHistory(sim, o, buffer, &error));
    CHECK(error.isEmpty());
    return buffer.data();
}

} // namespace

TEST_CASE("Fleet history: OpenMetrics that promtool reads, every series at every step, in time order",
          "[unit][demo][backfill]")
{
    FleetSimulation sim;
    const QByteArray text = history(sim, options(60'000, 5'000));
    const QList<QByteArray> lines = text.split('\n');
    REQUIRE(lines.size() > 2);
    CHECK(lines.last().isEmpty()); // ends with a newline
    CHECK(lines[lines.size() - 2] == "# EOF");

    static const QRegularExpression sampleRe(
        QStringLiteral(R"(^([a-z_]+)\{([^}]*)\} (\S+) (\d+)\.(\d{3})$)"));
    QSet<QString> typed;
    QString family;
    QMap<QString, QList<qint64>> timesBySeries; // series (name and labels) -> its timestamps
    for (qsizetype i = 0; i + 2 < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines[i]);
        INFO("line " << i << ": " << line.toStdString());
        if (line.startsWith(QLatin1String("# HELP ")))
            continue;
        if (line.startsWith(QLatin1String("# TYPE "))) {
            family = line.section(u' ', 2, 2);
            CHECK_FALSE(typed.contains(family)); // each family once, its samples together
            typed.insert(family);
            continue;
        }
        const auto m = sampleRe.match(line);
        REQUIRE(m.hasMatch());
        CHECK(m.captured(1).startsWith(family));
        CHECK(m.captured(2).contains(QLatin1String("job=\"model-fleet\",instance=\"127.0.0.1:9999\"")));
        const qint64 t = m.captured(4).toLongLong() * 1000 + m.captured(5).toLongLong();
        CHECK((t - kOrigin) % 5'000 == 0);
        timesBySeries[m.captured(1) + m.captured(2)].append(t);
    }
    // OpenMetrics names a counter family without _total; the samples keep it.
    CHECK(typed.contains(QStringLiteral("model_requests")));
    CHECK(typed.contains(QStringLiteral("model_request_duration_seconds")));
    CHECK(typed.size() == 9);

    // 13 points a series (0, 5, ..., 60 s), increasing: what promtool's appender needs.
    qsizetype samplesPerPoint = 0;
    for (const MetricFamily &f : sim.collect())
        samplesPerPoint += f.samples.size();
    CHECK(timesBySeries.size() == samplesPerPoint);
    for (auto it = timesBySeries.cbegin(); it != timesBySeries.cend(); ++it) {
        INFO(it.key().toStdString());
        REQUIRE(it.value().size() == 13);
        CHECK(it.value().first() == kOrigin);
        CHECK(it.value().last() == kOrigin + 60'000);
        CHECK(std::is_sorted(it.value().cbegin(), it.value().cend()));
    }

    // A histogram point (buckets, sum, count of one label set at one time) is contiguous.
    const qsizetype firstBucket = text.indexOf("model_request_duration_seconds_bucket{");
    const qsizetype sum = text.indexOf("model_request_duration_seconds_sum{");
    const qsizetype count = text.indexOf("model_request_duration_seconds_count{");
    const qsizetype secondPoint = text.indexOf(QByteArray(QByteArray::number((kOrigin + 5'000) / 1000) + ".123\n"));
    CHECK(firstBucket < sum);
    CHECK(sum < count);
    CHECK(count < secondPoint);
}

TEST_CASE("Fleet history: deterministic, and the live simulation continues where it ends", "[unit][demo][backfill]")
{
    FleetSimulation a;
    FleetSimulation b;
    const QByteArray first = history(a, options(120'000, 15'000));
    CHECK(history(b, options(120'000, 15'000)) == first);
    FleetConfig other;
    other.seed = 7;
    FleetSimulation c(other);
    CHECK(history(c, options(120'000, 15'000)) != first);

    // Afterwards the simulation stands at the history's end: the same state as
    // one that ran there directly, so the first live scrape continues each counter.
    CHECK(a.simElapsedMs() == 120'000);
    FleetSimulation direct;
    direct.advanceTo(120'000);
    CHECK(a.renderMetrics() == direct.renderMetrics());
    const Deployment *v13 = a.deployment(QStringLiteral("fraud-detector"), QStringLiteral("v13"));
    REQUIRE(v13);
    const QByteArray lastOk =
        "model_requests_total{model=\"fraud-detector\",version=\"v13\",track=\"canary\",code=\"200\","
        "job=\"model-fleet\",instance=\"127.0.0.1:9999\"} " +
        QByteArray::number(qulonglong(v13->requests[Code200])) + ' ' + QByteArray::number((kOrigin + 120'000) / 1000) +
        ".123\n";
    CHECK(first.contains(lastOk));

    // A time scale stretches simulated time: 60 s of wall time at 2x is 120 s simulated.
    FleetSimulation scaled;
    HistoryOptions o = options(60'000, 15'000);
    o.timeScale = 2.0;
    history(scaled, o);
    CHECK(scaled.simElapsedMs() == 120'000);
}

TEST_CASE("Fleet history: a device that cannot be written is an error, with its reason", "[unit][demo][backfill]")
{
    FleetSimulation sim;
    QBuffer closed; // never opened
    QString error;
    CHECK_FALSE(writeOpenMetricsHistory(sim, options(10'000, 5'000), closed, &error));
    CHECK_FALSE(error.isEmpty());
}
