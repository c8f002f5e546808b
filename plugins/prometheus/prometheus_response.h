// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"
#include "sources/connector.h"

#include <QByteArrayView>
#include <QJsonValue>
#include <QHash>
#include <QString>
#include <QStringList>

namespace vigil::prometheus {

// Parsers for the Prometheus HTTP API's answers (Prometheus 2.x,
// VictoriaMetrics, Thanos, Mimir). They take the raw body, the HTTP status and
// the Content-Type, and never throw: whatever arrives (a JSON error, an HTML
// page from a proxy, a cut-off body, a wrong shape) becomes an ErrorKind and a
// message for the user. `where` (a redacted URL) is named in messages when
// given. They are pure functions: the connector calls them in its own thread.

// /api/v1/query and /api/v1/query_range. Series keys are
// SeriesKey(<__name__ or empty>, <labels without __name__>); the caller
// re-keys them under the query id. Timestamps (float seconds) become epoch ms.
//
// A well-formed success is read with simdjson when Vigil was built with it
// (libsimdjson-dev); anything else, every error included, goes through
// parseQueryResponseQJson, so results and messages are the same either way.
QueryResult parseQueryResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                               const QString &where = {});

// The reference parser on QJsonDocument: every body, every message. Exposed
// for the differential tests, the fuzzer and bench-prometheus-parse.
QueryResult parseQueryResponseQJson(QByteArrayView body, int httpStatus, const QString &contentType,
                                    const QString &where = {});

// Whether parseQueryResponse has the simdjson path (built with libsimdjson-dev).
bool hasFastQueryParser();

// /api/v1/labels and /api/v1/label/<name>/values.
struct LabelListResult
{
    ErrorKind error = ErrorKind::None;
    QString message;
    QStringList values;
    QStringList warnings;
    bool ok() const { return error == ErrorKind::None; }
};
LabelListResult parseLabelListResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where = {});

// /api/v1/series.
struct SeriesListResult
{
    ErrorKind error = ErrorKind::None;
    QString message;
    QList<SeriesKey> series;
    QStringList warnings;
    bool ok() const { return error == ErrorKind::None; }
};
SeriesListResult parseSeriesListResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                         const QString &where = {});

// /api/v1/metadata: {"metric": [{"type", "help", "unit"}, ...]}; the first
// entry of each metric is kept (targets rarely disagree).
struct MetadataResult
{
    ErrorKind error = ErrorKind::None;
    QString message;
    struct Entry
    {
        QString type;
        QString help;
        QString unit;
    };
    QHash<QString, Entry> metrics;
    bool ok() const { return error == ErrorKind::None; }
};
MetadataResult parseMetadataResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                     const QString &where = {});

// /api/v1/status/buildinfo. VictoriaMetrics answers {"data":{}}: ok, empty version.
struct BuildInfoResult
{
    ErrorKind error = ErrorKind::None;
    QString message;
    QString version;
    QString revision;
    bool ok() const { return error == ErrorKind::None; }
};
BuildInfoResult parseBuildInfoResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where = {});

// A sample value as Prometheus writes it: "1.5", "1e-3", "NaN", "+Inf", "-Inf".
std::optional<double> parseSampleValue(const QString &text);

// The envelope every endpoint shares: {"status", "data", "errorType", "error", "warnings"}.
struct Envelope
{
    ErrorKind error = ErrorKind::None;
    QString message;
    QJsonValue data;
    QStringList warnings;
};
Envelope parseEnvelope(QByteArrayView body, int httpStatus, const QString &contentType,
                       const QString &where = {});

} // namespace vigil::prometheus
