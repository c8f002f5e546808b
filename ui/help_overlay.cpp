// SPDX-License-Identifier: GPL-3.0-or-later
#include "help_overlay.h"

#include "alerts_view.h"
#include "chart_panel.h"
#include "dashboard_view.h"
#include "server_silences_view.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QRegularExpression>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {

QString groupOf(const QObject *owner)
{
    for (const QObject *o = owner; o; o = o->parent()) {
        if (qobject_cast<const ChartPanel *>(o) || qobject_cast<const DashboardView *>(o))
            return QStringLiteral("Panel (click a panel first)");
        if (qobject_cast<const ServerSilencesView *>(o))
            return QStringLiteral("Alertmanager silences");
        if (qobject_cast<const AlertsView *>(o))
            return QStringLiteral("Alerts view");
    }
    return QStringLiteral("Window");
}

QString keysText(const QList<QKeySequence> &keys)
{
    QStringList parts;
    for (const QKeySequence &k : keys)
        if (!k.isEmpty())
            parts << k.toString(QKeySequence::NativeText);
    return parts.join(QStringLiteral(" / "));
}

QString cleaned(QString text)
{
    text.remove(u'&');
    // "Pause or resume live updates (Ctrl+P)": the key has its own column.
    static const QRegularExpression keyHint(QStringLiteral("\\s*\\((?:Ctrl|Alt|Shift|F\\d)[^)]*\\)"));
    text.remove(keyHint);
    return text.trimmed();
}

} // namespace

HelpOverlay::HelpOverlay(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("helpOverlay"));
    setFocusPolicy(Qt::StrongFocus);
    m_card = new QWidget(this);
    m_card->setObjectName(QStringLiteral("helpCard"));
    m_card->setAutoFillBackground(true);
    auto *layout = new QVBoxLayout(m_card);
    layout->setContentsMargins(16, 12, 16, 12);
    auto *title = new QLabel(QStringLiteral("Keyboard shortcuts"), m_card);
    QFont tf = title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    title->setFont(tf);
    layout->addWidget(title);
    m_table = new QTableWidget(0, 3, m_card);
    m_table->setObjectName(QStringLiteral("helpTable"));
    m_table->setHorizontalHeaderLabels({QStringLiteral("Where"), QStringLiteral("Keys"), QStringLiteral("Does")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->installEventFilter(this);
    layout->addWidget(m_table, 1);
    auto *mouse = new QLabel(QStringLiteral("Mouse: drag across a panel to zoom to that time, shift-drag to pan, "
                                            "double-click to zoom out, click a legend entry to hide or show its "
                                            "series, right-click a panel for export. Any key closes this."),
                             m_card);
    mouse->setWordWrap(true);
    layout->addWidget(mouse);
    hide();
}

QList<HelpOverlay::Row> HelpOverlay::collect(const QWidget *root)
{
    QList<Row> rows;
    QSet<QString> seen;
    auto add = [&](const QObject *owner, const QList<QKeySequence> &keys, const QString &text) {
        const QString k = keysText(keys);
        const QString d = cleaned(text);
        if (k.isEmpty() || d.isEmpty() || seen.contains(k + u'\x1f' + d))
            return;
        seen.insert(k + u'\x1f' + d);
        rows.append({groupOf(owner), k, d});
    };
    QList<QAction *> actions = root->actions();
    actions += root->findChildren<QAction *>();
    for (const QAction *a : std::as_const(actions))
        add(a->parent(), a->shortcuts(), a->toolTip().size() > a->text().size() + 3 ? a->toolTip() : a->text());
    for (const QShortcut *s : root->findChildren<QShortcut *>())
        add(s->parent(), {s->key()}, s->whatsThis());
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        auto rank = [](const QString &g) { return g == QLatin1String("Window") ? 0 : g.startsWith(QLatin1String("Panel")) ? 1 : 2; };
        return rank(a.group) < rank(b.group);
    });
    return rows;
}

void HelpOverlay::popup()
{
    m_rows = collect(parentWidget());
    m_table->setRowCount(int(m_rows.size()));
    QString lastGroup;
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row &row = m_rows[r];
        auto *g = new QTableWidgetItem(row.group == lastGroup ? QString() : row.group);
        QFont bold = g->font();
        bold.setBold(true);
        g->setFont(bold);
        lastGroup = row.group;
        auto *k = new QTableWidgetItem(row.keys);
        k->setFont(bold);
        m_table->setItem(r, 0, g);
        m_table->setItem(r, 1, k);
        m_table->setItem(r, 2, new QTableWidgetItem(row.description));
    }
    m_table->resizeColumnsToContents();
    m_table->resizeRowsToContents();
    setGeometry(parentWidget()->rect());
    const int tableHeight = m_table->verticalHeader()->length() + m_table->horizontalHeader()->height() + 2 * m_table->frameWidth() + 2;
    m_table->setMinimumHeight(std::min(tableHeight, height() - 200));
    m_table->setMaximumHeight(std::max(tableHeight, 100));
    const int w = std::min(860, width() - 80), h = std::min(height() - 40, m_card->sizeHint().height());
    m_card->setGeometry((width() - w) / 2, (height() - h) / 2, w, h);
    show();
    raise();
    setFocus(Qt::PopupFocusReason);
}

void HelpOverlay::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(0, 0, 0, 110));
}

void HelpOverlay::keyPressEvent(QKeyEvent *event)
{
    event->accept();
    hide();
}

void HelpOverlay::mousePressEvent(QMouseEvent *event)
{
    event->accept();
    hide();
}

bool HelpOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        hide();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace vigil::ui
