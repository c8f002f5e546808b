// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace vigil::demo {

class FleetServer;

// /metrics: the fleet in Prometheus text exposition format 0.0.4.
void registerMetricsRoutes(FleetServer &server);

} // namespace vigil::demo
