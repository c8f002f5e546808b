// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "compare/compare_loader.h"
#include "sources/plugin_registry.h"
#include "workspace/workspace.h"

#include <QObject>
#include <QThread>

namespace vigil::compare {

// The compare view's own connections: a registry and a metrics connector for
// one model, made from the workspace by the plugins, living with a
// CompareLoader in a thread of their own, so resolving versions, reading
// runs and querying live metrics never run in the GUI thread. Made lazily on
// the first load: a compare view nobody opens costs nothing.
class CompareSession : public QObject
{
    Q_OBJECT
public:
    CompareSession(const PluginRegistry *plugins, const Workspace &workspace, const QString &model,
                   QObject *parent = nullptr);
    ~CompareSession() override;

    const ModelDef &model() const { return m_model; }
    // Versions or aliases (the first is the baseline) over [startMs, endMs].
    // Returns at once; `finished` follows in the GUI thread.
    void load(const QStringList &refs, qint64 startMs, qint64 endMs);

Q_SIGNALS:
    void finished(const vigil::compare::CompareSnapshot &snapshot);

private:
    void createInThread(); // runs in m_thread

    const PluginRegistry *m_plugins;
    Workspace m_workspace;
    ModelDef m_model;
    QThread m_thread;
    QObject *m_root = nullptr;       // lives in m_thread; parent of the connectors and the loader
    CompareLoader *m_loader = nullptr; // touched only in m_thread
    QString m_setupError;            // touched only in m_thread
};

} // namespace vigil::compare
