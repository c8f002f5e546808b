// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_plugin.h"

#include "prometheus_connector.h"

namespace vigil::prometheus {

Connector *PrometheusPlugin::createConnector(const ConnectionSettings &settings, QObject *parent)
{
    return new PrometheusConnector(settings, parent);
}

} // namespace vigil::prometheus
