// SPDX-License-Identifier: GPL-3.0-or-later
// The simulated fleet (demo/): determinism, the exposition format, and the
// scenario the demo promises (demo/README.md has the timeline).
#include <catch2/catch.hpp>

#include "fleet/fleet_simulation.h"
#include "fleet/scenario.h"

#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <cmath>
#include <optional>

using namespace vigil::demo;

namespace {

constexpr qint64 kMin = 60'000;

using LabelMap = QMap<QString, QString>;

struct ParsedSample
{
    QString name;
    LabelMap labels;
    double value = 0.0;
};

struct ParsedFamily
{
    QString help;
    QString type;
};

// A strict reader of text format 0.0.4, as much as these tests need: it fails
// the test on the first line it does not understand.
struct Exposition
{
    QList<ParsedSample> samples;
    QMap<QString, ParsedFamily> families;

    static Exposition parse(const QByteArray &text)
    {
        static const QRegularExpression helpLine(QStringLiteral(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)"));
        static const QRegularExpression typeLine(
            QStringLiteral(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"));
        static const QRegularExpression sampleLine(
            QStringLiteral(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?[0-9]+))?$)"));
        static const QRegularExpression labelsText(
            QStringLiteral(R"(^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*$)"));
        static const QRegularExpression labelPair(QStringLiteral(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\")"));

        Exposition out;
        REQUIRE(text.endsWith('\n'));
        QString currentFamily;
        const QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            const QString &line = lines[i];
            INFO("line " << i + 1 << ": " << line.toStdString());
            if (line.startsWith(QLatin1String("# HELP "))) {
                const auto m = helpLine.match(line);
                REQUIRE(m.hasMatch());
                REQUIRE_FALSE(out.families.contains(m.captured(1)));
                currentFamily = m.captured(1);
                out.families[currentFamily].help = m.captured(2);
                continue;
            }
            if (line.startsWith(QLatin1String("# TYPE "))) {
                const auto m = typeLine.match(line);
                REQUIRE(m.hasMatch());
                REQUIRE(m.captured(1) == currentFamily); // TYPE follows its HELP
                REQUIRE(out.families[currentFamily].type.isEmpty());
                out.families[currentFamily].type = m.captured(2);
                continue;
            }
            REQUIRE_FALSE(line.startsWith(QLatin1Char('#')));
            const auto m = sampleLine.match(line);
            REQUIRE(m.hasMatch());
            ParsedSample s;
            s.name = m.captured(1);
            const QString labels = m.captured(2);
            if (!labels.isEmpty()) {
                REQUIRE(labelsText.match(labels).hasMatch());
                auto it = labelPair.globalMatch(labels);
                while (it.hasNext()) {
                    const auto pair = it.next();
                    REQUIRE_FALSE(s.labels.contains(pair.captured(1)));
                    s.labels.insert(pair.captured(1), pair.captured(2));
                }
            }
            const QString value = m.captured(3);
            bool ok = true;
            if (value == QLatin1String("+Inf"))
                s.value = INFINITY;
            else if (value == QLatin1String("-Inf"))
                s.value = -INFINITY;
            else if (value == QLatin1String("NaN"))
                s.value = NAN;
            else
                s.value = value.toDouble(&ok);
            REQUIRE(ok);

            // A sample belongs to the family declared just above it.
            const QString &type = out.families.value(currentFamily).type;
            REQUIRE_FALSE(type.isEmpty());
            if (type == QLatin1String("histogram"))
                REQUIRE((s.name == currentFamily + QLatin1String("_bucket") ||
                         s.name == currentFamily + QLatin1String("_sum") ||
                         s.name == currentFamily + QLatin1String("_count")));
            else
                REQUIRE(s.name == currentFamily);
            out.samples.append(s);
        }
        return out;
    }

    QList<ParsedSample> select(const QString &name, const LabelMap &match) const
    {
        QList<ParsedSample> out;
        for (const auto &s : samples) {
            if (s.name != name)
                continue;
            bool all = true;
            for (auto it = match.cbegin(); it != match.cend(); ++it)
                all = all && s.labels.value(it.key()) == it.value();
            if (all)
                out.append(s);
        }
        return out;
    }

    double value(const QString &name, const LabelMap &labels) const
    {
        const auto found = select(name, labels);
        INFO(name.toStdString());
        REQUIRE(found.size() == 1);
        return found.front().value;
    }

    // Cumulative (le, count) pairs of one histogram series, in exposition order.
    QList<QPair<double, double>> buckets(const QString &family, const LabelMap &labels) const
    {
        QList<QPair<double, double>> out;
        for (const auto &s : select(family + QLatin1String("_bucket"), labels)) {
            const QString le = s.labels.value(QStringLiteral("le"));
            out.append({le == QLatin1String("+Inf") ? INFINITY : le.toDouble(), s.value});
        }
        return out;
    }
};

Exposition snapshotAt(FleetSimulation &sim, qint64 ms)
{
    sim.advanceTo(ms);
    return Exposition::parse(sim.renderMetrics());
}

LabelMap series(const char *model, const char *version, std::initializer_list<std::pair<const char *, const char *>> extra = {})
{
    LabelMap m{{QStringLiteral("model"), QLatin1String(model)}, {QStringLiteral("version"), QLatin1String(version)}};
    for (const auto &[k, v] : extra)
        m.insert(QLatin1String(k), QLatin1String(v));
    return m;
}

// Bucket counts observed between two snapshots (what rate() over the window sees).
QList<QPair<double, double>> windowBuckets(const Exposition &from, const Exposition &to, const QString &family,
                                           const LabelMap &labels)
{
    auto a = from.buckets(family, labels);
    auto b = to.buckets(family, labels);
    REQUIRE(a.size() == b.size());
    REQUIRE_FALSE(a.isEmpty());
    for (qsizetype i = 0; i < a.size(); ++i)
        b[i].second -= a[i].second;
    return b;
}

// Prometheus's histogram_quantile: linear interpolation inside the bucket.
double quantile(double q, const QList<QPair<double, double>> &cumulative)
{
    const double total = cumulative.back().second;
    REQUIRE(total > 0);
    const double rank = q * total;
    double lowerBound = 0.0, lowerCount = 0.0;
    for (const auto &[le, count] : cumulative) {
        if (count >= rank) {
            if (std::isinf(le))
                return lowerBound;
            return lowerBound + (le - lowerBound) * (rank - lowerCount) / (count - lowerCount);
        }
        lowerBound = le;
        lowerCount = count;
    }
    return lowerBound;
}

// Largest difference between the cumulative proportions of two histograms (a
// Kolmogorov-Smirnov distance on the buckets).
double bucketDistance(const QList<QPair<double, double>> &a, const QList<QPair<double, double>> &b)
{
    REQUIRE(a.size() == b.size());
    double worst = 0.0;
    for (qsizetype i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i].second / a.back().second - b[i].second / b.back().second));
    return worst;
}

double errorRatio(const Exposition &from, const Exposition &to, const char *model, const char *version)
{
    auto count = [&](const char *code) {
        const auto labels = series(model, version, {{"code", code}});
        return to.value(QStringLiteral("model_requests_total"), labels) -
               from.value(QStringLiteral("model_requests_total"), labels);
    };
    const double errors = count("500") + count("503");
    const double all = errors + count("200");
    REQUIRE(all > 0);
    return errors / all;
}

} // namespace

const QStringList kModelFamilies{
    QStringLiteral("model_request_duration_seconds"), QStringLiteral("model_requests_total"),
    QStringLiteral("model_prediction_score"), QStringLiteral("model_feature_value"), QStringLiteral("model_quality")};

TEST_CASE("Fleet: the same seed gives byte-identical metrics however time was advanced", "[fleet][determinism]")
{
    FleetSimulation once;
    once.advanceTo(7 * kMin);

    FleetSimulation inSteps;
    qint64 t = 0;
    while (t < 7 * kMin) {
        t = std::min<qint64>(t + 777, 7 * kMin); // steps that do not line up with ticks
        inSteps.advanceTo(t);
    }
    REQUIRE(once.simElapsedMs() == inSteps.simElapsedMs());
    CHECK(once.renderMetrics() == inSteps.renderMetrics());
    CHECK(once.renderMetrics(1'700'000'000'000) == inSteps.renderMetrics(1'700'000'000'000));
}

TEST_CASE("Fleet: different seeds give different metrics", "[fleet][determinism]")
{
    FleetConfig other;
    other.seed = 43;
    FleetSimulation a, b(other);
    a.advanceTo(2 * kMin);
    b.advanceTo(2 * kMin);
    CHECK(a.renderMetrics() != b.renderMetrics());
    // ... but the same fleet: the same series, only other values.
    const auto pa = Exposition::parse(a.renderMetrics());
    const auto pb = Exposition::parse(b.renderMetrics());
    REQUIRE(pa.samples.size() == pb.samples.size());
    for (qsizetype i = 0; i < pa.samples.size(); ++i) {
        CHECK(pa.samples[i].name == pb.samples[i].name);
        CHECK(pa.samples[i].labels == pb.samples[i].labels);
    }
}

TEST_CASE("Fleet: time advances in whole ticks and never backwards", "[fleet][time]")
{
    FleetSimulation sim;
    REQUIRE(sim.config().tickMs == 250);
    sim.advanceTo(1'100);
    CHECK(sim.simElapsedMs() == 1'000); // the partial tick waits for its end
    sim.advanceTo(500);
    CHECK(sim.simElapsedMs() == 1'000);
    const QByteArray before = sim.renderMetrics();
    sim.advanceTo(1'249);
    CHECK(sim.renderMetrics() == before);
    sim.advanceTo(1'250);
    CHECK(sim.renderMetrics() != before);
}

TEST_CASE("Fleet: the exposition parses line by line as text format 0.0.4", "[fleet][exposition]")
{
    FleetSimulation sim;
    sim.advanceTo(3 * kMin);
    // Exposition::parse fails the test on any line that is not HELP, TYPE or
    // `name{labels} value`, and on samples outside their family.
    const auto e = Exposition::parse(sim.renderMetrics());

    const QMap<QString, QString> expectedTypes{
        {QStringLiteral("model_request_duration_seconds"), QStringLiteral("histogram")},
        {QStringLiteral("model_requests_total"), QStringLiteral("counter")},
        {QStringLiteral("model_prediction_score"), QStringLiteral("histogram")},
        {QStringLiteral("model_feature_value"), QStringLiteral("histogram")},
        {QStringLiteral("model_quality"), QStringLiteral("gauge")},
        {QStringLiteral("kube_deployment_spec_replicas"), QStringLiteral("gauge")},
        {QStringLiteral("kube_deployment_status_replicas"), QStringLiteral("gauge")},
        {QStringLiteral("kube_deployment_status_replicas_available"), QStringLiteral("gauge")},
        {QStringLiteral("kube_horizontalpodautoscaler_status_desired_replicas"), QStringLiteral("gauge")},
    };
    CHECK(e.families.keys() == expectedTypes.keys());
    for (auto it = e.families.cbegin(); it != e.families.cend(); ++it) {
        INFO(it.key().toStdString());
        CHECK(it.value().type == expectedTypes.value(it.key()));
        CHECK_FALSE(it.value().help.isEmpty());
        if (it.value().type == QLatin1String("counter"))
            CHECK(it.key().endsWith(QLatin1String("_total")));
    }

    const QSet<QString> tracks{QStringLiteral("stable"), QStringLiteral("canary")};
    for (const auto &s : e.samples) {
        INFO(s.name.toStdString());
        const bool modelSeries = std::any_of(kModelFamilies.cbegin(), kModelFamilies.cend(),
                                             [&](const QString &f) { return s.name.startsWith(f); });
        if (modelSeries) {
            CHECK_FALSE(s.labels.value(QStringLiteral("model")).isEmpty());
            CHECK_FALSE(s.labels.value(QStringLiteral("version")).isEmpty());
            CHECK(tracks.contains(s.labels.value(QStringLiteral("track"))));
        } else {
            CHECK(s.labels.value(QStringLiteral("namespace")) == QLatin1String("ml"));
        }
        CHECK(std::isfinite(s.value));
        CHECK(s.value >= 0.0);
    }

    // The exact label sets other code relies on.
    CHECK(e.value(QStringLiteral("model_requests_total"),
                  series("fraud-detector", "v13", {{"track", "canary"}, {"code", "503"}})) >= 0);
    CHECK(e.select(QStringLiteral("model_quality"), series("spam-filter", "v8", {{"metric", "precision"}})).size() == 1);
    CHECK(e.select(QStringLiteral("model_quality"), series("spam-filter", "v8", {{"metric", "recall"}})).size() == 1);
    const LabelMap kube{{QStringLiteral("namespace"), QStringLiteral("ml")},
                        {QStringLiteral("deployment"), QStringLiteral("spam-filter-v8")}};
    CHECK(e.select(QStringLiteral("kube_deployment_spec_replicas"), kube).front().labels == kube);
    CHECK(e.select(QStringLiteral("kube_horizontalpodautoscaler_status_desired_replicas"),
                   {{QStringLiteral("horizontalpodautoscaler"), QStringLiteral("fraud-detector-v12")}})
              .size() == 1);
    for (const char *feature : {"body_length", "link_count", "sender_reputation"}) {
        const auto b = e.buckets(QStringLiteral("model_feature_value"), series("spam-filter", "v7", {{"feature", feature}}));
        CHECK(b.size() >= 11);
        CHECK(b.size() <= 21);
    }
    const auto latency = e.buckets(QStringLiteral("model_request_duration_seconds"), series("spam-filter", "v7"));
    QList<double> les;
    for (const auto &b : latency)
        les.append(b.first);
    CHECK(les == QList<double>{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5,
                               INFINITY});
    CHECK(e.buckets(QStringLiteral("model_prediction_score"), series("spam-filter", "v7")).size() == 11);
}

TEST_CASE("Fleet: a timestamp, when given, ends every sample line", "[fleet][exposition]")
{
    FleetSimulation sim;
    sim.advanceTo(kMin);
    const QByteArray text = sim.renderMetrics(1'700'000'000'123);
    int samples = 0;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        ++samples;
        CHECK(line.endsWith(" 1700000000123"));
    }
    CHECK(samples > 100);
    CHECK_FALSE(sim.renderMetrics().contains(" 1700000000123"));
}

TEST_CASE("Fleet: histogram buckets are cumulative and +Inf equals _count", "[fleet][exposition]")
{
    FleetSimulation sim;
    const auto e = snapshotAt(sim, 7 * kMin);
    int histograms = 0;
    for (const auto &count : e.samples) {
        if (!count.name.endsWith(QLatin1String("_count")))
            continue;
        ++histograms;
        const QString family = count.name.chopped(6);
        INFO(family.toStdString() << " " << count.labels.value(QStringLiteral("version")).toStdString() << " "
                                  << count.labels.value(QStringLiteral("feature")).toStdString());
        const auto buckets = e.buckets(family, count.labels);
        REQUIRE(buckets.size() >= 2);
        for (qsizetype i = 1; i < buckets.size(); ++i) {
            CHECK(buckets[i].first > buckets[i - 1].first);   // le ascending
            CHECK(buckets[i].second >= buckets[i - 1].second); // counts cumulative
        }
        CHECK(std::isinf(buckets.back().first));
        CHECK(buckets.back().second == count.value);
        CHECK(count.value > 0);
        CHECK(e.value(family + QLatin1String("_sum"), count.labels) > 0);
    }
    // 4 versions x (latency + score) + 2 x 2 fraud features + 2 x 3 spam features.
    CHECK(histograms == 4 * 2 + 2 * 2 + 2 * 3);
}

TEST_CASE("Fleet: counters and histogram counts never decrease", "[fleet][exposition]")
{
    FleetSimulation sim;
    Exposition previous = snapshotAt(sim, 0);
    for (qint64 t = 30'000; t <= 16 * kMin; t += 30'000) {
        const Exposition current = snapshotAt(sim, t);
        REQUIRE(current.samples.size() == previous.samples.size());
        for (qsizetype i = 0; i < current.samples.size(); ++i) {
            const auto &s = current.samples[i];
            const bool monotonic = s.name.endsWith(QLatin1String("_total")) ||
                                   s.name.endsWith(QLatin1String("_bucket")) ||
                                   s.name.endsWith(QLatin1String("_count"));
            if (!monotonic)
                continue;
            INFO(s.name.toStdString() << " at " << t);
            REQUIRE(s.name == previous.samples[i].name);
            CHECK(s.value >= previous.samples[i].value);
        }
        previous = current;
    }
    // The total did grow: a few hundred requests a second per model.
    const double total = previous.value(QStringLiteral("model_requests_total"),
                                        series("fraud-detector", "v12", {{"code", "200"}}));
    CHECK(total > 16 * 60 * 200);
}

TEST_CASE("Fleet: traffic is a few hundred req/s per model, canaries get 10-20 %", "[fleet][traffic]")
{
    FleetSimulation sim;
    const auto from = snapshotAt(sim, kMin);
    const auto to = snapshotAt(sim, 3 * kMin);
    for (const auto &model : sim.models()) {
        QMap<QString, double> perVersion;
        double all = 0;
        for (const auto &version : model.versions) {
            double n = 0;
            for (const char *code : {"200", "500", "503"}) {
                const auto labels = series(model.name.toLatin1().constData(), version.version.toLatin1().constData(),
                                           {{"code", code}});
                n += to.value(QStringLiteral("model_requests_total"), labels) -
                     from.value(QStringLiteral("model_requests_total"), labels);
            }
            perVersion[version.version] = n;
            all += n;
        }
        const double rps = all / 120.0;
        INFO(model.name.toStdString() << " " << rps << " req/s");
        CHECK(rps > 200);
        CHECK(rps < 800);
        for (const auto &version : model.versions) {
            if (version.track != Track::Canary)
                continue;
            const double share = perVersion[version.version] / all;
            CHECK(share > 0.08);
            CHECK(share < 0.22);
        }
    }
}

TEST_CASE("Fleet: the fraud canary is clearly slower than the stable by minute 8", "[fleet][scenario]")
{
    FleetSimulation sim;
    const auto m1 = snapshotAt(sim, kMin);
    const auto m2 = snapshotAt(sim, 2 * kMin);
    const auto m7 = snapshotAt(sim, 7 * kMin);
    const auto m8 = snapshotAt(sim, 8 * kMin);
    const QString family = QStringLiteral("model_request_duration_seconds");
    auto p99 = [&](const Exposition &a, const Exposition &b, const char *version) {
        return quantile(0.99, windowBuckets(a, b, family, series("fraud-detector", version)));
    };
    // Before: both around 120 ms.
    CHECK(p99(m1, m2, "v12") < 0.2);
    CHECK(p99(m1, m2, "v13") < 0.2);
    // After: the canary's p99 is past 400 ms, the stable's has not moved.
    const double canary = p99(m7, m8, "v13");
    const double stable = p99(m7, m8, "v12");
    INFO("p99 canary " << canary << " stable " << stable);
    CHECK(canary > 0.35);
    CHECK(stable < 0.2);
    CHECK(canary > 2.5 * stable);
}

TEST_CASE("Fleet: spam-filter body_length drifts right while link_count stays put", "[fleet][scenario][drift]")
{
    FleetSimulation sim;
    const auto m0 = snapshotAt(sim, 0);
    const auto m1 = snapshotAt(sim, kMin);
    const auto m9 = snapshotAt(sim, 9 * kMin);
    const auto m10 = snapshotAt(sim, 10 * kMin);
    const QString family = QStringLiteral("model_feature_value");
    for (const char *version : {"v7", "v8"}) {
        INFO(version);
        const auto bodyBefore = windowBuckets(m0, m1, family, series("spam-filter", version, {{"feature", "body_length"}}));
        const auto bodyAfter = windowBuckets(m9, m10, family, series("spam-filter", version, {{"feature", "body_length"}}));
        const auto linksBefore = windowBuckets(m0, m1, family, series("spam-filter", version, {{"feature", "link_count"}}));
        const auto linksAfter = windowBuckets(m9, m10, family, series("spam-filter", version, {{"feature", "link_count"}}));
        const double bodyShift = bucketDistance(bodyBefore, bodyAfter);
        const double linkShift = bucketDistance(linksBefore, linksAfter);
        INFO("body_length distance " << bodyShift << ", link_count distance " << linkShift);
        CHECK(bodyShift > 0.3);
        CHECK(linkShift < 0.06);
        // Shifted right: the median moved up.
        CHECK(quantile(0.5, bodyAfter) > 1.8 * quantile(0.5, bodyBefore));
    }
}

TEST_CASE("Fleet: spam-filter v8 returns ~8 % 5xx from minute 5.5 to 7.5 only", "[fleet][scenario][errors]")
{
    FleetSimulation sim;
    const auto m2 = snapshotAt(sim, 2 * kMin);
    const auto m4 = snapshotAt(sim, 4 * kMin);
    const auto m6 = snapshotAt(sim, 6 * kMin);
    const auto m7 = snapshotAt(sim, 7 * kMin);
    const auto m9 = snapshotAt(sim, 9 * kMin);
    const auto m11 = snapshotAt(sim, 11 * kMin);
    CHECK(errorRatio(m2, m4, "spam-filter", "v8") < 0.015);
    const double burst = errorRatio(m6, m7, "spam-filter", "v8");
    CHECK(burst > 0.05);
    CHECK(burst < 0.12);
    CHECK(errorRatio(m9, m11, "spam-filter", "v8") < 0.015);
    // Only the canary: the stable and the other model stay clean.
    CHECK(errorRatio(m6, m7, "spam-filter", "v7") < 0.015);
    CHECK(errorRatio(m6, m7, "fraud-detector", "v13") < 0.015);
}

TEST_CASE("Fleet: spam-filter v8 precision erodes slowly, stable quality holds", "[fleet][scenario][quality]")
{
    FleetSimulation sim;
    const QString name = QStringLiteral("model_quality");
    const auto m3 = snapshotAt(sim, 3 * kMin);
    const auto m6 = snapshotAt(sim, 6 * kMin);
    const auto m10 = snapshotAt(sim, 10 * kMin);
    auto precision = [&](const Exposition &e, const char *model, const char *version) {
        return e.value(name, series(model, version, {{"metric", "precision"}}));
    };
    CHECK(precision(m3, "spam-filter", "v8") > 0.95);
    CHECK(precision(m6, "spam-filter", "v8") < precision(m3, "spam-filter", "v8"));
    CHECK(precision(m10, "spam-filter", "v8") < precision(m6, "spam-filter", "v8"));
    CHECK(precision(m10, "spam-filter", "v8") < 0.9);
    CHECK(precision(m10, "spam-filter", "v8") > 0.8); // slowly: not a cliff
    for (const char *model : {"spam-filter", "fraud-detector"}) {
        const char *stable = QLatin1String(model) == QLatin1String("spam-filter") ? "v7" : "v12";
        CHECK(std::abs(precision(m10, model, stable) - precision(m3, model, stable)) < 0.015);
        CHECK(m10.value(name, series(model, stable, {{"metric", "recall"}})) > 0.85);
    }
}

TEST_CASE("Fleet: replicas follow a traffic peak, available pods lag the desired count", "[fleet][scenario][hpa]")
{
    FleetSimulation sim;
    const auto &config = sim.config();
    const QString model = QStringLiteral("fraud-detector");
    const QString version = QStringLiteral("v12");
    sim.advanceTo(kMin);
    const Deployment *d = sim.deployment(model, version);
    REQUIRE(d);
    const int quiet = d->specReplicas;
    CHECK(quiet >= config.minReplicas);
    CHECK(sim.availableReplicas(*d) == quiet);

    // Step through the ramp (minutes 4-5) and the peak, tick by tick.
    int peak = quiet;
    bool lagSeen = false;
    qint64 firstScaleUp = -1;
    for (qint64 t = kMin; t <= 7 * kMin; t += config.tickMs) {
        sim.advanceTo(t);
        const int available = sim.availableReplicas(*d);
        CHECK(available <= d->specReplicas);
        CHECK(d->hpaDesiredReplicas == d->specReplicas);
        CHECK(d->specReplicas <= config.maxReplicas);
        if (d->specReplicas > quiet && firstScaleUp < 0)
            firstScaleUp = t;
        if (available < d->specReplicas) {
            lagSeen = true;
            // A pod created at firstScaleUp cannot be ready before its start-up delay.
            CHECK(t < firstScaleUp + config.podStartupMs + config.hpaSyncMs * 8);
        }
        peak = std::max(peak, d->specReplicas);
    }
    CHECK(firstScaleUp > 4 * kMin); // nothing moves before the ramp
    CHECK(peak > quiet + 2);
    CHECK(lagSeen);
    CHECK(sim.availableReplicas(*d) == d->specReplicas); // caught up by the plateau

    // The exposition says the same as the state.
    const auto e = Exposition::parse(sim.renderMetrics());
    const LabelMap kube{{QStringLiteral("deployment"), QStringLiteral("fraud-detector-v12")}};
    CHECK(e.value(QStringLiteral("kube_deployment_spec_replicas"), kube) == d->specReplicas);
    CHECK(e.value(QStringLiteral("kube_deployment_status_replicas"), kube) == d->specReplicas);
    CHECK(e.value(QStringLiteral("kube_deployment_status_replicas_available"), kube) == sim.availableReplicas(*d));
}

TEST_CASE("Fleet: latency rises while pods start and is held once they are ready", "[fleet][scenario][hpa]")
{
    FleetSimulation sim;
    const QString family = QStringLiteral("model_request_duration_seconds");
    const auto m2 = snapshotAt(sim, 2 * kMin);
    const auto m3 = snapshotAt(sim, 3 * kMin);
    const auto m4 = snapshotAt(sim, 4 * kMin);
    const auto m5 = snapshotAt(sim, 5 * kMin);
    const auto m6 = snapshotAt(sim, 6 * kMin);
    const auto m7 = snapshotAt(sim, 7 * kMin);
    auto p99 = [&](const Exposition &a, const Exposition &b) {
        return quantile(0.99, windowBuckets(a, b, family, series("fraud-detector", "v12")));
    };
    const double quiet = p99(m2, m3);
    const double ramp = p99(m4, m5);
    const double peakHeld = p99(m6, m7);
    INFO("p99 quiet " << quiet << ", ramp " << ramp << ", peak after scale-up " << peakHeld);
    CHECK(ramp > 2 * quiet);
    CHECK(peakHeld < 1.3 * quiet);
    // And the traffic really is higher at the held peak than when quiet.
    auto requests = [&](const Exposition &a, const Exposition &b) {
        const auto labels = series("fraud-detector", "v12");
        return b.value(family + QLatin1String("_count"), labels) - a.value(family + QLatin1String("_count"), labels);
    };
    CHECK(requests(m6, m7) > 1.8 * requests(m2, m3));
}

TEST_CASE("Fleet: scale-down waits for the stabilization window", "[fleet][hpa]")
{
    for (const qint64 window : {qint64(300'000), qint64(60'000)}) {
        FleetConfig config;
        config.scaleDownStabilizationMs = window;
        FleetSimulation sim(config);
        const Deployment *d = sim.deployment(QStringLiteral("fraud-detector"), QStringLiteral("v12"));
        sim.advanceTo(kMin);
        const int quiet = d->specReplicas;
        sim.advanceTo(7 * kMin);
        const int peak = d->specReplicas;
        REQUIRE(peak > quiet);
        // Traffic falls from minute 7 to 8; replicas hold for the window after
        // the last high recommendation, then follow it down.
        sim.advanceTo(7 * kMin + window - 30'000);
        INFO("window " << window / 1000 << " s");
        CHECK(d->specReplicas == peak);
        sim.advanceTo(8 * kMin + window + 60'000);
        CHECK(d->specReplicas < peak);
        CHECK(d->specReplicas >= config.minReplicas);
    }
}

TEST_CASE("Fleet: models() describes the registry side of the fleet", "[fleet][model]")
{
    FleetSimulation sim;
    const auto &models = sim.models();
    REQUIRE(models.size() >= 2);
    const QMap<QString, QMap<QString, Track>> expected{
        {QStringLiteral("fraud-detector"), {{QStringLiteral("v12"), Track::Stable}, {QStringLiteral("v13"), Track::Canary}}},
        {QStringLiteral("spam-filter"), {{QStringLiteral("v7"), Track::Stable}, {QStringLiteral("v8"), Track::Canary}}},
    };
    static const QRegularExpression runId(QStringLiteral("^[0-9a-f]{32}$"));
    QSet<QString> runIds;
    for (const auto &[name, versions] : expected.asKeyValueRange()) {
        INFO(name.toStdString());
        const auto found = std::find_if(models.cbegin(), models.cend(), [&](const ModelInfo &m) { return m.name == name; });
        REQUIRE(found != models.cend());
        CHECK(found->versions.size() == versions.size());
        CHECK(found->features.size() >= 2);
        double share = 0;
        for (const auto &[version, track] : versions.asKeyValueRange()) {
            const ModelVersionInfo *v = found->version(version);
            REQUIRE(v);
            CHECK(v->track == track);
            CHECK(runId.match(v->runId).hasMatch());
            runIds.insert(v->runId);
            CHECK(v->creationTimestampMs > found->creationTimestampMs);
            for (const char *metric : {"accuracy", "f1", "roc_auc", "precision", "recall"}) {
                const double value = v->offlineMetrics.value(QLatin1String(metric), -1);
                CHECK(value > 0.5);
                CHECK(value <= 1.0);
            }
            share += v->trafficShare;
            // Every version is served and exported under the same names.
            const Deployment *d = sim.deployment(name, version);
            REQUIRE(d);
            CHECK(d->name == name + QLatin1Char('-') + version);
        }
        CHECK(share == Approx(1.0));
    }
    CHECK(runIds.size() == 4);
    CHECK(models[1].feature(QStringLiteral("body_length")) != nullptr);
    CHECK(models[1].feature(QStringLiteral("link_count")) != nullptr);
}
