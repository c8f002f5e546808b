// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerting/alert_engine.h"
#include "sources/poll_scheduler.h"

#include <QHash>
#include <QSet>
#include <QMainWindow>

class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QAction;
class QSystemTrayIcon;

namespace vigil {
class Session;
}

namespace vigil::ui {

class AlertsView;
class CompareView;
class DashboardView;
class DriftView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // issues: workspace and connection problems to show in the banner.
    MainWindow(Session *session, const QStringList &issues, QWidget *parent = nullptr);

    DashboardView *currentDashboard() const;
    DashboardView *dashboardView(const QString &name) const;
    bool showDashboard(const QString &name);
    QString healthText(const QString &connection) const;
    AlertsView *alertsView() const { return m_alerts; }
    DriftView *driftView() const { return m_driftView; }
    void showAlerts();
    bool alertsVisible() const;
    // "3 firing" / "no alerts": the toolbar button's and the tray's text.
    QString alertSummary() const;
    // Tray balloons, when the desktop has no notification server: one per
    // alert that newly needs attention (title, body). `seen` is updated.
    static QList<std::pair<QString, QString>> balloonsFor(const QList<alerting::AlertRow> &rows, QSet<QString> *seen);
    bool usesTrayBalloons() const { return m_useBalloons; }

    static const QList<std::pair<QString, qint64>> &rangePresets();

    // Model comparison (issue 5): one "Compare MODEL" entry per workspace model.
    CompareView *compareView(const QString &model) const { return m_compareViews.value(model); }
    bool showCompare(const QString &model);

private:
    void setHealth(const QString &connection, const ConnectionHealth &health);
    void setRangeIndex(int index);
    void updateAlertBadge(int attention);
    void showNotificationProblems();

    Session *m_session;
    QListWidget *m_list = nullptr;
    QStackedWidget *m_stack = nullptr;
    QComboBox *m_range = nullptr;
    QAction *m_pause = nullptr;
    QHash<QString, DashboardView *> m_views;
    QHash<QString, QLabel *> m_health;
    AlertsView *m_alerts = nullptr;
    DriftView *m_driftView = nullptr;
    QAction *m_alertsAction = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    int m_alertsRow = -1; // the Alerts entry in the list
    bool m_useBalloons = false;  // the desktop notifier has no server
    QSet<QString> m_balloonSeen; // alerts a balloon (or the notifier) already announced
    QLabel *m_notifyBanner = nullptr; // notification and alert-database problems

    void addCompareViews();
    QHash<QString, CompareView *> m_compareViews;
};

} // namespace vigil::ui
