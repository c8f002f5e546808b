// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/canary_judge.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vigil::compare {

namespace {

std::vector<double> finite(const QList<double> &values)
{
    std::vector<double> out;
    out.reserve(size_t(values.size()));
    for (double v : values) {
        if (!std::isnan(v))
            out.push_back(v);
    }
    return out;
}

// A number for a sentence: 4 significant digits, no exponent noise for 0.
QString num(double v)
{
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+inf") : QStringLiteral("-inf");
    return QString::number(v, 'g', 4);
}

QString pText(double p)
{
    return p < 1e-4 ? QStringLiteral("p < 0.0001") : QStringLiteral("p = %1").arg(QString::number(p, 'g', 3));
}

QString percent(double effect)
{
    if (std::isinf(effect))
        return effect > 0 ? QStringLiteral("up from 0") : QStringLiteral("down from 0");
    return QStringLiteral("%1%2 %").arg(effect >= 0 ? QStringLiteral("+") : QString(),
                                        QString::number(effect * 100.0, 'f', 1));
}

} // namespace

double median(const QList<double> &values)
{
    std::vector<double> v = finite(values);
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

MannWhitney mannWhitneyU(const QList<double> &xValues, const QList<double> &yValues)
{
    const std::vector<double> x = finite(xValues);
    const std::vector<double> y = finite(yValues);
    MannWhitney r;
    r.nX = int(x.size());
    r.nY = int(y.size());
    if (!r.valid())
        return r;

    // Midranks of the pooled sample; the tie groups feed the variance correction.
    struct Item
    {
        double value;
        bool fromX;
    };
    std::vector<Item> pooled;
    pooled.reserve(x.size() + y.size());
    for (double v : x)
        pooled.push_back({v, true});
    for (double v : y)
        pooled.push_back({v, false});
    std::sort(pooled.begin(), pooled.end(), [](const Item &a, const Item &b) { return a.value < b.value; });

    const double n1 = r.nX;
    const double n2 = r.nY;
    const double n = n1 + n2;
    double rankSumX = 0.0;
    double tieTerm = 0.0; // sum over tie groups of t^3 - t
    for (size_t i = 0; i < pooled.size();) {
        size_t j = i;
        while (j < pooled.size() && pooled[j].value == pooled[i].value)
            ++j;
        const double t = double(j - i);
        const double midrank = (double(i + 1) + double(j)) / 2.0; // ranks i+1 .. j
        for (size_t k = i; k < j; ++k) {
            if (pooled[k].fromX)
                rankSumX += midrank;
        }
        tieTerm += t * t * t - t;
        i = j;
    }

    r.u = rankSumX - n1 * (n1 + 1.0) / 2.0;
    const double mu = n1 * n2 / 2.0;
    // scipy: s = sqrt(n1 n2 / 12 * ((n + 1) - tie_term / (n (n - 1)))).
    const double variance = n1 * n2 / 12.0 * ((n + 1.0) - (n > 1.0 ? tieTerm / (n * (n - 1.0)) : 0.0));
    // Two-sided: scipy takes the larger of U1 and U2, then subtracts the
    // continuity correction, so |z| shrinks by 0.5 / s.
    const double uMax = std::max(r.u, n1 * n2 - r.u);
    const double numerator = uMax - mu - 0.5;
    if (!(variance > 0.0)) {
        // Every value equal: no evidence of a difference. scipy divides by
        // zero here and ends at p = 1 after clipping.
        r.z = 0.0;
        r.pValue = 1.0;
        return r;
    }
    const double s = std::sqrt(variance);
    const double zAbs = numerator / s;
    r.z = r.u >= mu ? zAbs : -zAbs;
    // p = 2 * sf(|z|), clipped to 1 (with the correction, |z| can be below 0).
    r.pValue = std::min(1.0, std::erfc(zAbs / std::sqrt(2.0)));
    return r;
}

QString badDirectionName(BadDirection d)
{
    switch (d) {
    case BadDirection::Increase:
        return QStringLiteral("increase");
    case BadDirection::Decrease:
        return QStringLiteral("decrease");
    case BadDirection::Either:
        return QStringLiteral("either");
    }
    return QString();
}

QString classificationName(Classification c)
{
    switch (c) {
    case Classification::Pass:
        return QStringLiteral("pass");
    case Classification::High:
        return QStringLiteral("high");
    case Classification::Low:
        return QStringLiteral("low");
    case Classification::NotEnoughData:
        return QStringLiteral("not enough data");
    }
    return QString();
}

QString verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Pass:
        return QStringLiteral("pass");
    case Verdict::Marginal:
        return QStringLiteral("marginal");
    case Verdict::Fail:
        return QStringLiteral("fail");
    case Verdict::NotEnoughData:
        return QStringLiteral("not enough data");
    }
    return QString();
}

Verdict verdictForScore(double score, const JudgeConfig &config)
{
    if (std::isnan(score))
        return Verdict::NotEnoughData;
    if (score >= config.passScore)
        return Verdict::Pass;
    if (score >= config.marginalScore)
        return Verdict::Marginal;
    return Verdict::Fail;
}

MetricResult judgeMetric(const MetricInput &input, const JudgeConfig &config)
{
    MetricResult r;
    r.spec = input.spec;
    MetricEvidence &e = r.evidence;
    e.tolerance = std::isnan(input.spec.tolerance) ? config.tolerance : std::abs(input.spec.tolerance);
    const MannWhitney mw = mannWhitneyU(input.canary, input.baseline);
    e.nCanary = mw.nX;
    e.nBaseline = mw.nY;
    e.medianCanary = median(input.canary);
    e.medianBaseline = median(input.baseline);
    e.u = mw.u;
    e.pValue = mw.pValue;
    if (mw.valid()) {
        const double diff = e.medianCanary - e.medianBaseline;
        if (e.medianBaseline != 0.0)
            e.effect = diff / std::abs(e.medianBaseline);
        else
            e.effect = diff == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
    }

    const int need = std::max(1, config.minSamples);
    if (e.nCanary < need || e.nBaseline < need) {
        r.classification = Classification::NotEnoughData;
        r.passed = false;
        r.reason = QStringLiteral("not enough data: %1 canary and %2 baseline intervals, %3 needed on each side")
                       .arg(e.nCanary)
                       .arg(e.nBaseline)
                       .arg(need);
        return r;
    }

    const QString medians = QStringLiteral("median %1 vs %2 (%3)")
                                .arg(num(e.medianCanary), num(e.medianBaseline), percent(e.effect));
    if (!(e.pValue < config.alpha)) {
        r.classification = Classification::Pass;
        r.reason = QStringLiteral("no significant difference (%1 >= %2): %3")
                       .arg(pText(e.pValue), num(config.alpha), medians);
    } else if (std::abs(e.effect) <= e.tolerance) {
        r.classification = Classification::Pass;
        r.reason = QStringLiteral("a significant but small difference (%1), within the +-%2 % tolerance: %3")
                       .arg(pText(e.pValue), QString::number(e.tolerance * 100.0, 'g', 3), medians);
    } else {
        r.classification = e.effect > 0 ? Classification::High : Classification::Low;
        r.reason = QStringLiteral("%1 (%2): %3")
                       .arg(r.classification == Classification::High ? QStringLiteral("higher") : QStringLiteral("lower"),
                            pText(e.pValue), medians);
    }
    switch (r.classification) {
    case Classification::Pass:
        r.passed = true;
        break;
    case Classification::High:
        r.passed = input.spec.bad == BadDirection::Decrease;
        break;
    case Classification::Low:
        r.passed = input.spec.bad == BadDirection::Increase;
        break;
    case Classification::NotEnoughData:
        r.passed = false;
        break;
    }
    if (r.classification != Classification::Pass && r.passed)
        r.reason += QStringLiteral(", which is harmless for this metric");
    return r;
}

CanaryResult judgeCanary(const QList<MetricInput> &inputs, const JudgeConfig &config)
{
    CanaryResult r;
    QStringList criticalFailed;
    bool criticalMissing = false;
    for (const MetricInput &in : inputs) {
        MetricResult m = judgeMetric(in, config);
        const double w = std::isfinite(m.spec.weight) ? std::max(0.0, m.spec.weight) : 0.0;
        if (m.classification == Classification::NotEnoughData) {
            r.missingWeight += w;
            criticalMissing = criticalMissing || m.spec.critical;
        } else {
            r.judgedWeight += w;
            if (m.passed)
                r.passedWeight += w;
            else if (m.spec.critical)
                criticalFailed << m.spec.name;
        }
        r.metrics << m;
    }
    const double total = r.judgedWeight + r.missingWeight;
    if (total > 0.0)
        r.score = 100.0 * r.passedWeight / total;

    if (inputs.isEmpty() || total <= 0.0) {
        r.verdict = Verdict::NotEnoughData;
        r.reason = QStringLiteral("no metrics to judge");
        return r;
    }
    if (!criticalFailed.isEmpty()) {
        r.verdict = Verdict::Fail;
        r.reason = QStringLiteral("critical metric failed: %1").arg(criticalFailed.join(QStringLiteral(", ")));
        return r;
    }
    if (r.missingWeight > 0.0) {
        // Missing data never passes. It can still fail: if even counting every
        // missing metric as passing the score is a fail, the answer is known.
        const double best = 100.0 * (r.passedWeight + r.missingWeight) / total;
        if (verdictForScore(best, config) == Verdict::Fail && r.judgedWeight > 0.0) {
            r.verdict = Verdict::Fail;
            r.reason = QStringLiteral("score %1 below %2 even if the metrics without data passed")
                           .arg(num(best), num(config.marginalScore));
        } else {
            r.verdict = Verdict::NotEnoughData;
            r.reason = criticalMissing ? QStringLiteral("a critical metric has not enough data")
                                       : QStringLiteral("some metrics have not enough data");
        }
        return r;
    }
    r.verdict = verdictForScore(r.score, config);
    r.reason = QStringLiteral("score %1 (pass >= %2, marginal >= %3)")
                   .arg(num(r.score), num(config.passScore), num(config.marginalScore));
    return r;
}

} // namespace vigil::compare
