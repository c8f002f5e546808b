// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "compare/canary_judge.h"
#include "sources/connector.h"
#include "sources/model_registry.h"
#include "workspace/workspace.h"

#include <QFutureWatcher>
#include <QMap>
#include <QObject>
#include <QPointer>

namespace vigil::compare {

// One live metric of one version over the window: the per-interval values
// (one per step, what the judge compares) and the query that gave them.
struct LiveValues
{
    QString key;   // "p99_latency"
    QString query; // the expanded PromQL
    QList<double> values; // NaNs dropped
    QList<qint64> timesMs; // the time of each value (epoch ms), for the charts
    QString error; // why there are none ("" with no values: the query matched nothing)
    double median = std::numeric_limits<double>::quiet_NaN();
};

// A column of the compare view: a version (or alias) with what the registry
// and the metrics say about it. Each part fails on its own, with a message.
struct VersionColumn
{
    QString ref; // as asked: "champion", "13"
    Result<ModelVersion> version;
    Result<Run> run;
    QMap<QString, LiveValues> live; // by metric key
};

struct CompareSnapshot
{
    QString model;
    QString error; // the whole comparison could not start (no registry, ...)
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 stepMs = 0;
    QList<VersionColumn> columns; // the first is the baseline
    // verdicts[i]: column i + 1 judged against column 0.
    QList<CanaryResult> verdicts;
};

struct CompareRequest
{
    ModelDef model;
    QStringList refs; // 2 to 4 versions or aliases; the first is the baseline
    qint64 startMs = 0;
    qint64 endMs = 0;
    JudgeConfig judge;
};

// The judge's inputs for one canary column: the live metrics with their
// directions (lower latency is better, ...), per-interval values from both.
QList<MetricInput> canaryInputs(const VersionColumn &baseline, const VersionColumn &canary);

// Fetches what the compare view shows: each ref resolved through the
// registry, its run, and its live metrics from the metrics connection, then
// the canary verdicts. Lives in the connectors' thread; the futures'
// watchers are its children, so a loader that goes away cancels nothing and
// crashes nothing. `finished` carries an immutable snapshot (queued across threads).
class CompareLoader : public QObject
{
    Q_OBJECT
public:
    CompareLoader(Connector *registry, Connector *metrics, QObject *parent = nullptr);

    // Starts a load; a load still running is forgotten (its answers are dropped).
    void load(const vigil::compare::CompareRequest &request);

Q_SIGNALS:
    void finished(const vigil::compare::CompareSnapshot &snapshot);

private:
    template<typename T, typename F>
    void watch(QFuture<T> future, F &&onResult);
    void resolved(int column, const Result<ModelVersion> &version);
    void done();

    QPointer<Connector> m_registryConnector;
    ModelRegistry *m_registry = nullptr;
    QPointer<Connector> m_metrics;
    CompareRequest m_request;
    CompareSnapshot m_snapshot;
    quint64 m_generation = 0;
    int m_pending = 0;
};

} // namespace vigil::compare

Q_DECLARE_METATYPE(vigil::compare::CompareSnapshot)
