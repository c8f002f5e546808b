// SPDX-License-Identifier: GPL-3.0-or-later
// The MLflow REST API parser, request builder and series mini-syntax, against
// the bodies a real MLflow 2.10.2 sent (tests/fixtures/mlflow) and
// handwritten broken ones.
#include <catch2/catch.hpp>

#include "mlflow_request.h"
#include "mlflow_response.h"
#include "support/mlflow_replay_server.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <cmath>

using namespace vigil;
using namespace vigil::mlflow;

namespace {

const QString kDir = QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/mlflow/");

// One recorded exchange: what was asked and exactly what came back.
struct Recorded
{
    QJsonObject request;
    int status = 0;
    QString contentType;
    QByteArray body;
    QString where() const
    {
        const QUrl url(request.value("url").toString());
        return url.adjusted(QUrl::RemoveQuery).toString();
    }
};

Recorded recorded(const QString &name)
{
    QFile f(kDir + name + QStringLiteral(".json"));
    INFO(f.fileName().toStdString());
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject resp = root.value("response").toObject();
    Recorded r;
    r.request = root.value("request").toObject();
    r.status = resp.value("status").toInt();
    r.contentType = resp.value("headers").toObject().value("Content-Type").toString();
    r.body = resp.value("body_raw").toString().toUtf8();
    REQUIRE(r.status > 0);
    return r;
}

template<typename Parse>
auto parse(const QString &name, Parse parser)
{
    const Recorded r = recorded(name);
    return parser(r.body, r.status, r.contentType, r.where());
}

} // namespace

// ---- every recording, through the parser for its endpoint ----

namespace {
enum class Parser { Experiments, Models, Model, Versions, Version, Run, Runs, History };

struct Expect
{
    const char *fixture;
    Parser parser;
    ErrorKind error;
    int items; // items in the page (or 1 for one object); -1: failure
    bool notFound = false;
    const char *errorCode = "";
};

struct Outcome
{
    ErrorKind error;
    QString message;
    qsizetype items;
    bool notFound;
    QString errorCode;
};

Outcome run(const Expect &e)
{
    const Recorded r = recorded(QString::fromLatin1(e.fixture));
    auto out = [](const auto &result, qsizetype n) {
        return Outcome{result.error, result.message, result.ok() ? n : -1, result.notFound, result.errorCode};
    };
    switch (e.parser) {
    case Parser::Experiments: { auto x = parseExperimentsPage(r.body, r.status, r.contentType, r.where()); return out(x, x.value.items.size()); }
    case Parser::Models: { auto x = parseRegisteredModelsPage(r.body, r.status, r.contentType, r.where()); return out(x, x.value.items.size()); }
    case Parser::Model: { auto x = parseRegisteredModel(r.body, r.status, r.contentType, r.where()); return out(x, 1); }
    case Parser::Versions: { auto x = parseModelVersionsPage(r.body, r.status, r.contentType, r.where()); return out(x, x.value.items.size()); }
    case Parser::Version: { auto x = parseModelVersion(r.body, r.status, r.contentType, r.where()); return out(x, 1); }
    case Parser::Run: { auto x = parseRun(r.body, r.status, r.contentType, r.where()); return out(x, 1); }
    case Parser::Runs: { auto x = parseRunsPage(r.body, r.status, r.contentType, r.where()); return out(x, x.value.items.size()); }
    case Parser::History: { auto x = parseMetricHistory(r.body, r.status, r.contentType, r.where()); return out(x, x.value.items.size()); }
    }
    return {};
}

const ErrorKind kOk = ErrorKind::None;
const ErrorKind kServer = ErrorKind::Server;
const ErrorKind kHttp = ErrorKind::Http;

const Expect kEvery[] = {
    {"experiments-search-get", Parser::Experiments, kOk, 3},
    {"experiments-search-post", Parser::Experiments, kOk, 3},
    {"experiments-search-post-view-all", Parser::Experiments, kOk, 4},
    {"experiments-search-page1", Parser::Experiments, kOk, 2},
    {"experiments-search-page2", Parser::Experiments, kOk, 1},
    {"registered-models-search", Parser::Models, kOk, 2},
    {"registered-models-search-filter", Parser::Models, kOk, 1},
    {"registered-models-search-page1", Parser::Models, kOk, 1},
    {"registered-models-search-page2", Parser::Models, kOk, 1},
    {"registered-models-get", Parser::Model, kOk, 1},
    {"registered-models-get-spam", Parser::Model, kOk, 1},
    {"model-versions-search", Parser::Versions, kOk, 3},
    {"model-versions-search-all", Parser::Versions, kOk, 5},
    {"model-versions-search-page1", Parser::Versions, kOk, 2},
    {"model-versions-search-page2", Parser::Versions, kOk, 1},
    {"model-versions-search-by-run", Parser::Versions, kOk, 1},
    {"model-versions-get", Parser::Version, kOk, 1},
    {"registered-models-alias-champion", Parser::Version, kOk, 1},
    {"registered-models-alias-challenger", Parser::Version, kOk, 1},
    {"runs-get", Parser::Run, kOk, 1},
    {"runs-get-running", Parser::Run, kOk, 1},
    {"runs-search", Parser::Runs, kOk, 8},
    {"runs-search-filter", Parser::Runs, kOk, 2},
    {"runs-search-page1", Parser::Runs, kOk, 3},
    {"runs-search-page2", Parser::Runs, kOk, 3},
    {"runs-search-page3", Parser::Runs, kOk, 2},
    {"metrics-get-history", Parser::History, kOk, 10},
    {"metrics-get-history-roc_auc", Parser::History, kOk, 10},
    {"metrics-get-history-unknown-key", Parser::History, kOk, 0},
    {"metrics-get-history-max_results-ignored", Parser::History, kOk, 10},
    {"error-metrics-get-history-run-not-found", Parser::History, kOk, 0},
    {"error-metrics-get-history-missing-key", Parser::History, kOk, 0},
    {"auth-basic-admin-ok", Parser::Models, kOk, 2},
    {"auth-reader-get-ok", Parser::Model, kOk, 1},
    {"auth-reader-alias-get-ok", Parser::Version, kOk, 1},
    {"error-registered-model-not-found", Parser::Model, kServer, -1, true, "RESOURCE_DOES_NOT_EXIST"},
    {"error-model-version-not-found", Parser::Version, kServer, -1, true, "RESOURCE_DOES_NOT_EXIST"},
    {"error-run-not-found", Parser::Run, kServer, -1, true, "RESOURCE_DOES_NOT_EXIST"},
    {"error-model-version-bad-version", Parser::Version, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-alias-not-found", Parser::Version, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-alias-model-not-found", Parser::Version, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-runs-search-bad-filter", Parser::Runs, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-runs-search-bad-page-token", Parser::Runs, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-model-versions-search-bad-page-token", Parser::Versions, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-registered-models-search-bad-filter", Parser::Models, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-registered-models-search-max-results-too-large", Parser::Models, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-post-wrong-content-type", Parser::Runs, kServer, -1, false, "INVALID_PARAMETER_VALUE"},
    {"error-experiments-search-max-results-not-int", Parser::Experiments, kHttp, -1},
    {"error-method-not-allowed", Parser::Runs, kHttp, -1},
    {"error-unknown-endpoint", Parser::Models, kHttp, -1},
    {"auth-no-credentials", Parser::Experiments, kHttp, -1},
    {"auth-basic-wrong-password", Parser::Experiments, kHttp, -1},
    {"auth-bearer-token-rejected", Parser::Experiments, kHttp, -1},
    {"auth-reader-write-forbidden", Parser::Model, kHttp, -1},
};

} // namespace

TEST_CASE("Every recorded MLflow answer parses to its expected value or error", "[mlflow][parser]")
{
    QStringList covered;
    for (const Expect &e : kEvery) {
        covered << QString::fromLatin1(e.fixture);
        const Outcome o = run(e);
        INFO(e.fixture << ": " << o.message.toStdString());
        CHECK(o.error == e.error);
        CHECK(o.items == e.items);
        CHECK(o.notFound == e.notFound);
        CHECK(o.errorCode == QLatin1String(e.errorCode));
        if (e.error != kOk)
            CHECK_FALSE(o.message.isEmpty());
    }
    // Every recording copied into the tests is covered here.
    QStringList files = QDir(kDir).entryList({"*.json"}, QDir::Files);
    for (QString &f : files)
        f.chop(5);
    files.sort();
    covered.sort();
    CHECK(files == covered);
}

// ---- what the real server sends, in detail ----

TEST_CASE("A registered model: timestamps in ms, tags, aliases as objects, latest versions with their aliases", "[mlflow][parser]")
{
    const auto r = parse("registered-models-get", parseRegisteredModel);
    REQUIRE(r.ok());
    const RegisteredModel &m = r.value;
    CHECK(m.name == "fraud-detector");
    CHECK(m.description == "Real-time card fraud scorer (binary classifier).");
    CHECK(m.creationTimeMs == 1795931409521);
    CHECK(m.lastUpdatedTimeMs == 1795931409609);
    CHECK(m.tags == KeyValues{{"owner", "risk-ml"}, {"domain", "payments"}});
    CHECK(m.aliases == QList<ModelAlias>{{"challenger", "3"}, {"champion", "2"}});
    REQUIRE(m.latestVersions.size() == 3);
    const ModelVersion &v2 = m.latestVersions[1];
    CHECK(v2.version == "2");
    CHECK(v2.stage == "Production");
    CHECK(v2.runId == "7dc24eac211342b4b6ceba8715ac2b17");
    CHECK(v2.status == "READY");
    CHECK(v2.creationTimeMs == 1795931409561);
    // latest_versions carry no aliases; the model's list fills them in.
    CHECK(v2.aliasesKnown);
    CHECK(v2.aliases == QStringList{"champion"});
    CHECK(m.latestVersions[0].aliases.isEmpty());
    CHECK(m.latestVersions[2].aliases == QStringList{"challenger"});
}

TEST_CASE("A model version from get carries its aliases, one from search does not say", "[mlflow][parser]")
{
    const auto got = parse("model-versions-get", parseModelVersion);
    REQUIRE(got.ok());
    CHECK(got.value.version == "2");
    CHECK(got.value.aliasesKnown);
    CHECK(got.value.aliases == QStringList{"champion"});
    CHECK(got.value.tags.size() == 3);

    const auto searched = parse("model-versions-search", parseModelVersionsPage);
    REQUIRE(searched.ok());
    REQUIRE(searched.value.items.size() == 3);
    for (const ModelVersion &v : searched.value.items) {
        CHECK_FALSE(v.aliasesKnown);
        CHECK(v.aliases.isEmpty());
        CHECK(v.name == "fraud-detector");
    }
    CHECK(searched.value.nextPageToken.isEmpty());
}

TEST_CASE("An alias resolves to its version with the version's own alias list", "[mlflow][parser]")
{
    const auto champion = parse("registered-models-alias-champion", parseModelVersion);
    REQUIRE(champion.ok());
    CHECK(champion.value.version == "2");
    CHECK(champion.value.aliases == QStringList{"champion"});
    const auto challenger = parse("registered-models-alias-challenger", parseModelVersion);
    REQUIRE(challenger.ok());
    CHECK(challenger.value.version == "3");
    CHECK(challenger.value.stage == "Staging");
}

TEST_CASE("A missing alias is MLflow's 400 INVALID_PARAMETER_VALUE with its message", "[mlflow][parser][errors]")
{
    const auto r = parse("error-alias-not-found", parseModelVersion);
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.httpStatus == 400);
    CHECK(r.message == "MLflow: Registered model alias no-such-alias not found. (INVALID_PARAMETER_VALUE, HTTP 400 Bad Request "
                       "from http://127.0.0.1:5055/api/2.0/mlflow/registered-models/alias)");
}

TEST_CASE("A missing model is RESOURCE_DOES_NOT_EXIST, notFound, with MLflow's words", "[mlflow][parser][errors]")
{
    const auto r = parse("error-registered-model-not-found", parseRegisteredModel);
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.notFound);
    CHECK(r.httpStatus == 404);
    CHECK(r.message.startsWith("MLflow: Registered Model with name=no-such-model not found (RESOURCE_DOES_NOT_EXIST, HTTP 404 Not Found from "));
}

TEST_CASE("A run: info, latest metrics, params and tags, and no end time while running", "[mlflow][parser]")
{
    const auto r = parse("runs-get", parseRun);
    REQUIRE(r.ok());
    const Run &run = r.value;
    CHECK(run.id == "7dc24eac211342b4b6ceba8715ac2b17");
    CHECK(run.experimentId == "1");
    CHECK(run.name == "xgb-v2-tuned");
    CHECK(run.userId == "alice");
    CHECK(run.status == "FINISHED");
    CHECK(run.startTimeMs == 1740830400000);
    CHECK(run.endTimeMs == 1740831120000);
    REQUIRE(run.metrics.size() == 6);
    CHECK(run.metrics[0] == MetricPoint{"accuracy", 0.963, 1740831000000, 9});
    CHECK(run.metrics[5].key == "training_time_s");
    CHECK(run.metrics[5].value == 222.0);
    CHECK(run.params.size() == 5);
    CHECK(run.params[1] == std::pair<QString, QString>{"learning_rate", "0.05"});
    CHECK(run.tags.contains(std::pair<QString, QString>{"tuning", "optuna"}));

    const auto running = parse("runs-get-running", parseRun);
    REQUIRE(running.ok());
    CHECK(running.value.status == "RUNNING");
    CHECK(running.value.endTimeMs == 0);
}

TEST_CASE("Runs search pages: tokens until the last page, which has none", "[mlflow][parser]")
{
    const auto p1 = parse("runs-search-page1", parseRunsPage);
    const auto p2 = parse("runs-search-page2", parseRunsPage);
    const auto p3 = parse("runs-search-page3", parseRunsPage);
    REQUIRE((p1.ok() && p2.ok() && p3.ok()));
    CHECK(p1.value.nextPageToken == "eyJvZmZzZXQiOiAzfQ==");
    CHECK(p2.value.nextPageToken == "eyJvZmZzZXQiOiA2fQ==");
    CHECK(p3.value.nextPageToken.isEmpty());
    QStringList ids;
    for (const auto *page : {&p1, &p2, &p3})
        for (const Run &run : page->value.items)
            ids << run.id;
    ids.removeDuplicates();
    CHECK(ids.size() == 8);
}

TEST_CASE("Experiments: string ids, omitted tags are empty, deleted ones are marked", "[mlflow][parser]")
{
    const auto r = parse("experiments-search-post-view-all", parseExperimentsPage);
    REQUIRE(r.ok());
    QStringList stages;
    bool sawUntagged = false;
    for (const Experiment &e : r.value.items) {
        stages << e.lifecycleStage;
        CHECK_FALSE(e.id.isEmpty());
        CHECK(e.creationTimeMs > 1'700'000'000'000);
        if (e.name == "Default")
            sawUntagged = e.tags.isEmpty();
    }
    CHECK(stages.contains("deleted"));
    CHECK(sawUntagged);
}

TEST_CASE("A metric history: points with value, timestamp and step, and {} for nothing", "[mlflow][parser]")
{
    const auto r = parse("metrics-get-history", parseMetricHistory);
    REQUIRE(r.ok());
    REQUIRE(r.value.items.size() == 10);
    CHECK(r.value.items[0] == MetricPoint{"accuracy", 0.8445, 1740830460000, 0});
    CHECK(r.value.items[9] == MetricPoint{"accuracy", 0.963, 1740831000000, 9});
    const auto empty = parse("metrics-get-history-unknown-key", parseMetricHistory);
    REQUIRE(empty.ok());
    CHECK(empty.value.items.isEmpty());
}

TEST_CASE("Flask's HTML error pages are HTTP errors that name the page, with a hint", "[mlflow][parser][errors]")
{
    const auto notFound = parse("error-unknown-endpoint", parseRegisteredModelsPage);
    CHECK(notFound.error == ErrorKind::Http);
    CHECK_FALSE(notFound.notFound); // the endpoint, not a model, is missing
    CHECK(notFound.message == "HTTP 404 Not Found from http://127.0.0.1:5055/api/2.0/mlflow/no/such/endpoint (an HTML page: "
                              "404 Not Found): not an MLflow 2.x API endpoint (is the URL the tracking server's base URL?)");
    const auto crash = parse("error-experiments-search-max-results-not-int", parseExperimentsPage);
    CHECK(crash.error == ErrorKind::Http);
    CHECK(crash.message.startsWith("HTTP 500 Internal Server Error from "));
    CHECK(crash.message.contains("an HTML page: 500 Internal Server Error"));
}

TEST_CASE("401 and 403 say what was sent and what to fix, never the secret", "[mlflow][parser][auth]")
{
    const Recorded r = recorded("auth-basic-wrong-password");
    HttpAuth none;
    INFO(describeAuthFailure(401, none, r.body, r.contentType, "http://h/api").toStdString());
    CHECK(describeAuthFailure(401, none, r.body, r.contentType, "http://h/api") ==
          "MLflow at http://h/api needs credentials (HTTP 401 Unauthorized, text: You are not authenticated. Please see "
          "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.): set "
          "basic_user and password_secret, or bearer_token_secret, for this connection");
    HttpAuth basic;
    basic.basicUser = "admin";
    basic.basicPassword = "s3cret-pw";
    const QString wrong = describeAuthFailure(401, basic, r.body, r.contentType, "http://h/api");
    CHECK(wrong.startsWith("MLflow at http://h/api did not accept user \"admin\" (HTTP 401 Unauthorized"));
    CHECK(wrong.endsWith("check the user name and the password in the keychain"));
    CHECK_FALSE(wrong.contains("s3cret-pw"));
    HttpAuth bearer;
    bearer.bearerToken = "dapi-secret-token";
    const QString token = describeAuthFailure(401, bearer, r.body, r.contentType, "http://h/api");
    CHECK(token.contains("did not accept the bearer token"));
    CHECK_FALSE(token.contains("dapi-secret-token"));
    const Recorded f = recorded("auth-reader-write-forbidden");
    basic.basicUser = "viewer";
    INFO(describeAuthFailure(403, basic, f.body, f.contentType, "http://h/api").toStdString());
    CHECK(describeAuthFailure(403, basic, f.body, f.contentType, "http://h/api") ==
          "MLflow at http://h/api refused access to user \"viewer\" (HTTP 403 Forbidden, text: Permission denied): the "
          "account lacks the permission");
}

TEST_CASE("Broken answers: truncated, not JSON, HTML with 200, wrong shapes", "[mlflow][parser][errors]")
{
    const Recorded good = recorded("registered-models-search");
    const auto cut = parseRegisteredModelsPage(good.body.left(good.body.size() / 2), 200, "application/json", "http://h/x");
    CHECK(cut.error == ErrorKind::BadResponse);
    CHECK(cut.message.startsWith("the JSON answer from http://h/x is truncated: it ends after "));

    const auto html = parseRegisteredModelsPage("<html><title>Sign in</title></html>", 200, "text/html", "http://h/x");
    CHECK(html.error == ErrorKind::BadResponse);
    CHECK(html.message.contains("got an HTML page: Sign in"));

    const auto empty = parseRun("", 200, "application/json", "http://h/x");
    CHECK(empty.error == ErrorKind::BadResponse);
    CHECK(empty.message == "empty answer from http://h/x (expected JSON)");

    const auto notArray = parseRegisteredModelsPage(R"({"registered_models": {"name": "x"}})", 200, "application/json");
    CHECK(notArray.error == ErrorKind::BadResponse);
    CHECK(notArray.message == "unexpected answer: registered_models is not an array (got an object)");

    const auto noVersion = parseModelVersion(R"({"model_version": {"name": "x"}})", 200, "application/json");
    CHECK(noVersion.error == ErrorKind::BadResponse);
    CHECK(noVersion.message == "unexpected answer: model_version has no version");

    const auto noRun = parseRun(R"({})", 200, "application/json");
    CHECK(noRun.error == ErrorKind::BadResponse);
    CHECK(noRun.message == "unexpected answer: run is not an object (got missing)");

    const auto badValue = parseMetricHistory(R"({"metrics": [{"key": "f1", "value": "high"}]})", 200, "application/json");
    CHECK(badValue.error == ErrorKind::BadResponse);
    CHECK(badValue.message == "unexpected answer: metrics[0].value is not a number (got a string)");

    const auto badGateway = parseRun("<html><head><title>502 Bad Gateway</title></head></html>", 502, "text/html", "http://h/x");
    CHECK(badGateway.error == ErrorKind::Http);
    CHECK(badGateway.httpStatus == 502);
    CHECK(badGateway.message == "HTTP 502 Bad Gateway from http://h/x (an HTML page: 502 Bad Gateway)");
}

TEST_CASE("Bytes that are not UTF-8 in a model name or tag become U+FFFD with a warning, the rest kept", "[mlflow][parser][errors]")
{
    // MLflow's own JSON is UTF-8, but a proxy or a hand-written store may not
    // be: one bad tag must not hide the model. An overlong '/' (C0 AF).
    const QByteArray body = QByteArray(R"({"registered_model": {"name": "fraud-detector", "tags": [{"key": "owner", "value": "risk)")
        + "\xc0\xaf" + R"(ml"}]}})";
    const auto r = parseRegisteredModel(body, 200, "application/json", "http://h/x");
    REQUIRE(r.ok());
    CHECK(r.value.name == "fraud-detector");
    REQUIRE(r.value.tags.size() == 1);
    const QString owner = r.value.tags.at(0).second;
    CHECK(owner.contains(QChar(0xFFFD)));
    CHECK(QString(owner).remove(QChar(0xFFFD)) == "riskml");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings.at(0) == QStringLiteral("the answer from http://h/x held bytes that are not UTF-8 (the first at byte %1); "
                                             "they are shown as \uFFFD").arg(body.indexOf('\xc0')));
    // Listings carry the warning too; clean answers carry none.
    const QByteArray page = QByteArray(R"({"registered_models": [{"name": "a)") + "\xff" + R"("}]})";
    const auto listed = parseRegisteredModelsPage(page, 200, "application/json");
    REQUIRE(listed.ok());
    REQUIRE(listed.value.items.size() == 1);
    CHECK(listed.value.items.at(0).name == QStringLiteral("a\uFFFD"));
    CHECK(listed.warnings.size() == 1);
    CHECK(parse("registered-models-get", parseRegisteredModel).warnings.isEmpty());
}

TEST_CASE("Lenient where other servers differ: numeric ids and versions, string timestamps, NaN values", "[mlflow][parser]")
{
    const auto v = parseModelVersion(R"({"model_version": {"name": "m", "version": 4, "creation_timestamp": "1700000000123", "run_id": "r"}})",
                                     200, "application/json");
    REQUIRE(v.ok());
    CHECK(v.value.version == "4");
    CHECK(v.value.creationTimeMs == 1700000000123);
    CHECK(v.value.aliasesKnown);
    CHECK(v.value.aliases.isEmpty()); // omitted: none

    const auto h = parseMetricHistory(R"({"metrics": [{"key": "loss", "value": "NaN", "timestamp": 5}, {"key": "loss", "timestamp": 6, "step": 1}]})",
                                      200, "application/json");
    REQUIRE(h.ok());
    REQUIRE(h.value.items.size() == 2);
    CHECK(std::isnan(h.value.items[0].value));
    CHECK(h.value.items[1].value == 0.0); // a 0 value is omitted as a default
    CHECK(h.value.items[1].step == 1);
}

// ---- requests ----

TEST_CASE("Requests are built as the recorded client sent them", "[mlflow][request]")
{
    using Key = vigil::test::MlflowReplayServer;
    auto keyOf = [](const ApiRequest &r) {
        const QJsonObject body = r.json.value_or(QJsonObject());
        return Key::keyFor(r.isPost() ? "POST" : "GET", r.path, r.query.toString(QUrl::FullyEncoded).toLatin1(),
                           r.isPost() ? &body : nullptr);
    };
    auto keyOfRecording = [](const char *name) {
        const Recorded rec = recorded(QString::fromLatin1(name));
        const QJsonObject body = rec.request.value("body").toObject();
        const QUrl url(rec.request.value("url").toString());
        const QByteArray method = rec.request.value("method").toString().toLatin1();
        return Key::keyFor(method, url.path(), url.query(QUrl::FullyEncoded).toLatin1(), method == "POST" ? &body : nullptr);
    };

    SearchOptions byName;
    byName.orderBy = {"name ASC"};
    CHECK(keyOf(buildSearchRegisteredModels({}, 100)) == keyOfRecording("registered-models-search"));
    CHECK(keyOf(buildSearchRegisteredModels(byName, 1)) == keyOfRecording("registered-models-search-page1"));
    CHECK(keyOf(buildSearchRegisteredModels(byName, 1, "eyJvZmZzZXQiOiAxfQ==")) == keyOfRecording("registered-models-search-page2"));
    SearchOptions like;
    like.filter = "name LIKE 'fraud%'";
    like.orderBy = {"name ASC"};
    CHECK(keyOf(buildSearchRegisteredModels(like, -1)) == keyOfRecording("registered-models-search-filter"));
    CHECK(keyOf(buildGetRegisteredModel("fraud-detector")) == keyOfRecording("registered-models-get"));

    SearchOptions versions;
    versions.filter = modelNameFilter("fraud-detector");
    CHECK(keyOf(buildSearchModelVersions(versions, -1)) == keyOfRecording("model-versions-search"));
    versions.orderBy = {"version_number DESC"};
    CHECK(keyOf(buildSearchModelVersions(versions, 2, "eyJvZmZzZXQiOiAyfQ==")) == keyOfRecording("model-versions-search-page2"));
    CHECK(keyOf(buildGetModelVersion("fraud-detector", "2")) == keyOfRecording("model-versions-get"));
    CHECK(keyOf(buildGetModelVersionByAlias("fraud-detector", "champion")) == keyOfRecording("registered-models-alias-champion"));
    CHECK(keyOf(buildGetRun("7dc24eac211342b4b6ceba8715ac2b17")) == keyOfRecording("runs-get"));
    CHECK(keyOf(buildGetMetricHistory("7dc24eac211342b4b6ceba8715ac2b17", "accuracy")) == keyOfRecording("metrics-get-history"));

    SearchOptions runs;
    runs.orderBy = {"attributes.start_time ASC"};
    CHECK(keyOf(buildSearchRuns({"1", "2"}, runs, 3, "eyJvZmZzZXQiOiAzfQ==")) == keyOfRecording("runs-search-page2"));
    SearchOptions filtered;
    filtered.filter = "metrics.accuracy > 0.95 and params.model = 'xgboost' and attributes.status = 'FINISHED'";
    filtered.viewType = "ACTIVE_ONLY";
    CHECK(keyOf(buildSearchRuns({"1"}, filtered, 50)) == keyOfRecording("runs-search-filter"));

    SearchOptions experiments;
    experiments.orderBy = {"creation_time DESC"};
    experiments.viewType = "ACTIVE_ONLY";
    CHECK(keyOf(buildSearchExperiments(experiments, 100)) == keyOfRecording("experiments-search-post"));
    CHECK(buildSearchExperiments(experiments, 100).isPost());
    CHECK(buildSearchRuns({"1"}, {}, 10).isPost());
    CHECK_FALSE(buildSearchModelVersions({}, 10).isPost());
}

TEST_CASE("Query values keep '+', '%', '&' and spaces intact on the wire", "[mlflow][request]")
{
    const QUrlQuery q = encodeQuery({{"filter", "tags.x = 'a+b&c=d 50%'"}});
    const QString wire = q.toString(QUrl::FullyEncoded);
    CHECK(wire == "filter=tags.x%20%3D%20%27a%2Bb%26c%3Dd%2050%25%27");
    QUrl url("http://h/api");
    url.setQuery(q);
    CHECK(url.query(QUrl::FullyEncoded) == wire);
    CHECK(modelNameFilter("fraud-detector") == "name='fraud-detector'");
    CHECK(modelNameFilter("bob's model") == "name=\"bob's model\"");
}

// ---- the series mini-syntax ----

TEST_CASE("mlflow_metric selectors: by version, alias or run, in any order and spacing", "[mlflow][selector]")
{
    const auto byVersion = parseMetricSelector(R"(mlflow_metric{model="fraud-detector",version="13",key="precision"})");
    REQUIRE(byVersion.ok());
    CHECK(byVersion.selector.model == "fraud-detector");
    CHECK(byVersion.selector.version == "13");
    CHECK(byVersion.selector.key == "precision");

    const auto byAlias = parseMetricSelector(R"(  mlflow_metric { key = "f1", alias="champion" , model="m \"x\" \\ y", } )");
    REQUIRE(byAlias.ok());
    CHECK(byAlias.selector.alias == "champion");
    CHECK(byAlias.selector.model == "m \"x\" \\ y");

    const auto byRun = parseMetricSelector(R"(mlflow_metric{run_id="7dc2",key="loss"})");
    REQUIRE(byRun.ok());
    CHECK(byRun.selector.runId == "7dc2");
    CHECK(byRun.selector.model.isEmpty());
}

TEST_CASE("mlflow_metric selectors that cannot work say why", "[mlflow][selector]")
{
    const std::pair<const char *, const char *> cases[] = {
        {"", "expected mlflow_metric{...} at the start"},
        {"up", "unknown series \"up\": the MLflow connector serves only mlflow_metric{...}"},
        {"mlflow_metric", "expected '{' after mlflow_metric"},
        {R"(mlflow_metric{model="m",version="1"})", "key=\"...\" (the metric's name in the run) is required"},
        {R"(mlflow_metric{model="m",key="f1"})", "name the run with exactly one of run_id, version or alias"},
        {R"(mlflow_metric{model="m",version="1",alias="a",key="f1"})", "name the run with exactly one of run_id, version or alias"},
        {R"(mlflow_metric{version="1",key="f1"})", "model=\"...\" is required with version"},
        {R"(mlflow_metric{alias="a",key="f1"})", "model=\"...\" is required with alias"},
        {R"(mlflow_metric{model=~"m.*",version="1",key="f1"})", "only = matchers are supported (label model)"},
        {R"(mlflow_metric{model!="m",version="1",key="f1"})", "only = matchers are supported (label model)"},
        {R"(mlflow_metric{stage="Production",key="f1"})", "unknown label stage (use model, version, alias, run_id and key)"},
        {R"(mlflow_metric{key="f1",key="f2"})", "label key is given twice"},
        {R"(mlflow_metric{key="f1)", "expected a value in double quotes for key"},
        {R"(mlflow_metric{key=f1})", "expected a value in double quotes for key"},
        {R"(mlflow_metric{run_id="r" key="f1"})", "expected ',' or '}' at position 26"},
        {R"(mlflow_metric{run_id="r",key="f1"}[5m])", "unexpected text after '}': \"[5m]\""},
    };
    for (const auto &[expr, why] : cases) {
        const auto r = parseMetricSelector(QString::fromUtf8(expr));
        INFO(expr << " -> " << r.error.toStdString());
        CHECK_FALSE(r.ok());
        CHECK(r.error == QString::fromUtf8(why));
    }
}
