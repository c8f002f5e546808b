// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/log.h"

#include "log/journal_sink.h"

#include <QDir>
#include <mutex>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace vigil {

namespace {
std::mutex g_mutex;
std::vector<spdlog::sink_ptr> g_sinks;
spdlog::level::level_enum g_level = spdlog::level::info;
bool g_initialised = false;
bool g_qtHandlerInstalled = false;
QtMessageHandler g_previousQtHandler = nullptr;
const char *const kPattern = "%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ [%n] %v";

// Under the journal, Qt's own messages (logging categories such as
// vigil.notify.desktop, qWarning from Qt) take the same path as Vigil's: a
// priority, the component (their category) and the level filter, so debug
// chatter stays out at the default level.
void journalQtMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const bool named = context.category && qstrcmp(context.category, "default") != 0;
    const auto l = logger(named ? context.category : "qt");
    l->log(qtMessageLevel(type), "{}", message.toStdString());
    if (type == QtFatalMsg)
        l->flush(); // Qt aborts after this handler returns
}
} // namespace

QString stateDirectory()
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/vigil");
}

bool isValidLogLevel(const QString &level)
{
    static const QStringList levels{QStringLiteral("trace"), QStringLiteral("debug"), QStringLiteral("info"),
                                    QStringLiteral("warn"),  QStringLiteral("error"), QStringLiteral("critical"),
                                    QStringLiteral("off")};
    return levels.contains(level);
}

QString initLogging(const LogOptions &options, QString *error)
{
    std::lock_guard lock(g_mutex);
    g_sinks.clear();
    g_level = spdlog::level::from_str(options.level.toStdString());
    const bool journal = options.console && stderrIsJournal();
    if (options.console) {
        // Under systemd (a user unit, or a desktop session that starts apps as
        // units) stderr is the journal: priorities it understands, no timestamps.
        if (journal)
            g_sinks.push_back(std::make_shared<JournalStreamSink>(stderr));
        else
            g_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    }
    // Only ever swap our own handler in or out: one somebody else installed stays.
    if (journal && !g_qtHandlerInstalled)
        g_previousQtHandler = qInstallMessageHandler(journalQtMessageHandler);
    else if (!journal && g_qtHandlerInstalled)
        qInstallMessageHandler(g_previousQtHandler);
    g_qtHandlerInstalled = journal;
    const QString dir = options.directory.isEmpty() ? stateDirectory() : options.directory;
    QString path;
    try {
        QDir().mkpath(dir);
        path = dir + QStringLiteral("/vigil.log");
        g_sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path.toStdString(), 5 * 1024 * 1024, 3));
    } catch (const spdlog::spdlog_ex &e) {
        if (error)
            *error = QStringLiteral("cannot write the log file in %1: %2").arg(dir, QString::fromUtf8(e.what()));
        path.clear();
    }
    // Re-point loggers made before initialisation at the new sinks.
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger> &l) {
        l->sinks() = g_sinks;
        l->set_level(g_level);
        l->set_pattern(kPattern);
    });
    g_initialised = true;
    return path;
}

std::shared_ptr<spdlog::logger> logger(const char *component)
{
    if (auto existing = spdlog::get(component))
        return existing;
    std::lock_guard lock(g_mutex);
    if (auto existing = spdlog::get(component))
        return existing;
    std::shared_ptr<spdlog::logger> l;
    if (g_initialised)
        l = std::make_shared<spdlog::logger>(component, g_sinks.begin(), g_sinks.end());
    else
        l = std::make_shared<spdlog::logger>(component, std::make_shared<spdlog::sinks::null_sink_mt>());
    l->set_level(g_level);
    l->set_pattern(kPattern);
    spdlog::register_logger(l);
    return l;
}

} // namespace vigil
