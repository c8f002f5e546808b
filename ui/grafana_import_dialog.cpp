// SPDX-License-Identifier: GPL-3.0-or-later
#include "grafana_import_dialog.h"

#include "dashboard_preview.h"
#include "workspace/dashboard_proposal.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vigil::ui {

GrafanaImportDialog::GrafanaImportDialog(const Workspace &ws, QWidget *parent) : QDialog(parent), m_workspace(ws)
{
    setObjectName(QStringLiteral("grafanaImportDialog"));
    setWindowTitle(QStringLiteral("Import Grafana dashboard"));
    resize(760, 680);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *fileRow = new QHBoxLayout;
    m_file = new QLineEdit(this);
    m_file->setObjectName(QStringLiteral("grafanaFileEdit"));
    m_file->setReadOnly(true);
    m_file->setPlaceholderText(QStringLiteral("a dashboard's JSON export (Grafana: Share ▸ Export ▸ Save to file)"));
    fileRow->addWidget(m_file, 1);
    auto *choose = new QPushButton(QStringLiteral("Choose…"), this);
    fileRow->addWidget(choose);
    form->addRow(QStringLiteral("File"), fileRow);
    m_connection = new QComboBox(this);
    m_connection->setObjectName(QStringLiteral("connectionCombo"));
    m_connection->setToolTip(QStringLiteral("The connection the imported queries ask (Grafana's Prometheus data source)"));
    m_connection->addItems(prometheusConnections(ws));
    form->addRow(QStringLiteral("Queries ask"), m_connection);
    layout->addLayout(form);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("importStatus"));
    m_status->setTextFormat(Qt::PlainText); // titles and errors from the file
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_preview = new DashboardPreview(this);
    layout->addWidget(m_preview, 1);
    if (isBuiltInWorkspacePath(ws.path)) {
        auto *note = new QLabel(builtInWorkspaceNote(), this);
        note->setObjectName(QStringLiteral("readOnlyNote"));
        note->setWordWrap(true);
        note->setStyleSheet(QStringLiteral("background: #fff3cd; color: #5c4400; padding: 6px;"));
        layout->addWidget(note);
    }
    auto *buttons = new QDialogButtonBox(this);
    m_add = buttons->addButton(QStringLiteral("Add to workspace"), QDialogButtonBox::AcceptRole);
    m_add->setObjectName(QStringLiteral("addToWorkspaceButton"));
    m_add->setToolTip(QStringLiteral("Write the checked panels as a new dashboard at the end of the workspace file's "
                                     "dashboards (every other line stays as it is) and show it"));
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);

    connect(choose, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Grafana dashboard export"),
                                                          m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath(),
                                                          QStringLiteral("Grafana dashboard JSON (*.json);;All files (*)"));
        if (!path.isEmpty())
            loadFile(path);
    });
    connect(m_connection, &QComboBox::currentIndexChanged, this, &GrafanaImportDialog::importNow);
    connect(m_preview, &DashboardPreview::changed, this, &GrafanaImportDialog::updateAddButton);
    connect(m_add, &QPushButton::clicked, this, [this] { Q_EMIT addRequested(m_preview->selectedDashboard()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (m_connection->count() == 0)
        m_status->setText(QStringLiteral("%1 has no Prometheus connection: the imported panels will say so until one "
                                         "is added (Connections…, Ctrl+Shift+C).").arg(QFileInfo(ws.path).fileName()));
    m_preview->clear(QStringLiteral("Choose a Grafana dashboard export."));
    updateAddButton();
}

bool GrafanaImportDialog::loadFile(const QString &path)
{
    m_path = path;
    m_file->setText(path);
    m_json.clear();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_preview->clear(QString());
        m_status->setText(QStringLiteral("Cannot read %1: %2").arg(path, f.errorString()));
        return false;
    }
    if (f.size() > kMaxFileBytes) {
        m_preview->clear(QString());
        m_status->setText(QStringLiteral("%1 is %2 MiB; a Grafana dashboard export is far smaller.")
                              .arg(path).arg(f.size() / (1024 * 1024)));
        return false;
    }
    m_json = f.readAll();
    importNow();
    return !m_preview->selectedDashboard().panels.isEmpty();
}

void GrafanaImportDialog::importNow()
{
    if (m_json.isEmpty())
        return;
    const GrafanaImport g = importGrafanaDashboard(m_json, m_connection->currentText(), QFileInfo(m_path).fileName());
    if (!g.ok()) {
        m_preview->clear(QString());
        m_status->setText(g.error);
        return;
    }
    DashboardDef d = g.dashboard;
    d.name = uniqueDashboardName(m_workspace, d.name);
    m_preview->setDashboard(d, g.notes, g.skipped);
    m_status->setText(d.panels.isEmpty()
                          ? QStringLiteral("Nothing in %1 can be shown by Vigil: see what was left out and why.")
                                .arg(QFileInfo(m_path).fileName())
                          : QStringLiteral("%1 panels from %2, %3 left out. Uncheck what you do not want, then Add to workspace.")
                                .arg(d.panels.size()).arg(QFileInfo(m_path).fileName()).arg(g.skipped.size()));
}

void GrafanaImportDialog::updateAddButton()
{
    m_add->setEnabled(m_preview->checkedCount() > 0 && !m_preview->selectedDashboard().name.isEmpty());
}

void GrafanaImportDialog::showError(const QString &message)
{
    m_status->setText(message);
}

} // namespace vigil::ui
