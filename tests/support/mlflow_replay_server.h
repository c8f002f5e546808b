// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QUrl>

namespace vigil::test {

// An MLflow tracking server on 127.0.0.1 rebuilt from recorded real exchanges
// (tests/fixtures/mlflow, see its README): each request is answered with the
// recording whose method, path and query or JSON body match, exactly as the
// real server answered it, and the connection is then closed (gunicorn sends
// Connection: close). What was served and what matched nothing are kept so a
// test can check the client asked exactly what a real client asks.
class MlflowReplayServer : public QAbstractHttpServer
{
public:
    explicit MlflowReplayServer(const QString &fixtureDir = QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/mlflow"),
                                QObject *parent = nullptr);

    // Listens on a free loopback port; false (and a reason in error()) when a
    // fixture cannot be read or nothing could be bound.
    bool start();
    // Serve HTTPS with this certificate and key (PEM files); call before start().
    bool useTls(const QString &certificateFile, const QString &keyFile);
    QUrl url() const { return m_url; }
    const QString &error() const { return m_error; }
    qsizetype recordings() const { return m_byKey.size(); }

    // From now on every request needs an Authorization header equal to one of
    // `accepted` (e.g. "Basic YWRtaW46cGFzc3dvcmQ="); one in `forbidden` gets
    // the recorded 403, anything else the recorded 401.
    void requireAuth(QList<QByteArray> accepted, QList<QByteArray> forbidden = {});

    const QStringList &served() const { return m_served; }       // recording names, in order
    const QStringList &unmatched() const { return m_unmatched; } // "GET /path?query" with no recording
    const QList<QByteArray> &authorizations() const { return m_authorizations; }

    // The canonical form both sides are keyed by: "GET /p?a=1&b=x y" (query
    // items decoded as Flask decodes them, '+' as a space, and sorted), or
    // "POST /p {compact JSON, keys sorted}".
    static QString keyFor(const QByteArray &method, const QString &path, const QByteArray &encodedQuery,
                          const QJsonObject *body);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Recording
    {
        QString name;
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };
    void reply(const QHttpServerRequest &request, QTcpSocket *socket, const Recording &recording);
    const Recording *named(const QString &name) const;

    QString m_dir;
    QString m_error;
    QUrl m_url;
    QHash<QString, Recording> m_byKey;
    QHash<QString, Recording> m_byName;
    QHash<QString, QStringList> m_methodsByPath;
    bool m_tls = false;
    bool m_authRequired = false;
    QList<QByteArray> m_accepted;
    QList<QByteArray> m_forbidden;
    QStringList m_served;
    QStringList m_unmatched;
    QList<QByteArray> m_authorizations;
};

} // namespace vigil::test
