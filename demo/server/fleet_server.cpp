// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/fleet_server.h"

#include "fleet/history.h"

#include <QDateTime>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponse>

#include <algorithm>

namespace vigil::demo {

FleetServer::FleetServer(FleetConfig config, double timeScale, qint64 historyMs, QObject *parent)
    : QObject(parent), m_simulation(config), m_timeScale(timeScale), m_historyMs(std::max<qint64>(historyMs, 0))
{
    m_startWallMs = QDateTime::currentMSecsSinceEpoch();
    m_started.start();
    // Advance between scrapes too, so a scrape after a long pause does not have
    // to simulate the whole gap at once.
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, [this] { catchUp(); });
    m_ticker.start();

    route(QStringLiteral("/"), QStringLiteral("this page"), [this](const QHttpServerRequest &) {
        return QHttpServerResponse("text/plain; charset=utf-8", indexPage());
    });
    // Same path and wording as Prometheus's own health endpoint, so probes written
    // for it work here.
    route(QStringLiteral("/-/healthy"), QStringLiteral("liveness probe"), [](const QHttpServerRequest &) {
        return QHttpServerResponse("text/plain; charset=utf-8", "Vigil demo fleet is Healthy.\n");
    });
}

quint16 FleetServer::listen(quint16 port)
{
    return m_http.listen(QHostAddress::LocalHost, port);
}

const FleetSimulation &FleetServer::catchUp()
{
    m_simulation.advanceTo(qint64(double(m_historyMs + m_started.elapsed()) * m_timeScale));
    return m_simulation;
}

bool FleetServer::writeHistory(QIODevice &out, qint64 stepMs, const Labels &targetLabels, QString *error)
{
    HistoryOptions options;
    options.originWallMs = originWallMs();
    options.lengthMs = m_historyMs;
    options.stepMs = stepMs;
    options.timeScale = m_timeScale;
    options.targetLabels = targetLabels;
    return writeOpenMetricsHistory(m_simulation, options, out, error);
}

QByteArray FleetServer::indexPage() const
{
    QString page = QStringLiteral("Vigil demo fleet: a simulated set of ML models.\n\n");
    page += QStringLiteral("simulated time: %1 s (time scale %2)\n\n")
                .arg(m_simulation.simElapsedMs() / 1000)
                .arg(m_timeScale);
    page += QStringLiteral("models:\n");
    for (const auto &model : m_simulation.models()) {
        page += QStringLiteral("  ") + model.name + QStringLiteral(":");
        for (const auto &version : model.versions)
            page += QLatin1Char(' ') + version.version + QLatin1Char('(') + trackName(version.track) +
                    QLatin1Char(')');
        page += QLatin1Char('\n');
    }
    page += QStringLiteral("\nroutes:\n");
    for (const auto &[path, description] : m_routes)
        page += QStringLiteral("  ") + path.leftJustified(12) + QLatin1Char(' ') + description + QLatin1Char('\n');
    return page.toUtf8();
}

} // namespace vigil::demo
