// SPDX-License-Identifier: GPL-3.0-or-later
// vigil: the on-call console. Command line per docs/USER-GUIDE.md:
//   vigil [--workspace FILE]
//   vigil screenshot --workspace FILE --view dashboard:NAME|compare:MODEL[:V1,V2]|alerts|drift|rules [--theme light|dark] -o OUT.png
//   vigil drift --reference A.json --current B.json [--json]
//   vigil detect --detector NAME FILE [--json]
//   vigil watch --workspace FILE [--state-dir DIR]
//   vigil check --workspace FILE [--json]
//   vigil --version
#include "commands/check_command.h"
#include "commands/dashboard_command.h"
#include "commands/detect_command.h"
#include "commands/drift_command.h"
#include "commands/watch_command.h"
#include "log/log.h"
#include "main_window.h"
#include "screenshot.h"
#include "startup_probe.h"
#include "session/session.h"
#include "single_instance.h"
#include "util/crash_report.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QCoreApplication>
#include <QCommandLineParser>
#include <QStandardPaths>
#include <cstdio>

using namespace vigil;

namespace {

constexpr const char *kDemoWorkspace = ":/workspaces/demo.yaml";

QStringList loadIssues(const Workspace &ws)
{
    QStringList out;
    for (const WorkspaceIssue &i : ws.issues)
        out << i.toString();
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    app::startupProbeMainEntered();
    // Commands that need no window and no display parse their own arguments.
    if (argc >= 2 && (qstrcmp(argv[1], "drift") == 0 || qstrcmp(argv[1], "detect") == 0)) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("vigil"));
        QStringList rest = QCoreApplication::arguments().mid(2);
        return qstrcmp(argv[1], "drift") == 0 ? app::runDriftCommand(rest) : app::runDetectCommand(rest);
    }
    if (argc >= 2 && qstrcmp(argv[1], "check") == 0) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("vigil"));
        return app::runCheckCommand(QCoreApplication::arguments().mid(2));
    }
    if (argc >= 2 && qstrcmp(argv[1], "dashboard") == 0) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("vigil"));
        return app::runDashboardCommand(QCoreApplication::arguments().mid(2));
    }
    if (argc >= 2 && qstrcmp(argv[1], "watch") == 0) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("vigil"));
        QCoreApplication::setOrganizationName(QStringLiteral("vigil"));
        QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
        return app::runWatchCommand(QCoreApplication::arguments().mid(2));
    }
    // `screenshot` renders offscreen whatever the session has.
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "screenshot") == 0 && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("vigil"));
    QApplication::setOrganizationName(QStringLiteral("vigil"));
    QApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("vigil"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Vigil: on-call console for machine-learning services"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Optional: screenshot, check, watch, dashboard, drift or detect (see --help of each)"), QStringLiteral("[command]"));
    const QCommandLineOption workspaceOpt({QStringLiteral("w"), QStringLiteral("workspace")},
                                          QStringLiteral("Workspace file (YAML). Default: the last one opened, else the demo workspace."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption logLevelOpt(QStringLiteral("log-level"),
                                         QStringLiteral("trace, debug, info, warn, error, critical or off (default info)."),
                                         QStringLiteral("LEVEL"), QStringLiteral("info"));
    const QCommandLineOption viewOpt(QStringLiteral("view"), QStringLiteral("screenshot: the view, dashboard:NAME, compare:MODEL[:V1,V2,...], alerts, drift or rules."),
                                     QStringLiteral("VIEW"));
    const QCommandLineOption themeOpt(QStringLiteral("theme"), QStringLiteral("screenshot: light or dark (default: the desktop's)."),
                                      QStringLiteral("THEME"));
    const QCommandLineOption outOpt({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("screenshot: the PNG to write."), QStringLiteral("OUT.png"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"),
                                        QStringLiteral("screenshot: how long to wait for data (default 60s)."),
                                        QStringLiteral("DURATION"), QStringLiteral("60s"));
    parser.addOptions({workspaceOpt, logLevelOpt, viewOpt, outOpt, timeoutOpt, themeOpt});
    parser.process(app);

    const QString level = parser.value(logLevelOpt);
    if (!isValidLogLevel(level)) {
        std::fprintf(stderr, "vigil: --log-level must be one of trace, debug, info, warn, error, critical, off; not '%s'\n",
                     qPrintable(level));
        return 1;
    }
    QString logError;
    initLogging({level, {}, true}, &logError);
    if (!logError.isEmpty())
        std::fprintf(stderr, "vigil: %s\n", qPrintable(logError));

    const QStringList args = parser.positionalArguments();
    const QString command = args.value(0);
    if (!command.isEmpty() && command != QLatin1String("screenshot")) {
        std::fprintf(stderr, "vigil: unknown command '%s' (known: screenshot, check, watch, drift, detect)\n", qPrintable(command));
        return 1;
    }

    // No --workspace: the window reopens the last workspace that still exists, else the built-in demo.
    QString path = parser.value(workspaceOpt);
    if (path.isEmpty() && command.isEmpty()) {
        path = ui::MainWindow::lastWorkspace();
        if (!path.isEmpty())
            logger("app")->info("no --workspace: reopening the last workspace, {}", path.toStdString());
        else
            logger("app")->info("no --workspace and no recent workspace that still exists: the built-in demo");
    }
    if (path.isEmpty())
        path = QString::fromLatin1(kDemoWorkspace);
    // One window per user and workspace: a second launch raises the first.
    const QString instanceSocket = ui::SingleInstance::socketPath(path);
    if (command.isEmpty() && ui::SingleInstance::sendRaise(instanceSocket)) {
        std::printf("vigil: already running for %s; raised its window\n", qPrintable(path));
        return 0;
    }
    // Crash reports (core/util/crash_report.h) for the window; what an earlier
    // run left is said in the log and among the window's problems.
    QStringList crashNotes;
    if (command.isEmpty()) {
        crashNotes = crash::installAndCollect(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                                  + QStringLiteral("/crash"),
                                              QStringLiteral("vigil"), QStringLiteral(VIGIL_VERSION));
        for (const QString &note : crashNotes)
            logger("app")->warn("{}", note.toStdString());
    }
    const Workspace ws = loadWorkspace(path);
    QStringList issues = loadIssues(ws);
    for (const QString &i : issues)
        logger("app")->warn("{}", i.toStdString());
    if (ws.dashboards.isEmpty() && ws.hasErrors()) {
        for (const QString &i : issues)
            std::fprintf(stderr, "%s\n", qPrintable(i));
        if (command == QLatin1String("screenshot"))
            return 1;
    }

    Session session;
    if (command.isEmpty())
        session.enableAlertPipeline(); // the window: alerts are saved and sent; a screenshot only looks
    session.loadPlugins();
    for (const PluginFailure &f : session.plugins().failures())
        issues << QStringLiteral("plugin %1 not used: %2").arg(f.path, f.reason);
    issues << session.open(ws);

    if (command == QLatin1String("screenshot")) {
        app::ScreenshotOptions opt;
        opt.view = parser.value(viewOpt);
        opt.output = parser.value(outOpt);
        const qint64 timeout = parseDuration(parser.value(timeoutOpt));
        if (opt.view.isEmpty() || opt.output.isEmpty() || timeout <= 0) {
            std::fprintf(stderr, "vigil screenshot: needs --view dashboard:NAME (or compare:MODEL), -o OUT.png and a valid --timeout\n");
            return 1;
        }
        opt.timeoutMs = timeout;
        opt.theme = parser.value(themeOpt);
        if (!opt.theme.isEmpty() && opt.theme != QLatin1String("light") && opt.theme != QLatin1String("dark")) {
            std::fprintf(stderr, "vigil screenshot: --theme must be light or dark, not '%s'\n", qPrintable(opt.theme));
            return 1;
        }
        return app::runScreenshot(session, issues, opt);
    }

    ui::MainWindow window(&session, issues + crashNotes);
    app::installStartupProbe(&window);
    window.restoreSettings();
    ui::SingleInstance instance;
    QString instanceError;
    if (!instance.listen(instanceSocket, &instanceError))
        logger("app")->warn("single instance: {}", instanceError.toStdString());
    QObject::connect(&instance, &ui::SingleInstance::raiseRequested, &window, &ui::MainWindow::raiseFromOtherInstance);
    // Open… put another workspace in the window: a second `vigil` for that one raises it.
    QObject::connect(&window, &ui::MainWindow::workspaceOpened, &instance, [&instance](const QString &opened) {
        QString error;
        if (!instance.listen(ui::SingleInstance::socketPath(opened), &error))
            logger("app")->warn("single instance: {}", error.toStdString());
    });
    window.show();
    return QApplication::exec();
}
