// SPDX-License-Identifier: GPL-3.0-or-later
#include "dashboard_view.h"

#include "session/session.h"

#include <QAction>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QSaveFile>
#include <QElapsedTimer>
#include <QEvent>
#include <QApplication>
#include <QGridLayout>
#include <QRegularExpression>

namespace vigil::ui {

DashboardView::DashboardView(const DashboardDef &def, Session *session, QWidget *parent)
    : QWidget(parent), m_def(def), m_session(session)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setSpacing(6);
    const int columns = std::max(1, def.columns);
    for (int p = 0; p < def.panels.size(); ++p) {
        QStringList ids;
        for (int q = 0; q < def.panels[p].queries.size(); ++q)
            ids << Session::jobId(def.name, p, q);
        auto *panel = new ChartPanel(def.panels[p], ids, this);
        for (const QString &id : ids)
            m_byJob.insert(id, panel);
        m_panels.append(panel);
        grid->addWidget(panel, p / columns, p % columns);
        // The crosshair follows the pointer on every panel; the hovered one
        // also shows its values.
        connect(panel, &ChartPanel::hovered, this, [this, panel](qint64 t) {
            for (ChartPanel *other : std::as_const(m_panels))
                other->setCrosshair(t, other == panel);
        });
        connect(panel, &ChartPanel::zoomRequested, this, &DashboardView::zoomRequested);
        connect(panel, &ChartPanel::zoomOutRequested, this, &DashboardView::zoomOutRequested);
        connect(panel, &ChartPanel::panRequested, this, [this](qint64 delta) {
            const auto [from, to] = m_session->viewRange(QDateTime::currentMSecsSinceEpoch());
            Q_EMIT zoomRequested(from + delta, to + delta);
        });
        connect(panel, &ChartPanel::maximiseToggled, this, [this, panel] { setMaximised(m_maximised == panel ? nullptr : panel); });
        connect(panel, &ChartPanel::exportPngRequested, this, [this, panel] { askExport(panel, false); });
        connect(panel, &ChartPanel::exportCsvRequested, this, [this, panel] { askExport(panel, true); });
    }
    m_restore = new QAction(QStringLiteral("Restore the maximised panel"), this);
    m_restore->setShortcut(QKeySequence(Qt::Key_Escape));
    m_restore->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_restore->setEnabled(false);
    connect(m_restore, &QAction::triggered, this, [this] { setMaximised(nullptr); });
    addAction(m_restore);
    for (int c = 0; c < columns; ++c)
        grid->setColumnStretch(c, 1);

    // 16 ms: one frame at 60 Hz; bursts of batches collapse into one redraw.
    m_frame.setSingleShot(true);
    m_frame.setInterval(16);
    connect(&m_frame, &QTimer::timeout, this, &DashboardView::redrawDirty);
    connect(session->store(), &SeriesStore::seriesChanged, this, &DashboardView::markDirty, Qt::QueuedConnection);
    connect(session->store(), &SeriesStore::seriesRemoved, this, &DashboardView::markDirty, Qt::QueuedConnection);
    connect(session, &Session::pollStatusChanged, this, [this](const QString &id, const PollStatus &st) {
        if (ChartPanel *panel = m_byJob.value(id))
            panel->setStatus(id, st);
    });
    connect(session, &Session::alertsUpdated, this, &DashboardView::updateAlertOverlays);
    updateAlertOverlays();
}

QString DashboardView::normalizedQuery(const QString &expr)
{
    QString out;
    out.reserve(expr.size());
    for (const QChar c : expr)
        if (!c.isSpace())
            out += c;
    return out;
}

void DashboardView::updateAlertOverlays()
{
    const Workspace &ws = m_session->workspace();
    const QList<alerting::AlertRow> rows = m_session->alertRows();
    for (ChartPanel *panel : std::as_const(m_panels)) {
        const PanelDef &def = panel->definition();
        const QString panelConnection = ws.connectionFor(def);
        QList<ChartPanel::Threshold> thresholds;
        for (const PanelThreshold &t : def.thresholds) // the panel's own (e.g. imported from Grafana)
            thresholds.append({t.value, false, t.label.isEmpty() ? QStringLiteral("threshold") : t.label});
        qint64 pendingSince = 0, firingSince = 0;
        for (const RuleDef &rule : ws.rules) {
            const QString ruleConnection = rule.connection.isEmpty() ? ws.connectionFor(PanelDef{}) : rule.connection;
            if (ruleConnection != panelConnection)
                continue;
            bool shown = false;
            for (const PanelQuery &q : def.queries)
                shown |= normalizedQuery(q.expr) == normalizedQuery(rule.rule.query);
            if (!shown)
                continue;
            const rules::Condition &c = rule.rule.condition;
            const QString name = rule.rule.name;
            switch (c.kind) {
            case rules::ConditionKind::Above:
            case rules::ConditionKind::Below:
                thresholds.append({c.threshold, false, name});
                if (c.recover && *c.recover != c.threshold)
                    thresholds.append({*c.recover, true, name + QStringLiteral(" recovers")});
                break;
            case rules::ConditionKind::OutsideBand:
                thresholds.append({c.low, false, name});
                thresholds.append({c.high, false, name});
                if (c.recoverLow)
                    thresholds.append({*c.recoverLow, true, name + QStringLiteral(" recovers")});
                if (c.recoverHigh)
                    thresholds.append({*c.recoverHigh, true, name + QStringLiteral(" recovers")});
                break;
            case rules::ConditionKind::ReturnsAnything:
                break;
            }
            for (const alerting::AlertRow &row : rows) {
                if (row.instance.id.rule != name)
                    continue;
                const qint64 since = row.instance.activeSinceMs ? row.instance.activeSinceMs : row.instance.stateSinceMs;
                if (row.instance.state == rules::AlertState::Pending)
                    pendingSince = pendingSince ? std::min(pendingSince, since) : since;
                else if (rules::isOpen(row.instance.state))
                    firingSince = firingSince ? std::min(firingSince, since) : since;
            }
        }
        QList<ChartPanel::AlertSpan> spans;
        if (pendingSince)
            spans.append({pendingSince, 0, false});
        if (firingSince)
            spans.append({firingSince, 0, true});
        // Alerts change far less often than data; only a panel whose lines or
        // bands moved is redrawn (a week-long panel costs ~130 ms a redraw).
        if (panel->setAlertOverlay(thresholds, spans))
            m_dirty.insert(panel);
    }
    if (!m_dirty.isEmpty() && isVisible() && !m_frame.isActive())
        m_frame.start();
}

void DashboardView::markDirty(const QList<SeriesKey> &keys)
{
    for (const SeriesKey &k : keys) {
        if (ChartPanel *panel = m_byJob.value(k.name()))
            m_dirty.insert(panel);
    }
    if (!m_dirty.isEmpty() && onScreen() && !m_frame.isActive())
        m_frame.start();
}

bool DashboardView::onScreen() const
{
    // A minimized window's widgets are still isVisible(): without this check
    // every refresh decimated and re-laid out 20 charts nobody could see
    // (issue 7: no repaints while minimized or hidden).
    return isVisible() && !window()->isMinimized();
}

bool DashboardView::eventFilter(QObject *watched, QEvent *event)
{
    // Restored from minimized: catch up on what changed meanwhile.
    if (watched == m_watchedWindow && event->type() == QEvent::WindowStateChange && onScreen()
        && !m_dirty.isEmpty() && !m_frame.isActive())
        m_frame.start();
    return QWidget::eventFilter(watched, event);
}

void DashboardView::redrawDirty()
{
    redrawDirtyWithin(kFrameBudgetMs);
}

void DashboardView::redrawDirtyWithin(qint64 budgetMs)
{
    if (!onScreen())
        return; // redrawn in showEvent, or when restored from minimized
    const auto [from, now] = m_session->viewRange(QDateTime::currentMSecsSinceEpoch());
    QElapsedTimer spent;
    spent.start();
    // In grid order, so a refresh sweeps the dashboard top to bottom.
    for (ChartPanel *panel : std::as_const(m_panels)) {
        if (!m_dirty.remove(panel))
            continue;
        panel->updateData(*m_session->store(), from, now);
        if (budgetMs > 0 && spent.elapsed() >= budgetMs && !m_dirty.isEmpty()) {
            // The rest in the next frame: input and painting get their turn
            // in between (issue 7: 20 panels in one go blocked the GUI thread
            // for 60-170 ms).
            m_frame.start();
            return;
        }
    }
    m_dirty.clear(); // panels no longer in the grid
}

void DashboardView::redrawAll()
{
    for (ChartPanel *panel : std::as_const(m_panels))
        m_dirty.insert(panel);
    redrawDirtyWithin(0);
}

void DashboardView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_watchedWindow != window()) {
        if (m_watchedWindow)
            m_watchedWindow->removeEventFilter(this);
        m_watchedWindow = window();
        m_watchedWindow->installEventFilter(this);
    }
    for (ChartPanel *panel : std::as_const(m_panels))
        for (const QString &id : panel->jobIds())
            panel->setStatus(id, m_session->status(id));
    redrawAll();
}

void DashboardView::setMaximised(ChartPanel *panel)
{
    auto *grid = static_cast<QGridLayout *>(layout());
    const int columns = std::max(1, m_def.columns);
    if (m_maximised) {
        const int p = int(m_panels.indexOf(m_maximised));
        grid->removeWidget(m_maximised);
        grid->addWidget(m_maximised, p / columns, p % columns);
    }
    m_maximised = panel;
    for (ChartPanel *other : std::as_const(m_panels)) {
        other->setVisible(!panel || other == panel);
        other->setMaximisedHint(other == panel);
    }
    if (panel) {
        const int rows = int((m_panels.size() + columns - 1) / columns);
        grid->removeWidget(panel);
        grid->addWidget(panel, 0, 0, rows, columns);
        // The view scrolls with the grid; a maximised panel fills what is visible.
        if (QWidget *viewport = parentWidget())
            panel->setMinimumHeight(std::max(240, viewport->height() - 12));
        panel->setFocus(Qt::OtherFocusReason);
    } else {
        for (ChartPanel *other : std::as_const(m_panels))
            other->setMinimumHeight(240);
    }
    m_restore->setEnabled(panel != nullptr);
    redrawAll(); // the maximised panel has more pixels, the restored ones were hidden
}

ChartPanel *DashboardView::focusedPanel() const
{
    for (ChartPanel *p : m_panels)
        if (p->isAncestorOf(QApplication::focusWidget()) || p == QApplication::focusWidget())
            return p;
    return m_maximised ? m_maximised : m_panels.value(0);
}

bool DashboardView::exportPanelPng(ChartPanel *panel, const QString &path, QString *error) const
{
    if (!panel->grab().save(path, "PNG")) {
        if (error)
            *error = QStringLiteral("cannot write the PNG %1").arg(path);
        return false;
    }
    return true;
}

bool DashboardView::exportPanelCsv(ChartPanel *panel, const QString &path, QString *error) const
{
    const auto [from, to] = m_session->viewRange(QDateTime::currentMSecsSinceEpoch());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(panel->toCsv(*m_session->store(), from, to).toUtf8()) < 0
        || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write the CSV %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void DashboardView::askExport(ChartPanel *panel, bool csv)
{
    QString base = panel->definition().title;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    const QString path = QFileDialog::getSaveFileName(this, csv ? QStringLiteral("Export the panel as CSV") : QStringLiteral("Export the panel as PNG"),
                                                      base + (csv ? QStringLiteral(".csv") : QStringLiteral(".png")),
                                                      csv ? QStringLiteral("CSV (*.csv)") : QStringLiteral("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(csv ? exportPanelCsv(panel, path, &error) : exportPanelPng(panel, path, &error)))
        QMessageBox::warning(this, QStringLiteral("Export"), error);
}

bool DashboardView::allPanelsHaveData() const
{
    return !m_panels.isEmpty()
        && std::all_of(m_panels.begin(), m_panels.end(), [](const ChartPanel *p) { return p->hasData(); });
}

} // namespace vigil::ui
