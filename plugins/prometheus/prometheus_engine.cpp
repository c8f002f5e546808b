// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_engine.h"

#include "workspace/workspace.h" // parseDuration

#include <QDateTime>
#include <QHash>
#include <algorithm>

namespace vigil::prometheus {

namespace {

qint64 ceilTo(qint64 v, qint64 step)
{
    qint64 q = v / step;
    if (v % step != 0 && v > 0)
        ++q;
    return q * step;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

std::optional<bool> boolOption(const QJsonObject &o, const char *key, QStringList *problems)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (v.isBool())
        return v.toBool();
    if (problems)
        problems->append(QStringLiteral("option %1 must be true or false, not '%2'")
                             .arg(QLatin1String(key), v.toVariant().toString().left(80)));
    return std::nullopt;
}

QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

EngineOptions parseEngineOptions(const QJsonObject &o, QStringList *problems)
{
    EngineOptions e;
    const QJsonValue tenant = o.value(QLatin1String("tenant"));
    if (tenant.isString() || tenant.isDouble()) {
        // A number in YAML (tenant: 42) is still an org id.
        e.tenant = tenant.isString() ? tenant.toString() : QString::number(tenant.toInteger());
        if (e.tenant.contains(u'\n') || e.tenant.contains(u'\r')) {
            if (problems)
                problems->append(QStringLiteral("option tenant must be one line"));
            e.tenant.clear();
        }
    }
    e.partialResponse = boolOption(o, "partial_response", problems);
    e.dedup = boolOption(o, "dedup", problems);
    const QJsonValue split = o.value(QLatin1String("split_interval"));
    if (split.isString()) {
        const qint64 ms = split.toString() == QLatin1String("0") ? 0 : parseDuration(split.toString());
        if (ms >= 0 && (ms == 0 || ms >= 60'000))
            e.splitIntervalMs = ms;
        else if (problems)
            problems->append(QStringLiteral("option split_interval must be a duration of at least 1m (e.g. 24h) or 0, not '%1'")
                                 .arg(split.toString().left(80)));
    } else if (!split.isUndefined() && !split.isNull()) {
        if (split.isDouble() && split.toDouble() == 0)
            e.splitIntervalMs = 0;
        else if (problems)
            problems->append(QStringLiteral("option split_interval must be a duration such as 24h"));
    }
    const QJsonValue conc = o.value(QLatin1String("max_concurrency"));
    if (!conc.isUndefined() && !conc.isNull()) {
        const double n = conc.toDouble(-1);
        if (conc.isDouble() && n >= 1 && n <= 64 && n == double(qint64(n)))
            e.maxConcurrency = int(n);
        else if (problems)
            problems->append(QStringLiteral("option max_concurrency must be a whole number from 1 to 64, not '%1'")
                                 .arg(conc.toVariant().toString().left(80)));
    }
    return e;
}

void applyEngineParams(ApiRequest &request, const EngineOptions &options)
{
    auto flag = [](bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); };
    if (options.partialResponse)
        request.params.addQueryItem(QStringLiteral("partial_response"), flag(*options.partialResponse));
    if (options.dedup)
        request.params.addQueryItem(QStringLiteral("dedup"), flag(*options.dedup));
    if (!request.path.endsWith(QLatin1String("/values")))
        request.post = request.params.toString(QUrl::FullyEncoded).size() > kPostThreshold;
}

QList<RangeWindow> splitRange(const RangeWindow &w, qint64 intervalMs)
{
    if (intervalMs <= 0 || w.stepMs <= 0 || w.endMs <= w.startMs)
        return {w};
    QList<RangeWindow> out;
    const qint64 first = floorDiv(w.startMs, intervalMs);
    const qint64 last = floorDiv(w.endMs, intervalMs);
    for (qint64 k = first; k <= last; ++k) {
        // The step multiples t with floor(t / interval) == k.
        const qint64 from = std::max(w.startMs, w.startMs + ceilTo(k * intervalMs - w.startMs, w.stepMs));
        const qint64 to = std::min(w.endMs, w.startMs + ceilTo((k + 1) * intervalMs - w.startMs, w.stepMs) - w.stepMs);
        if (from <= to)
            out.append(RangeWindow{from, to, w.stepMs});
    }
    return out.isEmpty() ? QList<RangeWindow>{w} : out;
}

QueryResult mergeSplitResults(const QList<QueryResult> &parts, const QList<RangeWindow> &windows)
{
    QueryResult merged;
    merged.type = ResultType::Matrix;
    QHash<SeriesKey, qsizetype> index;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QueryResult &part = parts[i];
        merged.bytes += part.bytes;
        if (!part.ok()) {
            QueryResult failed = QueryResult::failure(
                part.error,
                QStringLiteral("part %1 of %2 of a split range query (%3 to %4): %5")
                    .arg(i + 1)
                    .arg(parts.size())
                    .arg(i < windows.size() ? isoUtc(windows[i].startMs) : QString(),
                         i < windows.size() ? isoUtc(windows[i].endMs) : QString(), part.message),
                part.httpStatus);
            failed.bytes = merged.bytes;
            return failed;
        }
        for (const QString &w : part.warnings)
            if (!merged.warnings.contains(w))
                merged.warnings.append(w);
        for (const SeriesData &s : part.series) {
            auto it = index.constFind(s.key);
            if (it == index.constEnd()) {
                index.insert(s.key, merged.series.size());
                merged.series.append(s);
                continue;
            }
            QList<Sample> &into = merged.series[*it].samples;
            qsizetype from = 0;
            // Sub-windows do not overlap, but a server may return a sample at
            // the boundary twice (lookback); keep the later part's.
            while (!into.isEmpty() && from < s.samples.size() && s.samples[from].t <= into.last().t) {
                if (s.samples[from].t == into.last().t)
                    into.last() = s.samples[from];
                ++from;
            }
            into.append(s.samples.mid(from));
        }
    }
    return merged;
}

} // namespace vigil::prometheus
