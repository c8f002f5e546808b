// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/fleet_simulation.h"

#include <QElapsedTimer>
#include <QHttpServer>
#include <QIODevice>
#include <QObject>
#include <QTimer>

#include <utility>

namespace vigil::demo {

// The HTTP face of the simulated fleet. Owns the simulation and maps real time
// to simulated time (times the time scale). Route sets live in their own files
// (metrics_routes.cpp; an MLflow-compatible registry will be mlflow_routes.cpp)
// and register through route(), which also lists them on the "/" index page.
class FleetServer : public QObject
{
public:
    // `historyMs`: the fleet has already been running for this much wall time
    // when the server starts (simulated time 0 was that long ago), so the live
    // series continue a history written by writeHistory().
    FleetServer(FleetConfig config, double timeScale, qint64 historyMs = 0, QObject *parent = nullptr);

    // Listens on 127.0.0.1 only (port 0 = any free port). Returns the bound port, 0 on failure.
    quint16 listen(quint16 port);

    // Brings the simulation up to the current scaled time; returns it for reading.
    const FleetSimulation &catchUp();
    const FleetSimulation &simulation() const { return m_simulation; }
    double timeScale() const { return m_timeScale; }
    // Wall time (ms since the epoch) of simulated time 0.
    qint64 originWallMs() const { return m_startWallMs - m_historyMs; }

    // Writes the history (simulated time 0 up to the server's start, one point
    // per `stepMs`) as OpenMetrics, each series labelled with `targetLabels`.
    // Call once, before the event loop runs: it advances the simulation the
    // live routes then continue from.
    bool writeHistory(QIODevice &out, qint64 stepMs, const Labels &targetLabels, QString *error);

    template<typename Handler>
    void route(const QString &path, const QString &description, Handler &&handler)
    {
        m_routes.append({path, description});
        m_http.route(path, std::forward<Handler>(handler));
    }

private:
    QByteArray indexPage() const;

    FleetSimulation m_simulation;
    double m_timeScale;
    qint64 m_historyMs = 0;
    qint64 m_startWallMs = 0;
    QElapsedTimer m_started;
    QTimer m_ticker;
    QHttpServer m_http;
    QList<QPair<QString, QString>> m_routes; // path, what it serves
};

} // namespace vigil::demo
