// SPDX-License-Identifier: GPL-3.0-or-later
#include "propose_dashboard_dialog.h"

#include "dashboard_preview.h"
#include "session/session.h"
#include "sources/discovery_job.h"
#include "workspace/dashboard_proposal.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace vigil::ui {

ProposeDashboardDialog::ProposeDashboardDialog(const Workspace &ws, const PluginRegistry &plugins, QWidget *parent)
    : QDialog(parent), m_workspace(ws), m_plugins(plugins)
{
    setObjectName(QStringLiteral("proposeDashboardDialog"));
    setWindowTitle(QStringLiteral("New dashboard from connection"));
    resize(760, 640);
    auto *layout = new QVBoxLayout(this);

    auto *intro = new QLabel(QStringLiteral("Vigil lists the metrics the server holds and proposes a dashboard: latency "
                                            "quantiles for histograms, rates for counters (with an error ratio where it "
                                            "can), gauges as they are, grouped by model and version."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    auto *row = new QHBoxLayout;
    m_connection = new QComboBox(this);
    m_connection->setObjectName(QStringLiteral("connectionCombo"));
    m_connection->setToolTip(QStringLiteral("A Prometheus connection of the workspace (or VictoriaMetrics, Thanos, Mimir: kind prometheus)"));
    row->addWidget(m_connection, 1);
    m_discover = new QPushButton(QStringLiteral("Discover"), this);
    m_discover->setObjectName(QStringLiteral("discoverButton"));
    m_discover->setToolTip(QStringLiteral("List the connection's metrics again and propose a dashboard"));
    row->addWidget(m_discover);
    m_connections = new QPushButton(QStringLiteral("Connections…"), this);
    m_connections->setToolTip(QStringLiteral("Add or edit a connection (Ctrl+Shift+C)"));
    row->addWidget(m_connections);
    form->addRow(QStringLiteral("Connection"), row);
    m_maxPanels = new QSpinBox(this);
    m_maxPanels->setRange(1, 200);
    m_maxPanels->setValue(24);
    m_maxPanels->setToolTip(QStringLiteral("At most this many panels; the metrics with the most to say come first"));
    form->addRow(QStringLiteral("At most"), m_maxPanels);
    layout->addLayout(form);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("discoveryProgress"));
    m_progress->setRange(0, 0); // busy: the server does not say how long it takes
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(12);
    progressRow->addWidget(m_progress, 1);
    m_cancel = new QPushButton(QStringLiteral("Cancel discovery"), this);
    m_cancel->setObjectName(QStringLiteral("cancelDiscoveryButton"));
    progressRow->addWidget(m_cancel);
    layout->addLayout(progressRow);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("discoveryStatus"));
    m_status->setTextFormat(Qt::PlainText); // server messages
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_preview = new DashboardPreview(this);
    layout->addWidget(m_preview, 1);

    m_readOnly = new QLabel(builtInWorkspaceNote(), this);
    m_readOnly->setObjectName(QStringLiteral("readOnlyNote"));
    m_readOnly->setWordWrap(true);
    m_readOnly->setStyleSheet(QStringLiteral("background: #fff3cd; color: #5c4400; padding: 6px;"));
    layout->addWidget(m_readOnly);

    auto *buttons = new QDialogButtonBox(this);
    m_add = buttons->addButton(QStringLiteral("Add to workspace"), QDialogButtonBox::AcceptRole);
    m_add->setObjectName(QStringLiteral("addToWorkspaceButton"));
    m_add->setToolTip(QStringLiteral("Write the checked panels as a new dashboard at the end of the workspace file's "
                                     "dashboards (every other line stays as it is) and show it"));
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);

    connect(m_discover, &QPushButton::clicked, this, &ProposeDashboardDialog::startDiscovery);
    connect(m_cancel, &QPushButton::clicked, this, &ProposeDashboardDialog::cancelDiscovery);
    connect(m_connections, &QPushButton::clicked, this, &ProposeDashboardDialog::connectionsRequested);
    connect(m_connection, &QComboBox::activated, this, &ProposeDashboardDialog::startDiscovery);
    connect(m_preview, &DashboardPreview::changed, this, &ProposeDashboardDialog::updateAddButton);
    connect(m_add, &QPushButton::clicked, this, [this] {
        m_status->setText(QStringLiteral("Adding…"));
        Q_EMIT addRequested(m_preview->selectedDashboard());
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setWorkspace(ws);
    setBusy(false);
}

ProposeDashboardDialog::~ProposeDashboardDialog()
{
    // The discovery thread stops waiting and drops its connector.
    if (m_discovering)
        m_future.cancel();
}

void ProposeDashboardDialog::setWorkspace(const Workspace &ws)
{
    m_workspace = ws;
    const QString current = m_connection->currentText();
    const QStringList names = prometheusConnections(ws);
    {
        const QSignalBlocker block(m_connection);
        m_connection->clear();
        m_connection->addItems(names);
        const int keep = m_connection->findText(current);
        m_connection->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    m_readOnly->setVisible(isBuiltInWorkspacePath(ws.path));
    m_connections->setVisible(names.isEmpty());
    if (names.isEmpty()) {
        m_preview->clear(QString());
        m_status->setText(QStringLiteral("%1 has no Prometheus connection to ask. Add one with Connections… (kind "
                                         "Prometheus, or VictoriaMetrics, Thanos, Mimir), then Discover.")
                              .arg(ws.path));
    }
    if (!m_discovering)
        setBusy(false);
}

void ProposeDashboardDialog::setBusy(bool busy)
{
    m_discovering = busy;
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_discover->setEnabled(!busy && m_connection->count() > 0);
    m_connection->setEnabled(!busy);
    m_maxPanels->setEnabled(!busy);
    updateAddButton();
}

void ProposeDashboardDialog::updateAddButton()
{
    m_add->setEnabled(!m_discovering && m_preview->checkedCount() > 0 && !m_preview->selectedDashboard().name.isEmpty());
}

void ProposeDashboardDialog::startDiscovery()
{
    const QString name = m_connection->currentText();
    const ConnectionDef *def = m_workspace.connection(name);
    if (!def)
        return;
    if (m_discovering)
        m_future.cancel();
    const quint64 generation = ++m_generation;
    setBusy(true);
    m_preview->clear(QString());
    m_status->setText(QStringLiteral("Listing the metrics of %1 (%2)…").arg(name, def->url));
    const int maxPanels = m_maxPanels->value();
    // Secrets are resolved in the discovery thread: the keychain may take a while.
    m_future = discoverMetricsAsync(
        m_plugins, [def = *def](QString *warning) { return Session::settingsFor(def, warning); }, maxPanels * 2,
        kDiscoveryTimeoutMs);
    auto *watcher = new QFutureWatcher<MetricCatalog>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, name] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // canceled, or another discovery started since
        const QFuture<MetricCatalog> f = watcher->future();
        setBusy(false);
        if (f.isCanceled() || f.resultCount() == 0) {
            m_status->setText(QStringLiteral("Discovery canceled."));
            Q_EMIT discoveryFinished(false);
            return;
        }
        showCatalog(f.result(), name);
    });
    watcher->setFuture(m_future);
}

void ProposeDashboardDialog::cancelDiscovery()
{
    if (!m_discovering)
        return;
    ++m_generation;
    m_future.cancel();
    setBusy(false);
    m_status->setText(QStringLiteral("Discovery canceled."));
    Q_EMIT discoveryFinished(false);
}

void ProposeDashboardDialog::showCatalog(const MetricCatalog &catalog, const QString &connection)
{
    if (!catalog.ok()) {
        m_preview->clear(QString());
        m_status->setText(QStringLiteral("Could not list the metrics of %1: %2").arg(connection, catalog.message));
        Q_EMIT discoveryFinished(false);
        return;
    }
    const int maxPanels = m_maxPanels->value();
    const QString title = uniqueDashboardName(m_workspace, QStringLiteral("%1 (proposed)").arg(connection));
    const ProposedDashboard proposal = proposeDashboard(title, connection, catalog.metrics, maxPanels);
    QStringList notes;
    QString found = QStringLiteral("%1 metric names found, %2 of them the monitoring system's own (left out)")
                        .arg(catalog.namesSeen).arg(catalog.skippedInternal);
    if (catalog.truncated)
        found += QStringLiteral("; only the first %1 looked at").arg(catalog.metrics.size());
    notes << found << catalog.notes << proposal.notes;
    if (proposal.dashboard.panels.isEmpty()) {
        m_preview->clear(QString());
        m_status->setText(QStringLiteral("%1 has no metric to chart besides the monitoring system's own (%2).")
                              .arg(connection, notes.join(QStringLiteral("; "))));
        Q_EMIT discoveryFinished(false);
        return;
    }
    m_preview->setDashboard(proposal.dashboard, notes);
    m_status->setText(QStringLiteral("Proposed %1 panels from %2 metrics. Uncheck what you do not want, rename it if "
                                     "you like, then Add to workspace.")
                          .arg(proposal.dashboard.panels.size()).arg(catalog.metrics.size()));
    updateAddButton();
    Q_EMIT discoveryFinished(true);
}

void ProposeDashboardDialog::showError(const QString &message)
{
    m_status->setText(message);
}

} // namespace vigil::ui
