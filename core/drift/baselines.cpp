// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/baselines.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <cmath>
#include <numeric>

namespace vigil::drift {

QString baselinesPathFor(const QString &workspacePath)
{
    if (!workspacePath.isEmpty() && !workspacePath.startsWith(u':')) {
        const QFileInfo fi(workspacePath);
        return fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".drift-baselines.json"));
    }
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString name = workspacePath.isEmpty() ? QStringLiteral("unsaved")
                                                 : QFileInfo(workspacePath).completeBaseName();
    return QDir(base).filePath(QStringLiteral("drift-baselines/%1.json").arg(name));
}

QByteArray baselinesToJson(const QList<PinnedBaseline> &baselines)
{
    QJsonArray list;
    for (const PinnedBaseline &b : baselines) {
        QJsonObject labels;
        for (const auto &[k, v] : b.labels)
            labels.insert(k, v);
        QJsonArray bounds, counts;
        for (double x : b.histogram.bounds)
            bounds.append(x);
        for (double x : b.histogram.counts)
            counts.append(x);
        list.append(QJsonObject{{QStringLiteral("monitor"), b.monitor},
                                {QStringLiteral("labels"), labels},
                                {QStringLiteral("pinned_at"), double(b.pinnedAtMs)},
                                {QStringLiteral("window_ms"), double(b.windowMs)},
                                {QStringLiteral("bounds"), bounds},
                                {QStringLiteral("counts"), counts}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("baselines"), list}})
        .toJson(QJsonDocument::Indented);
}

QList<PinnedBaseline> baselinesFromJson(const QByteArray &json, const QString &where, QString *error)
{
    QList<PinnedBaseline> out;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()
        || !doc.object().value(QLatin1String("baselines")).isArray()) {
        if (error)
            *error = QStringLiteral("%1: not a drift baselines file (%2)")
                         .arg(where, pe.error != QJsonParseError::NoError ? pe.errorString()
                                                                           : QStringLiteral("no \"baselines\" list"));
        return out;
    }
    QStringList skipped;
    const QJsonArray list = doc.object().value(QLatin1String("baselines")).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject o = list[i].toObject();
        PinnedBaseline b;
        b.monitor = o.value(QLatin1String("monitor")).toString();
        const QJsonObject labels = o.value(QLatin1String("labels")).toObject();
        for (auto it = labels.begin(); it != labels.end(); ++it)
            b.labels.append({it.key(), it.value().toString()});
        b.pinnedAtMs = qint64(o.value(QLatin1String("pinned_at")).toDouble());
        b.windowMs = qint64(o.value(QLatin1String("window_ms")).toDouble());
        for (const QJsonValue &v : o.value(QLatin1String("bounds")).toArray())
            b.histogram.bounds.push_back(v.toDouble(std::nan("")));
        for (const QJsonValue &v : o.value(QLatin1String("counts")).toArray())
            b.histogram.counts.push_back(v.toDouble(std::nan("")));
        // The same rules as a histogram read from a server: finite ascending
        // bounds, one more count than bounds, counts finite and >= 0.
        bool valid = !b.monitor.isEmpty() && !b.histogram.bounds.empty()
            && b.histogram.counts.size() == b.histogram.bounds.size() + 1;
        for (std::size_t k = 0; valid && k < b.histogram.bounds.size(); ++k)
            valid = std::isfinite(b.histogram.bounds[k]) && (k == 0 || b.histogram.bounds[k] > b.histogram.bounds[k - 1]);
        for (double c : b.histogram.counts)
            valid = valid && std::isfinite(c) && c >= 0;
        if (!valid) {
            skipped << QString::number(i);
            continue;
        }
        b.histogram.total = std::accumulate(b.histogram.counts.begin(), b.histogram.counts.end(), 0.0);
        out.append(b);
    }
    if (!skipped.isEmpty() && error)
        *error = QStringLiteral("%1: skipped baselines[%2]: not a valid histogram (monitor, ascending finite bounds, "
                                "one more count than bounds, counts >= 0)").arg(where, skipped.join(QStringLiteral(", ")));
    return out;
}

bool saveBaselines(const QString &path, const QList<PinnedBaseline> &baselines, QString *error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(baselinesToJson(baselines)) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("cannot write the drift baselines to %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

QList<PinnedBaseline> loadBaselines(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.exists())
        return {};
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the drift baselines in %1: %2").arg(path, f.errorString());
        return {};
    }
    return baselinesFromJson(f.readAll(), path, error);
}

void upsertBaseline(QList<PinnedBaseline> &baselines, const PinnedBaseline &b)
{
    for (PinnedBaseline &existing : baselines) {
        if (existing.monitor == b.monitor && existing.feature() == b.feature()) {
            existing = b;
            return;
        }
    }
    baselines.append(b);
}

} // namespace vigil::drift
