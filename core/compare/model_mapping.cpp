// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/model_mapping.h"

#include "workspace/workspace.h"

namespace vigil::compare {

namespace {

// The selector every default shares: one model, one version.
#define VIGIL_SELECTOR "model=\"{{model}}\", {{version_label}}=\"{{version}}\""

QString promString(QString value)
{
    value.replace(u'\\', QStringLiteral("\\\\"));
    value.replace(u'"', QStringLiteral("\\\""));
    value.replace(u'\n', QStringLiteral("\\n"));
    return value;
}

QString quantile(const char *q)
{
    // Per-version latency quantiles from the classic histogram the demo fleet
    // and most serving stacks export (model_request_duration_seconds).
    return QStringLiteral("histogram_quantile(%1, sum by (le) (rate(model_request_duration_seconds_bucket{" VIGIL_SELECTOR
                          "}[{{interval}}])))")
        .arg(QLatin1String(q));
}

} // namespace

const QList<LiveMetricInfo> &liveMetrics()
{
    static const QList<LiveMetricInfo> metrics = {
        {QStringLiteral("p50_latency"), QStringLiteral("p50 latency"), QStringLiteral("s"), BadDirection::Increase,
         false, true, quantile("0.50")},
        {QStringLiteral("p95_latency"), QStringLiteral("p95 latency"), QStringLiteral("s"), BadDirection::Increase,
         false, true, quantile("0.95")},
        {QStringLiteral("p99_latency"), QStringLiteral("p99 latency"), QStringLiteral("s"), BadDirection::Increase,
         false, true, quantile("0.99")},
        // Requests per second: fewer is the worse direction (lost traffic), but
        // not judged (see LiveMetricInfo::judged).
        {QStringLiteral("rps"), QStringLiteral("requests/s"), QStringLiteral("reqps"), BadDirection::Decrease, false,
         false, QStringLiteral("sum(rate(model_requests_total{" VIGIL_SELECTOR "}[{{interval}}]))")},
        // Critical: a canary that fails requests fails, whatever else it does well.
        {QStringLiteral("error_ratio"), QStringLiteral("error ratio"), QStringLiteral("percentunit"),
         BadDirection::Increase, true, true,
         QStringLiteral("sum(rate(model_requests_total{" VIGIL_SELECTOR ", code=~\"5..\"}[{{interval}}])) / "
                        "sum(rate(model_requests_total{" VIGIL_SELECTOR "}[{{interval}}]))")},
    };
    return metrics;
}

QStringList liveMetricKeys()
{
    QStringList keys;
    for (const LiveMetricInfo &m : liveMetrics())
        keys << m.key;
    return keys;
}

const LiveMetricInfo *liveMetric(const QString &key)
{
    for (const LiveMetricInfo &m : liveMetrics()) {
        if (m.key == key)
            return &m;
    }
    return nullptr;
}

QString liveQueryTemplate(const ModelDef &model, const QString &key)
{
    const auto it = model.queries.constFind(key);
    if (it != model.queries.constEnd())
        return it.value();
    const LiveMetricInfo *m = liveMetric(key);
    return m ? m->defaultTemplate : QString();
}

QString expandQueryTemplate(const QString &tmpl, const QString &model, const QString &versionValue,
                            const QString &versionLabel, qint64 intervalMs)
{
    QString out = tmpl;
    out.replace(QLatin1String("{{model}}"), promString(model));
    out.replace(QLatin1String("{{version}}"), promString(versionValue));
    out.replace(QLatin1String("{{version_label}}"), versionLabel);
    out.replace(QLatin1String("{{interval}}"), formatPromDuration(intervalMs));
    return out;
}

QString versionLabelValue(const ModelDef &model, const QString &registryVersion)
{
    QString out = model.versionValue.isEmpty() ? QStringLiteral("{{version}}") : model.versionValue;
    out.replace(QLatin1String("{{version}}"), registryVersion);
    return out;
}

QString liveQuery(const ModelDef &model, const QString &key, const QString &registryVersion)
{
    return expandQueryTemplate(liveQueryTemplate(model, key), model.name, versionLabelValue(model, registryVersion),
                               model.versionLabel, model.intervalMs);
}

int offlineMetricDirection(const QString &key)
{
    const QString k = key.toLower();
    static const QStringList higher = {QStringLiteral("accuracy"), QStringLiteral("f1"), QStringLiteral("auc"),
                                       QStringLiteral("precision"), QStringLiteral("recall"), QStringLiteral("r2"),
                                       QStringLiteral("ndcg"), QStringLiteral("map"), QStringLiteral("hit_rate"),
                                       QStringLiteral("specificity")};
    static const QStringList lower = {QStringLiteral("loss"), QStringLiteral("rmse"), QStringLiteral("mae"),
                                      QStringLiteral("mse"), QStringLiteral("error"), QStringLiteral("perplexity"),
                                      QStringLiteral("brier"), QStringLiteral("latency"), QStringLiteral("time")};
    // Lower-is-better words first: "error_rate" is not a rate to raise.
    for (const QString &w : lower) {
        if (k.contains(w))
            return -1;
    }
    for (const QString &w : higher) {
        if (k.contains(w))
            return 1;
    }
    return 0;
}

bool isVersionNumber(const QString &ref)
{
    if (ref.isEmpty())
        return false;
    for (QChar c : ref) {
        if (!c.isDigit())
            return false;
    }
    return true;
}

QFuture<Result<ModelVersion>> resolveVersionRef(ModelRegistry &registry, const QString &model, const QString &ref)
{
    if (isVersionNumber(ref))
        return registry.modelVersion(model, ref);
    return registry.modelVersionByAlias(model, ref);
}

} // namespace vigil::compare
