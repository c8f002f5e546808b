// SPDX-License-Identifier: GPL-3.0-or-later
#include "single_instance.h"

#include "session/session.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QStandardPaths>
#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace vigil::ui {

SingleInstance::SingleInstance(QObject *parent)
    : QObject(parent)
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::socketPath(const QString &workspacePath)
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (dir.isEmpty())
        dir = QDir::tempPath();
    const QString where = workspacePath.startsWith(u':') ? workspacePath : QFileInfo(workspacePath).absoluteFilePath();
    const QByteArray hash = QCryptographicHash::hash(where.toUtf8(), QCryptographicHash::Sha256).toHex().left(12);
    QString user = Session::userName();
    user.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
#ifdef Q_OS_UNIX
    user += QStringLiteral("-%1").arg(::getuid()); // the login name may be unknown (no $USER)
#endif
    return QStringLiteral("%1/vigil-%2-%3.sock").arg(dir, user, QString::fromLatin1(hash));
}

bool SingleInstance::sendRaise(const QString &socketPath, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write("raise\n");
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    // The answer says the first instance is alive, not just its socket file.
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
    }
    return socket.readLine().trimmed() == "ok";
}

bool SingleInstance::listen(const QString &socketPath, QString *error)
{
    // Someone answering on the socket is a live instance. Nobody answering:
    // a file left by a crash, replaced. (With UserAccessOption Qt renames its
    // socket over the path, so listen() alone would not notice a live one.)
    if (QFileInfo::exists(socketPath)) {
        if (sendRaise(socketPath, 500)) {
            if (error)
                *error = QStringLiteral("another Vigil already watches this workspace (%1)").arg(socketPath);
            return false;
        }
        QLocalServer::removeServer(socketPath);
    }
    delete m_server;
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(socketPath)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1: %2").arg(socketPath, m_server->errorString());
        return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                while (socket->canReadLine()) {
                    const QByteArray line = socket->readLine().trimmed();
                    if (line == "raise") {
                        socket->write("ok\n");
                        socket->flush();
                        Q_EMIT raiseRequested();
                    }
                }
            });
        }
    });
    return true;
}

bool SingleInstance::isListening() const
{
    return m_server && m_server->isListening();
}

} // namespace vigil::ui
