// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerting/alert_engine.h"
#include "command_palette.h"
#include "theme.h"
#include "sources/poll_scheduler.h"

#include <QHash>
#include <QSet>
#include <QMainWindow>
#include <QPointer>
#include <functional>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QStackedWidget;
class QAction;
class QSystemTrayIcon;
class QSplitter;
class QSettings;
class QFileSystemWatcher;
class QTimer;
class QMenu;

namespace vigil {
class Session;
}

namespace vigil::ui {

class AlertsView;
class CompareView;
class DashboardView;
class ChartPanel;
class DriftView;
class GrafanaImportDialog;
class HelpOverlay;
class ServerRulesView;
class ProposeDashboardDialog;

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

    // Driving the dashboard (issue 6; main_window_driving.cpp): the command
    // palette (Ctrl+K), the help overlay (? or F1), zoom and custom ranges,
    // exports, window settings, themes, keeping watch from the tray.
    CommandPalette *commandPalette() const { return m_palette; }
    HelpOverlay *helpOverlay() const { return m_help; }
    QList<CommandPalette::Entry> paletteEntries() const;
    void openCommandPalette();
    void showHelp();
    // An absolute range (a drag across a panel, Custom…): the window stops moving.
    void setAbsoluteRange(qint64 fromMs, qint64 toMs);
    void backToLive();
    void zoomOut();
    QAction *backToLiveAction() const { return m_backToLive; }
    bool showDrift();
    // Prometheus' own rules and their health (main_window_rules.cpp): an entry
    // "Server rules" when a connection reports them, its text counting the
    // broken ones. "rules" to showView() and `vigil screenshot --view`.
    ServerRulesView *serverRulesView() const { return m_rulesView; }
    bool showServerRules();
    // "dashboard:NAME", "alerts", "compare:MODEL", "drift": the view on screen,
    // and the names `vigil screenshot --view` and the settings use.
    QString currentViewName() const;
    bool showView(const QString &view);
    bool exportViewPng(const QString &path) const;
    // Geometry, splitter, last view and theme from QSettings (organisation
    // "vigil"); from then on they are saved when the window closes.
    void restoreSettings();
    void saveSettings() const;
    static QSettings settings();
    void setTheme(ThemeMode mode);
    QSplitter *splitter() const { return m_splitter; }
    // Closing with a tray icon asks once whether to keep watching; tests answer.
    void setTrayQuestion(std::function<bool()> ask) { m_askTray = std::move(ask); }
    // Whether closing the window keeps watching from the tray: the remembered
    // answer (settings "tray/keepWatching"), else asks now and remembers it.
    bool keepWatchingInTray();
    // The second `vigil` asked this one to come forward.
    void raiseFromOtherInstance();

    // The workspace's life (main_window_workspace.cpp): the file is watched and
    // reloaded when it changes (debounced, kQuietMs after the last change);
    // Open…, Open recent, Save a copy as…; dashboards proposed from a
    // connection or imported from Grafana, written into the file.
    static constexpr int kReloadQuietMs = 300;
    // Reads the workspace file again and applies it when its bytes changed
    // (force: also when not, e.g. a secret changed in the keychain). A file
    // nothing of which can be used (a YAML syntax error, a half-written file)
    // is not applied: its problems are shown, the workspace as last loaded stays.
    bool reloadWorkspace(bool force = false);
    // Applies `ws` to the session (Session::reload) and the window: the
    // dashboards list and views (a dashboard that did not change keeps its
    // view), compare views, the drift monitor, health labels and the issues
    // banner. The view on screen stays when it still exists.
    void applyWorkspace(const Workspace &ws);
    // Another workspace file, in this window. False (and a message) when it
    // cannot be read or another Vigil already shows it (that one is raised).
    bool openWorkspace(const QString &path);
    // The current workspace's text (a file, or the built-in demo) written to
    // `path`, which is then opened.
    bool saveCopyAs(const QString &path, QString *error);
    // The built-in demo (a resource): read-only.
    static bool isBuiltInWorkspace(const QString &path);
    // The issues banner's lines (empty: hidden).
    QStringList issues() const { return m_issues; }
    // New dashboard from connection… / Import Grafana dashboard…: the
    // dialogs (not modal), returned for tests. `file` empty: asks for one.
    ProposeDashboardDialog *newDashboardFromConnection();
    GrafanaImportDialog *importGrafanaDashboard(const QString &file = {});
    // Adds `dashboard` (renamed if its name is taken) to the workspace file,
    // every other byte kept; then reloads and shows it. The built-in demo is
    // first saved as a copy (asked). False with *error when not added.
    bool addDashboard(DashboardDef dashboard, QString *error);
    // Recently opened workspace files, newest first (settings "workspace/recent").
    static constexpr int kMaxRecent = 8;
    static QStringList recentWorkspaces();
    static void addRecentWorkspace(const QString &path);
    // The newest recent workspace that still exists, else empty (vigil
    // without --workspace opens it, else the built-in demo).
    static QString lastWorkspace();
    // Tests answer the file dialogs (Open…, Save a copy as…): given the
    // dialog's title, the chosen path, or empty for Cancel.
    void setFileChooser(std::function<QString(const QString &title)> choose) { m_chooseFile = std::move(choose); }

Q_SIGNALS:
    // The workspace on screen was reloaded or replaced (applyWorkspace ran).
    void workspaceApplied();
    // Another workspace file is now the window's (main listens for its second instances).
    void workspaceOpened(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;
    // Ctrl+K opens the palette from a text field too (a line edit would take
    // it as "delete to the end of the line").
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setupDriving();
    void specialRange(qint64 data); // "Custom…" chosen in the range combo
    void openCustomRange();
    void chooseTheme(ThemeMode mode);
    CommandPalette *m_palette = nullptr;
    HelpOverlay *m_help = nullptr;
    QAction *m_backToLive = nullptr;
    QSplitter *m_splitter = nullptr;
    QList<QAction *> m_themeActions;
    int m_relativeIndex = 0;        // the range combo's last relative choice
    bool m_persist = false;          // restoreSettings() was called
    bool m_quitting = false;
    std::function<bool()> m_askTray;
    QPointer<ChartPanel> m_paletteTarget; // the panel focused when the palette opened

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

    void addServerRulesView();
    ServerRulesView *m_rulesView = nullptr;
    QListWidgetItem *m_rulesItem = nullptr;
    // main_window_workspace.cpp
    void setupWorkspace();
    void populateViews(const Workspace &ws, const Workspace *previous);
    CompareView *makeCompareView(const ModelDef &model);
    void setIssues(const QStringList &issues);
    void watchWorkspaceFile();
    // Watches the workspace's rule_files (and their folders) and remembers their bytes.
    void watchRuleFiles(const QStringList &files);
    bool ruleFilesChanged() const;
    void updateRecentMenu();
    QString chooseFile(const QString &title, bool save, const QString &filter);
    QHash<QString, CompareView *> m_compareViews;
    QLabel *m_issuesBanner = nullptr;
    QStringList m_issues;
    QWidget *m_emptyPage = nullptr; // "(no dashboards)"
    QList<QAction *> m_jumpActions; // Ctrl+1..9
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_reloadTimer = nullptr;
    QByteArray m_loadedBytes; // the file as last applied
    QHash<QString, QByteArray> m_loadedRuleFiles; // its rule_files as last applied (path -> bytes)
    int m_missingChecks = 0;  // reloads that found no file (an editor between delete and rename)
    QMenu *m_recentMenu = nullptr;
    std::function<QString(const QString &title)> m_chooseFile;
};

} // namespace vigil::ui
