// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerts_model.h"
#include "server_silence_dialog.h"

#include <QDialog>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStackedWidget;
class QTableView;

#include "session/session.h"

#include <QHash>

namespace vigil::ui {

class ServerSilencesView;

// The Alerts view: every alert with its state, severity, value and since
// when; acknowledge (A), silence (S), un-acknowledge (U), next / previous
// (J / K), as in an on-call pager. Filters by view and by text.
class AlertsView : public QWidget
{
    Q_OBJECT
public:
    explicit AlertsView(Session *session, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    AlertsModel *model() const { return m_model; }
    AlertsFilter *filter() const { return m_filter; }
    QString selectedFingerprint() const;
    QString detailsText() const;
    bool selectFingerprint(const QString &fingerprint);
    // Firing, not acknowledged, not silenced: the tray badge.
    int attentionCount() const { return m_attention; }

    // The actions behind the keys; tests call them directly too.
    void acknowledgeSelected(const QString &comment);
    void unacknowledgeSelected();
    void moveSelection(int delta);
    // The silence a person would start from for this alert: its identifying labels.
    static QString matchersFor(const alerting::AlertRow &row);

    // Alertmanager's silences: an entry of the view combo (when the workspace
    // has an Alertmanager connection) shows them instead of the alerts.
    ServerSilencesView *serverSilencesView() const { return m_silencesView; }
    void showServerSilences();
    bool serverSilencesShown() const;
    // The silence editor for an Alertmanager, prefilled with `matchers`;
    // opened window-modal, not waited for. S opens it on an Alertmanager row
    // with the alert's labels; the silences list's New silence with none.
    ServerSilenceDialog *openServerSilenceDialog(const QString &connection, const QList<SilenceMatcher> &matchers);
    ServerSilenceDialog *serverSilenceDialog() const { return m_serverDialog; }
    QString messageText() const;

Q_SIGNALS:
    void attentionCountChanged(int count);

private:
    void reload();
    void askAcknowledge();
    void askSilence();
    void showDetails();

    Session *m_session;
    AlertsModel *m_model;
    AlertsFilter *m_filter;
    QTableView *m_table;
    QComboBox *m_viewCombo;
    QLineEdit *m_search;
    QPlainTextEdit *m_details;
    QString m_historyFor;        // the fingerprint whose history is shown
    QStringList m_history;
    bool m_showingHistory = false;
    QLabel *m_message;
    int m_attention = 0;
    // Server-side rows by their model fingerprint, for A and U on them.
    QHash<QString, ServerAlertRow> m_serverRows;
    QStackedWidget *m_pages = nullptr;  // the alerts, or Alertmanager's silences
    QLabel *m_keys = nullptr;           // the keys of the page shown
    ServerSilencesView *m_silencesView = nullptr;
    QPointer<ServerSilenceDialog> m_serverDialog;
    int m_silenceRequest = 0;
    void showMessage(const QString &text, bool error);
};

// Create a silence: matchers (one per line, Alertmanager's syntax), duration,
// author and comment. Prefilled from an alert.
class SilenceDialog : public QDialog
{
    Q_OBJECT
public:
    SilenceDialog(const QString &matchers, const QString &author, QWidget *parent = nullptr);
    // The silence as entered, or empty matchers with *error set.
    rules::Silence silence(qint64 nowMs, QString *error) const;
    QPlainTextEdit *matchersEdit() const { return m_matchers; }
    QLineEdit *commentEdit() const { return m_comment; }
    QComboBox *durationCombo() const { return m_duration; }

private:
    QPlainTextEdit *m_matchers;
    QComboBox *m_duration;
    QLineEdit *m_author;
    QLineEdit *m_comment;
};

} // namespace vigil::ui
