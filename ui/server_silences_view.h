// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "session/session.h"

#include <QWidget>
#include <functional>

class QCheckBox;
class QLabel;
class QTableWidget;

namespace vigil::ui {

// The silences each Alertmanager holds: active first, then pending, then
// expired (dimmed), with their matchers, author, comment, start and end.
// Expire (Delete) ends the selected one after a confirmation; New silence (N)
// opens the silence editor. Everything shown is plain text.
class ServerSilencesView : public QWidget
{
    Q_OBJECT
public:
    enum Column { State, Matchers, CreatedBy, Comment, Starts, Ends, Connection, Id, ColumnCount };

    explicit ServerSilencesView(Session *session, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QLabel *errorsLabel() const { return m_errors; }
    // The row showing silence `id` (-1: none).
    int rowFor(const QString &id) const;
    bool selectSilence(const QString &id);
    QString selectedId() const;
    // The expire action: asks (confirm), then asks the session to expire it.
    void expireSelected();
    // How the view asks before expiring: title and text, true to go ahead.
    // A message box by default; tests answer themselves.
    void setConfirm(std::function<bool(const QString &title, const QString &text)> confirm) { m_confirm = std::move(confirm); }
    // "active", "pending", "expired" first, then by end.
    static bool showsBefore(const ServerSilenceRow &a, const ServerSilenceRow &b);
    static QString matchersText(const ServerSilence &silence);
    // Only the silences whose matchers, author, comment or id contain `text`
    // (case-insensitive): the Alerts view's search box.
    void setFilterText(const QString &text);

Q_SIGNALS:
    void newSilenceRequested();

private:
    void reload();

    Session *m_session;
    QLabel *m_errors;
    QCheckBox *m_showExpired;
    QTableWidget *m_table;
    QList<ServerSilenceRow> m_rows; // as shown, row by row
    QString m_filterText;
    std::function<bool(const QString &, const QString &)> m_confirm;
};

} // namespace vigil::ui
