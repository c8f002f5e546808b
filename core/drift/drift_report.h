// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/comparison.h"
#include "series/series_key.h"
#include "sources/connector.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>
#include <QTextStream>
#include <functional>

namespace vigil::drift {

// `vigil drift`: reading the input files, pairing their histograms and
// printing the report. Everything but the Prometheus body parser lives here so
// the unit tests exercise the command as users run it; the parser comes in as
// a function because core/ does not depend on plugins (app/ passes
// vigil::prometheus::parseQueryResponse).
using QueryParser = std::function<QueryResult(QByteArrayView body)>;

// The three accepted shapes (issue 4):
//  - a Prometheus /api/v1/query response whose vector holds `_bucket` series
//    with `le` labels: one histogram per group of the other labels;
//  - {"buckets": [{"le": "0.5", "count": 12}, ...]} with cumulative counts;
//  - {"start": {"buckets": [...]}, "end": {"buckets": [...]}}: two scrapes of
//    raw counters, the window being their difference (see windowFromScrapes).
enum class FileShape { PrometheusQuery, Buckets, Scrapes };

struct DriftGroup
{
    SeriesKey key; // the metric name and every label but `le`; empty for the bucket shapes
    QList<BucketSample> buckets; // cumulative; for Scrapes, the end scrape
    QList<BucketSample> start;   // Scrapes only
};

struct DriftFile
{
    QString error; // empty when the file was read; otherwise what is wrong with it, for the user
    FileShape shape = FileShape::Buckets;
    QList<DriftGroup> groups; // sorted by key
    bool ok() const { return error.isEmpty(); }
};

// `where` names the file in messages.
DriftFile parseDriftFile(const QByteArray &body, const QueryParser &parsePrometheus, const QString &where);
DriftFile readDriftFile(const QString &path, const QueryParser &parsePrometheus);

// The window a group stands for: validated cumulative buckets, or the
// difference of two scrapes.
HistogramResult groupWindow(const DriftGroup &group, FileShape shape);

struct ReportEntry
{
    SeriesKey key;
    Comparison comparison;
};

struct DriftReport
{
    QList<ReportEntry> entries;
    DatasetVerdict dataset; // over the entries with status ok
    Thresholds thresholds;
    // 0 when every comparison is ok or has insufficient data, 1 otherwise.
    int exitCode() const;
};

// Pairs the groups of both files by key (an unlabelled bucket-shape histogram
// pairs with the other file's single histogram) and compares each pair. A
// group on one side only is an error entry with a reason and no error kind.
DriftReport buildReport(const DriftFile &reference, const DriftFile &current, const Thresholds &t = {});

// `--json`: {"comparisons": [...], "dataset": {...}}; every number with 17
// significant digits, so it reads back as the same double.
QByteArray reportJson(const DriftReport &report);
QString reportText(const DriftReport &report);

// The whole command: args are those after `drift`. Exit status: 0 ok or
// insufficient data, 1 a comparison failed validation, 2 bad usage or an
// unreadable file.
int runDriftCli(const QStringList &args, QTextStream &out, QTextStream &err, const QueryParser &parsePrometheus);

// A double as JSON: 17 significant digits, null when not finite.
QString jsonNumber(double v);

} // namespace vigil::drift
