// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace vigil::test {

// A scriptable, misbehaving HTTP/1.1 server on 127.0.0.1 for reliability tests.
// Every request is answered according to the current Script; what each request
// looked like (head and body) and how many body bytes went out are recorded so
// a test can check what the client sent and how early it gave up.
class FaultServer : public QObject
{
    Q_OBJECT
public:
    enum class Mode {
        Refuse,     // nothing listens on the port: connection refused
        Hang,       // accept, read the request, never answer
        Respond,    // status, headers and body, then close
        Truncated,  // headers (with the full Content-Length unless declareLength is off), half the body, close
        SlowDrip,   // headers, then the body one `chunkBytes` piece every `intervalMs`
        HugeBody,   // headers, then `hugeBytes` of filler streamed as fast as the client reads
    };

    struct Script
    {
        Mode mode = Mode::Respond;
        int status = 200;
        QByteArray reason = "OK";
        QByteArray contentType = "application/json";
        QByteArray body;
        QList<std::pair<QByteArray, QByteArray>> headers; // extra response headers
        bool declareLength = true; // send Content-Length (else the body ends at close)
        qint64 hugeBytes = 64LL * 1024 * 1024;
        int chunkBytes = 16;
        int intervalMs = 100;
    };

    // Handy scripts.
    static Script respond(int status, QByteArray reason, QByteArray contentType, QByteArray body);
    static Script mode(Mode m);

    explicit FaultServer(QObject *parent = nullptr);
    ~FaultServer() override;

    // Listens on a free loopback port; the URL stays valid across scripts, so
    // Refuse can be set on a port the client already knows.
    bool start();
    QUrl url() const { return m_url; }
    void setScript(const Script &script);

    struct Seen
    {
        QByteArray method;
        QByteArray target; // path and query as sent
        QByteArray head;   // the request line and headers
        QByteArray body;
        QByteArray header(const QByteArray &name) const;
    };
    const QList<Seen> &requests() const { return m_requests; }
    qint64 bodyBytesSent() const { return m_bodyBytesSent; }
    int connections() const { return m_connections; }

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket);
    QByteArray statusAndHeaders(qint64 contentLength) const;
    void pump(QTcpSocket *socket);

    QTcpServer m_server;
    QUrl m_url;
    quint16 m_port = 0;
    Script m_script;
    QList<Seen> m_requests;
    qint64 m_bodyBytesSent = 0;
    int m_connections = 0;
};

} // namespace vigil::test
