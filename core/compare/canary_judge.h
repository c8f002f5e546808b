// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <limits>

namespace vigil::compare {

// The canary judge: is a canary worse than its baseline over the same window?
// Per metric, a Mann-Whitney U test on per-interval values (one value per
// step: a p99 per minute, an error ratio per minute, ...) says whether the two
// differ at all; the medians say in which direction and by how much. The
// metrics' results make a score and a verdict, as Netflix's Kayenta does.
// Pure computation: no clock, no I/O. docs/COMPARE.md has the math and where
// each default comes from.

// Mann-Whitney U, two-sided, normal approximation with the tie correction and
// a continuity correction of 0.5: scipy.stats.mannwhitneyu(x, y,
// alternative="two-sided", method="asymptotic", use_continuity=True).
struct MannWhitney
{
    int nX = 0;
    int nY = 0;
    double u = std::numeric_limits<double>::quiet_NaN(); // U of x: pairs with x > y, ties count 1/2
    double z = std::numeric_limits<double>::quiet_NaN(); // signed: > 0 when x tends to be larger
    double pValue = std::numeric_limits<double>::quiet_NaN();
    bool valid() const { return nX > 0 && nY > 0; }
};
// NaNs are dropped first (Kayenta's default NaN strategy, "remove"). An empty
// side gives an invalid result (NaN U and p). All values equal: p = 1.
MannWhitney mannWhitneyU(const QList<double> &x, const QList<double> &y);

// NaN for an empty list; NaNs are dropped.
double median(const QList<double> &values);

// Which way a change hurts: latency and errors hurt when they go up, a
// request rate or an accuracy when it goes down.
enum class BadDirection { Increase, Decrease, Either };
QString badDirectionName(BadDirection d); // "increase", "decrease", "either"

// Kayenta's classes, plus one for too few samples. High/Low say where the
// canary moved; whether that fails depends on the metric's bad direction.
enum class Classification { Pass, High, Low, NotEnoughData };
QString classificationName(Classification c); // "pass", "high", "low", "not enough data"

enum class Verdict { Pass, Marginal, Fail, NotEnoughData };
QString verdictName(Verdict v); // "pass", "marginal", "fail", "not enough data"

struct MetricSpec
{
    QString name; // "p99 latency"
    BadDirection bad = BadDirection::Increase;
    // A critical metric that fails fails the whole canary, whatever the score
    // (Kayenta's "critical" metrics).
    bool critical = false;
    double weight = 1.0;
    // Relative change of the median tolerated even when significant; NaN: the
    // judge's default.
    double tolerance = std::numeric_limits<double>::quiet_NaN();
};

struct JudgeConfig
{
    // Significance level: Kayenta's MannWhitneyClassifier runs its test at
    // confLevel 0.95, i.e. alpha 0.05.
    double alpha = 0.05;
    // A significant change of the median within +-10 % of the baseline's is
    // still a pass. Vigil's own default (Kayenta's tolerance is a fraction,
    // 0.25, of the Hodges-Lehmann estimate, not of the baseline).
    double tolerance = 0.10;
    // Fewer samples than this on either side: not enough data. 10 per side:
    // below about 8 the normal approximation is poor (scipy's method="auto"
    // switches to the exact distribution there), and with 3 per side no
    // two-sided p-value can even reach 0.05.
    int minSamples = 10;
    // Kayenta's scoreThresholds defaults: pass >= 95, marginal >= 75.
    double passScore = 95.0;
    double marginalScore = 75.0;
};

struct MetricInput
{
    MetricSpec spec;
    QList<double> baseline; // one value per interval
    QList<double> canary;
};

// The numbers behind a metric's class, shown next to it.
struct MetricEvidence
{
    int nBaseline = 0;
    int nCanary = 0;
    double medianBaseline = std::numeric_limits<double>::quiet_NaN();
    double medianCanary = std::numeric_limits<double>::quiet_NaN();
    double u = std::numeric_limits<double>::quiet_NaN(); // U of the canary
    double pValue = std::numeric_limits<double>::quiet_NaN();
    // (median canary - median baseline) / |median baseline|; +-inf when the
    // baseline median is 0 and the canary's is not, 0 when both are.
    double effect = std::numeric_limits<double>::quiet_NaN();
    double tolerance = 0.0; // the tolerance applied
};

struct MetricResult
{
    MetricSpec spec;
    Classification classification = Classification::NotEnoughData;
    // Passing for the score: Pass, or a move in the harmless direction.
    bool passed = false;
    MetricEvidence evidence;
    QString reason; // one sentence for the user, with the numbers
};

struct CanaryResult
{
    Verdict verdict = Verdict::NotEnoughData;
    // 100 x passing weight / total weight: a metric without enough data
    // counts as not passing. NaN when there is no weight at all.
    double score = std::numeric_limits<double>::quiet_NaN();
    double passedWeight = 0.0;
    double judgedWeight = 0.0;
    double missingWeight = 0.0; // weight of metrics with not enough data
    QList<MetricResult> metrics;
    QString reason;
};

MetricResult judgeMetric(const MetricInput &input, const JudgeConfig &config = {});
CanaryResult judgeCanary(const QList<MetricInput> &inputs, const JudgeConfig &config = {});
// The verdict of a score alone (no critical failures, no missing data).
Verdict verdictForScore(double score, const JudgeConfig &config = {});

} // namespace vigil::compare
