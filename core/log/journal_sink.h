// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QtGlobal>
#include <cstdio>
#include <mutex>
#include <spdlog/sinks/base_sink.h>

namespace vigil {

// The sd-daemon priority prefix of a level (sd-daemon.h's SD_CRIT..SD_DEBUG):
// critical <2>, error <3>, warn <4>, info <6>, debug and trace <7>.
int journalPriority(spdlog::level::level_enum level);

// The level a Qt message (qDebug, qCWarning, ...) is logged at when it goes
// through spdlog: debug, info, warn, err, critical (for qFatal).
spdlog::level::level_enum qtMessageLevel(QtMsgType type);

// True when `journalStream`, the value systemd puts in $JOURNAL_STREAM
// ("DEVICE:INODE", both decimal), names the file open as `fd`. systemd sets
// the variable for a service whose stdout or stderr is the journal; a child
// that redirected stderr keeps the variable but not the match, so only the
// match counts (systemd.exec(5), "$JOURNAL_STREAM").
bool isJournalStream(const QByteArray &journalStream, int fd);

// isJournalStream($JOURNAL_STREAM, stderr).
bool stderrIsJournal();

// Writes "<P>[component] message" lines to a stream that journald reads:
// journald takes the priority from the prefix and adds the timestamp itself,
// so there is none here. Each line of a multi-line message carries the prefix
// (journald makes every line its own entry). The format is fixed: the
// logger's set_pattern() does not reach this sink.
class JournalStreamSink final : public spdlog::sinks::base_sink<std::mutex>
{
public:
    explicit JournalStreamSink(std::FILE *stream);

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override;
    void flush_() override;
    void set_pattern_(const std::string &pattern) override;
    void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

private:
    std::FILE *m_stream;
};

} // namespace vigil
