// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertmanager_connector.h"

#include "net/http_client.h"


namespace vigil::alertmanager {

namespace {

// 401 and 403 say what was sent, never the secret itself.
QString authFailure(int status, const HttpAuth &auth, const QString &where)
{
    QString sent = QStringLiteral("no credentials were sent");
    if (!auth.bearerToken.isEmpty())
        sent = QStringLiteral("a bearer token was sent");
    else if (!auth.basicUser.isEmpty())
        sent = QStringLiteral("basic auth as \"%1\" was sent").arg(auth.basicUser);
    return QStringLiteral("%1 from %2: %3 (%4)")
        .arg(httpStatusText(status), where,
             status == 401 ? QStringLiteral("not authenticated") : QStringLiteral("not allowed"), sent);
}

} // namespace

AlertmanagerConnector::AlertmanagerConnector(ConnectionSettings settings, QObject *parent)
    : Connector(parent)
    , m_settings(std::move(settings))
    , m_http(new HttpClient(m_settings, this))
{
}

AlertmanagerConnector::~AlertmanagerConnector() = default;

template<typename T, typename Parse>
QFuture<Result<T>> AlertmanagerConnector::call(const QString &doing, const ApiRequest &request, Parse parse)
{
    auto prefixed = [doing](Result<T> r) {
        if (!r.ok())
            r.message = QStringLiteral("%1: %2").arg(doing, r.message);
        return r;
    };
    if (!request.ok())
        return QtFuture::makeReadyFuture(prefixed(Result<T>::failure(ErrorKind::Server, request.error)));
    QFuture<HttpResponse> sent;
    switch (request.method) {
    case ApiRequest::Method::Get: sent = m_http->get(request.path, request.query); break;
    case ApiRequest::Method::PostJson: sent = m_http->postJson(request.path, request.body); break;
    case ApiRequest::Method::Delete: sent = m_http->deleteResource(request.path); break;
    }
    return sent.then(this, [this, parse, prefixed](const HttpResponse &r) {
        // A transport failure (refused, timeout, too large) is the answer as it
        // stands; a complete answer, whatever its status, goes to the parser,
        // which reads Alertmanager's own explanation out of a 4xx/5xx body.
        if (!r.hasAnswer())
            return prefixed(Result<T>::failure(r.error, r.message, r.status));
        if (r.status == 401 || r.status == 403)
            return prefixed(Result<T>::failure(ErrorKind::Http, authFailure(r.status, m_settings.auth, r.where), r.status));
        return prefixed(parse(r.body, r.status, r.contentType, r.where));
    });
}

QFuture<QueryResult> AlertmanagerConnector::query(const QueryRequest &request)
{
    Q_UNUSED(request);
    return QtFuture::makeReadyFuture(QueryResult::failure(
        ErrorKind::Server,
        QStringLiteral("Alertmanager at %1 holds alerts and silences, not time series: query a Prometheus connection")
            .arg(redactedUrl(m_settings.url))));
}

QFuture<ProbeResult> AlertmanagerConnector::probe()
{
    const QString server = redactedUrl(m_settings.url);
    return call<StatusInfo>(QStringLiteral("reading Alertmanager's status"), buildStatusRequest(), parseStatus)
        .then(this, [server](const Result<StatusInfo> &r) {
            if (!r.ok())
                return ProbeResult{r.error, r.message, {}};
            const QString version = r.value.version.isEmpty() ? QStringLiteral("(version not given)") : r.value.version;
            const QString cluster = r.value.clusterStatus.isEmpty()
                ? QString()
                : QStringLiteral(" (cluster %1)").arg(r.value.clusterStatus);
            return ProbeResult{ErrorKind::None, QStringLiteral("Alertmanager %1 at %2%3").arg(version, server, cluster),
                               r.value.version};
        });
}

QFuture<Result<QList<ServerAlert>>> AlertmanagerConnector::alerts(const AlertFilter &filter)
{
    return call<QList<ServerAlert>>(QStringLiteral("listing alerts"), buildAlertsRequest(filter), parseAlerts);
}

QFuture<Result<QList<AlertGroup>>> AlertmanagerConnector::alertGroups(const AlertFilter &filter)
{
    return call<QList<AlertGroup>>(QStringLiteral("listing alert groups"), buildAlertGroupsRequest(filter),
                                   parseAlertGroups);
}

QFuture<Result<QList<ServerSilence>>> AlertmanagerConnector::silences(const QList<SilenceMatcher> &filter)
{
    return call<QList<ServerSilence>>(QStringLiteral("listing silences"), buildSilencesRequest(filter), parseSilences);
}

QFuture<Result<QString>> AlertmanagerConnector::createSilence(const ServerSilence &silence)
{
    return call<QString>(silence.id.isEmpty() ? QStringLiteral("creating a silence")
                                              : QStringLiteral("updating silence %1").arg(silence.id),
                         buildCreateSilenceRequest(silence), parseCreateSilence);
}

QFuture<Result<bool>> AlertmanagerConnector::expireSilence(const QString &id)
{
    return call<bool>(QStringLiteral("expiring silence %1").arg(id.left(80)), buildExpireSilenceRequest(id),
                      parseExpireSilence);
}

} // namespace vigil::alertmanager
