// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace vigil::demo {

class FleetServer;

// /api/2.0/mlflow/...: the fleet's model registry as MLflow 2.10 serves it
// (fleet/mlflow_registry.h), so the MLflow connector can point at the fleet.
void registerMlflowRoutes(FleetServer &server);

} // namespace vigil::demo
