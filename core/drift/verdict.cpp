// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/verdict.h"

namespace vigil::drift {

QString verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Ok: return QStringLiteral("ok");
    case Verdict::Warning: return QStringLiteral("warning");
    case Verdict::Drift: return QStringLiteral("drift");
    }
    return QString();
}

QString methodName(Method m)
{
    switch (m) {
    case Method::Psi: return QStringLiteral("psi");
    case Method::Ks: return QStringLiteral("ks");
    case Method::JensenShannon: return QStringLiteral("js");
    case Method::Hellinger: return QStringLiteral("hellinger");
    case Method::WassersteinNormed: return QStringLiteral("wasserstein_normed");
    }
    return QString();
}

Verdict Verdicts::of(Method m) const
{
    switch (m) {
    case Method::Psi: return psi;
    case Method::Ks: return ks;
    case Method::JensenShannon: return js;
    case Method::Hellinger: return hellinger;
    case Method::WassersteinNormed: return wassersteinNormed;
    }
    return Verdict::Ok;
}

Verdict judgeDistance(double score, const Threshold &t)
{
    // NaN thresholds compare false: that level is simply never reached.
    if (score >= t.drift)
        return Verdict::Drift;
    if (score >= t.warning)
        return Verdict::Warning;
    return Verdict::Ok;
}

Verdict judgePValue(double p, const Threshold &t)
{
    if (p <= t.drift)
        return Verdict::Drift;
    if (p <= t.warning)
        return Verdict::Warning;
    return Verdict::Ok;
}

Verdicts judge(const DriftScores &s, const Thresholds &t)
{
    Verdicts v;
    v.psi = judgeDistance(s.psi, t.psi);
    v.ks = judgePValue(s.ksPValue, t.ksPValue);
    v.js = judgeDistance(s.js, t.js);
    v.hellinger = judgeDistance(s.hellinger, t.hellinger);
    v.wassersteinNormed = judgeDistance(s.wassersteinNormed, t.wassersteinNormed);
    return v;
}

DatasetVerdict judgeDataset(const QList<Verdicts> &features, const Thresholds &t)
{
    DatasetVerdict d;
    d.features = int(features.size());
    for (const Verdicts &v : features) {
        if (v.of(t.primary) == Verdict::Drift)
            ++d.drifted;
    }
    d.share = d.features > 0 ? double(d.drifted) / d.features : 0.0;
    d.drift = d.features > 0 && d.share >= t.datasetDriftShare;
    return d;
}

} // namespace vigil::drift
