// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "log/log.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace vigil;

TEST_CASE("Logging writes each component's lines to the rotating file at the chosen level", "[log]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    QString error;
    const QString path = initLogging({QStringLiteral("info"), dir.path(), false}, &error);
    CHECK(error.isEmpty());
    REQUIRE(path == dir.filePath("vigil.log"));
    logger("scheduler")->info("poll started");
    logger("prometheus")->debug("not at info level");
    logger("scheduler")->flush();
    logger("prometheus")->flush();
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    CHECK(text.contains("[scheduler] poll started"));
    CHECK(text.contains("info"));
    CHECK_FALSE(text.contains("not at info level"));
    // Back to a quiet default for the other tests.
    initLogging({QStringLiteral("off"), dir.path(), false});
}

TEST_CASE("Logging reports a log directory it cannot write", "[log]")
{
    QString error;
    const QString path = initLogging({QStringLiteral("info"), QStringLiteral("/proc/vigil-cannot-write"), false}, &error);
    CHECK(path.isEmpty());
    CHECK(error.startsWith("cannot write the log file in /proc/vigil-cannot-write"));
    initLogging({QStringLiteral("off"), QDir::tempPath(), false});
}

TEST_CASE("Log levels are validated by name", "[log]")
{
    CHECK(isValidLogLevel("debug"));
    CHECK(isValidLogLevel("off"));
    CHECK_FALSE(isValidLogLevel("verbose"));
}

TEST_CASE("The state directory honours XDG_STATE_HOME", "[log]")
{
    qputenv("XDG_STATE_HOME", "/var/tmp/state");
    CHECK(stateDirectory() == "/var/tmp/state/vigil");
    qunsetenv("XDG_STATE_HOME");
    CHECK(stateDirectory().endsWith("/.local/state/vigil"));
}
