// SPDX-License-Identifier: GPL-3.0-or-later
// Live drift: the DriftMonitor on the in-process demo fleet (the scenario's
// body_length drifts from minute 4 to 9; link_count and sender_reputation stay),
// the scores written as series, and the `vigil` connection reading them back.
#include <catch2/catch.hpp>

#include "alerting/alert_engine.h"
#include "demo_connector.h"
#include "drift/baselines.h"
#include "drift/detect_replay.h"
#include "drift/drift_monitor.h"
#include "sources/store_connector.h"
#include "util/clock.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>
#include <tuple>

using namespace vigil;

namespace {
constexpr qint64 kStart = 1'700'000'000'000;
constexpr qint64 kMin = 60'000;

const char *kWorkspace = R"(connections:
  prom: { kind: demo }
drift:
  - name: spam inputs
    histogram: model_feature_value_bucket
    selector: model="spam-filter"
    by: [model, feature]
    window: 2m
    reference: { offset: 10m }
    interval: 30s
rules:
  - name: FeatureDrift
    connection: vigil
    query: vigil_drift_psi{monitor="spam inputs"}
    above: 0.2
    severity: warning
)";

double latest(const SeriesStore &store, const QString &name, const QString &feature)
{
    for (const SeriesKey &k : store.keysNamed(name))
        if (k.label(QStringLiteral("feature")) == feature)
            return store.lastSample(k)->v;
    return std::numeric_limits<double>::quiet_NaN();
}

// A fake server's answer, already there (as a connector's future would be once it answered).
QFuture<QueryResult> answered(const QueryResult &r)
{
    QPromise<QueryResult> p;
    p.start();
    p.addResult(r);
    p.finish();
    return p.future();
}
} // namespace

TEST_CASE("Drift monitor: the workspace section with its defaults and mistakes", "[drift][workspace]")
{
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("drift.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.drift.size() == 1);
    const DriftDef &d = ws.drift[0];
    CHECK(d.histogram == "model_feature_value");
    CHECK(d.by == QStringList{"model", "feature"});
    CHECK(d.windowMs == 2 * kMin);
    CHECK(d.referenceOffsetMs == 10 * kMin);
    CHECK(d.intervalMs == 30'000);
    CHECK(drift::DriftMonitor::windowQuery(d, d.windowMs)
          == "sum by (le, model, feature) (increase(model_feature_value_bucket{model=\"spam-filter\"}[2m]))");

    const Workspace defaults = parseWorkspace("drift:\n  - { name: x, histogram: h }\n", QStringLiteral("d.yaml"));
    REQUIRE(defaults.drift.size() == 1);
    CHECK(defaults.drift[0].windowMs == 3'600'000);
    CHECK(defaults.drift[0].referenceOffsetMs == 7 * 86'400'000LL);
    CHECK(defaults.drift[0].by == QStringList{"feature"});

    const Workspace bad = parseWorkspace("drift:\n  - name: x\n    histogram: h\n    windw: 1h\n    reference: { from: yesterday, to: today }\n",
                                         QStringLiteral("d.yaml"));
    CHECK(bad.drift.isEmpty());
    const QString all = bad.errorMessages().join("\n");
    CHECK(all.contains("d.yaml:4: unknown key 'windw' in drift monitor 'x'; did you mean 'window'?"));
    CHECK(all.contains("d.yaml:5: 'reference' in drift monitor 'x' needs 'from' and 'to' as RFC 3339 times"));
}

TEST_CASE("Drift monitor: the drifting feature is detected on the demo fleet and the stable ones are not", "[drift][demo]")
{
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("drift.yaml"));
    REQUIRE_FALSE(ws.hasErrors());
    ManualClock clock(kStart);
    ConnectionSettings settings;
    settings.name = QStringLiteral("prom");
    settings.kind = QStringLiteral("demo");
    demo::SamplerConfig sampler;
    sampler.backfillMs = 0;
    demo::DemoConnector fleet(settings, sampler, clock);
    SeriesStore store;
    ConnectionSettings own;
    own.name = QStringLiteral("vigil");
    StoreConnector vigilConnection(&store, own);
    auto query = [&](const QString &connection, const QueryRequest &req) {
        return connection == "vigil" ? vigilConnection.query(req) : fleet.query(req);
    };
    drift::DriftMonitor monitor(clock, query, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    alerting::AlertEngine engine(clock, query);
    engine.setRules(ws.rules, QStringLiteral("prom"));

    // Before the drift (minute 3; reference 10 minutes earlier holds no data):
    // insufficient data, not a score and not an alert.
    clock.setMs(kStart + 3 * kMin);
    REQUIRE(monitor.tick() == 1);
    INFO(QStringList(monitor.errors().values()).join("; ").toStdString());
    CHECK(monitor.errors().isEmpty());
    REQUIRE(monitor.rows().size() == 3);
    for (const drift::DriftRow &row : monitor.rows())
        CHECK(row.comparison.status == drift::Status::InsufficientData);
    CHECK(store.keysNamed("vigil_drift_psi").isEmpty());

    // Minute 12: current = minutes 10-12 (drifted), reference = minutes 0-2.
    for (qint64 t = 3 * kMin; t <= 12 * kMin; t += 30'000) {
        clock.setMs(kStart + t);
        monitor.tick();
        engine.tick();
    }
    REQUIRE(monitor.rows().size() == 3);
    for (const drift::DriftRow &row : monitor.rows()) {
        INFO(SeriesKey(QString(), row.labels).toString().toStdString() << " " << row.comparison.reason.toStdString());
        CHECK(row.comparison.status == drift::Status::Ok);
        CHECK(row.reference.counts.size() == row.current.counts.size());
    }
    const double bodyPsi = latest(store, "vigil_drift_psi", "body_length");
    const double linkPsi = latest(store, "vigil_drift_psi", "link_count");
    const double repPsi = latest(store, "vigil_drift_psi", "sender_reputation");
    INFO("PSI body_length " << bodyPsi << ", link_count " << linkPsi << ", sender_reputation " << repPsi);
    CHECK(bodyPsi > 0.2);  // drift by the PSI rule of thumb
    CHECK(linkPsi < 0.1);  // stable
    CHECK(repPsi < 0.1);
    CHECK(latest(store, "vigil_drift_verdict", "body_length") == 2.0);
    CHECK(latest(store, "vigil_drift_verdict", "link_count") == 0.0);
    CHECK(latest(store, "vigil_drift_js", "body_length") > latest(store, "vigil_drift_js", "link_count"));

    // A rule on the drift series, through the `vigil` connection, fires for body_length only.
    QStringList firing;
    for (const alerting::AlertRow &row : engine.alerts())
        if (row.instance.state == rules::AlertState::Firing)
            firing << row.label("feature");
    CHECK(firing == QStringList{"body_length"});
}

TEST_CASE("Drift monitor: a failing server is reported once per message and no score is written", "[drift]")
{
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("drift.yaml"));
    ManualClock clock(kStart);
    SeriesStore store;
    int calls = 0;
    drift::DriftMonitor monitor(clock, [&](const QString &, const QueryRequest &) {
        ++calls;
        return answered(QueryResult::failure(ErrorKind::Network, QStringLiteral("prom: connection refused")));
    }, &store);
    QStringList failures;
    QObject::connect(&monitor, &drift::DriftMonitor::failed, [&](const QString &, const QString &m) { failures << m; });
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    monitor.tick();
    clock.advanceMs(30'000);
    monitor.tick();
    CHECK(calls == 4);
    CHECK(failures == QStringList{"drift monitor 'spam inputs': prom: connection refused"});
    CHECK(store.seriesCount() == 0);
}

TEST_CASE("The vigil connection answers selectors from the store", "[drift][store]")
{
    SeriesStore store;
    store.append(SeriesKey("vigil_drift_psi", {{"feature", "a"}, {"model", "m"}}), {{1000, 0.1}, {2000, 0.3}});
    store.append(SeriesKey("vigil_drift_psi", {{"feature", "b"}, {"model", "m"}}), {{1000, 0.05}});
    store.append(SeriesKey("other", {{"feature", "a"}}), {{1000, 9}});
    ConnectionSettings own;
    own.name = QStringLiteral("vigil");
    StoreConnector c(&store, own);
    QueryRequest q;
    q.kind = QueryKind::Instant;
    q.timeMs = 2500;
    q.expr = QStringLiteral(R"(vigil_drift_psi{feature=~"a|b", model="m"})");
    QueryResult r = c.query(q).result();
    REQUIRE(r.ok());
    REQUIRE(r.series.size() == 2);
    CHECK(r.series[0].samples.last().v == 0.3);
    q.expr = QStringLiteral(R"({feature="a"})");
    CHECK(c.query(q).result().series.size() == 2);
    // Instant queries look back 5 minutes, as Prometheus does.
    q.expr = QStringLiteral("vigil_drift_psi");
    q.timeMs = 2000 + StoreConnector::kLookbackMs + 1;
    CHECK(c.query(q).result().series.size() == 0);
    q.kind = QueryKind::Range;
    q.startMs = 0;
    q.endMs = 1500;
    r = c.query(q).result();
    REQUIRE(r.series.size() == 2);
    CHECK(r.series[0].samples.size() == 1);
    for (const char *bad : {"rate(x[5m])", "x{a=\"1\"", "", "x{a=\"1\"} + 1", "x{1a=\"b\"}"}) {
        q.expr = QString::fromLatin1(bad);
        const QueryResult e = c.query(q).result();
        INFO(bad << " -> " << e.message.toStdString());
        CHECK_FALSE(e.ok());
        CHECK(e.message.startsWith("vigil: at char "));
    }
}

TEST_CASE("Drift monitor: backfill scores the past once, oldest first, then runs live", "[drift]")
{
    const Workspace ws = parseWorkspace(R"(connections:
  prom: { kind: demo }
drift:
  - { name: m, histogram: model_feature_value, by: [feature], window: 1m, reference: { offset: 2m }, interval: 30s, backfill: 3m }
)", QStringLiteral("d.yaml"));
    REQUIRE(ws.drift.size() == 1);
    CHECK(ws.drift[0].backfillMs == 3 * kMin);
    ManualClock clock(kStart);
    SeriesStore store;
    QList<qint64> times;
    drift::DriftMonitor monitor(clock, [&](const QString &, const QueryRequest &req) {
        times << req.timeMs;
        QueryResult r;
        r.type = ResultType::Vector;
        for (const char *le : {"1", "+Inf"})
            r.series.append({SeriesKey(QString(), {{"feature", "f"}, {"le", le}}), {{req.timeMs, qstrcmp(le, "1") == 0 ? 5.0 : 10.0}}});
        return answered(r);
    }, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    CHECK(monitor.tick() == 7); // six past points (3 min / 30 s) and now
    QList<qint64> evalTimes;
    for (int i = 1; i < times.size(); i += 2)
        evalTimes << times[i]; // the current-window queries
    CHECK(evalTimes == QList<qint64>{kStart - 180'000, kStart - 150'000, kStart - 120'000, kStart - 90'000,
                                    kStart - 60'000, kStart - 30'000, kStart});
    const QList<SeriesKey> keys = store.keysNamed(QStringLiteral("vigil_drift_psi"));
    REQUIRE(keys.size() == 1);
    CHECK(store.range(keys[0], 0, kStart).size() == 7);
    times.clear();
    clock.advanceMs(30'000);
    CHECK(monitor.tick() == 1); // live from here on, no second backfill
    CHECK(times.size() == 2);
}

namespace {
// The error rate the detector tests serve: 1% until minute 20, then 30%, with
// a little deterministic wobble so the detector sees a noisy series.
double errorRate(qint64 atMs)
{
    const qint64 step = (atMs - kStart) / 30'000;
    const double wobble = 0.002 * double(step % 5);
    return (atMs - kStart < 20 * kMin ? 0.01 : 0.30) + wobble;
}
} // namespace

TEST_CASE("Detector monitor: a change flagged on a live series becomes vigil_drift_change and fires a rule", "[drift][detector]")
{
    const Workspace ws = parseWorkspace(R"(connections:
  prom: { kind: demo }
drift:
  - name: spam errors
    detector: page-hinkley
    query: job:errors:rate1m{model="spam-filter"}
    params: { threshold: 1, min_instances: 10 }
    interval: 30s
rules:
  - name: ErrorRateChanged
    connection: vigil
    query: vigil_drift_change{monitor="spam errors"}
    above: 0
    severity: warning
)", QStringLiteral("detector.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.drift.size() == 1);
    CHECK(ws.drift[0].detector == "page-hinkley");
    CHECK(ws.drift[0].detectorParams.value("threshold") == "1");

    ManualClock clock(kStart);
    SeriesStore store;
    ConnectionSettings own;
    own.name = QStringLiteral("vigil");
    StoreConnector vigilConnection(&store, own);
    QStringList exprs;
    auto query = [&](const QString &connection, const QueryRequest &req) {
        if (connection == "vigil")
            return vigilConnection.query(req);
        exprs << req.expr;
        QueryResult r;
        r.type = ResultType::Vector;
        r.series.append({SeriesKey(QStringLiteral("job:errors:rate1m"), {{"model", "spam-filter"}}),
                         {{req.timeMs, errorRate(req.timeMs)}}});
        return answered(r);
    };
    drift::DriftMonitor monitor(clock, query, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    alerting::AlertEngine engine(clock, query);
    engine.setRules(ws.rules, QStringLiteral("prom"));

    // The oracle: the same values replayed through a fresh detector with the
    // same parameters (vigil detect's code path).
    QString error;
    auto oracle = drift::makeDetector("page-hinkley", {{"threshold", "1"}, {"min_instances", "10"}}, &error);
    REQUIRE(oracle);
    std::vector<double> values;
    QList<qint64> expectedFlags;
    bool fired = false;
    qint64 firedAt = 0;
    for (qint64 t = 0; t <= 40 * kMin; t += 30'000) {
        clock.setMs(kStart + t);
        REQUIRE(monitor.tick() == 1);
        oracle->update(errorRate(kStart + t));
        if (oracle->driftDetected())
            expectedFlags << kStart + t;
        engine.tick();
        for (const alerting::AlertRow &row : engine.alerts())
            if (row.instance.state == rules::AlertState::Firing && !fired) {
                fired = true;
                firedAt = clock.nowMs();
                CHECK(row.label("detector") == "page-hinkley");
                CHECK(row.label("model") == "spam-filter");
            }
    }
    CHECK(monitor.errors().isEmpty());
    CHECK(exprs.first() == "job:errors:rate1m{model=\"spam-filter\"}");
    const QList<SeriesKey> keys = store.keysNamed(QStringLiteral("vigil_drift_change"));
    REQUIRE(keys.size() == 1);
    CHECK(store.keysNamed(QStringLiteral("vigil_drift_warning")).isEmpty()); // Page-Hinkley has no warning zone
    CHECK(keys[0].label("monitor") == "spam errors");
    CHECK(keys[0].label("detector") == "page-hinkley");
    CHECK(keys[0].label("model") == "spam-filter");
    const auto samples = store.range(keys[0], 0, kStart + 40 * kMin);
    CHECK(samples.size() == 81); // one per evaluation, flagged or not
    // 1 from each flag for the hold (5 minutes by default), 0 elsewhere.
    REQUIRE_FALSE(expectedFlags.isEmpty());
    for (const auto &s : samples) {
        bool held = false;
        for (qint64 f : expectedFlags)
            held |= s.t >= f && s.t < f + 5 * kMin;
        INFO("at minute " << double(s.t - kStart) / kMin);
        CHECK(s.v == (held ? 1.0 : 0.0));
    }
    // The drift view's row: 81 values, the last flag, and whether it still holds.
    REQUIRE(monitor.detectorRows().size() == 1);
    const drift::DetectorRow &row = monitor.detectorRows().first();
    CHECK(row.monitor == "spam errors");
    CHECK(row.detector == "page-hinkley");
    CHECK(row.series == SeriesKey(QStringLiteral("job:errors:rate1m"), {{"model", "spam-filter"}}));
    CHECK(row.values == 81);
    CHECK(row.value == errorRate(kStart + 40 * kMin));
    CHECK(row.lastChangeMs == expectedFlags.last());
    CHECK(row.changed == (kStart + 40 * kMin < expectedFlags.last() + 5 * kMin));
    CHECK_FALSE(row.warning);
    // Flagged on the change (minute 20 and shortly after), never before it.
    CHECK(expectedFlags.first() >= kStart + 20 * kMin);
    CHECK(expectedFlags.first() <= kStart + 22 * kMin);
    // The rule on the series fires at its first evaluation after the flag
    // (rules run every minute, the monitor every 30 s: the hold bridges that),
    // and resolves once the hold is over.
    CHECK(fired);
    CHECK(firedAt >= expectedFlags.first());
    CHECK(firedAt < expectedFlags.first() + kMin);
    if (expectedFlags.last() < kStart + 34 * kMin) {
        for (const alerting::AlertRow &row : engine.alerts())
            CHECK(row.instance.state != rules::AlertState::Firing);
    }
}

TEST_CASE("Detector monitor: workspace mistakes name the monitor and line", "[drift][detector][workspace]")
{
    const Workspace bad = parseWorkspace(R"(drift:
  - { name: a, detector: cusum, query: x }
  - { name: b, detector: adwin, query: x, params: { delta: 2 } }
  - { name: c, detector: ddm, query: x, histogram: h }
  - { name: d, detector: ddm }
)", QStringLiteral("d.yaml"));
    CHECK(bad.drift.isEmpty());
    const QString all = bad.errorMessages().join("\n");
    INFO(all.toStdString());
    CHECK(all.contains("d.yaml:2:"));
    CHECK(all.contains("cusum"));
    CHECK(all.contains("d.yaml:3: delta=2: expected a number in (0, 1) in drift monitor 'b'"));
    CHECK(all.contains("d.yaml:4:"));
    CHECK(all.contains("has both 'detector' and 'histogram'"));
    CHECK(all.contains("d.yaml:5:"));
    CHECK(all.contains("query"));
}

TEST_CASE("Pinned baselines: stored next to the workspace and read back, bad entries named", "[drift][baseline]")
{
    CHECK(drift::baselinesPathFor("/srv/ws/spam.yaml") == "/srv/ws/spam.drift-baselines.json");
    CHECK(drift::baselinesPathFor(":/workspaces/demo.yaml").endsWith("/drift-baselines/demo.json"));
    CHECK_FALSE(drift::baselinesPathFor(":/workspaces/demo.yaml").startsWith(":"));

    drift::PinnedBaseline b;
    b.monitor = QStringLiteral("spam inputs");
    b.labels = {{"feature", "body_length"}, {"model", "spam-filter"}};
    b.pinnedAtMs = kStart;
    b.windowMs = 3'600'000;
    b.histogram.bounds = {-1.5, 0.0, 0.1 + 0.2};
    b.histogram.counts = {0.0, 12.25, 1e15 + 1, 3.0};
    b.histogram.total = 12.25 + 1e15 + 1 + 3.0;
    QList<drift::PinnedBaseline> list{b};
    drift::PinnedBaseline other = b;
    other.labels = {{"feature", "link_count"}, {"model", "spam-filter"}};
    drift::upsertBaseline(list, other);
    b.pinnedAtMs = kStart + 1;
    drift::upsertBaseline(list, b); // the same feature again: replaced, not added
    REQUIRE(list.size() == 2);
    CHECK(list[0].pinnedAtMs == kStart + 1);

    QTemporaryDir dir;
    const QString path = dir.filePath("deep/er/spam.drift-baselines.json");
    QString error;
    REQUIRE(drift::saveBaselines(path, list, &error));
    const QList<drift::PinnedBaseline> back = drift::loadBaselines(path, &error);
    CHECK(error.isEmpty());
    REQUIRE(back.size() == 2);
    CHECK(back[0].monitor == "spam inputs");
    CHECK(back[0].feature() == b.feature());
    CHECK(back[0].pinnedAtMs == kStart + 1);
    CHECK(back[0].windowMs == 3'600'000);
    CHECK(back[0].histogram.bounds == b.histogram.bounds); // exact doubles
    CHECK(back[0].histogram.counts == b.histogram.counts);
    CHECK(back[0].histogram.total == b.histogram.total);

    CHECK(drift::loadBaselines(dir.filePath("missing.json"), &error).isEmpty());
    error.clear();
    CHECK(drift::baselinesFromJson("not json", "x.json", &error).isEmpty());
    CHECK(error.startsWith("x.json: not a drift baselines file"));
    error.clear();
    const QByteArray mixed = R"({"version": 1, "baselines": [
        {"monitor": "m", "labels": {"feature": "a"}, "bounds": [1, 2], "counts": [1, 2, 3]},
        {"monitor": "m", "labels": {"feature": "b"}, "bounds": [2, 1], "counts": [1, 2, 3]},
        {"monitor": "m", "labels": {"feature": "c"}, "bounds": [1], "counts": [1, -2]},
        {"monitor": "m", "labels": {"feature": "d"}, "bounds": [1, 2], "counts": [1, 2]}]})";
    const QList<drift::PinnedBaseline> some = drift::baselinesFromJson(mixed, "x.json", &error);
    REQUIRE(some.size() == 1);
    CHECK(some[0].histogram.total == 6.0);
    CHECK(error == "x.json: skipped baselines[1, 2, 3]: not a valid histogram (monitor, ascending finite bounds, "
                   "one more count than bounds, counts >= 0)");
}

TEST_CASE("Drift monitor: a feature with a pinned baseline is compared against it, the others against their window",
          "[drift][baseline]")
{
    const Workspace ws = parseWorkspace(R"(drift:
  - { name: m, histogram: h, by: [feature], window: 1m, reference: { offset: 1h }, interval: 30s }
)", QStringLiteral("d.yaml"));
    REQUIRE(ws.drift.size() == 1);
    ManualClock clock(kStart);
    SeriesStore store;
    // The reference window has all mass low, the current one all mass high:
    // both features drift against their reference window.
    drift::DriftMonitor monitor(clock, [&](const QString &, const QueryRequest &req) {
        const bool reference = req.id.endsWith("/reference");
        QueryResult r;
        r.type = ResultType::Vector;
        for (const char *feature : {"a", "b"})
            for (const auto &[le, ref, cur] : {std::tuple{"1", 90.0, 10.0}, {"2", 100.0, 20.0}, {"+Inf", 100.0, 100.0}})
                r.series.append({SeriesKey(QString(), {{"feature", feature}, {"le", le}}), {{req.timeMs, reference ? ref : cur}}});
        return answered(r);
    }, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    monitor.tick();
    REQUIRE(monitor.rows().size() == 2);
    for (const drift::DriftRow &row : monitor.rows()) {
        CHECK(row.comparison.verdicts.psi == drift::Verdict::Drift);
        CHECK(row.pinnedAtMs == 0);
        CHECK(row.windowMs == kMin);
    }

    // Pin a's current window (10 / 10 / 80): a no longer drifts, b still does.
    drift::PinnedBaseline pinned;
    pinned.monitor = QStringLiteral("m");
    pinned.labels = {{"feature", "a"}};
    pinned.pinnedAtMs = kStart;
    pinned.histogram = monitor.rows()[0].current;
    REQUIRE(pinned.histogram.counts == std::vector<double>{10, 10, 80});
    monitor.setBaselines({pinned});
    clock.advanceMs(1'000); // not yet due by the interval: pinning makes it due
    CHECK(monitor.tick() == 1);
    REQUIRE(monitor.rows().size() == 2);
    const drift::DriftRow &a = monitor.rows()[0];
    const drift::DriftRow &b = monitor.rows()[1];
    REQUIRE(a.labels == Labels{{"feature", "a"}});
    CHECK(a.pinnedAtMs == kStart);
    CHECK(a.comparison.status == drift::Status::Ok);
    CHECK(a.comparison.scores.psi == 0.0);
    CHECK(a.reference.counts == std::vector<double>{10, 10, 80});
    CHECK(b.pinnedAtMs == 0);
    CHECK(b.comparison.verdicts.psi == drift::Verdict::Drift);
    // The scores written are against the baseline too.
    for (const SeriesKey &k : store.keysNamed("vigil_drift_psi"))
        if (k.label("feature") == "a")
            CHECK(store.lastSample(k)->v == 0.0);

    // A baseline with other buckets than the server now has: an error, no re-binning.
    pinned.histogram.bounds = {1, 5};
    monitor.setBaselines({pinned});
    clock.advanceMs(1'000);
    monitor.tick();
    CHECK(monitor.rows()[0].comparison.status == drift::Status::Error);
    CHECK(monitor.rows()[0].comparison.error == drift::ErrorKind::BucketLayoutMismatch);
    // Baselines survive a workspace reload (setMonitors).
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    CHECK(monitor.baselines().size() == 1);
}

TEST_CASE("Detector monitor: pinning baselines does not make it evaluate out of its interval", "[drift][detector][baseline]")
{
    const Workspace ws = parseWorkspace(R"(drift:
  - { name: errs, detector: adwin, query: errors, interval: 30s }
)", QStringLiteral("d.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE(ws.drift.size() == 1);
    ManualClock clock(kStart);
    SeriesStore store;
    int calls = 0;
    drift::DriftMonitor monitor(clock, [&](const QString &, const QueryRequest &req) {
        ++calls;
        QueryResult r;
        r.type = ResultType::Vector;
        r.series.append({SeriesKey(QStringLiteral("errors")), {{req.timeMs, 0.0}}});
        return answered(r);
    }, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));
    CHECK(monitor.tick() == 1);
    clock.advanceMs(1'000);
    monitor.setBaselines({});
    CHECK(monitor.tick() == 0);
    CHECK(calls == 1);
    clock.advanceMs(29'000);
    CHECK(monitor.tick() == 1);
    const QList<SeriesKey> keys = store.keysNamed(QStringLiteral("vigil_drift_change"));
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].label("detector") == "adwin");
    CHECK(store.range(keys[0], 0, kStart + kMin).size() == 2);
}

TEST_CASE("Detector monitor: DDM's warning zone becomes vigil_drift_warning, evaluation by evaluation", "[drift][detector]")
{
    // One prediction outcome per evaluation (1 an error, 0 correct): 1 in 20
    // wrong for 30 minutes, then 1 in 2. DDM warns as the rate climbs, then flags it.
    const auto outcome = [](qint64 atMs) {
        const qint64 step = (atMs - kStart) / 30'000;
        return atMs - kStart < 30 * kMin ? (step % 20 == 7 ? 1.0 : 0.0) : (step % 2 == 0 ? 1.0 : 0.0);
    };
    const Workspace ws = parseWorkspace(R"(connections:
  prom: { kind: demo }
drift:
  - name: fraud outcomes
    detector: ddm
    query: model_prediction_error{model="fraud-detector"}
    interval: 30s
)", QStringLiteral("ddm.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    ManualClock clock(kStart);
    SeriesStore store;
    drift::DriftMonitor monitor(clock, [&](const QString &, const QueryRequest &req) {
        QueryResult r;
        r.type = ResultType::Vector;
        r.series.append({SeriesKey(QStringLiteral("model_prediction_error"), {{"model", "fraud-detector"}}),
                         {{req.timeMs, outcome(req.timeMs)}}});
        return answered(r);
    }, &store);
    monitor.setMonitors(ws.drift, QStringLiteral("prom"));

    // The oracle: a fresh DDM fed the same values (vigil detect's code path).
    QString error;
    auto oracle = drift::makeDetector("ddm", {}, &error);
    REQUIRE(oracle);
    QList<double> expected;
    for (qint64 t = 0; t <= 45 * kMin; t += 30'000) {
        clock.setMs(kStart + t);
        REQUIRE(monitor.tick() == 1);
        oracle->update(outcome(kStart + t));
        expected << (oracle->warningDetected() ? 1.0 : 0.0);
    }
    CHECK(monitor.errors().isEmpty());
    const QList<SeriesKey> keys = store.keysNamed(QStringLiteral("vigil_drift_warning"));
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].label("monitor") == "fraud outcomes");
    CHECK(keys[0].label("detector") == "ddm");
    CHECK(keys[0].label("model") == "fraud-detector");
    const auto samples = store.range(keys[0], 0, kStart + 45 * kMin);
    REQUIRE(samples.size() == expected.size());
    for (qsizetype i = 0; i < samples.size(); ++i) {
        INFO("evaluation " << i);
        CHECK(samples[i].v == expected[i]);
    }
    // Not vacuous: the zone was entered (after the change, not before it).
    const qsizetype firstWarning = expected.indexOf(1.0);
    REQUIRE(firstWarning >= 0);
    CHECK(samples[firstWarning].t >= kStart + 30 * kMin);
    // The drift view's row: the last evaluation as the detector saw it.
    REQUIRE(monitor.detectorRows().size() == 1);
    const drift::DetectorRow &row = monitor.detectorRows().first();
    CHECK(row.monitor == "fraud outcomes");
    CHECK(row.detector == "ddm");
    CHECK(row.series.label("model") == "fraud-detector");
    CHECK(row.values == expected.size());
    CHECK(row.atMs == kStart + 45 * kMin);
    CHECK(row.value == outcome(kStart + 45 * kMin));
    CHECK(row.warning == (expected.last() == 1.0));
}
