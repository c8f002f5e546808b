// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_connector.h"

#include "net/http_client.h"

#include <QPromise>

namespace vigil::prometheus {

namespace {

// A transport failure (refused, timeout, too large, cut off) is the answer as it
// stands; a complete HTTP answer, whatever its status, goes to the parser,
// which reads Prometheus' own explanation out of a 400/422/503 body.
template<typename Result, typename Parse>
Result interpret(const HttpResponse &r, Parse parse)
{
    if (!r.hasAnswer()) {
        Result out;
        out.error = r.error;
        out.message = r.message;
        return out;
    }
    return parse(r.body, r.status, r.contentType, r.where);
}

QueryResult toQueryResult(const HttpResponse &r)
{
    if (!r.hasAnswer())
        return QueryResult::failure(r.error, r.message, r.status);
    return parseQueryResponse(r.body, r.status, r.contentType, r.where);
}

} // namespace

PrometheusConnector::PrometheusConnector(ConnectionSettings settings, QObject *parent)
    : Connector(parent)
    , m_settings(std::move(settings))
    , m_http(new HttpClient(m_settings, this))
{
}

PrometheusConnector::~PrometheusConnector() = default;

QFuture<HttpResponse> PrometheusConnector::send(const ApiRequest &request)
{
    return request.post ? m_http->postForm(request.path, request.params) : m_http->get(request.path, request.params);
}

QFuture<QueryResult> PrometheusConnector::query(const QueryRequest &request)
{
    // The continuation runs in this object's thread: parsing stays off the GUI thread.
    return send(buildQueryRequest(request)).then(this, [](const HttpResponse &r) { return toQueryResult(r); });
}

QFuture<ProbeResult> PrometheusConnector::probe()
{
    auto promise = std::make_shared<QPromise<ProbeResult>>();
    promise->start();
    QFuture<ProbeResult> future = promise->future();
    auto finish = [promise](ProbeResult r) {
        promise->addResult(std::move(r));
        promise->finish();
    };

    send(buildBuildInfoRequest()).then(this, [this, finish](const HttpResponse &r) {
        const BuildInfoResult info = interpret<BuildInfoResult>(r, parseBuildInfoResponse);
        if (info.ok() && !info.version.isEmpty()) {
            ProbeResult p;
            p.version = info.version;
            p.message = QStringLiteral("Prometheus %1 at %2").arg(info.version, redactedUrl(m_settings.url));
            return finish(p);
        }
        // Nothing answered at all: an instant query would fail the same way.
        if (!r.hasAnswer() && r.error != ErrorKind::BadResponse)
            return finish(ProbeResult{r.error, r.message, {}});

        // Reached something that is not (or not quite) Prometheus' buildinfo:
        // VictoriaMetrics answers {"data":{}}, some proxies 404 it.
        const QString why = info.ok() ? QStringLiteral("its buildinfo names no version")
                                      : QStringLiteral("no usable buildinfo: %1").arg(info.message);
        QueryRequest one;
        one.expr = QStringLiteral("1");
        one.kind = QueryKind::Instant;
        const QString server = redactedUrl(m_settings.url);
        send(buildQueryRequest(one)).then(this, [finish, why, server](const HttpResponse &q) {
            const QueryResult result = toQueryResult(q);
            if (!result.ok())
                return finish(ProbeResult{result.error, result.message, {}});
            finish(ProbeResult{ErrorKind::None,
                               QStringLiteral("a Prometheus-compatible API at %1 answered the query `1` (%2)")
                                   .arg(server, why),
                               {}});
        });
    });
    return future;
}

QFuture<SeriesListResult> PrometheusConnector::findSeries(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    return send(buildSeriesRequest(matchers, startMs, endMs)).then(this, [](const HttpResponse &r) {
        return interpret<SeriesListResult>(r, parseSeriesListResponse);
    });
}

QFuture<LabelListResult> PrometheusConnector::labelNames(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    return send(buildLabelNamesRequest(matchers, startMs, endMs)).then(this, [](const HttpResponse &r) {
        return interpret<LabelListResult>(r, parseLabelListResponse);
    });
}

QFuture<LabelListResult> PrometheusConnector::labelValues(const QString &labelName, const QStringList &matchers,
                                                          qint64 startMs, qint64 endMs)
{
    const ApiRequest request = buildLabelValuesRequest(labelName, matchers, startMs, endMs);
    if (request.path.isEmpty()) {
        LabelListResult bad;
        bad.error = ErrorKind::BadResponse;
        bad.message = QStringLiteral("\"%1\" is not a valid label name").arg(labelName.left(80));
        return QtFuture::makeReadyFuture(bad);
    }
    return send(request).then(this, [](const HttpResponse &r) {
        return interpret<LabelListResult>(r, parseLabelListResponse);
    });
}

template<typename T, typename Parse>
static QFuture<Result<T>> readResult(QFuture<HttpResponse> sent, QObject *context, const QString &doing, Parse parse)
{
    return sent.then(context, [doing, parse](const HttpResponse &r) {
        Result<T> out = r.hasAnswer() ? parse(r.body, r.status, r.contentType, r.where)
                                      : Result<T>::failure(r.error, r.message, r.status);
        if (!out.ok())
            out.message = QStringLiteral("%1: %2").arg(doing, out.message);
        return out;
    });
}

QFuture<Result<QList<RuleGroupInfo>>> PrometheusConnector::ruleGroups()
{
    return readResult<QList<RuleGroupInfo>>(send(buildRulesRequest()), this, QStringLiteral("reading the server's rules"),
                                            parseRulesResponse);
}

QFuture<Result<QList<RuleAlert>>> PrometheusConnector::ruleAlerts()
{
    return readResult<QList<RuleAlert>>(send(buildAlertsRequest()), this, QStringLiteral("reading the server's alerts"),
                                        parseAlertsResponse);
}

} // namespace vigil::prometheus
