// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands/watch_command.h"

#include "log/journal_sink.h"
#include "log/log.h"
#include "session/session.h"
#include "util/crash_report.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil::app {

namespace {

int g_signalFd[2] = {-1, -1};

// Errors printed before (or instead of) the log: under systemd, with the
// journal's error priority so `journalctl -p err` shows why it stopped.
const char *errorPrefix(int priority = 3)
{
    if (!stderrIsJournal())
        return "";
    return priority == 4 ? "<4>" : "<3>";
}

// Async-signal-safe: the byte wakes the event loop, which quits it.
void onSignal(int signo)
{
    const char c = char(signo);
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

} // namespace

int runWatchCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Runs the workspace's rules, routes and notifiers without a window."));
    const QCommandLineOption workspaceOpt({QStringLiteral("w"), QStringLiteral("workspace")},
                                          QStringLiteral("Workspace file (YAML)."), QStringLiteral("FILE"));
    const QCommandLineOption stateOpt(QStringLiteral("state-dir"),
                                      QStringLiteral("Where the alert database (alerts.db) and the log live "
                                                     "(default: $XDG_STATE_HOME/vigil)."),
                                      QStringLiteral("DIR"));
    const QCommandLineOption logLevelOpt(QStringLiteral("log-level"),
                                         QStringLiteral("trace, debug, info, warn, error, critical or off (default info)."),
                                         QStringLiteral("LEVEL"), QStringLiteral("info"));
    parser.addOptions({workspaceOpt, stateOpt, logLevelOpt});
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("vigil watch")} + args)) {
        std::fprintf(stderr, "%svigil watch: %s\n", errorPrefix(), qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (!parser.isSet(workspaceOpt)) {
        std::fprintf(stderr, "%svigil watch: needs --workspace FILE\n", errorPrefix());
        return 2;
    }
    const QString level = parser.value(logLevelOpt);
    if (!isValidLogLevel(level)) {
        std::fprintf(stderr, "%svigil watch: --log-level must be one of trace, debug, info, warn, error, critical, off; not '%s'\n",
                     errorPrefix(), qPrintable(level));
        return 2;
    }
    const QString stateDir = parser.value(stateOpt);
    if (!stateDir.isEmpty() && !QDir().mkpath(stateDir)) {
        std::fprintf(stderr, "%svigil watch: cannot create the state directory %s\n", errorPrefix(), qPrintable(stateDir));
        return 2;
    }
    QString logError;
    initLogging({level, stateDir, true}, &logError);
    if (!logError.isEmpty())
        std::fprintf(stderr, "%svigil watch: %s\n", errorPrefix(4), qPrintable(logError)); // logs to stderr only

    // Signals first, before the crash notice and the workspace: a SIGTERM at
    // any point of start-up (systemd stopping the unit) stops cleanly. After
    // them, as it was, a SIGTERM in between killed the process (found by the
    // crash-report test under the sanitizers, which start up slower).
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0) {
        std::fprintf(stderr, "%svigil watch: cannot set up signal handling\n", errorPrefix());
        return 2;
    }
    QSocketNotifier notifier(g_signalFd[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, qApp, [] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        logger("app")->info("signal {}: stopping", int(c));
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);

    // Crash reports beside the state (the unit's StateDirectory), else in the data directory.
    const QString crashDir = stateDir.isEmpty()
        ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/crash")
        : QDir(stateDir).filePath(QStringLiteral("crash"));
    for (const QString &note : crash::installAndCollect(crashDir, QStringLiteral("vigil watch"), QStringLiteral(VIGIL_VERSION)))
        logger("app")->warn("{}", note.toStdString());

    const Workspace ws = loadWorkspace(parser.value(workspaceOpt));
    for (const WorkspaceIssue &i : ws.issues)
        logger("app")->warn("{}", i.toString().toStdString());
    if (ws.rules.isEmpty()) {
        std::fprintf(stderr, "%svigil watch: %s has no usable rules: nothing to watch\n", errorPrefix(),
                     qPrintable(parser.value(workspaceOpt)));
        return 2;
    }

    int status = 0;
    {
        Session session;
        session.enableAlertPipeline(stateDir.isEmpty() ? QString() : QDir(stateDir).filePath(QStringLiteral("alerts.db")));
        session.loadPlugins();
        session.open(ws); // logs what it could not set up; the rest runs
        QObject::connect(&session, &Session::alertCommandFailed, qApp,
                         [](const QString &m) { logger("app")->warn("{}", m.toStdString()); });
        logger("app")->info("watching {} rule(s) from {}", ws.rules.size(), ws.path.toStdString());
        status = QCoreApplication::exec();
    } // the session stops its I/O thread here: deliveries in flight end, the store closes
    logger("app")->info("stopped");
    ::close(g_signalFd[0]);
    ::close(g_signalFd[1]);
    return status;
}

} // namespace vigil::app
