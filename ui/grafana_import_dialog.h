// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workspace/workspace.h"

#include <QByteArray>
#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace vigil::ui {

class DashboardPreview;

// Import Grafana dashboard…: a dashboard's JSON export (Share ▸ Export, or
// the API's {"dashboard": ...}) read by core/workspace/dashboard_proposal's
// importGrafanaDashboard; the preview shows the panels it became (a checkbox
// each), the panels left out and why, and the approximations made; "Add to
// workspace" hands the checked panels to the window, which writes the file.
class GrafanaImportDialog : public QDialog
{
    Q_OBJECT
public:
    GrafanaImportDialog(const Workspace &ws, QWidget *parent = nullptr);

    // A Grafana export is a few hundred KiB; anything past this is not one.
    static constexpr qint64 kMaxFileBytes = 32LL * 1024 * 1024;

    // Reads and previews the file; false (and why, in the dialog) when it cannot be used.
    bool loadFile(const QString &path);
    void showError(const QString &message);
    QString file() const { return m_path; }

    QComboBox *connectionCombo() const { return m_connection; }
    QPushButton *addButton() const { return m_add; }
    QLabel *statusLabel() const { return m_status; }
    DashboardPreview *preview() const { return m_preview; }

Q_SIGNALS:
    void addRequested(const vigil::DashboardDef &dashboard);

private:
    void importNow();
    void updateAddButton();

    Workspace m_workspace;
    QString m_path;
    QByteArray m_json;
    QLineEdit *m_file = nullptr;
    QComboBox *m_connection = nullptr;
    QLabel *m_status = nullptr;
    DashboardPreview *m_preview = nullptr;
    QPushButton *m_add = nullptr;
};

} // namespace vigil::ui
