// SPDX-License-Identifier: GPL-3.0-or-later
// `vigil-demo-fleet --seed-mlflow URL` (issue 5, item 5: "if the user has a
// real MLflow, the demo uses it instead"): it writes the demo registry into a
// tracking server through MLflow's REST API 2.0 create endpoints. MLflow itself
// cannot be installed here, so a loopback fake checks every request against the
// API's documented request fields (required ones present, types, no unknown
// ones), keeps what was created, and serves it back through the same read
// endpoints the fleet's own registry answers (fleet/mlflow_registry.*). Read by
// Vigil's MLflow connector, the seeded registry must read as the demo's.
#include <catch2/catch.hpp>

#include "compare/model_mapping.h"
#include "fleet/fleet_model.h"
#include "fleet/mlflow_registry.h"
#include "sources/connector.h"
#include "sources/model_registry.h"
#include "support/test_stack.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPluginLoader>
#include <QProcess>

#include <map>

using namespace vigil;
using namespace vigil::test;

namespace {

// A field's JSON type as the REST API documents it.
enum class Type { String, Int64, Double, Bool, KeyValues, Metrics };

struct Field
{
    const char *name;
    Type type;
    bool required = false;
};

// The MLflow tracking server the seeder talks to: validates, stores, serves back.
class FakeMlflow
{
public:
    FakeMlflow()
    {
        const QStringList writes{"experiments/create",   "runs/create",
                                 "runs/log-batch",       "runs/update",
                                 "registered-models/create", "model-versions/create",
                                 "model-versions/delete", "model-versions/transition-stage",
                                 "experiments/get-by-name"};
        for (const QString &endpoint : writes + demo::mlflowEndpoints()) {
            if (endpoint == QLatin1String("registered-models/alias"))
                continue; // below: GET reads, POST writes
            m_http.route(QStringLiteral("/api/2.0/mlflow/") + endpoint,
                         [this, endpoint](const QHttpServerRequest &r) { return answer(endpoint, r); });
        }
        m_http.route(QStringLiteral("/api/2.0/mlflow/registered-models/alias"),
                     [this](const QHttpServerRequest &r) { return answer(QStringLiteral("registered-models/alias"), r); });
        const quint16 port = m_http.listen(QHostAddress::LocalHost, 0);
        REQUIRE(port != 0);
        url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    }

    QUrl url;
    bool forbidWrites = false;  // answer writes as a read-only user of basic-auth MLflow does
    QStringList problems;       // requests that do not follow the API
    std::map<QString, int> calls; // endpoint -> how many times

    // What was created, as the demo fleet's model types, for answerMlflow().
    QList<demo::ModelInfo> seeded() const
    {
        QList<demo::ModelInfo> out;
        for (const Model &m : m_models) {
            demo::ModelInfo info;
            info.name = m.name;
            info.description = m.description;
            info.creationTimestampMs = m.created;
            for (auto it = m.versions.cbegin(); it != m.versions.cend(); ++it) {
                const Version &v = it->second;
                if (v.deleted)
                    continue;
                demo::ModelVersionInfo vi;
                vi.registryVersion = it->first;
                vi.version = QStringLiteral("v%1").arg(it->first);
                vi.stage = v.stage;
                for (auto a = m.aliases.cbegin(); a != m.aliases.cend(); ++a) {
                    if (a->second == it->first)
                        vi.aliases << a->first;
                }
                vi.runId = v.runId;
                vi.creationTimestampMs = v.created;
                vi.source = v.source;
                vi.description = v.description;
                vi.tags = v.tags;
                const auto run = m_runs.find(v.runId);
                if (run != m_runs.cend()) {
                    vi.experimentId = run->second.experimentId;
                    vi.runName = run->second.name;
                    vi.params = run->second.params;
                    for (const auto &[key, points] : run->second.metrics)
                        vi.offlineMetrics.insert(key, points.last().second);
                }
                info.versions << vi;
            }
            out << info;
        }
        return out;
    }

    // The metric history a run logged, (step, value) per point.
    QList<QPair<qint64, double>> logged(const QString &runId, const QString &key) const
    {
        const auto run = m_runs.find(runId);
        if (run == m_runs.cend() || !run->second.metrics.count(key))
            return {};
        return run->second.metrics.at(key);
    }

private:
    struct Version
    {
        QString source, runId, description, stage = QStringLiteral("None");
        QList<QPair<QString, QString>> tags;
        qint64 created = 0;
        bool deleted = false;
    };
    struct Model
    {
        QString name, description;
        qint64 created = 0;
        std::map<int, Version> versions;
        std::map<QString, int> aliases;
    };
    struct RunState
    {
        QString experimentId, name, status = QStringLiteral("RUNNING");
        qint64 start = 0, end = 0;
        QList<QPair<QString, QString>> params, tags;
        std::map<QString, QList<QPair<qint64, double>>> metrics; // key -> (step, value)
    };

    static QHttpServerResponse json(const QJsonObject &o, int status = 200)
    {
        return QHttpServerResponse("application/json", QJsonDocument(o).toJson(QJsonDocument::Compact),
                                   QHttpServerResponse::StatusCode(status));
    }
    static QHttpServerResponse mlflowError(int status, const char *code, const QString &message)
    {
        return json({{QStringLiteral("error_code"), QLatin1String(code)}, {QStringLiteral("message"), message}}, status);
    }

    // Checks a body against the documented fields; records what is wrong.
    bool check(const QString &endpoint, const QJsonObject &body, const QList<Field> &fields)
    {
        const int before = int(problems.size());
        QStringList known;
        for (const Field &f : fields) {
            known << QLatin1String(f.name);
            const QJsonValue v = body.value(QLatin1String(f.name));
            if (v.isUndefined()) {
                if (f.required)
                    problems << endpoint + QStringLiteral(": missing ") + QLatin1String(f.name);
                continue;
            }
            bool ok = true;
            switch (f.type) {
            case Type::String: ok = v.isString(); break;
            case Type::Int64: ok = v.isDouble() && v.toDouble() == double(qint64(v.toDouble())); break;
            case Type::Double: ok = v.isDouble(); break;
            case Type::Bool: ok = v.isBool(); break;
            case Type::KeyValues:
                ok = v.isArray();
                for (const QJsonValue &kv : v.toArray()) {
                    const QJsonObject o = kv.toObject();
                    ok = ok && o.size() == 2 && o.value(QLatin1String("key")).isString() &&
                         o.value(QLatin1String("value")).isString();
                }
                break;
            case Type::Metrics:
                ok = v.isArray();
                for (const QJsonValue &m : v.toArray()) {
                    const QJsonObject o = m.toObject();
                    ok = ok && o.size() == 4 && o.value(QLatin1String("key")).isString() &&
                         o.value(QLatin1String("value")).isDouble() && o.value(QLatin1String("timestamp")).isDouble() &&
                         o.value(QLatin1String("step")).isDouble();
                }
                break;
            }
            if (!ok)
                problems << endpoint + QStringLiteral(": wrong type of ") + QLatin1String(f.name);
        }
        for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
            if (!known.contains(it.key()))
                problems << endpoint + QStringLiteral(": unknown field ") + it.key();
        }
        return problems.size() == before;
    }

    static QList<QPair<QString, QString>> pairs(const QJsonValue &v)
    {
        QList<QPair<QString, QString>> out;
        for (const QJsonValue &kv : v.toArray())
            out.append({kv[QLatin1String("key")].toString(), kv[QLatin1String("value")].toString()});
        return out;
    }

    QHttpServerResponse answer(const QString &endpoint, const QHttpServerRequest &r)
    {
        ++calls[endpoint];
        const bool get = r.method() == QHttpServerRequest::Method::Get;
        const bool read = get || endpoint == QLatin1String("runs/search") ||
                          (endpoint == QLatin1String("experiments/search"));
        if (read && endpoint != QLatin1String("experiments/get-by-name")) {
            const demo::MlflowAnswer a = demo::answerMlflow(seeded(), get ? "GET" : "POST", endpoint, r.query(), r.body());
            return QHttpServerResponse(a.contentType, a.body, QHttpServerResponse::StatusCode(a.status));
        }
        if (forbidWrites && !get)
            return QHttpServerResponse("text/html; charset=utf-8", "Permission denied",
                                       QHttpServerResponse::StatusCode::Forbidden);
        if (endpoint == QLatin1String("experiments/get-by-name")) {
            const QString name = r.query().queryItemValue(QStringLiteral("experiment_name"));
            for (auto it = m_experiments.cbegin(); it != m_experiments.cend(); ++it) {
                if (it->second == name)
                    return json({{QStringLiteral("experiment"),
                                  QJsonObject{{QStringLiteral("experiment_id"), it->first}, {QStringLiteral("name"), name}}}});
            }
            return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Could not find experiment with name '%1'").arg(name));
        }

        const QByteArray contentType = r.value("Content-Type");
        if (!contentType.startsWith("application/json"))
            problems << endpoint + QStringLiteral(": Content-Type ") + QString::fromLatin1(contentType);
        const QJsonDocument doc = QJsonDocument::fromJson(r.body());
        if (!doc.isObject()) {
            problems << endpoint + QStringLiteral(": body is not a JSON object");
            return mlflowError(400, "MALFORMED_REQUEST", QStringLiteral("Malformed request"));
        }
        const QJsonObject b = doc.object();
        const bool post = r.method() == QHttpServerRequest::Method::Post;
        const bool del = r.method() == QHttpServerRequest::Method::Delete;
        const auto bad = [&] { return mlflowError(400, "INVALID_PARAMETER_VALUE", QStringLiteral("bad request")); };
        const qint64 now = 1'795'000'000'000 + 1000 * qint64(calls[endpoint]);

        if (endpoint == QLatin1String("experiments/create") && post) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"artifact_location", Type::String}, {"tags", Type::KeyValues}}))
                return bad();
            const QString id = QString::number(m_experiments.size() + 1);
            m_experiments[id] = b[QLatin1String("name")].toString();
            return json({{QStringLiteral("experiment_id"), id}});
        }
        if (endpoint == QLatin1String("runs/create") && post) {
            if (!check(endpoint, b, {{"experiment_id", Type::String, true}, {"user_id", Type::String},
                                     {"run_name", Type::String}, {"start_time", Type::Int64}, {"tags", Type::KeyValues}}))
                return bad();
            if (!m_experiments.count(b[QLatin1String("experiment_id")].toString()))
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No experiment"));
            const QString id = QStringLiteral("%1").arg(m_runs.size() + 1, 32, 10, QLatin1Char('0'));
            RunState &run = m_runs[id];
            run.experimentId = b[QLatin1String("experiment_id")].toString();
            run.name = b[QLatin1String("run_name")].toString();
            run.start = qint64(b[QLatin1String("start_time")].toDouble());
            run.tags = pairs(b[QLatin1String("tags")]);
            const QJsonObject info{{QStringLiteral("run_id"), id}, {QStringLiteral("run_uuid"), id},
                                   {QStringLiteral("experiment_id"), run.experimentId},
                                   {QStringLiteral("run_name"), run.name}, {QStringLiteral("status"), run.status},
                                   {QStringLiteral("start_time"), double(run.start)},
                                   {QStringLiteral("artifact_uri"),
                                    QStringLiteral("mlflow-artifacts:/%1/%2/artifacts").arg(run.experimentId, id)},
                                   {QStringLiteral("lifecycle_stage"), QStringLiteral("active")}};
            return json({{QStringLiteral("run"), QJsonObject{{QStringLiteral("info"), info},
                                                             {QStringLiteral("data"), QJsonObject()}}}});
        }
        if (endpoint == QLatin1String("runs/log-batch") && post) {
            if (!check(endpoint, b, {{"run_id", Type::String, true}, {"metrics", Type::Metrics},
                                     {"params", Type::KeyValues}, {"tags", Type::KeyValues}}))
                return bad();
            const auto run = m_runs.find(b[QLatin1String("run_id")].toString());
            if (run == m_runs.end())
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No run"));
            // The API's limits per request.
            if (b[QLatin1String("metrics")].toArray().size() > 1000 || b[QLatin1String("params")].toArray().size() > 100)
                problems << endpoint + QStringLiteral(": over the batch limits");
            run->second.params += pairs(b[QLatin1String("params")]);
            for (const QJsonValue &m : b[QLatin1String("metrics")].toArray())
                run->second.metrics[m[QLatin1String("key")].toString()].append(
                    {qint64(m[QLatin1String("step")].toDouble()), m[QLatin1String("value")].toDouble()});
            return json({});
        }
        if (endpoint == QLatin1String("runs/update") && post) {
            if (!check(endpoint, b, {{"run_id", Type::String, true}, {"run_uuid", Type::String}, {"status", Type::String},
                                     {"end_time", Type::Int64}, {"run_name", Type::String}}))
                return bad();
            const QStringList statuses{"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
            if (!statuses.contains(b[QLatin1String("status")].toString()))
                problems << endpoint + QStringLiteral(": status not a RunStatus");
            const auto run = m_runs.find(b[QLatin1String("run_id")].toString());
            if (run == m_runs.end())
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No run"));
            run->second.status = b[QLatin1String("status")].toString();
            run->second.end = qint64(b[QLatin1String("end_time")].toDouble());
            return json({{QStringLiteral("run_info"), QJsonObject{{QStringLiteral("run_id"), run->first},
                                                                  {QStringLiteral("status"), run->second.status}}}});
        }
        if (endpoint == QLatin1String("registered-models/create") && post) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"tags", Type::KeyValues}, {"description", Type::String}}))
                return bad();
            const QString name = b[QLatin1String("name")].toString();
            for (const Model &m : m_models) {
                if (m.name == name) // as recorded: error-create-duplicate-model.json
                    return mlflowError(400, "RESOURCE_ALREADY_EXISTS",
                                       QStringLiteral("Registered Model (name=%1) already exists.").arg(name));
            }
            m_models.append(Model{name, b[QLatin1String("description")].toString(), now, {}, {}});
            return json({{QStringLiteral("registered_model"),
                          QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("creation_timestamp"), double(now)}}}});
        }
        Model *model = nullptr;
        for (Model &m : m_models) {
            if (m.name == b[QLatin1String("name")].toString())
                model = &m;
        }
        if (endpoint == QLatin1String("model-versions/create") && post) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"source", Type::String, true}, {"run_id", Type::String},
                                     {"tags", Type::KeyValues}, {"run_link", Type::String}, {"description", Type::String}}))
                return bad();
            if (!model)
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No model"));
            if (b.contains(QLatin1String("run_id")) && !m_runs.count(b[QLatin1String("run_id")].toString()))
                problems << endpoint + QStringLiteral(": run_id of no run");
            // MLflow's SQL store: the next number after every version ever made, deleted ones included.
            const int number = model->versions.empty() ? 1 : model->versions.rbegin()->first + 1;
            Version &v = model->versions[number];
            v.source = b[QLatin1String("source")].toString();
            v.runId = b[QLatin1String("run_id")].toString();
            v.description = b[QLatin1String("description")].toString();
            v.tags = pairs(b[QLatin1String("tags")]);
            v.created = now;
            return json({{QStringLiteral("model_version"),
                          QJsonObject{{QStringLiteral("name"), model->name}, {QStringLiteral("version"), QString::number(number)},
                                      {QStringLiteral("current_stage"), v.stage}, {QStringLiteral("status"), QStringLiteral("READY")}}}});
        }
        const int number = b[QLatin1String("version")].toString().toInt();
        Version *version = model && model->versions.count(number) && !model->versions[number].deleted
                               ? &model->versions[number] : nullptr;
        if (endpoint == QLatin1String("model-versions/delete") && del) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"version", Type::String, true}}))
                return bad();
            if (!version)
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No version"));
            version->deleted = true;
            return json({});
        }
        if (endpoint == QLatin1String("model-versions/transition-stage") && post) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"version", Type::String, true},
                                     {"stage", Type::String, true}, {"archive_existing_versions", Type::Bool, true}}))
                return bad();
            const QStringList stages{"None", "Staging", "Production", "Archived"};
            if (!stages.contains(b[QLatin1String("stage")].toString()))
                problems << endpoint + QStringLiteral(": not a stage");
            if (!version)
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No version"));
            version->stage = b[QLatin1String("stage")].toString();
            return json({{QStringLiteral("model_version"), QJsonObject{{QStringLiteral("name"), model->name},
                                                                       {QStringLiteral("version"), QString::number(number)},
                                                                       {QStringLiteral("current_stage"), version->stage}}}});
        }
        if (endpoint == QLatin1String("registered-models/alias") && post) {
            if (!check(endpoint, b, {{"name", Type::String, true}, {"alias", Type::String, true}, {"version", Type::String, true}}))
                return bad();
            if (!version)
                return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No version"));
            model->aliases[b[QLatin1String("alias")].toString()] = number;
            return json({});
        }
        problems << endpoint + QStringLiteral(": unexpected method");
        return mlflowError(405, "BAD_REQUEST", QStringLiteral("method"));
    }

    QHttpServer m_http;
    std::map<QString, QString> m_experiments; // id -> name
    std::map<QString, RunState> m_runs;
    QList<Model> m_models;
};

struct SeedRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// The seeder runs as its own process; the fake answers from this one's event loop.
SeedRun seed(const QUrl &url)
{
    QProcess p;
    p.start(QStringLiteral(VIGIL_BIN_DIR "/vigil-demo-fleet"), {QStringLiteral("--seed-mlflow"), url.toString()});
    REQUIRE(p.waitForStarted(10'000));
    REQUIRE(waitUntil([&] { return p.state() == QProcess::NotRunning; }, 60'000));
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

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

// What the compare view shows of a version, without the ids and times a server assigns.
QStringList describe(ModelRegistry &registry, const QString &model)
{
    QStringList out;
    const auto versions = await(registry.modelVersions(model));
    INFO(versions.message.toStdString());
    REQUIRE(versions.ok());
    for (const ModelVersion &listed : versions.value) {
        const auto v = await(registry.modelVersion(model, listed.version));
        REQUIRE(v.ok());
        const auto run = await(registry.run(v.value.runId));
        INFO(run.message.toStdString());
        REQUIRE(run.ok());
        QStringList metrics;
        for (const MetricPoint &p : run.value.metrics)
            metrics << QStringLiteral("%1=%2").arg(p.key).arg(p.value);
        QStringList params;
        for (const auto &[k, val] : run.value.params)
            params << k + u'=' + val;
        QStringList tags;
        for (const auto &[k, val] : v.value.tags)
            tags << k + u'=' + val;
        metrics.sort();
        params.sort();
        out << QStringLiteral("%1 v%2 stage=%3 aliases=%4 description=%5 tags=%6 run=%7 %8 params=%9 metrics=%10")
                   .arg(model, v.value.version, v.value.stage, v.value.aliases.join(u','), v.value.description,
                        tags.join(u','), run.value.name, run.value.status, params.join(u','))
                   .arg(metrics.join(u','));
    }
    return out;
}

} // namespace

TEST_CASE("MLflow seeding: every create request follows the REST API, and the numbers line up with the demo's",
          "[plugins][demo][registry][seed]")
{
    FakeMlflow fake;
    const SeedRun run = seed(fake.url);
    INFO(run.out.toStdString() << run.err.toStdString());
    REQUIRE(run.exitCode == 0);
    CHECK(run.out.contains(QStringLiteral("seeded fraud-detector (versions 12, 13)")));
    CHECK(run.out.contains(QStringLiteral("seeded spam-filter (versions 7, 8)")));
    INFO(fake.problems.join(u'\n').toStdString());
    CHECK(fake.problems.isEmpty());

    CHECK(fake.calls["registered-models/create"] == 2);
    CHECK(fake.calls["experiments/create"] == 2);
    CHECK(fake.calls["runs/create"] == 4);
    CHECK(fake.calls["runs/log-batch"] == 4);
    CHECK(fake.calls["runs/update"] == 4);
    // Numbers 1-11 and 1-6 are made and deleted so the demo's are 12, 13 and 7, 8.
    CHECK(fake.calls["model-versions/create"] == 13 + 8);
    CHECK(fake.calls["model-versions/delete"] == 11 + 6);
    CHECK(fake.calls["model-versions/transition-stage"] == 4);
    CHECK(fake.calls["registered-models/alias"] == 4);

    // Each offline metric's 10-step history, as the fleet's registry reports it.
    const QList<demo::ModelInfo> seeded = fake.seeded();
    REQUIRE(seeded.size() == 2);
    const demo::ModelVersionInfo *v13 = seeded[0].version(QStringLiteral("v13"));
    REQUIRE(v13);
    const auto f1 = fake.logged(v13->runId, QStringLiteral("f1"));
    REQUIRE(f1.size() == 10);
    CHECK(f1.first().first == 0);
    CHECK(f1.last() == QPair<qint64, double>{9, 0.914});
}

TEST_CASE("MLflow seeding: read by Vigil's MLflow connector, the seeded server reads as the demo fleet's registry",
          "[plugins][demo][registry][seed]")
{
    FakeMlflow fake;
    REQUIRE(seed(fake.url).exitCode == 0);
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(1.0);
    auto seededConnector = mlflowConnector(fake.url);
    auto fleetConnector = mlflowConnector(fleet);
    auto *seededRegistry = qobject_cast<ModelRegistry *>(seededConnector.get());
    auto *fleetRegistry = qobject_cast<ModelRegistry *>(fleetConnector.get());
    REQUIRE(seededRegistry);
    REQUIRE(fleetRegistry);

    for (const QString &model : {QStringLiteral("fraud-detector"), QStringLiteral("spam-filter")}) {
        const QStringList fromSeeded = describe(*seededRegistry, model);
        INFO(fromSeeded.join(u'\n').toStdString());
        CHECK(fromSeeded.size() == 2);
        CHECK(fromSeeded == describe(*fleetRegistry, model));
    }
    // The compare view's refs resolve the same way.
    const auto champion = await(compare::resolveVersionRef(*seededRegistry, QStringLiteral("fraud-detector"),
                                                           QStringLiteral("champion")));
    REQUIRE(champion.ok());
    CHECK(champion.value.version == "12");
    const auto challenger = await(compare::resolveVersionRef(*seededRegistry, QStringLiteral("spam-filter"),
                                                             QStringLiteral("challenger")));
    REQUIRE(challenger.ok());
    CHECK(challenger.value.version == "8");
}

TEST_CASE("MLflow seeding: a second run leaves registered models alone, a refused write names the endpoint",
          "[plugins][demo][registry][seed]")
{
    FakeMlflow fake;
    REQUIRE(seed(fake.url).exitCode == 0);
    const int creates = fake.calls["model-versions/create"];
    const SeedRun again = seed(fake.url);
    INFO(again.out.toStdString() << again.err.toStdString());
    CHECK(again.exitCode == 0);
    CHECK(again.out.contains(QStringLiteral("skipped fraud-detector: already registered on %1, left as it is")
                                 .arg(fake.url.toString())));
    CHECK(fake.calls["model-versions/create"] == creates);

    FakeMlflow readOnly;
    readOnly.forbidWrites = true; // basic-auth MLflow's answer to a reader (auth-reader-write-forbidden.json)
    const SeedRun refused = seed(readOnly.url);
    INFO(refused.err.toStdString());
    CHECK(refused.exitCode == 1);
    CHECK(refused.err.contains(QStringLiteral("cannot seed MLflow at %1").arg(readOnly.url.toString())));
    CHECK(refused.err.contains(QStringLiteral("registered-models/create: HTTP 403: Permission denied")));

    const SeedRun nobody = seed(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(freeLoopbackPort())));
    CHECK(nobody.exitCode == 1);
    CHECK(nobody.err.contains(QStringLiteral("no answer")));
}
