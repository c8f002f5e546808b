// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <vector>

namespace vigil::drift {

// Why a histogram (or a pair of them) cannot be compared. The names returned
// by errorKindName() are the `error_kind` strings of `vigil drift --json`
// (issue 4); scripts match on them, so they never change.
enum class ErrorKind {
    None,
    NonMonotoneCumulative, // a cumulative count below the one of a lower `le`
    MissingInfBucket,      // no `le="+Inf"` bucket
    DuplicateLe,           // two buckets with the same bound ("1" and "1.0" count as the same)
    NoFiniteBucket,        // only `+Inf`: nothing to compare
    BucketLayoutMismatch,  // reference and current have different bounds
    NegativeCount,
    BadLe,                 // an `le` that is not a number (or is NaN or -Inf)
    BadCount,              // a count that is not a finite number
};

QString errorKindName(ErrorKind kind);

// One `_bucket` sample as read: the `le` label as written and its cumulative
// count. A count that could not be read as a number is NaN (it becomes BadCount).
struct BucketSample
{
    QString le;
    double count = 0.0;
};

// A validated histogram: finite upper bounds sorted ascending, then the +Inf
// bucket; per-bucket (non-cumulative) counts, one more than there are bounds.
struct Histogram
{
    std::vector<double> bounds; // finite `le` values, ascending; the last bucket is +Inf
    std::vector<double> counts; // bounds.size() + 1 per-bucket counts, all >= 0
    double total = 0.0;         // the +Inf cumulative count

    bool isEmpty() const { return total <= 0.0; }
};

struct HistogramResult
{
    ErrorKind error = ErrorKind::None;
    QString message; // for the user: which bucket and why
    Histogram histogram;
    bool ok() const { return error == ErrorKind::None; }
};

// Relative tolerance for "cumulative counts never decrease": a bucket may sit
// below the previous one by this fraction of the larger count (rounding in a
// server's increase() over float counters) and is then counted as 0.
inline constexpr double kCumulativeTolerance = 1e-12;

// Parses and validates a Prometheus cumulative histogram (`_bucket` series in
// any order). The checks run in a fixed order so one input always gives the
// same error: each `le` parses (BadLe), each count is finite (BadCount) and
// >= 0 (NegativeCount); no `le` repeats (DuplicateLe); there is a +Inf bucket
// (MissingInfBucket) and a finite one (NoFiniteBucket); then, sorted by `le`,
// counts never decrease (NonMonotoneCumulative).
HistogramResult histogramFromCumulative(const QList<BucketSample> &buckets);

// Parses an `le` as Prometheus writes it ("0.5", "1e+06", "+Inf"); nullopt-like
// NaN when it is not a usable bound.
double parseLe(const QString &le, bool *ok);

// True when both have the same finite bounds (bit for bit after parsing).
bool sameLayout(const Histogram &a, const Histogram &b);

// The window between two scrapes of the same raw counters. Per `le`, end -
// start; but when any cumulative counter decreased (the process restarted and
// its counters reset), the window is the end scrape alone, as Prometheus'
// increase() would treat it. Both scrapes are validated first and must share
// one layout (BucketLayoutMismatch otherwise).
struct WindowResult
{
    ErrorKind error = ErrorKind::None;
    QString message;
    Histogram window;
    bool counterReset = false; // the window is the end scrape
    bool ok() const { return error == ErrorKind::None; }
};
WindowResult windowFromScrapes(const QList<BucketSample> &start, const QList<BucketSample> &end);

} // namespace vigil::drift
