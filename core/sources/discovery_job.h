// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/metric_discovery.h"

#include <QFuture>
#include <functional>

namespace vigil {

class PluginRegistry;

// Metric discovery for the window ("New dashboard from connection…"): runs in
// a thread of its own ("vigil-discovery"). `settings` is called there, since
// resolving a connection's secrets may wait on the keychain; a warning it
// gives (a secret not found) becomes a note of the catalog. The connector is
// made, asked and deleted in that thread; the future finishes there, so watch
// it with a QFutureWatcher. future.cancel() ends the wait at once: the
// connector and its requests are dropped. A connection whose connector cannot
// list its metrics (not Prometheus-compatible) is an error naming its kind.
// `plugins` must outlive the job (at most timeoutMs).
QFuture<MetricCatalog> discoverMetricsAsync(const PluginRegistry &plugins,
                                            std::function<ConnectionSettings(QString *warning)> settings,
                                            int maxMetrics, qint64 timeoutMs);

} // namespace vigil
