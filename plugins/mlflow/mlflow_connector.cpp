// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow_connector.h"

#include "net/http_client.h"

#include <QPromise>
#include <QSet>
#include <algorithm>

namespace vigil::mlflow {

template<typename T>
struct MlflowConnector::Listing
{
    QString what;
    std::function<ApiRequest(const QString &token)> build;
    std::function<Result<Page<T>>(const HttpResponse &)> parse;
    int maxPages = kDefaultMaxPages;
    ProgressCallback progress;
    QPromise<Result<QList<T>>> promise;
    QList<T> items;
    QStringList warnings; // the pages' own (bytes that were not UTF-8), each said once
    int pages = 0;
    QSet<QString> tokens;

    void finish(Result<QList<T>> r)
    {
        promise.addResult(std::move(r));
        promise.finish();
    }
};

namespace {

template<typename T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

// A version number for sorting: "10" after "9".
qint64 versionNumber(const QString &v)
{
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    return ok ? n : -1;
}

} // namespace

MlflowConnector::MlflowConnector(ConnectionSettings settings, QObject *parent)
    : Connector(parent)
    , m_settings(std::move(settings))
    , m_http(new HttpClient(m_settings, this))
{
    const int pageSize = m_settings.options.value(QLatin1String("page_size")).toInt(0);
    if (pageSize > 0)
        m_pageSize = pageSize;
    const int maxPages = m_settings.options.value(QLatin1String("max_pages")).toInt(0);
    if (maxPages > 0)
        m_maxPages = maxPages;
}

MlflowConnector::~MlflowConnector() = default;

QFuture<HttpResponse> MlflowConnector::send(const ApiRequest &request)
{
    // MLflow takes POST bodies only as application/json (else 400).
    return request.isPost() ? m_http->postJson(request.path, QJsonDocument(*request.json))
                            : m_http->get(request.path, request.query);
}

// A transport failure is the answer as it stands; 401/403 are explained with
// what credentials were sent; any other complete answer goes to the parser.
template<typename R, typename Parse>
R MlflowConnector::interpret(const HttpResponse &r, Parse parse) const
{
    if (!r.hasAnswer())
        return R::failure(r.error, r.message, r.status);
    if (r.status == 401 || r.status == 403)
        return R::failure(ErrorKind::Http, describeAuthFailure(r.status, m_settings.auth, r.body, r.contentType, r.where),
                          r.status);
    return parse(r.body, r.status, r.contentType, r.where);
}

template<typename T>
void MlflowConnector::fetchPage(const std::shared_ptr<Listing<T>> &l, const QString &token)
{
    send(l->build(token)).then(this, [this, l](const HttpResponse &r) {
        Result<Page<T>> page = l->parse(r);
        if (!page.ok()) {
            auto failed = Result<QList<T>>::failedAs(page);
            if (l->pages > 0)
                failed.message += QStringLiteral(" (page %1 of the %2)").arg(l->pages + 1).arg(l->what);
            return l->finish(std::move(failed));
        }
        ++l->pages;
        l->items.append(std::move(page.value.items));
        for (const QString &w : std::as_const(page.warnings))
            if (!l->warnings.contains(w))
                l->warnings.append(w);
        const QString next = page.value.nextPageToken;
        const bool more = !next.isEmpty();
        if (l->progress)
            l->progress(ListingProgress{l->what, l->pages, l->items.size(), more});
        Q_EMIT listingProgress(l->what, l->pages, l->items.size(), more);

        Result<QList<T>> done;
        done.httpStatus = r.status;
        done.warnings = l->warnings;
        if (more && l->tokens.contains(next)) {
            return l->finish(Result<QList<T>>::failure(
                ErrorKind::BadResponse,
                QStringLiteral("MLflow at %1 handed out the same page token twice while listing %2: the listing would never end")
                    .arg(r.where, l->what),
                r.status));
        }
        if (more && l->pages >= l->maxPages) {
            done.warnings << QStringLiteral("stopped after %1 pages (%2 %3): there are more; raise max_pages or narrow the filter")
                                 .arg(l->pages)
                                 .arg(l->items.size())
                                 .arg(l->what);
        } else if (more) {
            l->tokens.insert(next);
            return fetchPage(l, next);
        }
        done.value = std::move(l->items);
        l->finish(std::move(done));
    });
}

template<typename T, typename Build, typename Parse>
QFuture<Result<QList<T>>> MlflowConnector::listAll(const QString &what, const SearchOptions &options, Build build,
                                                   Parse parse, ProgressCallback progress)
{
    auto l = std::make_shared<Listing<T>>();
    l->what = what;
    const int pageSize = options.pageSize == 0 ? m_pageSize : options.pageSize; // < 0: the server's default
    l->build = [build, options, pageSize](const QString &token) { return build(options, pageSize, token); };
    l->parse = [this, parse](const HttpResponse &r) { return interpret<Result<Page<T>>>(r, parse); };
    l->maxPages = options.maxPages > 0 ? options.maxPages : m_maxPages;
    l->progress = std::move(progress);
    l->promise.start();
    QFuture<Result<QList<T>>> future = l->promise.future();
    fetchPage(l, QString());
    return future;
}

QFuture<Result<QList<Experiment>>> MlflowConnector::searchExperiments(const SearchOptions &options,
                                                                      ProgressCallback progress)
{
    return listAll<Experiment>(QStringLiteral("experiments"), options, buildSearchExperiments, parseExperimentsPage,
                               std::move(progress));
}

QFuture<Result<QList<RegisteredModel>>> MlflowConnector::searchRegisteredModels(const SearchOptions &options,
                                                                                ProgressCallback progress)
{
    return listAll<RegisteredModel>(QStringLiteral("registered models"), options, buildSearchRegisteredModels,
                                    parseRegisteredModelsPage, std::move(progress));
}

QFuture<Result<RegisteredModel>> MlflowConnector::registeredModel(const QString &name)
{
    return send(buildGetRegisteredModel(name)).then(this, [this](const HttpResponse &r) {
        return interpret<Result<RegisteredModel>>(r, parseRegisteredModel);
    });
}

QFuture<Result<QList<ModelVersion>>> MlflowConnector::searchModelVersions(const SearchOptions &options,
                                                                          ProgressCallback progress)
{
    return listAll<ModelVersion>(QStringLiteral("model versions"), options, buildSearchModelVersions,
                                 parseModelVersionsPage, std::move(progress));
}

QFuture<Result<QList<ModelVersion>>> MlflowConnector::modelVersions(const QString &modelName, ProgressCallback progress)
{
    // model-versions/search leaves the aliases out; the model's own alias list
    // is complete, so both are asked for at once and joined.
    SearchOptions options;
    options.filter = modelNameFilter(modelName);
    options.pageSize = -1; // the server's default page (200,000 versions in 2.x): one request
    auto versions = searchModelVersions(options, std::move(progress));
    auto model = registeredModel(modelName);
    return versions.then(this, [this, model](Result<QList<ModelVersion>> vs) mutable {
        return model.then(this, [vs = std::move(vs)](const Result<RegisteredModel> &m) mutable {
            if (!vs.ok())
                return vs;
            if (!m.ok())
                return Result<QList<ModelVersion>>::failedAs(m);
            for (ModelVersion &v : vs.value)
                applyAliases(m.value.aliases, v);
            std::stable_sort(vs.value.begin(), vs.value.end(), [](const ModelVersion &a, const ModelVersion &b) {
                return versionNumber(a.version) > versionNumber(b.version);
            });
            return vs;
        });
    }).unwrap();
}

QFuture<Result<ModelVersion>> MlflowConnector::modelVersion(const QString &modelName, const QString &version)
{
    return send(buildGetModelVersion(modelName, version)).then(this, [this](const HttpResponse &r) {
        return interpret<Result<ModelVersion>>(r, parseModelVersion);
    });
}

QFuture<Result<ModelVersion>> MlflowConnector::modelVersionByAlias(const QString &modelName, const QString &alias)
{
    return send(buildGetModelVersionByAlias(modelName, alias)).then(this, [this, modelName, alias](const HttpResponse &r) {
        auto result = interpret<Result<ModelVersion>>(r, parseModelVersion);
        // MLflow 2.10 answers a missing alias (and a missing model) with 400
        // INVALID_PARAMETER_VALUE "Registered model alias X not found.", not 404.
        if (!result.ok() && result.errorCode == QLatin1String("INVALID_PARAMETER_VALUE") &&
            result.message.contains(QLatin1String("alias"), Qt::CaseInsensitive) &&
            result.message.contains(QLatin1String("not found"), Qt::CaseInsensitive)) {
            result.notFound = true;
            result.message = QStringLiteral("no alias \"%1\" on model \"%2\" (or no such model): %3")
                                 .arg(alias, modelName, result.message);
        }
        return result;
    });
}

QFuture<Result<Run>> MlflowConnector::run(const QString &runId)
{
    return send(buildGetRun(runId)).then(this, [this](const HttpResponse &r) {
        return interpret<Result<Run>>(r, parseRun);
    });
}

QFuture<Result<QList<Run>>> MlflowConnector::searchRuns(const QStringList &experimentIds, const SearchOptions &options,
                                                        ProgressCallback progress)
{
    auto build = [experimentIds](const SearchOptions &o, int pageSize, const QString &token) {
        return buildSearchRuns(experimentIds, o, pageSize, token);
    };
    return listAll<Run>(QStringLiteral("runs"), options, build, parseRunsPage, std::move(progress));
}

QFuture<Result<QList<MetricPoint>>> MlflowConnector::metricHistory(const QString &runId, const QString &key)
{
    // get-history ignores max_results in 2.10 (all points in one page), but
    // newer servers page it: follow the token all the same.
    auto build = [runId, key](const SearchOptions &, int, const QString &token) {
        return buildGetMetricHistory(runId, key, token);
    };
    SearchOptions options;
    options.pageSize = -1;
    return listAll<MetricPoint>(QStringLiteral("points of %1").arg(key), options, build, parseMetricHistory, {});
}

// ---- series ----

namespace {

// The run a selector names, and the labels its series carries.
struct ResolvedRun
{
    QString runId;
    Labels labels;
};

QList<Sample> samplesIn(QList<MetricPoint> points, const QueryRequest &request)
{
    // Ordered by time, then step (points logged in one batch share a timestamp).
    std::stable_sort(points.begin(), points.end(), [](const MetricPoint &a, const MetricPoint &b) {
        return a.timestampMs != b.timestampMs ? a.timestampMs < b.timestampMs : a.step < b.step;
    });
    QList<Sample> samples;
    if (request.kind == QueryKind::Instant) {
        for (const MetricPoint &p : points) {
            if (request.timeMs == 0 || p.timestampMs <= request.timeMs) {
                if (!samples.isEmpty() && samples.last().t == p.timestampMs)
                    samples.last().v = p.value;
                else
                    samples = {Sample{p.timestampMs, p.value}};
            }
        }
        return samples;
    }
    const bool all = request.startMs == 0 && request.endMs == 0;
    for (const MetricPoint &p : points) {
        if (!all && (p.timestampMs < request.startMs || p.timestampMs > request.endMs))
            continue;
        // One sample per timestamp: the store keys samples by time, so the
        // highest step logged at that instant stands.
        if (!samples.isEmpty() && samples.last().t == p.timestampMs)
            samples.last().v = p.value;
        else
            samples.append(Sample{p.timestampMs, p.value});
    }
    return samples;
}

} // namespace

QFuture<QueryResult> MlflowConnector::query(const QueryRequest &request)
{
    const SelectorParse parsed = parseMetricSelector(request.expr);
    if (!parsed.ok())
        return ready(QueryResult::failure(ErrorKind::Server,
                                          QStringLiteral("the MLflow connector cannot read the query: %1").arg(parsed.error)));
    const MetricSelector s = parsed.selector;

    // 1. The run: named, or the source run of a version or of an alias' version.
    QFuture<Result<ResolvedRun>> resolved;
    if (!s.runId.isEmpty()) {
        Result<ResolvedRun> r;
        r.value = ResolvedRun{s.runId, {{QStringLiteral("run_id"), s.runId}}};
        resolved = ready(r);
    } else {
        auto version = s.alias.isEmpty() ? modelVersion(s.model, s.version) : modelVersionByAlias(s.model, s.alias);
        resolved = version.then(this, [s](const Result<ModelVersion> &v) {
            if (!v.ok())
                return Result<ResolvedRun>::failedAs(v);
            if (v.value.runId.isEmpty())
                return Result<ResolvedRun>::failure(
                    ErrorKind::BadResponse,
                    QStringLiteral("version %1 of model \"%2\" has no source run, so no metrics").arg(v.value.version, s.model));
            Result<ResolvedRun> r;
            r.value.runId = v.value.runId;
            r.value.labels = {{QStringLiteral("model"), s.model},
                              {QStringLiteral("version"), v.value.version},
                              {QStringLiteral("run_id"), v.value.runId}};
            if (!s.alias.isEmpty())
                r.value.labels.append({QStringLiteral("alias"), s.alias});
            return r;
        });
    }

    // 2. Its history of the metric, as one series.
    return resolved.then(this, [this, s, request](const Result<ResolvedRun> &found) {
        if (!found.ok())
            return ready(QueryResult::failure(found.error, found.message, found.httpStatus));
        Labels labels = found.value.labels;
        labels.append({QStringLiteral("key"), s.key});
        const QString runId = found.value.runId;
        return metricHistory(runId, s.key).then(this, [this, request, labels, runId, s](const Result<QList<MetricPoint>> &h) {
            QueryResult out;
            out.type = request.kind == QueryKind::Instant ? ResultType::Vector : ResultType::Matrix;
            if (!h.ok())
                return ready(QueryResult::failure(h.error, h.message, h.httpStatus));
            out.warnings = h.warnings;
            out.httpStatus = h.httpStatus;
            if (!h.value.isEmpty()) {
                const QList<Sample> samples = samplesIn(h.value, request);
                if (!samples.isEmpty())
                    out.series.append(SeriesData{SeriesKey(QStringLiteral("mlflow_metric"), labels), samples});
                return ready(out);
            }
            // MLflow answers {} both for a metric the run never logged and for
            // a run that does not exist (deleted): ask which, once.
            return this->run(runId).then(this, [out, runId, s](const Result<Run> &r) mutable {
                if (r.notFound) {
                    out.error = ErrorKind::Server;
                    out.message = QStringLiteral("run %1 no longer exists in MLflow (deleted?)%2")
                                      .arg(runId, s.model.isEmpty() ? QString()
                                                                    : QStringLiteral(", so model \"%1\" has no metrics for it").arg(s.model));
                    out.httpStatus = r.httpStatus;
                } else if (r.ok()) {
                    QStringList known;
                    for (const MetricPoint &m : r.value.metrics)
                        known << m.key;
                    out.warnings << QStringLiteral("run %1 has no metric \"%2\"%3")
                                        .arg(runId, s.key,
                                             known.isEmpty() ? QStringLiteral(" (it logged none)")
                                                             : QStringLiteral(" (it has: %1)").arg(known.join(QStringLiteral(", "))));
                } else {
                    out.warnings << QStringLiteral("run %1 has no metric \"%2\"").arg(runId, s.key);
                }
                return out;
            });
        }).unwrap();
    }).unwrap();
}

QFuture<ProbeResult> MlflowConnector::probe()
{
    const QString server = redactedUrl(m_settings.url);
    return searchRegisteredModels(SearchOptions{}).then(this, [server](const Result<QList<RegisteredModel>> &r) {
        if (!r.ok())
            return ProbeResult{r.error, r.message, {}};
        const qsizetype n = r.value.size();
        const QString count = QStringLiteral("%1%2 registered model%3")
                                  .arg(r.warnings.isEmpty() ? QString() : QStringLiteral("at least "))
                                  .arg(n)
                                  .arg(n == 1 ? QString() : QStringLiteral("s"));
        return ProbeResult{ErrorKind::None, QStringLiteral("MLflow at %1: %2").arg(server, count), {}};
    });
}

} // namespace vigil::mlflow
