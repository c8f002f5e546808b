// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "prometheus_request.h"
#include "sources/connector.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <optional>

namespace vigil::prometheus {

// What a connection's `options:` say about the engine behind the URL. The
// same connector serves Prometheus, VictoriaMetrics (single node and cluster),
// Thanos Query, Mimir and Cortex; these settings are the only differences
// (docs/SCALING.md).
struct EngineOptions
{
    // Mimir/Cortex/Loki tenant: sent as X-Scope-OrgID on every request.
    QString tenant;
    // Thanos Query: partial_response=true|false and dedup=true|false on every
    // query; unset sends nothing and the server's default applies.
    std::optional<bool> partialResponse;
    std::optional<bool> dedup;
    // Range queries longer than this are split into sub-queries at multiples
    // of it (absolute time, like Cortex/Mimir's query frontend splits by day),
    // so each sub-query is the same one every engineer's Vigil sends and a
    // results cache can answer it. 0: never split.
    qint64 splitIntervalMs = 0;
    // At most this many sub-queries of one split query in flight at once.
    int maxConcurrency = 4;
};

// Reads the options; what is wrong goes to `problems` (one message each,
// naming the option and the value) and the default is kept.
EngineOptions parseEngineOptions(const QJsonObject &options, QStringList *problems = nullptr);

// Adds the engine's query parameters (partial_response, dedup) to a query or
// query_range request; then re-decides GET or POST on the final size.
void applyEngineParams(ApiRequest &request, const EngineOptions &options);

// The step-aligned sub-windows of an (already aligned, see chooseRange) range
// window, cut at multiples of `intervalMs`. Every sample timestamp of the
// whole window (start + k*step) is in exactly one sub-window and no other
// timestamp is in any, so concatenating the sub-results gives the whole
// result. One window (the input) when no cut falls inside it.
QList<RangeWindow> splitRange(const RangeWindow &window, qint64 intervalMs);

// Joins the sub-results of a split query, in window order: series matched by
// labels, samples concatenated (a timestamp seen twice keeps the later
// part's value), warnings de-duplicated, bytes summed. The first failed part
// fails the whole, its message naming which part of how many and its window.
QueryResult mergeSplitResults(const QList<QueryResult> &parts, const QList<RangeWindow> &windows);

} // namespace vigil::prometheus
