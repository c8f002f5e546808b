// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alertmanager_request.h"
#include "alertmanager_response.h"
#include "sources/connector.h"
#include "sources/server_alerts.h"

#include <QFuture>

namespace vigil {
class HttpClient;
struct HttpResponse;
}

namespace vigil::alertmanager {

// A connection to Alertmanager over its API v2 (tested against 0.25.0): the
// alerts it holds, their groups, silences; creating and expiring silences.
// Reached as vigil::ServerAlerts with qobject_cast. It has no time series:
// query() says so.
//
// Lives in one thread (the app's I/O thread); requests, parsing and the
// futures' completion happen there. Every failure message starts with what
// was being done ("listing alerts", "creating a silence") and names the server.
class AlertmanagerConnector : public Connector, public ServerAlerts
{
    Q_OBJECT
    Q_INTERFACES(vigil::ServerAlerts)
public:
    explicit AlertmanagerConnector(ConnectionSettings settings, QObject *parent = nullptr);
    ~AlertmanagerConnector() override;

    QString kind() const override { return QStringLiteral("alertmanager"); }
    Capabilities capabilities() const override { return Capability::ServerAlerts | Capability::Silences; }
    const ConnectionSettings &settings() const override { return m_settings; }

    QFuture<QueryResult> query(const QueryRequest &request) override;
    // "Alertmanager 0.25.0 at URL (cluster disabled)", or exactly why not.
    QFuture<ProbeResult> probe() override;

    QFuture<Result<QList<ServerAlert>>> alerts(const AlertFilter &filter = {}) override;
    QFuture<Result<QList<AlertGroup>>> alertGroups(const AlertFilter &filter = {}) override;
    QFuture<Result<QList<ServerSilence>>> silences(const QList<SilenceMatcher> &filter = {}) override;
    QFuture<Result<QString>> createSilence(const ServerSilence &silence) override;
    QFuture<Result<bool>> expireSilence(const QString &id) override;

private:
    template<typename T, typename Parse>
    QFuture<Result<T>> call(const QString &doing, const ApiRequest &request, Parse parse);

    ConnectionSettings m_settings;
    HttpClient *m_http = nullptr;
};

} // namespace vigil::alertmanager
