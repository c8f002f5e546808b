// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_request.h"

#include <QRegularExpression>
#include <algorithm>

namespace vigil::prometheus {

namespace {

qint64 ceilDiv(qint64 a, qint64 b)
{
    return a / b + (a % b != 0 && ((a < 0) == (b < 0)) ? 1 : 0);
}

qint64 floorTo(qint64 v, qint64 step)
{
    qint64 q = v / step;
    if (v % step != 0 && v < 0)
        --q;
    return q * step;
}

// Long queries move to the body; the decision is on the encoded size, which is
// what the request line would carry.
void decideMethod(ApiRequest &r)
{
    r.post = r.params.toString(QUrl::FullyEncoded).size() > kPostThreshold;
}

void addWindowAndMatchers(ApiRequest &r, const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    for (const QString &m : matchers)
        r.params.addQueryItem(QStringLiteral("match[]"), m);
    if (startMs > 0)
        r.params.addQueryItem(QStringLiteral("start"), formatTimestamp(startMs));
    if (endMs > 0)
        r.params.addQueryItem(QStringLiteral("end"), formatTimestamp(endMs));
}

} // namespace

RangeWindow chooseRange(qint64 startMs, qint64 endMs, qint64 requestedStepMs)
{
    if (endMs < startMs)
        std::swap(startMs, endMs);
    const qint64 span = endMs - startMs;
    qint64 step = std::max<qint64>(requestedStepMs, ceilDiv(span, kMaxPointsPerSeries));
    step = std::max<qint64>(1000, ceilDiv(step, 1000) * 1000);
    for (;;) {
        RangeWindow w{floorTo(startMs, step), floorTo(endMs, step), step};
        // Aligning can widen the window by up to one step; Prometheus checks
        // (end - start) / step > 11000, so keep within it.
        if ((w.endMs - w.startMs) / w.stepMs <= kMaxPointsPerSeries)
            return w;
        step += 1000;
    }
}

QString formatTimestamp(qint64 ms)
{
    const qint64 secs = ms / 1000;
    const qint64 frac = std::abs(ms % 1000);
    if (frac == 0)
        return QString::number(secs);
    QString f = QStringLiteral("%1").arg(frac, 3, 10, QLatin1Char('0'));
    while (f.endsWith(QLatin1Char('0')))
        f.chop(1);
    return (ms < 0 && secs == 0 ? QStringLiteral("-0") : QString::number(secs)) + QLatin1Char('.') + f;
}

ApiRequest buildQueryRequest(const QueryRequest &request)
{
    ApiRequest r;
    r.params.addQueryItem(QStringLiteral("query"), request.expr);
    if (request.kind == QueryKind::Instant) {
        r.path = QStringLiteral("/api/v1/query");
        // No time: the server evaluates at its own "now", which avoids clock skew.
        if (request.timeMs > 0)
            r.params.addQueryItem(QStringLiteral("time"), formatTimestamp(request.timeMs));
    } else {
        r.path = QStringLiteral("/api/v1/query_range");
        const RangeWindow w = chooseRange(request.startMs, request.endMs, request.stepMs);
        r.params.addQueryItem(QStringLiteral("start"), formatTimestamp(w.startMs));
        r.params.addQueryItem(QStringLiteral("end"), formatTimestamp(w.endMs));
        r.params.addQueryItem(QStringLiteral("step"), formatTimestamp(w.stepMs));
    }
    decideMethod(r);
    return r;
}

ApiRequest buildSeriesRequest(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    ApiRequest r;
    r.path = QStringLiteral("/api/v1/series");
    addWindowAndMatchers(r, matchers, startMs, endMs);
    decideMethod(r);
    return r;
}

ApiRequest buildLabelNamesRequest(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    ApiRequest r;
    r.path = QStringLiteral("/api/v1/labels");
    addWindowAndMatchers(r, matchers, startMs, endMs);
    decideMethod(r);
    return r;
}

ApiRequest buildLabelValuesRequest(const QString &labelName, const QStringList &matchers,
                                   qint64 startMs, qint64 endMs)
{
    ApiRequest r;
    // Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*; anything else would have
    // to be escaped into the path and no server would know it anyway.
    static const QRegularExpression valid(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    if (!valid.match(labelName).hasMatch())
        return r;
    r.path = QStringLiteral("/api/v1/label/%1/values").arg(labelName);
    addWindowAndMatchers(r, matchers, startMs, endMs);
    // This endpoint has no POST form in Prometheus 2.42: always GET.
    r.post = false;
    return r;
}

ApiRequest buildMetadataRequest()
{
    return ApiRequest{QStringLiteral("/api/v1/metadata"), {}, false};
}

ApiRequest buildBuildInfoRequest()
{
    return ApiRequest{QStringLiteral("/api/v1/status/buildinfo"), {}, false};
}

} // namespace vigil::prometheus
