// SPDX-License-Identifier: GPL-3.0-or-later
#include "keyring_daemon.h"

#include "support/test_stack.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QFile>

namespace vigil::test {

KeyringDaemon::KeyringDaemon() = default;

KeyringDaemon::~KeyringDaemon()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5'000))
            m_process.kill();
        m_process.waitForFinished(5'000);
    }
}

bool KeyringDaemon::start(bool unlocked, QString *error)
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        *error = QStringLiteral("no session bus: run this test through ctest (dbus-run-session)");
        return false;
    }
    const QString home = m_dir.path();
    const QString runtime = home + QStringLiteral("/runtime");
    QDir().mkpath(home + QStringLiteral("/data"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{QStringLiteral("--foreground"), QStringLiteral("--components=secrets")};
    if (unlocked)
        args << QStringLiteral("--unlock");
    m_process.start(QStringLiteral("gnome-keyring-daemon"), args);
    if (!m_process.waitForStarted(10'000)) {
        *error = QStringLiteral("gnome-keyring-daemon did not start (package gnome-keyring): ") + m_process.errorString();
        return false;
    }
    if (unlocked)
        m_process.write("vigil-test-keyring"); // the login keyring's password (an empty one creates no keyring)
    m_process.closeWriteChannel();
    QDBusConnectionInterface *bus = QDBusConnection::sessionBus().interface();
    const bool up = waitUntil([&] {
        return m_process.state() == QProcess::Running && bus->isServiceRegistered(QStringLiteral("org.freedesktop.secrets"));
    }, 15'000);
    if (!up)
        *error = QStringLiteral("gnome-keyring-daemon did not register org.freedesktop.secrets: ")
                 + QString::fromLocal8Bit(m_process.readAll());
    return up;
}

} // namespace vigil::test
