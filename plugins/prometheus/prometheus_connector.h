// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "prometheus_engine.h"
#include "prometheus_request.h"
#include "prometheus_response.h"
#include "prometheus_rules.h"
#include "sources/connector.h"
#include "sources/metric_discovery.h"
#include "sources/rule_status.h"

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
class PrometheusConnector : public Connector, public MetricDiscovery, public RuleStatus
{
    Q_OBJECT
    Q_INTERFACES(vigil::MetricDiscovery vigil::RuleStatus)
public:
    explicit PrometheusConnector(ConnectionSettings settings, QObject *parent = nullptr);
    ~PrometheusConnector() override;

    QString kind() const override { return QStringLiteral("prometheus"); }
    // RuleStatus: VictoriaMetrics and Thanos Query answer /api/v1/rules too
    // (vmalert's or the rulers' rules, when configured); others 404 it.
    Capabilities capabilities() const override
    {
        return Capability::TimeSeries | Capability::Histograms | Capability::RuleStatus;
    }
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
    // Prometheus' own rules with their health and last error, and the alerts
    // they hold (vigil::RuleStatus, reached with qobject_cast).
    QFuture<Result<QList<RuleGroupInfo>>> ruleGroups() override;
    QFuture<Result<QList<RuleAlert>>> ruleAlerts() override;

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
