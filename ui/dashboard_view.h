// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chart_panel.h"

#include <QSet>
#include <QTimer>
#include <QWidget>

namespace vigil {
class Session;
}

namespace vigil::ui {

// A grid of chart panels for one dashboard. Store changes mark panels dirty;
// dirty panels are redrawn together at most once per frame, and only while
// the view is visible.
class DashboardView : public QWidget
{
    Q_OBJECT
public:
    DashboardView(const DashboardDef &def, Session *session, QWidget *parent = nullptr);

    const QString &name() const { return m_def.name; }
    QList<ChartPanel *> panels() const { return m_panels; }
    // True when every panel shows data.
    bool allPanelsHaveData() const;
    void redrawAll();
    // The thresholds and alert bands of the rules whose query a panel shows.
    void updateAlertOverlays();
    // Whitespace-insensitive: "sum by (a)(x)" and "sum by (a) (x)" are one query.
    static QString normalizedQuery(const QString &expr);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void markDirty(const QList<SeriesKey> &keys);
    void redrawDirty();

    DashboardDef m_def;
    Session *m_session;
    QList<ChartPanel *> m_panels;
    QHash<QString, ChartPanel *> m_byJob;
    QSet<ChartPanel *> m_dirty;
    QTimer m_frame;
};

} // namespace vigil::ui
