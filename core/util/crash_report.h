// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace vigil::crash {

// On a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes a report to
// `dir`/crash-<pid>.txt and to stderr, then lets the signal take its default
// course (a core dump where the system keeps one). The report says only what
// crashed: program and version, signal, time, pid and the stack's return
// addresses with their symbols. It holds no memory, arguments, environment or
// workspace, so it cannot carry a secret, and may be attached to a bug report
// as it is. Everything the handler needs is prepared here: it only calls
// async-signal-safe functions (open, write, close, backtrace_symbols_fd),
// and runs on its own stack, so a stack overflow of the main thread is
// reported too.
// Installing again replaces the directory.
void install(const QString &dir, const QString &program, const QString &version);

// Reports a crashed run left in `dir` that no later run has mentioned yet
// (crash-*.txt), oldest first.
QStringList unreportedCrashes(const QString &dir);
// Marks a report as mentioned (renames it to .txt.seen), so the next start
// does not say it again; returns the new path.
QString markReported(const QString &path);

// install(), then one message per report an earlier run left (marked as
// mentioned), for the log and the window: "An earlier run of Vigil crashed; ...".
QStringList installAndCollect(const QString &dir, const QString &program, const QString &version);

} // namespace vigil::crash
