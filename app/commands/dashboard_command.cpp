// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands/dashboard_command.h"

#include "session/session.h"
#include "sources/metric_discovery.h"
#include "sources/plugin_registry.h"
#include "workspace/dashboard_proposal.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <memory>

namespace vigil::app {

namespace {

constexpr const char *kUsage =
    "usage: vigil dashboard propose --workspace FILE [--connection NAME] [--name TITLE] [--max-panels 24] [--write]\n"
    "       vigil dashboard import-grafana EXPORT.json --workspace FILE [--connection NAME] [--write]\n";

struct Output
{
    QTextStream out{stdout};
    QTextStream err{stderr};
};

// Writes the dashboard into the workspace file, or prints it.
int deliver(Output &io, const Workspace &ws, DashboardDef dashboard, bool write)
{
    dashboard.name = uniqueDashboardName(ws, dashboard.name);
    if (!write) {
        io.out << "# add under 'dashboards:' in " << ws.path << " (or run again with --write)\n"
               << dashboardToYaml(dashboard);
        return 0;
    }
    QFile in(ws.path);
    if (!in.open(QIODevice::ReadOnly)) {
        io.err << "vigil dashboard: cannot read " << ws.path << ": " << in.errorString() << "\n";
        return 1;
    }
    QString error;
    const QByteArray updated = addDashboardToWorkspaceText(in.readAll(), dashboard, QFileInfo(ws.path).fileName(), &error);
    if (updated.isEmpty()) {
        io.err << "vigil dashboard: " << error << "\n";
        return 1;
    }
    QSaveFile file(ws.path); // all or nothing: a crash never leaves half a workspace
    if (!file.open(QIODevice::WriteOnly) || file.write(updated) != updated.size() || !file.commit()) {
        io.err << "vigil dashboard: cannot write " << ws.path << ": " << file.errorString() << "\n";
        return 1;
    }
    io.out << "added dashboard '" << dashboard.name << "' (" << dashboard.panels.size() << " panels) to " << ws.path << "\n";
    return 0;
}

} // namespace

int runDashboardCommand(const QStringList &args)
{
    Output io;
    const QString verb = args.value(0);
    if (verb != QLatin1String("propose") && verb != QLatin1String("import-grafana")) {
        io.err << "vigil dashboard: say what to do: propose or import-grafana\n" << kUsage;
        return 2;
    }
    QCommandLineParser parser;
    const QCommandLineOption workspaceOpt({QStringLiteral("w"), QStringLiteral("workspace")}, QStringLiteral("Workspace file."), QStringLiteral("FILE"));
    const QCommandLineOption connectionOpt(QStringLiteral("connection"), QStringLiteral("Prometheus connection (default: the first)."), QStringLiteral("NAME"));
    const QCommandLineOption nameOpt(QStringLiteral("name"), QStringLiteral("Title of the proposed dashboard."), QStringLiteral("TITLE"));
    const QCommandLineOption maxOpt(QStringLiteral("max-panels"), QStringLiteral("At most this many panels (default 24)."), QStringLiteral("N"), QStringLiteral("24"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QStringLiteral("How long discovery may take (default 30s)."), QStringLiteral("DURATION"), QStringLiteral("30s"));
    const QCommandLineOption writeOpt(QStringLiteral("write"), QStringLiteral("Add the dashboard to the workspace file."));
    parser.addOptions({workspaceOpt, connectionOpt, nameOpt, maxOpt, timeoutOpt, writeOpt});
    parser.addPositionalArgument(QStringLiteral("export"), QStringLiteral("Grafana dashboard JSON (import-grafana)."));
    if (!parser.parse(QStringList{QStringLiteral("vigil dashboard")} + args.mid(1)) || !parser.isSet(workspaceOpt)) {
        io.err << "vigil dashboard: " << (parser.errorText().isEmpty() ? QStringLiteral("needs --workspace FILE") : parser.errorText())
               << "\n" << kUsage;
        return 2;
    }
    const Workspace ws = loadWorkspace(parser.value(workspaceOpt));
    if (ws.hasErrors()) {
        io.err << "vigil dashboard: the workspace has errors; fix them first (vigil check --workspace " << ws.path << "):\n";
        for (const QString &e : ws.errorMessages())
            io.err << "  " << e << "\n";
        return 1;
    }
    const QString connection = parser.isSet(connectionOpt) ? parser.value(connectionOpt) : ws.connectionFor(PanelDef{});
    const ConnectionDef *def = ws.connection(connection);
    if (!def) {
        io.err << "vigil dashboard: "
               << (connection.isEmpty() ? QStringLiteral("the workspace has no Prometheus connection")
                                        : QStringLiteral("no connection '%1' in %2").arg(connection, ws.path))
               << "\n";
        return 1;
    }

    if (verb == QLatin1String("import-grafana")) {
        if (parser.positionalArguments().size() != 1) {
            io.err << "vigil dashboard import-grafana: give one Grafana dashboard JSON file\n" << kUsage;
            return 2;
        }
        const QString path = parser.positionalArguments().first();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            io.err << "vigil dashboard: cannot read " << path << ": " << f.errorString() << "\n";
            return 1;
        }
        // A Grafana export is a few hundred KiB at most; refuse what is not one.
        if (f.size() > 32LL * 1024 * 1024) {
            io.err << "vigil dashboard: " << path << " is " << f.size() / (1024 * 1024) << " MiB; a Grafana dashboard export is far smaller\n";
            return 1;
        }
        const GrafanaImport g = importGrafanaDashboard(f.readAll(), connection, QFileInfo(path).fileName());
        for (const QString &s : g.skipped)
            io.err << "skipped: " << s << "\n";
        for (const QString &n : g.notes)
            io.err << "note: " << n << "\n";
        if (!g.ok()) {
            io.err << "vigil dashboard: " << g.error << "\n";
            return 1;
        }
        io.err.flush();
        return deliver(io, ws, g.dashboard, parser.isSet(writeOpt));
    }

    bool numberOk = false;
    const int maxPanels = parser.value(maxOpt).toInt(&numberOk);
    const qint64 timeoutMs = parseDuration(parser.value(timeoutOpt));
    if (!numberOk || maxPanels < 1 || maxPanels > 200 || timeoutMs <= 0) {
        io.err << "vigil dashboard: --max-panels must be 1 to 200 and --timeout a duration such as 30s\n";
        return 2;
    }
    PluginRegistry plugins;
    plugins.load(PluginRegistry::defaultSearchPaths());
    QString secretError;
    const ConnectionSettings settings = Session::settingsFor(*def, &secretError);
    if (!secretError.isEmpty())
        io.err << "warning: " << secretError << "\n";
    QString createError;
    std::unique_ptr<Connector> connector(plugins.createConnector(settings, nullptr, &createError));
    if (!connector) {
        io.err << "vigil dashboard: connection '" << connection << "': " << createError << "\n";
        return 1;
    }
    auto *discovery = qobject_cast<MetricDiscovery *>(connector.get());
    if (!discovery) {
        io.err << "vigil dashboard: connection '" << connection << "' (" << def->kind << ") cannot list its metrics; "
               << "propose works with Prometheus-compatible connections\n";
        return 1;
    }
    QFuture<MetricCatalog> future = discovery->discoverMetrics(maxPanels * 2);
    const QDeadlineTimer deadline(timeoutMs);
    while (!future.isFinished() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    if (!future.isFinished()) {
        io.err << "vigil dashboard: discovering the metrics of " << def->url << " took longer than " << parser.value(timeoutOpt) << "\n";
        return 1;
    }
    const MetricCatalog catalog = future.result();
    if (!catalog.ok()) {
        io.err << "vigil dashboard: " << catalog.message << "\n";
        return 1;
    }
    io.err << "found " << catalog.namesSeen << " metric names (" << catalog.skippedInternal << " of the monitoring system itself left out"
           << (catalog.truncated ? QStringLiteral(", only the first %1 looked at").arg(catalog.metrics.size()) : QString()) << ")\n";
    for (const QString &n : catalog.notes)
        io.err << "note: " << n << "\n";
    const QString title = parser.isSet(nameOpt) ? parser.value(nameOpt) : QStringLiteral("%1 (proposed)").arg(connection);
    const ProposedDashboard p = proposeDashboard(title, connection, catalog.metrics, maxPanels);
    for (const QString &n : p.notes)
        io.err << "note: " << n << "\n";
    if (p.dashboard.panels.isEmpty()) {
        io.err << "vigil dashboard: " << def->url << " has no metric to chart besides the monitoring system's own\n";
        return 1;
    }
    io.err.flush();
    return deliver(io, ws, p.dashboard, parser.isSet(writeOpt));
}

} // namespace vigil::app
