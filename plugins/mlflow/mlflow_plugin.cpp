// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow_plugin.h"

#include "mlflow_connector.h"

namespace vigil::mlflow {

Connector *MlflowPlugin::createConnector(const ConnectionSettings &settings, QObject *parent)
{
    return new MlflowConnector(settings, parent);
}

} // namespace vigil::mlflow
