// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/histogram.h"

#include <vector>

namespace vigil::drift {

// Distances between two binned distributions given as per-bucket proportions
// p (reference) and q (current) over the same buckets, each summing to 1.
// Formulas are those of issue 4 and docs/DRIFT.md; tests/tools/gen_drift_cases.py
// recomputes every one of them independently with numpy/scipy.

// Population Stability Index, natural log: sum (q' - p') ln(q' / p'), where an
// exact-zero proportion becomes kPsiFloor (no renormalisation) and a bucket
// empty in both windows contributes 0.
inline constexpr double kPsiFloor = 1e-4;
double psi(const std::vector<double> &p, const std::vector<double> &q);

// Kolmogorov-Smirnov statistic: max over buckets of |P(<= le) - Q(<= le)|.
double ksStatistic(const std::vector<double> &p, const std::vector<double> &q);

// Survival function of the Kolmogorov distribution, Q(x) = P(K > x)
// (scipy.special.kolmogorov). The KS p-value is kolmogorovSurvival(
// sqrt(n_ref n_cur / (n_ref + n_cur)) D): asymptotic, so approximate for small
// counts, and at very large counts any visible difference gives ~0.
double kolmogorovSurvival(double x);
double ksPValue(double d, double nRef, double nCur);

// Jensen-Shannon distance with log base 2, in [0, 1] (scipy's
// spatial.distance.jensenshannon(p, q, base=2)).
double jensenShannon(const std::vector<double> &p, const std::vector<double> &q);

// Hellinger distance ||sqrt(p) - sqrt(q)||_2 / sqrt(2), in [0, 1]. Computed in
// this form on purpose: sqrt(1 - sum sqrt(p q)) cancels catastrophically near 0.
double hellinger(const std::vector<double> &p, const std::vector<double> &q);

// Where each bucket's mass sits for Wasserstein: bucket 0 at le0/2 when le0 > 0,
// else at le0; a finite bucket i >= 1 at the midpoint of (le[i-1], le[i]]; the
// +Inf bucket at the last finite bound.
std::vector<double> representativePoints(const std::vector<double> &bounds);

// Wasserstein-1 between point masses p and q at `points` (ascending, possibly
// repeated): the integral of |F_p - F_q|.
double wasserstein1(const std::vector<double> &points, const std::vector<double> &p, const std::vector<double> &q);

// Population standard deviation of the point masses p at `points`.
double weightedStd(const std::vector<double> &points, const std::vector<double> &p);

// Evidently's normalisation: Wasserstein divided by max(std of the reference, 0.001).
inline constexpr double kWassersteinMinStd = 0.001;

// Per-bucket proportions: counts / total.
std::vector<double> proportions(const Histogram &h);

// Every score for one comparison. Counts are doubles: increase() gives
// fractional counts.
struct DriftScores
{
    double nRef = 0.0;
    double nCur = 0.0;
    double psi = 0.0;
    double ks = 0.0;
    double ksPValue = 1.0;
    double js = 0.0;
    double hellinger = 0.0;
    double wasserstein = 0.0;
    double wassersteinNormed = 0.0;
};

// Both histograms must be valid, share one layout and be non-empty.
DriftScores computeScores(const Histogram &ref, const Histogram &cur);

} // namespace vigil::drift
