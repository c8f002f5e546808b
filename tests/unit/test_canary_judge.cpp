// SPDX-License-Identifier: GPL-3.0-or-later
// The canary judge (issue 5, item 4): Mann-Whitney U against hand-computed
// values and against scipy's (tests/tools/gen_canary_cases.py writes
// tests/fixtures/canary/mann_whitney_cases.json), then the per-metric classes
// and the overall verdict, one behaviour per case.
#include <catch2/catch.hpp>

#include "compare/canary_judge.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

using namespace vigil::compare;

namespace {

QList<double> toList(const QJsonValue &v)
{
    QList<double> out;
    for (const QJsonValue &x : v.toArray())
        out << x.toDouble();
    return out;
}

QJsonArray scipyCases()
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/canary/mann_whitney_cases.json"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("cases")).toArray();
}

// n values spread evenly around a centre: v, v + d, v - d, v + 2d, ...
QList<double> around(double centre, double spread, int n)
{
    QList<double> out;
    for (int i = 0; i < n; ++i)
        out << centre + spread * ((i % 2 ? 1 : -1) * (i / 2 + 1)) / n;
    return out;
}

MetricInput metric(const QString &name, BadDirection bad, QList<double> baseline, QList<double> canary,
                   bool critical = false, double weight = 1.0)
{
    MetricInput in;
    in.spec.name = name;
    in.spec.bad = bad;
    in.spec.critical = critical;
    in.spec.weight = weight;
    in.baseline = std::move(baseline);
    in.canary = std::move(canary);
    return in;
}

} // namespace

TEST_CASE("Mann-Whitney U by hand: three against three, fully separated", "[canary][judge]")
{
    // U of x = 0 (no x above any y). mu = 4.5, var = 3*3/12 * 7 = 5.25,
    // z = (9 - 4.5 - 0.5) / sqrt(5.25) = 1.74574, p = 2 * sf(1.74574) = 0.080856.
    const MannWhitney r = mannWhitneyU({1, 2, 3}, {4, 5, 6});
    CHECK(r.nX == 3);
    CHECK(r.nY == 3);
    CHECK(r.u == 0.0);
    CHECK(r.z == Approx(-1.745743).epsilon(1e-6));
    CHECK(r.pValue == Approx(0.0808556).epsilon(1e-5));
}

TEST_CASE("Mann-Whitney U by hand: ties take midranks and shrink the variance", "[canary][judge]")
{
    // Pooled 1,2,2,3 ranks 1, 2.5, 2.5, 4. x = {2, 3}: R = 6.5, U = 6.5 - 3 = 3.5.
    // Tie term: one group of 2 -> 6. var = 2*2/12 * (5 - 6/12) = 1.5.
    // U max = 3.5, z = (3.5 - 2 - 0.5) / sqrt(1.5) = 0.816497, p = 0.414216.
    const MannWhitney r = mannWhitneyU({2, 3}, {1, 2});
    CHECK(r.u == 3.5);
    CHECK(r.pValue == Approx(0.4142162).epsilon(1e-5));
}

TEST_CASE("Mann-Whitney U of identical constant samples is p = 1, not NaN", "[canary][judge]")
{
    const MannWhitney r = mannWhitneyU({0.2, 0.2, 0.2}, {0.2, 0.2});
    CHECK(r.u == 3.0);
    CHECK(r.pValue == 1.0);
}

TEST_CASE("Mann-Whitney U with an empty side is invalid, and NaNs are dropped", "[canary][judge]")
{
    const MannWhitney empty = mannWhitneyU({}, {1, 2, 3});
    CHECK_FALSE(empty.valid());
    CHECK(std::isnan(empty.pValue));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const MannWhitney dropped = mannWhitneyU({1, nan, 2, 3}, {nan, 4, 5, 6});
    CHECK(dropped.nX == 3);
    CHECK(dropped.nY == 3);
    CHECK(dropped.pValue == Approx(0.0808556).epsilon(1e-5));
    CHECK_FALSE(mannWhitneyU({nan}, {1.0}).valid());
}

TEST_CASE("Mann-Whitney U and p match scipy on every generated case", "[canary][judge][scipy]")
{
    const QJsonArray cases = scipyCases();
    REQUIRE(cases.size() >= 16);
    for (const QJsonValue &v : cases) {
        const QJsonObject c = v.toObject();
        INFO("case " << c.value(QLatin1String("name")).toString().toStdString());
        const QList<double> canary = toList(c.value(QLatin1String("canary")));
        const QList<double> baseline = toList(c.value(QLatin1String("baseline")));
        const MannWhitney r = mannWhitneyU(canary, baseline);
        CHECK(r.u == Approx(c.value(QLatin1String("u")).toDouble()).margin(1e-9));
        // Relative agreement also in the far tail (p ~ 1e-21).
        CHECK(r.pValue == Approx(c.value(QLatin1String("p")).toDouble()).epsilon(1e-9).margin(1e-300));
        CHECK(median(canary) == Approx(c.value(QLatin1String("median_canary")).toDouble()).margin(1e-12));
        CHECK(median(baseline) == Approx(c.value(QLatin1String("median_baseline")).toDouble()).margin(1e-12));
    }
}

TEST_CASE("A metric with fewer samples than the minimum is not enough data, never a pass", "[canary][judge]")
{
    JudgeConfig config; // minSamples 10
    const MetricResult r = judgeMetric(metric("p99", BadDirection::Increase, around(0.1, 0.01, 9), around(0.1, 0.01, 30)),
                                       config);
    CHECK(r.classification == Classification::NotEnoughData);
    CHECK_FALSE(r.passed);
    CHECK(r.evidence.nBaseline == 9);
    CHECK(r.evidence.nCanary == 30);
    CHECK(r.reason.contains(QStringLiteral("9 baseline")));

    config.minSamples = 5;
    CHECK(judgeMetric(metric("p99", BadDirection::Increase, around(0.1, 0.01, 9), around(0.1, 0.01, 30)), config)
              .classification
          == Classification::Pass);
}

TEST_CASE("A metric without any data is not enough data", "[canary][judge]")
{
    const MetricResult r = judgeMetric(metric("rps", BadDirection::Decrease, {}, {}));
    CHECK(r.classification == Classification::NotEnoughData);
    CHECK_FALSE(r.passed);
    CHECK(std::isnan(r.evidence.pValue));
    CHECK(std::isnan(r.evidence.medianBaseline));
}

TEST_CASE("Metric classes follow the p-value, the effect, the tolerance and the bad direction", "[canary][judge]")
{
    struct Row
    {
        const char *what;
        BadDirection bad;
        double baselineCentre;
        double canaryCentre;
        Classification expected;
        bool passed;
    };
    // Spread 0.002 around the centre, 20 values a side: any shift of 5 % is
    // highly significant, the same centre is not at all.
    const Row rows[] = {
        {"same centre", BadDirection::Increase, 0.100, 0.100, Classification::Pass, true},
        {"+5 %: significant, within 10 %", BadDirection::Increase, 0.100, 0.105, Classification::Pass, true},
        {"+30 % latency", BadDirection::Increase, 0.100, 0.130, Classification::High, false},
        {"-30 % latency is harmless", BadDirection::Increase, 0.100, 0.070, Classification::Low, true},
        {"-30 % rps", BadDirection::Decrease, 0.100, 0.070, Classification::Low, false},
        {"+30 % rps is harmless", BadDirection::Decrease, 0.100, 0.130, Classification::High, true},
        {"either way: up", BadDirection::Either, 0.100, 0.130, Classification::High, false},
        {"either way: down", BadDirection::Either, 0.100, 0.070, Classification::Low, false},
    };
    for (const Row &row : rows) {
        INFO(row.what);
        const MetricResult r = judgeMetric(metric(QString::fromLatin1(row.what), row.bad,
                                                  around(row.baselineCentre, 0.002, 20),
                                                  around(row.canaryCentre, 0.002, 20)));
        CHECK(r.classification == row.expected);
        CHECK(r.passed == row.passed);
        CHECK(r.evidence.nBaseline == 20);
        CHECK(r.evidence.medianBaseline == Approx(row.baselineCentre).epsilon(0.01));
        CHECK(r.evidence.medianCanary == Approx(row.canaryCentre).epsilon(0.01));
        CHECK(r.evidence.effect == Approx((r.evidence.medianCanary - r.evidence.medianBaseline)
                                          / r.evidence.medianBaseline));
        CHECK_FALSE(r.reason.isEmpty());
    }
}

TEST_CASE("A large but insignificant difference passes: the test decides first", "[canary][judge]")
{
    // Three each, fully separated: p = 0.081 > 0.05, though the medians differ by 150 %.
    JudgeConfig config;
    config.minSamples = 3;
    const MetricResult r = judgeMetric(metric("p99", BadDirection::Increase, {1, 2, 3}, {4, 5, 6}), config);
    CHECK(r.classification == Classification::Pass);
    CHECK(r.evidence.pValue == Approx(0.0808556).epsilon(1e-5));
    CHECK(r.evidence.effect == Approx(1.5));
}

TEST_CASE("A per-metric tolerance overrides the judge's", "[canary][judge]")
{
    MetricInput in = metric("p99", BadDirection::Increase, around(0.1, 0.002, 20), around(0.13, 0.002, 20));
    in.spec.tolerance = 0.5;
    const MetricResult r = judgeMetric(in);
    CHECK(r.classification == Classification::Pass);
    CHECK(r.evidence.tolerance == 0.5);
}

TEST_CASE("A zero baseline median makes any canary rise an infinite effect", "[canary][judge]")
{
    // Error ratios: the baseline has none, the canary fails 8 % of the time.
    const MetricResult r = judgeMetric(metric("error ratio", BadDirection::Increase, QList<double>(20, 0.0),
                                              around(0.08, 0.01, 20)));
    CHECK(r.classification == Classification::High);
    CHECK(std::isinf(r.evidence.effect));
    CHECK(r.evidence.effect > 0);
    CHECK_FALSE(r.passed);
    // Both all zero: identical, p = 1, a pass.
    const MetricResult zeros = judgeMetric(metric("error ratio", BadDirection::Increase, QList<double>(20, 0.0),
                                                  QList<double>(20, 0.0)));
    CHECK(zeros.classification == Classification::Pass);
    CHECK(zeros.evidence.effect == 0.0);
    CHECK(zeros.evidence.pValue == 1.0);
}

TEST_CASE("Score thresholds are Kayenta's: pass from 95, marginal from 75", "[canary][judge]")
{
    CHECK(verdictForScore(100) == Verdict::Pass);
    CHECK(verdictForScore(95) == Verdict::Pass);
    CHECK(verdictForScore(94.9) == Verdict::Marginal);
    CHECK(verdictForScore(75) == Verdict::Marginal);
    CHECK(verdictForScore(74.9) == Verdict::Fail);
    CHECK(verdictForScore(0) == Verdict::Fail);
    CHECK(verdictForScore(std::numeric_limits<double>::quiet_NaN()) == Verdict::NotEnoughData);
}

TEST_CASE("The overall score is the weighted share of passing metrics", "[canary][judge]")
{
    const QList<double> base = around(0.1, 0.002, 20);
    const QList<double> worse = around(0.13, 0.002, 20);
    // Weights 3 + 1: the failing metric weighs 1, score 75 -> marginal.
    CanaryResult r = judgeCanary({metric("p50", BadDirection::Increase, base, base, false, 3.0),
                                  metric("p99", BadDirection::Increase, base, worse, false, 1.0)});
    CHECK(r.score == Approx(75.0));
    CHECK(r.verdict == Verdict::Marginal);
    CHECK(r.metrics.size() == 2);
    CHECK(r.passedWeight == 3.0);
    CHECK(r.judgedWeight == 4.0);
    // Equal weights: 50 -> fail.
    r = judgeCanary({metric("p50", BadDirection::Increase, base, base),
                     metric("p99", BadDirection::Increase, base, worse)});
    CHECK(r.score == Approx(50.0));
    CHECK(r.verdict == Verdict::Fail);
    // Everything passes: 100.
    r = judgeCanary({metric("p50", BadDirection::Increase, base, base),
                     metric("p99", BadDirection::Increase, base, base)});
    CHECK(r.score == 100.0);
    CHECK(r.verdict == Verdict::Pass);
}

TEST_CASE("A failing critical metric fails the canary whatever the score", "[canary][judge]")
{
    const QList<double> base = around(0.1, 0.002, 20);
    QList<MetricInput> inputs;
    for (int i = 0; i < 19; ++i)
        inputs << metric(QStringLiteral("m%1").arg(i), BadDirection::Increase, base, base);
    inputs << metric("error ratio", BadDirection::Increase, base, around(0.2, 0.002, 20), true);
    const CanaryResult r = judgeCanary(inputs);
    CHECK(r.score == Approx(95.0));
    CHECK(r.verdict == Verdict::Fail);
    CHECK(r.reason.contains(QStringLiteral("error ratio")));
}

TEST_CASE("Missing data makes the verdict not enough data unless it is a certain fail", "[canary][judge]")
{
    const QList<double> base = around(0.1, 0.002, 20);
    const QList<double> worse = around(0.13, 0.002, 20);
    // One passing, one without data: could be 100, could be 50 -> not enough data.
    CanaryResult r = judgeCanary({metric("p50", BadDirection::Increase, base, base),
                                  metric("p99", BadDirection::Increase, base, {})});
    CHECK(r.verdict == Verdict::NotEnoughData);
    CHECK(r.score == Approx(50.0)); // the missing metric does not pass
    CHECK(r.missingWeight == 1.0);
    // Three failing, one missing: at best 25 -> fail is certain.
    r = judgeCanary({metric("a", BadDirection::Increase, base, worse), metric("b", BadDirection::Increase, base, worse),
                     metric("c", BadDirection::Increase, base, worse), metric("d", BadDirection::Increase, base, {})});
    CHECK(r.verdict == Verdict::Fail);
    // A critical metric without data, the rest passing: not enough data.
    r = judgeCanary({metric("p50", BadDirection::Increase, base, base),
                     metric("errors", BadDirection::Increase, {}, base, true)});
    CHECK(r.verdict == Verdict::NotEnoughData);
    CHECK(r.reason.contains(QStringLiteral("critical")));
}

TEST_CASE("No metrics, or no data at all, is not enough data", "[canary][judge]")
{
    CHECK(judgeCanary({}).verdict == Verdict::NotEnoughData);
    const CanaryResult r = judgeCanary({metric("p99", BadDirection::Increase, {}, {}),
                                        metric("rps", BadDirection::Decrease, {}, {})});
    CHECK(r.verdict == Verdict::NotEnoughData);
    CHECK(r.score == 0.0);
    for (const MetricResult &m : r.metrics)
        CHECK(m.classification == Classification::NotEnoughData);
}

TEST_CASE("Identical baseline and canary pass every metric", "[canary][judge]")
{
    const QList<double> same = around(0.1, 0.01, 15);
    const CanaryResult r = judgeCanary({metric("p99", BadDirection::Increase, same, same),
                                        metric("rps", BadDirection::Decrease, same, same),
                                        metric("drift", BadDirection::Either, same, same)});
    CHECK(r.verdict == Verdict::Pass);
    for (const MetricResult &m : r.metrics) {
        CHECK(m.classification == Classification::Pass);
        CHECK(m.evidence.pValue == 1.0);
        CHECK(m.evidence.u == Approx(15 * 15 / 2.0));
    }
}
