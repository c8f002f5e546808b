// SPDX-License-Identifier: GPL-3.0-or-later
// Logging under systemd (issue 9, headless watching): when stderr is the
// journal, lines carry sd-daemon priority prefixes and no timestamps.
#include <catch2/catch.hpp>

#include "log/journal_sink.h"

#include <QTemporaryFile>
#include <spdlog/logger.h>
#include <cstdio>
#include <sys/stat.h>

using namespace vigil;

namespace {

QByteArray journalStreamOf(int fd)
{
    struct stat st = {};
    REQUIRE(::fstat(fd, &st) == 0);
    return QByteArray::number(qulonglong(st.st_dev)) + ':' + QByteArray::number(qulonglong(st.st_ino));
}

// What a logger named `component` writes through a JournalStreamSink.
struct CapturedLog
{
    CapturedLog(const char *component)
        : stream(::open_memstream(&buffer, &size))
        , logger(component, std::make_shared<JournalStreamSink>(stream))
    {
        logger.set_level(spdlog::level::trace);
    }
    ~CapturedLog()
    {
        std::fclose(stream);
        std::free(buffer);
    }
    std::string text()
    {
        std::fflush(stream);
        return std::string(buffer, size);
    }
    char *buffer = nullptr;
    size_t size = 0;
    std::FILE *stream;
    spdlog::logger logger;
};

} // namespace

TEST_CASE("Each log level maps to its sd-daemon priority", "[log][journal]")
{
    using L = spdlog::level::level_enum;
    const std::pair<L, int> table[] = {
        {L::critical, 2}, {L::err, 3}, {L::warn, 4}, {L::info, 6}, {L::debug, 7}, {L::trace, 7},
    };
    for (const auto &[level, priority] : table) {
        INFO(spdlog::level::to_string_view(level).data());
        CHECK(journalPriority(level) == priority);
    }
}

TEST_CASE("JOURNAL_STREAM matches only the file with its device and inode", "[log][journal]")
{
    QTemporaryFile mine;
    QTemporaryFile other;
    REQUIRE(mine.open());
    REQUIRE(other.open());
    const QByteArray value = journalStreamOf(mine.handle());
    CHECK(isJournalStream(value, mine.handle()));
    // stderr redirected elsewhere by a parent: the variable is inherited, the match is not.
    CHECK_FALSE(isJournalStream(value, other.handle()));
    CHECK_FALSE(isJournalStream(value, -1));
}

TEST_CASE("A malformed JOURNAL_STREAM never counts as the journal", "[log][journal]")
{
    QTemporaryFile file;
    REQUIRE(file.open());
    const QByteArray good = journalStreamOf(file.handle());
    const QByteArray dev = good.left(good.indexOf(':'));
    const QByteArray inode = good.mid(good.indexOf(':') + 1);
    const QByteArray bad[] = {
        "", ":", dev, dev + ':', ':' + inode, dev + ':' + inode + ":1", dev + ":x" + inode, "x" + dev + ':' + inode,
        dev + ':' + inode + " ", "-" + dev + ':' + inode,
    };
    for (const QByteArray &value : bad) {
        INFO(value.toStdString());
        CHECK_FALSE(isJournalStream(value, file.handle()));
    }
    CHECK(isJournalStream(good, file.handle()));
}

TEST_CASE("The journal sink prefixes the priority and writes no timestamp", "[log][journal]")
{
    CapturedLog log("watch");
    // The logger's pattern (vigil's file format, with a timestamp) does not reach the sink.
    log.logger.set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ [%n] %v");
    log.logger.info("watching {} rule(s)", 3);
    log.logger.warn("slow answer");
    log.logger.error("delivery failed");
    log.logger.critical("cannot open the alert database");
    log.logger.debug("tick");
    CHECK(log.text() == "<6>[watch] watching 3 rule(s)\n"
                        "<4>[watch] slow answer\n"
                        "<3>[watch] delivery failed\n"
                        "<2>[watch] cannot open the alert database\n"
                        "<7>[watch] tick\n");
}

TEST_CASE("The journal sink prefixes every line of a multi-line message", "[log][journal]")
{
    CapturedLog log("app");
    log.logger.warn("workspace has 2 problems:\nline 3: unknown key\nline 9: bad duration\n");
    CHECK(log.text() == "<4>[app] workspace has 2 problems:\n"
                        "<4>line 3: unknown key\n"
                        "<4>line 9: bad duration\n");
}

TEST_CASE("The journal sink honours the logger's level", "[log][journal]")
{
    CapturedLog log("scheduler");
    log.logger.set_level(spdlog::level::warn);
    log.logger.info("not shown");
    log.logger.warn("shown");
    CHECK(log.text() == "<4>[scheduler] shown\n");
}

TEST_CASE("Qt messages map to the log level of their severity", "[log][journal]")
{
    const std::pair<QtMsgType, spdlog::level::level_enum> table[] = {
        {QtDebugMsg, spdlog::level::debug},  {QtInfoMsg, spdlog::level::info},
        {QtWarningMsg, spdlog::level::warn}, {QtCriticalMsg, spdlog::level::err},
        {QtFatalMsg, spdlog::level::critical},
    };
    for (const auto &[type, level] : table) {
        INFO(int(type));
        CHECK(qtMessageLevel(type) == level);
    }
    // And so to the journal: a Qt warning is <4>, qFatal <2>.
    CHECK(journalPriority(qtMessageLevel(QtWarningMsg)) == 4);
    CHECK(journalPriority(qtMessageLevel(QtFatalMsg)) == 2);
}
