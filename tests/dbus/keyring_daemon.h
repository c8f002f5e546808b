// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QTemporaryDir>

namespace vigil::test {

// gnome-keyring-daemon's Secret Service on the test's private session bus
// (the binary runs under dbus-run-session), with a fresh HOME, XDG_DATA_HOME
// and XDG_RUNTIME_DIR (mode 0700) in a temporary directory, so no real
// keyring is ever touched. Killed when this object goes away.
class KeyringDaemon
{
public:
    KeyringDaemon();
    ~KeyringDaemon();
    // unlocked: `--unlock` with a throwaway password on stdin (a login keyring
    // is created, unlocked, as the default collection). Otherwise no keyring is
    // unlocked and nothing can prompt: QtKeychain's "locked" case. Returns
    // once org.freedesktop.secrets is on the bus; false with *error otherwise.
    bool start(bool unlocked, QString *error);
    QString home() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
};

} // namespace vigil::test
