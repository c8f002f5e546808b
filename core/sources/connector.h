// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_store.h"

#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QtPlugin>

namespace vigil {

// How to reach a server. Secrets arrive resolved (from the keychain or the
// environment) and must never be logged: use redacted() for anything printed.
struct HttpAuth
{
    QString bearerToken;
    QString basicUser;
    QString basicPassword;
    QList<std::pair<QByteArray, QByteArray>> headers; // e.g. X-Scope-OrgID for Mimir/Cortex
    bool isEmpty() const { return bearerToken.isEmpty() && basicUser.isEmpty() && headers.isEmpty(); }
};

struct ConnectionSettings
{
    QString name;         // the workspace's name for it, e.g. "prom"
    QString kind;         // plugin kind, e.g. "prometheus"
    QUrl url;
    HttpAuth auth;
    QString caFile;       // extra CA certificates (PEM); empty: system CAs
    bool tlsVerify = true;
    int timeoutMs = 10'000;
    qint64 maxBodyBytes = 256LL * 1024 * 1024; // larger responses are refused, not read
    QJsonObject options;  // plugin-specific settings, as declared in its plugin.json
};

enum class QueryKind { Instant, Range };

struct QueryRequest
{
    QString id;           // stable id; series land in the store under this name
    QString expr;         // PromQL (or the connector's query language)
    QueryKind kind = QueryKind::Range;
    qint64 timeMs = 0;    // instant queries
    qint64 startMs = 0;   // range queries, inclusive
    qint64 endMs = 0;
    qint64 stepMs = 15'000;
};

enum class ErrorKind {
    None,
    Network,     // refused, reset, DNS, TLS
    Timeout,
    Http,        // non-2xx without a usable error body
    BadResponse, // not JSON, truncated, wrong shape
    Server,      // the server said why (Prometheus errorType/error)
    TooLarge,
    Canceled,
};

QString errorKindName(ErrorKind kind);

enum class ResultType { None, Vector, Matrix, Scalar, String };

struct QueryResult
{
    ErrorKind error = ErrorKind::None;
    QString message;       // for the user; names what failed and where
    int httpStatus = 0;
    ResultType type = ResultType::None;
    QStringList warnings;  // the server's warnings, shown next to the data
    QList<SeriesData> series;
    qint64 bytes = 0;      // body size, for the status bar and benchmarks

    bool ok() const { return error == ErrorKind::None; }
    static QueryResult failure(ErrorKind kind, QString message, int httpStatus = 0)
    {
        QueryResult r;
        r.error = kind;
        r.message = std::move(message);
        r.httpStatus = httpStatus;
        return r;
    }
};

// What a connection probe found: version and what the server holds, or why not.
struct ProbeResult
{
    ErrorKind error = ErrorKind::None;
    QString message; // "Prometheus 2.42.0 at http://..." or the reason it failed
    QString version;
    bool ok() const { return error == ErrorKind::None; }
};

enum class Capability {
    TimeSeries = 0x1,
    Histograms = 0x2,
    ModelRegistry = 0x4,
    ServerAlerts = 0x8,
    Silences = 0x10,
    RuleStatus = 0x20, // the server evaluates rules itself (Prometheus): vigil::RuleStatus
};
Q_DECLARE_FLAGS(Capabilities, Capability)
Q_DECLARE_OPERATORS_FOR_FLAGS(Capabilities)

// A live connection to one server. It lives in one thread (the I/O thread in
// the app) and answers with futures completed in that thread; parsing happens
// there too, never in the GUI thread.
class Connector : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Connector() override = default;

    virtual QString kind() const = 0;
    virtual Capabilities capabilities() const = 0;
    virtual const ConnectionSettings &settings() const = 0;
    virtual QFuture<QueryResult> query(const QueryRequest &request) = 0;
    virtual QFuture<ProbeResult> probe() = 0;
};

// The factory a connector plugin exports. Its plugin.json names the kind and
// the settings it accepts:
//   { "kind": "prometheus", "name": "Prometheus", "settings": [ { "key": "url", ... } ] }
class ConnectorPlugin
{
public:
    virtual ~ConnectorPlugin() = default;
    virtual Connector *createConnector(const ConnectionSettings &settings, QObject *parent) = 0;
};

} // namespace vigil

#define VIGIL_CONNECTOR_PLUGIN_IID "org.vigil.ConnectorPlugin/1"
Q_DECLARE_INTERFACE(vigil::ConnectorPlugin, VIGIL_CONNECTOR_PLUGIN_IID)
Q_DECLARE_METATYPE(vigil::QueryResult)
