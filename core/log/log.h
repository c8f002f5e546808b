// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <memory>
#include <spdlog/spdlog.h>

namespace vigil {

struct LogOptions
{
    QString level = QStringLiteral("info"); // trace, debug, info, warn, error, critical, off
    QString directory;                       // empty: the XDG state directory (~/.local/state/vigil)
    bool console = true;                     // also to stderr (journald's format when stderr is the journal)
};

// Sets up one logger per component (app, scheduler, plugins, prometheus, ui, ...)
// sharing a rotating file (5 MB x 3) and, optionally, stderr. Returns the
// log file's path, or an error text when the file cannot be opened (then
// logging goes to stderr only).
QString initLogging(const LogOptions &options, QString *error = nullptr);

// The logger of a component, created on first use. Never null after
// initLogging(); before it (in unit tests) a logger that drops everything.
std::shared_ptr<spdlog::logger> logger(const char *component);

// ~/.local/state/vigil, honouring $XDG_STATE_HOME.
QString stateDirectory();

bool isValidLogLevel(const QString &level);

} // namespace vigil
