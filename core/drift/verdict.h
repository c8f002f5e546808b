// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/distances.h"

#include <QList>
#include <QString>
#include <cmath>
#include <limits>

namespace vigil::drift {

enum class Verdict { Ok, Warning, Drift };
QString verdictName(Verdict v); // "ok", "warning", "drift"

// The scores that carry a verdict. Raw Wasserstein has none: its unit is the
// feature's, so only its normed form can share a threshold across features.
enum class Method { Psi, Ks, JensenShannon, Hellinger, WassersteinNormed };
QString methodName(Method m); // "psi", "ks", "js", "hellinger", "wasserstein_normed"

// A threshold pair for one score. For distances, a score >= drift is drift and
// a score >= warning (when set) is a warning, as Evidently compares
// (`value >= threshold`). For the KS p-value the direction is reversed:
// p <= drift is drift. NaN: no such level.
struct Threshold
{
    double warning = std::numeric_limits<double>::quiet_NaN();
    double drift = std::numeric_limits<double>::quiet_NaN();
};

struct Thresholds
{
    // 0.2 drift: the credit-scoring rule of thumb for PSI (< 0.1 stable,
    // 0.1-0.2 moderate shift, > 0.2 significant; Siddiqi, "Credit Risk
    // Scorecards", 2006). 0.1 warning: also Evidently's default PSI threshold.
    Threshold psi{0.1, 0.2};
    // Drift when the KS p-value <= 0.05: Evidently's default for its "ks" test
    // (StatTest.default_threshold = 0.05, `p_value <= threshold`).
    Threshold ksPValue{std::numeric_limits<double>::quiet_NaN(), 0.05};
    // 0.1: Evidently's default for "jensenshannon" (also base 2 there),
    // "hellinger" and "wasserstein" (normed by the reference std).
    Threshold js{std::numeric_limits<double>::quiet_NaN(), 0.1};
    Threshold hellinger{std::numeric_limits<double>::quiet_NaN(), 0.1};
    Threshold wassersteinNormed{std::numeric_limits<double>::quiet_NaN(), 0.1};

    // Which score decides whether a feature counts as drifted for the
    // dataset-level verdict.
    Method primary = Method::Psi;
    // Dataset drift when drifted features / features >= this share: Evidently's
    // DatasetDriftMetric default drift_share = 0.5.
    double datasetDriftShare = 0.5;
};

struct Verdicts
{
    Verdict psi = Verdict::Ok;
    Verdict ks = Verdict::Ok;
    Verdict js = Verdict::Ok;
    Verdict hellinger = Verdict::Ok;
    Verdict wassersteinNormed = Verdict::Ok;
    Verdict of(Method m) const;
};

// A score higher-is-worse against its thresholds.
Verdict judgeDistance(double score, const Threshold &t);
// A p-value lower-is-worse against its thresholds.
Verdict judgePValue(double p, const Threshold &t);

Verdicts judge(const DriftScores &s, const Thresholds &t = {});

struct DatasetVerdict
{
    int features = 0;
    int drifted = 0;
    double share = 0.0;
    bool drift = false;
};
// Features whose primary verdict is Drift, over all features judged (those
// with insufficient data or errors are left out by the caller).
DatasetVerdict judgeDataset(const QList<Verdicts> &features, const Thresholds &t = {});

} // namespace vigil::drift
