// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/fleet_model.h"

#include <QByteArray>
#include <QString>
#include <QUrlQuery>

namespace vigil::demo {

// The demo fleet's model registry as MLflow 2.10.2 serves it over REST API
// 2.0: the endpoints Vigil's MLflow connector reads, with the shapes of the
// recordings in tests/fixtures/mlflow (string ids and versions, epoch-ms
// timestamps, empty fields left out, aliases only from model-versions/get and
// registered-models/alias, 400 for a missing alias, base64 page tokens).
// Pure: the HTTP server (server/mlflow_routes.cpp) only forwards to it.

struct MlflowAnswer
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
};

// `endpoint` is the part after /api/2.0/mlflow/ ("registered-models/get");
// `method` "GET" or "POST"; `body` the POST body (JSON).
MlflowAnswer answerMlflow(const QList<ModelInfo> &fleet, const QByteArray &method, const QString &endpoint,
                          const QUrlQuery &query, const QByteArray &body);

// The endpoints answerMlflow knows, for routing and the index page.
QStringList mlflowEndpoints();

// The training curve logged for a metric: 10 steps, one a minute, rising (or
// for "loss", falling) to the final value that the run reports.
QList<QPair<qint64, double>> demoMetricHistory(const ModelVersionInfo &version, const QString &key);

} // namespace vigil::demo
