// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"
#include "sources/result.h"

#include <QFuture>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtPlugin>
#include <functional>
#include <utility>

namespace vigil {

// Key/value pairs in the order the server sent them (tags, params).
using KeyValues = QList<std::pair<QString, QString>>;

// Timestamps are epoch milliseconds (what MLflow sends); 0 means "not set",
// e.g. the end time of a run that is still running.
struct Experiment
{
    QString id; // a string in MLflow ("1"), never a number
    QString name;
    QString artifactLocation;
    QString lifecycleStage; // "active" or "deleted"
    qint64 creationTimeMs = 0;
    qint64 lastUpdateTimeMs = 0;
    KeyValues tags;
};

struct ModelAlias
{
    QString alias;   // "champion"
    QString version; // "2"
    friend bool operator==(const ModelAlias &, const ModelAlias &) = default;
};

struct ModelVersion
{
    QString name;    // the registered model
    QString version; // a string ("13"), compared as a number by callers that sort
    // The legacy stage ("None", "Staging", "Production", "Archived"): still
    // shown, since many registries have not moved to aliases.
    QString stage;
    // The aliases pointing at this version. MLflow sends them only from
    // model-versions/get and registered-models/alias; `aliasesKnown` says
    // whether this list is the truth or just "not told" (a search result).
    QStringList aliases;
    bool aliasesKnown = false;
    QString runId;
    QString status; // "READY", "PENDING_REGISTRATION", "FAILED_REGISTRATION"
    QString statusMessage;
    QString description;
    QString source;
    QString userId;
    qint64 creationTimeMs = 0;
    qint64 lastUpdatedTimeMs = 0;
    KeyValues tags;
};

struct RegisteredModel
{
    QString name;
    QString description;
    qint64 creationTimeMs = 0;
    qint64 lastUpdatedTimeMs = 0;
    KeyValues tags;
    QList<ModelAlias> aliases;
    // The newest version per stage (MLflow's latest_versions), without aliases.
    QList<ModelVersion> latestVersions;
};

struct MetricPoint
{
    QString key;
    double value = 0.0;
    qint64 timestampMs = 0;
    qint64 step = 0;
    friend bool operator==(const MetricPoint &, const MetricPoint &) = default;
};

struct Run
{
    QString id;
    QString experimentId;
    QString name;
    QString userId;
    QString status; // "RUNNING", "FINISHED", "FAILED", "KILLED", "SCHEDULED"
    QString lifecycleStage;
    QString artifactUri;
    qint64 startTimeMs = 0;
    qint64 endTimeMs = 0; // 0 while running
    QList<MetricPoint> metrics; // the latest value of each metric
    KeyValues params;
    KeyValues tags;
};

// How a listing is asked for. Empty fields are not sent, so the server's own
// defaults apply (MLflow's max_results default differs per endpoint).
struct SearchOptions
{
    QString filter;        // the server's filter syntax, e.g. "name = 'fraud-detector'"
    QStringList orderBy;   // e.g. {"name ASC"}
    int pageSize = 0;      // max_results per page; 0: the connection's default
    int maxPages = 0;      // stop after this many pages; 0: the connection's default
    QString viewType;      // experiments: ACTIVE_ONLY, DELETED_ONLY, ALL
};

// Reported after every page of a listing, so a long one can show progress.
struct ListingProgress
{
    QString what;       // "registered models"
    int pages = 0;      // pages read so far
    qsizetype items = 0; // items read so far
    bool more = false;  // the server says there is another page
};
using ProgressCallback = std::function<void(const ListingProgress &)>;

// The typed side of a connector with Capability::ModelRegistry. Reach it from
// a Connector with qobject_cast<vigil::ModelRegistry *>(connector). Futures
// complete in the connector's thread, like query().
class ModelRegistry
{
public:
    virtual ~ModelRegistry() = default;

    virtual QFuture<Result<QList<Experiment>>> searchExperiments(const SearchOptions &options,
                                                                 ProgressCallback progress = {}) = 0;
    virtual QFuture<Result<QList<RegisteredModel>>> searchRegisteredModels(const SearchOptions &options,
                                                                           ProgressCallback progress = {}) = 0;
    virtual QFuture<Result<RegisteredModel>> registeredModel(const QString &name) = 0;
    virtual QFuture<Result<QList<ModelVersion>>> searchModelVersions(const SearchOptions &options,
                                                                     ProgressCallback progress = {}) = 0;
    // Every version of one model, with aliases filled in from the model.
    virtual QFuture<Result<QList<ModelVersion>>> modelVersions(const QString &modelName,
                                                               ProgressCallback progress = {}) = 0;
    virtual QFuture<Result<ModelVersion>> modelVersion(const QString &modelName, const QString &version) = 0;
    virtual QFuture<Result<ModelVersion>> modelVersionByAlias(const QString &modelName, const QString &alias) = 0;
    virtual QFuture<Result<Run>> run(const QString &runId) = 0;
    virtual QFuture<Result<QList<Run>>> searchRuns(const QStringList &experimentIds, const SearchOptions &options,
                                                   ProgressCallback progress = {}) = 0;
    virtual QFuture<Result<QList<MetricPoint>>> metricHistory(const QString &runId, const QString &key) = 0;
};

} // namespace vigil

#define VIGIL_MODEL_REGISTRY_IID "org.vigil.ModelRegistry/1"
Q_DECLARE_INTERFACE(vigil::ModelRegistry, VIGIL_MODEL_REGISTRY_IID)
