// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/histogram.h"

#include <algorithm>
#include <charconv>
#include <cfloat>
#include <cstring>
#include <cmath>
#include <limits>
#include <numeric>

namespace vigil::drift {

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None: return QString();
    case ErrorKind::NonMonotoneCumulative: return QStringLiteral("non_monotone_cumulative");
    case ErrorKind::MissingInfBucket: return QStringLiteral("missing_inf_bucket");
    case ErrorKind::DuplicateLe: return QStringLiteral("duplicate_le");
    case ErrorKind::NoFiniteBucket: return QStringLiteral("no_finite_bucket");
    case ErrorKind::BucketLayoutMismatch: return QStringLiteral("bucket_layout_mismatch");
    case ErrorKind::NegativeCount: return QStringLiteral("negative_count");
    case ErrorKind::BadLe: return QStringLiteral("bad_le");
    case ErrorKind::BadCount: return QStringLiteral("bad_count");
    }
    return QString();
}

namespace {

// The common case, without allocating: an `le` as Prometheus clients write it
// ("0.25", "1e+06", "+Inf"), plain ASCII without surrounding spaces. Returns
// false when the text is anything else, and parseLe then takes the general
// path below, so the accepted set and every value stay what QString::toDouble
// gives (both round correctly; from_chars refuses what it cannot represent,
// which the general path then decides on).
bool parseLeFast(const QString &le, double *out)
{
    const qsizetype n = le.size();
    if (n == 0 || n > 64)
        return false;
    char buf[64];
    const QChar *src = le.constData();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = src[i].unicode();
        if (c > 0x7e || c <= 0x20)
            return false; // non-ASCII or whitespace: the general path trims and decides
        buf[i] = char(c);
    }
    if (n == 4 && std::memcmp(buf, "+Inf", 4) == 0) {
        *out = std::numeric_limits<double>::infinity();
        return true;
    }
    const char *first = buf;
    const char *last = buf + n;
    const bool plus = *first == '+';
    if (plus)
        ++first; // from_chars takes no '+'
    if (first == last || !((*first >= '0' && *first <= '9') || *first == '.' || (*first == '-' && !plus)))
        return false; // "inf", "nan", "+-1", ...: the general path
    double v = 0.0;
    const auto [end, ec] = std::from_chars(first, last, v, std::chars_format::general);
    // Subnormals too go the general path: how they round is its decision.
    if (ec != std::errc() || end != last || !std::isfinite(v) || (v != 0.0 && std::abs(v) < DBL_MIN))
        return false;
    *out = v;
    return true;
}

} // namespace

double parseLe(const QString &le, bool *ok)
{
    if (double v = 0.0; parseLeFast(le, &v)) {
        if (ok)
            *ok = true;
        return v;
    }
    const QString t = le.trimmed();
    double v = std::numeric_limits<double>::quiet_NaN();
    bool parsed = false;
    if (t == QLatin1String("+Inf") || t == QLatin1String("Inf") || t == QLatin1String("inf")
        || t == QLatin1String("+inf")) {
        v = std::numeric_limits<double>::infinity();
        parsed = true;
    } else if (!t.isEmpty()) {
        v = t.toDouble(&parsed);
    }
    // NaN and -Inf are not bounds: no observation is <= NaN, and a bucket
    // below -Inf is empty by definition.
    if (!parsed || std::isnan(v) || v == -std::numeric_limits<double>::infinity()) {
        parsed = false;
    }
    if (ok)
        *ok = parsed;
    return v;
}

namespace {

QString countText(double v)
{
    return QString::number(v, 'g', 17);
}

// Sorted bounds (the last is +Inf) and their cumulative counts, validated.
struct Cumulative
{
    ErrorKind error = ErrorKind::None;
    QString message;
    std::vector<double> le;  // ascending, last is +Inf
    std::vector<double> cum; // cumulative counts, as given
};

Cumulative readCumulative(const QList<BucketSample> &buckets)
{
    Cumulative out;
    std::vector<std::pair<double, double>> rows;
    rows.reserve(buckets.size());
    for (const BucketSample &b : buckets) {
        bool ok = false;
        const double le = parseLe(b.le, &ok);
        if (!ok) {
            out.error = ErrorKind::BadLe;
            out.message = QStringLiteral("le=\"%1\" is not a bucket bound (a number or +Inf)").arg(b.le.left(80));
            return out;
        }
        if (!std::isfinite(b.count)) {
            out.error = ErrorKind::BadCount;
            out.message = QStringLiteral("the count of le=\"%1\" is not a finite number").arg(b.le);
            return out;
        }
        if (b.count < 0) {
            out.error = ErrorKind::NegativeCount;
            out.message = QStringLiteral("the count of le=\"%1\" is negative (%2)").arg(b.le, countText(b.count));
            return out;
        }
        rows.emplace_back(le, b.count);
    }
    // Prometheus does not promise any order of the series in a result vector.
    std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].first == rows[i - 1].first) {
            out.error = ErrorKind::DuplicateLe;
            out.message = QStringLiteral("two buckets have the bound le=%1")
                              .arg(std::isinf(rows[i].first) ? QStringLiteral("+Inf") : countText(rows[i].first));
            return out;
        }
    }
    if (rows.empty() || !std::isinf(rows.back().first)) {
        out.error = ErrorKind::MissingInfBucket;
        out.message = QStringLiteral("there is no le=\"+Inf\" bucket (it holds the total count)");
        return out;
    }
    if (rows.size() < 2) {
        out.error = ErrorKind::NoFiniteBucket;
        out.message = QStringLiteral("there is only the le=\"+Inf\" bucket: no finite bound to compare on");
        return out;
    }
    out.le.reserve(rows.size());
    out.cum.reserve(rows.size());
    for (const auto &[le, c] : rows) {
        out.le.push_back(le);
        out.cum.push_back(c);
    }
    return out;
}

// Per-bucket counts from sorted cumulative ones, checking they never decrease
// beyond the relative tolerance. Empty message: ok.
ErrorKind toHistogram(const std::vector<double> &le, const std::vector<double> &cum, Histogram &h, QString &message)
{
    h.bounds.assign(le.begin(), le.end() - 1);
    h.counts.assign(cum.size(), 0.0);
    double prev = 0.0;
    for (size_t i = 0; i < cum.size(); ++i) {
        const double diff = cum[i] - prev;
        if (diff < 0) {
            const double scale = std::max(std::abs(prev), std::abs(cum[i]));
            if (-diff > kCumulativeTolerance * scale) {
                message = QStringLiteral("cumulative counts decrease: le=%1 has %2, below %3 at le=%4")
                              .arg(std::isinf(le[i]) ? QStringLiteral("+Inf") : countText(le[i]), countText(cum[i]),
                                   countText(prev), countText(le[i - 1]));
                return ErrorKind::NonMonotoneCumulative;
            }
            // Within rounding: an empty bucket, and the running total stays
            // where it was so the next bucket is measured from it.
            h.counts[i] = 0.0;
            continue;
        }
        h.counts[i] = diff;
        prev = cum[i];
    }
    h.total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
    return ErrorKind::None;
}

} // namespace

HistogramResult histogramFromCumulative(const QList<BucketSample> &buckets)
{
    HistogramResult r;
    const Cumulative c = readCumulative(buckets);
    if (c.error != ErrorKind::None) {
        r.error = c.error;
        r.message = c.message;
        return r;
    }
    r.error = toHistogram(c.le, c.cum, r.histogram, r.message);
    return r;
}

bool sameLayout(const Histogram &a, const Histogram &b)
{
    return a.bounds == b.bounds;
}

WindowResult windowFromScrapes(const QList<BucketSample> &start, const QList<BucketSample> &end)
{
    WindowResult r;
    const Cumulative s = readCumulative(start);
    if (s.error != ErrorKind::None) {
        r.error = s.error;
        r.message = QStringLiteral("start scrape: %1").arg(s.message);
        return r;
    }
    const Cumulative e = readCumulative(end);
    if (e.error != ErrorKind::None) {
        r.error = e.error;
        r.message = QStringLiteral("end scrape: %1").arg(e.message);
        return r;
    }
    // Each scrape must be a histogram on its own before we take a difference.
    Histogram scratch;
    QString msg;
    if (const ErrorKind k = toHistogram(s.le, s.cum, scratch, msg); k != ErrorKind::None) {
        r.error = k;
        r.message = QStringLiteral("start scrape: %1").arg(msg);
        return r;
    }
    if (const ErrorKind k = toHistogram(e.le, e.cum, scratch, msg); k != ErrorKind::None) {
        r.error = k;
        r.message = QStringLiteral("end scrape: %1").arg(msg);
        return r;
    }
    if (s.le != e.le) {
        r.error = ErrorKind::BucketLayoutMismatch;
        r.message = QStringLiteral("the start and end scrapes have different bucket bounds");
        return r;
    }
    // A counter that went down was reset (a restart): like increase(), take
    // the end scrape as everything observed since the reset.
    for (size_t i = 0; i < s.cum.size(); ++i) {
        if (e.cum[i] < s.cum[i]) {
            r.counterReset = true;
            break;
        }
    }
    std::vector<double> cum(e.cum);
    if (!r.counterReset) {
        for (size_t i = 0; i < cum.size(); ++i)
            cum[i] = e.cum[i] - s.cum[i];
    }
    if (const ErrorKind k = toHistogram(e.le, cum, r.window, msg); k != ErrorKind::None) {
        r.error = k;
        r.message = QStringLiteral("the window (end - start): %1").arg(msg);
    }
    return r;
}

} // namespace vigil::drift
