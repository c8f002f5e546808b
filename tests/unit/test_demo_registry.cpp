// SPDX-License-Identifier: GPL-3.0-or-later
// The demo fleet's MLflow registry (issue 5, item 5), without HTTP: its
// answers have the shapes of the recorded MLflow 2.10.2 answers
// (tests/fixtures/mlflow), its errors are MLflow's, and the versions differ
// where the compare view should show a difference.
#include <catch2/catch.hpp>

#include "fleet/fleet_model.h"
#include "fleet/mlflow_registry.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

using namespace vigil::demo;

namespace {

QJsonObject recorded(const char *name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/mlflow/%1.json").arg(QLatin1String(name)));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("response")).toObject();
}

MlflowAnswer ask(const char *endpoint, const QList<QPair<QString, QString>> &query = {}, const QByteArray &method = "GET",
                 const QByteArray &body = {})
{
    // As it arrives over HTTP: percent-encoded (a literal % in a LIKE filter too).
    QStringList parts;
    for (const auto &[k, v] : query)
        parts << QString::fromLatin1(QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v));
    const QUrlQuery q(parts.join(u'&'));
    return answerMlflow(demoFleet(), method, QLatin1String(endpoint), q, body);
}

QJsonObject json(const MlflowAnswer &a)
{
    return QJsonDocument::fromJson(a.body).object();
}

// Every key the demo sends exists in the recording with the same JSON type,
// recursively (first element of arrays). The demo may leave keys out, as
// MLflow itself does for empty fields.
void checkShape(const QJsonValue &demo, const QJsonValue &real, const QString &path)
{
    INFO(path.toStdString());
    REQUIRE(demo.type() == real.type());
    if (demo.isObject()) {
        const QJsonObject d = demo.toObject();
        const QJsonObject r = real.toObject();
        for (auto it = d.begin(); it != d.end(); ++it) {
            INFO("key " << it.key().toStdString());
            REQUIRE(r.contains(it.key()));
            checkShape(it.value(), r.value(it.key()), path + u'.' + it.key());
        }
    } else if (demo.isArray() && !demo.toArray().isEmpty() && !real.toArray().isEmpty()) {
        checkShape(demo.toArray().first(), real.toArray().first(), path + QStringLiteral("[0]"));
    }
}

} // namespace

TEST_CASE("Demo registry: answers have the shapes of the recorded MLflow answers", "[demo][registry]")
{
    struct Row
    {
        const char *recording;
        MlflowAnswer answer;
    };
    const QString championRun = demoFleet().first().versions.first().runId;
    const Row rows[] = {
        {"registered-models-search", ask("registered-models/search")},
        {"registered-models-get", ask("registered-models/get", {{"name", "fraud-detector"}})},
        {"registered-models-alias-champion", ask("registered-models/alias", {{"name", "fraud-detector"}, {"alias", "champion"}})},
        {"model-versions-get", ask("model-versions/get", {{"name", "fraud-detector"}, {"version", "12"}})},
        {"model-versions-search", ask("model-versions/search", {{"filter", "name='fraud-detector'"}})},
        {"model-versions-search-page1",
         ask("model-versions/search", {{"filter", "name='fraud-detector'"}, {"max_results", "1"}})},
        {"runs-get", ask("runs/get", {{"run_id", championRun}})},
        {"runs-search", ask("runs/search", {}, "POST", R"({"experiment_ids": ["4", "7"], "max_results": 100})")},
        {"metrics-get-history", ask("metrics/get-history", {{"run_id", championRun}, {"metric_key", "f1"}})},
        {"experiments-search-post", ask("experiments/search", {}, "POST", R"({"max_results": 100})")},
        {"experiments-search-get", ask("experiments/search", {{"max_results", "100"}})},
        {"metrics-get-history-unknown-key", ask("metrics/get-history", {{"run_id", championRun}, {"metric_key", "nope"}})},
        {"error-alias-not-found", ask("registered-models/alias", {{"name", "fraud-detector"}, {"alias", "no-such-alias"}})},
        {"error-model-version-not-found", ask("model-versions/get", {{"name", "fraud-detector"}, {"version", "99"}})},
        {"error-model-version-bad-version", ask("model-versions/get", {{"name", "fraud-detector"}, {"version", "abc"}})},
        {"error-registered-model-not-found", ask("registered-models/get", {{"name", "no-such-model"}})},
        {"error-run-not-found", ask("runs/get", {{"run_id", "00000000000000000000000000000000"}})},
        {"error-registered-models-search-max-results-too-large", ask("registered-models/search", {{"max_results", "1001"}})},
        {"error-model-versions-search-bad-page-token",
         ask("model-versions/search", {{"filter", "name='fraud-detector'"}, {"page_token", "not base64!"}})},
        {"error-method-not-allowed", ask("runs/search")},
        {"error-unknown-endpoint", ask("no/such/endpoint")},
    };
    for (const Row &row : rows) {
        INFO("recording " << row.recording);
        const QJsonObject real = recorded(row.recording);
        CHECK(row.answer.status == real.value(QLatin1String("status")).toInt());
        const QString type = real.value(QLatin1String("headers")).toObject().value(QLatin1String("Content-Type")).toString();
        CHECK(QString::fromLatin1(row.answer.contentType) == type);
        if (type.startsWith(QLatin1String("application/json"))) {
            checkShape(json(row.answer), real.value(QLatin1String("body")), QStringLiteral("body"));
            if (real.value(QLatin1String("status")).toInt() != 200) // MLflow's own error sentence, with our names
                CHECK(json(row.answer).value(QLatin1String("message")).toString()
                      == real.value(QLatin1String("body")).toObject().value(QLatin1String("message")).toString());
        } else {
            CHECK(row.answer.body == real.value(QLatin1String("body_raw")).toString().toUtf8());
        }
    }
}

TEST_CASE("Demo registry: the fleet's versions, stages and aliases", "[demo][registry]")
{
    const QJsonObject model = json(ask("registered-models/get", {{"name", "fraud-detector"}}))
                                  .value(QLatin1String("registered_model"))
                                  .toObject();
    const QJsonArray aliases = model.value(QLatin1String("aliases")).toArray();
    REQUIRE(aliases.size() == 2);
    CHECK(aliases[0].toObject().value(QLatin1String("alias")).toString() == "challenger");
    CHECK(aliases[0].toObject().value(QLatin1String("version")).toString() == "13");
    CHECK(aliases[1].toObject().value(QLatin1String("alias")).toString() == "champion");
    CHECK(aliases[1].toObject().value(QLatin1String("version")).toString() == "12");
    // latest_versions: one per stage, no aliases (as MLflow).
    for (const QJsonValue &v : model.value(QLatin1String("latest_versions")).toArray())
        CHECK_FALSE(v.toObject().contains(QLatin1String("aliases")));

    const QJsonObject v8 = json(ask("registered-models/alias", {{"name", "spam-filter"}, {"alias", "challenger"}}))
                               .value(QLatin1String("model_version"))
                               .toObject();
    CHECK(v8.value(QLatin1String("version")).toString() == "8");
    CHECK(v8.value(QLatin1String("current_stage")).toString() == "Staging");
    CHECK(v8.value(QLatin1String("aliases")).toArray() == QJsonArray{"challenger"});
    // Search results carry no aliases and come newest first.
    const QJsonArray versions = json(ask("model-versions/search", {{"filter", "name = 'spam-filter'"}}))
                                    .value(QLatin1String("model_versions"))
                                    .toArray();
    REQUIRE(versions.size() == 2);
    CHECK(versions[0].toObject().value(QLatin1String("version")).toString() == "8");
    CHECK_FALSE(versions[0].toObject().contains(QLatin1String("aliases")));
}

TEST_CASE("Demo registry: the challenger's run differs from the champion's in params and metrics", "[demo][registry]")
{
    const auto runOf = [](int index) {
        const QString runId = demoFleet().first().versions.at(index).runId;
        return json(ask("runs/get", {{"run_id", runId}})).value(QLatin1String("run")).toObject();
    };
    const auto valueOf = [](const QJsonObject &run, const char *list, const char *key) {
        for (const QJsonValue &v : run[QLatin1String("data")][QLatin1String(list)].toArray()) {
            if (v[QLatin1String("key")].toString() == QLatin1String(key))
                return v[QLatin1String("value")];
        }
        return QJsonValue();
    };
    const QJsonObject champion = runOf(0);
    const QJsonObject challenger = runOf(1);
    CHECK(valueOf(champion, "params", "learning_rate").toString() == "0.05");
    CHECK(valueOf(challenger, "params", "learning_rate").toString() == "0.03");
    CHECK(valueOf(champion, "params", "seed") == valueOf(challenger, "params", "seed"));
    CHECK(valueOf(champion, "metrics", "f1").toDouble() == 0.902);
    CHECK(valueOf(challenger, "metrics", "f1").toDouble() == 0.914);
    CHECK(champion[QLatin1String("info")][QLatin1String("experiment_id")].toString() == "4");
}

TEST_CASE("Demo registry: metric histories rise to the run's final value", "[demo][registry]")
{
    const ModelVersionInfo &v12 = demoFleet().first().versions.first();
    const QJsonArray points = json(ask("metrics/get-history", {{"run_id", v12.runId}, {"metric_key", "roc_auc"}}))
                                  .value(QLatin1String("metrics"))
                                  .toArray();
    REQUIRE(points.size() == 10);
    for (int i = 1; i < points.size(); ++i) {
        CHECK(points[i][QLatin1String("value")].toDouble() >= points[i - 1][QLatin1String("value")].toDouble());
        CHECK(points[i][QLatin1String("timestamp")].toDouble() > points[i - 1][QLatin1String("timestamp")].toDouble());
        CHECK(points[i][QLatin1String("step")].toInt() == i);
    }
    CHECK(points.last()[QLatin1String("value")].toDouble() == 0.981);
    CHECK(points.first()[QLatin1String("value")].toDouble() < 0.981);
}

TEST_CASE("Demo registry: listings page with MLflow's tokens to the end", "[demo][registry]")
{
    QString token;
    QStringList names;
    int pages = 0;
    do {
        QList<QPair<QString, QString>> q = {{"max_results", "1"}};
        if (!token.isEmpty())
            q.append({"page_token", token});
        const QJsonObject page = json(ask("registered-models/search", q));
        for (const QJsonValue &m : page.value(QLatin1String("registered_models")).toArray())
            names << m[QLatin1String("name")].toString();
        token = page.value(QLatin1String("next_page_token")).toString();
        ++pages;
    } while (!token.isEmpty() && pages < 10);
    CHECK(pages == 2);
    CHECK(names == QStringList{"fraud-detector", "spam-filter"});
    // Filters: LIKE, and a clause MLflow would refuse.
    CHECK(json(ask("registered-models/search", {{"filter", "name LIKE 'spam%'"}}))
              .value(QLatin1String("registered_models"))
              .toArray()
              .size()
          == 1);
    const MlflowAnswer bad = ask("registered-models/search", {{"filter", "owner = 'x'"}});
    CHECK(bad.status == 400);
    CHECK(json(bad).value(QLatin1String("error_code")).toString() == "INVALID_PARAMETER_VALUE");
}
