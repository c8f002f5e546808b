// SPDX-License-Identifier: GPL-3.0-or-later
#include "dashboard_preview.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace vigil::ui {

namespace {

// One line of a query: long PromQL is cut, the tooltip has all of it.
QString shortQuery(const QString &expr)
{
    QString one = expr.simplified();
    return one.size() > 110 ? one.left(109) + QStringLiteral("…") : one;
}

} // namespace

QStringList prometheusConnections(const Workspace &ws)
{
    QStringList out;
    for (const ConnectionDef &c : ws.connections)
        if (c.kind == QLatin1String("prometheus"))
            out << c.name;
    return out;
}

bool isBuiltInWorkspacePath(const QString &path)
{
    return path.startsWith(QLatin1String(":/")) || path.startsWith(QLatin1String("qrc:"));
}

QString builtInWorkspaceNote()
{
    return QStringLiteral("This is the built-in demo workspace, which is part of Vigil and cannot be changed. "
                          "\"Add to workspace\" first asks where to save a copy of it (Save a copy as…), "
                          "then adds the dashboard to the copy and opens it.");
}

DashboardPreview::DashboardPreview(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("dashboardNameEdit"));
    m_name->setPlaceholderText(QStringLiteral("the dashboard's name in the list"));
    form->addRow(QStringLiteral("Name"), m_name);
    layout->addLayout(form);

    auto *header = new QHBoxLayout;
    m_panelsTitle = new QLabel(QStringLiteral("Panels"), this);
    m_panelsTitle->setObjectName(QStringLiteral("panelsTitle"));
    header->addWidget(m_panelsTitle, 1);
    auto *all = new QPushButton(QStringLiteral("All"), this);
    auto *none = new QPushButton(QStringLiteral("None"), this);
    all->setToolTip(QStringLiteral("Check every panel"));
    none->setToolTip(QStringLiteral("Uncheck every panel"));
    header->addWidget(all);
    header->addWidget(none);
    layout->addLayout(header);
    m_panels = new QListWidget(this);
    m_panels->setObjectName(QStringLiteral("previewPanels"));
    m_panels->setAlternatingRowColors(true);
    m_panels->setWordWrap(true);
    layout->addWidget(m_panels, 3);

    m_skippedTitle = new QLabel(this);
    m_skippedTitle->setObjectName(QStringLiteral("skippedTitle"));
    layout->addWidget(m_skippedTitle);
    m_skipped = new QListWidget(this);
    m_skipped->setObjectName(QStringLiteral("previewSkipped"));
    m_skipped->setWordWrap(true);
    layout->addWidget(m_skipped, 1);

    m_notes = new QLabel(this);
    m_notes->setObjectName(QStringLiteral("previewNotes"));
    m_notes->setTextFormat(Qt::PlainText); // label values and titles from a server or a file
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_notes);

    auto checkAll = [this](Qt::CheckState state) {
        for (int i = 0; i < m_panels->count(); ++i)
            m_panels->item(i)->setCheckState(state);
    };
    connect(all, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Unchecked); });
    connect(m_panels, &QListWidget::itemChanged, this, [this] {
        updateCounts();
        Q_EMIT changed();
    });
    connect(m_name, &QLineEdit::textChanged, this, &DashboardPreview::changed);
    clear(QString());
}

void DashboardPreview::setDashboard(const DashboardDef &dashboard, const QStringList &notes, const QStringList &skipped)
{
    m_dashboard = dashboard;
    {
        const QSignalBlocker block(m_panels);
        m_panels->clear();
        for (const PanelDef &p : dashboard.panels) {
            QString text = p.title;
            if (!p.unit.isEmpty())
                text += QStringLiteral("  [%1]").arg(p.unit);
            QStringList exprs;
            for (const PanelQuery &q : p.queries)
                exprs << q.expr;
            if (!exprs.isEmpty())
                text += u'\n' + shortQuery(exprs.first());
            if (exprs.size() > 1)
                text += QStringLiteral("  (+%1 more)").arg(exprs.size() - 1);
            auto *item = new QListWidgetItem(text, m_panels);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Checked);
            item->setToolTip(exprs.join(u'\n'));
        }
    }
    m_skipped->clear();
    m_skipped->addItems(skipped);
    m_skipped->setVisible(!skipped.isEmpty());
    // As tall as its lines, up to five; the panels get the rest.
    const int rows = int(std::min<qsizetype>(skipped.size(), 5));
    m_skipped->setMaximumHeight(rows > 0 ? rows * m_skipped->sizeHintForRow(0) + 2 * m_skipped->frameWidth() + 4 : 0);
    m_skippedTitle->setVisible(!skipped.isEmpty());
    m_skippedTitle->setText(QStringLiteral("Left out (%1)").arg(skipped.size()));
    QStringList lines;
    for (const QString &n : notes)
        lines << QStringLiteral("• ") + n;
    m_notes->setText(lines.join(u'\n'));
    m_notes->setVisible(!notes.isEmpty());
    {
        const QSignalBlocker block(m_name);
        m_name->setText(dashboard.name);
    }
    m_name->setEnabled(true);
    updateCounts();
    Q_EMIT changed();
}

void DashboardPreview::clear(const QString &message)
{
    m_dashboard = DashboardDef{};
    {
        const QSignalBlocker block(m_panels);
        m_panels->clear();
        if (!message.isEmpty()) {
            auto *item = new QListWidgetItem(message, m_panels);
            item->setFlags(Qt::NoItemFlags);
        }
    }
    m_skipped->clear();
    m_skipped->hide();
    m_skippedTitle->hide();
    m_notes->clear();
    m_notes->hide();
    m_name->setEnabled(false);
    updateCounts();
    Q_EMIT changed();
}

DashboardDef DashboardPreview::selectedDashboard() const
{
    DashboardDef d = m_dashboard;
    d.name = m_name->text().trimmed();
    d.panels.clear();
    for (int i = 0; i < m_dashboard.panels.size() && i < m_panels->count(); ++i)
        if (m_panels->item(i)->checkState() == Qt::Checked)
            d.panels.append(m_dashboard.panels[i]);
    return d;
}

int DashboardPreview::checkedCount() const
{
    int n = 0;
    for (int i = 0; i < m_dashboard.panels.size() && i < m_panels->count(); ++i)
        n += m_panels->item(i)->checkState() == Qt::Checked ? 1 : 0;
    return n;
}

int DashboardPreview::panelCount() const
{
    return int(m_dashboard.panels.size());
}

void DashboardPreview::updateCounts()
{
    m_panelsTitle->setText(m_dashboard.panels.isEmpty()
                               ? QStringLiteral("Panels")
                               : QStringLiteral("Panels: %1 of %2 checked").arg(checkedCount()).arg(m_dashboard.panels.size()));
}

} // namespace vigil::ui
