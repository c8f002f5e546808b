// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chart_panel.h"

#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWidget>

namespace vigil {
class Session;
}

class QAction;

namespace vigil::ui {

// A grid of chart panels for one dashboard. Store changes mark panels dirty;
// dirty panels are redrawn at most once per frame, and only while the view is
// visible and its window not minimized (restored, it catches up). A frame's
// redraws stop once they have taken kFrameBudgetMs; the remaining dirty
// panels are redrawn in the following frames, so a refresh of many panels
// never holds the GUI thread for long. redrawAll() draws every panel at once
// (showing the view, a screenshot).
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

    // 2 ms: in practice one panel per frame (a redraw of 4 series takes 2-4 ms
    // on a 2-core machine), which leaves the frame to that panel's repaint and
    // to input. 8 ms gave a frame p99 of 34 ms, 4 ms 22 ms, 2 ms 14 ms (issue
    // 7, bench-gui, load 4); a 20-panel refresh then takes about 20 frames.
    static constexpr qint64 kFrameBudgetMs = 2;

    // One panel fills the view (V or Enter on a focused panel, Esc restores).
    void setMaximised(ChartPanel *panel); // nullptr: the grid again
    ChartPanel *maximisedPanel() const { return m_maximised; }
    // Exports (the panel's context menu and the command palette).
    bool exportPanelPng(ChartPanel *panel, const QString &path, QString *error = nullptr) const;
    bool exportPanelCsv(ChartPanel *panel, const QString &path, QString *error = nullptr) const;
    // The panel with keyboard focus, else the maximised one, else the first.
    ChartPanel *focusedPanel() const;
    // The action that restores a maximised panel (Esc).
    QAction *restoreAction() const { return m_restore; }

Q_SIGNALS:
    // A drag across a panel's time axis, shift-drag, arrow keys, double click:
    // the window turns them into the session's range.
    void zoomRequested(qint64 fromMs, qint64 toMs);
    void zoomOutRequested();

protected:
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void markDirty(const QList<SeriesKey> &keys);
    void redrawDirty();
    void redrawDirtyWithin(qint64 budgetMs); // 0: no budget
    bool onScreen() const; // visible and its window not minimized

    DashboardDef m_def;
    Session *m_session;
    QList<ChartPanel *> m_panels;
    QHash<QString, ChartPanel *> m_byJob;
    QSet<ChartPanel *> m_dirty;
    QTimer m_frame;
    QPointer<QWidget> m_watchedWindow; // for WindowStateChange (restored from minimized)
    ChartPanel *m_maximised = nullptr;
    QAction *m_restore = nullptr;
    void askExport(ChartPanel *panel, bool csv);
};

} // namespace vigil::ui
