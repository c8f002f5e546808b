// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/mlflow_registry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <optional>

namespace vigil::demo {

namespace {

constexpr qint64 kMinute = 60'000;
// MLflow's limit for max_results on the registry searches (a larger value is a 400).
constexpr int kMaxResultsLimit = 1000;
constexpr int kDefaultMaxResults = 100;

// Success bodies are indented as MLflow's Flask app sends them; errors are one line.
MlflowAnswer ok(const QJsonObject &o)
{
    return {200, "application/json", QJsonDocument(o).toJson(QJsonDocument::Indented)};
}

MlflowAnswer error(int status, const char *code, const QString &message)
{
    const QJsonObject o{{QStringLiteral("error_code"), QLatin1String(code)}, {QStringLiteral("message"), message}};
    return {status, "application/json", QJsonDocument(o).toJson(QJsonDocument::Compact)};
}

MlflowAnswer badParameter(const QString &message)
{
    return error(400, "INVALID_PARAMETER_VALUE", message);
}

MlflowAnswer notFound(const QString &message)
{
    return error(404, "RESOURCE_DOES_NOT_EXIST", message);
}

// Flask's own pages, byte for byte as recorded (error-method-not-allowed.json).
MlflowAnswer methodNotAllowed()
{
    return {405, "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
            "<p>The method is not allowed for the requested URL.</p>\n"};
}

MlflowAnswer htmlNotFound()
{
    return {404, "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was "
            "not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"};
}

QJsonArray keyValues(const QList<QPair<QString, QString>> &pairs)
{
    QJsonArray out;
    for (const auto &[k, v] : pairs)
        out.append(QJsonObject{{QStringLiteral("key"), k}, {QStringLiteral("value"), v}});
    return out;
}

// MLflow leaves empty lists out of its answers.
void putIfAny(QJsonObject &o, const QString &key, const QJsonArray &a)
{
    if (!a.isEmpty())
        o.insert(key, a);
}

// The run trained in the 12 minutes before the version was registered 20 minutes later.
qint64 runStart(const ModelVersionInfo &v) { return v.creationTimestampMs - 32 * kMinute; }
qint64 runEnd(const ModelVersionInfo &v) { return v.creationTimestampMs - 20 * kMinute; }
// Stage and alias set a few minutes after registration.
qint64 versionUpdated(const ModelVersionInfo &v) { return v.creationTimestampMs + 5 * kMinute; }

QString versionNumber(const ModelVersionInfo &v) { return QString::number(v.registryVersion); }

QJsonObject versionJson(const ModelInfo &m, const ModelVersionInfo &v, bool withAliases)
{
    QJsonObject o{{QStringLiteral("name"), m.name},
                  {QStringLiteral("version"), versionNumber(v)},
                  {QStringLiteral("creation_timestamp"), double(v.creationTimestampMs)},
                  {QStringLiteral("last_updated_timestamp"), double(versionUpdated(v))},
                  {QStringLiteral("current_stage"), v.stage},
                  {QStringLiteral("description"), v.description},
                  {QStringLiteral("source"), v.source},
                  {QStringLiteral("run_id"), v.runId},
                  {QStringLiteral("status"), QStringLiteral("READY")}};
    putIfAny(o, QStringLiteral("tags"), keyValues(v.tags));
    o.insert(QStringLiteral("run_link"), QString());
    if (withAliases)
        putIfAny(o, QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases));
    return o;
}

QJsonObject modelJson(const ModelInfo &m)
{
    qint64 updated = m.creationTimestampMs;
    // latest_versions: the newest version of each stage, without aliases.
    QMap<QString, const ModelVersionInfo *> newestPerStage;
    for (const ModelVersionInfo &v : m.versions) {
        updated = std::max(updated, versionUpdated(v));
        const ModelVersionInfo *&slot = newestPerStage[v.stage];
        if (!slot || slot->registryVersion < v.registryVersion)
            slot = &v;
    }
    QList<const ModelVersionInfo *> latest = newestPerStage.values();
    std::sort(latest.begin(), latest.end(),
              [](auto *a, auto *b) { return a->registryVersion < b->registryVersion; });
    QJsonArray latestJson;
    for (const ModelVersionInfo *v : latest)
        latestJson.append(versionJson(m, *v, false));
    // The model's aliases as objects, in alias order (as recorded).
    QList<QPair<QString, QString>> aliasPairs;
    for (const ModelVersionInfo &v : m.versions) {
        for (const QString &a : v.aliases)
            aliasPairs.append({a, versionNumber(v)});
    }
    std::sort(aliasPairs.begin(), aliasPairs.end());
    QJsonArray aliasJson;
    for (const auto &[alias, version] : aliasPairs)
        aliasJson.append(QJsonObject{{QStringLiteral("alias"), alias}, {QStringLiteral("version"), version}});

    QJsonObject o{{QStringLiteral("name"), m.name},
                  {QStringLiteral("creation_timestamp"), double(m.creationTimestampMs)},
                  {QStringLiteral("last_updated_timestamp"), double(updated)},
                  {QStringLiteral("description"), m.description}};
    putIfAny(o, QStringLiteral("latest_versions"), latestJson);
    putIfAny(o, QStringLiteral("aliases"), aliasJson);
    return o;
}

QJsonObject runJson(const ModelInfo &m, const ModelVersionInfo &v)
{
    QJsonArray metrics;
    for (auto it = v.offlineMetrics.constBegin(); it != v.offlineMetrics.constEnd(); ++it) {
        metrics.append(QJsonObject{{QStringLiteral("key"), it.key()},
                                   {QStringLiteral("value"), it.value()},
                                   {QStringLiteral("timestamp"), double(runStart(v) + 10 * kMinute)},
                                   {QStringLiteral("step"), 9}});
    }
    const QJsonObject info{{QStringLiteral("run_uuid"), v.runId},
                           {QStringLiteral("experiment_id"), v.experimentId},
                           {QStringLiteral("run_name"), v.runName},
                           {QStringLiteral("user_id"), QStringLiteral("demo")},
                           {QStringLiteral("status"), QStringLiteral("FINISHED")},
                           {QStringLiteral("start_time"), double(runStart(v))},
                           {QStringLiteral("end_time"), double(runEnd(v))},
                           {QStringLiteral("artifact_uri"),
                            QStringLiteral("mlflow-artifacts:/%1/%2/artifacts").arg(v.experimentId, v.runId)},
                           {QStringLiteral("lifecycle_stage"), QStringLiteral("active")},
                           {QStringLiteral("run_id"), v.runId}};
    QList<QPair<QString, QString>> tags = {{QStringLiteral("mlflow.runName"), v.runName},
                                           {QStringLiteral("mlflow.user"), QStringLiteral("demo")},
                                           {QStringLiteral("mlflow.source.type"), QStringLiteral("LOCAL")},
                                           {QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")},
                                           {QStringLiteral("model"), m.name}};
    QJsonObject data;
    putIfAny(data, QStringLiteral("metrics"), metrics);
    putIfAny(data, QStringLiteral("params"), keyValues(v.params));
    putIfAny(data, QStringLiteral("tags"), keyValues(tags));
    return {{QStringLiteral("info"), info}, {QStringLiteral("data"), data}, {QStringLiteral("inputs"), QJsonObject()}};
}

const ModelInfo *findModel(const QList<ModelInfo> &fleet, const QString &name)
{
    for (const ModelInfo &m : fleet) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

struct RunRef
{
    const ModelInfo *model = nullptr;
    const ModelVersionInfo *version = nullptr;
};

RunRef findRun(const QList<ModelInfo> &fleet, const QString &runId)
{
    for (const ModelInfo &m : fleet) {
        for (const ModelVersionInfo &v : m.versions) {
            if (v.runId == runId)
                return {&m, &v};
        }
    }
    return {};
}

// A page of `items` per max_results and page_token (base64 of {"offset": N},
// MLflow's own token format), or the 400 MLflow gives for bad ones.
std::optional<MlflowAnswer> page(const QJsonArray &items, const QString &maxResultsText, const QString &pageToken,
                                 QJsonArray *out, QString *nextToken)
{
    int maxResults = kDefaultMaxResults;
    if (!maxResultsText.isEmpty()) {
        bool isInt = false;
        maxResults = maxResultsText.toInt(&isInt);
        if (!isInt || maxResults < 1)
            return badParameter(QStringLiteral("Invalid value for request parameter max_results. It must be a "
                                               "positive integer, but got value %1")
                                    .arg(maxResultsText));
        if (maxResults > kMaxResultsLimit)
            return badParameter(QStringLiteral("Invalid value for request parameter max_results. It must be at most "
                                               "%1, but got value %2")
                                    .arg(kMaxResultsLimit)
                                    .arg(maxResults));
    }
    qsizetype offset = 0;
    if (!pageToken.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(pageToken.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return badParameter(QStringLiteral("Invalid page token, could not base64-decode"));
        const QJsonObject token = QJsonDocument::fromJson(*decoded).object();
        if (!token.value(QLatin1String("offset")).isDouble())
            return badParameter(QStringLiteral("Invalid page token, decoded value=%1").arg(QString::fromUtf8(*decoded)));
        offset = qsizetype(token.value(QLatin1String("offset")).toDouble());
    }
    for (qsizetype i = offset; i < items.size() && i < offset + maxResults; ++i)
        out->append(items.at(i));
    if (offset + maxResults < items.size()) {
        const QByteArray next = QJsonDocument(QJsonObject{{QStringLiteral("offset"), double(offset + maxResults)}})
                                    .toJson(QJsonDocument::Compact);
        *nextToken = QString::fromLatin1(next.toBase64());
    }
    return std::nullopt;
}

MlflowAnswer pagedAnswer(const char *key, const QJsonArray &items, const QString &maxResults, const QString &token)
{
    QJsonArray pageItems;
    QString next;
    if (auto failed = page(items, maxResults, token, &pageItems, &next))
        return *failed;
    QJsonObject o;
    putIfAny(o, QLatin1String(key), pageItems);
    if (!next.isEmpty())
        o.insert(QStringLiteral("next_page_token"), next);
    return ok(o);
}

// One clause `attr = 'value'` (or LIKE / ILIKE) of a filter string.
struct Clause
{
    QString attribute;
    QString op;
    QString value;
    bool matches(const QString &actual) const
    {
        if (op == QLatin1String("="))
            return actual == value;
        if (op == QLatin1String("!="))
            return actual != value;
        // SQL LIKE: % any run, _ one character.
        QString pattern;
        for (QChar c : value) {
            if (c == u'%')
                pattern += QLatin1String(".*");
            else if (c == u'_')
                pattern += u'.';
            else
                pattern += QRegularExpression::escape(QString(c));
        }
        QRegularExpression re(QStringLiteral("^%1$").arg(pattern),
                              op.compare(QLatin1String("ILIKE"), Qt::CaseInsensitive) == 0
                                  ? QRegularExpression::CaseInsensitiveOption
                                  : QRegularExpression::NoPatternOption);
        return re.match(actual).hasMatch();
    }
};

// "name = 'a' AND run_id='b'" -> clauses, or nullopt with MLflow's message.
std::optional<QList<Clause>> parseFilter(const QString &filter, const QStringList &attributes, QString *why)
{
    QList<Clause> clauses;
    if (filter.trimmed().isEmpty())
        return clauses;
    static const QRegularExpression clause(
        QStringLiteral("^\\s*([A-Za-z_.]+)\\s*(=|!=|LIKE|ILIKE)\\s*'([^']*)'\\s*$"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression andSplit(QStringLiteral("\\s+AND\\s+"), QRegularExpression::CaseInsensitiveOption);
    for (const QString &part : filter.split(andSplit)) {
        const auto m = clause.match(part);
        QString attribute = m.captured(1);
        if (attribute.startsWith(QLatin1String("attributes.")))
            attribute = attribute.mid(11);
        if (!m.hasMatch() || !attributes.contains(attribute)) {
            *why = QStringLiteral("Invalid clause(s) in filter string: %1").arg(part.trimmed());
            return std::nullopt;
        }
        clauses.append({attribute, m.captured(2).toUpper(), m.captured(3)});
    }
    return clauses;
}

bool allMatch(const QList<Clause> &clauses, const QMap<QString, QString> &values)
{
    return std::all_of(clauses.begin(), clauses.end(),
                       [&](const Clause &c) { return c.matches(values.value(c.attribute)); });
}

QString param(const QUrlQuery &q, const char *key)
{
    return q.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
}

MlflowAnswer missingParameter(const char *name)
{
    return badParameter(QStringLiteral("Missing value for required parameter '%1'. See the API docs for more "
                                       "information about request parameters.")
                            .arg(QLatin1String(name)));
}

MlflowAnswer experimentsSearch(const QList<ModelInfo> &fleet, const QJsonObject &args)
{
    struct Exp
    {
        QString id;
        QString name;
        QString note;
        qint64 created;
    };
    QList<Exp> experiments;
    for (const ModelInfo &m : fleet) {
        const QString id = m.versions.isEmpty() ? QString() : m.versions.first().experimentId;
        if (!id.isEmpty())
            experiments.append({id, m.name, m.description, m.creationTimestampMs});
    }
    experiments.append({QStringLiteral("0"), QStringLiteral("Default"), QString(), 1'704'067'200'000});
    // MLflow's default order: newest first.
    std::sort(experiments.begin(), experiments.end(), [](const Exp &a, const Exp &b) { return a.created > b.created; });
    QString why;
    const auto clauses = parseFilter(args.value(QLatin1String("filter")).toString(), {QStringLiteral("name")}, &why);
    if (!clauses)
        return badParameter(why);
    QJsonArray items;
    for (const Exp &e : experiments) {
        if (!allMatch(*clauses, {{QStringLiteral("name"), e.name}}))
            continue;
        QJsonObject o{{QStringLiteral("experiment_id"), e.id},
                      {QStringLiteral("name"), e.name},
                      {QStringLiteral("artifact_location"), QStringLiteral("mlflow-artifacts:/%1").arg(e.id)},
                      {QStringLiteral("lifecycle_stage"), QStringLiteral("active")},
                      {QStringLiteral("last_update_time"), double(e.created)},
                      {QStringLiteral("creation_time"), double(e.created)}};
        if (!e.note.isEmpty())
            o.insert(QStringLiteral("tags"), keyValues({{QStringLiteral("mlflow.note.content"), e.note}}));
        items.append(o);
    }
    const QJsonValue max = args.value(QLatin1String("max_results"));
    return pagedAnswer("experiments", items, max.isDouble() ? QString::number(max.toInt()) : max.toString(),
                       args.value(QLatin1String("page_token")).toString());
}

MlflowAnswer runsSearch(const QList<ModelInfo> &fleet, const QJsonObject &args)
{
    QStringList experimentIds;
    for (const QJsonValue &v : args.value(QLatin1String("experiment_ids")).toArray())
        experimentIds << (v.isString() ? v.toString() : QString::number(v.toInt()));
    QString why;
    const auto clauses = parseFilter(args.value(QLatin1String("filter")).toString(),
                                     {QStringLiteral("run_id"), QStringLiteral("run_name"), QStringLiteral("status")}, &why);
    if (!clauses)
        return badParameter(why);
    QList<RunRef> runs;
    for (const ModelInfo &m : fleet) {
        for (const ModelVersionInfo &v : m.versions) {
            if (experimentIds.contains(v.experimentId)
                && allMatch(*clauses, {{QStringLiteral("run_id"), v.runId},
                                       {QStringLiteral("run_name"), v.runName},
                                       {QStringLiteral("status"), QStringLiteral("FINISHED")}}))
                runs.append({&m, &v});
        }
    }
    // MLflow's default order: newest start time first.
    std::sort(runs.begin(), runs.end(),
              [](const RunRef &a, const RunRef &b) { return runStart(*a.version) > runStart(*b.version); });
    QJsonArray items;
    for (const RunRef &r : runs)
        items.append(runJson(*r.model, *r.version));
    const QJsonValue max = args.value(QLatin1String("max_results"));
    return pagedAnswer("runs", items, max.isDouble() ? QString::number(max.toInt()) : max.toString(),
                       args.value(QLatin1String("page_token")).toString());
}

} // namespace

QList<QPair<qint64, double>> demoMetricHistory(const ModelVersionInfo &version, const QString &key)
{
    QList<QPair<qint64, double>> out;
    const auto it = version.offlineMetrics.constFind(key);
    if (it == version.offlineMetrics.constEnd())
        return out;
    // A saturating curve: the gap to the final value halves every ~2 steps.
    const double final = it.value();
    const bool falling = key == QLatin1String("loss");
    const double startGap = falling ? final * 2.0 : (1.0 - final) * 4.0 + 0.05;
    for (int step = 0; step < 10; ++step) {
        const double gap = startGap * std::pow(0.7, step) - startGap * std::pow(0.7, 9);
        const double value = falling ? final + gap : final - gap;
        out.append({runStart(version) + (step + 1) * kMinute, std::round(value * 1e4) / 1e4});
    }
    out.last().second = final;
    return out;
}

QStringList mlflowEndpoints()
{
    return {QStringLiteral("experiments/search"),     QStringLiteral("registered-models/search"),
            QStringLiteral("registered-models/get"),  QStringLiteral("registered-models/alias"),
            QStringLiteral("model-versions/search"),  QStringLiteral("model-versions/get"),
            QStringLiteral("runs/get"),               QStringLiteral("runs/search"),
            QStringLiteral("metrics/get-history")};
}

MlflowAnswer answerMlflow(const QList<ModelInfo> &fleet, const QByteArray &method, const QString &endpoint,
                          const QUrlQuery &query, const QByteArray &body)
{
    const bool get = method == "GET";
    const bool post = method == "POST";
    if (!mlflowEndpoints().contains(endpoint))
        return htmlNotFound();

    // POST-only and GET-or-POST endpoints take a JSON body; the rest are GET only.
    if (endpoint == QLatin1String("runs/search") || (endpoint == QLatin1String("experiments/search") && post)) {
        if (!post && endpoint == QLatin1String("runs/search"))
            return methodNotAllowed();
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body.isEmpty() ? QByteArray("{}") : body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return badParameter(QStringLiteral("Malformed request body: %1").arg(parseError.errorString()));
        return endpoint == QLatin1String("runs/search") ? runsSearch(fleet, doc.object())
                                                        : experimentsSearch(fleet, doc.object());
    }
    if (!get)
        return methodNotAllowed();

    if (endpoint == QLatin1String("experiments/search")) {
        return experimentsSearch(fleet, {{QStringLiteral("filter"), param(query, "filter")},
                                         {QStringLiteral("max_results"), param(query, "max_results")},
                                         {QStringLiteral("page_token"), param(query, "page_token")}});
    }
    if (endpoint == QLatin1String("registered-models/search")) {
        QString why;
        const auto clauses = parseFilter(param(query, "filter"), {QStringLiteral("name")}, &why);
        if (!clauses)
            return badParameter(why);
        QList<const ModelInfo *> models;
        for (const ModelInfo &m : fleet) {
            if (allMatch(*clauses, {{QStringLiteral("name"), m.name}}))
                models.append(&m);
        }
        std::sort(models.begin(), models.end(), [](auto *a, auto *b) { return a->name < b->name; });
        QJsonArray items;
        for (const ModelInfo *m : models)
            items.append(modelJson(*m));
        return pagedAnswer("registered_models", items, param(query, "max_results"), param(query, "page_token"));
    }
    if (endpoint == QLatin1String("registered-models/get")) {
        const QString name = param(query, "name");
        if (name.isEmpty())
            return missingParameter("name");
        const ModelInfo *m = findModel(fleet, name);
        if (!m)
            return notFound(QStringLiteral("Registered Model with name=%1 not found").arg(name));
        return ok({{QStringLiteral("registered_model"), modelJson(*m)}});
    }
    if (endpoint == QLatin1String("registered-models/alias")) {
        const QString name = param(query, "name");
        const QString alias = param(query, "alias");
        if (name.isEmpty())
            return missingParameter("name");
        if (alias.isEmpty())
            return missingParameter("alias");
        // A missing alias, and an alias of a missing model, are 400s in MLflow 2.10.
        if (const ModelInfo *m = findModel(fleet, name)) {
            for (const ModelVersionInfo &v : m->versions) {
                if (v.aliases.contains(alias))
                    return ok({{QStringLiteral("model_version"), versionJson(*m, v, true)}});
            }
        }
        return badParameter(QStringLiteral("Registered model alias %1 not found.").arg(alias));
    }
    if (endpoint == QLatin1String("model-versions/search")) {
        QString why;
        const auto clauses = parseFilter(param(query, "filter"), {QStringLiteral("name"), QStringLiteral("run_id")}, &why);
        if (!clauses)
            return badParameter(why);
        QList<RunRef> versions;
        for (const ModelInfo &m : fleet) {
            for (const ModelVersionInfo &v : m.versions) {
                if (allMatch(*clauses, {{QStringLiteral("name"), m.name}, {QStringLiteral("run_id"), v.runId}}))
                    versions.append({&m, &v});
            }
        }
        // Newest first, as the recorded search answers.
        std::sort(versions.begin(), versions.end(), [](const RunRef &a, const RunRef &b) {
            return a.model->name != b.model->name ? a.model->name < b.model->name
                                                  : a.version->registryVersion > b.version->registryVersion;
        });
        QJsonArray items;
        for (const RunRef &r : versions)
            items.append(versionJson(*r.model, *r.version, false));
        return pagedAnswer("model_versions", items, param(query, "max_results"), param(query, "page_token"));
    }
    if (endpoint == QLatin1String("model-versions/get")) {
        const QString name = param(query, "name");
        const QString version = param(query, "version");
        if (name.isEmpty())
            return missingParameter("name");
        if (version.isEmpty())
            return missingParameter("version");
        bool isInt = false;
        const int number = version.toInt(&isInt);
        if (!isInt)
            return badParameter(QStringLiteral("Model version must be an integer, got '%1'").arg(version));
        if (const ModelInfo *m = findModel(fleet, name)) {
            for (const ModelVersionInfo &v : m->versions) {
                if (v.registryVersion == number)
                    return ok({{QStringLiteral("model_version"), versionJson(*m, v, true)}});
            }
        }
        return notFound(QStringLiteral("Model Version (name=%1, version=%2) not found").arg(name, version));
    }
    if (endpoint == QLatin1String("runs/get")) {
        QString runId = param(query, "run_id");
        if (runId.isEmpty())
            runId = param(query, "run_uuid");
        if (runId.isEmpty())
            return missingParameter("run_id");
        const RunRef r = findRun(fleet, runId);
        if (!r.version)
            return notFound(QStringLiteral("Run with id=%1 not found").arg(runId));
        return ok({{QStringLiteral("run"), runJson(*r.model, *r.version)}});
    }
    if (endpoint == QLatin1String("metrics/get-history")) {
        // MLflow 2.10 answers {} with 200 for an unknown run or key alike.
        const RunRef r = findRun(fleet, param(query, "run_id"));
        QJsonArray points;
        if (r.version) {
            const QString key = param(query, "metric_key");
            int step = 0;
            for (const auto &[ts, value] : demoMetricHistory(*r.version, key)) {
                points.append(QJsonObject{{QStringLiteral("key"), key},
                                          {QStringLiteral("value"), value},
                                          {QStringLiteral("timestamp"), double(ts)},
                                          {QStringLiteral("step"), step++}});
            }
        }
        QJsonObject o;
        putIfAny(o, QStringLiteral("metrics"), points);
        return ok(o);
    }
    return htmlNotFound();
}

} // namespace vigil::demo
