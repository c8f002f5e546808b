// SPDX-License-Identifier: GPL-3.0-or-later
#include "command_palette.h"

#include <QEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace vigil::ui {

CommandPalette::CommandPalette(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("commandPalette"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    m_input = new QLineEdit(this);
    m_input->setObjectName(QStringLiteral("paletteInput"));
    m_input->setPlaceholderText(QStringLiteral("Go to a dashboard, panel, alert or view, or run an action…"));
    QFont f = m_input->font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_input->setFont(f);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("paletteList"));
    m_list->setUniformItemSizes(true);
    m_list->setFocusPolicy(Qt::NoFocus);
    layout->addWidget(m_input);
    layout->addWidget(m_list, 1);
    m_input->installEventFilter(this);
    connect(m_input, &QLineEdit::textChanged, this, &CommandPalette::filter);
    connect(m_list, &QListWidget::itemActivated, this, &CommandPalette::runCurrent);
    connect(m_list, &QListWidget::itemClicked, this, &CommandPalette::runCurrent);
    hide();
}

int CommandPalette::fuzzyScore(const QString &pattern, const QString &text)
{
    QString p;
    for (const QChar c : pattern)
        if (!c.isSpace())
            p += c.toLower();
    if (p.isEmpty())
        return 0;
    const QString t = text.toLower();
    // A plain substring beats any scattered match; earlier is better.
    const qsizetype sub = t.indexOf(p);
    if (sub >= 0) {
        const bool wordStart = sub == 0 || !t[sub - 1].isLetterOrNumber();
        return 1000 + (wordStart ? 200 : 0) - int(std::min<qsizetype>(sub, 100)) - int(std::min<qsizetype>(t.size(), 100)) / 10;
    }
    int score = 0, run = 0;
    qsizetype ti = 0, last = -1;
    for (const QChar c : std::as_const(p)) {
        while (ti < t.size() && t[ti] != c)
            ++ti;
        if (ti == t.size())
            return -1;
        const bool wordStart = ti == 0 || !t[ti - 1].isLetterOrNumber();
        run = (last >= 0 && ti == last + 1) ? run + 1 : 0;
        score += 10 + (wordStart ? 15 : 0) + run * 5 - int(last >= 0 ? std::min<qsizetype>(ti - last - 1, 10) : std::min<qsizetype>(ti, 10));
        last = ti++;
    }
    return score;
}

void CommandPalette::popup()
{
    m_entries = m_provider ? m_provider() : QList<Entry>{};
    m_input->clear();
    filter();
    place();
    show();
    raise();
    m_input->setFocus(Qt::PopupFocusReason);
}

void CommandPalette::place()
{
    const QWidget *p = parentWidget();
    const int w = std::min(720, std::max(360, p->width() - 80));
    // As tall as the matches need, up to most of the window.
    const int rowHeight = m_list->count() > 0 ? std::max(m_list->sizeHintForRow(0), 18) : 24;
    const int wanted = m_input->sizeHint().height() + 30 + std::max(3, std::min(int(m_list->count()), 14)) * rowHeight;
    const int h = std::min(wanted, std::max(160, p->height() - 120));
    setGeometry((p->width() - w) / 2, std::min(90, p->height() / 8), w, h);
}

void CommandPalette::filter()
{
    const QString pattern = m_input->text();
    QList<std::pair<int, int>> scored; // score, index
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries[i];
        int s = fuzzyScore(pattern, e.text);
        if (s < 0) {
            // "dash fleet": the kind counts too, below a match in the text.
            s = fuzzyScore(pattern, e.kind + u' ' + e.text);
            if (s >= 0)
                s -= 50;
        }
        if (s >= 0)
            scored.append({s, i});
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    m_list->clear();
    m_shown.clear();
    for (const auto &[score, i] : std::as_const(scored)) {
        const Entry &e = m_entries[i];
        QString label = QStringLiteral("%1  ·  %2").arg(e.kind, e.text);
        if (!e.detail.isEmpty())
            label += QStringLiteral("    (%1)").arg(e.detail);
        auto *item = new QListWidgetItem(QStringLiteral(" ") + label, m_list);
        item->setSizeHint(QSize(0, m_list->fontMetrics().height() + 8));
        m_shown.append(i);
    }
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
    if (isVisible())
        place();
}

QStringList CommandPalette::shownTexts() const
{
    QStringList out;
    for (int i : m_shown)
        out << m_entries[i].text;
    return out;
}

void CommandPalette::runCurrent()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_shown.size())
        return;
    const std::function<void()> run = m_entries[m_shown[row]].run;
    hide();
    if (run)
        run();
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        const auto *ke = static_cast<QKeyEvent *>(event);
        const int n = m_list->count();
        switch (ke->key()) {
        case Qt::Key_Down:
            if (n > 0)
                m_list->setCurrentRow((m_list->currentRow() + 1) % n);
            return true;
        case Qt::Key_Up:
            if (n > 0)
                m_list->setCurrentRow((m_list->currentRow() - 1 + n) % n);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            runCurrent();
            return true;
        case Qt::Key_Escape:
            hide();
            if (parentWidget())
                parentWidget()->setFocus();
            return true;
        default:
            break;
        }
    }
    if (watched == m_input && event->type() == QEvent::FocusOut
        && static_cast<QFocusEvent *>(event)->reason() == Qt::MouseFocusReason && !m_list->underMouse())
        hide(); // clicked elsewhere
    return QFrame::eventFilter(watched, event);
}

} // namespace vigil::ui
