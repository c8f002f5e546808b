// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheus_connector.h"

#include "log/log.h"
#include "net/http_client.h"

#include <QPromise>

namespace vigil::prometheus {

namespace {

// A transport failure (refused, timeout, too large, cut off) is the answer as it
// stands; a complete HTTP answer, whatever its status, goes to the parser,
// which reads Prometheus' own explanation out of a 400/422/503 body.
template<typename Result, typename Parse>
Result interpret(const HttpResponse &r, Parse parse)
{
    if (!r.hasAnswer()) {
        Result out;
        out.error = r.error;
        out.message = r.message;
        return out;
    }
    return parse(r.body, r.status, r.contentType, r.where);
}

QueryResult toQueryResult(const HttpResponse &r)
{
    if (!r.hasAnswer())
        return QueryResult::failure(r.error, r.message, r.status);
    return parseQueryResponse(r.body, r.status, r.contentType, r.where);
}

} // namespace

namespace {

ConnectionSettings withTenant(ConnectionSettings s, const EngineOptions &engine)
{
    if (engine.tenant.isEmpty())
        return s;
    // An explicit X-Scope-OrgID under headers: wins over the option.
    for (const auto &[name, value] : s.auth.headers)
        if (name.compare("X-Scope-OrgID", Qt::CaseInsensitive) == 0)
            return s;
    s.auth.headers.append({QByteArrayLiteral("X-Scope-OrgID"), engine.tenant.toUtf8()});
    return s;
}

} // namespace

struct PrometheusConnector::SplitQuery
{
    QueryRequest request;
    QList<RangeWindow> windows;
    QList<QueryResult> parts;
    int next = 0;
    int inFlight = 0;
    int done = 0;
    bool finished = false;
    QPromise<QueryResult> promise;
};

PrometheusConnector::PrometheusConnector(ConnectionSettings settings, QObject *parent)
    : Connector(parent)
    , m_settings(std::move(settings))
    , m_engine(parseEngineOptions(m_settings.options, &m_optionProblems))
{
    m_settings = withTenant(m_settings, m_engine);
    m_http = new HttpClient(m_settings, this);
    for (const QString &p : m_optionProblems)
        logger("prometheus")->warn("connection {}: {}", m_settings.name.toStdString(), p.toStdString());
}

PrometheusConnector::~PrometheusConnector() = default;

QFuture<HttpResponse> PrometheusConnector::send(const ApiRequest &request)
{
    return request.post ? m_http->postForm(request.path, request.params) : m_http->get(request.path, request.params);
}

QFuture<QueryResult> PrometheusConnector::query(const QueryRequest &request)
{
    if (request.kind == QueryKind::Range && m_engine.splitIntervalMs > 0) {
        const RangeWindow whole = chooseRange(request.startMs, request.endMs, request.stepMs);
        const QList<RangeWindow> windows = splitRange(whole, m_engine.splitIntervalMs);
        if (windows.size() > 1)
            return querySplit(request, windows);
    }
    ApiRequest api = buildQueryRequest(request);
    applyEngineParams(api, m_engine);
    // The continuation runs in this object's thread: parsing stays off the GUI thread.
    return send(api).then(this, [](const HttpResponse &r) { return toQueryResult(r); });
}

QFuture<QueryResult> PrometheusConnector::querySplit(const QueryRequest &request, const QList<RangeWindow> &windows)
{
    auto split = std::make_shared<SplitQuery>();
    split->request = request;
    split->windows = windows;
    split->parts.resize(windows.size());
    split->promise.start();
    QFuture<QueryResult> future = split->promise.future();
    launchParts(split);
    return future;
}

// Issues parts in window order while fewer than max_concurrency are in flight;
// each answer launches the next. The first failure finishes the whole query
// (parts still in flight are left to finish unread).
void PrometheusConnector::launchParts(const std::shared_ptr<SplitQuery> &split)
{
    while (!split->finished && split->inFlight < m_engine.maxConcurrency && split->next < split->windows.size()) {
        const int i = split->next++;
        const RangeWindow &w = split->windows[i];
        QueryRequest part = split->request;
        part.startMs = w.startMs;
        part.endMs = w.endMs;
        part.stepMs = w.stepMs;
        ApiRequest api = buildQueryRequest(part);
        applyEngineParams(api, m_engine);
        ++split->inFlight;
        send(api).then(this, [this, split, i](const HttpResponse &r) {
            --split->inFlight;
            if (split->finished)
                return;
            split->parts[i] = toQueryResult(r);
            ++split->done;
            if (!split->parts[i].ok() || split->done == split->windows.size()) {
                split->finished = true;
                // Unanswered parts before a failed one are still empty and
                // ok, so the merge reports the failed part by its number.
                QueryResult merged = mergeSplitResults(split->parts, split->windows);
                split->promise.addResult(std::move(merged));
                split->promise.finish();
                return;
            }
            launchParts(split);
        });
    }
}

QFuture<ProbeResult> PrometheusConnector::probe()
{
    auto promise = std::make_shared<QPromise<ProbeResult>>();
    promise->start();
    QFuture<ProbeResult> future = promise->future();
    auto finish = [promise](ProbeResult r) {
        promise->addResult(std::move(r));
        promise->finish();
    };

    send(buildBuildInfoRequest()).then(this, [this, finish](const HttpResponse &r) {
        const BuildInfoResult info = interpret<BuildInfoResult>(r, parseBuildInfoResponse);
        if (info.ok() && !info.version.isEmpty()) {
            ProbeResult p;
            p.version = info.version;
            p.message = QStringLiteral("Prometheus %1 at %2").arg(info.version, redactedUrl(m_settings.url));
            if (!m_optionProblems.isEmpty())
                p.message += QStringLiteral(" (options: %1)").arg(m_optionProblems.join(QStringLiteral("; ")));
            return finish(p);
        }
        // Nothing answered at all: an instant query would fail the same way.
        if (!r.hasAnswer() && r.error != ErrorKind::BadResponse)
            return finish(ProbeResult{r.error, r.message, {}});

        // Reached something that is not (or not quite) Prometheus' buildinfo:
        // VictoriaMetrics answers {"data":{}}, some proxies 404 it.
        const QString why = info.ok() ? QStringLiteral("its buildinfo names no version")
                                      : QStringLiteral("no usable buildinfo: %1").arg(info.message);
        QueryRequest one;
        one.expr = QStringLiteral("1");
        one.kind = QueryKind::Instant;
        const QString server = redactedUrl(m_settings.url);
        send(buildQueryRequest(one)).then(this, [finish, why, server](const HttpResponse &q) {
            const QueryResult result = toQueryResult(q);
            if (!result.ok())
                return finish(ProbeResult{result.error, result.message, {}});
            finish(ProbeResult{ErrorKind::None,
                               QStringLiteral("a Prometheus-compatible API at %1 answered the query `1` (%2)")
                                   .arg(server, why),
                               {}});
        });
    });
    return future;
}

QFuture<SeriesListResult> PrometheusConnector::findSeries(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    return send(buildSeriesRequest(matchers, startMs, endMs)).then(this, [](const HttpResponse &r) {
        return interpret<SeriesListResult>(r, parseSeriesListResponse);
    });
}

QFuture<LabelListResult> PrometheusConnector::labelNames(const QStringList &matchers, qint64 startMs, qint64 endMs)
{
    return send(buildLabelNamesRequest(matchers, startMs, endMs)).then(this, [](const HttpResponse &r) {
        return interpret<LabelListResult>(r, parseLabelListResponse);
    });
}

QFuture<LabelListResult> PrometheusConnector::labelValues(const QString &labelName, const QStringList &matchers,
                                                          qint64 startMs, qint64 endMs)
{
    const ApiRequest request = buildLabelValuesRequest(labelName, matchers, startMs, endMs);
    if (request.path.isEmpty()) {
        LabelListResult bad;
        bad.error = ErrorKind::BadResponse;
        bad.message = QStringLiteral("\"%1\" is not a valid label name").arg(labelName.left(80));
        return QtFuture::makeReadyFuture(bad);
    }
    return send(request).then(this, [](const HttpResponse &r) {
        return interpret<LabelListResult>(r, parseLabelListResponse);
    });
}

struct PrometheusConnector::Discovery
{
    MetricCatalog catalog;
    QStringList seriesNames; // per catalog entry: the name whose labels are asked for
    int next = 0;
    QPromise<MetricCatalog> promise;
};

QFuture<MetricCatalog> PrometheusConnector::discoverMetrics(int maxMetrics)
{
    auto d = std::make_shared<Discovery>();
    d->promise.start();
    QFuture<MetricCatalog> future = d->promise.future();
    auto fail = [d](ErrorKind kind, const QString &message) {
        d->catalog.error = kind;
        d->catalog.message = message;
        d->promise.addResult(d->catalog);
        d->promise.finish();
    };
    labelValues(QStringLiteral("__name__"), {}, 0, 0).then(this, [this, d, fail, maxMetrics](const LabelListResult &names) {
        if (!names.ok())
            return fail(names.error, QStringLiteral("listing metric names: %1").arg(names.message));
        d->catalog.namesSeen = int(names.values.size());
        send(buildMetadataRequest()).then(this, [this, d, names, maxMetrics](const HttpResponse &r) {
            const MetadataResult meta = interpret<MetadataResult>(r, parseMetadataResponse);
            if (!meta.ok() || meta.metrics.isEmpty())
                d->catalog.notes.append(meta.ok() ? QStringLiteral("the server has no metric metadata: types guessed from the names")
                                                  : QStringLiteral("no metric metadata (%1): types guessed from the names").arg(meta.message));
            QHash<QString, int> index; // base name -> catalog position
            QList<std::pair<MetricInfo, QString>> found;
            for (const QString &name : names.values) {
                if (isInternalMetric(name)) {
                    ++d->catalog.skippedInternal;
                    continue;
                }
                QString base;
                QString type = typeFromName(name, &base);
                if (const auto it = meta.metrics.constFind(name); it != meta.metrics.constEnd() && !it->type.isEmpty())
                    type = it->type;
                if (type.isEmpty() || (type == QLatin1String("histogram") && !name.endsWith(QLatin1String("_bucket"))))
                    continue; // _count/_sum of a histogram or summary; a histogram is found by its _bucket
                if (name.endsWith(QLatin1String("_bucket")) && meta.metrics.value(base).type == QLatin1String("histogram"))
                    type = QStringLiteral("histogram");
                if (type == QLatin1String("unknown") || type == QLatin1String("untyped") || type == QLatin1String("info")
                    || type == QLatin1String("stateset"))
                    type = QStringLiteral("gauge");
                if (index.contains(base))
                    continue;
                MetricInfo m;
                m.name = base;
                m.type = type;
                m.help = meta.metrics.value(base).help;
                index.insert(base, int(found.size()));
                found.append({m, name});
            }
            std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
                auto rank = [](const QString &t) {
                    return t == QLatin1String("histogram") ? 0 : t == QLatin1String("counter") ? 1 : t == QLatin1String("gauge") ? 2 : 3;
                };
                return rank(a.first.type) < rank(b.first.type);
            });
            if (found.size() > maxMetrics) {
                d->catalog.truncated = true;
                found.resize(maxMetrics);
            }
            for (const auto &[m, seriesName] : found) {
                d->catalog.metrics.append(m);
                d->seriesNames.append(seriesName);
            }
            discoverLabels(d);
        });
    });
    return future;
}

// One /api/v1/labels?match[]=NAME per metric, one after the other: a few
// dozen small requests, and the server is never asked for many at once.
void PrometheusConnector::discoverLabels(const std::shared_ptr<Discovery> &d)
{
    if (d->next >= d->catalog.metrics.size()) {
        d->promise.addResult(d->catalog);
        d->promise.finish();
        return;
    }
    const int i = d->next++;
    const QString selector = d->seriesNames[i];
    labelNames({selector}, 0, 0).then(this, [this, d, i](const LabelListResult &labels) {
        if (labels.ok()) {
            for (const QString &l : labels.values)
                if (l != QLatin1String("__name__") && l != QLatin1String("le") && l != QLatin1String("quantile"))
                    d->catalog.metrics[i].labels.append(l);
        } else {
            d->catalog.notes.append(QStringLiteral("labels of %1 unknown: %2").arg(d->catalog.metrics[i].name, labels.message));
        }
        discoverLabels(d);
    });
}


template<typename T, typename Parse>
static QFuture<Result<T>> readResult(QFuture<HttpResponse> sent, QObject *context, const QString &doing, Parse parse)
{
    return sent.then(context, [doing, parse](const HttpResponse &r) {
        Result<T> out = r.hasAnswer() ? parse(r.body, r.status, r.contentType, r.where)
                                      : Result<T>::failure(r.error, r.message, r.status);
        if (!out.ok())
            out.message = QStringLiteral("%1: %2").arg(doing, out.message);
        return out;
    });
}

QFuture<Result<QList<RuleGroupInfo>>> PrometheusConnector::ruleGroups()
{
    return readResult<QList<RuleGroupInfo>>(send(buildRulesRequest()), this, QStringLiteral("reading the server's rules"),
                                            parseRulesResponse);
}

QFuture<Result<QList<RuleAlert>>> PrometheusConnector::ruleAlerts()
{
    return readResult<QList<RuleAlert>>(send(buildAlertsRequest()), this, QStringLiteral("reading the server's alerts"),
                                        parseAlertsResponse);
}

} // namespace vigil::prometheus
