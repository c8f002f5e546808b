// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/fault_server.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace vigil::test {

namespace {
const char *kBuffer = "vigil_request_buffer";
const char *kRemaining = "vigil_body_remaining";
} // namespace

QByteArray FaultServer::Seen::header(const QByteArray &name) const
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

FaultServer::Script FaultServer::respond(int status, QByteArray reason, QByteArray contentType, QByteArray body)
{
    Script s;
    s.mode = Mode::Respond;
    s.status = status;
    s.reason = std::move(reason);
    s.contentType = std::move(contentType);
    s.body = std::move(body);
    return s;
}

FaultServer::Script FaultServer::mode(Mode m)
{
    Script s;
    s.mode = m;
    return s;
}

FaultServer::FaultServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FaultServer::onNewConnection);
}

FaultServer::~FaultServer() = default;

bool FaultServer::start()
{
    if (!m_server.listen(QHostAddress::LocalHost, m_port))
        return false;
    m_port = m_server.serverPort();
    m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    return true;
}

void FaultServer::setScript(const Script &script)
{
    m_script = script;
    if (script.mode == Mode::Refuse)
        m_server.close(); // the port stays known but nothing accepts on it
    else if (!m_server.isListening())
        start();
}

void FaultServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FaultServer::onReadyRead(QTcpSocket *socket)
{
    if (socket->property("vigil_answered").toBool()) {
        socket->readAll();
        return;
    }
    QByteArray buffer = socket->property(kBuffer).toByteArray() + socket->readAll();
    socket->setProperty(kBuffer, buffer);
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    Seen seen;
    seen.head = buffer.left(headEnd);
    const QList<QByteArray> requestLine = seen.head.left(seen.head.indexOf("\r\n")).split(' ');
    seen.method = requestLine.value(0);
    seen.target = requestLine.value(1);
    const qint64 length = seen.header("Content-Length").toLongLong();
    if (buffer.size() - (headEnd + 4) < length)
        return; // the rest of the body is still coming
    seen.body = buffer.mid(headEnd + 4, length);
    m_requests.append(seen);
    socket->setProperty("vigil_answered", true);
    answer(socket);
}

QByteArray FaultServer::statusAndHeaders(qint64 contentLength) const
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(m_script.status) + ' ' + m_script.reason + "\r\n";
    out += "Content-Type: " + m_script.contentType + "\r\n";
    if (m_script.declareLength && contentLength >= 0)
        out += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    for (const auto &[name, value] : m_script.headers)
        out += name + ": " + value + "\r\n";
    out += "Connection: close\r\n\r\n";
    return out;
}

void FaultServer::answer(QTcpSocket *socket)
{
    const Script &s = m_script;
    switch (s.mode) {
    case Mode::Refuse: // a connection that raced the close: drop it
        socket->abort();
        return;
    case Mode::Hang:
        return; // keep the socket open and say nothing
    case Mode::Respond:
        socket->write(statusAndHeaders(s.body.size()));
        socket->write(s.body);
        m_bodyBytesSent += s.body.size();
        socket->disconnectFromHost();
        return;
    case Mode::Truncated: {
        socket->write(statusAndHeaders(s.body.size()));
        const QByteArray half = s.body.left(s.body.size() / 2);
        socket->write(half);
        m_bodyBytesSent += half.size();
        socket->disconnectFromHost();
        return;
    }
    case Mode::SlowDrip: {
        socket->write(statusAndHeaders(s.body.size()));
        auto *timer = new QTimer(socket);
        auto offset = std::make_shared<qsizetype>(0);
        const QByteArray body = s.body;
        const int chunk = std::max(1, s.chunkBytes);
        connect(timer, &QTimer::timeout, socket, [this, socket, timer, offset, body, chunk] {
            const QByteArray piece = body.mid(*offset, chunk);
            socket->write(piece);
            m_bodyBytesSent += piece.size();
            *offset += piece.size();
            if (*offset >= body.size()) {
                timer->stop();
                socket->disconnectFromHost();
            }
        });
        timer->start(s.intervalMs);
        return;
    }
    case Mode::HugeBody:
        socket->write(statusAndHeaders(s.hugeBytes));
        socket->setProperty(kRemaining, s.hugeBytes);
        // Write as the client drains, so "sent" means the client took it.
        connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { pump(socket); });
        pump(socket);
        return;
    }
}

void FaultServer::pump(QTcpSocket *socket)
{
    static const QByteArray filler(64 * 1024, 'x');
    qint64 remaining = socket->property(kRemaining).toLongLong();
    // Keep at most two chunks queued: the kernel buffers hold the rest.
    while (remaining > 0 && socket->bytesToWrite() < 2 * filler.size()
           && socket->state() == QAbstractSocket::ConnectedState) {
        const qint64 n = std::min<qint64>(remaining, filler.size());
        socket->write(filler.constData(), n);
        m_bodyBytesSent += n;
        remaining -= n;
    }
    socket->setProperty(kRemaining, remaining);
    if (remaining == 0 && socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() == 0)
        socket->disconnectFromHost();
}

} // namespace vigil::test
