// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/journal_sink.h"

#include <algorithm>
#include <spdlog/pattern_formatter.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil {

int journalPriority(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::critical:
        return 2;
    case spdlog::level::err:
        return 3;
    case spdlog::level::warn:
        return 4;
    case spdlog::level::info:
        return 6;
    default: // trace, debug (off never reaches a sink)
        return 7;
    }
}

spdlog::level::level_enum qtMessageLevel(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::warn;
}

namespace {

// Digits only: QByteArray::toULongLong would also take spaces and a sign.
bool parseDecimal(const QByteArray &text, qulonglong *value)
{
    if (text.isEmpty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    bool ok = false;
    *value = text.toULongLong(&ok);
    return ok;
}

} // namespace

bool isJournalStream(const QByteArray &journalStream, int fd)
{
    const QList<QByteArray> parts = journalStream.split(':');
    qulonglong dev = 0;
    qulonglong inode = 0;
    if (parts.size() != 2 || !parseDecimal(parts[0], &dev) || !parseDecimal(parts[1], &inode))
        return false;
    struct stat st = {};
    if (::fstat(fd, &st) != 0)
        return false;
    return qulonglong(st.st_dev) == dev && qulonglong(st.st_ino) == inode;
}

bool stderrIsJournal()
{
    return isJournalStream(qgetenv("JOURNAL_STREAM"), STDERR_FILENO);
}

JournalStreamSink::JournalStreamSink(std::FILE *stream)
    : m_stream(stream)
{
    // No end of line: sink_it_ ends (and prefixes) every line itself.
    formatter_ = std::make_unique<spdlog::pattern_formatter>("[%n] %v", spdlog::pattern_time_type::local, std::string());
}

void JournalStreamSink::sink_it_(const spdlog::details::log_msg &msg)
{
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    const std::string_view text(formatted.data(), formatted.size());
    const std::string prefix = '<' + std::to_string(journalPriority(msg.level)) + '>';
    std::string out;
    out.reserve(text.size() + prefix.size() + 1);
    size_t start = 0;
    while (true) {
        const size_t end = text.find('\n', start);
        out += prefix;
        out += text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        out += '\n';
        if (end == std::string_view::npos || end + 1 == text.size())
            break;
        start = end + 1;
    }
    // One write per message: lines of two threads' messages never interleave.
    std::fwrite(out.data(), 1, out.size(), m_stream);
    std::fflush(m_stream);
}

void JournalStreamSink::flush_()
{
    std::fflush(m_stream);
}

void JournalStreamSink::set_pattern_(const std::string &)
{
}

void JournalStreamSink::set_formatter_(std::unique_ptr<spdlog::formatter>)
{
}

} // namespace vigil
