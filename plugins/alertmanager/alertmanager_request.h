// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/server_alerts.h"

#include <QJsonDocument>
#include <QString>
#include <QUrlQuery>

namespace vigil::alertmanager {

// One call to Alertmanager's API v2: the path under the base URL (which may
// carry a prefix such as /alertmanager), its query, and for POST a JSON body.
struct ApiRequest
{
    enum class Method : quint8 { Get, PostJson, Delete };
    Method method = Method::Get;
    QString path;  // empty: the request could not be built (see error)
    QUrlQuery query;
    QJsonDocument body;
    QString error; // why it could not be built, for the user
    bool ok() const { return !path.isEmpty(); }
};

// GET /api/v2/status: version, uptime, cluster.
ApiRequest buildStatusRequest();
// GET /api/v2/alerts with one `filter` per matcher and active, silenced,
// inhibited, unprocessed, receiver as given (the flags are always sent).
ApiRequest buildAlertsRequest(const AlertFilter &filter = {});
// GET /api/v2/alerts/groups, the same parameters.
ApiRequest buildAlertGroupsRequest(const AlertFilter &filter = {});
// GET /api/v2/silences, one `filter` per matcher.
ApiRequest buildSilencesRequest(const QList<SilenceMatcher> &filter = {});
// POST /api/v2/silences. Checked here first, with the server's own rules, so
// the user reads a clear reason rather than a code: at least one matcher,
// names not empty, not every matcher matching the empty string, an author,
// endsAt after startsAt. Sends the id when the silence has one (an update).
ApiRequest buildCreateSilenceRequest(const ServerSilence &silence);
// DELETE /api/v2/silence/{id}; the id must be a UUID (it goes into the path).
ApiRequest buildExpireSilenceRequest(const QString &id);

// The JSON body of a silence as the API takes it (also used by tests).
QJsonObject silenceToJson(const ServerSilence &silence);
// The body of POST /api/v2/alerts for these alerts (what Prometheus sends);
// tests post alerts with it. endsAt 0 is left out (the server's resolve_timeout).
QJsonDocument postableAlerts(const QList<ServerAlert> &alerts);

// Query parameters with every reserved character percent-encoded: Go reads a
// bare '+' in a query as a space, and matchers often hold '+', '=' and '"'.
QUrlQuery encodeQuery(const QList<std::pair<QString, QString>> &items);

} // namespace vigil::alertmanager
