// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_store.h"
#include "sources/plugin_registry.h"
#include "sources/poll_scheduler.h"
#include "workspace/workspace.h"

#include <QObject>
#include <QThread>
#include <memory>

namespace vigil {

// The live half of an open workspace: the store, the connectors and the poll
// scheduler. Connectors and the scheduler live in an I/O thread, so network
// and parsing never run in the GUI thread; status reaches the GUI through
// queued signals, samples through the thread-safe store.
//
// Only the dashboard on screen is polled (setActiveDashboard): hidden panels cost nothing.
class Session : public QObject
{
    Q_OBJECT
public:
    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    // Loads plugins from these folders (default: PluginRegistry::defaultSearchPaths()).
    void loadPlugins(const QStringList &dirs = {});
    const PluginRegistry &plugins() const { return m_plugins; }

    // Creates a connector per connection. Returns a message per connection that
    // could not be created (unknown kind, missing secret); the others work.
    QStringList open(const Workspace &workspace);
    const Workspace &workspace() const { return m_workspace; }
    SeriesStore *store() { return &m_store; }

    void setActiveDashboard(const QString &name);
    QString activeDashboard() const { return m_active; }
    void setRangeMs(qint64 rangeMs);
    qint64 rangeMs() const { return m_rangeMs; }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void refresh();

    // The store name of a panel query's series.
    static QString jobId(const QString &dashboard, int panel, int query);
    // The step for a range: ~720 points across it, whole seconds, at least 1 s.
    static qint64 stepFor(qint64 rangeMs);
    // Settings for a connector from a workspace definition; secrets come from
    // the environment (VIGIL_SECRET_<NAME>) until the keychain is wired.
    static ConnectionSettings settingsFor(const ConnectionDef &def, QString *error);

    // Health as last reported (GUI thread copy).
    QHash<QString, ConnectionHealth> health() const { return m_health; }
    PollStatus status(const QString &jobId) const { return m_status.value(jobId); }

Q_SIGNALS:
    void pollStatusChanged(const QString &jobId, const vigil::PollStatus &status);
    void healthChanged(const QString &connection, const vigil::ConnectionHealth &health);

private:
    void applyJobs();
    template<typename F> void inIo(F &&f);

    SeriesStore m_store;
    PluginRegistry m_plugins;
    Workspace m_workspace;
    QThread m_io;
    QObject *m_ioRoot = nullptr;         // lives in m_io; parent of connectors and scheduler
    PollScheduler *m_scheduler = nullptr;
    QString m_active;
    qint64 m_rangeMs = 15 * 60'000;
    bool m_paused = false;
    QHash<QString, ConnectionHealth> m_health;
    QHash<QString, PollStatus> m_status;
};

} // namespace vigil
