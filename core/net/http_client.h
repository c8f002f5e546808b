// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFuture>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QUrlQuery>
#if QT_CONFIG(ssl)
#include <QSslConfiguration>
#endif
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace vigil {

// One HTTP exchange as the connectors see it. `error` is None only for a
// complete 2xx answer; a non-2xx answer is ErrorKind::Http with its body kept,
// because APIs such as Prometheus explain a 400/422/503 in the body and the
// caller's parser knows better than we do what it means.
struct HttpResponse
{
    ErrorKind error = ErrorKind::None;
    QString message;      // for the user: what happened and where (no secrets)
    int status = 0;       // 0 when no HTTP answer arrived
    QString reason;       // the reason phrase, "Bad Gateway"
    QString contentType;  // as sent, e.g. "application/json; charset=utf-8"
    QByteArray retryAfter; // the Retry-After header (429, 503), as sent
    QByteArray body;
    QString where;        // the redacted URL, for the caller's own messages
    qint64 elapsedMs = 0;

    bool ok() const { return error == ErrorKind::None; }
    // An HTTP answer arrived in full, whatever its status.
    bool hasAnswer() const { return status > 0 && (error == ErrorKind::None || error == ErrorKind::Http); }
};

// A URL fit for messages and logs: no user info, no query (which may carry
// tokens), no fragment.
QString redactedUrl(const QUrl &url);
// The base URL with `path` appended to its own path, so a prefix such as
// /select/0/prometheus (VictoriaMetrics cluster) or /prometheus (Mimir) is kept.
QUrl joinUrl(const QUrl &base, const QString &path, const QUrlQuery &query = {});
// The headers that carry the credentials, built in this one place.
QList<std::pair<QByteArray, QByteArray>> authHeaders(const HttpAuth &auth);
// The <title> of an HTML page as plain text (entities decoded, whitespace
// collapsed); empty when there is none.
QString htmlTitle(QByteArrayView body);
bool looksLikeHtml(QByteArrayView body, const QString &contentType);
// A short description of a body for an error message: "an HTML page: 502 Bad
// Gateway", "an empty body", "text: upstream timed out", "1234 bytes of JSON".
QString describeBody(QByteArrayView body, const QString &contentType);
// "Bad Gateway" for 502 and the like; empty for codes it does not know.
QString httpReasonPhrase(int status);
// "HTTP 502 Bad Gateway" (or "HTTP 599" for a code without a phrase).
QString httpStatusText(int status);
// 2xx, or 0: the caller did not say (a fixture, a fuzzer) and the body decides.
bool isHttpSuccess(int status);
// " from http://host/api/v1/query", or empty when `where` is.
QString fromWhere(const QString &where);
// QJsonDocument::fromJson, except that bytes which are not UTF-8 do not fail
// the whole document: each bad sequence becomes U+FFFD (as Go's JSON encoder
// does on the server side), `notUtf8` is set to the first bad byte's offset
// (-1 when there was none) and notUtf8Warning() says so. One bad label value or
// model name must not blank every panel on the connection.
QJsonDocument parseJsonRepairingUtf8(const QByteArray &json, QJsonParseError *error, qsizetype *notUtf8);
QString notUtf8Warning(const QString &where, qsizetype offset);
// "a number", "an object", "missing": what a response held where a parser
// expected something else, for its error message.
QString jsonTypeName(const QJsonValue &value);
// "10 s", "500 ms", "1.5 s".
QString formatDuration(qint64 ms);
// "256 MiB", "1.5 KiB", "12 bytes".
QString formatBytes(qint64 bytes);

// The HTTP client every connector shares (Prometheus, MLflow, Alertmanager).
//
// It owns one QNetworkAccessManager, which lives in the client's thread; the
// request methods may be called from any thread (they hop to the client's
// thread) and return futures completed there. Credentials are applied to every
// request and never appear in a message. A body larger than maxBodyBytes is
// aborted as soon as the Content-Length or the bytes received say so, never
// buffered in full. gzip is negotiated and decoded by Qt: we never set
// Accept-Encoding ourselves, which would turn that off.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    explicit HttpClient(ConnectionSettings settings, QObject *parent = nullptr);
    ~HttpClient() override;

    const ConnectionSettings &settings() const { return m_settings; }

    QFuture<HttpResponse> get(const QString &path, const QUrlQuery &query = {});
    QFuture<HttpResponse> postForm(const QString &path, const QUrlQuery &form);
    QFuture<HttpResponse> postJson(const QString &path, const QJsonDocument &body);
    // DELETE (Alertmanager expires a silence with DELETE /api/v2/silence/{id}).
    QFuture<HttpResponse> deleteResource(const QString &path);

    // The request as it would be sent (URL, auth and extra headers, timeout,
    // TLS settings); public so tests can check it without a server.
    QNetworkRequest buildRequest(const QString &path, const QUrlQuery &query = {}) const;

    // Set when the CA file cannot be read: every request then fails with it.
    const QString &configurationError() const { return m_configError; }

private:
    enum class Method { Get, PostForm, PostJson, Delete };
    struct Exchange; // one request in flight: its promise, body so far, why it was aborted
    QFuture<HttpResponse> send(Method method, const QString &path, const QUrlQuery &query,
                               QByteArray body);
    void start(Method method, const QNetworkRequest &request, const QByteArray &body,
               const std::shared_ptr<Exchange> &exchange);

    ConnectionSettings m_settings;
    QNetworkAccessManager *m_nam = nullptr;
    QString m_configError;
#if QT_CONFIG(ssl)
    std::optional<QSslConfiguration> m_ssl;
#endif
};

} // namespace vigil

Q_DECLARE_METATYPE(vigil::HttpResponse)
