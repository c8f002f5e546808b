// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_session.h"

#include "session/session.h"

namespace vigil::compare {

CompareSession::CompareSession(const PluginRegistry *plugins, const Workspace &workspace, const QString &model,
                               QObject *parent)
    : QObject(parent)
    , m_plugins(plugins)
    , m_workspace(workspace)
{
    if (const ModelDef *m = workspace.model(model))
        m_model = *m;
    else
        m_model.name = model;
    m_thread.setObjectName(QStringLiteral("vigil-compare"));
    m_root = new QObject;
    m_root->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_root, &QObject::deleteLater);
    m_thread.start();
}

CompareSession::~CompareSession()
{
    m_thread.quit();
    m_thread.wait();
}

void CompareSession::createInThread()
{
    const auto make = [this](const QString &name, bool wantRegistry) -> Connector * {
        const ConnectionDef *def = m_workspace.connection(name);
        if (!def && !wantRegistry) {
            // No 'metrics:': the workspace's first time-series connection, as panels do.
            for (const ConnectionDef &c : m_workspace.connections) {
                if (c.kind != QLatin1String("mlflow")) {
                    def = &c;
                    break;
                }
            }
        }
        if (!def)
            return nullptr;
        QString error;
        const ConnectionSettings settings = Session::settingsFor(*def, &error);
        Connector *c = m_plugins ? m_plugins->createConnector(settings, m_root, &error) : nullptr;
        if (!c)
            m_setupError = QStringLiteral("connection '%1': %2").arg(def->name, error);
        return c;
    };
    Connector *registry = m_model.registry.isEmpty() ? nullptr : make(m_model.registry, true);
    Connector *metrics = make(m_model.metrics, false);
    m_loader = new CompareLoader(registry, metrics, m_root);
    connect(m_loader, &CompareLoader::finished, this, &CompareSession::finished); // queued: another thread
}

void CompareSession::load(const QStringList &refs, qint64 startMs, qint64 endMs)
{
    CompareRequest request;
    request.model = m_model;
    request.refs = refs;
    request.startMs = startMs;
    request.endMs = endMs;
    QMetaObject::invokeMethod(m_root, [this, request] {
        if (!m_loader)
            createInThread();
        if (!m_setupError.isEmpty()) {
            CompareSnapshot s;
            s.model = request.model.name;
            s.error = m_setupError;
            Q_EMIT finished(s);
            return;
        }
        m_loader->load(request);
    });
}

} // namespace vigil::compare
