// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/mlflow_replay_server.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpSocket>
#include <QUrlQuery>
#include <algorithm>

namespace vigil::test {

namespace {

// Query items as Flask (werkzeug) reads them: split on '&', '+' is a space,
// then percent-decoding.
QStringList decodedItems(const QByteArray &encodedQuery)
{
    QStringList items;
    for (const QByteArray &part : encodedQuery.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        QByteArray key = eq < 0 ? part : part.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        key.replace('+', ' ');
        value.replace('+', ' ');
        items << QString::fromUtf8(QByteArray::fromPercentEncoding(key)) + QLatin1Char('=') +
                     QString::fromUtf8(QByteArray::fromPercentEncoding(value));
    }
    std::sort(items.begin(), items.end());
    return items;
}

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    default: return "OTHER";
    }
}

} // namespace

MlflowReplayServer::MlflowReplayServer(const QString &fixtureDir, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_dir(fixtureDir)
{
}

QString MlflowReplayServer::keyFor(const QByteArray &method, const QString &path, const QByteArray &encodedQuery,
                                   const QJsonObject *body)
{
    QString key = QString::fromLatin1(method) + QLatin1Char(' ') + path;
    if (body)
        return key + QLatin1Char(' ') + QString::fromUtf8(QJsonDocument(*body).toJson(QJsonDocument::Compact));
    const QStringList items = decodedItems(encodedQuery);
    return items.isEmpty() ? key : key + QLatin1Char('?') + items.join(QLatin1Char('&'));
}

bool MlflowReplayServer::start()
{
    const QDir dir(m_dir);
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    // Plain recordings first: an auth-* one for the same request (the reader's
    // registered-models/get) answers the same and must not shadow it.
    QStringList ordered;
    for (const QString &f : files)
        if (!f.startsWith(QLatin1String("auth-")))
            ordered << f;
    for (const QString &f : files)
        if (f.startsWith(QLatin1String("auth-")))
            ordered << f;
    for (const QString &file : ordered) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly)) {
            m_error = QStringLiteral("cannot read %1").arg(f.fileName());
            return false;
        }
        const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonObject req = root.value(QLatin1String("request")).toObject();
        const QJsonObject resp = root.value(QLatin1String("response")).toObject();
        if (req.isEmpty() || resp.isEmpty()) {
            m_error = QStringLiteral("%1 is not a recording").arg(file);
            return false;
        }
        Recording r;
        r.name = root.value(QLatin1String("name")).toString();
        r.status = resp.value(QLatin1String("status")).toInt();
        const QJsonObject headers = resp.value(QLatin1String("headers")).toObject();
        for (auto it = headers.begin(); it != headers.end(); ++it) {
            // Date and Server are noise; Content-Length is recomputed (same value).
            if (it.key() == QLatin1String("Date") || it.key() == QLatin1String("Content-Length"))
                continue;
            r.headers.append({it.key().toLatin1(), it.value().toString().toLatin1()});
        }
        r.body = resp.value(QLatin1String("body_raw")).toString().toUtf8();

        const QByteArray method = req.value(QLatin1String("method")).toString().toLatin1();
        const QString path = req.value(QLatin1String("path")).toString();
        const QUrl url(req.value(QLatin1String("url")).toString());
        const QJsonValue body = req.value(QLatin1String("body"));
        const QJsonObject bodyObject = body.toObject();
        const QString key = keyFor(method, path, url.query(QUrl::FullyEncoded).toLatin1(),
                                   body.isObject() ? &bodyObject : nullptr);
        // Only requests that succeed or fail on their merits are replayed by
        // key; the auth failures and the content-type error answer by rule.
        const bool byRule = r.status == 401 || r.status == 403 || r.name == QLatin1String("error-post-wrong-content-type");
        if (!byRule && !m_byKey.contains(key))
            m_byKey.insert(key, r);
        m_byName.insert(r.name, r);
        if (!m_methodsByPath[path].contains(QString::fromLatin1(method)))
            m_methodsByPath[path].append(QString::fromLatin1(method));
    }
    const quint16 port = listen(QHostAddress::LocalHost, 0);
    if (port == 0) {
        m_error = QStringLiteral("cannot listen on 127.0.0.1");
        return false;
    }
    m_url = QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(m_tls ? "https" : "http").arg(port));
    return true;
}

bool MlflowReplayServer::useTls(const QString &certificateFile, const QString &keyFile)
{
    QFile certFile(certificateFile);
    QFile keyFileIn(keyFile);
    if (!certFile.open(QIODevice::ReadOnly) || !keyFileIn.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read %1 or %2").arg(certificateFile, keyFile);
        return false;
    }
    const QSslCertificate cert(&certFile, QSsl::Pem);
    const QSslKey key(&keyFileIn, QSsl::Rsa, QSsl::Pem);
    if (cert.isNull() || key.isNull()) {
        m_error = QStringLiteral("%1 or %2 is not PEM").arg(certificateFile, keyFile);
        return false;
    }
    sslSetup(cert, key);
    m_tls = true;
    return true;
}

void MlflowReplayServer::requireAuth(QList<QByteArray> accepted, QList<QByteArray> forbidden)
{
    m_authRequired = true;
    m_accepted = std::move(accepted);
    m_forbidden = std::move(forbidden);
}

const MlflowReplayServer::Recording *MlflowReplayServer::named(const QString &name) const
{
    auto it = m_byName.constFind(name);
    return it == m_byName.constEnd() ? nullptr : &*it;
}

bool MlflowReplayServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QByteArray method = methodName(request.method());
    const QString path = request.url().path();
    const QByteArray auth = request.value("Authorization");
    m_authorizations.append(auth);

    if (m_authRequired && !m_accepted.contains(auth)) {
        QString name = QStringLiteral("auth-no-credentials");
        if (m_forbidden.contains(auth))
            name = QStringLiteral("auth-reader-write-forbidden");
        else if (auth.startsWith("Bearer "))
            name = QStringLiteral("auth-bearer-token-rejected");
        else if (!auth.isEmpty())
            name = QStringLiteral("auth-basic-wrong-password");
        reply(request, socket, *named(name));
        return true;
    }

    QJsonObject body;
    bool hasBody = false;
    if (method == "POST") {
        if (!request.value("Content-Type").startsWith("application/json")) {
            reply(request, socket, *named(QStringLiteral("error-post-wrong-content-type")));
            return true;
        }
        body = QJsonDocument::fromJson(request.body()).object();
        hasBody = true;
    }
    const QString key = keyFor(method, path, request.url().query(QUrl::FullyEncoded).toLatin1(), hasBody ? &body : nullptr);
    auto it = m_byKey.constFind(key);
    if (it != m_byKey.constEnd()) {
        reply(request, socket, *it);
        return true;
    }
    m_unmatched.append(key);
    const QStringList methods = m_methodsByPath.value(path);
    if (!methods.isEmpty() && !methods.contains(QString::fromLatin1(method)))
        reply(request, socket, *named(QStringLiteral("error-method-not-allowed")));
    else
        reply(request, socket, *named(QStringLiteral("error-unknown-endpoint")));
    return true;
}

void MlflowReplayServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    reply(request, socket, *named(QStringLiteral("error-unknown-endpoint")));
}

void MlflowReplayServer::reply(const QHttpServerRequest &request, QTcpSocket *socket, const Recording &recording)
{
    m_served.append(recording.name);
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(recording.status));
    for (const auto &[name, value] : recording.headers)
        responder.writeHeader(name, value);
    responder.writeHeader("Content-Length", QByteArray::number(recording.body.size()));
    responder.writeBody(recording.body);
    // gunicorn closes after every answer (Connection: close); so do we.
    socket->disconnectFromHost();
}

} // namespace vigil::test
