// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>
#include <functional>

class QLineEdit;
class QListWidget;

namespace vigil::ui {

// Ctrl+K: a filterable list of everything the window can show or do
// (dashboards, panels, compare views, alerts, the drift monitor, actions).
// Typing filters by subsequence, best matches first; Up/Down move, Enter
// runs the entry, Esc closes.
class CommandPalette : public QFrame
{
    Q_OBJECT
public:
    struct Entry
    {
        QString kind;     // "Dashboard", "Panel", "Alert", "Action", ...
        QString text;     // what is matched and shown
        QString detail;   // shown after the text (a shortcut, the dashboard of a panel)
        std::function<void()> run;
    };

    explicit CommandPalette(QWidget *parent);

    // Called each time the palette opens, so alerts and panels are current.
    void setProvider(std::function<QList<Entry>()> provider) { m_provider = std::move(provider); }
    void popup();
    QLineEdit *input() const { return m_input; }
    QListWidget *list() const { return m_list; }
    // The shown entries' texts, best match first.
    QStringList shownTexts() const;

    // -1: `pattern` is not a subsequence of `text` (case-insensitive); else
    // higher for matches at the start, at word starts and in runs.
    static int fuzzyScore(const QString &pattern, const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void filter();
    void runCurrent();
    void place();

    std::function<QList<Entry>()> m_provider;
    QList<Entry> m_entries;
    QList<int> m_shown; // indices into m_entries, in list order
    QLineEdit *m_input = nullptr;
    QListWidget *m_list = nullptr;
};

} // namespace vigil::ui
