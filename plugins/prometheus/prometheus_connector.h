// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "prometheus_request.h"
#include "prometheus_response.h"
#include "prometheus_rules.h"
#include "sources/connector.h"
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
class PrometheusConnector : public Connector, public RuleStatus
{
    Q_OBJECT
    Q_INTERFACES(vigil::RuleStatus)
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

    // Prometheus' own rules with their health and last error, and the alerts
    // they hold (vigil::RuleStatus, reached with qobject_cast).
    QFuture<Result<QList<RuleGroupInfo>>> ruleGroups() override;
    QFuture<Result<QList<RuleAlert>>> ruleAlerts() override;

private:
    QFuture<HttpResponse> send(const ApiRequest &request);

    ConnectionSettings m_settings;
    HttpClient *m_http = nullptr;
};

} // namespace vigil::prometheus

Q_DECLARE_METATYPE(vigil::prometheus::SeriesListResult)
Q_DECLARE_METATYPE(vigil::prometheus::LabelListResult)
