// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: driving the dashboard (issue 6) — command palette, help
// overlay, zoom and custom ranges, exports, settings, themes, the tray on close.
#include "main_window.h"

#include "alerts_view.h"
#include "compare_view.h"
#include "dashboard_view.h"
#include "drift_view.h"
#include "server_rules_view.h"
#include "help_overlay.h"
#include "session/session.h"

#include <QAction>
#include <QApplication>
#include <QActionGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QToolButton>

namespace vigil::ui {

namespace {
constexpr qint64 kCustomRange = -1;   // "Custom…" in the range combo
constexpr qint64 kAbsoluteRange = -2; // the absolute range on screen

QString rangeText(qint64 fromMs, qint64 toMs)
{
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs), to = QDateTime::fromMSecsSinceEpoch(toMs);
    const QString fmt = toMs - fromMs < 86'400'000 && from.date() == to.date() ? QStringLiteral("HH:mm:ss")
                                                                                : QStringLiteral("MMM d HH:mm");
    return QStringLiteral("%1 → %2").arg(from.toString(fmt), to.toString(fmt));
}
} // namespace

void MainWindow::setupDriving()
{
    m_relativeIndex = m_range->currentIndex();
    m_range->addItem(QStringLiteral("Custom…"), kCustomRange);

    auto *toolbar = findChild<QToolBar *>(QStringLiteral("dashboardToolbar"));
    m_backToLive = new QAction(QStringLiteral("Back to live"), this);
    m_backToLive->setObjectName(QStringLiteral("backToLiveAction"));
    m_backToLive->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_backToLive->setToolTip(QStringLiteral("Leave the zoomed or custom range: the last range, live again (Ctrl+L)"));
    m_backToLive->setEnabled(false);
    connect(m_backToLive, &QAction::triggered, this, &MainWindow::backToLive);
    toolbar->insertAction(m_alertsAction, m_backToLive);

    auto *paletteAction = new QAction(QStringLiteral("Command palette…"), this);
    paletteAction->setObjectName(QStringLiteral("paletteAction"));
    paletteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    paletteAction->setToolTip(QStringLiteral("Go to any dashboard, panel, alert or view, or run an action (Ctrl+K)"));
    connect(paletteAction, &QAction::triggered, this, &MainWindow::openCommandPalette);
    addAction(paletteAction);
    qApp->installEventFilter(this);
    auto *helpAction = new QAction(QStringLiteral("Keyboard shortcuts"), this);
    helpAction->setObjectName(QStringLiteral("helpAction"));
    helpAction->setShortcuts({QKeySequence(Qt::Key_F1), QKeySequence(QStringLiteral("?"))});
    connect(helpAction, &QAction::triggered, this, &MainWindow::showHelp);
    addAction(helpAction);
    auto *exportView = new QAction(QStringLiteral("Export the view as PNG…"), this);
    exportView->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(exportView, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export the view as PNG"),
                                                          currentViewName().replace(u':', u'-') + QStringLiteral(".png"),
                                                          QStringLiteral("PNG image (*.png)"));
        if (!path.isEmpty() && !exportViewPng(path))
            QMessageBox::warning(this, QStringLiteral("Export"), QStringLiteral("Cannot write the PNG %1").arg(path));
    });
    addAction(exportView);
    auto *custom = new QAction(QStringLiteral("Custom time range…"), this);
    connect(custom, &QAction::triggered, this, &MainWindow::openCustomRange);
    auto *zoomOutAction = new QAction(QStringLiteral("Zoom out"), this);
    connect(zoomOutAction, &QAction::triggered, this, &MainWindow::zoomOut);

    // The theme: System follows the desktop; Light and Dark override it.
    auto *themeMenu = new QMenu(QStringLiteral("Theme"), this);
    auto *themeGroup = new QActionGroup(this);
    for (ThemeMode mode : {ThemeMode::System, ThemeMode::Light, ThemeMode::Dark}) {
        const QString name = mode == ThemeMode::System ? QStringLiteral("System") : mode == ThemeMode::Light ? QStringLiteral("Light") : QStringLiteral("Dark");
        auto *a = themeMenu->addAction(QStringLiteral("Theme: %1").arg(name));
        a->setCheckable(true);
        a->setChecked(mode == currentTheme());
        a->setActionGroup(themeGroup);
        connect(a, &QAction::triggered, this, [this, mode] { chooseTheme(mode); });
        m_themeActions.append(a);
    }

    auto *menu = new QMenu(this);
    menu->addAction(paletteAction);
    menu->addAction(helpAction);
    menu->addSeparator();
    menu->addAction(custom);
    menu->addAction(zoomOutAction);
    menu->addAction(m_backToLive);
    menu->addSeparator();
    menu->addAction(exportView);
    menu->addMenu(themeMenu);
    auto *menuButton = new QToolButton(this);
    menuButton->setObjectName(QStringLiteral("mainMenuButton"));
    menuButton->setText(QStringLiteral("☰"));
    menuButton->setToolTip(QStringLiteral("Command palette, shortcuts, time range, export, theme"));
    menuButton->setPopupMode(QToolButton::InstantPopup);
    menuButton->setMenu(menu);
    toolbar->addWidget(menuButton);

    m_palette = new CommandPalette(this);
    m_palette->setProvider([this] { return paletteEntries(); });
    m_help = new HelpOverlay(this);
    // Each dashboard view's zoom reaches the window as it is made (populateViews).
}

QList<CommandPalette::Entry> MainWindow::paletteEntries() const
{
    auto *self = const_cast<MainWindow *>(this);
    QList<CommandPalette::Entry> out;
    const Workspace &ws = m_session->workspace();
    for (int i = 0; i < ws.dashboards.size(); ++i) {
        const QString name = ws.dashboards[i].name;
        out.append({QStringLiteral("Dashboard"), name, i < 9 ? QStringLiteral("Ctrl+%1").arg(i + 1) : QString(),
                    [self, name] { self->showDashboard(name); }});
    }
    for (const DashboardDef &d : ws.dashboards) {
        DashboardView *view = m_views.value(d.name);
        for (ChartPanel *panel : view ? view->panels() : QList<ChartPanel *>{}) {
            QPointer<ChartPanel> p(panel);
            out.append({QStringLiteral("Panel"), panel->definition().title, d.name, [self, name = d.name, view, p] {
                            self->showDashboard(name);
                            if (p)
                                view->setMaximised(p);
                        }});
        }
    }
    out.append({QStringLiteral("View"), QStringLiteral("Alerts"), QStringLiteral("Ctrl+0"), [self] { self->showAlerts(); }});
    for (const ModelDef &m : ws.models)
        out.append({QStringLiteral("Compare"), QStringLiteral("Compare %1").arg(m.name), QString(),
                    [self, name = m.name] { self->showCompare(name); }});
    for (const DriftDef &d : ws.drift)
        out.append({QStringLiteral("Drift"), QStringLiteral("Drift monitor: %1").arg(d.name), QString(), [self] { self->showDrift(); }});
    if (m_rulesView)
        out.append({QStringLiteral("View"), QStringLiteral("Server rules"), QString(), [self] { self->showServerRules(); }});
    for (const alerting::AlertRow &row : m_session->alertRows()) {
        QStringList what{row.instance.id.rule};
        for (const char *l : {"model", "version", "feature", "instance"})
            if (!row.label(QLatin1String(l)).isEmpty())
                what << row.label(QLatin1String(l));
        out.append({QStringLiteral("Alert"), what.join(u' '), rules::toString(row.instance.state),
                    [self, fp = row.instance.id.fingerprint] {
                        self->showAlerts();
                        self->m_alerts->selectFingerprint(fp);
                    }});
    }
    const auto &presets = rangePresets();
    for (int i = 0; i < m_range->count(); ++i) {
        if (m_range->itemData(i).toLongLong() > 0)
            out.append({QStringLiteral("Range"), m_range->itemText(i), QString(), [self, i] { self->m_range->setCurrentIndex(i); }});
    }
    Q_UNUSED(presets);
    // The window's actions (toolbar, menu, theme) and the focused panel's.
    QList<QAction *> actions = findChildren<QAction *>();
    if (m_paletteTarget)
        actions += m_paletteTarget->panelActions();
    QSet<QString> seen;
    for (QAction *a : std::as_const(actions)) {
        QString text = a->text();
        text.remove(u'&');
        if (text.isEmpty() || a->isSeparator() || a->menu() || text.startsWith(QLatin1String("Show the dashboard"))
            || text == QLatin1String("Command palette…") || seen.contains(text))
            continue;
        // Only the window's own actions and the target panel's (not every panel's).
        if (a->parent() != this && !(m_paletteTarget && a->parent() == m_paletteTarget.data())
            && !m_themeActions.contains(a) && a->parent() != findChild<QToolBar *>(QStringLiteral("dashboardToolbar")))
            continue;
        seen.insert(text);
        if (m_paletteTarget && a->parent() == m_paletteTarget.data())
            text += QStringLiteral(" — %1").arg(m_paletteTarget->definition().title);
        QPointer<QAction> guard(a);
        out.append({QStringLiteral("Action"), text, a->shortcut().toString(QKeySequence::NativeText), [guard] {
                        if (guard && guard->isEnabled())
                            guard->trigger();
                    }});
    }
    return out;
}

void MainWindow::openCommandPalette()
{
    DashboardView *view = currentDashboard();
    m_paletteTarget = view ? view->focusedPanel() : nullptr;
    m_help->hide();
    m_palette->popup();
}

void MainWindow::showHelp()
{
    m_palette->hide();
    m_help->popup();
}

void MainWindow::setAbsoluteRange(qint64 fromMs, qint64 toMs)
{
    if (toMs - fromMs < 1000)
        return; // a drag of a few pixels over a short range: nothing to show
    m_session->setAbsoluteRange(fromMs, toMs);
    // The absolute range is itself the pause (the window no longer moves); its
    // data must still be fetched, so a paused session polls again.
    if (m_pause->isChecked())
        m_pause->setChecked(false);
    const QSignalBlocker block(m_range);
    int index = m_range->findData(kAbsoluteRange);
    if (index < 0) {
        m_range->insertItem(m_range->count() - 1, QString(), kAbsoluteRange);
        index = m_range->count() - 2;
    }
    m_range->setItemText(index, rangeText(fromMs, toMs));
    m_range->setCurrentIndex(index);
    m_backToLive->setEnabled(true);
    statusBar()->showMessage(QStringLiteral("Showing %1: live updates paused. Back to live: Ctrl+L").arg(rangeText(fromMs, toMs)), 8000);
    if (DashboardView *v = currentDashboard())
        v->redrawAll();
}

void MainWindow::backToLive()
{
    {
        const QSignalBlocker block(m_range);
        const int index = m_range->findData(kAbsoluteRange);
        if (index >= 0)
            m_range->removeItem(index);
        m_range->setCurrentIndex(m_relativeIndex);
    }
    m_session->setRangeMs(m_range->itemData(m_relativeIndex).toLongLong());
    m_backToLive->setEnabled(false);
    statusBar()->showMessage(QStringLiteral("Live: %1").arg(m_range->currentText()), 3000);
    if (DashboardView *v = currentDashboard())
        v->redrawAll();
}

void MainWindow::zoomOut()
{
    if (m_session->hasAbsoluteRange()) {
        // Twice the span around the same middle; once it reaches now, live again.
        const auto [from, to] = m_session->viewRange(0);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 mid = (from + to) / 2, span = to - from;
        if (mid + span >= now)
            backToLive();
        else
            setAbsoluteRange(mid - span, mid + span);
        return;
    }
    // Live: the next longer preset.
    for (int i = 0; i < m_range->count(); ++i) {
        if (m_range->itemData(i).toLongLong() > m_session->rangeMs()) {
            m_range->setCurrentIndex(i);
            return;
        }
    }
}

void MainWindow::specialRange(qint64 data)
{
    if (data == kCustomRange)
        openCustomRange();
}

void MainWindow::openCustomRange()
{
    // Back to what was shown first: a cancelled dialog changes nothing.
    {
        const QSignalBlocker block(m_range);
        const int absolute = m_range->findData(kAbsoluteRange);
        m_range->setCurrentIndex(absolute >= 0 ? absolute : m_relativeIndex);
    }
    const auto [from, to] = m_session->viewRange(QDateTime::currentMSecsSinceEpoch());
    QDialog dialog(this);
    dialog.setWindowTitle(QStringLiteral("Custom time range"));
    auto *form = new QFormLayout(&dialog);
    auto *fromEdit = new QDateTimeEdit(QDateTime::fromMSecsSinceEpoch(from), &dialog);
    auto *toEdit = new QDateTimeEdit(QDateTime::fromMSecsSinceEpoch(to), &dialog);
    for (QDateTimeEdit *e : {fromEdit, toEdit}) {
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        e->setCalendarPopup(true);
    }
    form->addRow(QStringLiteral("From (local time)"), fromEdit);
    form->addRow(QStringLiteral("To (local time)"), toEdit);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        if (fromEdit->dateTime() >= toEdit->dateTime()) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), QStringLiteral("'From' must be before 'To'."));
            return;
        }
        dialog.accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() == QDialog::Accepted)
        setAbsoluteRange(fromEdit->dateTime().toMSecsSinceEpoch(), toEdit->dateTime().toMSecsSinceEpoch());
}

bool MainWindow::showDrift()
{
    const QList<QListWidgetItem *> items = m_list->findItems(QStringLiteral("Drift monitor"), Qt::MatchExactly);
    if (items.isEmpty())
        return false;
    m_list->setCurrentItem(items.first());
    return true;
}

QString MainWindow::currentViewName() const
{
    if (alertsVisible())
        return QStringLiteral("alerts");
    if (const DashboardView *v = currentDashboard())
        return QStringLiteral("dashboard:") + v->name();
    if (m_driftView && m_stack->currentWidget() == m_driftView)
        return QStringLiteral("drift");
    if (m_rulesView && m_stack->currentWidget() == m_rulesView)
        return QStringLiteral("rules");
    for (auto it = m_compareViews.cbegin(); it != m_compareViews.cend(); ++it)
        if (m_stack->currentWidget() == it.value())
            return QStringLiteral("compare:") + it.key();
    return {};
}

bool MainWindow::showView(const QString &view)
{
    if (view == QLatin1String("alerts")) {
        showAlerts();
        return true;
    }
    if (view == QLatin1String("drift"))
        return showDrift();
    if (view == QLatin1String("rules"))
        return showServerRules();
    if (view.startsWith(QLatin1String("dashboard:")))
        return showDashboard(view.mid(10));
    if (view.startsWith(QLatin1String("compare:")))
        return showCompare(view.mid(8).section(u':', 0, 0));
    return false;
}

bool MainWindow::exportViewPng(const QString &path) const
{
    // A dashboard whole, also what is scrolled out of sight; other views as shown.
    QWidget *what = currentDashboard() ? static_cast<QWidget *>(currentDashboard()) : m_stack->currentWidget();
    return what && what->grab().save(path, "PNG");
}

QSettings MainWindow::settings()
{
    return QSettings(QStringLiteral("vigil"), QStringLiteral("vigil"));
}

void MainWindow::restoreSettings()
{
    if (!m_persist) // also when the session ends (logout) without a close
        connect(qApp, &QCoreApplication::aboutToQuit, this, &MainWindow::saveSettings);
    m_persist = true;
    addRecentWorkspace(m_session->workspace().path); // the next `vigil` without --workspace opens it
    updateRecentMenu();
    QSettings s = settings();
    if (const QByteArray g = s.value(QStringLiteral("window/geometry")).toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    if (const QByteArray st = s.value(QStringLiteral("window/state")).toByteArray(); !st.isEmpty())
        restoreState(st);
    if (const QByteArray sp = s.value(QStringLiteral("window/splitter")).toByteArray(); !sp.isEmpty())
        m_splitter->restoreState(sp);
    const QString theme = s.value(QStringLiteral("ui/theme")).toString();
    if (!theme.isEmpty() && themeFromName(theme) != currentTheme())
        setTheme(themeFromName(theme));
    const QString last = s.value(QStringLiteral("window/lastView")).toString();
    if (!last.isEmpty())
        showView(last); // a dashboard since removed: the first one stays
}

void MainWindow::saveSettings() const
{
    QSettings s = settings();
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    s.setValue(QStringLiteral("window/lastView"), currentViewName());
    s.setValue(QStringLiteral("ui/theme"), themeName(currentTheme()));
}

void MainWindow::setTheme(ThemeMode mode)
{
    applyTheme(mode);
    for (int i = 0; i < m_themeActions.size(); ++i)
        m_themeActions[i]->setChecked(int(mode) == i);
    // The charts took the palette (setTheme resets series colours): redraw.
    for (DashboardView *v : std::as_const(m_views))
        if (v->isVisible())
            v->redrawAll();
    updateAlertBadge(m_alerts->attentionCount());
}

void MainWindow::chooseTheme(ThemeMode mode)
{
    setTheme(mode);
    if (m_persist)
        settings().setValue(QStringLiteral("ui/theme"), themeName(mode));
}

void MainWindow::raiseFromOtherInstance()
{
    showNormal();
    raise();
    activateWindow();
    statusBar()->showMessage(QStringLiteral("Vigil is already running for this workspace: here it is"), 5000);
}

bool MainWindow::keepWatchingInTray()
{
    QSettings s = settings();
    const QVariant keep = s.value(QStringLiteral("tray/keepWatching"));
    if (keep.isValid())
        return keep.toBool();
    bool answer = false;
    if (m_askTray) {
        answer = m_askTray();
    } else {
        answer = QMessageBox::question(this, QStringLiteral("Keep watching?"),
                                       QStringLiteral("Keep watching in the tray after the window closes? Alerts keep "
                                                      "arriving; quit from the tray icon's menu.\n\n"
                                                      "This is asked once (the answer is kept in Vigil's settings)."),
                                       QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
            == QMessageBox::Yes;
    }
    s.setValue(QStringLiteral("tray/keepWatching"), answer);
    return answer;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_persist)
        saveSettings();
    if (m_tray && m_tray->isVisible() && !m_quitting) {
        // Closing the window need not stop the watch: rules keep running and
        // alerts keep arriving from the tray. Asked once, remembered.
        if (keepWatchingInTray()) {
            hide();
            event->ignore();
            m_tray->showMessage(QStringLiteral("Vigil keeps watching"), alertSummary(), QSystemTrayIcon::Information, 4000);
            return;
        }
    }
    QMainWindow::closeEvent(event);
}

} // namespace vigil::ui

namespace vigil::ui {

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        auto *widget = qobject_cast<QWidget *>(watched);
        if (widget && widget->window() == this
            && QKeySequence(key->keyCombination()) == QKeySequence(Qt::CTRL | Qt::Key_K)) {
            // Not accepted and not delivered: the shortcut map goes on to the window's action.
            event->ignore();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

} // namespace vigil::ui
