// SPDX-License-Identifier: GPL-3.0-or-later
// The demo fleet's MLflow registry (issue 5, item 5) read by the MLflow
// connector, loaded as the app loads it, over HTTP from a running
// vigil-demo-fleet: what `make demo` shows in the compare view.
#include <catch2/catch.hpp>

#include "compare/model_mapping.h"
#include "sources/connector.h"
#include "sources/model_registry.h"
#include "support/test_stack.h"

#include <QPluginLoader>

using namespace vigil;
using namespace vigil::test;

namespace {

std::unique_ptr<Connector> mlflowConnector(const QUrl &url)
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-mlflow.so"));
    INFO(loader.errorString().toStdString());
    auto *plugin = qobject_cast<ConnectorPlugin *>(loader.instance());
    REQUIRE(plugin);
    ConnectionSettings s;
    s.name = QStringLiteral("registry");
    s.kind = QStringLiteral("mlflow");
    s.url = url;
    s.timeoutMs = 5'000;
    std::unique_ptr<Connector> c(plugin->createConnector(s, nullptr));
    REQUIRE(c);
    return c;
}

struct DemoRegistry
{
    TestStack stack;
    QUrl url;
    std::unique_ptr<Connector> connector;
    ModelRegistry *registry = nullptr;
    DemoRegistry()
    {
        url = stack.startDemoFleet(1.0);
        connector = mlflowConnector(url);
        registry = qobject_cast<ModelRegistry *>(connector.get());
        REQUIRE(registry);
    }
};

} // namespace

TEST_CASE("Demo registry over HTTP: the connector lists the fleet's models, paging to the end", "[plugins][demo][registry]")
{
    DemoRegistry demo;
    SearchOptions options;
    options.pageSize = 1;
    int pages = 0;
    const auto models = await(demo.registry->searchRegisteredModels(options, [&](const ListingProgress &p) { pages = p.pages; }));
    INFO(models.message.toStdString());
    REQUIRE(models.ok());
    REQUIRE(models.value.size() == 2);
    CHECK(pages == 2);
    CHECK(models.value[0].name == "fraud-detector");
    CHECK(models.value[1].name == "spam-filter");
    CHECK(models.value[0].aliases == QList<ModelAlias>{{"challenger", "13"}, {"champion", "12"}});
    CHECK(models.value[0].latestVersions.size() == 2);

    const auto experiments = await(demo.registry->searchExperiments({}));
    REQUIRE(experiments.ok());
    CHECK(experiments.value.size() == 3);
}

TEST_CASE("Demo registry over HTTP: versions with stages and aliases, and aliases resolved", "[plugins][demo][registry]")
{
    DemoRegistry demo;
    const auto versions = await(demo.registry->modelVersions(QStringLiteral("fraud-detector")));
    INFO(versions.message.toStdString());
    REQUIRE(versions.ok());
    REQUIRE(versions.value.size() == 2);
    CHECK(versions.value[0].version == "13");
    CHECK(versions.value[0].stage == "Staging");
    CHECK(versions.value[0].aliases == QStringList{"challenger"});
    CHECK(versions.value[1].version == "12");
    CHECK(versions.value[1].stage == "Production");
    CHECK(versions.value[1].aliases == QStringList{"champion"});

    const auto champion = await(compare::resolveVersionRef(*demo.registry, QStringLiteral("spam-filter"), QStringLiteral("champion")));
    REQUIRE(champion.ok());
    CHECK(champion.value.version == "7");
    const auto byNumber = await(compare::resolveVersionRef(*demo.registry, QStringLiteral("spam-filter"), QStringLiteral("8")));
    REQUIRE(byNumber.ok());
    CHECK(byNumber.value.aliases == QStringList{"challenger"});

    const auto nowhere = await(compare::resolveVersionRef(*demo.registry, QStringLiteral("fraud-detector"), QStringLiteral("canary")));
    CHECK_FALSE(nowhere.ok());
    CHECK(nowhere.notFound);
    CHECK(nowhere.message.contains(QStringLiteral("no alias \"canary\" on model \"fraud-detector\"")));
    const auto missing = await(demo.registry->modelVersion(QStringLiteral("fraud-detector"), QStringLiteral("99")));
    CHECK(missing.notFound);
}

TEST_CASE("Demo registry over HTTP: runs differ in params and offline metrics, histories chart", "[plugins][demo][registry]")
{
    DemoRegistry demo;
    const auto v12 = await(demo.registry->modelVersionByAlias(QStringLiteral("fraud-detector"), QStringLiteral("champion")));
    const auto v13 = await(demo.registry->modelVersionByAlias(QStringLiteral("fraud-detector"), QStringLiteral("challenger")));
    REQUIRE(v12.ok());
    REQUIRE(v13.ok());
    const auto run12 = await(demo.registry->run(v12.value.runId));
    const auto run13 = await(demo.registry->run(v13.value.runId));
    REQUIRE(run12.ok());
    REQUIRE(run13.ok());
    const auto metric = [](const Run &r, const char *key) {
        for (const MetricPoint &p : r.metrics) {
            if (p.key == QLatin1String(key))
                return p.value;
        }
        return -1.0;
    };
    CHECK(metric(run12.value, "f1") == 0.902);
    CHECK(metric(run13.value, "f1") == 0.914);
    CHECK(run12.value.params != run13.value.params);
    CHECK(run12.value.status == "FINISHED");

    const auto history = await(demo.registry->metricHistory(v13.value.runId, QStringLiteral("f1")));
    REQUIRE(history.ok());
    REQUIRE(history.value.size() == 10);
    CHECK(history.value.last().value == 0.914);

    // The same history as a series, by alias, as charts and rules read it.
    QueryRequest q;
    q.id = QStringLiteral("offline");
    q.expr = QStringLiteral("mlflow_metric{model=\"fraud-detector\", alias=\"challenger\", key=\"f1\"}");
    const QueryResult series = await(demo.connector->query(q));
    INFO(series.message.toStdString());
    REQUIRE(series.ok());
    REQUIRE(series.series.size() == 1);
    CHECK(series.series.first().samples.size() == 10);

    const auto runs = await(demo.registry->searchRuns({QStringLiteral("4")}, {}));
    REQUIRE(runs.ok());
    CHECK(runs.value.size() == 2);
}
