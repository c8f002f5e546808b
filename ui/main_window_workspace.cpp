// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the workspace's life (issue 6) — the file watched and applied
// when it changes, Open…, Open recent, Save a copy as…, and dashboards made
// without writing YAML (proposed from a connection, imported from Grafana),
// added to the file with every other byte kept.
#include "main_window.h"

#include "alerts_view.h"
#include "compare/compare_session.h"
#include "compare_view.h"
#include "dashboard_preview.h"
#include "dashboard_view.h"
#include "drift_view.h"
#include "grafana_import_dialog.h"
#include "propose_dashboard_dialog.h"
#include "session/session.h"
#include "single_instance.h"
#include "workspace/dashboard_proposal.h"

#include <QAction>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

namespace vigil::ui {

namespace {

const QString kRecentKey = QStringLiteral("workspace/recent");
const QString kYamlFilter = QStringLiteral("Vigil workspace (*.yaml *.yml);;All files (*)");
// loadWorkspace's limit: workspace files are small.
constexpr qint64 kMaxWorkspaceBytes = 16 * 1024 * 1024;

bool sameConnections(const QList<ConnectionDef> &a, const QList<ConnectionDef> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ConnectionDef &x, const ConnectionDef &y) {
        return x.name == y.name && x.kind == y.kind && x.url == y.url && x.bearerTokenSecret == y.bearerTokenSecret
            && x.basicUser == y.basicUser && x.passwordSecret == y.passwordSecret && x.headers == y.headers
            && x.caFile == y.caFile && x.tlsVerify == y.tlsVerify && x.timeoutMs == y.timeoutMs && x.options == y.options;
    });
}

bool sameModels(const QList<ModelDef> &a, const QList<ModelDef> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ModelDef &x, const ModelDef &y) {
        return x.name == y.name && x.registry == y.registry && x.metrics == y.metrics && x.versionLabel == y.versionLabel
            && x.versionValue == y.versionValue && x.baseline == y.baseline && x.canary == y.canary
            && x.intervalMs == y.intervalMs && x.queries == y.queries;
    });
}

QStringList issueLines(const Workspace &ws)
{
    QStringList out;
    for (const WorkspaceIssue &i : ws.issues)
        out << i.toString();
    return out;
}

// Nothing of the file can be used: a YAML syntax error, a file cut short.
bool unusable(const Workspace &ws)
{
    return ws.hasErrors() && ws.connections.isEmpty() && ws.dashboards.isEmpty() && ws.rules.isEmpty()
        && ws.models.isEmpty() && ws.drift.isEmpty() && ws.notifiers.isEmpty();
}

} // namespace

bool MainWindow::isBuiltInWorkspace(const QString &path)
{
    return isBuiltInWorkspacePath(path);
}

void MainWindow::setupWorkspace()
{
    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    // Editors write in bursts (truncate, write, rename, chmod): one reload once it is quiet.
    m_reloadTimer->setInterval(kReloadQuietMs);
    connect(m_reloadTimer, &QTimer::timeout, this, [this] { reloadWorkspace(false); });
    m_watcher = new QFileSystemWatcher(this);
    // The folder too: an editor that saves by rename replaces the file the
    // watch was on, and a file briefly missing comes back there.
    connect(m_watcher, &QFileSystemWatcher::fileChanged, m_reloadTimer, qOverload<>(&QTimer::start));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, m_reloadTimer, qOverload<>(&QTimer::start));
    watchWorkspaceFile();

    // A comparison starts the first time its view is shown.
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (auto *view = qobject_cast<CompareView *>(m_stack->widget(row)); view && !view->hasSnapshot())
            Q_EMIT view->compareRequested(view->refs());
    });

    auto *open = new QAction(QStringLiteral("Open workspace…"), this);
    open->setObjectName(QStringLiteral("openWorkspaceAction"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(QStringLiteral("Open another workspace file in this window (Ctrl+O)"));
    connect(open, &QAction::triggered, this, [this] {
        const QString path = chooseFile(QStringLiteral("Open a workspace"), false, kYamlFilter);
        if (!path.isEmpty())
            openWorkspace(path);
    });
    addAction(open);
    m_recentMenu = new QMenu(QStringLiteral("Open recent"), this);
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    updateRecentMenu();
    auto *saveCopy = new QAction(QStringLiteral("Save a copy of the workspace as…"), this);
    saveCopy->setObjectName(QStringLiteral("saveCopyAction"));
    connect(saveCopy, &QAction::triggered, this, [this] {
        const QString path = chooseFile(QStringLiteral("Save a copy of the workspace as"), true, kYamlFilter);
        QString error;
        if (!path.isEmpty() && !saveCopyAs(path, &error))
            QMessageBox::warning(this, QStringLiteral("Save a copy"), error);
    });
    auto *reload = new QAction(QStringLiteral("Reload the workspace file"), this);
    reload->setObjectName(QStringLiteral("reloadWorkspaceAction"));
    reload->setToolTip(QStringLiteral("Read the workspace file again (done by itself when the file changes)"));
    connect(reload, &QAction::triggered, this, [this] {
        if (!reloadWorkspace(true) && isBuiltInWorkspace(m_session->workspace().path))
            statusBar()->showMessage(QStringLiteral("The built-in demo workspace does not change"), 5000);
    });
    auto *propose = new QAction(QStringLiteral("New dashboard from connection…"), this);
    propose->setObjectName(QStringLiteral("newDashboardAction"));
    propose->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    propose->setToolTip(QStringLiteral("Let Vigil propose a dashboard from what a Prometheus connection holds (Ctrl+Shift+N)"));
    connect(propose, &QAction::triggered, this, [this] { newDashboardFromConnection(); });
    addAction(propose);
    auto *grafana = new QAction(QStringLiteral("Import Grafana dashboard…"), this);
    grafana->setObjectName(QStringLiteral("importGrafanaAction"));
    grafana->setToolTip(QStringLiteral("Turn a Grafana dashboard's JSON export into a Vigil dashboard"));
    connect(grafana, &QAction::triggered, this, [this] { importGrafanaDashboard(); });

    // At the top of the ☰ menu, as a File menu's first entries.
    if (auto *button = findChild<QToolButton *>(QStringLiteral("mainMenuButton")); button && button->menu()) {
        QMenu *menu = button->menu();
        QAction *first = menu->actions().value(0);
        menu->insertAction(first, open);
        menu->insertMenu(first, m_recentMenu);
        menu->insertAction(first, saveCopy);
        menu->insertAction(first, reload);
        menu->insertSeparator(first);
        menu->insertAction(first, propose);
        menu->insertAction(first, grafana);
        menu->insertSeparator(first);
        button->setToolTip(QStringLiteral("Workspace, new dashboards, command palette, shortcuts, time range, export, theme"));
    }
}

void MainWindow::watchWorkspaceFile()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    const QString path = m_session->workspace().path;
    m_loadedBytes.clear();
    if (path.isEmpty() || isBuiltInWorkspace(path))
        return;
    QFile f(path);
    if (f.open(QIODevice::ReadOnly))
        m_loadedBytes = f.readAll();
    m_watcher->addPath(path);
    m_watcher->addPath(QFileInfo(path).absolutePath());
    watchRuleFiles(m_session->workspace().ruleFiles);
}

namespace {
QByteArray readWhole(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.read(16 * 1024 * 1024) : QByteArray();
}
} // namespace

void MainWindow::watchRuleFiles(const QStringList &files)
{
    // The workspace file and its folder stay; the rule files' watches follow the file.
    const QString path = m_session->workspace().path;
    const QString folder = QFileInfo(path).absolutePath();
    for (const QString &old : m_loadedRuleFiles.keys()) {
        if (files.contains(old))
            continue;
        if (old != path)
            m_watcher->removePath(old);
        const QString dir = QFileInfo(old).absolutePath();
        bool stillNeeded = dir == folder;
        for (const QString &f : files)
            stillNeeded = stillNeeded || QFileInfo(f).absolutePath() == dir;
        if (!stillNeeded)
            m_watcher->removePath(dir);
    }
    m_loadedRuleFiles.clear();
    for (const QString &file : files) {
        m_loadedRuleFiles.insert(file, readWhole(file));
        // Its folder too: a file saved by rename, or one created later, is seen there.
        if (QFileInfo::exists(file) && !m_watcher->files().contains(file))
            m_watcher->addPath(file);
        const QString dir = QFileInfo(file).absolutePath();
        if (QFileInfo::exists(dir) && !m_watcher->directories().contains(dir))
            m_watcher->addPath(dir);
    }
}

bool MainWindow::ruleFilesChanged() const
{
    for (auto it = m_loadedRuleFiles.cbegin(); it != m_loadedRuleFiles.cend(); ++it)
        if (readWhole(it.key()) != it.value())
            return true;
    return false;
}

bool MainWindow::reloadWorkspace(bool force)
{
    const QString path = m_session->workspace().path;
    if (path.isEmpty() || isBuiltInWorkspace(path))
        return false;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        // An editor between writing a temporary file and renaming it over this one.
        if (!QFileInfo::exists(path) && ++m_missingChecks <= 10) {
            m_reloadTimer->start();
            return false;
        }
        m_missingChecks = 0;
        QStringList issues = m_issues;
        issues << QStringLiteral("%1: cannot read it (%2); showing the workspace as last loaded")
                      .arg(QFileInfo(path).fileName(), f.errorString());
        issues.removeDuplicates();
        setIssues(issues);
        return false;
    }
    m_missingChecks = 0;
    // A rename put another file at the path: watch that one.
    if (!m_watcher->files().contains(path))
        m_watcher->addPath(path);
    if (f.size() > kMaxWorkspaceBytes) {
        setIssues({QStringLiteral("%1 is %2 MB; the limit is 16 MB. Showing the workspace as last loaded.")
                       .arg(QFileInfo(path).fileName()).arg(f.size() / (1024 * 1024))});
        return false;
    }
    const QByteArray bytes = f.readAll();
    if (!force && bytes == m_loadedBytes && !ruleFilesChanged())
        return false; // touched, not changed (or our own write, already applied)
    m_loadedBytes = bytes;
    const Workspace ws = parseWorkspace(bytes, path);
    watchRuleFiles(ws.ruleFiles); // what this version names, as it reads now
    if (unusable(ws) && !unusable(m_session->workspace())) {
        QStringList issues = issueLines(ws);
        issues << QStringLiteral("Nothing in the file can be used as it is: still showing the workspace as last loaded.");
        setIssues(issues);
        statusBar()->showMessage(QStringLiteral("%1 changed but cannot be used: see the problems above")
                                     .arg(QFileInfo(path).fileName()), 8000);
        return false;
    }
    applyWorkspace(ws);
    statusBar()->showMessage(QStringLiteral("Reloaded %1 (%2 dashboards%3)")
                                 .arg(QFileInfo(path).fileName()).arg(ws.dashboards.size())
                                 .arg(ws.issues.isEmpty() ? QString() : QStringLiteral(", %1 problems").arg(ws.issues.size())),
                             5000);
    return true;
}

void MainWindow::applyWorkspace(const Workspace &ws)
{
    const Workspace previous = m_session->workspace();
    QStringList issues = issueLines(ws);
    for (const PluginFailure &f : m_session->plugins().failures())
        issues << QStringLiteral("plugin %1 not used: %2").arg(f.path, f.reason);
    issues << m_session->reload(ws);
    setWindowTitle(QStringLiteral("Vigil — %1").arg(QFileInfo(ws.path).fileName()));
    populateViews(ws, &previous);
    // Health: one label per connection of the file.
    for (auto it = m_health.begin(); it != m_health.end();) {
        if (!ws.connection(it.key())) {
            it.value()->deleteLater();
            it = m_health.erase(it);
        } else {
            ++it;
        }
    }
    for (const ConnectionDef &c : ws.connections)
        setHealth(c.name, m_session->health().value(c.name));
    setIssues(issues);
    Q_EMIT workspaceApplied();
}

void MainWindow::populateViews(const Workspace &ws, const Workspace *previous)
{
    const QString shown = previous ? currentViewName() : QString();
    {
        const QSignalBlocker block(m_list);
        // Dashboard pages whose definition did not change are kept as they are.
        QHash<QString, QScrollArea *> pages;
        for (int i = 0; i < m_stack->count(); ++i)
            if (auto *scroll = qobject_cast<QScrollArea *>(m_stack->widget(i)))
                if (auto *view = qobject_cast<DashboardView *>(scroll->widget()))
                    pages.insert(view->name(), scroll);
        m_list->clear();
        while (m_stack->count() > 0)
            m_stack->removeWidget(m_stack->widget(0));
        m_views.clear();
        qDeleteAll(m_jumpActions);
        m_jumpActions.clear();

        int index = 0;
        for (const DashboardDef &d : ws.dashboards) {
            const DashboardDef *before = previous ? previous->dashboard(d.name) : nullptr;
            QScrollArea *scroll = before && dashboardToYaml(*before) == dashboardToYaml(d) ? pages.take(d.name) : nullptr;
            if (!scroll) {
                scroll = new QScrollArea(m_stack);
                scroll->setWidgetResizable(true);
                scroll->setFrameShape(QFrame::NoFrame);
                auto *view = new DashboardView(d, m_session, scroll);
                scroll->setWidget(view);
                connect(view, &DashboardView::zoomRequested, this, &MainWindow::setAbsoluteRange);
                connect(view, &DashboardView::zoomOutRequested, this, &MainWindow::zoomOut);
            }
            m_stack->addWidget(scroll);
            m_views.insert(d.name, static_cast<DashboardView *>(scroll->widget()));
            auto *item = new QListWidgetItem(d.name, m_list);
            if (index < 9) {
                item->setToolTip(QStringLiteral("Ctrl+%1").arg(index + 1));
                auto *jump = new QAction(QStringLiteral("Show the dashboard %1").arg(d.name), this);
                jump->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
                connect(jump, &QAction::triggered, this, [this, name = d.name] { showDashboard(name); });
                addAction(jump);
                m_jumpActions.append(jump);
            }
            ++index;
        }
        for (QScrollArea *gone : std::as_const(pages))
            gone->deleteLater();

        if (ws.dashboards.isEmpty()) {
            auto *empty = qobject_cast<QLabel *>(m_emptyPage);
            if (!empty) {
                empty = new QLabel(m_stack);
                empty->setTextFormat(Qt::PlainText);
                empty->setAlignment(Qt::AlignCenter);
                empty->setWordWrap(true);
                m_emptyPage = empty;
            }
            empty->setText(QStringLiteral("This workspace has no dashboards yet.\n\nLet Vigil propose one from a "
                                          "Prometheus connection: ☰ ▸ New dashboard from connection… (Ctrl+Shift+N),\n"
                                          "import one from Grafana: ☰ ▸ Import Grafana dashboard…,\n"
                                          "or add one under 'dashboards:' in %1.")
                               .arg(ws.path));
            m_stack->addWidget(m_emptyPage);
            new QListWidgetItem(QStringLiteral("(no dashboards)"), m_list);
        } else if (m_emptyPage) {
            m_emptyPage->deleteLater();
            m_emptyPage = nullptr;
        }

        m_stack->addWidget(m_alerts);
        auto *alertsItem = new QListWidgetItem(QStringLiteral("Alerts"), m_list);
        alertsItem->setToolTip(QStringLiteral("Ctrl+0"));
        QFont bold = alertsItem->font();
        bold.setBold(true);
        alertsItem->setFont(bold);
        m_alertsRow = m_list->row(alertsItem);

        // A comparison holds the connections and models it was made with.
        if (previous && !(sameModels(previous->models, ws.models) && sameConnections(previous->connections, ws.connections))) {
            for (CompareView *v : std::as_const(m_compareViews))
                v->deleteLater();
            m_compareViews.clear();
        }
        for (const ModelDef &model : ws.models) {
            CompareView *view = m_compareViews.value(model.name);
            if (!view) {
                view = makeCompareView(model);
                m_compareViews.insert(model.name, view);
            }
            m_stack->addWidget(view);
            auto *item = new QListWidgetItem(QStringLiteral("Compare %1").arg(model.name), m_list);
            item->setToolTip(QStringLiteral("Versions of %1 side by side, with a canary verdict").arg(model.name));
        }

        if (!ws.drift.isEmpty()) {
            if (!m_driftView)
                m_driftView = new DriftView(m_session, m_stack);
            m_stack->addWidget(m_driftView);
            auto *item = new QListWidgetItem(QStringLiteral("Drift monitor"), m_list);
            item->setToolTip(QStringLiteral("Every monitored feature's drift scores and histograms"));
        } else if (m_driftView) {
            m_driftView->deleteLater();
            m_driftView = nullptr;
        }
        addServerRulesView(); // main_window_rules.cpp
        m_list->setCurrentRow(-1);
    }
    if (!previous)
        return; // the constructor chooses the first view
    updateAlertBadge(m_alerts->attentionCount());
    // The same view as before when it still exists; else the first.
    if (shown.isEmpty() || !showView(shown))
        m_list->setCurrentRow(0);
}

CompareView *MainWindow::makeCompareView(const ModelDef &model)
{
    // Each view has its own CompareSession (connectors in their own thread),
    // made on its first comparison; the window is the session's time range.
    auto *view = new CompareView(model.name, m_stack);
    view->setRefs({model.baseline, model.canary});
    auto *compare = new compare::CompareSession(&m_session->plugins(), m_session->workspace(), model.name, view);
    connect(compare, &compare::CompareSession::finished, view, &CompareView::setSnapshot);
    connect(view, &CompareView::compareRequested, compare, [this, view, compare](const QStringList &refs) {
        // The window the dashboards show: the last range, or a zoomed/custom one.
        const auto [from, end] = m_session->viewRange(QDateTime::currentMSecsSinceEpoch());
        view->setLoading(QStringLiteral("Comparing %1 ...").arg(refs.join(QStringLiteral(", "))));
        compare->load(refs, from, end);
    });
    return view;
}

void MainWindow::setIssues(const QStringList &issues)
{
    m_issues = issues;
    m_issuesBanner->setVisible(!issues.isEmpty());
    m_issuesBanner->setText(issues.isEmpty() ? QString()
                                             : QStringLiteral("Problems in %1 — the rest of the workspace is loaded:\n%2")
                                                   .arg(QFileInfo(m_session->workspace().path).fileName(), issues.join(u'\n')));
}

bool MainWindow::openWorkspace(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString current = m_session->workspace().path;
    if (!isBuiltInWorkspace(current) && QFileInfo(current).absoluteFilePath() == absolute) {
        reloadWorkspace(true);
        return true;
    }
    // One window per workspace: another Vigil showing it comes forward instead.
    if (SingleInstance::sendRaise(SingleInstance::socketPath(absolute), 500)) {
        statusBar()->showMessage(QStringLiteral("%1 is open in another Vigil window: raised it").arg(QFileInfo(path).fileName()), 8000);
        return false;
    }
    QFile f(absolute);
    if (!f.open(QIODevice::ReadOnly) || f.size() > kMaxWorkspaceBytes) {
        const QString why = f.isOpen() ? QStringLiteral("it is larger than 16 MB") : f.errorString();
        statusBar()->showMessage(QStringLiteral("Cannot open %1: %2").arg(absolute, why), 10'000);
        if (!m_chooseFile) // a person chose it; tests read the status line
            QMessageBox::warning(this, QStringLiteral("Open workspace"), QStringLiteral("Cannot open %1: %2").arg(absolute, why));
        return false;
    }
    const Workspace ws = parseWorkspace(f.readAll(), absolute);
    applyWorkspace(ws);
    watchWorkspaceFile();
    if (m_persist)
        addRecentWorkspace(absolute);
    updateRecentMenu();
    statusBar()->showMessage(QStringLiteral("Opened %1").arg(absolute), 5000);
    Q_EMIT workspaceOpened(absolute);
    return true;
}

bool MainWindow::saveCopyAs(const QString &path, QString *error)
{
    const QString from = m_session->workspace().path;
    QFile in(from); // the built-in demo reads from the resource
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(from, in.errorString());
        return false;
    }
    const QByteArray text = in.readAll();
    QSaveFile out(path); // all or nothing
    if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size() || !out.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    if (!openWorkspace(path)) {
        *error = QStringLiteral("saved %1, but it could not be opened").arg(path);
        return false;
    }
    return true;
}

bool MainWindow::addDashboard(DashboardDef dashboard, QString *error)
{
    if (isBuiltInWorkspace(m_session->workspace().path)) {
        // The demo is a resource inside Vigil: the dashboard goes to a copy of it.
        const bool ask = !m_chooseFile;
        if (ask && QMessageBox::question(this, QStringLiteral("The built-in demo workspace"),
                                         QStringLiteral("The built-in demo workspace is part of Vigil and cannot be "
                                                        "changed.\n\nSave a copy of it as a file of your own, and add "
                                                        "the dashboard there?"),
                                         QMessageBox::Save | QMessageBox::Cancel, QMessageBox::Save) != QMessageBox::Save) {
            *error = QStringLiteral("Not added: the built-in demo workspace cannot be changed. Save a copy first "
                                    "(☰ ▸ Save a copy of the workspace as…).");
            return false;
        }
        const QString copy = chooseFile(QStringLiteral("Save a copy of the demo workspace as"), true, kYamlFilter);
        if (copy.isEmpty()) {
            *error = QStringLiteral("Not added: the built-in demo workspace cannot be changed, and no copy was saved.");
            return false;
        }
        if (!saveCopyAs(copy, error))
            return false;
    }
    const QString path = m_session->workspace().path;
    dashboard.name = uniqueDashboardName(m_session->workspace(), dashboard.name);
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot read %1: %2").arg(path, in.errorString());
        return false;
    }
    const QByteArray updated = addDashboardToWorkspaceText(in.readAll(), dashboard, QFileInfo(path).fileName(), error);
    in.close();
    if (updated.isEmpty())
        return false;
    QSaveFile out(path); // a crash never leaves half a workspace
    if (!out.open(QIODevice::WriteOnly) || out.write(updated) != updated.size() || !out.commit()) {
        *error = QStringLiteral("Cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    reloadWorkspace(false);
    showDashboard(dashboard.name);
    statusBar()->showMessage(QStringLiteral("Added the dashboard '%1' (%2 panels) to %3")
                                 .arg(dashboard.name).arg(dashboard.panels.size()).arg(QFileInfo(path).fileName()),
                             8000);
    return true;
}

ProposeDashboardDialog *MainWindow::newDashboardFromConnection()
{
    auto *dialog = new ProposeDashboardDialog(m_session->workspace(), m_session->plugins(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProposeDashboardDialog::addRequested, this, [this, dialog](const DashboardDef &d) {
        QString error;
        if (addDashboard(d, &error))
            dialog->accept();
        else
            dialog->showError(error);
    });
    // Connections added meanwhile (Connections…) are offered at once.
    connect(this, &MainWindow::workspaceApplied, dialog, [this, dialog] { dialog->setWorkspace(m_session->workspace()); });
    connect(dialog, &ProposeDashboardDialog::connectionsRequested, this, [this] {
        if (QAction *a = findChild<QAction *>(QStringLiteral("connectionsAction")))
            a->trigger();
    });
    dialog->open();
    dialog->startDiscovery();
    return dialog;
}

GrafanaImportDialog *MainWindow::importGrafanaDashboard(const QString &file)
{
    const QString path = file.isEmpty() ? chooseFile(QStringLiteral("Import a Grafana dashboard (its JSON export)"), false,
                                                     QStringLiteral("Grafana dashboard JSON (*.json);;All files (*)"))
                                        : file;
    if (path.isEmpty())
        return nullptr;
    auto *dialog = new GrafanaImportDialog(m_session->workspace(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &GrafanaImportDialog::addRequested, this, [this, dialog](const DashboardDef &d) {
        QString error;
        if (addDashboard(d, &error))
            dialog->accept();
        else
            dialog->showError(error);
    });
    dialog->loadFile(path);
    dialog->open();
    return dialog;
}

QString MainWindow::chooseFile(const QString &title, bool save, const QString &filter)
{
    if (m_chooseFile)
        return m_chooseFile(title);
    const QString current = m_session->workspace().path;
    const QString dir = isBuiltInWorkspace(current) ? QString() : QFileInfo(current).absolutePath();
    return save ? QFileDialog::getSaveFileName(this, title, dir, filter) : QFileDialog::getOpenFileName(this, title, dir, filter);
}

QStringList MainWindow::recentWorkspaces()
{
    return settings().value(kRecentKey).toStringList();
}

void MainWindow::addRecentWorkspace(const QString &path)
{
    if (path.isEmpty() || isBuiltInWorkspace(path))
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentWorkspaces();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    settings().setValue(kRecentKey, recent.mid(0, kMaxRecent));
}

QString MainWindow::lastWorkspace()
{
    for (const QString &path : recentWorkspaces())
        if (QFileInfo(path).isFile())
            return path;
    return {};
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentWorkspaces();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        const QFileInfo info(path);
        // &1 … &8: a key each, as editors number their recent files.
        QAction *a = m_recentMenu->addAction(QStringLiteral("&%1 %2 — %3").arg(i + 1).arg(info.fileName(), info.absolutePath()));
        a->setToolTip(path);
        a->setEnabled(info.isFile());
        connect(a, &QAction::triggered, this, [this, path] { openWorkspace(path); });
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(QStringLiteral("(none yet)"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(QStringLiteral("Clear the list"), this, [this] {
        settings().remove(kRecentKey);
        updateRecentMenu();
    });
}

} // namespace vigil::ui
