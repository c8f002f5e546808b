// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "prometheus_engine.h"
#include "prometheus_request.h"
#include "prometheus_response.h"
#include "sources/connector.h"
#include "sources/metric_discovery.h"

#include <QFuture>

namespace vigil {
class HttpClient;
struct HttpResponse;
}

namespace vigil::prometheus {

// A connection to anything that speaks the Prometheus HTTP API: Prometheus,
// VictoriaMetrics (single node, or cluster with /select/0/prometheus in the
// URL), Thanos Query, Mimir/Cortex (/prometheus and an X-Scope-OrgID header).
//
// Lives in one thread (the app's I/O thread); requests and parsing happen
// there, and futures complete there. The discovery methods are Q_INVOKABLE so
// a caller that only holds a vigil::Connector (it came from a plugin) can
// reach them by name.
class PrometheusConnector : public Connector, public MetricDiscovery
{
    Q_OBJECT
    Q_INTERFACES(vigil::MetricDiscovery)
public:
    explicit PrometheusConnector(ConnectionSettings settings, QObject *parent = nullptr);
    ~PrometheusConnector() override;

    QString kind() const override { return QStringLiteral("prometheus"); }
    Capabilities capabilities() const override { return Capability::TimeSeries | Capability::Histograms; }
    const ConnectionSettings &settings() const override { return m_settings; }

    QFuture<QueryResult> query(const QueryRequest &request) override;
    // buildinfo first; VictoriaMetrics has no version there, so it falls back to
    // an instant query of `1` and says what answered.
    QFuture<ProbeResult> probe() override;

    // For autocompletion: series matching selectors, label names, values of one label.
    Q_INVOKABLE QFuture<vigil::prometheus::SeriesListResult> findSeries(const QStringList &matchers,
                                                                       qint64 startMs, qint64 endMs);
    Q_INVOKABLE QFuture<vigil::prometheus::LabelListResult> labelNames(const QStringList &matchers,
                                                                      qint64 startMs, qint64 endMs);
    Q_INVOKABLE QFuture<vigil::prometheus::LabelListResult> labelValues(const QString &labelName,
                                                                       const QStringList &matchers,
                                                                       qint64 startMs, qint64 endMs);

    // Metric names, their types (metadata, else guessed from the name) and
    // label names, for a proposed dashboard (docs/USER-GUIDE.md).
    QFuture<MetricCatalog> discoverMetrics(int maxMetrics) override;

    const EngineOptions &engineOptions() const { return m_engine; }
    // What was wrong in the connection's options (each kept its default).
    const QStringList &optionProblems() const { return m_optionProblems; }

private:
    struct SplitQuery;
    struct Discovery;
    void discoverLabels(const std::shared_ptr<Discovery> &d);
    QFuture<HttpResponse> send(const ApiRequest &request);
    QFuture<QueryResult> querySplit(const QueryRequest &request, const QList<RangeWindow> &windows);
    void launchParts(const std::shared_ptr<SplitQuery> &split);

    ConnectionSettings m_settings;
    EngineOptions m_engine;
    QStringList m_optionProblems;
    HttpClient *m_http = nullptr;
};

} // namespace vigil::prometheus

Q_DECLARE_METATYPE(vigil::prometheus::SeriesListResult)
Q_DECLARE_METATYPE(vigil::prometheus::LabelListResult)
