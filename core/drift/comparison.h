// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/distances.h"
#include "drift/histogram.h"
#include "drift/verdict.h"

namespace vigil::drift {

enum class Status { Ok, InsufficientData, Error };
QString statusName(Status s); // "ok", "insufficient_data", "error"

// One reference/current comparison. Errors are values: look at `status`
// before reading scores (they are zero unless status is Ok).
struct Comparison
{
    Status status = Status::Ok;
    ErrorKind error = ErrorKind::None; // set when status is Error for an invalid histogram
    QString reason;                    // for the user, when status is not Ok
    DriftScores scores;
    Verdicts verdicts;
};

// Validation first (each side, then identical layouts), then insufficient data
// when either window is empty, then the scores and their verdicts.
Comparison compareWindows(const HistogramResult &ref, const HistogramResult &cur, const Thresholds &t = {});
Comparison compareCumulative(const QList<BucketSample> &ref, const QList<BucketSample> &cur,
                             const Thresholds &t = {});

} // namespace vigil::drift
