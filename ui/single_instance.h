// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QLocalServer;

namespace vigil::ui {

// One window per user and workspace: the first `vigil` listens on a local
// socket in $XDG_RUNTIME_DIR; a second launch sends "raise" to it and exits.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(QObject *parent = nullptr);
    ~SingleInstance() override;

    // $XDG_RUNTIME_DIR/vigil-<user>-<uid>-<hash of the workspace's absolute path>.sock
    static QString socketPath(const QString &workspacePath);
    // Asks a running instance to raise its window: true when one answered.
    static bool sendRaise(const QString &socketPath, int timeoutMs = 1000);
    // Listens, replacing a socket nobody answers on (a crashed instance).
    // False with *error when another instance answers or listening fails.
    bool listen(const QString &socketPath, QString *error = nullptr);
    bool isListening() const;

Q_SIGNALS:
    void raiseRequested();

private:
    QLocalServer *m_server = nullptr;
};

} // namespace vigil::ui
