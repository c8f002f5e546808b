// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workspace/workspace.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;

namespace vigil::ui {

// The connections a dashboard can be proposed from or imported for: those of
// kind prometheus (Prometheus and the engines that speak its API), in the
// file's order.
QStringList prometheusConnections(const Workspace &ws);
// The built-in demo workspace (a Qt resource, ":/..."): it cannot be written.
bool isBuiltInWorkspacePath(const QString &path);
// What the dialogs say about it: Add first saves a copy.
QString builtInWorkspaceNote();

// A dashboard before it is added to the workspace (New dashboard from
// connection…, Import Grafana dashboard…): its name, editable; its panels,
// each with a checkbox (unchecked ones are left out) and its queries; what
// was left out and the notes that explain the choices.
class DashboardPreview : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardPreview(QWidget *parent = nullptr);

    void setDashboard(const DashboardDef &dashboard, const QStringList &notes, const QStringList &skipped = {});
    // Nothing to preview (yet): `message` instead.
    void clear(const QString &message);
    // The name as edited, the checked panels only.
    DashboardDef selectedDashboard() const;
    int checkedCount() const;
    int panelCount() const;

    QLineEdit *nameEdit() const { return m_name; }
    QListWidget *panelList() const { return m_panels; }
    QListWidget *skippedList() const { return m_skipped; }
    QLabel *notesLabel() const { return m_notes; }

Q_SIGNALS:
    // The name or the checked panels changed.
    void changed();

private:
    void updateCounts();

    DashboardDef m_dashboard;
    QLineEdit *m_name = nullptr;
    QLabel *m_panelsTitle = nullptr;
    QListWidget *m_panels = nullptr;
    QLabel *m_skippedTitle = nullptr;
    QListWidget *m_skipped = nullptr;
    QLabel *m_notes = nullptr;
};

} // namespace vigil::ui
