// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "session/session.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace vigil::ui {

// The rules each Prometheus evaluates itself (/api/v1/rules), so a rule
// broken on the server is seen in Vigil and not only in Prometheus' log: one
// row per rule with its health, type, state, last error, last evaluation and
// how long it took. Broken rules come first, highlighted, and a banner counts
// them per connection ("2 rules broken on prom"). The session reads the rules
// every 30 s in its I/O thread; Refresh (or F5) reads them now.
class ServerRulesView : public QWidget
{
    Q_OBJECT
public:
    enum Column { Health, Rule, Type, State, Group, Connection, LastEvaluation, EvaluationTime, LastError, ColumnCount };

    explicit ServerRulesView(Session *session, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QLabel *banner() const { return m_banner; }
    QString detailsText() const;
    int brokenCount() const { return m_broken; }
    // Row of the rule `name` (first match), -1 when it is not shown.
    int rowFor(const QString &name) const;
    // "2 rules broken on prom · 1 rule broken on edge", or "" when none is.
    static QString brokenSummary(const QList<RuleGroupRow> &groups);
    static QString formatSeconds(double seconds); // "1.2 ms", "340 µs", "2.5 s"

Q_SIGNALS:
    // After each update: how many rules are broken and the banner's words.
    void brokenCountChanged(int count, const QString &summary);

private:
    void reload();
    void showDetails();

    struct Entry
    {
        QString connection;
        QString group, file;
        double intervalS = 0.0;
        RuleInfo rule;
    };
    Session *m_session;
    QLabel *m_banner;
    QLabel *m_errors;
    QTableWidget *m_table;
    QPlainTextEdit *m_details;
    QList<Entry> m_entries; // as shown, row by row
    int m_broken = -1;
};

} // namespace vigil::ui
