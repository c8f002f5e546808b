// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/comparison.h"

namespace vigil::drift {

QString statusName(Status s)
{
    switch (s) {
    case Status::Ok: return QStringLiteral("ok");
    case Status::InsufficientData: return QStringLiteral("insufficient_data");
    case Status::Error: return QStringLiteral("error");
    }
    return QString();
}

Comparison compareWindows(const HistogramResult &ref, const HistogramResult &cur, const Thresholds &t)
{
    Comparison c;
    if (!ref.ok() || !cur.ok()) {
        const bool refBad = !ref.ok();
        c.status = Status::Error;
        c.error = refBad ? ref.error : cur.error;
        c.reason = QStringLiteral("%1: %2").arg(refBad ? QStringLiteral("reference") : QStringLiteral("current"),
                                                 refBad ? ref.message : cur.message);
        return c;
    }
    // No silent re-binning: a histogram whose buckets changed (a new release
    // with other bounds) is a different measurement.
    if (!sameLayout(ref.histogram, cur.histogram)) {
        c.status = Status::Error;
        c.error = ErrorKind::BucketLayoutMismatch;
        c.reason = QStringLiteral("reference and current have different bucket bounds");
        return c;
    }
    c.scores.nRef = ref.histogram.total;
    c.scores.nCur = cur.histogram.total;
    if (ref.histogram.isEmpty() || cur.histogram.isEmpty()) {
        c.status = Status::InsufficientData;
        c.reason = ref.histogram.isEmpty() && cur.histogram.isEmpty()
                       ? QStringLiteral("both windows are empty")
                       : (ref.histogram.isEmpty() ? QStringLiteral("the reference window is empty")
                                                  : QStringLiteral("the current window is empty"));
        return c;
    }
    c.scores = computeScores(ref.histogram, cur.histogram);
    c.verdicts = judge(c.scores, t);
    return c;
}

Comparison compareCumulative(const QList<BucketSample> &ref, const QList<BucketSample> &cur, const Thresholds &t)
{
    return compareWindows(histogramFromCumulative(ref), histogramFromCumulative(cur), t);
}

} // namespace vigil::drift
