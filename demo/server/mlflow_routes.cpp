// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/mlflow_routes.h"

#include "fleet/mlflow_registry.h"
#include "server/fleet_server.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace vigil::demo {

void registerMlflowRoutes(FleetServer &server)
{
    for (const QString &endpoint : mlflowEndpoints()) {
        server.route(QStringLiteral("/api/2.0/mlflow/") + endpoint, QStringLiteral("MLflow REST API 2.0 (demo registry)"),
                     [endpoint](const QHttpServerRequest &request) {
                         const QByteArray method = request.method() == QHttpServerRequest::Method::Post ? "POST"
                                                   : request.method() == QHttpServerRequest::Method::Get ? "GET"
                                                                                                          : "OTHER";
                         const MlflowAnswer a =
                             answerMlflow(demoFleet(), method, endpoint, request.query(), request.body());
                         return QHttpServerResponse(a.contentType, a.body,
                                                    QHttpServerResponse::StatusCode(a.status));
                     });
    }
}

} // namespace vigil::demo
