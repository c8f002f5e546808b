// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-demo-fleet: serves a simulated fleet of ML models over HTTP on 127.0.0.1,
// for the demo workspace and for the plugin tests (which parse the first line).
#include "server/fleet_server.h"
#include "server/metrics_routes.h"
#include "server/mlflow_routes.h"
#include "server/quit_on_signal.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace vigil::demo;

namespace {

[[noreturn]] void usageError(const QString &message)
{
    std::fprintf(stderr, "vigil-demo-fleet: %s\nTry 'vigil-demo-fleet --help'.\n", qPrintable(message));
    std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigil-demo-fleet"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    // First thing: a test that starts and at once stops us must still get a clean exit.
    quitOnTerminationSignals();

    const FleetConfig defaults;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Serves a simulated fleet of ML models (Prometheus metrics, an MLflow registry) on 127.0.0.1.\n"
                       "Prints 'listening on http://127.0.0.1:PORT' once ready."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("TCP port; 0 picks a free one."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("Seed of the simulation."),
                                        QStringLiteral("N"), QString::number(defaults.seed));
    const QCommandLineOption scaleOption(
        QStringLiteral("time-scale"),
        QStringLiteral("Simulated seconds per real second (60: one simulated minute per second)."),
        QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption periodOption(QStringLiteral("traffic-period"),
                                          QStringLiteral("Length of one traffic cycle, in simulated seconds."),
                                          QStringLiteral("S"), QString::number(defaults.trafficPeriodMs / 1000));
    const QCommandLineOption windowOption(
        QStringLiteral("scale-down-window"),
        QStringLiteral("HPA scale-down stabilization window, in simulated seconds (Kubernetes: 300)."),
        QStringLiteral("S"), QString::number(defaults.scaleDownStabilizationMs / 1000));
    parser.addOptions({portOption, seedOption, scaleOption, periodOption, windowOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535)
        usageError(QStringLiteral("--port must be a number from 0 to 65535, not '%1'").arg(parser.value(portOption)));
    FleetConfig config;
    config.seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok)
        usageError(QStringLiteral("--seed must be a non-negative integer, not '%1'").arg(parser.value(seedOption)));
    const double timeScale = parser.value(scaleOption).toDouble(&ok);
    if (!ok || !(timeScale > 0.0) || timeScale > 1e6)
        usageError(QStringLiteral("--time-scale must be a number above 0, not '%1'").arg(parser.value(scaleOption)));
    const qint64 period = parser.value(periodOption).toLongLong(&ok);
    if (!ok || period < 10)
        usageError(QStringLiteral("--traffic-period must be at least 10 seconds, not '%1'")
                       .arg(parser.value(periodOption)));
    config.trafficPeriodMs = period * 1000;
    const qint64 window = parser.value(windowOption).toLongLong(&ok);
    if (!ok || window < 0)
        usageError(QStringLiteral("--scale-down-window must be a non-negative number of seconds, not '%1'")
                       .arg(parser.value(windowOption)));
    config.scaleDownStabilizationMs = window * 1000;

    FleetServer server(config, timeScale);
    registerMetricsRoutes(server);
    registerMlflowRoutes(server);
    const quint16 bound = server.listen(quint16(port));
    if (bound == 0) {
        std::fprintf(stderr, "vigil-demo-fleet: cannot listen on 127.0.0.1:%u (in use, or not permitted)\n", port);
        return 1;
    }
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(bound));
    std::fflush(stdout);
    return app.exec();
}
