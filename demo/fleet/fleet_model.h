// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

namespace vigil::demo {

// What the simulated fleet *is*: the models, their versions and what a model
// registry knows about them. Nothing here changes over simulated time, and
// nothing here knows about Prometheus; the simulation reads the serving side, a
// later MLflow-compatible registry endpoint will read the registry side.

enum class Track { Stable, Canary };

QString trackName(Track track); // "stable" / "canary": the `track` label value

struct FeatureInfo
{
    QString name;             // the `feature` label value
    QString unit;             // for humans: "characters", "USD", "0..1", ...
    QList<double> upperBounds; // histogram buckets, ascending, +Inf implied
};

struct ModelVersionInfo
{
    QString version;           // the `version` label value, also the registry version name
    int registryVersion = 0;   // MLflow numbers versions 1, 2, 3 ...; this is that number
    Track track = Track::Stable;
    QString stage;             // MLflow 2.x stage: "Production" / "Staging"
    QStringList aliases;       // MLflow aliases: "champion" / "challenger"
    QString runId;             // 32 lowercase hex digits, as MLflow writes run ids
    QString experimentId;
    qint64 creationTimestampMs = 0; // ms since the Unix epoch, as MLflow reports it
    QString source;            // the artifact URI the version was registered from
    QString description;
    // Offline evaluation on the holdout set at registration time (keys as MLflow
    // metric names: accuracy, f1, roc_auc, precision, recall).
    QMap<QString, double> offlineMetrics;
    double trafficShare = 0.0; // fraction of the model's requests routed here
    // What the registry's run says beyond its metrics: the training run's name
    // and params (MLflow sends params as strings), and version tags.
    QString runName;
    QList<QPair<QString, QString>> params;
    QList<QPair<QString, QString>> tags;
};

struct ModelInfo
{
    QString name; // the `model` label value and the registered model name
    QString description;
    qint64 creationTimestampMs = 0;
    QList<FeatureInfo> features;
    QList<ModelVersionInfo> versions;

    const ModelVersionInfo *version(const QString &version) const;
    const FeatureInfo *feature(const QString &feature) const;
};

// The fleet as shipped with the demo: fraud-detector v12/v13 and spam-filter v7/v8.
const QList<ModelInfo> &demoFleet();

// Kubernetes objects are named "<model>-<version>" (deployment and HPA alike).
QString deploymentName(const ModelInfo &model, const ModelVersionInfo &version);

} // namespace vigil::demo
