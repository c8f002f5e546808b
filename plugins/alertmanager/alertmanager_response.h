// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/server_alerts.h"

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

namespace vigil::alertmanager {

// Parsers for Alertmanager API v2 answers (checked against 0.25.0: the
// fixtures in tests/fixtures/alertmanager were recorded from it). They take
// the raw body, the HTTP status and the Content-Type, never throw, and turn
// whatever arrives into a value or an ErrorKind with a message naming `where`
// (a redacted URL). What the real server does and they handle:
//  - errors come as a bare JSON string ("silence not found") or as
//    {"code": 612, "message": "..."} (validation: 400/422, unknown path: 404);
//  - expiring an unknown silence answers 500 "silence not found" (404 on
//    updating one): both are notFound;
//  - a successful DELETE has an empty body;
//  - timestamps are RFC 3339 with milliseconds, Z.

// The checked answer: its JSON, or why there is none.
Result<QJsonValue> parseAnswer(QByteArrayView body, int httpStatus, const QString &contentType,
                               const QString &where = {});

struct StatusInfo
{
    QString version;       // "0.25.0"
    QString clusterStatus; // "ready", "settling", "disabled"
    qint64 uptimeMs = 0;   // when it started (epoch ms)
};
Result<StatusInfo> parseStatus(QByteArrayView body, int httpStatus, const QString &contentType,
                               const QString &where = {});
Result<QList<ServerAlert>> parseAlerts(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where = {});
Result<QList<AlertGroup>> parseAlertGroups(QByteArrayView body, int httpStatus, const QString &contentType,
                                           const QString &where = {});
Result<QList<ServerSilence>> parseSilences(QByteArrayView body, int httpStatus, const QString &contentType,
                                           const QString &where = {});
// POST /api/v2/silences: {"silenceID": "..."}; the value is the id.
Result<QString> parseCreateSilence(QByteArrayView body, int httpStatus, const QString &contentType,
                                   const QString &where = {});
// DELETE /api/v2/silence/{id}: 200 with an empty body.
Result<bool> parseExpireSilence(QByteArrayView body, int httpStatus, const QString &contentType,
                                const QString &where = {});

} // namespace vigil::alertmanager
