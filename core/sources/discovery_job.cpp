// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/discovery_job.h"

#include "net/http_client.h"
#include "sources/plugin_registry.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPromise>
#include <QThread>

#include <memory>

namespace vigil {

namespace {

MetricCatalog failure(ErrorKind kind, const QString &message)
{
    MetricCatalog c;
    c.error = kind;
    c.message = message;
    return c;
}

MetricCatalog discover(const PluginRegistry &plugins, const ConnectionSettings &settings, int maxMetrics,
                       qint64 timeoutMs, const QPromise<MetricCatalog> &promise)
{
    QString error;
    std::unique_ptr<Connector> connector(plugins.createConnector(settings, nullptr, &error));
    if (!connector)
        return failure(ErrorKind::Network, QStringLiteral("connection '%1': %2").arg(settings.name, error));
    auto *discovery = qobject_cast<MetricDiscovery *>(connector.get());
    if (!discovery)
        return failure(ErrorKind::BadResponse,
                       QStringLiteral("connection '%1' (%2) cannot list its metrics; dashboards are proposed from "
                                      "Prometheus-compatible connections").arg(settings.name, settings.kind));
    QFuture<MetricCatalog> future = discovery->discoverMetrics(maxMetrics);
    const QDeadlineTimer deadline(timeoutMs);
    while (!future.isFinished() && !deadline.hasExpired() && !promise.isCanceled())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    if (promise.isCanceled())
        return failure(ErrorKind::Canceled, QStringLiteral("discovery canceled"));
    if (!future.isFinished())
        return failure(ErrorKind::Timeout, QStringLiteral("listing the metrics of %1 took longer than %2")
                                               .arg(redactedUrl(settings.url), formatPromDuration(timeoutMs)));
    if (future.isCanceled() || future.resultCount() == 0)
        return failure(ErrorKind::Canceled, QStringLiteral("the discovery request was canceled"));
    return future.result();
}

} // namespace

QFuture<MetricCatalog> discoverMetricsAsync(const PluginRegistry &plugins,
                                            std::function<ConnectionSettings(QString *warning)> settings,
                                            int maxMetrics, qint64 timeoutMs)
{
    auto promise = std::make_shared<QPromise<MetricCatalog>>();
    promise->start();
    QFuture<MetricCatalog> future = promise->future();
    const PluginRegistry *registry = &plugins;
    QThread *thread = QThread::create([promise, registry, settings = std::move(settings), maxMetrics, timeoutMs] {
        QString warning;
        const ConnectionSettings s = settings(&warning);
        MetricCatalog catalog;
        if (promise->isCanceled())
            catalog = failure(ErrorKind::Canceled, QStringLiteral("discovery canceled"));
        else
            catalog = discover(*registry, s, maxMetrics, timeoutMs, *promise);
        if (!warning.isEmpty())
            catalog.notes.prepend(warning);
        promise->addResult(catalog);
        promise->finish();
    });
    thread->setObjectName(QStringLiteral("vigil-discovery"));
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
    return future;
}

} // namespace vigil
