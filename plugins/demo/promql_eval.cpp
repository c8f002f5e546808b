// SPDX-License-Identifier: GPL-3.0-or-later
#include "promql_eval.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::demo::promql {

namespace {

const QString kNameLabel = QStringLiteral("__name__");
const QString kBucketLabel = QStringLiteral("le");
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One element of an instant vector. The metric name is kept apart from the
// labels, as SeriesKey keeps it; an empty name is a dropped one.
struct Element
{
    QString name;
    Labels labels; // sorted by name, never holding __name__
    double v = 0.0;
};
using Vector = std::vector<Element>;

struct Value
{
    ValueType type = ValueType::Scalar;
    double scalar = 0.0;
    Vector vector;
};

// An execution error, as Prometheus reports them (errorType "execution").
struct EvalError
{
    QString message;
};

QString labelValue(const Element &e, const QString &name)
{
    if (name == kNameLabel)
        return e.name;
    for (const auto &[k, v] : e.labels) {
        if (k == name)
            return v;
    }
    return {};
}

// A string identifying a label set: "name\x1fvalue\x1e..." (label names and
// values cannot contain these control characters in practice).
void appendLabel(QString &sig, const QString &name, const QString &value)
{
    sig += name;
    sig += QChar(0x1f);
    sig += value;
    sig += QChar(0x1e);
}

QString signature(const QString &name, const Labels &labels)
{
    QString sig;
    if (!name.isEmpty())
        appendLabel(sig, kNameLabel, name);
    for (const auto &[k, v] : labels)
        appendLabel(sig, k, v);
    return sig;
}

QString describeLabels(const Element &e)
{
    return SeriesKey(e.name, e.labels).toString();
}

// After the metric name is dropped two elements may be the same series:
// Prometheus refuses that ("vector cannot contain metrics with the same labelset").
void ensureUniqueLabelsets(const Vector &v)
{
    if (v.size() < 2)
        return;
    QSet<QString> seen;
    for (const Element &e : v) {
        const QString sig = signature(e.name, e.labels);
        if (seen.contains(sig))
            throw EvalError{QStringLiteral("vector cannot contain metrics with the same labelset")};
        seen.insert(sig);
    }
}

double apply(BinaryOp op, double l, double r)
{
    // IEEE 754 as in Go: x/0 is +-Inf, 0/0 NaN; math.Mod(x, 0) is NaN like fmod.
    switch (op) {
    case BinaryOp::Add: return l + r;
    case BinaryOp::Sub: return l - r;
    case BinaryOp::Mul: return l * r;
    case BinaryOp::Div: return l / r;
    case BinaryOp::Mod: return std::fmod(l, r);
    case BinaryOp::Pow: return std::pow(l, r);
    }
    return kNaN;
}

struct Bucket
{
    double upperBound;
    double count;
};

// Prometheus' bucketQuantile (promql/quantile.go, 2.x): linear interpolation
// within the bucket the rank falls in; the lowest bucket starts at 0 (unless
// its bound is <= 0, then that bound is the answer); a rank in the +Inf bucket
// answers the highest finite bound; no observations answer NaN.
double bucketQuantile(double q, std::vector<Bucket> buckets)
{
    if (std::isnan(q))
        return kNaN;
    if (q < 0)
        return -kInf;
    if (q > 1)
        return kInf;
    std::sort(buckets.begin(), buckets.end(),
              [](const Bucket &a, const Bucket &b) { return a.upperBound < b.upperBound; });
    if (buckets.empty() || !std::isinf(buckets.back().upperBound) || buckets.back().upperBound < 0)
        return kNaN;
    // Coalesce buckets with the same bound (e.g. "1" and "1.0" from two exporters).
    std::vector<Bucket> merged;
    for (const Bucket &b : buckets) {
        if (!merged.empty() && merged.back().upperBound == b.upperBound)
            merged.back().count += b.count;
        else
            merged.push_back(b);
    }
    // Cumulative counts must not fall: rates of buckets scraped at slightly
    // different moments can; Prometheus raises each to the running maximum.
    double running = -kInf;
    for (Bucket &b : merged) {
        if (b.count > running)
            running = b.count;
        else if (b.count < running)
            b.count = running;
    }
    if (merged.size() < 2)
        return kNaN;
    const double observations = merged.back().count;
    if (observations == 0)
        return kNaN;
    double rank = q * observations;
    // The first bucket (not counting +Inf) whose count reaches the rank.
    size_t b = 0;
    while (b < merged.size() - 1 && merged[b].count < rank)
        ++b;
    if (b == merged.size() - 1)
        return merged[merged.size() - 2].upperBound;
    if (b == 0 && merged[0].upperBound <= 0)
        return merged[0].upperBound;
    double bucketStart = 0.0;
    const double bucketEnd = merged[b].upperBound;
    double count = merged[b].count;
    if (b > 0) {
        bucketStart = merged[b - 1].upperBound;
        count -= merged[b - 1].count;
        rank -= merged[b - 1].count;
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

class Evaluator
{
public:
    explicit Evaluator(const FleetHistory &history) : m_history(history) {}

    Value eval(const Expr &e, qint64 t)
    {
        switch (e.kind) {
        case Expr::Kind::Number: return Value{ValueType::Scalar, e.number, {}};
        case Expr::Kind::VectorSelector: return vectorValue(instantSelector(e, t));
        case Expr::Kind::MatrixSelector:
            // Only reachable as a function argument (handled there) or as the
            // whole query (evaluateInstant handles that).
            throw EvalError{QStringLiteral("a range vector cannot be evaluated here")};
        case Expr::Kind::Call: return vectorValue(call(e, t));
        case Expr::Kind::Aggregate: return vectorValue(aggregate(e, eval(*e.args[0], t).vector));
        case Expr::Kind::Binary: return binary(e, eval(*e.args[0], t), eval(*e.args[1], t));
        case Expr::Kind::Negate: {
            Value v = eval(*e.args[0], t);
            if (v.type == ValueType::Scalar) {
                v.scalar = -v.scalar;
                return v;
            }
            const bool manyNames = hasSeveralNames(v.vector);
            for (Element &el : v.vector) {
                el.name.clear();
                el.v = -el.v;
            }
            if (manyNames)
                ensureUniqueLabelsets(v.vector);
            return v;
        }
        }
        return {};
    }

    // The raw samples a range selector holds at t: (t - range, t], closed at
    // both ends as in Prometheus 2.x (3.0 made the start open).
    QList<SeriesData> rawRange(const Expr &e, qint64 t)
    {
        QList<SeriesData> out;
        for (int index : selected(e)) {
            const Series &s = m_history.samples(index);
            SeriesData d{m_history.key(index), {}};
            for (qsizetype i = s.lowerBound(t - e.rangeMs); i < s.size() && s.at(i).t <= t; ++i)
                d.samples.append(s.at(i));
            if (!d.samples.isEmpty())
                out.append(std::move(d));
        }
        return out;
    }

private:
    static Value vectorValue(Vector v) { return Value{ValueType::Vector, 0.0, std::move(v)}; }

    static bool hasSeveralNames(const Vector &v)
    {
        return std::any_of(v.begin(), v.end(), [&](const Element &e) { return e.name != v.front().name; });
    }

    // Selectors are resolved once per query, not once per step.
    const QList<int> &selected(const Expr &selector)
    {
        auto it = m_selected.find(&selector);
        if (it == m_selected.end())
            it = m_selected.insert(&selector, m_history.select(selector.matchers));
        return it.value();
    }

    // The newest sample at or before t, if it is within the lookback window.
    Vector instantSelector(const Expr &e, qint64 t)
    {
        Vector out;
        for (int index : selected(e)) {
            const Series &s = m_history.samples(index);
            const qsizetype i = s.lowerBound(t + 1) - 1;
            if (i < 0 || s.at(i).t < t - kLookbackMs)
                continue;
            const SeriesKey &key = m_history.key(index);
            out.push_back(Element{key.name(), key.labels(), s.at(i).v});
        }
        return out;
    }

    Vector call(const Expr &e, qint64 t)
    {
        switch (e.function) {
        case Function::Rate: return extrapolatedRate(*e.args[0], t, true);
        case Function::Increase: return extrapolatedRate(*e.args[0], t, false);
        case Function::HistogramQuantile: {
            const Value q = eval(*e.args[0], t);
            return histogramQuantile(q.scalar, eval(*e.args[1], t).vector);
        }
        }
        return {};
    }

    // rate() and increase() as Prometheus 2.x computes them (extrapolatedRate in
    // promql/functions.go): the difference between the first and last sample in
    // the window, plus the value before each drop (a counter reset), then
    // extrapolated towards the window's edges: all the way when the first/last
    // sample is within 1.1 average sample intervals of the edge, else by half an
    // interval; never below the point where the counter would have been zero.
    Vector extrapolatedRate(const Expr &matrix, qint64 t, bool isRate)
    {
        Vector out;
        const qint64 rangeStart = t - matrix.rangeMs;
        for (int index : selected(matrix)) {
            const Series &s = m_history.samples(index);
            const qsizetype a = s.lowerBound(rangeStart);
            const qsizetype b = s.lowerBound(t + 1); // one past the last sample <= t
            if (b - a < 2)
                continue;
            const vigil::Sample &first = s.at(a);
            const vigil::Sample &last = s.at(b - 1);
            double result = last.v - first.v;
            double previous = 0.0;
            for (qsizetype i = a; i < b; ++i) {
                const double v = s.at(i).v;
                if (v < previous)
                    result += previous;
                previous = v;
            }
            double durationToStart = double(first.t - rangeStart) / 1000.0;
            const double durationToEnd = double(t - last.t) / 1000.0;
            const double sampledInterval = double(last.t - first.t) / 1000.0;
            const double averageInterval = sampledInterval / double(b - a - 1);
            if (result > 0 && first.v >= 0) {
                const double durationToZero = sampledInterval * (first.v / result);
                if (durationToZero < durationToStart)
                    durationToStart = durationToZero;
            }
            const double threshold = averageInterval * 1.1;
            double extrapolateTo = sampledInterval;
            extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
            extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
            result *= extrapolateTo / sampledInterval;
            if (isRate)
                result /= double(matrix.rangeMs) / 1000.0;
            out.push_back(Element{QString(), m_history.key(index).labels(), result});
        }
        if (out.size() > 1 && !matrix.metricName.isEmpty())
            return out; // one metric name: dropping it cannot make two series equal
        ensureUniqueLabelsets(out);
        return out;
    }

    Vector histogramQuantile(double q, const Vector &in)
    {
        struct Group
        {
            Labels labels;
            std::vector<Bucket> buckets;
        };
        QHash<QString, qsizetype> index;
        std::vector<Group> groups;
        for (const Element &e : in) {
            const QString le = labelValue(e, kBucketLabel);
            bool ok = false;
            const double bound = le.toDouble(&ok);
            if (!ok)
                continue; // no or a malformed le label: skipped, as Prometheus does
            Labels labels = e.labels;
            labels.removeIf([](const Label &l) { return l.first == kBucketLabel; });
            const QString sig = signature(QString(), labels);
            auto it = index.constFind(sig);
            if (it == index.constEnd()) {
                it = index.insert(sig, qsizetype(groups.size()));
                groups.push_back(Group{labels, {}});
            }
            groups[size_t(it.value())].buckets.push_back(Bucket{bound, e.v});
        }
        Vector out;
        out.reserve(groups.size());
        for (Group &g : groups)
            out.push_back(Element{QString(), g.labels, bucketQuantile(q, std::move(g.buckets))});
        return out;
    }

    // sum, avg, min, max, count as promql/engine.go's aggregation() (2.x).
    Vector aggregate(const Expr &e, const Vector &in)
    {
        struct Group
        {
            Element out;
            double value = 0.0;
            double mean = 0.0;
            qint64 count = 0;
        };
        QHash<QString, qsizetype> index;
        std::vector<Group> groups;
        const bool keepName = !e.without && e.grouping.contains(kNameLabel);
        for (const Element &el : in) {
            // The group's labels: `by` keeps only the listed labels, `without`
            // drops the listed ones and the metric name.
            Labels labels;
            for (const Label &l : el.labels) {
                if (e.grouping.contains(l.first) != e.without)
                    labels.append(l);
            }
            const QString name = keepName ? el.name : QString();
            const QString sig = signature(name, labels);
            auto it = index.constFind(sig);
            if (it == index.constEnd()) {
                index.insert(sig, qsizetype(groups.size()));
                groups.push_back(Group{Element{name, std::move(labels), 0.0}, el.v, el.v, 1});
                continue;
            }
            Group &g = groups[size_t(it.value())];
            ++g.count;
            switch (e.aggregate) {
            case AggregateOp::Sum: g.value += el.v; break;
            case AggregateOp::Max:
                if (g.value < el.v || std::isnan(g.value))
                    g.value = el.v;
                break;
            case AggregateOp::Min:
                if (g.value > el.v || std::isnan(g.value))
                    g.value = el.v;
                break;
            case AggregateOp::Avg:
                // Prometheus' incremental mean (no overflow for large values),
                // keeping an infinite mean when finite values follow.
                if (std::isinf(g.mean)) {
                    if (std::isinf(el.v) && (g.mean > 0) == (el.v > 0))
                        break;
                    if (!std::isinf(el.v) && !std::isnan(el.v))
                        break;
                }
                g.mean += el.v / double(g.count) - g.mean / double(g.count);
                break;
            case AggregateOp::Count: break;
            }
        }
        Vector out;
        out.reserve(groups.size());
        for (Group &g : groups) {
            switch (e.aggregate) {
            case AggregateOp::Avg: g.out.v = g.mean; break;
            case AggregateOp::Count: g.out.v = double(g.count); break;
            default: g.out.v = g.value; break;
            }
            out.push_back(std::move(g.out));
        }
        return out;
    }

    // The label set two elements are matched on: the `on` labels, or all but
    // the `ignoring` ones and the metric name.
    static QString matchSignature(const Expr &e, const Element &el)
    {
        QString sig;
        if (e.matchOn) {
            if (e.matchingLabels.contains(kNameLabel) && !el.name.isEmpty())
                appendLabel(sig, kNameLabel, el.name);
            for (const Label &l : el.labels) {
                if (e.matchingLabels.contains(l.first))
                    appendLabel(sig, l.first, l.second);
            }
        } else {
            for (const Label &l : el.labels) {
                if (!e.matchingLabels.contains(l.first))
                    appendLabel(sig, l.first, l.second);
            }
        }
        return sig;
    }

    Value binary(const Expr &e, Value lhs, Value rhs)
    {
        if (lhs.type == ValueType::Scalar && rhs.type == ValueType::Scalar)
            return Value{ValueType::Scalar, apply(e.op, lhs.scalar, rhs.scalar), {}};
        if (lhs.type == ValueType::Vector && rhs.type == ValueType::Vector)
            return vectorValue(vectorBinary(e, lhs.vector, rhs.vector));
        // Vector and scalar: every element, metric name dropped (arithmetic).
        const bool scalarLeft = lhs.type == ValueType::Scalar;
        Vector v = scalarLeft ? std::move(rhs.vector) : std::move(lhs.vector);
        const double s = scalarLeft ? lhs.scalar : rhs.scalar;
        const bool manyNames = hasSeveralNames(v);
        for (Element &el : v) {
            el.name.clear();
            el.v = scalarLeft ? apply(e.op, s, el.v) : apply(e.op, el.v, s);
        }
        if (manyNames)
            ensureUniqueLabelsets(v);
        return vectorValue(std::move(v));
    }

    // One-to-one matching (VectorBinop in promql/engine.go): each left element
    // pairs with the right element of the same signature; unmatched ones drop.
    Vector vectorBinary(const Expr &e, const Vector &lhs, const Vector &rhs)
    {
        QHash<QString, qsizetype> right;
        for (qsizetype i = 0; i < qsizetype(rhs.size()); ++i) {
            const QString sig = matchSignature(e, rhs[size_t(i)]);
            const auto it = right.constFind(sig);
            if (it != right.constEnd())
                throw EvalError{QStringLiteral("found duplicate series for the match group on the right hand-side "
                                               "of the operation: [%1, %2];many-to-many matching not allowed: "
                                               "matching labels must be unique on one side")
                                    .arg(describeLabels(rhs[size_t(it.value())]), describeLabels(rhs[size_t(i)]))};
            right.insert(sig, i);
        }
        QSet<QString> matched;
        Vector out;
        for (const Element &l : lhs) {
            const QString sig = matchSignature(e, l);
            const auto it = right.constFind(sig);
            if (it == right.constEnd())
                continue;
            if (matched.contains(sig))
                throw EvalError{QStringLiteral("multiple matches for labels: many-to-one matching must be explicit "
                                               "(group_left/group_right)")};
            matched.insert(sig);
            // The left side's labels, without the metric name; with on(), only
            // the `on` labels; with ignoring(), without the ignored ones.
            Labels labels;
            for (const Label &lab : l.labels) {
                if (e.matchingLabels.contains(lab.first) == e.matchOn)
                    labels.append(lab);
            }
            out.push_back(Element{QString(), std::move(labels), apply(e.op, l.v, rhs[size_t(it.value())].v)});
        }
        return out;
    }

    const FleetHistory &m_history;
    QHash<const Expr *, QList<int>> m_selected;
};

QList<SeriesData> sorted(QList<SeriesData> series)
{
    std::sort(series.begin(), series.end(), [](const SeriesData &a, const SeriesData &b) { return a.key < b.key; });
    return series;
}

QueryResult executionError(const QString &message)
{
    return QueryResult::failure(ErrorKind::Server,
                                QStringLiteral("the demo connector could not evaluate the query (execution): %1")
                                    .arg(message));
}

} // namespace

QueryResult evaluateInstant(const FleetHistory &history, const Expr &expr, qint64 timeMs)
{
    QueryResult r;
    Evaluator ev(history);
    try {
        if (expr.kind == Expr::Kind::MatrixSelector) {
            r.type = ResultType::Matrix;
            r.series = sorted(ev.rawRange(expr, timeMs));
            return r;
        }
        const Value v = ev.eval(expr, timeMs);
        if (v.type == ValueType::Scalar) {
            r.type = ResultType::Scalar;
            r.series.append(SeriesData{SeriesKey(), {vigil::Sample{timeMs, v.scalar}}});
            return r;
        }
        r.type = ResultType::Vector;
        r.series.reserve(qsizetype(v.vector.size()));
        for (const Element &e : v.vector)
            r.series.append(SeriesData{SeriesKey(e.name, e.labels), {vigil::Sample{timeMs, e.v}}});
        r.series = sorted(std::move(r.series));
    } catch (const EvalError &e) {
        return executionError(e.message);
    }
    return r;
}

QueryResult evaluateRange(const FleetHistory &history, const Expr &expr, qint64 startMs, qint64 endMs,
                          qint64 stepMs)
{
    // The checks and messages of Prometheus' /api/v1/query_range.
    if (stepMs <= 0)
        return QueryResult::failure(ErrorKind::Server, QStringLiteral("the demo connector rejected the query (bad_data): "
                                                                      "zero or negative query resolution step widths "
                                                                      "are not accepted. Try a positive integer"));
    if (endMs < startMs)
        return QueryResult::failure(ErrorKind::Server, QStringLiteral("the demo connector rejected the query (bad_data): "
                                                                      "end timestamp must not be before start time"));
    if ((endMs - startMs) / stepMs > kMaxPointsPerSeries)
        return QueryResult::failure(ErrorKind::Server,
                                    QStringLiteral("the demo connector rejected the query (bad_data): exceeded maximum "
                                                   "resolution of 11,000 points per timeseries. Try decreasing the "
                                                   "query resolution (?step=XX)"));
    if (expr.type == ValueType::Matrix)
        return QueryResult::failure(ErrorKind::Server,
                                    QStringLiteral("the demo connector rejected the query (bad_data): invalid expression "
                                                   "type \"range vector\" for range query, must be Scalar or instant "
                                                   "Vector"));
    QueryResult r;
    r.type = ResultType::Matrix;
    Evaluator ev(history);
    QHash<SeriesKey, qsizetype> index;
    try {
        for (qint64 t = startMs; t <= endMs; t += stepMs) {
            const Value v = ev.eval(expr, t);
            if (v.type == ValueType::Scalar) {
                if (r.series.isEmpty())
                    r.series.append(SeriesData{SeriesKey(), {}});
                r.series.first().samples.append(vigil::Sample{t, v.scalar});
                continue;
            }
            for (const Element &e : v.vector) {
                SeriesKey key(e.name, e.labels);
                auto it = index.constFind(key);
                if (it == index.constEnd()) {
                    it = index.insert(key, r.series.size());
                    r.series.append(SeriesData{key, {}});
                }
                r.series[it.value()].samples.append(vigil::Sample{t, e.v});
            }
        }
    } catch (const EvalError &e) {
        return executionError(e.message);
    }
    r.series = sorted(std::move(r.series));
    return r;
}

QueryResult evaluate(const FleetHistory &history, const QueryRequest &request)
{
    const ParseResult parsed = parse(request.expr);
    if (!parsed.ok()) {
        const QString message = parsed.unsupported
                                    ? parsed.error
                                    : QStringLiteral("the demo connector rejected the query (bad_data): %1").arg(parsed.error);
        return QueryResult::failure(ErrorKind::Server, message);
    }
    if (request.kind == QueryKind::Instant)
        return evaluateInstant(history, *parsed.expr, request.timeMs);
    return evaluateRange(history, *parsed.expr, request.startMs, request.endMs, request.stepMs);
}

} // namespace vigil::demo::promql
