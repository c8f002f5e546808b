// SPDX-License-Identifier: GPL-3.0-or-later
// The MLflow connector plugin, loaded as the app loads it, against an MLflow
// rebuilt from real 2.10.2 exchanges (support/mlflow_replay_server.h: it
// answers only what was recorded, exactly as recorded, and closes every
// connection like gunicorn), and against a misbehaving server.
#include <catch2/catch.hpp>

#include "support/fault_server.h"
#include "support/mlflow_replay_server.h"
#include "support/test_stack.h"
#include "sources/connector.h"
#include "sources/model_registry.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPluginLoader>
#include <QSignalSpy>
#include <QThread>
#include <atomic>

using namespace vigil;
using namespace vigil::test;

namespace {

const QString kChampionRun = QStringLiteral("7dc24eac211342b4b6ceba8715ac2b17");
const QString kChallengerRun = QStringLiteral("2bad9ea00fa145b2b4eae464b9bb6070");
// The recorded accounts (auth-*.json): admin:password and viewer:viewer-pass-123.
const QByteArray kAdmin = "Basic YWRtaW46cGFzc3dvcmQ=";
const QByteArray kViewer = "Basic dmlld2VyOnZpZXdlci1wYXNzLTEyMw==";

QPluginLoader &pluginLoader()
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-mlflow.so"));
    return loader;
}

ConnectorPlugin *plugin()
{
    QObject *instance = pluginLoader().instance();
    INFO(pluginLoader().errorString().toStdString());
    REQUIRE(instance);
    auto *p = qobject_cast<ConnectorPlugin *>(instance);
    REQUIRE(p);
    return p;
}

struct Connection
{
    std::unique_ptr<Connector> connector;
    ModelRegistry *registry = nullptr;
    Connector *operator->() const { return connector.get(); }
};

Connection connectTo(const QUrl &url, HttpAuth auth = {}, int timeoutMs = 10'000, QJsonObject options = {},
                     QString caFile = {})
{
    ConnectionSettings s;
    s.name = QStringLiteral("registry");
    s.kind = QStringLiteral("mlflow");
    s.url = url;
    s.auth = std::move(auth);
    s.timeoutMs = timeoutMs;
    s.options = std::move(options);
    s.caFile = std::move(caFile);
    Connection c;
    c.connector.reset(plugin()->createConnector(s, nullptr));
    REQUIRE(c.connector);
    c.registry = qobject_cast<ModelRegistry *>(c.connector.get());
    REQUIRE(c.registry);
    return c;
}

struct Replay
{
    MlflowReplayServer server;
    Replay()
    {
        INFO(server.error().toStdString());
        REQUIRE(server.start());
        REQUIRE(server.recordings() > 30);
    }
    // The client asked only what a real client asked when the recordings were made.
    void checkAllMatched() const
    {
        INFO(server.unmatched().join(QStringLiteral("\n")).toStdString());
        CHECK(server.unmatched().isEmpty());
    }
};

QueryRequest series(const QString &expr, QueryKind kind = QueryKind::Range, qint64 startMs = 0, qint64 endMs = 0)
{
    QueryRequest q;
    q.id = QStringLiteral("offline");
    q.expr = expr;
    q.kind = kind;
    q.startMs = startMs;
    q.endMs = endMs;
    q.timeMs = endMs;
    return q;
}

QString api(const QUrl &base, const char *endpoint)
{
    return base.toString() + QStringLiteral("/api/2.0/mlflow/") + QLatin1String(endpoint);
}

QByteArray recordedBody(const char *name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/mlflow/%1.json").arg(QLatin1String(name)));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QJsonDocument::fromJson(f.readAll())["response"]["body_raw"].toString().toUtf8();
}

} // namespace

TEST_CASE("The plugin loads and declares kind mlflow with its settings", "[plugins][mlflow]")
{
    REQUIRE(plugin());
    const QJsonObject meta = pluginLoader().metaData().value("MetaData").toObject();
    CHECK(meta.value("kind").toString() == "mlflow");
    QStringList keys;
    for (const QJsonValue &v : meta.value("settings").toArray())
        keys << v.toObject().value("key").toString();
    CHECK(keys == QStringList{"url", "bearer_token_secret", "basic_user", "password_secret", "headers", "ca_file",
                              "tls_verify", "timeout", "page_size", "max_pages"});
    auto c = connectTo(QUrl("http://127.0.0.1:1"));
    CHECK(c->kind() == "mlflow");
    CHECK(c->capabilities().testFlag(Capability::ModelRegistry));
    CHECK(c->capabilities().testFlag(Capability::TimeSeries));
}

TEST_CASE("MLflow: probe counts the registered models", "[plugins][mlflow][probe]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const ProbeResult p = await(c->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.message == QStringLiteral("MLflow at %1: 2 registered models").arg(replay.server.url().toString()));
    CHECK(replay.server.served() == QStringList{"registered-models-search"});
    replay.checkAllMatched();
}

TEST_CASE("MLflow: registered models are listed page by page to the end, with progress", "[plugins][mlflow][paging]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    QSignalSpy signalled(c.connector.get(), SIGNAL(listingProgress(QString, int, qsizetype, bool)));
    QList<ListingProgress> progress;
    SearchOptions byName;
    byName.pageSize = 1;
    byName.orderBy = {"name ASC"};
    const auto r = await(c.registry->searchRegisteredModels(byName, [&](const ListingProgress &p) { progress << p; }));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 2);
    CHECK(r.value[0].name == "fraud-detector");
    CHECK(r.value[1].name == "spam-filter");
    CHECK(r.warnings.isEmpty());
    REQUIRE(progress.size() == 2);
    CHECK((progress[0].what == "registered models" && progress[0].pages == 1 && progress[0].items == 1 && progress[0].more));
    CHECK((progress[1].pages == 2 && progress[1].items == 2 && !progress[1].more));
    CHECK(signalled.size() == 2);
    CHECK(replay.server.served() == QStringList{"registered-models-search-page1", "registered-models-search-page2"});
    // Aliases come with the model and are applied to its latest versions.
    const RegisteredModel &fraud = r.value[0];
    CHECK(fraud.aliases == QList<ModelAlias>{{"challenger", "3"}, {"champion", "2"}});
    replay.checkAllMatched();
}

TEST_CASE("MLflow: model versions page by page, and one model's versions with their aliases", "[plugins][mlflow][paging]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    SearchOptions o;
    o.filter = "name='fraud-detector'";
    o.pageSize = 2;
    o.orderBy = {"version_number DESC"};
    const auto paged = await(c.registry->searchModelVersions(o));
    INFO(paged.message.toStdString());
    REQUIRE(paged.ok());
    QStringList versions;
    for (const ModelVersion &v : paged.value) {
        versions << v.version;
        CHECK_FALSE(v.aliasesKnown); // search results do not carry aliases
    }
    CHECK(versions == QStringList{"3", "2", "1"});

    const auto all = await(c.registry->modelVersions("fraud-detector"));
    INFO(all.message.toStdString());
    REQUIRE(all.ok());
    REQUIRE(all.value.size() == 3);
    CHECK(all.value[0].version == "3");
    CHECK(all.value[0].aliases == QStringList{"challenger"});
    CHECK(all.value[0].stage == "Staging");
    CHECK(all.value[1].aliases == QStringList{"champion"});
    CHECK(all.value[1].stage == "Production");
    CHECK(all.value[1].runId == kChampionRun);
    CHECK(all.value[2].aliases.isEmpty());
    CHECK(all.value[2].aliasesKnown);
    CHECK(all.value[2].stage == "Archived");
    CHECK(all.value[2].creationTimeMs == 1795931409541);
    replay.checkAllMatched();
}

TEST_CASE("MLflow: runs search is a JSON POST followed over three pages, and stops at max pages", "[plugins][mlflow][paging]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    SearchOptions o;
    o.pageSize = 3;
    o.orderBy = {"attributes.start_time ASC"};
    const auto r = await(c.registry->searchRuns({"1", "2"}, o));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    CHECK(r.value.size() == 8);
    CHECK(replay.server.served() == QStringList{"runs-search-page1", "runs-search-page2", "runs-search-page3"});
    for (const Run &run : r.value) {
        CHECK_FALSE(run.id.isEmpty());
        CHECK(run.startTimeMs > 0);
    }

    o.maxPages = 2;
    const auto bounded = await(c.registry->searchRuns({"1", "2"}, o));
    REQUIRE(bounded.ok());
    CHECK(bounded.value.size() == 6);
    REQUIRE(bounded.warnings.size() == 1);
    CHECK(bounded.warnings[0] == "stopped after 2 pages (6 runs): there are more; raise max_pages or narrow the filter");
    replay.checkAllMatched();
}

TEST_CASE("MLflow: the connection's page_size and max_pages apply when the caller says nothing", "[plugins][mlflow][paging]")
{
    Replay replay;
    auto c = connectTo(replay.server.url(), {}, 10'000, QJsonObject{{"page_size", 2}, {"max_pages", 1}});
    SearchOptions o;
    o.orderBy = {"name ASC"};
    const auto r = await(c.registry->searchExperiments(o));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    CHECK(r.value.size() == 2);
    CHECK(r.warnings.size() == 1);
    CHECK(replay.server.served() == QStringList{"experiments-search-page1"});

    auto unbounded = connectTo(replay.server.url(), {}, 10'000, QJsonObject{{"page_size", 2}});
    const auto all = await(unbounded.registry->searchExperiments(o));
    REQUIRE(all.ok());
    QStringList names;
    for (const Experiment &e : all.value)
        names << e.name;
    CHECK(names == QStringList{"Default", "fraud-detection", "spam-classification"});
    replay.checkAllMatched();
}

TEST_CASE("MLflow: aliases resolve to versions, and a missing alias is notFound despite the 400", "[plugins][mlflow][alias]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const auto champion = await(c.registry->modelVersionByAlias("fraud-detector", "champion"));
    REQUIRE(champion.ok());
    CHECK(champion.value.version == "2");
    CHECK(champion.value.runId == kChampionRun);
    CHECK(champion.value.aliases == QStringList{"champion"});
    const auto challenger = await(c.registry->modelVersionByAlias("fraud-detector", "challenger"));
    REQUIRE(challenger.ok());
    CHECK(challenger.value.version == "3");

    const auto missing = await(c.registry->modelVersionByAlias("fraud-detector", "no-such-alias"));
    CHECK(missing.error == ErrorKind::Server);
    CHECK(missing.notFound);
    CHECK(missing.httpStatus == 400);
    CHECK(missing.errorCode == "INVALID_PARAMETER_VALUE");
    CHECK(missing.message ==
          QStringLiteral("no alias \"no-such-alias\" on model \"fraud-detector\" (or no such model): MLflow: Registered "
                         "model alias no-such-alias not found. (INVALID_PARAMETER_VALUE, HTTP 400 Bad Request from %1)")
              .arg(api(replay.server.url(), "registered-models/alias")));
    const auto noModel = await(c.registry->modelVersionByAlias("no-such-model", "champion"));
    CHECK(noModel.notFound);
    CHECK(noModel.message.startsWith("no alias \"champion\" on model \"no-such-model\" (or no such model): "));
    replay.checkAllMatched();
}

TEST_CASE("MLflow: a missing model, version or run is notFound with MLflow's own words", "[plugins][mlflow][errors]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const auto model = await(c.registry->registeredModel("no-such-model"));
    CHECK(model.notFound);
    CHECK(model.httpStatus == 404);
    CHECK(model.message.startsWith("MLflow: Registered Model with name=no-such-model not found (RESOURCE_DOES_NOT_EXIST"));
    const auto version = await(c.registry->modelVersion("fraud-detector", "99"));
    CHECK(version.notFound);
    CHECK(version.message.startsWith("MLflow: Model Version (name=fraud-detector, version=99) not found"));
    const auto bad = await(c.registry->modelVersion("fraud-detector", "abc"));
    CHECK(bad.error == ErrorKind::Server);
    CHECK_FALSE(bad.notFound);
    CHECK(bad.errorCode == "INVALID_PARAMETER_VALUE");
    const auto run = await(c.registry->run("00000000000000000000000000000000"));
    CHECK(run.notFound);
    CHECK(run.message.contains("Run with id=00000000000000000000000000000000 not found"));
    replay.checkAllMatched();
}

TEST_CASE("MLflow: a model, a version, a run and a metric history, typed", "[plugins][mlflow]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const auto model = await(c.registry->registeredModel("fraud-detector"));
    REQUIRE(model.ok());
    CHECK(model.value.latestVersions.size() == 3);
    const auto version = await(c.registry->modelVersion("fraud-detector", "2"));
    REQUIRE(version.ok());
    CHECK(version.value.stage == "Production");
    const auto run = await(c.registry->run(kChampionRun));
    REQUIRE(run.ok());
    CHECK(run.value.name == "xgb-v2-tuned");
    CHECK(run.value.params.size() == 5);
    CHECK(run.value.metrics.size() == 6);
    const auto history = await(c.registry->metricHistory(kChampionRun, "accuracy"));
    REQUIRE(history.ok());
    REQUIRE(history.value.size() == 10);
    CHECK(history.value.last() == MetricPoint{"accuracy", 0.963, 1740831000000, 9});
    replay.checkAllMatched();
}

TEST_CASE("MLflow: a run's metric history is a series, by version, alias or run id", "[plugins][mlflow][query]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const QueryResult byVersion =
        await(c->query(series(R"(mlflow_metric{model="fraud-detector", version="2", key="accuracy"})")));
    INFO(byVersion.message.toStdString());
    REQUIRE(byVersion.ok());
    CHECK(byVersion.type == ResultType::Matrix);
    REQUIRE(byVersion.series.size() == 1);
    const SeriesData &s = byVersion.series[0];
    CHECK(s.key == SeriesKey("mlflow_metric", {{"model", "fraud-detector"}, {"version", "2"}, {"run_id", kChampionRun},
                                               {"key", "accuracy"}}));
    REQUIRE(s.samples.size() == 10);
    CHECK(s.samples.first() == Sample{1740830460000, 0.8445});
    CHECK(s.samples.last() == Sample{1740831000000, 0.963});
    CHECK(replay.server.served() == QStringList{"model-versions-get", "metrics-get-history"});

    const QueryResult byAlias =
        await(c->query(series(R"(mlflow_metric{model="fraud-detector", alias="challenger", key="roc_auc"})")));
    REQUIRE(byAlias.ok());
    REQUIRE(byAlias.series.size() == 1);
    CHECK(byAlias.series[0].key.label("version") == "3");
    CHECK(byAlias.series[0].key.label("alias") == "challenger");
    CHECK(byAlias.series[0].key.label("run_id") == kChallengerRun);
    CHECK(byAlias.series[0].samples.size() == 10);

    const QueryResult byRun = await(c->query(series(QStringLiteral("mlflow_metric{run_id=\"%1\", key=\"accuracy\"}").arg(kChampionRun))));
    REQUIRE(byRun.ok());
    REQUIRE(byRun.series.size() == 1);
    CHECK(byRun.series[0].key == SeriesKey("mlflow_metric", {{"run_id", kChampionRun}, {"key", "accuracy"}}));
    replay.checkAllMatched();
}

TEST_CASE("MLflow: range queries keep the window, instant queries the last point at or before their time", "[plugins][mlflow][query]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const QString expr = QStringLiteral("mlflow_metric{run_id=\"%1\", key=\"accuracy\"}").arg(kChampionRun);
    const QueryResult window = await(c->query(series(expr, QueryKind::Range, 1740830580000, 1740830700000)));
    REQUIRE(window.ok());
    REQUIRE(window.series.size() == 1);
    CHECK(window.series[0].samples == QList<Sample>{{1740830580000, 0.9018}, {1740830640000, 0.9199}, {1740830700000, 0.9333}});

    const QueryResult instant = await(c->query(series(expr, QueryKind::Instant, 0, 1740830650000)));
    REQUIRE(instant.ok());
    CHECK(instant.type == ResultType::Vector);
    REQUIRE(instant.series.size() == 1);
    CHECK(instant.series[0].samples == QList<Sample>{{1740830640000, 0.9199}});

    const QueryResult latest = await(c->query(series(expr, QueryKind::Instant, 0, 0)));
    REQUIRE(latest.ok());
    CHECK(latest.series[0].samples == QList<Sample>{{1740831000000, 0.963}});

    const QueryResult before = await(c->query(series(expr, QueryKind::Instant, 0, 1000)));
    REQUIRE(before.ok());
    CHECK(before.series.isEmpty()); // nothing logged yet: no data, not an error
}

TEST_CASE("MLflow: a metric the run never logged is no data with a warning", "[plugins][mlflow][query]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    // The challenger's run and the unknown key are recorded ({}); the follow-up
    // runs/get for that run is not, so the warning is the generic one.
    const QueryResult r =
        await(c->query(series(R"(mlflow_metric{model="fraud-detector", alias="challenger", key="no_such_metric"})")));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    CHECK(r.series.isEmpty());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == QStringLiteral("run %1 has no metric \"no_such_metric\"").arg(kChallengerRun));
}

TEST_CASE("MLflow: queries that cannot be answered say why", "[plugins][mlflow][query][errors]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    const QueryResult syntax = await(c->query(series(R"(mlflow_metric{model="fraud-detector", key="f1"})")));
    CHECK(syntax.error == ErrorKind::Server);
    CHECK(syntax.message == "the MLflow connector cannot read the query: name the run with exactly one of run_id, version or alias");
    CHECK(replay.server.served().isEmpty());

    const QueryResult version = await(c->query(series(R"(mlflow_metric{model="fraud-detector", version="99", key="f1"})")));
    CHECK(version.error == ErrorKind::Server);
    CHECK(version.httpStatus == 404);
    CHECK(version.message.startsWith("MLflow: Model Version (name=fraud-detector, version=99) not found"));

    const QueryResult alias = await(c->query(series(R"(mlflow_metric{model="fraud-detector", alias="no-such-alias", key="f1"})")));
    CHECK(alias.error == ErrorKind::Server);
    CHECK(alias.message.startsWith("no alias \"no-such-alias\" on model \"fraud-detector\""));
    replay.checkAllMatched();
}

// ---- auth ----

TEST_CASE("MLflow auth: basic credentials are sent and accepted, for admin and a reader", "[plugins][mlflow][auth]")
{
    Replay replay;
    replay.server.requireAuth({kAdmin, kViewer});
    HttpAuth admin;
    admin.basicUser = "admin";
    admin.basicPassword = "password";
    auto c = connectTo(replay.server.url(), admin);
    const ProbeResult p = await(c->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.message.endsWith(": 2 registered models"));
    CHECK(replay.server.authorizations() == QList<QByteArray>{kAdmin});

    HttpAuth viewer;
    viewer.basicUser = "viewer";
    viewer.basicPassword = "viewer-pass-123";
    auto reader = connectTo(replay.server.url(), viewer);
    const auto champion = await(reader.registry->modelVersionByAlias("fraud-detector", "champion"));
    REQUIRE(champion.ok());
    CHECK(champion.value.version == "2");
    replay.checkAllMatched();
}

TEST_CASE("MLflow auth: no credentials, a wrong password, a rejected token, a forbidden user", "[plugins][mlflow][auth]")
{
    Replay replay;
    const QByteArray nobody = "Basic " + QByteArray("nobody:nobody-pass").toBase64();
    replay.server.requireAuth({kAdmin}, {nobody});
    const QString where = api(replay.server.url(), "registered-models/search");
    const QString said = QStringLiteral("text: You are not authenticated. Please see "
                                        "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.");

    auto anonymous = connectTo(replay.server.url());
    ProbeResult p = await(anonymous->probe());
    CHECK(p.error == ErrorKind::Http);
    CHECK(p.message == QStringLiteral("MLflow at %1 needs credentials (HTTP 401 Unauthorized, %2): set basic_user and "
                                      "password_secret, or bearer_token_secret, for this connection").arg(where, said));

    HttpAuth wrong;
    wrong.basicUser = "admin";
    wrong.basicPassword = "wrong-hunter2";
    auto badPassword = connectTo(replay.server.url(), wrong);
    p = await(badPassword->probe());
    CHECK(p.error == ErrorKind::Http);
    CHECK(p.message == QStringLiteral("MLflow at %1 did not accept user \"admin\" (HTTP 401 Unauthorized, %2): check the user "
                                      "name and the password in the keychain").arg(where, said));
    CHECK_FALSE(p.message.contains("hunter2"));

    HttpAuth token;
    token.bearerToken = "dapi-example-token";
    auto badToken = connectTo(replay.server.url(), token);
    p = await(badToken->probe());
    CHECK(p.error == ErrorKind::Http);
    CHECK(p.message.contains("did not accept the bearer token (HTTP 401 Unauthorized"));
    CHECK_FALSE(p.message.contains("dapi-example-token"));
    CHECK(replay.server.authorizations().contains("Bearer dapi-example-token"));

    HttpAuth forbidden;
    forbidden.basicUser = "nobody";
    forbidden.basicPassword = "nobody-pass";
    auto noAccess = connectTo(replay.server.url(), forbidden);
    const auto r = await(noAccess.registry->registeredModel("fraud-detector"));
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.httpStatus == 403);
    CHECK(r.message == QStringLiteral("MLflow at %1 refused access to user \"nobody\" (HTTP 403 Forbidden, text: Permission "
                                      "denied): the account lacks the permission").arg(api(replay.server.url(), "registered-models/get")));
    CHECK_FALSE(r.message.contains("nobody-pass"));
}

TEST_CASE("MLflow auth: a bearer token the server (or its proxy) accepts", "[plugins][mlflow][auth]")
{
    Replay replay;
    replay.server.requireAuth({"Bearer team-token-123"});
    HttpAuth token;
    token.bearerToken = "team-token-123";
    auto c = connectTo(replay.server.url(), token);
    const auto r = await(c.registry->registeredModel("spam-filter"));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    CHECK(r.value.aliases == QList<ModelAlias>{{"champion", "2"}});
    CHECK(replay.server.authorizations() == QList<QByteArray>{"Bearer team-token-123"});
}

TEST_CASE("MLflow over HTTPS with a custom CA, and without it", "[plugins][mlflow][tls]")
{
    const QString tls = QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/tls/");
    Replay replay;
    MlflowReplayServer secure;
    REQUIRE(secure.useTls(tls + "server.pem", tls + "server.key"));
    REQUIRE(secure.start());
    REQUIRE(secure.url().scheme() == "https");

    auto trusted = connectTo(secure.url(), {}, 10'000, {}, tls + "ca.pem");
    const ProbeResult ok = await(trusted->probe());
    INFO(ok.message.toStdString());
    CHECK(ok.ok());
    CHECK(ok.message.endsWith(": 2 registered models"));

    auto untrusted = connectTo(secure.url());
    const ProbeResult refused = await(untrusted->probe());
    INFO(refused.message.toStdString());
    CHECK(refused.error == ErrorKind::Network);

    auto missingCa = connectTo(secure.url(), {}, 10'000, {}, tls + "no-such-ca.pem");
    const ProbeResult noCa = await(missingCa->probe());
    CHECK_FALSE(noCa.ok());
    CHECK(noCa.message.contains("no-such-ca.pem"));
}

// ---- a server that misbehaves ----

TEST_CASE("MLflow faults: a proxy's HTML 502 page is an HTTP error naming the page", "[plugins][mlflow][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::respond(502, "Bad Gateway", "text/html",
                                          "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
                                          "Gateway</h1></center><hr><center>nginx</center></body></html>"));
    auto c = connectTo(server.url());
    const auto r = await(c.registry->registeredModel("fraud-detector"));
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.httpStatus == 502);
    CHECK(r.message == QStringLiteral("HTTP 502 Bad Gateway from %1 (an HTML page: 502 Bad Gateway)")
                           .arg(api(server.url(), "registered-models/get")));
    const ProbeResult p = await(c->probe());
    CHECK(p.error == ErrorKind::Http);
    CHECK(p.message.startsWith("HTTP 502 Bad Gateway from "));
}

TEST_CASE("MLflow faults: truncated JSON, cut mid-transfer or ended early", "[plugins][mlflow][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    FaultServer::Script s = FaultServer::respond(200, "OK", "application/json", recordedBody("registered-models-get"));
    s.mode = FaultServer::Mode::Truncated; // Content-Length says more than arrives
    server.setScript(s);
    auto c = connectTo(server.url());
    auto r = await(c.registry->registeredModel("fraud-detector"));
    INFO(r.message.toStdString());
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("cut off"));

    s.declareLength = false; // the body simply ends at close: the parser finds it truncated
    server.setScript(s);
    r = await(c.registry->registeredModel("fraud-detector"));
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.startsWith(QStringLiteral("the JSON answer from %1 is truncated").arg(api(server.url(), "registered-models/get"))));
}

TEST_CASE("MLflow faults: a server that is down is a Network error naming the URL", "[plugins][mlflow][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::mode(FaultServer::Mode::Refuse));
    auto c = connectTo(server.url());
    const ProbeResult p = await(c->probe());
    CHECK(p.error == ErrorKind::Network);
    CHECK(p.message == QStringLiteral("connection refused by %1").arg(api(server.url(), "registered-models/search")));
    const QueryResult q = await(c->query(series(R"(mlflow_metric{model="m", version="1", key="f1"})")));
    CHECK(q.error == ErrorKind::Network);
}

TEST_CASE("MLflow faults: a server that never answers is a Timeout", "[plugins][mlflow][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::mode(FaultServer::Mode::Hang));
    auto c = connectTo(server.url(), {}, 500);
    QElapsedTimer t;
    t.start();
    const auto r = await(c.registry->run(kChampionRun));
    CHECK(r.error == ErrorKind::Timeout);
    CHECK(r.message == QStringLiteral("no answer from %1 within 500 ms").arg(api(server.url(), "runs/get")));
    CHECK(t.elapsed() < 3000);
}

TEST_CASE("MLflow faults: a server that repeats its page token is stopped, not followed for ever", "[plugins][mlflow][faults][paging]")
{
    FaultServer server;
    REQUIRE(server.start());
    // Every request gets page 1 again: same next_page_token each time.
    server.setScript(FaultServer::respond(200, "OK", "application/json", recordedBody("registered-models-search-page1")));
    auto c = connectTo(server.url());
    const auto r = await(c.registry->searchRegisteredModels({}));
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("handed out the same page token twice while listing registered models"));
    CHECK(server.requests().size() == 2);
}

TEST_CASE("MLflow: a connector in its own thread pages and answers a caller in another", "[plugins][mlflow][threads]")
{
    Replay replay;
    auto c = connectTo(replay.server.url());
    QThread io;
    io.start();
    c->moveToThread(&io);
    SearchOptions byName;
    byName.pageSize = 1;
    byName.orderBy = {"name ASC"};
    std::atomic<int> pages = 0;
    std::atomic<bool> inConnectorThread = true;
    const auto models = await(c.registry->searchRegisteredModels(byName, [&](const ListingProgress &) {
        ++pages;
        inConnectorThread = inConnectorThread && QThread::currentThread() == &io;
    }));
    const QueryResult q = await(c->query(series(R"(mlflow_metric{model="fraud-detector", alias="champion", key="accuracy"})")));
    QMetaObject::invokeMethod(c.connector.release(), &QObject::deleteLater);
    io.quit();
    io.wait();
    REQUIRE(models.ok());
    CHECK(models.value.size() == 2);
    CHECK(pages == 2);
    CHECK(inConnectorThread); // progress is reported in the connector's thread
    REQUIRE(q.ok());
    CHECK(q.series.size() == 1);
}
