// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/metrics_routes.h"

#include "server/fleet_server.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace vigil::demo {

void registerMetricsRoutes(FleetServer &server)
{
    server.route(QStringLiteral("/metrics"), QStringLiteral("Prometheus metrics of every model version"),
                 [&server](const QHttpServerRequest &) {
                     // No timestamps in the exposition: the scraper stamps samples
                     // with its own clock, as it does for any live target.
                     return QHttpServerResponse(kExpositionContentType, server.catchUp().renderMetrics());
                 });
}

} // namespace vigil::demo
