// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/distances.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vigil::drift {

double psi(const std::vector<double> &p, const std::vector<double> &q)
{
    double sum = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == 0.0 && q[i] == 0.0)
            continue;
        const double a = p[i] == 0.0 ? kPsiFloor : p[i];
        const double b = q[i] == 0.0 ? kPsiFloor : q[i];
        sum += (b - a) * std::log(b / a);
    }
    return sum;
}

double ksStatistic(const std::vector<double> &p, const std::vector<double> &q)
{
    double cp = 0.0, cq = 0.0, d = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        cp += p[i];
        cq += q[i];
        d = std::max(d, std::abs(cp - cq));
    }
    return d;
}

double kolmogorovSurvival(double x)
{
    if (!(x > 0.0))
        return 1.0;
    // Two series for the same function (Kolmogorov 1933; Marsaglia, Tsang &
    // Wang 2003): the alternating one converges fast for large x, the Jacobi
    // theta form for small x. Switch at 1, where both need few terms.
    constexpr double pi = std::numbers::pi;
    if (x < 1.0) {
        // P(K <= x) = sqrt(2 pi) / x * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))
        const double w = -pi * pi / (8.0 * x * x);
        double sum = 0.0;
        for (int k = 1; k < 100; ++k) {
            const double m = 2.0 * k - 1.0;
            const double term = std::exp(m * m * w);
            sum += term;
            if (term <= sum * 1e-17)
                break;
        }
        const double cdf = std::sqrt(2.0 * pi) / x * sum;
        return std::clamp(1.0 - cdf, 0.0, 1.0);
    }
    // Q(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)
    double sum = 0.0;
    for (int k = 1; k < 100; ++k) {
        const double term = std::exp(-2.0 * k * k * x * x);
        sum += (k % 2 == 1) ? term : -term;
        if (term <= std::abs(sum) * 1e-17)
            break;
    }
    return std::clamp(2.0 * sum, 0.0, 1.0);
}

double ksPValue(double d, double nRef, double nCur)
{
    if (nRef <= 0 || nCur <= 0)
        return 1.0;
    const double en = std::sqrt(nRef * nCur / (nRef + nCur));
    return kolmogorovSurvival(en * d);
}

double jensenShannon(const std::vector<double> &p, const std::vector<double> &q)
{
    // Kullback-Leibler of each side against the mixture m, 0 ln 0 = 0.
    double sum = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double m = 0.5 * (p[i] + q[i]);
        if (p[i] > 0.0)
            sum += p[i] * std::log(p[i] / m);
        if (q[i] > 0.0)
            sum += q[i] * std::log(q[i] / m);
    }
    const double js = sum / (2.0 * std::numbers::ln2);
    return std::sqrt(std::max(js, 0.0)); // rounding can leave -1e-17 for equal inputs
}

double hellinger(const std::vector<double> &p, const std::vector<double> &q)
{
    double sum = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double d = std::sqrt(p[i]) - std::sqrt(q[i]);
        sum += d * d;
    }
    return std::sqrt(sum) / std::numbers::sqrt2;
}

std::vector<double> representativePoints(const std::vector<double> &bounds)
{
    std::vector<double> x;
    if (bounds.empty())
        return x;
    x.reserve(bounds.size() + 1);
    x.push_back(bounds[0] > 0.0 ? bounds[0] / 2.0 : bounds[0]);
    for (size_t i = 1; i < bounds.size(); ++i)
        x.push_back(bounds[i - 1] + (bounds[i] - bounds[i - 1]) / 2.0);
    x.push_back(bounds.back());
    return x;
}

double wasserstein1(const std::vector<double> &points, const std::vector<double> &p, const std::vector<double> &q)
{
    // Points are ascending (representativePoints() guarantees it), so the
    // CDFs step at each point and the integral is a sum of rectangles.
    double fp = 0.0, fq = 0.0, w = 0.0;
    for (size_t i = 0; i + 1 < points.size(); ++i) {
        fp += p[i];
        fq += q[i];
        w += std::abs(fp - fq) * (points[i + 1] - points[i]);
    }
    return w;
}

double weightedStd(const std::vector<double> &points, const std::vector<double> &p)
{
    double mean = 0.0;
    for (size_t i = 0; i < points.size(); ++i)
        mean += p[i] * points[i];
    double var = 0.0;
    for (size_t i = 0; i < points.size(); ++i) {
        const double d = points[i] - mean;
        var += p[i] * d * d;
    }
    return std::sqrt(var);
}

std::vector<double> proportions(const Histogram &h)
{
    std::vector<double> p(h.counts.size(), 0.0);
    if (h.total > 0.0) {
        for (size_t i = 0; i < p.size(); ++i)
            p[i] = h.counts[i] / h.total;
    }
    return p;
}

DriftScores computeScores(const Histogram &ref, const Histogram &cur)
{
    DriftScores s;
    s.nRef = ref.total;
    s.nCur = cur.total;
    const std::vector<double> p = proportions(ref);
    const std::vector<double> q = proportions(cur);
    s.psi = psi(p, q);
    s.ks = ksStatistic(p, q);
    s.ksPValue = ksPValue(s.ks, s.nRef, s.nCur);
    s.js = jensenShannon(p, q);
    s.hellinger = hellinger(p, q);
    const std::vector<double> x = representativePoints(ref.bounds);
    s.wasserstein = wasserstein1(x, p, q);
    s.wassersteinNormed = s.wasserstein / std::max(weightedStd(x, p), kWassersteinMinStd);
    return s;
}

} // namespace vigil::drift
