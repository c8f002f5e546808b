// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"
#include "workspace/workspace.h"

#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace vigil {
class PluginRegistry;
namespace secrets {
class SecretStore;
}
} // namespace vigil

namespace vigil::ui {

// Connections… (Ctrl+Shift+C): the workspace's connections and Slack
// notifiers; add or edit one (kind, URL, auth, secret name and value), test it
// (core/sources/connection_probe: server and version, series or registered
// models, or exactly why not) and save it to the workspace file
// (core/workspace/workspace_editor: only that entry changes). The secret's
// value goes to the SecretStore (the keychain), never to the file; the field
// is cleared once stored. Nothing here blocks: the keychain and the probe
// answer through futures.
class ConnectionsDialog : public QDialog
{
    Q_OBJECT
public:
    // `plugins` must outlive the dialog; `store` defaults to the keychain
    // (secrets::defaultSecretStore()).
    ConnectionsDialog(const QString &workspacePath, const PluginRegistry &plugins, secrets::SecretStore *store = nullptr,
                      QWidget *parent = nullptr);

    // The kinds offered, in the combo's order: a label and the kind written.
    struct KindChoice
    {
        QString label;
        QString kind;     // written to the file
        QString section;  // "connections" or "notifiers"
        QString note;
    };
    static QList<KindChoice> kindChoices();

Q_SIGNALS:
    // The workspace file changed (only the saved entry) or a secret did: the
    // window reloads the workspace, so the session uses the change at once.
    void workspaceSaved(const QString &path);
    // A test finished (for tests and the status line), with the report.
    void probeFinished(const QJsonObject &report);
    void saveFinished(bool ok);

private:
    void reload();
    void showEntry(int row);
    void newEntry();
    void kindChanged();
    void authChanged();
    void tlsChanged();
    void testConnection();
    void save();
    ConnectionDef connectionFromForm() const;
    NotifierDef notifierFromForm() const;
    bool isNotifier() const;
    void setBusy(bool busy);
    void probeWith(const ConnectionSettings &settings, const QString &secretNote);
    bool writeFile(QString *message);

    QString m_path;
    const PluginRegistry &m_plugins;
    secrets::SecretStore *m_store;
    Workspace m_workspace;
    QFormLayout *m_form = nullptr;
    QListWidget *m_list = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_kind = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_urlLabel = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_authLabel = nullptr;
    QComboBox *m_auth = nullptr;
    QLabel *m_userLabel = nullptr;
    QLineEdit *m_user = nullptr;
    QLabel *m_secretNameLabel = nullptr;
    QLineEdit *m_secretName = nullptr;
    QLabel *m_secretLabel = nullptr;
    QLineEdit *m_secret = nullptr;
    QLineEdit *m_caFile = nullptr;
    QWidget *m_caRow = nullptr;
    QCheckBox *m_tlsVerify = nullptr;
    QLabel *m_tlsWarning = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_result = nullptr;
    QLabel *m_status = nullptr;
    ConnectionDef m_loaded; // the entry as loaded: fields the form does not show are kept
    NotifierDef m_loadedNotifier;
};

} // namespace vigil::ui
