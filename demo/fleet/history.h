// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/exposition.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>

namespace vigil::demo {

class FleetSimulation;

// The fleet's past as Prometheus would have scraped it, for `promtool tsdb
// create-blocks-from openmetrics` (demo/run-demo.sh backfills a fresh
// Prometheus with it, so charts and the canary judge have history at once).
struct HistoryOptions
{
    // Wall time (ms since the epoch) of the first sample: simulated time 0.
    qint64 originWallMs = 0;
    // Wall time covered: samples at origin, origin + step, ..., up to origin + length.
    qint64 lengthMs = 0;
    qint64 stepMs = 5'000;
    // Simulated ms per wall ms, as the live server's --time-scale.
    double timeScale = 1.0;
    // What the scraper adds to every series (job, instance), so the backfilled
    // series are the very series the live scrapes continue.
    Labels targetLabels;
};

// Advances `simulation` (which must not have run yet) through the history and
// writes it as OpenMetrics text 1.0.0: families once each, every series'
// points in time order (a histogram's buckets, sum and count together per
// point), timestamps in seconds, ending with "# EOF". Afterwards the
// simulation stands at the history's end, where the live server continues.
// Returns false with `error` set when the device cannot be written.
bool writeOpenMetricsHistory(FleetSimulation &simulation, const HistoryOptions &options, QIODevice &out,
                             QString *error = nullptr);

} // namespace vigil::demo
