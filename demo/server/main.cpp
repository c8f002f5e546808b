// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-demo-fleet: serves a simulated fleet of ML models over HTTP on 127.0.0.1,
// for the demo workspace and for the plugin tests (which parse the first line).
#include "server/fleet_server.h"
#include "server/metrics_routes.h"
#include "server/mlflow_routes.h"
#include "server/mlflow_seeder.h"
#include "server/quit_on_signal.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSaveFile>

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
    const QCommandLineOption historyOption(
        QStringLiteral("history"),
        QStringLiteral("Start as if the fleet had been running for S seconds already (simulated time 0 was S "
                       "wall seconds ago)."),
        QStringLiteral("S"), QStringLiteral("0"));
    const QCommandLineOption historyFileOption(
        QStringLiteral("history-file"),
        QStringLiteral("Write those S seconds, as Prometheus would have scraped them, to FILE (OpenMetrics, for "
                       "'promtool tsdb create-blocks-from openmetrics') before listening."),
        QStringLiteral("FILE"));
    const QCommandLineOption historyStepOption(QStringLiteral("history-step"),
                                               QStringLiteral("Seconds between two points of the history file."),
                                               QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption historyJobOption(
        QStringLiteral("history-job"),
        QStringLiteral("The 'job' label of the history's series: the job_name of the Prometheus scrape config "
                       "that scrapes this server (its 'instance' label is 127.0.0.1:PORT)."),
        QStringLiteral("NAME"), QStringLiteral("model-fleet"));
    const QCommandLineOption seedMlflowOption(
        QStringLiteral("seed-mlflow"),
        QStringLiteral("Do not serve: write the demo registry (models, versions, stages, aliases, runs) into the "
                       "MLflow tracking server at URL through its REST API, then exit."),
        QStringLiteral("URL"));
    parser.addOptions({portOption, seedOption, scaleOption, periodOption, windowOption, historyOption,
                       historyFileOption, historyStepOption, historyJobOption, seedMlflowOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    if (parser.isSet(seedMlflowOption)) {
        const QUrl url(parser.value(seedMlflowOption));
        const SeedReport report = seedMlflow(url, demoFleet());
        for (const QString &line : report.seeded)
            std::printf("seeded %s\n", qPrintable(line));
        for (const QString &line : report.skipped)
            std::printf("skipped %s\n", qPrintable(line));
        if (!report.ok) {
            std::fprintf(stderr, "vigil-demo-fleet: cannot seed MLflow at %s: %s\n", qPrintable(url.toString()),
                         qPrintable(report.error));
            return 1;
        }
        std::printf("MLflow at %s holds the demo registry (%d requests)\n", qPrintable(url.toString()),
                    report.requests);
        return 0;
    }

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
    const qint64 history = parser.value(historyOption).toLongLong(&ok);
    // A day at most: ticking through it takes seconds, the file would be large.
    if (!ok || history < 0 || history > 86'400)
        usageError(QStringLiteral("--history must be a number of seconds from 0 to 86400, not '%1'")
                       .arg(parser.value(historyOption)));
    const qint64 historyStep = parser.value(historyStepOption).toLongLong(&ok);
    if (!ok || historyStep < 1 || historyStep > 3600)
        usageError(QStringLiteral("--history-step must be a number of seconds from 1 to 3600, not '%1'")
                       .arg(parser.value(historyStepOption)));
    const QString historyFile = parser.value(historyFileOption);
    if (parser.isSet(historyFileOption) && history == 0)
        usageError(QStringLiteral("--history-file needs --history S (how many seconds of history to write)"));
    const QString historyJob = parser.value(historyJobOption);
    if (historyJob.isEmpty())
        usageError(QStringLiteral("--history-job must not be empty"));

    FleetServer server(config, timeScale, history * 1000);
    registerMetricsRoutes(server);
    registerMlflowRoutes(server);
    const quint16 bound = server.listen(quint16(port));
    if (bound == 0) {
        std::fprintf(stderr, "vigil-demo-fleet: cannot listen on 127.0.0.1:%u (in use, or not permitted)\n", port);
        return 1;
    }
    if (!historyFile.isEmpty()) {
        // After listen(): the history's `instance` label is the address Prometheus scrapes.
        QElapsedTimer took;
        took.start();
        QSaveFile out(historyFile);
        QString error;
        const Labels target{{QStringLiteral("job"), historyJob},
                            {QStringLiteral("instance"), QStringLiteral("127.0.0.1:%1").arg(bound)}};
        if (!out.open(QIODevice::WriteOnly) || !server.writeHistory(out, historyStep * 1000, target, &error) ||
            !out.commit()) {
            std::fprintf(stderr, "vigil-demo-fleet: cannot write the history to %s: %s\n", qPrintable(historyFile),
                         qPrintable(error.isEmpty() ? out.errorString() : error));
            return 1;
        }
        std::fprintf(stderr, "vigil-demo-fleet: wrote %lld s of history (a point every %lld s) to %s in %lld ms\n",
                     history, historyStep, qPrintable(historyFile), took.elapsed());
    }
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(bound));
    std::fflush(stdout);
    return app.exec();
}
