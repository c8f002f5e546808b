// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_loader.h"

#include "compare/model_mapping.h"

#include <cmath>

namespace vigil::compare {

namespace {

// What a canceled future stands for: a failure the cell can show.
template<typename T>
T canceled()
{
    return T::failure(ErrorKind::Canceled, QStringLiteral("the request was canceled"));
}

} // namespace

QList<MetricInput> canaryInputs(const VersionColumn &baseline, const VersionColumn &canary)
{
    QList<MetricInput> inputs;
    for (const LiveMetricInfo &m : liveMetrics()) {
        if (!m.judged)
            continue;
        MetricInput in;
        in.spec.name = m.title;
        in.spec.bad = m.bad;
        in.spec.critical = m.critical;
        in.baseline = baseline.live.value(m.key).values;
        in.canary = canary.live.value(m.key).values;
        inputs << in;
    }
    return inputs;
}

CompareLoader::CompareLoader(Connector *registry, Connector *metrics, QObject *parent)
    : QObject(parent)
    , m_registryConnector(registry)
    , m_registry(qobject_cast<ModelRegistry *>(registry))
    , m_metrics(metrics)
{
    qRegisterMetaType<vigil::compare::CompareSnapshot>();
}

template<typename T, typename F>
void CompareLoader::watch(QFuture<T> future, F &&onResult)
{
    ++m_pending;
    auto *watcher = new QFutureWatcher<T>(this);
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation = m_generation, onResult = std::forward<F>(onResult)]() mutable {
                watcher->deleteLater();
                if (generation != m_generation)
                    return; // a newer load replaced this one
                if (!watcher->future().isCanceled() && watcher->future().resultCount() > 0)
                    onResult(watcher->result());
                else
                    onResult(canceled<T>());
                if (--m_pending == 0)
                    done();
            });
    watcher->setFuture(future);
}

void CompareLoader::load(const CompareRequest &request)
{
    ++m_generation;
    m_pending = 0;
    m_request = request;
    m_snapshot = CompareSnapshot();
    m_snapshot.model = request.model.name;
    m_snapshot.startMs = request.startMs;
    m_snapshot.endMs = request.endMs;
    m_snapshot.stepMs = std::max<qint64>(request.model.intervalMs, 1000);
    for (const QString &ref : request.refs) {
        VersionColumn c;
        c.ref = ref;
        m_snapshot.columns << c;
    }
    if (!m_registry) {
        m_snapshot.error = m_registryConnector
                               ? QStringLiteral("connection '%1' is not a model registry").arg(request.model.registry)
                               : QStringLiteral("model '%1' has no registry connection (set 'registry:' under models)")
                                     .arg(request.model.name);
        done();
        return;
    }
    for (int i = 0; i < m_snapshot.columns.size(); ++i) {
        watch(resolveVersionRef(*m_registry, request.model.name, m_snapshot.columns[i].ref),
              [this, i](const Result<ModelVersion> &v) { resolved(i, v); });
    }
    if (m_pending == 0)
        done();
}

void CompareLoader::resolved(int column, const Result<ModelVersion> &version)
{
    VersionColumn &c = m_snapshot.columns[column];
    c.version = version;
    if (!version.ok()) {
        if (version.message.isEmpty())
            c.version.message = QStringLiteral("the registry did not answer");
        return;
    }
    if (version.value.runId.isEmpty()) {
        c.run = Result<Run>::failure(ErrorKind::BadResponse, QStringLiteral("version %1 has no source run").arg(version.value.version));
    } else {
        watch(m_registry->run(version.value.runId), [this, column](const Result<Run> &r) {
            m_snapshot.columns[column].run = r;
            if (r.notFound)
                m_snapshot.columns[column].run.message =
                    QStringLiteral("run %1 no longer exists in MLflow (deleted?)").arg(m_snapshot.columns[column].version.value.runId);
        });
    }
    for (const LiveMetricInfo &m : liveMetrics()) {
        LiveValues lv;
        lv.key = m.key;
        lv.query = liveQuery(m_request.model, m.key, version.value.version);
        if (!m_metrics) {
            lv.error = QStringLiteral("no metrics connection for model '%1'").arg(m_request.model.name);
            c.live.insert(m.key, lv);
            continue;
        }
        c.live.insert(m.key, lv);
        QueryRequest q;
        q.id = QStringLiteral("compare/%1/%2/%3").arg(m_request.model.name, version.value.version, m.key);
        q.expr = lv.query;
        q.kind = QueryKind::Range;
        q.startMs = m_snapshot.startMs;
        q.endMs = m_snapshot.endMs;
        q.stepMs = m_snapshot.stepMs;
        watch(m_metrics->query(q), [this, column, key = m.key](const QueryResult &r) {
            LiveValues &v = m_snapshot.columns[column].live[key];
            if (!r.ok()) {
                v.error = r.message.isEmpty() ? QStringLiteral("the query did not finish") : r.message;
                return;
            }
            // One series expected (the templates aggregate); with several, the first.
            if (!r.series.isEmpty()) {
                for (const Sample &s : r.series.first().samples) {
                    if (std::isfinite(s.v)) {
                        v.values << s.v;
                        v.timesMs << s.t;
                    }
                }
            }
            if (v.values.isEmpty()) {
                const ModelDef &model = m_request.model;
                v.error = QStringLiteral("no data: no series with %1=\"%2\" in the window")
                              .arg(model.versionLabel, versionLabelValue(model, m_snapshot.columns[column].version.value.version));
            }
            v.median = median(v.values);
        });
    }
}

void CompareLoader::done()
{
    m_snapshot.verdicts.clear();
    for (int i = 1; i < m_snapshot.columns.size(); ++i)
        m_snapshot.verdicts << judgeCanary(canaryInputs(m_snapshot.columns.first(), m_snapshot.columns[i]),
                                           m_request.judge);
    Q_EMIT finished(m_snapshot);
}

} // namespace vigil::compare
