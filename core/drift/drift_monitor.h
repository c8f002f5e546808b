// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/baselines.h"
#include "drift/comparison.h"
#include "drift/detectors.h"
#include "series/series_store.h"
#include "sources/connector.h"
#include "util/clock.h"
#include "workspace/workspace.h"

#include <QObject>
#include <functional>
#include <memory>

namespace vigil::drift {

// One feature's latest comparison, for the drift table.
struct DriftRow
{
    QString monitor;
    Labels labels;          // the `by` labels of the feature
    qint64 atMs = 0;
    Comparison comparison;
    Histogram reference;    // the two windows, for the overlay chart
    Histogram current;
    qint64 windowMs = 0;    // the current window's length
    qint64 pinnedAtMs = 0;  // > 0: the reference is a baseline pinned then, not a window
};

// One series of a detector monitor as its detector last saw it, for the
// drift view's "Change detectors" table.
struct DetectorRow
{
    QString monitor;
    QString detector;         // "page-hinkley", "adwin", "ddm"
    SeriesKey series;         // the monitored series, as the query returned it
    qint64 atMs = 0;          // the last evaluation
    double value = 0;         // the value fed then
    qint64 values = 0;        // values fed so far
    bool changed = false;     // vigil_drift_change is 1: flagged, and within the hold
    bool warning = false;     // DDM's warning zone (vigil_drift_warning is 1)
    qint64 lastChangeMs = 0;  // the last flagged evaluation, 0 for none yet
};

// Live drift (issue 4): on each monitor's interval, asks the server for the
// bucket increases of the current and the reference window (PromQL
// `sum by (le, <by>) (increase(<histogram>_bucket{<selector>}[<window>]))`,
// so Prometheus does the heavy lifting), compares each feature's two windows,
// and writes every score into the SeriesStore as a series:
//   vigil_drift_psi, vigil_drift_ks, vigil_drift_ks_pvalue, vigil_drift_js,
//   vigil_drift_hellinger, vigil_drift_wasserstein_normed, vigil_drift_verdict
// (0 ok, 1 warning, 2 drift, by PSI), labelled with the `by` labels and
// monitor="<name>". Panels and rules read them through the `vigil` connection.
// A monitor with a `detector` instead evaluates its `query` on each interval
// and feeds each resulting series' value to a change detector of its own
// (Page-Hinkley, ADWIN or DDM); every evaluation writes
//   vigil_drift_change{<the series' labels>, monitor, detector}
// 1 from the evaluation whose value the detector flagged until `hold` (5m)
// has passed, 0 otherwise, so a rule on `vigil_drift_change > 0` fires on a
// change even when it is evaluated less often than the monitor, and a chart
// draws a marker where the series rises to 1 (the flag).
// Lives in one thread; time comes from the clock.
class DriftMonitor : public QObject
{
    Q_OBJECT
public:
    using QueryFn = std::function<QFuture<vigil::QueryResult>(const QString &connection, const QueryRequest &request)>;

    DriftMonitor(const Clock &clock, QueryFn query, SeriesStore *store, QObject *parent = nullptr);

    void setMonitors(const QList<DriftDef> &monitors, const QString &defaultConnection);
    // Pinned baselines (kept across setMonitors): a feature with one is
    // compared against it instead of its reference window. Setting them makes
    // every monitor due at the next tick, so the table follows at once.
    void setBaselines(const QList<PinnedBaseline> &baselines);
    const QList<PinnedBaseline> &baselines() const { return m_baselines; }
    // Starts the evaluations that are due; returns how many.
    int tick();
    const QList<DriftRow> &rows() const { return m_rows; }
    // Detector monitors: one row per series, sorted by monitor then series.
    const QList<DetectorRow> &detectorRows() const { return m_detectorRows; }
    QHash<QString, QString> errors() const { return m_errors; }

    // The PromQL for one window ending at the evaluation time.
    static QString windowQuery(const DriftDef &def, qint64 windowMs);
    // Groups a vector of `_bucket` series by every label but `le`.
    static QHash<SeriesKey, QList<BucketSample>> groupBuckets(const vigil::QueryResult &result);

Q_SIGNALS:
    void evaluated(const QString &monitor);
    void failed(const QString &monitor, const QString &message);

private:
    struct State
    {
        DriftDef def;
        qint64 nextDueMs = 0;
        bool running = false;
        bool backfilled = false;
        QList<qint64> queue; // evaluation times still to run, oldest first
        std::optional<vigil::QueryResult> reference;
        std::optional<vigil::QueryResult> current;
        // Detector monitors: one detector per series of the query, kept
        // across evaluations (the stream goes on).
        QHash<SeriesKey, std::shared_ptr<ChangeDetector>> detectors;
        QHash<SeriesKey, qint64> lastFlagMs;
        QHash<SeriesKey, qint64> fed; // values fed to each detector
    };
    void finishDetector(int index, qint64 evalMs, const vigil::QueryResult &result);
    bool reportFailure(int index, const vigil::QueryResult &result);
    void start(int index, qint64 evalMs);
    void runNext(int index);
    void finish(int index, qint64 evalMs);
    void when(QFuture<vigil::QueryResult> f, std::function<void(const vigil::QueryResult &)> done);

    const Clock &m_clock;
    QueryFn m_query;
    SeriesStore *m_store;
    QString m_defaultConnection;
    QList<State> m_states;
    QList<DriftRow> m_rows;
    QList<DetectorRow> m_detectorRows;
    QHash<QString, QString> m_errors;
    QList<PinnedBaseline> m_baselines;
    quint64 m_generation = 0;
};

} // namespace vigil::drift
