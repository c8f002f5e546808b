// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/metric_discovery.h"
#include "workspace/workspace.h"

#include <QDialog>
#include <QFuture>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace vigil {
class PluginRegistry;
}

namespace vigil::ui {

class DashboardPreview;

// New dashboard from connection…: pick a Prometheus connection; its metrics
// are listed in a thread of their own (core/sources/discovery_job: secrets,
// HTTP and parsing never in the GUI thread), with a busy bar and Cancel; the
// proposed dashboard (core/workspace/dashboard_proposal) is previewed with a
// checkbox per panel and the notes; "Add to workspace" hands the checked
// panels to the window, which writes the file.
class ProposeDashboardDialog : public QDialog
{
    Q_OBJECT
public:
    // `plugins` must outlive the dialog.
    ProposeDashboardDialog(const Workspace &ws, const PluginRegistry &plugins, QWidget *parent = nullptr);
    ~ProposeDashboardDialog() override;

    // 30 s, as `vigil dashboard propose --timeout`'s default.
    static constexpr qint64 kDiscoveryTimeoutMs = 30'000;

    // The workspace changed (e.g. a connection was added): the connections offered follow it.
    void setWorkspace(const Workspace &ws);
    void startDiscovery();
    void cancelDiscovery();
    bool isDiscovering() const { return m_discovering; }
    // The window could not add the dashboard: why, in the dialog.
    void showError(const QString &message);

    QComboBox *connectionCombo() const { return m_connection; }
    QPushButton *discoverButton() const { return m_discover; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *addButton() const { return m_add; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    DashboardPreview *preview() const { return m_preview; }

Q_SIGNALS:
    void addRequested(const vigil::DashboardDef &dashboard);
    // Discovery ended: a proposal is shown (true), or why not.
    void discoveryFinished(bool proposed);
    // "Connections…": the workspace has no Prometheus connection yet.
    void connectionsRequested();

private:
    void setBusy(bool busy);
    void showCatalog(const MetricCatalog &catalog, const QString &connection);
    void updateAddButton();

    Workspace m_workspace;
    const PluginRegistry &m_plugins;
    QComboBox *m_connection = nullptr;
    QSpinBox *m_maxPanels = nullptr;
    QPushButton *m_discover = nullptr;
    QPushButton *m_connections = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_readOnly = nullptr;
    DashboardPreview *m_preview = nullptr;
    QPushButton *m_add = nullptr;
    QFuture<MetricCatalog> m_future;
    quint64 m_generation = 0; // bumped by every start and cancel: a stale answer is dropped
    bool m_discovering = false;
};

} // namespace vigil::ui
