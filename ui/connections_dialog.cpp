// SPDX-License-Identifier: GPL-3.0-or-later
#include "connections_dialog.h"

#include "net/http_client.h"
#include "secrets/secret_store.h"
#include "sources/connection_probe.h"
#include "sources/plugin_registry.h"
#include "theme.h"
#include "workspace/workspace_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {

enum AuthMode { AuthNone, AuthBasic, AuthBearer };

constexpr int kProbeTimeoutMs = 15'000;
const QString kConnections = QStringLiteral("connections");
const QString kNotifiers = QStringLiteral("notifiers");

QLabel *plainLabel(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setTextFormat(Qt::PlainText);
    l->setWordWrap(true);
    // Top-aligned: QFormLayout sizes a wrapped label for a narrower width than it
    // gets, and a centred text then floats under a gap.
    l->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return l;
}

QString defaultResultText()
{
    return QStringLiteral("Test connection shows what answers at the URL.");
}

QString slackResultText()
{
    return QStringLiteral("A Slack webhook is not tested from here: the only test is to post a message to its "
                          "channel. Vigil posts when a rule fires and shows why a post failed in the Notifications banner.");
}

} // namespace

QList<ConnectionsDialog::KindChoice> ConnectionsDialog::kindChoices()
{
    return {
        {QStringLiteral("Prometheus"), QStringLiteral("prometheus"), kConnections, {}},
        {QStringLiteral("VictoriaMetrics"), QStringLiteral("prometheus"), kConnections,
         QStringLiteral("VictoriaMetrics answers Prometheus' query API: it is saved as kind prometheus. "
                        "For a cluster, include the path prefix, e.g. http://vmselect:8481/select/0/prometheus.")},
        {QStringLiteral("MLflow model registry"), QStringLiteral("mlflow"), kConnections, {}},
        {QStringLiteral("Alertmanager"), QStringLiteral("alertmanager"), kConnections, {}},
        {QStringLiteral("Slack webhook (notifier)"), QStringLiteral("slack"), kNotifiers,
         QStringLiteral("The webhook URL is itself the secret: it goes to the keychain under the secret name; the "
                        "workspace's notifiers: entry only names it.")},
    };
}

ConnectionsDialog::ConnectionsDialog(const QString &workspacePath, const PluginRegistry &plugins, secrets::SecretStore *store,
                                     QWidget *parent)
    : QDialog(parent), m_path(workspacePath), m_plugins(plugins), m_store(store ? store : &secrets::defaultSecretStore())
{
    setObjectName(QStringLiteral("connectionsDialog"));
    setWindowTitle(QStringLiteral("Connections — %1").arg(QFileInfo(m_path).fileName()));
    resize(860, 540);

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("connectionList"));
    m_list->setMinimumWidth(260);
    auto *add = new QPushButton(QStringLiteral("Add"), this);
    add->setObjectName(QStringLiteral("addButton"));
    auto *left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addWidget(add);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(QStringLiteral("e.g. prom"));
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kindCombo"));
    for (const KindChoice &k : kindChoices())
        m_kind->addItem(k.label);
    m_note = plainLabel({}, this);
    m_note->setObjectName(QStringLiteral("kindNote"));
    m_note->setStyleSheet(QStringLiteral("color: palette(dark);"));
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:9090"));
    m_auth = new QComboBox(this);
    m_auth->setObjectName(QStringLiteral("authCombo"));
    m_auth->addItems({QStringLiteral("None"), QStringLiteral("Basic (user and password)"), QStringLiteral("Bearer token")});
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_secretName = new QLineEdit(this);
    m_secretName->setObjectName(QStringLiteral("secretNameEdit"));
    m_secretName->setPlaceholderText(QStringLiteral("e.g. prom-token (the file names it; the keychain holds it)"));
    m_secret = new QLineEdit(this);
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setPlaceholderText(QStringLiteral("stored in the keychain, never in the file; empty keeps the stored one"));

    // TLS: system CAs and verification by default; a private CA by file; the
    // insecure switch explicit, and loud while it is off.
    m_caFile = new QLineEdit(this);
    m_caFile->setObjectName(QStringLiteral("caFileEdit"));
    m_caFile->setPlaceholderText(QStringLiteral("system CAs; or a PEM file with your private CA"));
    auto *browse = new QPushButton(QStringLiteral("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, QStringLiteral("CA certificates (PEM)"), m_caFile->text(),
                                                          QStringLiteral("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!file.isEmpty())
            m_caFile->setText(file);
    });
    m_caRow = new QWidget(this);
    auto *caLayout = new QHBoxLayout(m_caRow);
    caLayout->setContentsMargins(0, 0, 0, 0);
    caLayout->addWidget(m_caFile, 1);
    caLayout->addWidget(browse);
    m_tlsVerify = new QCheckBox(QStringLiteral("Verify TLS certificates"), this);
    m_tlsVerify->setObjectName(QStringLiteral("tlsVerifyCheck"));
    m_tlsVerify->setChecked(true);
    m_tlsWarning = plainLabel(QStringLiteral("Certificates are not checked: anyone on the network path can read or change "
                                             "this connection's data and credentials. Set a CA file instead."),
                              this);
    m_tlsWarning->setObjectName(QStringLiteral("tlsWarning"));
    m_tlsWarning->setWordWrap(true);
    setErrorText(m_tlsWarning);

    auto *form = new QFormLayout;
    m_form = form;
    form->addRow(QStringLiteral("Name"), m_name);
    form->addRow(QStringLiteral("Kind"), m_kind);
    form->addRow(QString(), m_note);
    m_urlLabel = new QLabel(QStringLiteral("URL"), this);
    form->addRow(m_urlLabel, m_url);
    m_authLabel = new QLabel(QStringLiteral("Authentication"), this);
    form->addRow(m_authLabel, m_auth);
    m_userLabel = new QLabel(QStringLiteral("User"), this);
    form->addRow(m_userLabel, m_user);
    m_secretNameLabel = new QLabel(QStringLiteral("Secret name"), this);
    form->addRow(m_secretNameLabel, m_secretName);
    m_secretLabel = new QLabel(QStringLiteral("Password"), this);
    form->addRow(m_secretLabel, m_secret);
    form->addRow(QStringLiteral("CA file"), m_caRow);
    form->addRow(QStringLiteral("TLS"), m_tlsVerify);
    form->addRow(QString(), m_tlsWarning);

    m_test = new QPushButton(QStringLiteral("Test connection"), this);
    m_test->setObjectName(QStringLiteral("testButton"));
    m_save = new QPushButton(QStringLiteral("Save"), this);
    m_save->setObjectName(QStringLiteral("saveButton"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_test);
    buttons->addStretch(1);
    buttons->addWidget(m_save);

    m_result = plainLabel(defaultResultText(), this);
    m_result->setObjectName(QStringLiteral("probeResult"));
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setFrameShape(QFrame::StyledPanel);
    m_result->setMargin(8);
    m_result->setMinimumHeight(110);
    m_result->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_status = plainLabel({}, this);
    m_status->setObjectName(QStringLiteral("saveStatus"));

    auto *right = new QVBoxLayout;
    right->addLayout(form);
    right->addLayout(buttons);
    right->addWidget(m_result);
    right->addWidget(m_status);
    right->addStretch(1);

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *top = new QHBoxLayout;
    top->addLayout(left);
    top->addLayout(right, 1);
    auto *outer = new QVBoxLayout(this);
    outer->addLayout(top, 1);
    outer->addWidget(close);

    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionsDialog::showEntry);
    connect(add, &QPushButton::clicked, this, &ConnectionsDialog::newEntry);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ConnectionsDialog::kindChanged);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ConnectionsDialog::authChanged);
    connect(m_tlsVerify, &QCheckBox::toggled, this, &ConnectionsDialog::tlsChanged);
    connect(m_test, &QPushButton::clicked, this, &ConnectionsDialog::testConnection);
    connect(m_save, &QPushButton::clicked, this, &ConnectionsDialog::save);

    reload();
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
    else
        newEntry();
    if (m_path.isEmpty() || m_path.startsWith(u':')) {
        m_save->setEnabled(false);
        m_status->setText(QStringLiteral("This workspace is built into Vigil and cannot be edited; open a workspace file "
                                         "(vigil --workspace FILE) to save connections. Test connection works."));
    }
}

void ConnectionsDialog::reload()
{
    m_workspace = loadWorkspace(m_path);
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const ConnectionDef &c : m_workspace.connections) {
        QString text = QStringLiteral("%1 — %2\n%3").arg(c.name, c.kind, c.url);
        if (!c.tlsVerify)
            text += QStringLiteral("\n⚠ TLS certificates not verified");
        auto *item = new QListWidgetItem(text, m_list);
        if (!c.tlsVerify)
            item->setForeground(errorTextColor());
        item->setData(Qt::UserRole, kConnections);
        item->setData(Qt::UserRole + 1, c.name);
    }
    for (const NotifierDef &n : m_workspace.notifiers) {
        if (n.kind != QLatin1String("slack"))
            continue;
        auto *item = new QListWidgetItem(QStringLiteral("%1 — Slack notifier\nwebhook: secret '%2'")
                                             .arg(n.name, n.secrets.value(QStringLiteral("webhook"))), m_list);
        item->setData(Qt::UserRole, kNotifiers);
        item->setData(Qt::UserRole + 1, n.name);
    }
}

void ConnectionsDialog::showEntry(int row)
{
    QListWidgetItem *item = m_list->item(row);
    if (!item)
        return;
    const QString name = item->data(Qt::UserRole + 1).toString();
    m_secret->clear();
    m_status->clear();
    m_result->setText(defaultResultText());
    if (item->data(Qt::UserRole).toString() == kNotifiers) {
        for (const NotifierDef &n : m_workspace.notifiers)
            if (n.name == name)
                m_loadedNotifier = n;
        m_loaded = {};
        m_name->setText(name);
        m_kind->setCurrentIndex(int(kindChoices().size()) - 1);
        m_secretName->setText(m_loadedNotifier.secrets.value(QStringLiteral("webhook")));
        kindChanged();
        return;
    }
    const ConnectionDef *c = m_workspace.connection(name);
    if (!c)
        return;
    m_loaded = *c;
    m_loadedNotifier = {};
    m_name->setText(c->name);
    int kind = 0;
    const QList<KindChoice> kinds = kindChoices();
    for (int i = 0; i < kinds.size(); ++i)
        if (kinds[i].kind == c->kind) {
            kind = i;
            break;
        }
    m_kind->setCurrentIndex(kind);
    m_url->setText(c->url);
    m_caFile->setText(c->caFile);
    m_tlsVerify->setChecked(c->tlsVerify);
    m_user->setText(c->basicUser);
    if (!c->bearerTokenSecret.isEmpty()) {
        m_auth->setCurrentIndex(AuthBearer);
        m_secretName->setText(c->bearerTokenSecret);
    } else if (!c->basicUser.isEmpty() || !c->passwordSecret.isEmpty()) {
        m_auth->setCurrentIndex(AuthBasic);
        m_secretName->setText(c->passwordSecret);
    } else {
        m_auth->setCurrentIndex(AuthNone);
        m_secretName->clear();
    }
    kindChanged();
}

void ConnectionsDialog::newEntry()
{
    const QSignalBlocker block(m_list);
    m_list->clearSelection();
    m_list->setCurrentRow(-1);
    m_loaded = {};
    m_loadedNotifier = {};
    for (QLineEdit *e : {m_name, m_url, m_user, m_secretName, m_secret, m_caFile})
        e->clear();
    m_tlsVerify->setChecked(true);
    m_kind->setCurrentIndex(0);
    m_auth->setCurrentIndex(AuthNone);
    m_status->clear();
    kindChanged();
    m_result->setText(defaultResultText());
    m_name->setFocus();
}

bool ConnectionsDialog::isNotifier() const
{
    return kindChoices().value(m_kind->currentIndex()).section == kNotifiers;
}

void ConnectionsDialog::kindChanged()
{
    const KindChoice k = kindChoices().value(m_kind->currentIndex());
    m_note->setText(k.note);
    // Whole rows, so a hidden one leaves no gap.
    m_form->setRowVisible(m_note, !k.note.isEmpty());
    const bool notifier = isNotifier();
    m_form->setRowVisible(m_url, !notifier);
    m_form->setRowVisible(m_auth, !notifier);
    m_form->setRowVisible(m_caRow, !notifier);
    m_form->setRowVisible(m_tlsVerify, !notifier);
    tlsChanged();
    if (m_result->text() == defaultResultText() || m_result->text() == slackResultText())
        m_result->setText(notifier ? slackResultText() : defaultResultText());
    authChanged();
}

void ConnectionsDialog::authChanged()
{
    const bool notifier = isNotifier();
    const int mode = m_auth->currentIndex();
    m_form->setRowVisible(m_user, !notifier && mode == AuthBasic);
    const bool secret = notifier || mode != AuthNone;
    m_form->setRowVisible(m_secretName, secret);
    m_form->setRowVisible(m_secret, secret);
    m_secretLabel->setText(notifier ? QStringLiteral("Webhook URL") : mode == AuthBearer ? QStringLiteral("Token")
                                                                                        : QStringLiteral("Password"));
}

void ConnectionsDialog::tlsChanged()
{
    m_form->setRowVisible(m_tlsWarning, !isNotifier() && !m_tlsVerify->isChecked());
}

ConnectionDef ConnectionsDialog::connectionFromForm() const
{
    ConnectionDef d = m_loaded.name == m_name->text().trimmed() ? m_loaded : ConnectionDef{};
    d.name = m_name->text().trimmed();
    d.kind = kindChoices().value(m_kind->currentIndex()).kind;
    d.url = m_url->text().trimmed();
    d.caFile = m_caFile->text().trimmed();
    d.tlsVerify = m_tlsVerify->isChecked();
    d.basicUser.clear();
    d.passwordSecret.clear();
    d.bearerTokenSecret.clear();
    if (m_auth->currentIndex() == AuthBasic) {
        d.basicUser = m_user->text().trimmed();
        d.passwordSecret = m_secretName->text().trimmed();
    } else if (m_auth->currentIndex() == AuthBearer) {
        d.bearerTokenSecret = m_secretName->text().trimmed();
    }
    return d;
}

NotifierDef ConnectionsDialog::notifierFromForm() const
{
    NotifierDef n = m_loadedNotifier.name == m_name->text().trimmed() ? m_loadedNotifier : NotifierDef{};
    n.name = m_name->text().trimmed();
    n.kind = QStringLiteral("slack");
    n.secrets.insert(QStringLiteral("webhook"), m_secretName->text().trimmed());
    return n;
}

void ConnectionsDialog::setBusy(bool busy)
{
    m_test->setEnabled(!busy);
    m_save->setEnabled(!busy && !(m_path.isEmpty() || m_path.startsWith(u':')));
}

void ConnectionsDialog::testConnection()
{
    if (isNotifier()) {
        m_result->setText(slackResultText());
        return;
    }
    const ConnectionDef def = connectionFromForm();
    ConnectionSettings s;
    s.name = def.name.isEmpty() ? QStringLiteral("test") : def.name;
    s.kind = def.kind;
    s.url = QUrl(def.url);
    s.caFile = def.caFile;
    s.tlsVerify = def.tlsVerify;
    s.timeoutMs = std::min(def.timeoutMs, kProbeTimeoutMs);
    for (const auto &[k, v] : def.headers)
        s.auth.headers.append({k.toUtf8(), v.toUtf8()});
    s.auth.basicUser = def.basicUser;
    if (!def.url.startsWith(QLatin1String("http://")) && !def.url.startsWith(QLatin1String("https://"))) {
        m_result->setText(QStringLiteral("FAILED: the URL must start with http:// or https://, not '%1'").arg(def.url));
        return;
    }
    const QString secretName = m_auth->currentIndex() == AuthNone ? QString() : m_secretName->text().trimmed();
    const QString typed = m_secret->text();
    auto apply = [mode = m_auth->currentIndex()](ConnectionSettings &settings, const QString &value) {
        if (mode == AuthBearer)
            settings.auth.bearerToken = value;
        else if (mode == AuthBasic)
            settings.auth.basicPassword = value;
    };
    if (m_auth->currentIndex() != AuthNone && !typed.isEmpty()) {
        apply(s, typed);
        return probeWith(s, QStringLiteral("using the secret typed above (not stored until Save)"));
    }
    if (secretName.isEmpty())
        return probeWith(s, {});
    setBusy(true);
    m_result->setText(QStringLiteral("Reading secret '%1'…").arg(secretName));
    auto *watcher = new QFutureWatcher<secrets::SecretResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, s, apply, secretName]() mutable {
        const secrets::SecretResult r = watcher->result();
        watcher->deleteLater();
        if (r.ok())
            apply(s, r.value);
        probeWith(s, r.ok() ? QStringLiteral("secret '%1' from the %2").arg(secretName, r.source) : r.message);
    });
    watcher->setFuture(m_store->read(secretName));
}

void ConnectionsDialog::probeWith(const ConnectionSettings &settings, const QString &secretNote)
{
    setBusy(true);
    m_result->setText(QStringLiteral("Testing %1…").arg(redactedUrl(settings.url)));
    auto *watcher = new QFutureWatcher<QJsonObject>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, secretNote] {
        const QJsonObject report = watcher->result();
        watcher->deleteLater();
        QString text = probeSummary(report);
        if (!secretNote.isEmpty())
            text += QStringLiteral("\n") + secretNote;
        m_result->setText(text);
        setBusy(false);
        Q_EMIT probeFinished(report);
    });
    watcher->setFuture(probeConnectionAsync(m_plugins, settings, kProbeTimeoutMs));
}

bool ConnectionsDialog::writeFile(QString *message)
{
    QString error;
    const QString name = m_name->text().trimmed();
    const bool ok = isNotifier() ? saveNotifier(m_path, notifierFromForm(), &error)
                                 : saveConnection(m_path, connectionFromForm(), &error);
    if (!ok) {
        *message = error;
        return false;
    }
    // The window reloads the file at once; notifiers are read when Vigil starts.
    *message = isNotifier() ? QStringLiteral("Saved notifier '%1' to %2 (only its entry changed); notifiers are read when "
                                             "Vigil starts: restart it to use this one.").arg(name, QFileInfo(m_path).fileName())
                            : QStringLiteral("Saved connection '%1' to %2 (only its entry changed); the window uses it now.")
                                  .arg(name, QFileInfo(m_path).fileName());
    const QString section = isNotifier() ? kNotifiers : kConnections;
    reload();
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(Qt::UserRole).toString() == section && m_list->item(i)->data(Qt::UserRole + 1).toString() == name) {
            const QSignalBlocker block(m_list);
            m_list->setCurrentRow(i);
            if (section == kConnections && m_workspace.connection(name))
                m_loaded = *m_workspace.connection(name);
        }
    Q_EMIT workspaceSaved(m_path);
    return true;
}

void ConnectionsDialog::save()
{
    const QString name = m_name->text().trimmed();
    QString problem;
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
    const bool needsSecret = isNotifier() || m_auth->currentIndex() != AuthNone;
    const QString secretName = m_secretName->text().trimmed();
    if (!validName.match(name).hasMatch())
        problem = QStringLiteral("The name must be letters, digits, '_', '.' or '-' (e.g. prom), not '%1'.").arg(name);
    else if (!isNotifier() && !m_url->text().trimmed().startsWith(QLatin1String("http")))
        problem = QStringLiteral("The URL must start with http:// or https://.");
    else if (needsSecret && secretName.isEmpty())
        problem = QStringLiteral("Name the secret (e.g. %1-token): the file keeps its name, the keychain its value.").arg(name);
    else if (!isNotifier() && m_auth->currentIndex() == AuthBasic && m_user->text().trimmed().isEmpty())
        problem = QStringLiteral("Basic authentication needs a user.");
    if (!problem.isEmpty()) {
        m_status->setText(problem);
        Q_EMIT saveFinished(false);
        return;
    }
    const QString value = needsSecret ? m_secret->text() : QString();
    m_secret->clear(); // the value lives in the widget no longer than needed
    if (value.isEmpty()) {
        QString message;
        const bool ok = writeFile(&message);
        m_status->setText(message);
        Q_EMIT saveFinished(ok);
        return;
    }
    setBusy(true);
    m_status->setText(QStringLiteral("Storing secret '%1' in the keychain…").arg(secretName));
    auto *watcher = new QFutureWatcher<secrets::SecretResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, secretName] {
        const secrets::SecretResult r = watcher->result();
        watcher->deleteLater();
        QString message;
        const bool ok = writeFile(&message);
        setBusy(false);
        m_status->setText((r.ok() ? QStringLiteral("Secret '%1' stored in the keychain. ").arg(secretName)
                                  : QStringLiteral("Not stored: %1\n").arg(r.message)) + message);
        Q_EMIT saveFinished(ok && r.ok());
    });
    watcher->setFuture(m_store->write(secretName, value));
}

} // namespace vigil::ui
