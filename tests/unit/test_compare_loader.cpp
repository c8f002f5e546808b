// SPDX-License-Identifier: GPL-3.0-or-later
// CompareLoader (issue 5, items 2 and 3) against a fake registry and a fake
// metrics connector: refs resolved, runs and live values gathered, the
// verdict computed, and each failure kept in its own cell.
#include <catch2/catch.hpp>

#include "compare/compare_loader.h"
#include "compare/model_mapping.h"
#include "support/test_stack.h"

#include <QSignalSpy>
#include <QCoreApplication>
#include <QFuture>

using namespace vigil;
using namespace vigil::compare;

namespace {

template<typename T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

class FakeRegistry : public Connector, public ModelRegistry
{
    Q_OBJECT
    Q_INTERFACES(vigil::ModelRegistry)
public:
    QList<ModelVersion> versions;
    QList<Run> runs;

    QString kind() const override { return QStringLiteral("mlflow"); }
    Capabilities capabilities() const override { return Capability::ModelRegistry; }
    const ConnectionSettings &settings() const override { return m_settings; }
    QFuture<QueryResult> query(const QueryRequest &) override { return ready(QueryResult()); }
    QFuture<ProbeResult> probe() override { return ready(ProbeResult()); }

    QFuture<Result<QList<Experiment>>> searchExperiments(const SearchOptions &, ProgressCallback) override { return ready(Result<QList<Experiment>>()); }
    QFuture<Result<QList<RegisteredModel>>> searchRegisteredModels(const SearchOptions &, ProgressCallback) override { return ready(Result<QList<RegisteredModel>>()); }
    QFuture<Result<RegisteredModel>> registeredModel(const QString &) override { return ready(Result<RegisteredModel>()); }
    QFuture<Result<QList<ModelVersion>>> searchModelVersions(const SearchOptions &, ProgressCallback) override { return ready(Result<QList<ModelVersion>>()); }
    QFuture<Result<QList<ModelVersion>>> modelVersions(const QString &, ProgressCallback) override { return ready(Result<QList<ModelVersion>>()); }
    QFuture<Result<ModelVersion>> modelVersion(const QString &model, const QString &version) override
    {
        for (const ModelVersion &v : versions) {
            if (v.name == model && v.version == version)
                return ready(Result<ModelVersion>{.value = v});
        }
        auto r = Result<ModelVersion>::failure(ErrorKind::Server, QStringLiteral("MLflow: Model Version (name=%1, version=%2) not found").arg(model, version), 404);
        r.notFound = true;
        return ready(r);
    }
    QFuture<Result<ModelVersion>> modelVersionByAlias(const QString &model, const QString &alias) override
    {
        for (const ModelVersion &v : versions) {
            if (v.name == model && v.aliases.contains(alias))
                return ready(Result<ModelVersion>{.value = v});
        }
        auto r = Result<ModelVersion>::failure(ErrorKind::Server, QStringLiteral("no alias \"%1\" on model \"%2\"").arg(alias, model), 400);
        r.notFound = true;
        return ready(r);
    }
    QFuture<Result<Run>> run(const QString &runId) override
    {
        for (const Run &r : runs) {
            if (r.id == runId)
                return ready(Result<Run>{.value = r});
        }
        auto r = Result<Run>::failure(ErrorKind::Server, QStringLiteral("MLflow: Run with id=%1 not found").arg(runId), 404);
        r.notFound = true;
        return ready(r);
    }
    QFuture<Result<QList<Run>>> searchRuns(const QStringList &, const SearchOptions &, ProgressCallback) override { return ready(Result<QList<Run>>()); }
    QFuture<Result<QList<MetricPoint>>> metricHistory(const QString &, const QString &) override { return ready(Result<QList<MetricPoint>>()); }

private:
    ConnectionSettings m_settings;
};

// Answers a range query with 20 one-minute samples: latency 0.1 s for
// version="v12", 0.3 s for version="v13", nothing for other versions; the
// error ratio 0.003 for both. Remembers the expressions it was asked.
class FakeMetrics : public Connector
{
    Q_OBJECT
public:
    QStringList asked;
    bool down = false;

    QString kind() const override { return QStringLiteral("prometheus"); }
    Capabilities capabilities() const override { return Capability::TimeSeries; }
    const ConnectionSettings &settings() const override { return m_settings; }
    QFuture<ProbeResult> probe() override { return ready(ProbeResult()); }
    QFuture<QueryResult> query(const QueryRequest &request) override
    {
        asked << request.expr;
        if (down)
            return ready(QueryResult::failure(ErrorKind::Network, QStringLiteral("connection refused by http://prom:9090")));
        QueryResult r;
        r.type = ResultType::Matrix;
        double level = 0.0;
        if (request.expr.contains(QLatin1String("version=\"v12\"")))
            level = 0.1;
        else if (request.expr.contains(QLatin1String("version=\"v13\"")))
            level = 0.3;
        else
            return ready(r); // no such series
        if (request.expr.contains(QLatin1String("code=~")))
            level = 0.003;
        else if (request.expr.startsWith(QLatin1String("sum(rate(")))
            level = 100.0;
        SeriesData s;
        for (int i = 0; i < 20; ++i)
            s.samples.append({request.startMs + i * request.stepMs, level * (1.0 + 0.01 * ((i * 7) % 5))});
        r.series << s;
        return ready(r);
    }

private:
    ConnectionSettings m_settings;
};

ModelVersion version(const char *number, const char *alias, const char *runId)
{
    ModelVersion v;
    v.name = QStringLiteral("fraud-detector");
    v.version = QLatin1String(number);
    if (*alias)
        v.aliases << QLatin1String(alias);
    v.aliasesKnown = true;
    v.runId = QLatin1String(runId);
    return v;
}

struct Fixture
{
    FakeRegistry registry;
    FakeMetrics metrics;
    CompareRequest request;
    Fixture()
    {
        registry.versions = {version("12", "champion", "run12"), version("13", "challenger", "run13"),
                             version("14", "", "run14"), version("15", "", "gone")};
        Run r12;
        r12.id = QStringLiteral("run12");
        Run r13;
        r13.id = QStringLiteral("run13");
        Run r14;
        r14.id = QStringLiteral("run14");
        registry.runs = {r12, r13, r14};
        request.model.name = QStringLiteral("fraud-detector");
        request.model.versionValue = QStringLiteral("v{{version}}");
        request.startMs = 1'700'000'000'000;
        request.endMs = request.startMs + 20 * 60'000;
    }
    CompareSnapshot load(CompareLoader &loader, QStringList refs)
    {
        request.refs = std::move(refs);
        QSignalSpy spy(&loader, &CompareLoader::finished);
        loader.load(request);
        REQUIRE(test::waitUntil([&] { return spy.count() > 0; }, 5'000));
        return spy.takeFirst().first().value<CompareSnapshot>();
    }
};

} // namespace

TEST_CASE("CompareLoader resolves aliases, reads runs and live values, and judges the canary", "[compare][loader]")
{
    Fixture f;
    CompareLoader loader(&f.registry, &f.metrics);
    const CompareSnapshot s = f.load(loader, {QStringLiteral("champion"), QStringLiteral("challenger")});
    REQUIRE(s.error.isEmpty());
    REQUIRE(s.columns.size() == 2);
    CHECK(s.columns[0].version.value.version == "12");
    CHECK(s.columns[1].version.value.version == "13");
    CHECK(s.columns[1].run.ok());
    CHECK(s.stepMs == 60'000);
    // Five live queries per version, with the version's label value.
    CHECK(f.metrics.asked.size() == 10);
    CHECK(f.metrics.asked.contains(liveQuery(f.request.model, QStringLiteral("p99_latency"), QStringLiteral("13"))));
    const LiveValues p99 = s.columns[1].live.value(QStringLiteral("p99_latency"));
    CHECK(p99.values.size() == 20);
    CHECK(p99.timesMs.size() == 20);
    CHECK(p99.median == Approx(0.306));
    // Latency three times the baseline's: high on every quantile; errors equal: pass.
    REQUIRE(s.verdicts.size() == 1);
    const CanaryResult &v = s.verdicts.first();
    CHECK(v.verdict == Verdict::Fail);
    REQUIRE(v.metrics.size() == 4);
    CHECK(v.metrics[2].spec.name == "p99 latency");
    CHECK(v.metrics[2].classification == Classification::High);
    CHECK(v.metrics[3].spec.name == "error ratio");
    CHECK(v.metrics[3].classification == Classification::Pass);
    CHECK(v.score == Approx(25.0));
}

TEST_CASE("CompareLoader keeps each failure in its column: missing alias, deleted run, no series", "[compare][loader]")
{
    Fixture f;
    CompareLoader loader(&f.registry, &f.metrics);
    const CompareSnapshot s = f.load(loader, {QStringLiteral("12"), QStringLiteral("canary"), QStringLiteral("15"),
                                              QStringLiteral("14")});
    REQUIRE(s.columns.size() == 4);
    CHECK(s.columns[0].version.ok());
    CHECK(s.columns[0].live.value(QStringLiteral("p50_latency")).values.size() == 20);
    // An alias that points nowhere.
    CHECK(s.columns[1].version.notFound);
    CHECK(s.columns[1].version.message == "no alias \"canary\" on model \"fraud-detector\"");
    // A version whose run was deleted: the version's facts stay, the run says why.
    CHECK(s.columns[2].version.ok());
    CHECK_FALSE(s.columns[2].run.ok());
    CHECK(s.columns[2].run.message == "run gone no longer exists in MLflow (deleted?)");
    // A version the series do not carry.
    const LiveValues none = s.columns[3].live.value(QStringLiteral("p99_latency"));
    CHECK(none.values.isEmpty());
    CHECK(none.error == "no data: no series with version=\"v14\" in the window");
    // Each canary judged on its own; missing data is never a pass.
    REQUIRE(s.verdicts.size() == 3);
    CHECK(s.verdicts[0].verdict == Verdict::NotEnoughData);
    CHECK(s.verdicts[2].verdict == Verdict::NotEnoughData);
}

TEST_CASE("CompareLoader without a registry or with the metrics down says so", "[compare][loader]")
{
    Fixture f;
    CompareLoader noRegistry(nullptr, &f.metrics);
    const CompareSnapshot s = f.load(noRegistry, {QStringLiteral("champion"), QStringLiteral("challenger")});
    CHECK(s.error == "model 'fraud-detector' has no registry connection (set 'registry:' under models)");
    CHECK(s.verdicts.size() == 1);
    CHECK(s.verdicts.first().verdict == Verdict::NotEnoughData);

    f.metrics.down = true;
    CompareLoader loader(&f.registry, &f.metrics);
    const CompareSnapshot down = f.load(loader, {QStringLiteral("champion"), QStringLiteral("challenger")});
    CHECK(down.columns[0].version.ok());
    CHECK(down.columns[0].live.value(QStringLiteral("rps")).error == "connection refused by http://prom:9090");
    CHECK(down.verdicts.first().verdict == Verdict::NotEnoughData);
}

TEST_CASE("CompareLoader drops the answers of a load that a newer one replaced", "[compare][loader]")
{
    Fixture f;
    CompareLoader loader(&f.registry, &f.metrics);
    QSignalSpy spy(&loader, &CompareLoader::finished);
    f.request.refs = {QStringLiteral("12"), QStringLiteral("13")};
    loader.load(f.request);
    f.request.refs = {QStringLiteral("12"), QStringLiteral("14")};
    loader.load(f.request);
    REQUIRE(test::waitUntil([&] { return spy.count() > 0; }, 5'000));
    QCoreApplication::processEvents();
    REQUIRE(spy.count() == 1);
    const auto s = spy.first().first().value<CompareSnapshot>();
    CHECK(s.columns[1].ref == "14");
}

#include "test_compare_loader.moc"
