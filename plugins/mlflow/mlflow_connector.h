// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mlflow_request.h"
#include "mlflow_response.h"
#include "sources/connector.h"
#include "sources/model_registry.h"

#include <QFuture>
#include <memory>

namespace vigil {
class HttpClient;
struct HttpResponse;
}

namespace vigil::mlflow {

// A connection to an MLflow tracking server and model registry over its REST
// API 2.0 (tested against recordings of 2.10.2).
//
// Two faces: the typed registry (vigil::ModelRegistry: models, versions,
// aliases, runs, metric histories), reached with qobject_cast, and query(),
// which turns a run's metric history into a series (see mlflow_request.h for
// the mini-syntax) so it charts and alerts like any other.
//
// Lives in one thread (the app's I/O thread); requests, parsing and the
// futures' completion happen there. Listings follow next_page_token up to
// the connection's max_pages and report progress after every page.
class MlflowConnector : public Connector, public ModelRegistry
{
    Q_OBJECT
    Q_INTERFACES(vigil::ModelRegistry)
public:
    explicit MlflowConnector(ConnectionSettings settings, QObject *parent = nullptr);
    ~MlflowConnector() override;

    QString kind() const override { return QStringLiteral("mlflow"); }
    Capabilities capabilities() const override { return Capability::ModelRegistry | Capability::TimeSeries; }
    const ConnectionSettings &settings() const override { return m_settings; }

    // mlflow_metric{model="...", version="..." | alias="...", key="..."} or
    // mlflow_metric{run_id="...", key="..."}: the run's history of that metric,
    // one sample per logged point at its timestamp. A range query keeps the
    // points in [start, end] (all of them when both are 0); an instant query
    // the last point at or before its time (the last one when it is 0): an
    // offline metric does not go stale.
    QFuture<QueryResult> query(const QueryRequest &request) override;
    // "MLflow at URL: N registered models", or exactly why not.
    QFuture<ProbeResult> probe() override;

    QFuture<Result<QList<Experiment>>> searchExperiments(const SearchOptions &options,
                                                         ProgressCallback progress = {}) override;
    QFuture<Result<QList<RegisteredModel>>> searchRegisteredModels(const SearchOptions &options,
                                                                   ProgressCallback progress = {}) override;
    QFuture<Result<RegisteredModel>> registeredModel(const QString &name) override;
    QFuture<Result<QList<ModelVersion>>> searchModelVersions(const SearchOptions &options,
                                                             ProgressCallback progress = {}) override;
    QFuture<Result<QList<ModelVersion>>> modelVersions(const QString &modelName,
                                                       ProgressCallback progress = {}) override;
    QFuture<Result<ModelVersion>> modelVersion(const QString &modelName, const QString &version) override;
    // A missing alias is a 400 INVALID_PARAMETER_VALUE in MLflow, not a 404:
    // it comes back with notFound set and a message naming model and alias.
    QFuture<Result<ModelVersion>> modelVersionByAlias(const QString &modelName, const QString &alias) override;
    QFuture<Result<Run>> run(const QString &runId) override;
    QFuture<Result<QList<Run>>> searchRuns(const QStringList &experimentIds, const SearchOptions &options,
                                           ProgressCallback progress = {}) override;
    QFuture<Result<QList<MetricPoint>>> metricHistory(const QString &runId, const QString &key) override;

    int pageSize() const { return m_pageSize; }
    int maxPages() const { return m_maxPages; }

Q_SIGNALS:
    // After every page of a listing, for a status bar (the callbacks serve callers).
    void listingProgress(const QString &what, int pages, qsizetype items, bool more);

private:
    template<typename T>
    struct Listing;
    template<typename T>
    void fetchPage(const std::shared_ptr<Listing<T>> &listing, const QString &token);
    template<typename T, typename Build, typename Parse>
    QFuture<Result<QList<T>>> listAll(const QString &what, const SearchOptions &options, Build build, Parse parse,
                                      ProgressCallback progress);
    template<typename R, typename Parse>
    R interpret(const HttpResponse &response, Parse parse) const;

    QFuture<HttpResponse> send(const ApiRequest &request);

    ConnectionSettings m_settings;
    HttpClient *m_http = nullptr;
    int m_pageSize = kDefaultPageSize;
    int m_maxPages = kDefaultMaxPages;
};

} // namespace vigil::mlflow
