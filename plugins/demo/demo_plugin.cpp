// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo_plugin.h"

#include "demo_connector.h"

namespace vigil::demo {

Connector *DemoPlugin::createConnector(const ConnectionSettings &settings, QObject *parent)
{
    return new DemoConnector(settings, parent);
}

} // namespace vigil::demo
