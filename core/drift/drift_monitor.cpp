// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/drift_monitor.h"

#include "drift/detect_replay.h"
#include "log/log.h"

#include <QFutureWatcher>
#include <cmath>

namespace vigil::drift {

DriftMonitor::DriftMonitor(const Clock &clock, QueryFn query, SeriesStore *store, QObject *parent)
    : QObject(parent), m_clock(clock), m_query(std::move(query)), m_store(store)
{
}

void DriftMonitor::setMonitors(const QList<DriftDef> &monitors, const QString &defaultConnection)
{
    ++m_generation;
    m_defaultConnection = defaultConnection;
    m_states.clear();
    m_rows.clear();
    m_detectorRows.clear();
    m_errors.clear();
    const qint64 now = m_clock.nowMs();
    for (const DriftDef &d : monitors)
        m_states.append({d, now, false, {}, {}});
}

void DriftMonitor::setBaselines(const QList<PinnedBaseline> &baselines)
{
    m_baselines = baselines;
    for (State &st : m_states)
        if (st.def.detector.isEmpty()) // a detector's stream keeps its own pace
            st.nextDueMs = std::min(st.nextDueMs, m_clock.nowMs());
}

QString DriftMonitor::windowQuery(const DriftDef &def, qint64 windowMs)
{
    QStringList by{QStringLiteral("le")};
    by << def.by;
    return QStringLiteral("sum by (%1) (increase(%2_bucket{%3}[%4]))")
        .arg(by.join(QStringLiteral(", ")), def.histogram, def.selector, formatPromDuration(windowMs));
}

QHash<SeriesKey, QList<BucketSample>> DriftMonitor::groupBuckets(const vigil::QueryResult &result)
{
    QHash<SeriesKey, QList<BucketSample>> groups;
    for (const SeriesData &s : result.series) {
        if (s.samples.isEmpty())
            continue;
        Labels rest;
        QString le;
        for (const auto &[k, v] : s.key.labels()) {
            if (k == QLatin1String("le"))
                le = v;
            else
                rest.append({k, v});
        }
        if (le.isEmpty())
            continue;
        groups[SeriesKey(QString(), rest)].append({le, s.samples.last().v});
    }
    return groups;
}

int DriftMonitor::tick()
{
    const qint64 now = m_clock.nowMs();
    int started = 0;
    for (int i = 0; i < m_states.size(); ++i) {
        State &st = m_states[i];
        if (st.running || !st.queue.isEmpty() || now < st.nextDueMs)
            continue;
        st.nextDueMs = now + st.def.intervalMs;
        if (!st.backfilled) {
            st.backfilled = true;
            const qint64 points = std::min<qint64>(st.def.backfillMs / std::max<qint64>(st.def.intervalMs, 1), 120);
            for (qint64 k = points; k >= 1; --k)
                st.queue.append(now - k * st.def.intervalMs);
        }
        st.queue.append(now);
        started += int(st.queue.size());
        runNext(i);
    }
    return started;
}

void DriftMonitor::runNext(int index)
{
    // One evaluation at a time per monitor, oldest first, so the series stay in order.
    while (index < m_states.size() && !m_states[index].running && !m_states[index].queue.isEmpty())
        start(index, m_states[index].queue.takeFirst());
}

void DriftMonitor::when(QFuture<vigil::QueryResult> f, std::function<void(const vigil::QueryResult &)> done)
{
    if (f.isFinished()) {
        done(f.isCanceled() ? vigil::QueryResult::failure(vigil::ErrorKind::Canceled, QStringLiteral("canceled")) : f.result());
        return;
    }
    auto *w = new QFutureWatcher<vigil::QueryResult>(this);
    const quint64 generation = m_generation;
    connect(w, &QFutureWatcher<vigil::QueryResult>::finished, this, [this, w, done, generation] {
        w->deleteLater();
        if (generation != m_generation)
            return;
        done(w->future().isCanceled() ? vigil::QueryResult::failure(vigil::ErrorKind::Canceled, QStringLiteral("canceled"))
                                      : w->result());
    });
    w->setFuture(f);
}

void DriftMonitor::start(int index, qint64 nowMs)
{
    // nowMs: the evaluation time (now, or a past time while backfilling).
    State &st = m_states[index];
    st.running = true;
    st.reference.reset();
    st.current.reset();
    const QString connection = st.def.connection.isEmpty() ? m_defaultConnection : st.def.connection;
    if (!st.def.detector.isEmpty()) {
        QueryRequest req;
        req.id = QStringLiteral("drift/%1/detector").arg(st.def.name);
        req.kind = QueryKind::Instant;
        req.expr = st.def.query;
        req.timeMs = nowMs;
        if (!m_query) {
            st.running = false;
            return;
        }
        when(m_query(connection, req), [this, index, nowMs](const vigil::QueryResult &r) {
            if (index < m_states.size())
                finishDetector(index, nowMs, r);
        });
        return;
    }
    QueryRequest cur;
    cur.id = QStringLiteral("drift/%1/current").arg(st.def.name);
    cur.kind = QueryKind::Instant;
    cur.expr = windowQuery(st.def, st.def.windowMs);
    cur.timeMs = nowMs;
    QueryRequest ref = cur;
    ref.id = QStringLiteral("drift/%1/reference").arg(st.def.name);
    if (st.def.referenceToMs > 0) {
        ref.expr = windowQuery(st.def, st.def.referenceToMs - st.def.referenceFromMs);
        ref.timeMs = st.def.referenceToMs;
    } else {
        ref.timeMs = nowMs - st.def.referenceOffsetMs;
    }
    if (!m_query) {
        m_states[index].running = false;
        return;
    }
    when(m_query(connection, ref), [this, index, nowMs](const vigil::QueryResult &r) {
        if (index >= m_states.size())
            return;
        m_states[index].reference = r;
        if (m_states[index].current)
            finish(index, nowMs);
    });
    if (index >= m_states.size())
        return;
    when(m_query(connection, cur), [this, index, nowMs](const vigil::QueryResult &r) {
        if (index >= m_states.size())
            return;
        m_states[index].current = r;
        if (m_states[index].reference)
            finish(index, nowMs);
    });
}

bool DriftMonitor::reportFailure(int index, const vigil::QueryResult &r)
{
    State &st = m_states[index];
    const QString &name = st.def.name;
    if (r.ok()) {
        m_errors.remove(name);
        return false;
    }
    const QString message = QStringLiteral("drift monitor '%1': %2").arg(name, r.message);
    if (m_errors.value(name) != message) {
        logger("drift")->warn("{}", message.toStdString());
        Q_EMIT failed(name, message);
    }
    m_errors.insert(name, message);
    st.queue.clear(); // do not hammer a failing server with the backfill
    return true;
}

void DriftMonitor::finishDetector(int index, qint64 evalMs, const vigil::QueryResult &result)
{
    State &st = m_states[index];
    st.running = false;
    if (reportFailure(index, result))
        return;
    const QString name = st.def.name;
    QList<SeriesData> out;
    QList<DetectorRow> rows;
    for (const SeriesData &s : result.series) {
        if (s.samples.isEmpty() || !std::isfinite(s.samples.last().v))
            continue; // no value at this evaluation: nothing to feed
        std::shared_ptr<ChangeDetector> &detector = st.detectors[s.key];
        if (!detector) {
            QString error;
            detector = makeDetector(st.def.detector, st.def.detectorParams, &error);
            if (!detector) { // the workspace checks this; a monitor built in code may not
                reportFailure(index, vigil::QueryResult::failure(vigil::ErrorKind::Server, error));
                st.detectors.remove(s.key);
                return;
            }
        }
        detector->update(s.samples.last().v);
        Labels labels;
        for (const Label &l : s.key.labels())
            if (l.first != QLatin1String("monitor") && l.first != QLatin1String("detector"))
                labels.append(l);
        labels.append({QStringLiteral("monitor"), name});
        labels.append({QStringLiteral("detector"), detector->name()});
        if (detector->driftDetected())
            st.lastFlagMs.insert(s.key, evalMs);
        const auto flag = st.lastFlagMs.constFind(s.key);
        const bool held = flag != st.lastFlagMs.cend() && evalMs >= *flag && evalMs - *flag < std::max<qint64>(st.def.holdMs, 1);
        out.append({SeriesKey(QStringLiteral("vigil_drift_change"), labels), {{evalMs, held ? 1.0 : 0.0}}});
        // DDM's warning zone (the error rate is climbing, not yet a drift): a
        // series of its own, 1 while it is in the zone, for a warning rule.
        if (detector->hasWarningZone())
            out.append({SeriesKey(QStringLiteral("vigil_drift_warning"), labels),
                        {{evalMs, detector->warningDetected() ? 1.0 : 0.0}}});
        DetectorRow row;
        row.monitor = name;
        row.detector = detector->name();
        row.series = s.key;
        row.atMs = evalMs;
        row.value = s.samples.last().v;
        row.values = ++st.fed[s.key];
        row.changed = held;
        row.warning = detector->hasWarningZone() && detector->warningDetected();
        row.lastChangeMs = flag != st.lastFlagMs.cend() ? *flag : 0;
        rows.append(row);
        if (detector->driftDetected())
            logger("drift")->info("drift monitor '{}': {} flagged a change in {} at {}", name.toStdString(),
                                  detector->name().toStdString(), s.key.toString().toStdString(), evalMs);
    }
    if (m_store && !out.isEmpty())
        m_store->append(out);
    // This monitor's rows: the series of this evaluation (a series gone from
    // the query's answer leaves the table).
    std::sort(rows.begin(), rows.end(), [](const DetectorRow &a, const DetectorRow &b) {
        return a.series.toString() < b.series.toString();
    });
    m_detectorRows.erase(std::remove_if(m_detectorRows.begin(), m_detectorRows.end(),
                                        [&](const DetectorRow &r) { return r.monitor == name; }),
                         m_detectorRows.end());
    qsizetype at = 0;
    while (at < m_detectorRows.size() && m_detectorRows[at].monitor < name)
        ++at;
    for (const DetectorRow &r : std::as_const(rows))
        m_detectorRows.insert(at++, r);
    Q_EMIT evaluated(name);
    if (!m_states[index].queue.isEmpty())
        QMetaObject::invokeMethod(this, [this, index, generation = m_generation] {
            if (generation == m_generation)
                runNext(index);
        }, Qt::QueuedConnection);
}

void DriftMonitor::finish(int index, qint64 evalMs)
{
    State &st = m_states[index];
    st.running = false;
    const QString name = st.def.name;
    for (const auto *r : {&*st.reference, &*st.current}) {
        if (reportFailure(index, *r))
            return;
    }
    const auto refGroups = groupBuckets(*st.reference);
    const auto curGroups = groupBuckets(*st.current);
    QList<SeriesData> out;
    m_rows.erase(std::remove_if(m_rows.begin(), m_rows.end(), [&](const DriftRow &r) { return r.monitor == name; }),
                 m_rows.end());
    QHash<SeriesKey, const PinnedBaseline *> pinned;
    for (const PinnedBaseline &b : std::as_const(m_baselines))
        if (b.monitor == name)
            pinned.insert(b.feature(), &b);
    QList<SeriesKey> features = curGroups.keys();
    for (const SeriesKey &k : refGroups.keys())
        if (!curGroups.contains(k))
            features << k;
    std::sort(features.begin(), features.end(), [](const SeriesKey &a, const SeriesKey &b) { return a.toString() < b.toString(); });
    for (const SeriesKey &feature : features) {
        DriftRow row;
        row.monitor = name;
        row.labels = feature.labels();
        row.atMs = evalMs;
        row.windowMs = st.def.windowMs;
        const PinnedBaseline *baseline = pinned.value(feature, nullptr);
        if (baseline)
            row.pinnedAtMs = baseline->pinnedAtMs;
        if ((!baseline && !refGroups.contains(feature)) || !curGroups.contains(feature)) {
            // The server has no buckets for this feature in one window (before
            // it existed, or after it stopped): not enough data, not an error.
            row.comparison.status = Status::InsufficientData;
            row.comparison.reason = !curGroups.contains(feature) ? QStringLiteral("no samples in the current window")
                                                                 : QStringLiteral("no samples in the reference window");
            m_rows.append(row);
            continue;
        }
        HistogramResult ref;
        if (baseline)
            ref.histogram = baseline->histogram; // validated when it was pinned and when it was read
        else
            ref = histogramFromCumulative(refGroups.value(feature));
        const HistogramResult cur = histogramFromCumulative(curGroups.value(feature));
        row.comparison = compareWindows(ref, cur);
        if (ref.ok())
            row.reference = ref.histogram;
        if (cur.ok())
            row.current = cur.histogram;
        m_rows.append(row);
        if (row.comparison.status != Status::Ok)
            continue;
        Labels labels = feature.labels();
        labels.append({QStringLiteral("monitor"), name});
        const DriftScores &s = row.comparison.scores;
        const std::pair<const char *, double> scores[] = {
            {"vigil_drift_psi", s.psi},
            {"vigil_drift_ks", s.ks},
            {"vigil_drift_ks_pvalue", s.ksPValue},
            {"vigil_drift_js", s.js},
            {"vigil_drift_hellinger", s.hellinger},
            {"vigil_drift_wasserstein_normed", s.wassersteinNormed},
            {"vigil_drift_verdict", double(int(row.comparison.verdicts.psi))},
        };
        for (const auto &[metric, value] : scores)
            out.append({SeriesKey(QString::fromLatin1(metric), labels), {{evalMs, value}}});
    }
    if (m_store && !out.isEmpty())
        m_store->append(out);
    Q_EMIT evaluated(name);
    // Synchronous answers (the demo fleet) would recurse; the loop in runNext does not.
    if (!m_states[index].queue.isEmpty())
        QMetaObject::invokeMethod(this, [this, index, generation = m_generation] {
            if (generation == m_generation)
                runNext(index);
        }, Qt::QueuedConnection);
}

} // namespace vigil::drift
