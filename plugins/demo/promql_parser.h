// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet_history.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace vigil::demo::promql {

// The subset of PromQL the demo connector evaluates itself. Semantics follow
// Prometheus 2.x (the version Debian 12 ships, 2.42), from its documentation
// (prometheus.io/docs/prometheus/latest/querying/) and promql/engine.go,
// promql/functions.go and promql/quantile.go; see README.md for the list.

enum class ValueType { Scalar, Vector, Matrix };
QString valueTypeName(ValueType type); // "scalar", "instant vector", "range vector"

enum class AggregateOp { Sum, Avg, Min, Max, Count };
enum class BinaryOp { Add, Sub, Mul, Div, Mod, Pow };
enum class Function { Rate, Increase, HistogramQuantile };

struct Expr
{
    enum class Kind { Number, VectorSelector, MatrixSelector, Call, Aggregate, Binary, Negate };

    Kind kind = Kind::Number;
    ValueType type = ValueType::Scalar;
    int position = 0; // 0-based character offset, for messages

    double number = 0.0; // Number

    // VectorSelector, MatrixSelector. A metric name is also a matcher
    // (__name__="..."), as in Prometheus.
    QString metricName;
    QList<LabelMatcher> matchers;
    qint64 rangeMs = 0; // MatrixSelector: the [range]

    Function function = Function::Rate; // Call

    AggregateOp aggregate = AggregateOp::Sum; // Aggregate
    bool without = false;
    QStringList grouping;

    BinaryOp op = BinaryOp::Add; // Binary
    bool matchOn = false;        // on(...) rather than ignoring(...)
    QStringList matchingLabels;

    // Call: the arguments; Aggregate: the aggregated expression; Binary: lhs,
    // rhs; Negate: the operand.
    std::vector<std::unique_ptr<Expr>> args;
};

struct ParseResult
{
    std::unique_ptr<Expr> expr;
    // Empty when parsing succeeded. Written like Prometheus' own parse errors
    // ("parse error at char 12: ..."), or, for valid PromQL outside the subset,
    // "the demo connector does not support X (supported: ...)".
    QString error;
    bool unsupported = false; // valid PromQL, just not here
    bool ok() const { return expr != nullptr; }
};

ParseResult parse(const QString &text);

// "1m", "90s", "1h30m", "500ms": Prometheus durations (units y w d h m s ms,
// largest first, integers only). -1 when malformed or longer than
// Prometheus accepts (kMaxDurationMs, about 292 years).
qint64 parseDuration(const QString &text);

// One line naming what is supported, for error messages.
QString supportedSubset();

} // namespace vigil::demo::promql
