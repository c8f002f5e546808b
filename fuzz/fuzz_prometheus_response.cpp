// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes a Prometheus-compatible server (or a proxy in front of it) may
// send: every parser of the API's answers must turn them into a result or an
// error message, never a crash, a hang or a leak.
#include "prometheus_response.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil::prometheus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString json = QStringLiteral("application/json");
    const QString where = QStringLiteral("http://fuzz/api/v1/query");

    // The success path and an error status (whose body is parsed for a message).
    (void)parseQueryResponse(body, 200, json, where);
    (void)parseQueryResponse(body, 422, json, where);
    (void)parseQueryResponse(body, 502, QStringLiteral("text/html"), where);
    (void)parseLabelListResponse(body, 200, json, where);
    (void)parseSeriesListResponse(body, 200, json, where);
    (void)parseBuildInfoResponse(body, 200, json, where);
    (void)parseSampleValue(QString::fromUtf8(body));
    return 0;
}
