// SPDX-License-Identifier: GPL-3.0-or-later
#include "main_window.h"

#include "alerts_view.h"
#include "compare/compare_session.h"
#include "compare_view.h"
#include "connections_dialog.h"
#include "dashboard_view.h"
#include "drift_view.h"
#include "session/session.h"
#include "util/display_text.h"

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace vigil::ui {

const QList<std::pair<QString, qint64>> &MainWindow::rangePresets()
{
    // Grafana's quick ranges, trimmed to what an on-call screen uses.
    static const QList<std::pair<QString, qint64>> presets{
        {QStringLiteral("Last 5 minutes"), 5 * 60'000LL},   {QStringLiteral("Last 15 minutes"), 15 * 60'000LL},
        {QStringLiteral("Last 1 hour"), 3'600'000LL},       {QStringLiteral("Last 6 hours"), 6 * 3'600'000LL},
        {QStringLiteral("Last 24 hours"), 24 * 3'600'000LL}, {QStringLiteral("Last 7 days"), 7 * 86'400'000LL},
    };
    return presets;
}

MainWindow::MainWindow(Session *session, const QStringList &issues, QWidget *parent)
    : QMainWindow(parent), m_session(session)
{
    const Workspace &ws = session->workspace();
    setWindowTitle(QStringLiteral("Vigil — %1").arg(QFileInfo(ws.path).fileName()));
    resize(1400, 900);

    auto *toolbar = addToolBar(QStringLiteral("Dashboard"));
    toolbar->setObjectName(QStringLiteral("dashboardToolbar"));
    toolbar->setMovable(false);
    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("rangeCombo"));
    for (const auto &[label, ms] : rangePresets())
        m_range->addItem(label, ms);
    int current = m_range->findData(session->rangeMs());
    if (current < 0) {
        m_range->addItem(QStringLiteral("Last %1").arg(formatPromDuration(session->rangeMs())), session->rangeMs());
        current = m_range->count() - 1;
    }
    m_range->setCurrentIndex(current);
    m_range->setToolTip(QStringLiteral("Time range shown by every panel"));
    connect(m_range, &QComboBox::currentIndexChanged, this, &MainWindow::setRangeIndex);
    toolbar->addWidget(m_range);

    auto *refresh = toolbar->addAction(QStringLiteral("Refresh"));
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setToolTip(QStringLiteral("Poll every panel now (F5)"));
    connect(refresh, &QAction::triggered, this, [this] { m_session->refresh(); });
    m_pause = toolbar->addAction(QStringLiteral("Pause"));
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_pause->setToolTip(QStringLiteral("Pause or resume live updates (Ctrl+P)"));
    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        m_session->setPaused(paused);
        m_pause->setText(paused ? QStringLiteral("Resume") : QStringLiteral("Pause"));
        statusBar()->showMessage(paused ? QStringLiteral("Live updates paused") : QStringLiteral("Live updates resumed"), 3000);
    });

    m_alertsAction = toolbar->addAction(QStringLiteral("Alerts"));
    m_alertsAction->setObjectName(QStringLiteral("alertsAction"));
    m_alertsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    m_alertsAction->setToolTip(QStringLiteral("Show the alerts (Ctrl+0): A acknowledge, S silence, U un-acknowledge, J/K move"));
    connect(m_alertsAction, &QAction::triggered, this, &MainWindow::showAlerts);

    auto *connections = toolbar->addAction(QStringLiteral("Connections…"));
    connections->setObjectName(QStringLiteral("connectionsAction"));
    connections->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connections->setToolTip(QStringLiteral("Add, edit and test connections; secrets go to the keychain (Ctrl+Shift+C)"));
    connect(connections, &QAction::triggered, this, [this] {
        auto *dialog = new ConnectionsDialog(m_session->workspace().path, m_session->plugins(), nullptr, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        // Applied at once; forced, since a secret may have changed and not the file.
        connect(dialog, &ConnectionsDialog::workspaceSaved, this, [this] { reloadWorkspace(true); });
        dialog->open();
    });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    m_issuesBanner = new QLabel(central);
    m_issuesBanner->setObjectName(QStringLiteral("issuesBanner"));
    m_issuesBanner->setTextFormat(Qt::PlainText);
    m_issuesBanner->setWordWrap(true);
    m_issuesBanner->setStyleSheet(QStringLiteral("background: #fff3cd; color: #5c4400; padding: 6px; border-bottom: 1px solid #e0c060;"));
    layout->addWidget(m_issuesBanner);
    setIssues(issues);
    // Notification and alert-database problems (a Slack webhook gone, the
    // database moved aside or full) arrive while the window is open.
    m_notifyBanner = new QLabel(central);
    m_notifyBanner->setObjectName(QStringLiteral("notificationsBanner"));
    m_notifyBanner->setTextFormat(Qt::PlainText);
    m_notifyBanner->setWordWrap(true);
    m_notifyBanner->setStyleSheet(QStringLiteral("background: #f8d7da; color: #58151c; padding: 6px; border-bottom: 1px solid #e0a0a8;"));
    layout->addWidget(m_notifyBanner);
    showNotificationProblems();
    connect(session, &Session::notificationProblem, this, [this] { showNotificationProblems(); });
    connect(session, &Session::openAlertsRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
        showAlerts();
    });
    auto *splitter = new QSplitter(central);
    m_splitter = splitter;
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_list = new QListWidget(splitter);
    m_list->setObjectName(QStringLiteral("dashboardList"));
    m_list->setMaximumWidth(260);
    m_stack = new QStackedWidget(splitter);
    splitter->addWidget(m_list);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    // The alerts come after the dashboards, as Grafana's Alerting after its
    // dashboards; then a comparison per model, then the drift monitor
    // (populateViews, main_window_workspace.cpp: also on every reload).
    m_alerts = new AlertsView(session, m_stack);
    connect(m_alerts, &AlertsView::attentionCountChanged, this, &MainWindow::updateAlertBadge);
    populateViews(ws, nullptr);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setObjectName(QStringLiteral("trayIcon"));
        auto *menu = new QMenu(this);
        menu->setObjectName(QStringLiteral("trayMenu"));
        menu->addAction(QStringLiteral("Show alerts"), this, [this] { showNormal(); raise(); activateWindow(); showAlerts(); });
        menu->addAction(QStringLiteral("Quit Vigil"), this, [this] {
            m_quitting = true; // not just into the tray
            close();
            QCoreApplication::quit();
        });
        m_tray->setContextMenu(menu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Context)
                return; // a right click opens the menu, nothing more
            showNormal();
            raise();
            activateWindow();
            showAlerts();
        });
    }
    updateAlertBadge(0);
    if (m_tray)
        m_tray->show(); // with its icon: the badge
    // Where the desktop has no notification server, the tray says it instead.
    connect(session, &Session::desktopNotificationsAvailable, this, [this](bool available, const QString &reason) {
        m_useBalloons = !available;
        if (!available)
            statusBar()->showMessage(QStringLiteral("Desktop notifications unavailable (%1); using the tray icon").arg(reason), 10'000);
    });
    connect(session, &Session::alertsUpdated, this, [this] {
        const auto balloons = balloonsFor(m_session->alertRows(), &m_balloonSeen);
        if (!m_useBalloons || !m_tray)
            return;
        for (const auto &[title, body] : balloons)
            m_tray->showMessage(title, body, QSystemTrayIcon::Warning, 0);
    });

    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        m_stack->setCurrentIndex(row);
        // The alerts need no polling of panels; dashboards stay as they were.
        if (row != m_alertsRow)
            m_session->setActiveDashboard(m_list->item(row)->text());
        else
            m_alerts->table()->setFocus();
    });
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);

    for (const ConnectionDef &c : ws.connections)
        setHealth(c.name, session->health().value(c.name));
    connect(session, &Session::healthChanged, this, &MainWindow::setHealth);
    setupDriving();
    setupWorkspace();
}

void MainWindow::setRangeIndex(int index)
{
    const qint64 ms = m_range->itemData(index).toLongLong();
    if (ms <= 0)
        return specialRange(ms);
    m_relativeIndex = index;
    m_session->setRangeMs(ms);
    m_backToLive->setEnabled(false);
    if (DashboardView *v = currentDashboard())
        v->redrawAll();
}

void MainWindow::showNotificationProblems()
{
    // The last few, newest last: the log has them all.
    const QStringList problems = m_session->notificationProblems();
    m_notifyBanner->setVisible(!problems.isEmpty());
    if (!problems.isEmpty())
        m_notifyBanner->setText(QStringLiteral("Notifications:\n%1").arg(problems.mid(std::max<qsizetype>(0, problems.size() - 5)).join(u'\n')));
    statusBar()->showMessage(problems.isEmpty() ? QString() : problems.last(), 10'000);
}

QList<std::pair<QString, QString>> MainWindow::balloonsFor(const QList<alerting::AlertRow> &rows, QSet<QString> *seen)
{
    QList<std::pair<QString, QString>> out;
    QSet<QString> now;
    for (const alerting::AlertRow &row : rows) {
        if (!AlertsModel::needsAttention(row))
            continue;
        const QString fp = row.instance.id.fingerprint;
        now.insert(fp);
        if (seen->contains(fp))
            continue;
        const QString title = QStringLiteral("%1 · %2").arg(rules::toString(row.instance.severity), row.instance.id.rule);
        QString body = row.summary.isEmpty() ? row.condition : row.summary;
        const QString model = row.label(QStringLiteral("model"));
        if (!model.isEmpty())
            body += QStringLiteral("\n%1 %2").arg(model, row.label(QStringLiteral("version")));
        out.append({title, body});
    }
    *seen = now; // an alert that resolves and fires again is announced again
    return out;
}

void MainWindow::showAlerts()
{
    m_list->setCurrentRow(m_alertsRow);
}

bool MainWindow::alertsVisible() const
{
    return m_list->currentRow() == m_alertsRow;
}

QString MainWindow::alertSummary() const
{
    const int n = m_alerts ? m_alerts->attentionCount() : 0;
    return n == 0 ? QStringLiteral("No alerts need attention") : QStringLiteral("%1 firing, not acknowledged").arg(n);
}

void MainWindow::updateAlertBadge(int attention)
{
    m_alertsAction->setText(attention > 0 ? QStringLiteral("Alerts (%1)").arg(attention) : QStringLiteral("Alerts"));
    if (QListWidgetItem *item = m_list->item(m_alertsRow)) {
        item->setText(attention > 0 ? QStringLiteral("Alerts (%1)").arg(attention) : QStringLiteral("Alerts"));
        // No attention: the palette's text colour, whichever the theme.
        item->setData(Qt::ForegroundRole, attention > 0 ? QVariant(QBrush(QColor(0xc6, 0x28, 0x28))) : QVariant());
    }
    // The badge: a bell-less round icon with the count, red when something needs attention.
    // Drawn at the screen's pixel ratio, so the badge stays sharp on high-DPI screens.
    const qreal dpr = std::max<qreal>(1.0, devicePixelRatioF());
    QPixmap pm(QSize(64, 64) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    {
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(attention > 0 ? QColor(0xc6, 0x28, 0x28) : QColor(0x2e, 0x7d, 0x32));
        p.setPen(Qt::NoPen);
        p.drawEllipse(2, 2, 60, 60);
        p.setPen(Qt::white);
        QFont f = p.font();
        f.setBold(true);
        f.setPixelSize(attention > 9 ? 28 : 36);
        p.setFont(f);
        p.drawText(QRect(0, 0, 64, 64), Qt::AlignCenter, attention > 99 ? QStringLiteral("99+") : attention > 0 ? QString::number(attention) : QStringLiteral("✓"));
    }
    const QIcon icon(pm);
    setWindowIcon(icon);
    if (m_tray) {
        m_tray->setIcon(icon);
        m_tray->setToolTip(QStringLiteral("Vigil — %1").arg(alertSummary()));
    }
}

DashboardView *MainWindow::currentDashboard() const
{
    const int row = m_list->currentRow();
    return row >= 0 ? m_views.value(m_list->item(row)->text()) : nullptr;
}

DashboardView *MainWindow::dashboardView(const QString &name) const
{
    for (auto it = m_views.cbegin(); it != m_views.cend(); ++it)
        if (it.key().compare(name, Qt::CaseInsensitive) == 0)
            return it.value();
    return nullptr;
}

bool MainWindow::showCompare(const QString &model)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->text() == QStringLiteral("Compare %1").arg(model)) {
            m_list->setCurrentRow(i);
            return true;
        }
    }
    return false;
}

bool MainWindow::showDashboard(const QString &name)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->text().compare(name, Qt::CaseInsensitive) == 0) {
            m_list->setCurrentRow(i);
            return true;
        }
    }
    return false;
}

void MainWindow::setHealth(const QString &connection, const ConnectionHealth &health)
{
    QLabel *label = m_health.value(connection);
    if (!label) {
        label = new QLabel(this);
        label->setTextFormat(Qt::PlainText);
        label->setObjectName(QStringLiteral("health-") + connection);
        statusBar()->addPermanentWidget(label);
        m_health.insert(connection, label);
    }
    static const QHash<Health, QString> colours{{Health::Unknown, QStringLiteral("#9e9e9e")},
                                                 {Health::Ok, QStringLiteral("#2e7d32")},
                                                 {Health::Degraded, QStringLiteral("#f9a825")},
                                                 {Health::Down, QStringLiteral("#c62828")}};
    QString text = QStringLiteral("● %1: %2").arg(connection, healthName(health.state));
    QString tip = health.reason;
    // tls_verify: false is never quiet: it stays in sight next to the state.
    const ConnectionDef *def = m_session->workspace().connection(connection);
    if (def && !def->tlsVerify) {
        text += QStringLiteral(" · TLS NOT VERIFIED");
        if (!tip.isEmpty())
            tip.prepend(u'\n');
        tip.prepend(QStringLiteral("TLS certificates of %1 are not checked (tls_verify: false in the workspace file).")
                        .arg(connection));
    }
    if (!health.reason.isEmpty())
        text += QStringLiteral(" — ") + health.reason.left(120);
    label->setText(text);
    label->setToolTip(plainToolTip(tip)); // server text: never guessed to be HTML
    label->setStyleSheet(QStringLiteral("color: %1; padding: 0 6px;").arg(colours.value(health.state)));
}

QString MainWindow::healthText(const QString &connection) const
{
    const QLabel *l = m_health.value(connection);
    return l ? l->text() : QString();
}

} // namespace vigil::ui
