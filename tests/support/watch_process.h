// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <catch2/catch.hpp>

#include "support/test_stack.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

namespace vigil::test {

// A real `vigil watch` on `workspace`, its state (alerts.db, log, crash
// reports) in `stateDir`, plugins from the build tree, and the environment
// variable `secretVariable` holding the Slack webhook it sends to (as a
// keychain-less machine would). It inherits the test's environment, so its
// session bus too. Killed, if still running, when it goes out of scope.
struct WatchProcess
{
    WatchProcess(const QString &workspace, const QString &stateDir, const QString &secretVariable, const QString &webhook)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(secretVariable, webhook);
        env.insert(QStringLiteral("XDG_STATE_HOME"), stateDir);
        env.insert(QStringLiteral("VIGIL_PLUGIN_PATH"), QStringLiteral(VIGIL_PLUGIN_DIR));
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"),
                      {QStringLiteral("watch"), QStringLiteral("--workspace"), workspace, QStringLiteral("--state-dir"),
                       stateDir});
        REQUIRE(process.waitForStarted(10'000));
    }
    ~WatchProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(10'000);
        }
    }
    WatchProcess(const WatchProcess &) = delete;
    WatchProcess &operator=(const WatchProcess &) = delete;

    // Waits, running the event loop (a webhook receiver in the test's own
    // thread must go on answering it meanwhile), until it has exited.
    bool waitExited(int timeoutMs = 15'000)
    {
        return waitUntil([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
    }
    // SIGTERM, as systemd stops it; true when it then exits cleanly, with 0.
    bool stop(int timeoutMs = 15'000)
    {
        process.terminate();
        return waitExited(timeoutMs) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }
    // Everything it printed so far.
    QString output()
    {
        log += QString::fromUtf8(process.readAll());
        return log;
    }
    QProcess process;
    QString log;
};

} // namespace vigil::test
