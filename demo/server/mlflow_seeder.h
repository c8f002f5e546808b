// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/fleet_model.h"

#include <QString>
#include <QStringList>
#include <QUrl>

namespace vigil::demo {

// Writes the demo fleet's registry into a real MLflow tracking server through
// its REST API 2.0 create endpoints, so `make demo` can show a user's own
// `mlflow server` holding the same models, versions, stages, aliases and runs
// the fleet's built-in registry serves (fleet/mlflow_registry.*).
//
// Per model: registered-models/create (a model that already exists is left as
// it is, and reported), experiments/get-by-name or experiments/create (one
// experiment per model, named after it), per version runs/create,
// runs/log-batch (params and each offline metric's 10-step history),
// runs/update (FINISHED), then model-versions/create. MLflow numbers versions
// itself from 1, and the workspace maps registry version N to the series'
// version="vN": versions below the demo's first (1 to 11 for fraud-detector)
// are created and deleted again (model-versions/delete; MLflow never reuses a
// number), and every number MLflow returns is checked. Last,
// model-versions/transition-stage and registered-models/alias.
struct SeedReport
{
    bool ok = false;
    QString error;       // what failed, with the endpoint and the server's message
    QStringList seeded;  // "fraud-detector (versions 12, 13)"
    QStringList skipped; // "spam-filter: already registered on URL, left as it is"
    int requests = 0;
};

// Blocks (running a local event loop per request) until done or the first
// failure. `timeoutMs` bounds each request.
SeedReport seedMlflow(const QUrl &baseUrl, const QList<ModelInfo> &fleet, int timeoutMs = 10'000);

} // namespace vigil::demo
