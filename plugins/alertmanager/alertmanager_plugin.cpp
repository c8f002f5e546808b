// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertmanager_plugin.h"

#include "alertmanager_connector.h"

namespace vigil::alertmanager {

Connector *AlertmanagerPlugin::createConnector(const ConnectionSettings &settings, QObject *parent)
{
    return new AlertmanagerConnector(settings, parent);
}

} // namespace vigil::alertmanager
