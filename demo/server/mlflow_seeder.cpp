// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/mlflow_seeder.h"

#include "fleet/mlflow_registry.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>
#include <optional>

namespace vigil::demo {

namespace {

constexpr qint64 kMinute = 60'000;

QJsonArray keyValues(const QList<QPair<QString, QString>> &pairs)
{
    QJsonArray out;
    for (const auto &[k, v] : pairs)
        out.append(QJsonObject{{QStringLiteral("key"), k}, {QStringLiteral("value"), v}});
    return out;
}

struct Answer
{
    int status = 0;              // 0: no HTTP answer
    QJsonObject body;            // the JSON object, when the body is one
    QString errorCode;           // MLflow's error_code, on an error
    QString message;             // for the user
};

class Client
{
public:
    Client(QUrl base, int timeoutMs) : m_base(std::move(base)), m_timeoutMs(timeoutMs) {}

    int requests() const { return m_requests; }

    // One exchange: GET with a query, POST or DELETE with a JSON body.
    Answer call(const QByteArray &method, const QString &endpoint, const QJsonObject &body = {},
                const QUrlQuery &query = {})
    {
        ++m_requests;
        QUrl url = m_base;
        url.setPath(m_base.path().chopped(m_base.path().endsWith(u'/') ? 1 : 0) +
                    QStringLiteral("/api/2.0/mlflow/") + endpoint);
        if (!query.isEmpty())
            url.setQuery(query);
        QNetworkRequest request(url);
        request.setTransferTimeout(m_timeoutMs);
        QNetworkReply *reply = nullptr;
        if (method == "GET") {
            reply = m_network.get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            reply = m_network.sendCustomRequest(request, method, QJsonDocument(body).toJson(QJsonDocument::Compact));
        }
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();

        Answer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        const QJsonDocument doc = QJsonDocument::fromJson(bytes);
        if (doc.isObject())
            a.body = doc.object();
        const QString where = QStringLiteral("%1 %2").arg(QString::fromLatin1(method), url.toString());
        if (a.status == 0) {
            a.message = QStringLiteral("%1: no answer (%2)").arg(where, reply->errorString());
        } else if (a.status != 200) {
            a.errorCode = a.body.value(QLatin1String("error_code")).toString();
            // MLflow's JSON message, or the text of an HTML page (Flask's, a proxy's).
            static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
            const QString serverMessage = a.body.contains(QLatin1String("message"))
                                              ? a.body.value(QLatin1String("message")).toString()
                                              : QString::fromUtf8(bytes.left(2000)).remove(tags).simplified().left(200);
            a.message = QStringLiteral("%1: HTTP %2%3: %4")
                            .arg(where)
                            .arg(a.status)
                            .arg(a.errorCode.isEmpty() ? QString() : QLatin1Char(' ') + a.errorCode, serverMessage);
        } else if (!doc.isObject()) {
            a.status = -1;
            a.message = QStringLiteral("%1: the answer is not a JSON object: %2")
                            .arg(where, QString::fromUtf8(bytes.left(200)).simplified());
        }
        return a;
    }

private:
    QNetworkAccessManager m_network;
    QUrl m_base;
    int m_timeoutMs;
    int m_requests = 0;
};

class Seeder
{
public:
    Seeder(const QUrl &base, int timeoutMs) : m_client(base, timeoutMs), m_base(base) {}

    SeedReport run(const QList<ModelInfo> &fleet)
    {
        for (const ModelInfo &model : fleet) {
            if (!seedModel(model))
                break;
        }
        m_report.ok = m_report.error.isEmpty();
        m_report.requests = m_client.requests();
        return m_report;
    }

private:
    // A successful call's body, or nullopt with the report's error set.
    std::optional<QJsonObject> must(const QByteArray &method, const QString &endpoint, const QJsonObject &body = {},
                                    const QUrlQuery &query = {})
    {
        const Answer a = m_client.call(method, endpoint, body, query);
        if (a.status != 200) {
            m_report.error = a.message;
            return std::nullopt;
        }
        return a.body;
    }

    bool fail(const QString &message)
    {
        m_report.error = message;
        return false;
    }

    std::optional<QString> experimentFor(const ModelInfo &model)
    {
        QUrlQuery byName;
        byName.addQueryItem(QStringLiteral("experiment_name"), model.name);
        const Answer found = m_client.call("GET", QStringLiteral("experiments/get-by-name"), {}, byName);
        if (found.status == 200)
            return found.body.value(QLatin1String("experiment")).toObject().value(QLatin1String("experiment_id")).toString();
        if (found.errorCode != QLatin1String("RESOURCE_DOES_NOT_EXIST")) {
            m_report.error = found.message;
            return std::nullopt;
        }
        const auto created = must("POST", QStringLiteral("experiments/create"),
                                  {{QStringLiteral("name"), model.name},
                                   {QStringLiteral("tags"), keyValues({{QStringLiteral("mlflow.note.content"),
                                                                        model.description}})}});
        if (!created)
            return std::nullopt;
        const QString id = created->value(QLatin1String("experiment_id")).toString();
        if (id.isEmpty()) {
            m_report.error = QStringLiteral("experiments/create on %1 answered without an experiment_id").arg(m_base.toString());
            return std::nullopt;
        }
        return id;
    }

    // The version's training run: its params, each offline metric's history, FINISHED.
    // Returns (run id, artifact URI).
    std::optional<QPair<QString, QString>> runFor(const ModelInfo &model, const ModelVersionInfo &v,
                                                  const QString &experimentId)
    {
        // Times as the fleet's registry reports them: trained 32 to 20 minutes before registration.
        const qint64 start = v.creationTimestampMs - 32 * kMinute;
        const qint64 end = v.creationTimestampMs - 20 * kMinute;
        const auto created = must("POST", QStringLiteral("runs/create"),
                                  {{QStringLiteral("experiment_id"), experimentId},
                                   {QStringLiteral("user_id"), QStringLiteral("demo")},
                                   {QStringLiteral("run_name"), v.runName},
                                   {QStringLiteral("start_time"), double(start)},
                                   {QStringLiteral("tags"),
                                    keyValues({{QStringLiteral("mlflow.user"), QStringLiteral("demo")},
                                               {QStringLiteral("mlflow.source.type"), QStringLiteral("LOCAL")},
                                               {QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")},
                                               {QStringLiteral("model"), model.name}})}});
        if (!created)
            return std::nullopt;
        const QJsonObject info = created->value(QLatin1String("run")).toObject().value(QLatin1String("info")).toObject();
        const QString runId = info.value(QLatin1String("run_id")).toString();
        if (runId.isEmpty()) {
            m_report.error = QStringLiteral("runs/create on %1 answered without run.info.run_id").arg(m_base.toString());
            return std::nullopt;
        }
        QJsonArray metrics;
        for (auto it = v.offlineMetrics.constBegin(); it != v.offlineMetrics.constEnd(); ++it) {
            int step = 0;
            for (const auto &[timestamp, value] : demoMetricHistory(v, it.key()))
                metrics.append(QJsonObject{{QStringLiteral("key"), it.key()},
                                           {QStringLiteral("value"), value},
                                           {QStringLiteral("timestamp"), double(timestamp)},
                                           {QStringLiteral("step"), step++}});
        }
        // Well under log-batch's limits (1000 metrics, 100 params, 100 tags).
        if (!must("POST", QStringLiteral("runs/log-batch"),
                  {{QStringLiteral("run_id"), runId},
                   {QStringLiteral("metrics"), metrics},
                   {QStringLiteral("params"), keyValues(v.params)},
                   {QStringLiteral("tags"), QJsonArray()}}))
            return std::nullopt;
        if (!must("POST", QStringLiteral("runs/update"),
                  {{QStringLiteral("run_id"), runId},
                   {QStringLiteral("status"), QStringLiteral("FINISHED")},
                   {QStringLiteral("end_time"), double(end)}}))
            return std::nullopt;
        return QPair<QString, QString>{runId, info.value(QLatin1String("artifact_uri")).toString()};
    }

    // model-versions/create, checking the number MLflow gave it.
    std::optional<QJsonObject> createVersion(const QJsonObject &body, int expected)
    {
        const auto created = must("POST", QStringLiteral("model-versions/create"), body);
        if (!created)
            return std::nullopt;
        const QString got = created->value(QLatin1String("model_version")).toObject().value(QLatin1String("version")).toString();
        if (got != QString::number(expected)) {
            m_report.error = QStringLiteral("model-versions/create on %1 made version '%2' of %3, expected %4 "
                                            "(the demo maps registry version N to the series' version=\"vN\")")
                                 .arg(m_base.toString(), got, body.value(QLatin1String("name")).toString())
                                 .arg(expected);
            return std::nullopt;
        }
        return created;
    }

    bool seedModel(const ModelInfo &model)
    {
        const Answer registered = m_client.call("POST", QStringLiteral("registered-models/create"),
                                                {{QStringLiteral("name"), model.name},
                                                 {QStringLiteral("description"), model.description}});
        if (registered.status != 200) {
            if (registered.errorCode == QLatin1String("RESOURCE_ALREADY_EXISTS")) {
                m_report.skipped << QStringLiteral("%1: already registered on %2, left as it is")
                                        .arg(model.name, m_base.toString());
                return true;
            }
            return fail(registered.message);
        }
        const auto experiment = experimentFor(model);
        if (!experiment)
            return false;

        QList<const ModelVersionInfo *> versions;
        for (const ModelVersionInfo &v : model.versions)
            versions << &v;
        std::sort(versions.begin(), versions.end(),
                  [](auto *a, auto *b) { return a->registryVersion < b->registryVersion; });
        int next = 1;
        QStringList numbers;
        for (const ModelVersionInfo *v : versions) {
            const auto run = runFor(model, *v, *experiment);
            if (!run)
                return false;
            const QString source = run->second.isEmpty() ? QStringLiteral("runs:/%1/model").arg(run->first)
                                                         : run->second + QStringLiteral("/model");
            // Burn the numbers below this version: create, then delete.
            for (; next < v->registryVersion; ++next) {
                if (!createVersion({{QStringLiteral("name"), model.name},
                                    {QStringLiteral("source"), source},
                                    {QStringLiteral("description"),
                                     QStringLiteral("placeholder made by the Vigil demo; deleted")}},
                                   next))
                    return false;
                if (!must("DELETE", QStringLiteral("model-versions/delete"),
                          {{QStringLiteral("name"), model.name}, {QStringLiteral("version"), QString::number(next)}}))
                    return false;
            }
            if (next > v->registryVersion)
                return fail(QStringLiteral("demo versions of %1 are not in increasing order").arg(model.name));
            if (!createVersion({{QStringLiteral("name"), model.name},
                                {QStringLiteral("source"), source},
                                {QStringLiteral("run_id"), run->first},
                                {QStringLiteral("tags"), keyValues(v->tags)},
                                {QStringLiteral("description"), v->description}},
                               v->registryVersion))
                return false;
            ++next;
            const QString number = QString::number(v->registryVersion);
            if (!v->stage.isEmpty() &&
                !must("POST", QStringLiteral("model-versions/transition-stage"),
                      {{QStringLiteral("name"), model.name},
                       {QStringLiteral("version"), number},
                       {QStringLiteral("stage"), v->stage},
                       {QStringLiteral("archive_existing_versions"), false}}))
                return false;
            for (const QString &alias : v->aliases) {
                if (!must("POST", QStringLiteral("registered-models/alias"),
                          {{QStringLiteral("name"), model.name},
                           {QStringLiteral("alias"), alias},
                           {QStringLiteral("version"), number}}))
                    return false;
            }
            numbers << number;
        }
        m_report.seeded << QStringLiteral("%1 (versions %2)").arg(model.name, numbers.join(QStringLiteral(", ")));
        return true;
    }

    Client m_client;
    QUrl m_base;
    SeedReport m_report;
};

} // namespace

SeedReport seedMlflow(const QUrl &baseUrl, const QList<ModelInfo> &fleet, int timeoutMs)
{
    if (!baseUrl.isValid() || (baseUrl.scheme() != QLatin1String("http") && baseUrl.scheme() != QLatin1String("https"))) {
        SeedReport r;
        r.error = QStringLiteral("'%1' is not an http(s) URL of an MLflow tracking server").arg(baseUrl.toString());
        return r;
    }
    return Seeder(baseUrl, timeoutMs).run(fleet);
}

} // namespace vigil::demo
