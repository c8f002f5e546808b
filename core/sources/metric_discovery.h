// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>
#include <QtPlugin>

namespace vigil {

// One metric a server holds, as discovery sees it.
struct MetricInfo
{
    QString name;       // e.g. model_request_duration_seconds (histograms: without _bucket)
    QString type;       // counter, gauge, histogram, summary, unknown (from /api/v1/metadata, else from the name)
    QString help;
    QStringList labels; // label names its series carry (without __name__ and le)
    friend bool operator==(const MetricInfo &, const MetricInfo &) = default;
};

struct MetricCatalog
{
    ErrorKind error = ErrorKind::None;
    QString message;      // why discovery failed, naming the server and the request
    QList<MetricInfo> metrics;
    int namesSeen = 0;    // metric names the server listed
    int skippedInternal = 0; // go_*, process_*, prometheus_*, ... left out
    bool truncated = false;  // more metrics than asked for: the rest were not looked at
    QStringList notes;    // e.g. "no metadata endpoint: types guessed from the names"
    bool ok() const { return error == ErrorKind::None; }
};

// A connector that can list what its server holds (Prometheus API:
// /api/v1/label/__name__/values, /api/v1/metadata, /api/v1/labels?match[]=).
// Reach it with qobject_cast<MetricDiscovery *>(connector).
class MetricDiscovery
{
public:
    virtual ~MetricDiscovery() = default;
    // At most `maxMetrics` metrics, histograms and counters first.
    virtual QFuture<MetricCatalog> discoverMetrics(int maxMetrics) = 0;
};

// Metric names that describe the monitoring system itself, not a service:
// a proposed dashboard leaves them out.
bool isInternalMetric(const QString &name);

// The type a metric name suggests when the server has no metadata:
// *_bucket -> histogram (base name returned in *baseName), *_total -> counter,
// *_count / *_sum -> "" (part of a histogram or summary), else gauge.
QString typeFromName(const QString &name, QString *baseName);

} // namespace vigil

#define VIGIL_METRIC_DISCOVERY_IID "io.vigil.MetricDiscovery/1.0"
Q_DECLARE_INTERFACE(vigil::MetricDiscovery, VIGIL_METRIC_DISCOVERY_IID)
