// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/model_registry.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrlQuery>
#include <optional>

namespace vigil::mlflow {

// Page size when neither the caller nor the connection says: 100 stays well
// under every MLflow limit (registered models: 1000, experiments: 50000).
constexpr int kDefaultPageSize = 100;
// A listing stops after this many pages and says so in a warning: a runaway
// listing (or a server that hands out page tokens forever) must not hold the
// connection for ever.
constexpr int kDefaultMaxPages = 100;

// One call to the REST API 2.0: the path under the base URL, and either query
// parameters (GET) or a JSON body (POST: runs/search and experiments/search).
struct ApiRequest
{
    QString path;
    QUrlQuery query;
    std::optional<QJsonObject> json;
    bool isPost() const { return json.has_value(); }
};

// Query parameters encoded the way Flask decodes them: every reserved
// character percent-encoded, so a '+' in a filter stays a '+' (a bare '+'
// would arrive as a space) and a '%' in a LIKE pattern stays a '%'.
QUrlQuery encodeQuery(const QList<std::pair<QString, QString>> &items);

// `pageToken` is the previous page's next_page_token (empty for the first).
// `pageSize` <= 0 sends no max_results (the server's default).
ApiRequest buildSearchExperiments(const SearchOptions &options, int pageSize, const QString &pageToken = {});
ApiRequest buildSearchRegisteredModels(const SearchOptions &options, int pageSize, const QString &pageToken = {});
ApiRequest buildGetRegisteredModel(const QString &name);
ApiRequest buildSearchModelVersions(const SearchOptions &options, int pageSize, const QString &pageToken = {});
ApiRequest buildGetModelVersion(const QString &name, const QString &version);
ApiRequest buildGetModelVersionByAlias(const QString &name, const QString &alias);
ApiRequest buildGetRun(const QString &runId);
ApiRequest buildSearchRuns(const QStringList &experimentIds, const SearchOptions &options, int pageSize,
                           const QString &pageToken = {});
ApiRequest buildGetMetricHistory(const QString &runId, const QString &key, const QString &pageToken = {});

// A filter for model-versions/search that selects one model: name='fraud-detector'.
// MLflow's filter grammar has no escapes; a name holding a ' is put in double
// quotes instead (both are string literals to it).
QString modelNameFilter(const QString &name);

// ---- the series mini-syntax ----
//
//   mlflow_metric{model="fraud-detector", version="13", key="precision"}
//   mlflow_metric{model="fraud-detector", alias="champion", key="f1"}
//   mlflow_metric{run_id="7dc24eac211342b4b6ceba8715ac2b17", key="loss"}
//
// One metric of one run, named by the run's id or by the model version (or
// alias) whose source run it is. Only `=` matchers, values in double quotes
// with \" and \\ escapes; `key` is required, and exactly one of run_id,
// version and alias (the last two with model).
struct MetricSelector
{
    QString model;
    QString version;
    QString alias;
    QString runId;
    QString key;
};

struct SelectorParse
{
    MetricSelector selector;
    QString error; // for the user; empty when the expression was understood
    bool ok() const { return error.isEmpty(); }
};

SelectorParse parseMetricSelector(const QString &expr);

} // namespace vigil::mlflow
