// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/http_client.h"

#include <QJsonValue>

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QPromise>
#include <QRegularExpression>
#include <cmath>
#include <QThread>
#include <QTimer>
#if QT_CONFIG(ssl)
#include <QSslCertificate>
#include <QSslError>
#endif

namespace vigil {

QString redactedUrl(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
        .toString();
}

QUrl joinUrl(const QUrl &base, const QString &path, const QUrlQuery &query)
{
    QUrl url = base;
    QString basePath = base.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    QString tail = path;
    if (!tail.isEmpty() && !tail.startsWith(QLatin1Char('/')))
        tail.prepend(QLatin1Char('/'));
    url.setPath(basePath + tail);
    url.setQuery(query);
    url.setFragment(QString());
    return url;
}

QList<std::pair<QByteArray, QByteArray>> authHeaders(const HttpAuth &auth)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    // A bearer token wins over basic auth: the two cannot share one Authorization header.
    if (!auth.bearerToken.isEmpty()) {
        headers.append({"Authorization", "Bearer " + auth.bearerToken.toUtf8()});
    } else if (!auth.basicUser.isEmpty()) {
        const QByteArray pair = auth.basicUser.toUtf8() + ':' + auth.basicPassword.toUtf8();
        headers.append({"Authorization", "Basic " + pair.toBase64()});
    }
    for (const auto &h : auth.headers)
        headers.append(h);
    return headers;
}

bool looksLikeHtml(QByteArrayView body, const QString &contentType)
{
    if (contentType.contains(QLatin1String("html"), Qt::CaseInsensitive))
        return true;
    const QByteArray head = body.first(std::min<qsizetype>(body.size(), 512)).toByteArray().trimmed().toLower();
    return head.startsWith("<!doctype html") || head.startsWith("<html") || head.contains("<title");
}

QString htmlTitle(QByteArrayView body)
{
    // Only the first 64 KiB: error pages put their title near the top.
    const QString text = QString::fromUtf8(body.first(std::min<qsizetype>(body.size(), 64 * 1024)));
    static const QRegularExpression re(QStringLiteral("<title[^>]*>(.*?)</title>"),
                                       QRegularExpression::CaseInsensitiveOption
                                           | QRegularExpression::DotMatchesEverythingOption);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return {};
    QString title = m.captured(1);
    // Decode the common entities by hand: QTextDocumentFragment would pull in Qt Gui.
    static const std::pair<const char *, const char *> entities[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}, {"&amp;", "&"}};
    for (const auto &[from, to] : entities)
        title.replace(QLatin1String(from), QLatin1String(to));
    return title.simplified();
}

QString describeBody(QByteArrayView body, const QString &contentType)
{
    if (body.trimmed().isEmpty())
        return QStringLiteral("an empty body");
    if (looksLikeHtml(body, contentType)) {
        const QString title = htmlTitle(body);
        return title.isEmpty() ? QStringLiteral("an HTML page without a title")
                               : QStringLiteral("an HTML page: %1").arg(title);
    }
    if (contentType.contains(QLatin1String("json"), Qt::CaseInsensitive))
        return QStringLiteral("%1 of JSON").arg(formatBytes(body.size()));
    // Plain text: the first line, short enough for a status bar.
    QString first = QString::fromUtf8(body.first(std::min<qsizetype>(body.size(), 400))).section(QLatin1Char('\n'), 0, 0).simplified();
    if (first.size() > 160)
        first = first.left(157) + QStringLiteral("...");
    return QStringLiteral("text: %1").arg(first);
}

QString httpStatusText(int status)
{
    const QString reason = httpReasonPhrase(status);
    return reason.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                            : QStringLiteral("HTTP %1 %2").arg(QString::number(status), reason);
}

bool isHttpSuccess(int status)
{
    return status == 0 || (status >= 200 && status < 300);
}

QString fromWhere(const QString &where)
{
    return where.isEmpty() ? QString() : QStringLiteral(" from %1").arg(where);
}

QJsonDocument parseJsonRepairingUtf8(const QByteArray &json, QJsonParseError *error, qsizetype *notUtf8)
{
    *notUtf8 = -1;
    QJsonDocument doc = QJsonDocument::fromJson(json, error);
    if (error->error != QJsonParseError::IllegalUTF8String)
        return doc;
    // Qt's decoder turns each invalid sequence into U+FFFD; the JSON itself is
    // then read again, so a document broken in other ways still fails.
    const QByteArray repaired = QString::fromUtf8(json).toUtf8();
    QJsonParseError again;
    QJsonDocument second = QJsonDocument::fromJson(repaired, &again);
    if (again.error == QJsonParseError::NoError)
        *notUtf8 = error->offset;
    // Broken in another way too (cut short, say): that is the error to report,
    // since no repair of the bytes would make it JSON. Its offset counts each
    // U+FFFD as the 3 bytes it takes, a few more than the bad bytes it replaced,
    // which keeps a cut-short answer recognisable (the error is at its end).
    *error = again;
    return second;
}

QString notUtf8Warning(const QString &where, qsizetype offset)
{
    return QStringLiteral("the answer%1 held bytes that are not UTF-8 (the first at byte %2); they are shown as \uFFFD")
        .arg(fromWhere(where), QString::number(offset));
}

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: return QStringLiteral("missing");
    }
    return QStringLiteral("unknown");
}

QString httpReasonPhrase(int status)
{
    switch (status) {
    case 200: return QStringLiteral("OK");
    case 204: return QStringLiteral("No Content");
    case 301: return QStringLiteral("Moved Permanently");
    case 302: return QStringLiteral("Found");
    case 400: return QStringLiteral("Bad Request");
    case 401: return QStringLiteral("Unauthorized");
    case 403: return QStringLiteral("Forbidden");
    case 404: return QStringLiteral("Not Found");
    case 405: return QStringLiteral("Method Not Allowed");
    case 413: return QStringLiteral("Content Too Large");
    case 422: return QStringLiteral("Unprocessable Entity");
    case 429: return QStringLiteral("Too Many Requests");
    case 500: return QStringLiteral("Internal Server Error");
    case 502: return QStringLiteral("Bad Gateway");
    case 503: return QStringLiteral("Service Unavailable");
    case 504: return QStringLiteral("Gateway Timeout");
    default: return {};
    }
}

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'g', 3);
}

QString formatBytes(qint64 bytes)
{
    auto fmt = [](double v, const char *unit) {
        const bool whole = v == std::floor(v);
        return QStringLiteral("%1 %2").arg(v, 0, 'f', whole ? 0 : 1).arg(QLatin1String(unit));
    };
    if (bytes < 1024)
        return bytes == 1 ? QStringLiteral("1 byte") : QStringLiteral("%1 bytes").arg(bytes);
    if (bytes < 1024 * 1024)
        return fmt(double(bytes) / 1024.0, "KiB");
    if (bytes < 1024LL * 1024 * 1024)
        return fmt(double(bytes) / (1024.0 * 1024.0), "MiB");
    return fmt(double(bytes) / (1024.0 * 1024.0 * 1024.0), "GiB");
}

struct HttpClient::Exchange
{
    enum class Abort { None, TooLarge, Deadline, Canceled };

    QPromise<HttpResponse> promise;
    QByteArray body;
    Abort abort = Abort::None;
    qint64 declaredLength = -1;
    QString where;
    QStringList sslErrors;
    QElapsedTimer timer;
    bool finished = false;

    void finish(HttpResponse r)
    {
        if (finished)
            return;
        finished = true;
        r.where = where;
        r.elapsedMs = timer.elapsed();
        promise.addResult(std::move(r));
        promise.finish();
    }
};

HttpClient::HttpClient(ConnectionSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_nam(new QNetworkAccessManager(this))
{
    // Redirects stay on the same or a safer scheme: Qt 6's default, stated here
    // because credentials ride along.
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
#if QT_CONFIG(ssl)
    if (!m_settings.caFile.isEmpty() || !m_settings.tlsVerify) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!m_settings.caFile.isEmpty()) {
            // Appended to the system CAs, not replacing them: a private CA for
            // one server must not break the public ones.
            const auto certs = QSslCertificate::fromPath(m_settings.caFile, QSsl::Pem);
            if (certs.isEmpty())
                m_configError = QStringLiteral("cannot read CA certificates (PEM) from %1").arg(m_settings.caFile);
            ssl.addCaCertificates(certs);
        }
        if (!m_settings.tlsVerify)
            ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_ssl = ssl;
    }
#else
    if (!m_settings.caFile.isEmpty())
        m_configError = QStringLiteral("this build has no TLS support, so the CA file %1 cannot be used").arg(m_settings.caFile);
#endif
}

HttpClient::~HttpClient() = default;

QNetworkRequest HttpClient::buildRequest(const QString &path, const QUrlQuery &query) const
{
    QNetworkRequest request(joinUrl(m_settings.url, path, query));
    for (const auto &[name, value] : authHeaders(m_settings.auth))
        request.setRawHeader(name, value);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("vigil"));
    // Inactivity timeout; the whole exchange is also bounded by a deadline (see start()).
    request.setTransferTimeout(m_settings.timeoutMs);
#if QT_CONFIG(ssl)
    if (m_ssl)
        request.setSslConfiguration(*m_ssl);
#endif
    return request;
}

QFuture<HttpResponse> HttpClient::get(const QString &path, const QUrlQuery &query)
{
    return send(Method::Get, path, query, {});
}

QFuture<HttpResponse> HttpClient::postForm(const QString &path, const QUrlQuery &form)
{
    return send(Method::PostForm, path, {}, form.toString(QUrl::FullyEncoded).toUtf8());
}

QFuture<HttpResponse> HttpClient::postJson(const QString &path, const QJsonDocument &body)
{
    return send(Method::PostJson, path, {}, body.toJson(QJsonDocument::Compact));
}

QFuture<HttpResponse> HttpClient::deleteResource(const QString &path)
{
    return send(Method::Delete, path, {}, {});
}

QFuture<HttpResponse> HttpClient::send(Method method, const QString &path, const QUrlQuery &query,
                                       QByteArray body)
{
    auto exchange = std::make_shared<Exchange>();
    exchange->timer.start();
    exchange->promise.start();
    QFuture<HttpResponse> future = exchange->promise.future();

    QNetworkRequest request = buildRequest(path, query);
    exchange->where = redactedUrl(request.url());
    if (!m_configError.isEmpty()) {
        HttpResponse r;
        r.error = ErrorKind::Network;
        r.message = QStringLiteral("%1 (for %2)").arg(m_configError, exchange->where);
        exchange->finish(std::move(r));
        return future;
    }
    if (method == Method::PostForm)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    else if (method == Method::PostJson)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));

    // The manager belongs to this object's thread; a caller elsewhere hops there.
    if (QThread::currentThread() == thread()) {
        start(method, request, body, exchange);
    } else {
        QMetaObject::invokeMethod(this, [this, method, request, body, exchange] {
            start(method, request, body, exchange);
        }, Qt::QueuedConnection);
    }
    return future;
}

void HttpClient::start(Method method, const QNetworkRequest &request, const QByteArray &body,
                       const std::shared_ptr<Exchange> &exchange)
{
    if (exchange->promise.isCanceled()) {
        exchange->finish(HttpResponse{ErrorKind::Canceled, QStringLiteral("request to %1 canceled").arg(exchange->where)});
        return;
    }
    QNetworkReply *reply = method == Method::Get      ? m_nam->get(request)
                         : method == Method::Delete ? m_nam->deleteResource(request)
                                                    : m_nam->post(request, body);
    const qint64 maxBytes = m_settings.maxBodyBytes;
    using Abort = Exchange::Abort;

    auto abortWith = [reply, exchange](Abort why) {
        if (exchange->abort == Abort::None)
            exchange->abort = why;
        reply->abort();
    };

    // Refuse an oversized body as early as possible: first by its declared
    // length, then by what actually arrives (chunked or lying servers).
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, exchange, maxBytes, abortWith] {
        const QVariant len = reply->header(QNetworkRequest::ContentLengthHeader);
        if (len.isValid()) {
            exchange->declaredLength = len.toLongLong();
            if (maxBytes > 0 && exchange->declaredLength > maxBytes)
                abortWith(Abort::TooLarge);
        }
    });
    connect(reply, &QNetworkReply::readyRead, reply, [reply, exchange, maxBytes, abortWith] {
        if (exchange->promise.isCanceled())
            return abortWith(Abort::Canceled);
        const QByteArray chunk = reply->readAll();
        if (maxBytes > 0 && exchange->body.size() + chunk.size() > maxBytes) {
            exchange->body.append(chunk.left(maxBytes - exchange->body.size()));
            return abortWith(Abort::TooLarge);
        }
        exchange->body.append(chunk);
    });
#if QT_CONFIG(ssl)
    connect(reply, &QNetworkReply::sslErrors, reply, [exchange](const QList<QSslError> &errors) {
        for (const QSslError &e : errors)
            exchange->sslErrors.append(e.errorString());
    });
#endif
    // The deadline for the whole exchange: the transfer timeout alone would let a
    // server that drips one byte every few seconds hold us forever.
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [abortWith] { abortWith(Abort::Deadline); });
    deadline->start(m_settings.timeoutMs);

    const int timeoutMs = m_settings.timeoutMs;
    connect(reply, &QNetworkReply::finished, this, [reply, exchange, maxBytes, timeoutMs] {
        reply->deleteLater();
        if (exchange->abort == Abort::None) {
            const QByteArray rest = reply->readAll();
            if (maxBytes > 0 && exchange->body.size() + rest.size() > maxBytes)
                exchange->abort = Abort::TooLarge;
            else
                exchange->body.append(rest);
        }

        HttpResponse r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        if (r.reason.isEmpty())
            r.reason = httpReasonPhrase(r.status);
        r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        r.retryAfter = reply->rawHeader("Retry-After");
        const QString &where = exchange->where;
        const qint64 got = exchange->body.size();
        const QNetworkReply::NetworkError err = reply->error();

        switch (exchange->abort) {
        case Abort::TooLarge:
            r.error = ErrorKind::TooLarge;
            r.message = exchange->declaredLength > maxBytes
                ? QStringLiteral("the answer from %1 is %2, over the %3 limit; not read")
                      .arg(where, formatBytes(exchange->declaredLength), formatBytes(maxBytes))
                : QStringLiteral("the answer from %1 grew past the %2 limit; stopped reading")
                      .arg(where, formatBytes(maxBytes));
            return exchange->finish(std::move(r));
        case Abort::Deadline:
            r.error = ErrorKind::Timeout;
            r.message = r.status == 0 && got == 0
                ? QStringLiteral("no answer from %1 within %2").arg(where, formatDuration(timeoutMs))
                : QStringLiteral("%1 did not finish its answer within %2 (%3 received)")
                      .arg(where, formatDuration(timeoutMs), formatBytes(got));
            return exchange->finish(std::move(r));
        case Abort::Canceled:
            r.error = ErrorKind::Canceled;
            r.message = QStringLiteral("request to %1 canceled").arg(where);
            return exchange->finish(std::move(r));
        case Abort::None:
            break;
        }

        // Qt reports an HTTP error status as a NetworkError >= 201 (content,
        // protocol and server ranges) with the answer complete: that is an answer.
        const bool answered = r.status > 0 && (err == QNetworkReply::NoError || err >= QNetworkReply::ContentAccessDenied)
            && err != QNetworkReply::OperationCanceledError;
        if (answered) {
            r.body = exchange->body;
            if (r.status >= 200 && r.status < 300 && err == QNetworkReply::NoError)
                return exchange->finish(std::move(r));
            if (r.status >= 200 && r.status < 300) {
                // A success status, then Qt gave up on the body: what we hold is
                // part of it, never an answer. The usual cause is the body's
                // Content-Encoding: Qt stops inflating a body that grows far
                // beyond its compressed size (a compression bomb) or that is damaged.
                r.body.clear();
                r.error = ErrorKind::BadResponse;
                const QByteArray encoding = reply->rawHeader("Content-Encoding").trimmed();
                r.message = encoding.isEmpty()
                    ? QStringLiteral("the answer from %1 broke off after %2 (Qt network error %3)")
                          .arg(where, formatBytes(got), QString::number(int(err)))
                    : QStringLiteral("the %1-compressed answer from %2 could not be inflated (damaged, or a "
                                     "compression bomb: far larger inflated than sent); refused after %3")
                          .arg(QString::fromLatin1(encoding.left(32)), where, formatBytes(got));
                return exchange->finish(std::move(r));
            }
            r.error = ErrorKind::Http;
            r.message = QStringLiteral("HTTP %1 %2 from %3 (%4)")
                            .arg(QString::number(r.status), r.reason, where, describeBody(r.body, r.contentType));
            return exchange->finish(std::move(r));
        }

        switch (err) {
        case QNetworkReply::OperationCanceledError: // Qt's transfer timeout aborts like this
        case QNetworkReply::TimeoutError:
            r.error = ErrorKind::Timeout;
            r.message = QStringLiteral("no answer from %1 within %2").arg(where, formatDuration(timeoutMs));
            break;
        case QNetworkReply::ConnectionRefusedError:
            r.error = ErrorKind::Network;
            r.message = QStringLiteral("connection refused by %1").arg(where);
            break;
        case QNetworkReply::HostNotFoundError:
            r.error = ErrorKind::Network;
            r.message = QStringLiteral("host not found: %1 (for %2)").arg(reply->url().host(), where);
            break;
        case QNetworkReply::RemoteHostClosedError:
            if (r.status > 0 && got > 0) {
                // A status line and part of the body, then the connection closed:
                // what we hold is a truncated answer.
                r.error = ErrorKind::BadResponse;
                r.message = exchange->declaredLength > 0
                    ? QStringLiteral("the answer from %1 was cut off after %2 of %3")
                          .arg(where, formatBytes(got), formatBytes(exchange->declaredLength))
                    : QStringLiteral("the answer from %1 was cut off after %2").arg(where, formatBytes(got));
            } else {
                r.error = ErrorKind::Network;
                r.message = QStringLiteral("%1 closed the connection without answering").arg(where);
            }
            break;
        case QNetworkReply::SslHandshakeFailedError:
            r.error = ErrorKind::Network;
            r.message = QStringLiteral("TLS handshake with %1 failed: %2")
                            .arg(where, exchange->sslErrors.isEmpty() ? reply->errorString()
                                                                      : exchange->sslErrors.join(QStringLiteral("; ")));
            break;
        default: {
            r.error = ErrorKind::Network;
            // Qt's own text may quote the full URL, query and all: swap in the redacted one.
            QString detail = reply->errorString();
            detail.replace(reply->url().toString(), where);
            r.message = QStringLiteral("request to %1 failed: %2").arg(where, detail);
            break;
        }
        }
        r.body = exchange->body;
        exchange->finish(std::move(r));
    });
}

} // namespace vigil
