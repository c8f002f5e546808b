// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QObject>

namespace vigil::mlflow {

// The factory the app finds by kind "mlflow" (see plugin.json).
class MlflowPlugin : public QObject, public vigil::ConnectorPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID VIGIL_CONNECTOR_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(vigil::ConnectorPlugin)
public:
    using QObject::QObject;
    Connector *createConnector(const ConnectionSettings &settings, QObject *parent) override;
};

} // namespace vigil::mlflow
