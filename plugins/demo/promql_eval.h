// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet_history.h"
#include "promql_parser.h"

#include "sources/connector.h"

namespace vigil::demo::promql {

// Prometheus' --query.lookback-delta default: an instant selector takes the
// newest sample at most this old.
constexpr qint64 kLookbackMs = 5 * 60'000;
// Prometheus refuses range queries with more points per series than this.
constexpr qint64 kMaxPointsPerSeries = 11'000;

// Evaluates a parsed expression over a history, as Prometheus 2.x would over the
// same raw samples. The result is shaped like the Prometheus connector's:
// SeriesKey(<__name__ or empty>, <other labels>), series sorted by key; an
// execution error (e.g. many-to-many matching) is a failure of kind Server.
//
// Instant: a vector (or a scalar, or for a bare range selector the raw samples
// of a matrix) at `timeMs`. Range: the expression at start, start + step, ...
// up to end inclusive, as /api/v1/query_range does (no alignment here: the
// connector aligns the window first, as the Prometheus connector does).
QueryResult evaluateInstant(const FleetHistory &history, const Expr &expr, qint64 timeMs);
QueryResult evaluateRange(const FleetHistory &history, const Expr &expr, qint64 startMs, qint64 endMs,
                          qint64 stepMs);

// Parses and evaluates one request (timeMs, startMs, endMs taken as they are).
// A query outside the subset fails with kind Server and a message naming what
// is not supported and what is.
QueryResult evaluate(const FleetHistory &history, const QueryRequest &request);

} // namespace vigil::demo::promql
