// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes a Prometheus-compatible server (or a proxy in front of it) may
// send: every parser of the API's answers must turn them into a result or an
// error message, never a crash, a hang or a leak.
#include "prometheus_response.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace vigil::prometheus;

namespace {

// parseQueryResponse (simdjson for a well-formed answer) must give exactly
// what the QJsonDocument parser gives: same error and message, same series,
// the same samples bit for bit.
bool sameResult(const vigil::QueryResult &a, const vigil::QueryResult &b)
{
    if (a.error != b.error || a.message != b.message || a.type != b.type || a.warnings != b.warnings ||
        a.series.size() != b.series.size())
        return false;
    for (qsizetype i = 0; i < a.series.size(); ++i) {
        const auto &x = a.series[i], &y = b.series[i];
        // memcmp must not see the null data pointer of an empty list (UBSan).
        if (!(x.key == y.key) || x.samples.size() != y.samples.size() ||
            (!x.samples.isEmpty() &&
             std::memcmp(x.samples.constData(), y.samples.constData(), size_t(x.samples.size()) * sizeof(vigil::Sample))))
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString json = QStringLiteral("application/json");
    const QString where = QStringLiteral("http://fuzz/api/v1/query");

    // The success path and an error status (whose body is parsed for a message).
    if (!sameResult(parseQueryResponse(body, 200, json, where), parseQueryResponseQJson(body, 200, json, where)))
        std::abort();
    (void)parseQueryResponse(body, 422, json, where);
    (void)parseQueryResponse(body, 502, QStringLiteral("text/html"), where);
    (void)parseLabelListResponse(body, 200, json, where);
    (void)parseSeriesListResponse(body, 200, json, where);
    (void)parseBuildInfoResponse(body, 200, json, where);
    (void)parseSampleValue(QString::fromUtf8(body));
    return 0;
}
