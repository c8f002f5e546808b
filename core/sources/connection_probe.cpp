// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/connection_probe.h"

#include "net/http_client.h"
#include "sources/model_registry.h"
#include "sources/plugin_registry.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QPromise>
#include <QThread>

#include <memory>

namespace vigil {

namespace {

// Spins this thread's event loop until the future finishes or the deadline passes.
template<typename T>
bool waitFor(QFuture<T> future, const QDeadlineTimer &deadline)
{
    while (!future.isFinished() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return future.isFinished();
}

QJsonObject checkRegistry(ModelRegistry *registry, const QDeadlineTimer &deadline, bool *ok)
{
    QJsonObject out;
    auto models = registry->searchRegisteredModels({});
    if (!waitFor(models, deadline)) {
        *ok = false;
        out.insert(QStringLiteral("error"), QStringLiteral("listing the registered models timed out"));
        return out;
    }
    const auto result = models.result();
    if (!result.ok()) {
        *ok = false;
        out.insert(QStringLiteral("error"), result.message);
        return out;
    }
    QJsonArray list;
    for (const RegisteredModel &m : result.value) {
        QJsonObject model{{QStringLiteral("name"), m.name}};
        QJsonArray aliases;
        for (const ModelAlias &a : m.aliases)
            aliases.append(QJsonObject{{QStringLiteral("alias"), a.alias}, {QStringLiteral("version"), a.version}});
        model.insert(QStringLiteral("aliases"), aliases);
        auto versions = registry->modelVersions(m.name, {});
        if (waitFor(versions, deadline) && versions.result().ok()) {
            QJsonArray vs;
            for (const ModelVersion &v : versions.result().value) {
                QJsonObject version{{QStringLiteral("version"), v.version}, {QStringLiteral("status"), v.status}};
                if (!v.stage.isEmpty())
                    version.insert(QStringLiteral("stage"), v.stage);
                if (!v.aliases.isEmpty())
                    version.insert(QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases));
                vs.append(version);
            }
            model.insert(QStringLiteral("versions"), vs);
        } else {
            *ok = false;
            model.insert(QStringLiteral("error"), versions.isFinished() ? versions.result().message
                                                                        : QStringLiteral("listing its versions timed out"));
        }
        list.append(model);
    }
    out.insert(QStringLiteral("registered_models"), list);
    for (const QString &w : result.warnings)
        out.insert(QStringLiteral("warning"), w);
    return out;
}

// How many series a Prometheus-compatible server holds: its TSDB status
// (Prometheus, VictoriaMetrics), else the number of metric names.
QJsonObject countSeries(const ConnectionSettings &settings, const QDeadlineTimer &deadline)
{
    HttpClient http(settings);
    auto tsdb = http.get(QStringLiteral("/api/v1/status/tsdb"));
    QString why;
    if (waitFor(tsdb, deadline) && tsdb.result().ok()) {
        const QJsonObject data = QJsonDocument::fromJson(tsdb.result().body).object().value(QStringLiteral("data")).toObject();
        const QJsonValue head = data.value(QStringLiteral("headStats")).toObject().value(QStringLiteral("numSeries"));
        const QJsonValue total = data.value(QStringLiteral("totalSeries"));
        if (head.isDouble())
            return {{QStringLiteral("series"), head.toDouble()}, {QStringLiteral("series_scope"), QStringLiteral("head block")}};
        // VictoriaMetrics counts the series of one day (today unless asked otherwise).
        if (total.isDouble())
            return {{QStringLiteral("series"), total.toDouble()}, {QStringLiteral("series_scope"), QStringLiteral("today")}};
        why = QStringLiteral("/api/v1/status/tsdb names no series count");
    } else {
        why = tsdb.isFinished() ? tsdb.result().message : QStringLiteral("/api/v1/status/tsdb timed out");
    }
    auto names = http.get(QStringLiteral("/api/v1/label/__name__/values"));
    if (waitFor(names, deadline) && names.result().ok()) {
        const QJsonValue data = QJsonDocument::fromJson(names.result().body).object().value(QStringLiteral("data"));
        if (data.isArray())
            return {{QStringLiteral("metric_names"), data.toArray().size()}};
    }
    return {{QStringLiteral("count_error"), why}};
}

} // namespace

QJsonObject probeConnection(const PluginRegistry &plugins, const ConnectionSettings &settings, qint64 timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QJsonObject c;
    QString error;
    bool ok = true;
    std::unique_ptr<Connector> connector(plugins.createConnector(settings, nullptr, &error));
    if (!connector) {
        c.insert(QStringLiteral("error"), error);
        c.insert(QStringLiteral("ok"), false);
        return c;
    }
    auto probe = connector->probe();
    if (!waitFor(probe, deadline)) {
        ok = false;
        c.insert(QStringLiteral("error"), QStringLiteral("no answer from %1 within %2")
                                              .arg(redactedUrl(settings.url), formatPromDuration(timeoutMs)));
    } else if (!probe.result().ok()) {
        ok = false;
        c.insert(QStringLiteral("error"), probe.result().message);
    } else {
        c.insert(QStringLiteral("reached"), probe.result().message);
        if (!probe.result().version.isEmpty())
            c.insert(QStringLiteral("version"), probe.result().version);
        if (auto *registry = qobject_cast<ModelRegistry *>(connector.get())) {
            const QJsonObject r = checkRegistry(registry, deadline, &ok);
            for (auto it = r.begin(); it != r.end(); ++it)
                c.insert(it.key(), it.value());
        } else if (connector->kind() == QLatin1String("prometheus")) {
            const QJsonObject r = countSeries(settings, deadline);
            for (auto it = r.begin(); it != r.end(); ++it)
                c.insert(it.key(), it.value());
        }
    }
    c.insert(QStringLiteral("ok"), ok);
    return c;
}

QFuture<QJsonObject> probeConnectionAsync(const PluginRegistry &plugins, const ConnectionSettings &settings, qint64 timeoutMs)
{
    auto promise = std::make_shared<QPromise<QJsonObject>>();
    promise->start();
    QFuture<QJsonObject> future = promise->future();
    const PluginRegistry *registry = &plugins;
    QThread *thread = QThread::create([promise, registry, settings, timeoutMs] {
        promise->addResult(probeConnection(*registry, settings, timeoutMs));
        promise->finish();
    });
    thread->setObjectName(QStringLiteral("vigil-probe"));
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
    return future;
}

QString probeSummary(const QJsonObject &c)
{
    QStringList lines;
    if (!c.value(QStringLiteral("ok")).toBool() && c.contains(QStringLiteral("error")))
        lines << QStringLiteral("FAILED: ") + c.value(QStringLiteral("error")).toString();
    else if (c.contains(QStringLiteral("reached")))
        lines << QStringLiteral("Reached ") + c.value(QStringLiteral("reached")).toString();
    if (c.contains(QStringLiteral("series")))
        lines << QStringLiteral("%L1 series %2").arg(qint64(c.value(QStringLiteral("series")).toDouble()))
                     .arg(c.value(QStringLiteral("series_scope")).toString() == QLatin1String("today")
                              ? QStringLiteral("seen today") : QStringLiteral("in the head block"));
    if (c.contains(QStringLiteral("metric_names")))
        lines << QStringLiteral("%L1 metric names").arg(c.value(QStringLiteral("metric_names")).toInt());
    if (c.contains(QStringLiteral("count_error")))
        lines << QStringLiteral("no series count: ") + c.value(QStringLiteral("count_error")).toString();
    if (c.contains(QStringLiteral("registered_models"))) {
        const QJsonArray models = c.value(QStringLiteral("registered_models")).toArray();
        lines << QStringLiteral("%1 registered model%2").arg(models.size()).arg(models.size() == 1 ? "" : "s");
        for (const QJsonValue &m : models) {
            const QJsonObject model = m.toObject();
            QStringList versions;
            for (const QJsonValue &v : model.value(QStringLiteral("versions")).toArray()) {
                const QJsonObject vo = v.toObject();
                QString text = vo.value(QStringLiteral("version")).toString();
                QStringList extra;
                if (vo.contains(QStringLiteral("stage")))
                    extra << vo.value(QStringLiteral("stage")).toString();
                for (const QJsonValue &a : vo.value(QStringLiteral("aliases")).toArray())
                    extra << u'@' + a.toString();
                if (!extra.isEmpty())
                    text += QStringLiteral(" (%1)").arg(extra.join(QStringLiteral(", ")));
                versions << text;
            }
            QString line = QStringLiteral("model %1: versions %2").arg(model.value(QStringLiteral("name")).toString(),
                versions.isEmpty() ? QStringLiteral("none") : versions.join(QStringLiteral(", ")));
            if (model.contains(QStringLiteral("error")))
                line += QStringLiteral(" (") + model.value(QStringLiteral("error")).toString() + u')';
            lines << line;
        }
    }
    if (c.contains(QStringLiteral("warning")))
        lines << QStringLiteral("warning: ") + c.value(QStringLiteral("warning")).toString();
    return lines.join(u'\n');
}

} // namespace vigil
