// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QObject>

namespace vigil::alertmanager {

// The factory the app finds by kind "alertmanager" (see plugin.json).
class AlertmanagerPlugin : public QObject, public vigil::ConnectorPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID VIGIL_CONNECTOR_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(vigil::ConnectorPlugin)
public:
    using QObject::QObject;
    Connector *createConnector(const ConnectionSettings &settings, QObject *parent) override;
};

} // namespace vigil::alertmanager
