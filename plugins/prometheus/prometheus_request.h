// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace vigil::prometheus {

// Prometheus refuses a range query that would return more than 11,000 points
// per series (web/api/v1: "exceeded maximum resolution of 11,000 points").
constexpr qint64 kMaxPointsPerSeries = 11'000;
// Above this many encoded characters the query goes in a POST form: proxies
// and servers commonly cap the request line around 4-8 KiB.
constexpr qsizetype kPostThreshold = 2000;

struct RangeWindow
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 stepMs = 0;
    friend bool operator==(const RangeWindow &, const RangeWindow &) = default;
};

// The step actually used for a range query: the requested one, coarsened so
// the window stays within kMaxPointsPerSeries, rounded up to a whole second
// (at least 1 s); start and end are aligned down to a multiple of it so
// successive polls hit the same timestamps and overlapping samples replace
// each other in the store instead of interleaving.
RangeWindow chooseRange(qint64 startMs, qint64 endMs, qint64 requestedStepMs);

// Seconds with millisecond precision, as Prometheus takes them: "1700000000.5".
QString formatTimestamp(qint64 ms);

// One call to the HTTP API: the path under the base URL and its parameters.
struct ApiRequest
{
    QString path;
    QUrlQuery params;
    bool post = false; // send params as a form body (long queries)
};

ApiRequest buildQueryRequest(const QueryRequest &request);
ApiRequest buildSeriesRequest(const QStringList &matchers, qint64 startMs = 0, qint64 endMs = 0);
ApiRequest buildLabelNamesRequest(const QStringList &matchers = {}, qint64 startMs = 0, qint64 endMs = 0);
// An empty path means the label name is not valid (it would escape the path).
ApiRequest buildLabelValuesRequest(const QString &labelName, const QStringList &matchers = {},
                                   qint64 startMs = 0, qint64 endMs = 0);
ApiRequest buildBuildInfoRequest();
ApiRequest buildMetadataRequest();

} // namespace vigil::prometheus
