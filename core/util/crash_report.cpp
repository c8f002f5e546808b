// SPDX-License-Identifier: GPL-3.0-or-later
#include "crash_report.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <array>
#include <csignal>
#include <cstring>
#include <ctime>
#include <execinfo.h>
#include <fcntl.h>
#include <unistd.h>

namespace vigil::crash {

namespace {

// Prepared outside the handler: no allocation happens in it.
char g_path[4096];
char g_header[512];
stack_t g_altStack;
std::array<char, 64 * 1024> g_altStackMemory;
constexpr std::array<int, 5> kSignals{SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

const char *signalName(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "a fatal signal";
    }
}

// write() all of it, as far as the descriptor takes it.
void put(int fd, const char *text, size_t n)
{
    while (n > 0) {
        const ssize_t w = ::write(fd, text, n);
        if (w <= 0)
            return;
        text += w;
        n -= size_t(w);
    }
}

void put(int fd, const char *text)
{
    put(fd, text, std::strlen(text));
}

// Decimal digits of v into buf (at least 21 bytes); returns the start.
char *digits(long long v, char *end)
{
    *--end = '\0';
    const bool negative = v < 0;
    unsigned long long u = negative ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--end = char('0' + u % 10);
        u /= 10;
    } while (u);
    if (negative)
        *--end = '-';
    return end;
}

void writeReport(int fd, int sig)
{
    char buf[32];
    put(fd, g_header);
    put(fd, "signal: ");
    put(fd, digits(sig, buf + sizeof buf));
    put(fd, " ");
    put(fd, signalName(sig));
    put(fd, "\ntime: ");
    put(fd, digits((long long)::time(nullptr), buf + sizeof buf));
    put(fd, " (seconds since 1970, UTC)\nbacktrace (innermost first):\n");
    void *frames[64];
    const int n = ::backtrace(frames, 64);
    ::backtrace_symbols_fd(frames, n, fd);
    put(fd, "end of report\n");
}

extern "C" void onFatalSignal(int sig)
{
    const int fd = ::open(g_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        writeReport(fd, sig);
        ::close(fd);
    }
    put(STDERR_FILENO, "\n");
    writeReport(STDERR_FILENO, sig);
    if (fd >= 0) {
        put(STDERR_FILENO, "crash report written to ");
        put(STDERR_FILENO, g_path);
        put(STDERR_FILENO, "\n");
    }
    // SA_RESETHAND put the default action back: the signal ends the process
    // as it would have without us (and dumps core where that is on).
    ::raise(sig);
}

} // namespace

void install(const QString &dir, const QString &program, const QString &version)
{
    QDir().mkpath(dir);
    const QByteArray path = QFile::encodeName(QDir(dir).filePath(QStringLiteral("crash-%1.txt").arg(::getpid())));
    const QByteArray header = QStringLiteral("%1 %2 crashed\npid: %3\n").arg(program, version).arg(::getpid()).toUtf8();
    std::strncpy(g_path, path.constData(), sizeof g_path - 1);
    std::strncpy(g_header, header.constData(), sizeof g_header - 1);

    // The first backtrace() loads libgcc's unwinder, which allocates: do it
    // here, not in the handler.
    void *warm[4];
    (void)::backtrace(warm, 4);

    g_altStack.ss_sp = g_altStackMemory.data();
    g_altStack.ss_size = g_altStackMemory.size();
    g_altStack.ss_flags = 0;
    ::sigaltstack(&g_altStack, nullptr);

    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onFatalSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
    for (int sig : kSignals)
        ::sigaction(sig, &sa, nullptr);
}

QStringList unreportedCrashes(const QString &dir)
{
    QStringList out;
    const QFileInfoList files =
        QDir(dir).entryInfoList({QStringLiteral("crash-*.txt")}, QDir::Files, QDir::Time | QDir::Reversed);
    for (const QFileInfo &f : files)
        out << f.absoluteFilePath();
    return out;
}

QString markReported(const QString &path)
{
    const QString seen = path + QStringLiteral(".seen");
    QFile::remove(seen);
    return QFile::rename(path, seen) ? seen : path;
}

QStringList installAndCollect(const QString &dir, const QString &program, const QString &version)
{
    QStringList notes;
    // Before install(): this run's own report name may be an old one's.
    for (const QString &path : unreportedCrashes(dir))
        notes << QStringLiteral("An earlier run of Vigil crashed; its report is %1 (it names the signal and the "
                                "code that crashed, and holds no data or secrets: attach it to a bug report)")
                     .arg(markReported(path));
    install(dir, program, version);
    return notes;
}

} // namespace vigil::crash
