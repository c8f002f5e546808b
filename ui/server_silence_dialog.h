// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "session/session.h"
#include "sources/server_alerts.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace vigil::ui {

// A silence on an Alertmanager (not Vigil's own): matchers as rows of label,
// operator (= != =~ !~) and value, each removable; a duration preset; the
// author (the user, as Alertmanager records it); a required comment. Create
// checks the silence (silenceProblems) and says what is wrong in plain words;
// when it is fine it emits submitted() and waits for setCreated() or
// setRefused() with the server's answer, so nothing typed is lost on a refusal.
class ServerSilenceDialog : public QDialog
{
    Q_OBJECT
public:
    // `connections`: the Alertmanager connections to choose from; `connection`
    // the one preselected.
    ServerSilenceDialog(const QStringList &connections, const QString &connection,
                        const QList<SilenceMatcher> &matchers, const QString &author, QWidget *parent = nullptr);

    // Alerts the preview counts ("matches 1 of 3 alerts on am now").
    void setAlerts(const QList<ServerAlertRow> &alerts);

    // The silence as entered, starting at `nowMs`.
    ServerSilence silence(qint64 nowMs) const;
    QString connection() const;
    QList<SilenceMatcher> matchers() const;

    // Editing, as the buttons and cells do it (tests call these too).
    void addMatcher(const SilenceMatcher &matcher = {});
    void removeMatcher(int row);
    void setMatcher(int row, const SilenceMatcher &matcher);
    int matcherCount() const;
    QComboBox *durationCombo() const { return m_duration; }
    QLineEdit *commentEdit() const { return m_comment; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *previewLabel() const { return m_preview; }
    QPushButton *createButton() const { return m_create; }
    static const QList<std::pair<QString, qint64>> &durationPresets();

    // The Create button: checks, then emits submitted() (or shows the problems).
    void submit();
    // The server's answer to what submitted() sent.
    void setRefused(const QString &message);
    void setCreated();

Q_SIGNALS:
    void submitted(const QString &connection, const vigil::ServerSilence &silence);

private:
    void updatePreview();
    void showProblems(const QStringList &problems);

    QComboBox *m_connection;
    QTableWidget *m_matchers;
    QComboBox *m_duration;
    QLabel *m_until;
    QLabel *m_author;
    QLineEdit *m_comment;
    QLabel *m_preview;
    QLabel *m_message;
    QPushButton *m_create;
    QList<ServerAlertRow> m_alerts;
};

} // namespace vigil::ui
