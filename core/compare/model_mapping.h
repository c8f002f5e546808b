// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "compare/canary_judge.h"
#include "sources/model_registry.h"
#include "workspace/workspace.h"

#include <QFuture>
#include <QList>
#include <QString>

namespace vigil::compare {

// From a model version in the registry to its live series (issue 5, item 2).
// The workspace's `models:` section says which registry and which metrics
// connection a model uses and which label carries the version; the live
// queries are templates with defaults for the usual serving metrics.

struct LiveMetricInfo
{
    QString key;   // the workspace key: "p99_latency"
    QString title; // "p99 latency"
    QString unit;  // "s", "reqps", "percentunit": as panels' units
    BadDirection bad = BadDirection::Increase; // lower latency is better, ...
    bool critical = false;
    // Whether the canary judge compares it. Requests per second are shown but
    // not judged: a canary on a 15 % traffic share serves fewer by design,
    // and Kayenta's comparisons assume baseline and canary of equal size.
    bool judged = true;
    QString defaultTemplate;
};

// p50/p95/p99 latency, rps, error ratio, in that order (the compare view's rows).
const QList<LiveMetricInfo> &liveMetrics();
QStringList liveMetricKeys();
const LiveMetricInfo *liveMetric(const QString &key);

// The model's template for a metric: its own override, or the default.
QString liveQueryTemplate(const ModelDef &model, const QString &key);

// Fills {{model}}, {{version}}, {{version_label}} and {{interval}} in. Values
// are escaped for a PromQL double-quoted string (they sit inside "...").
QString expandQueryTemplate(const QString &tmpl, const QString &model, const QString &versionValue,
                            const QString &versionLabel, qint64 intervalMs);

// The label value of a registry version ("13" -> "v13" with "v{{version}}").
QString versionLabelValue(const ModelDef &model, const QString &registryVersion);

// The expanded live query of one metric for one registry version.
QString liveQuery(const ModelDef &model, const QString &key, const QString &registryVersion);

// Which way an offline metric (a run's logged metric) is better: +1 higher
// (accuracy, f1, roc_auc, precision, recall, ...), -1 lower (loss, rmse,
// mae, ...), 0 unknown (then a delta is shown but not coloured).
int offlineMetricDirection(const QString &key);

// "13" is a version number, anything else ("champion") an alias.
bool isVersionNumber(const QString &ref);

// A version or an alias of `model`, as the registry knows it now: digits go
// to model-versions/get, anything else to registered-models/alias. An alias
// that points nowhere comes back notFound with a message naming it.
QFuture<Result<ModelVersion>> resolveVersionRef(ModelRegistry &registry, const QString &model, const QString &ref);

} // namespace vigil::compare
