// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/decimate.h"

#include <algorithm>
#include <cmath>

namespace vigil {

QList<QPointF> decimateMinMax(const QList<Sample> &samples, qint64 fromMs, qint64 toMs, int pixels)
{
    QList<QPointF> out;
    pixels = std::max(pixels, 1);
    qsizetype finite = 0;
    for (const Sample &s : samples)
        finite += std::isfinite(s.v) ? 1 : 0;
    if (finite <= 2 * pixels) {
        out.reserve(finite);
        for (const Sample &s : samples)
            if (std::isfinite(s.v))
                out.append(QPointF(double(s.t), s.v));
        return out;
    }
    const double span = std::max<double>(1.0, double(toMs - fromMs));
    // One column fewer than pixels: with the two true ends added below, a
    // series never exceeds 2 * pixels points (issue 7's bound), not 2 * pixels + 2.
    const int columns = std::max(1, pixels - 1);
    out.reserve(2 * columns + 2);
    qsizetype i = 0;
    const qsizetype n = samples.size();
    while (i < n) {
        if (!std::isfinite(samples[i].v)) {
            ++i;
            continue;
        }
        const int column = std::clamp(int(double(samples[i].t - fromMs) / span * columns), 0, columns - 1);
        qsizetype minI = i, maxI = i;
        qsizetype j = i + 1;
        for (; j < n; ++j) {
            if (std::clamp(int(double(samples[j].t - fromMs) / span * columns), 0, columns - 1) != column)
                break;
            if (!std::isfinite(samples[j].v))
                continue;
            if (samples[j].v < samples[minI].v)
                minI = j;
            if (samples[j].v > samples[maxI].v)
                maxI = j;
        }
        const qsizetype a = std::min(minI, maxI), b = std::max(minI, maxI);
        out.append(QPointF(double(samples[a].t), samples[a].v));
        if (b != a)
            out.append(QPointF(double(samples[b].t), samples[b].v));
        i = j;
    }
    // Keep the true ends so the line reaches both edges of the data.
    auto firstFinite = std::find_if(samples.begin(), samples.end(), [](const Sample &s) { return std::isfinite(s.v); });
    auto lastFinite = std::find_if(samples.rbegin(), samples.rend(), [](const Sample &s) { return std::isfinite(s.v); });
    if (!out.isEmpty() && out.first().x() != double(firstFinite->t))
        out.prepend(QPointF(double(firstFinite->t), firstFinite->v));
    if (!out.isEmpty() && out.last().x() != double(lastFinite->t))
        out.append(QPointF(double(lastFinite->t), lastFinite->v));
    return out;
}

} // namespace vigil
