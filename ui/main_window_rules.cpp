// SPDX-License-Identifier: GPL-3.0-or-later
// The "Server rules" entry of the main window: Prometheus' own rules and their
// health, its text counting the broken ones.
#include "main_window.h"

#include "server_rules_view.h"
#include "session/session.h"

#include <QListWidget>
#include <QStackedWidget>

namespace vigil::ui {

// Called by populateViews after the list was rebuilt (at start and on each
// reload): the view is made once and kept while a connection reports rules.
void MainWindow::addServerRulesView()
{
    m_rulesItem = nullptr; // the list was cleared with it
    if (m_session->ruleStatusConnections().isEmpty()) {
        if (m_rulesView) {
            m_rulesView->deleteLater();
            m_rulesView = nullptr;
        }
        return;
    }
    auto badge = [this](int broken, const QString &summary) {
        if (!m_rulesItem)
            return;
        m_rulesItem->setText(broken > 0 ? QStringLiteral("Server rules (%1 broken)").arg(broken) : QStringLiteral("Server rules"));
        m_rulesItem->setToolTip(broken > 0 ? summary : QStringLiteral("The rules each Prometheus evaluates itself, broken ones first"));
        // Red while a rule is broken; otherwise the palette's colour, whichever the theme.
        m_rulesItem->setData(Qt::ForegroundRole, broken > 0 ? QVariant(QBrush(QColor(0xc6, 0x28, 0x28))) : QVariant());
    };
    if (!m_rulesView) {
        m_rulesView = new ServerRulesView(m_session, m_stack);
        connect(m_rulesView, &ServerRulesView::brokenCountChanged, this, badge);
    }
    m_stack->addWidget(m_rulesView);
    m_rulesItem = new QListWidgetItem(QStringLiteral("Server rules"), m_list);
    m_rulesItem->setToolTip(QStringLiteral("The rules each Prometheus evaluates itself, broken ones first"));
    if (m_rulesView->brokenCount() > 0)
        badge(m_rulesView->brokenCount(), ServerRulesView::brokenSummary(m_session->ruleGroupRows()));
}

bool MainWindow::showServerRules()
{
    if (!m_rulesItem)
        return false;
    m_list->setCurrentItem(m_rulesItem);
    return true;
}

} // namespace vigil::ui
