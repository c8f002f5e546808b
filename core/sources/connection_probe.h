// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QFuture>
#include <QJsonObject>

namespace vigil {

class PluginRegistry;

// "Does this connection work, and what is behind it?", asked by `vigil check`
// and by the Connections dialog's Test button. The answer is one JSON object,
// the one `vigil check --json` prints per connection:
//   ok           true when the server answered as its kind should
//   reached      "Prometheus 2.42.0 at http://127.0.0.1:9090", or the plugin's words
//   version      the server's version, when it says
//   series       time series the server holds (/api/v1/status/tsdb: Prometheus'
//                headStats.numSeries, VictoriaMetrics' totalSeries, which counts today's)
//   series_scope "head block" (Prometheus) or "today" (VictoriaMetrics)
//   metric_names how many metric names /api/v1/label/__name__/values lists,
//                where the tsdb status is not available
//   registered_models [{name, aliases[{alias, version}], versions[{version, status, stage, aliases}]}]
//   error        why not, for the user (no secret in it)
//   warning      what the server warned about
// Counting is best effort: a server that answers its kind's probe but not
// the count is still ok, with `count_error` saying why there is no count.
//
// Runs in the calling thread and spins its event loop until done or the
// deadline (timeoutMs for all of it): call it in a worker thread or on the
// command line, never in the GUI thread (use probeConnectionAsync there).
QJsonObject probeConnection(const PluginRegistry &plugins, const ConnectionSettings &settings, qint64 timeoutMs);

// The same in a thread of its own ("vigil-probe"), for the GUI thread: the
// future completes there; watch it with a QFutureWatcher. `plugins` must
// outlive the probe (at most timeoutMs).
QFuture<QJsonObject> probeConnectionAsync(const PluginRegistry &plugins, const ConnectionSettings &settings,
                                          qint64 timeoutMs);

// A report as plain text for people, one fact a line: what was reached, how
// many series or models, each model's versions; or "FAILED: why".
QString probeSummary(const QJsonObject &report);

} // namespace vigil
