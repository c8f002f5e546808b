// SPDX-License-Identifier: GPL-3.0-or-later
// The Connections dialog, driven like a user: fill the form, Test connection
// against a real Prometheus and a closed port, Save to the workspace file.
// Secrets go to an in-memory SecretStore here (the real keychain is tested
// under D-Bus in tests/dbus/test_keychain_secrets.cpp), so no test ever
// writes to the keyring of the person running it.
#include <catch2/catch.hpp>

#include "connections_dialog.h"
#include "main_window.h"
#include "session/session.h"
#include "secrets/secret_store.h"
#include "sources/plugin_registry.h"
#include "support/mlflow_replay_server.h"
#include "support/test_stack.h"
#include "theme.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPromise>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace vigil;
using namespace vigil::test;

namespace {

class MemoryStore : public secrets::SecretStore
{
public:
    QHash<QString, QString> values;
    QFuture<secrets::SecretResult> read(const QString &name) override
    {
        return done(values.contains(name) ? secrets::SecretResult{secrets::SecretStatus::Ok, values.value(name), {}, QStringLiteral("keychain")}
                                          : secrets::SecretResult{secrets::SecretStatus::NotFound, {}, QStringLiteral("not found"), {}});
    }
    QFuture<secrets::SecretResult> write(const QString &name, const QString &value) override
    {
        values.insert(name, value);
        return done({});
    }
    QFuture<secrets::SecretResult> remove(const QString &name) override
    {
        values.remove(name);
        return done({});
    }

private:
    static QFuture<secrets::SecretResult> done(secrets::SecretResult r)
    {
        QPromise<secrets::SecretResult> p;
        p.start();
        p.addResult(r);
        p.finish();
        return p.future();
    }
};

const QByteArray kWorkspace = R"(# Fleet workspace: this comment stays
connections:
  # our Prometheus
  prom: { kind: prometheus, url: "http://127.0.0.1:1" }  # placeholder port

dashboards:   # order matters
  - name: Fleet
    panels:
      - { title: Up, query: up }
)";

QString writeWorkspace(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(kWorkspace);
    return path;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

template<typename T>
T *child(QWidget &w, const char *name)
{
    T *c = w.findChild<T *>(QLatin1String(name));
    REQUIRE(c);
    return c;
}

PluginRegistry &plugins()
{
    static PluginRegistry registry;
    static bool loaded = false;
    if (!loaded) {
        registry.load({QStringLiteral(VIGIL_PLUGIN_DIR)});
        loaded = true;
    }
    return registry;
}

// Clicks Test connection and waits for the report.
QJsonObject clickTest(ui::ConnectionsDialog &dialog)
{
    QSignalSpy finished(&dialog, &ui::ConnectionsDialog::probeFinished);
    QTest::mouseClick(child<QPushButton>(dialog, "testButton"), Qt::LeftButton);
    if (!waitUntil([&] { return !finished.isEmpty(); }, 30'000))
        FAIL("Test connection did not finish");
    return finished.first().first().toJsonObject();
}

void fill(QLineEdit *edit, const QString &text)
{
    edit->clear();
    QTest::keyClicks(edit, text);
}

// A window on the workspace `yaml`, written to a file of its own.
struct WindowOn
{
    explicit WindowOn(const QByteArray &yaml)
    {
        const QString path = dir.filePath(QStringLiteral("workspace.yaml"));
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(yaml);
        f.close();
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        const Workspace ws = loadWorkspace(path);
        INFO(ws.errorMessages().join(u'\n').toStdString());
        REQUIRE_FALSE(ws.hasErrors());
        session.open(ws);
        window = std::make_unique<ui::MainWindow>(&session, QStringList{});
    }
    QTemporaryDir dir;
    Session session;
    std::unique_ptr<ui::MainWindow> window;
};

} // namespace

TEST_CASE("Connections dialog: Test connection shows Prometheus' version and series count, or why a closed port fails", "[ui][connections]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl prometheus = stack.startPrometheus({fleet});
    QTemporaryDir dir;
    MemoryStore store;
    ui::ConnectionsDialog dialog(writeWorkspace(dir), plugins(), &store);
    dialog.show();
    auto *list = child<QListWidget>(dialog, "connectionList");
    REQUIRE(list->count() == 1);
    CHECK(list->item(0)->text().startsWith("prom — prometheus"));
    CHECK(child<QLineEdit>(dialog, "urlEdit")->text() == "http://127.0.0.1:1");

    fill(child<QLineEdit>(dialog, "urlEdit"), prometheus.toString());
    store.values.insert(QStringLiteral("prom-token"), QStringLiteral("t0ken")); // Prometheus ignores it
    child<QComboBox>(dialog, "authCombo")->setCurrentIndex(2);
    fill(child<QLineEdit>(dialog, "secretNameEdit"), QStringLiteral("prom-token"));
    // Prometheus' first scrape may not have landed yet: test until it has.
    QJsonObject report;
    REQUIRE(waitUntil([&] {
        report = clickTest(dialog);
        return report.value("ok").toBool() && report.value("series").toDouble() > 0;
    }, 30'000));
    const QString shown = child<QLabel>(dialog, "probeResult")->text();
    INFO(shown.toStdString());
    CHECK(shown.startsWith("Reached Prometheus 2."));
    CHECK(shown.contains(prometheus.toString()));
    CHECK(shown.contains(QRegularExpression(QStringLiteral("\\n[0-9,.]+ series in the head block"))));
    CHECK(report.value("version").toString().startsWith("2."));
    CHECK(shown.endsWith("\nsecret 'prom-token' from the keychain"));

    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    CHECK(dialog.grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/connections-dialog.png")));

    const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(freeLoopbackPort());
    fill(child<QLineEdit>(dialog, "urlEdit"), closed);
    report = clickTest(dialog);
    CHECK_FALSE(report.value("ok").toBool());
    const QString failed = child<QLabel>(dialog, "probeResult")->text();
    INFO(failed.toStdString());
    CHECK(failed.startsWith("FAILED: "));
    CHECK(failed.contains(closed));
    CHECK(failed.contains("refused"));
}

TEST_CASE("Connections dialog: VictoriaMetrics is tested as Prometheus-compatible and counts today's series", "[ui][connections]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl vm = stack.startVictoriaMetrics({fleet});
    QTemporaryDir dir;
    MemoryStore store;
    ui::ConnectionsDialog dialog(writeWorkspace(dir), plugins(), &store);
    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("vm"));
    child<QComboBox>(dialog, "kindCombo")->setCurrentIndex(1);
    fill(child<QLineEdit>(dialog, "urlEdit"), vm.toString());
    QJsonObject report;
    REQUIRE(waitUntil([&] {
        report = clickTest(dialog);
        return report.value("ok").toBool() && report.value("series").toDouble() > 0;
    }, 30'000));
    const QString shown = child<QLabel>(dialog, "probeResult")->text();
    INFO(shown.toStdString());
    CHECK(shown.startsWith("Reached a Prometheus-compatible API at " + vm.toString()));
    CHECK(shown.contains(QRegularExpression(QStringLiteral("\\n[0-9,.]+ series seen today"))));
}

TEST_CASE("Connections dialog: an MLflow registry is tested by listing its registered models", "[ui][connections]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0); // also an MLflow-compatible registry
    QTemporaryDir dir;
    MemoryStore store;
    ui::ConnectionsDialog dialog(writeWorkspace(dir), plugins(), &store);
    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("registry"));
    child<QComboBox>(dialog, "kindCombo")->setCurrentIndex(2);
    fill(child<QLineEdit>(dialog, "urlEdit"), fleet.toString());
    const QJsonObject report = clickTest(dialog);
    const QString shown = child<QLabel>(dialog, "probeResult")->text();
    INFO(shown.toStdString());
    CHECK(report.value("ok").toBool());
    CHECK(shown.contains(QRegularExpression(QStringLiteral("\\n[1-9][0-9]* registered models\\n"))));
    CHECK(shown.contains("model fraud-detector: versions "));
}

TEST_CASE("Connections dialog: Save writes the connection to the file, keeps the rest, and sends the password only to the keychain", "[ui][connections]")
{
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    MemoryStore store;
    ui::ConnectionsDialog dialog(path, plugins(), &store);
    QSignalSpy saved(&dialog, &ui::ConnectionsDialog::saveFinished);

    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("vm"));
    child<QComboBox>(dialog, "kindCombo")->setCurrentIndex(1); // VictoriaMetrics
    CHECK(child<QLabel>(dialog, "kindNote")->text().contains("saved as kind prometheus"));
    fill(child<QLineEdit>(dialog, "urlEdit"), QStringLiteral("http://127.0.0.1:8428"));
    child<QComboBox>(dialog, "authCombo")->setCurrentIndex(2); // bearer
    fill(child<QLineEdit>(dialog, "secretNameEdit"), QStringLiteral("vm-token"));
    fill(child<QLineEdit>(dialog, "secretEdit"), QStringLiteral("hunter2-never-in-a-file"));
    // A screenshot of the form shows bullets, never the secret.
    CHECK(child<QLineEdit>(dialog, "secretEdit")->echoMode() == QLineEdit::Password);
    CHECK_FALSE(child<QLineEdit>(dialog, "secretEdit")->displayText().contains("hunter2"));
    CHECK(child<QLineEdit>(dialog, "secretEdit")->displayText().size() == QStringLiteral("hunter2-never-in-a-file").size());
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    INFO(child<QLabel>(dialog, "saveStatus")->text().toStdString());
    CHECK(saved.first().first().toBool());

    const QByteArray text = readFile(path);
    INFO(text.toStdString());
    CHECK(text == QByteArray(kWorkspace).replace(
              "  prom: { kind: prometheus, url: \"http://127.0.0.1:1\" }  # placeholder port\n",
              "  prom: { kind: prometheus, url: \"http://127.0.0.1:1\" }  # placeholder port\n"
              "  vm: { kind: prometheus, url: \"http://127.0.0.1:8428\", auth: { bearer_token_secret: vm-token } }\n"));
    CHECK_FALSE(text.contains("hunter2"));
    CHECK(store.values.value(QStringLiteral("vm-token")) == "hunter2-never-in-a-file");
    CHECK(child<QLineEdit>(dialog, "secretEdit")->text().isEmpty());
    CHECK(child<QListWidget>(dialog, "connectionList")->count() == 2);
    CHECK(child<QLabel>(dialog, "saveStatus")->text().startsWith("Secret 'vm-token' stored in the keychain. Saved connection 'vm' to fleet.yaml"));

    // Editing an existing one: its line changes, its trailing comment stays.
    child<QListWidget>(dialog, "connectionList")->setCurrentRow(0);
    CHECK(child<QLineEdit>(dialog, "nameEdit")->text() == "prom");
    fill(child<QLineEdit>(dialog, "urlEdit"), QStringLiteral("http://127.0.0.1:9090"));
    saved.clear();
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    CHECK(readFile(path).contains("  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" } # placeholder port\n"));
    CHECK(readFile(path).startsWith("# Fleet workspace: this comment stays\nconnections:\n  # our Prometheus\n"));

    // A Slack webhook: the notifiers entry names the secret, the URL goes to the store.
    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("oncall-slack"));
    child<QComboBox>(dialog, "kindCombo")->setCurrentIndex(4);
    CHECK(child<QLineEdit>(dialog, "urlEdit")->isHidden());
    fill(child<QLineEdit>(dialog, "secretNameEdit"), QStringLiteral("slack-oncall"));
    fill(child<QLineEdit>(dialog, "secretEdit"), QStringLiteral("https://hooks.slack.com/services/T0/B0/secretpart"));
    dialog.show();
    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    CHECK(dialog.grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/connections-dialog-slack.png")));
    saved.clear();
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    const QByteArray withSlack = readFile(path);
    CHECK(withSlack.endsWith("notifiers:\n  oncall-slack: { kind: slack, webhook_secret: slack-oncall }\n"));
    CHECK_FALSE(withSlack.contains("hooks.slack.com"));
    CHECK(store.values.value(QStringLiteral("slack-oncall")) == "https://hooks.slack.com/services/T0/B0/secretpart");
    CHECK_FALSE(loadWorkspace(path).hasErrors());
}

TEST_CASE("Connections dialog: a form with no secret name for bearer auth is refused with a hint, nothing written", "[ui][connections]")
{
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    MemoryStore store;
    ui::ConnectionsDialog dialog(path, plugins(), &store);
    QSignalSpy saved(&dialog, &ui::ConnectionsDialog::saveFinished);
    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("p2"));
    fill(child<QLineEdit>(dialog, "urlEdit"), QStringLiteral("http://127.0.0.1:9090"));
    child<QComboBox>(dialog, "authCombo")->setCurrentIndex(2);
    fill(child<QLineEdit>(dialog, "secretEdit"), QStringLiteral("tok"));
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(saved.size() == 1);
    CHECK_FALSE(saved.first().first().toBool());
    CHECK(child<QLabel>(dialog, "saveStatus")->text() == "Name the secret (e.g. p2-token): the file keeps its name, the keychain its value.");
    CHECK(readFile(path) == kWorkspace);
    CHECK(store.values.isEmpty());
}

TEST_CASE("Main window: Connections… (Ctrl+Shift+C) opens the dialog on the open workspace", "[ui][connections]")
{
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    session.open(loadWorkspace(path));
    ui::MainWindow window(&session, {});
    auto *action = window.findChild<QAction *>(QStringLiteral("connectionsAction"));
    REQUIRE(action);
    CHECK(action->shortcut() == QKeySequence(QStringLiteral("Ctrl+Shift+C")));
    action->trigger();
    auto *dialog = window.findChild<ui::ConnectionsDialog *>();
    REQUIRE(dialog);
    CHECK(dialog->windowTitle() == "Connections — fleet.yaml");
    CHECK(child<QListWidget>(*dialog, "connectionList")->count() == 1);
    dialog->close();
}

TEST_CASE("Connections dialog: when the keychain cannot store the secret, the file is saved and the message names the variable", "[ui][connections]")
{
    struct NoKeychain : MemoryStore
    {
        QFuture<secrets::SecretResult> write(const QString &name, const QString &) override
        {
            QPromise<secrets::SecretResult> p;
            p.start();
            p.addResult(secrets::SecretResult{secrets::SecretStatus::NoService, {},
                          QStringLiteral("secret '%1' was not stored: no secret service is running (QtKeychain: Cannot autolaunch D-Bus "
                                         "without X11 $DISPLAY); set the environment variable %2 or start gnome-keyring")
                              .arg(name, secrets::environmentVariableFor(name)), {}});
            p.finish();
            return p.future();
        }
    };
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    NoKeychain store;
    ui::ConnectionsDialog dialog(path, plugins(), &store);
    QSignalSpy saved(&dialog, &ui::ConnectionsDialog::saveFinished);
    child<QComboBox>(dialog, "authCombo")->setCurrentIndex(1); // basic, on "prom"
    fill(child<QLineEdit>(dialog, "userEdit"), QStringLiteral("ops"));
    fill(child<QLineEdit>(dialog, "secretNameEdit"), QStringLiteral("prom-password"));
    fill(child<QLineEdit>(dialog, "secretEdit"), QStringLiteral("pa55-not-in-file"));
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    CHECK_FALSE(saved.first().first().toBool());
    const QString status = child<QLabel>(dialog, "saveStatus")->text();
    CHECK(status.startsWith("Not stored: secret 'prom-password' was not stored: no secret service is running"));
    CHECK(status.contains("VIGIL_SECRET_PROM_PASSWORD"));
    CHECK(status.contains("Saved connection 'prom' to fleet.yaml"));
    const QByteArray text = readFile(path);
    CHECK(text.contains("  prom: { kind: prometheus, url: \"http://127.0.0.1:1\", auth: { basic_user: ops, password_secret: prom-password } } # placeholder port\n"));
    CHECK_FALSE(text.contains("pa55"));
}

// Security (issue 8): the workspace file is meant to be shared (a team's
// dashboards in git, a world-readable /etc/vigil) because it holds no secret.
// After a save with a basic-auth password, neither the file nor anything
// written beside it holds the password, and the file's permissions are the
// ones it had: Vigil never needs to hide it.
TEST_CASE("Connections dialog: after a save with a password the workspace file holds no secret and stays world-readable",
          "[ui][connections][security]")
{
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    REQUIRE(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    MemoryStore store;
    ui::ConnectionsDialog dialog(path, plugins(), &store);
    QSignalSpy saved(&dialog, &ui::ConnectionsDialog::saveFinished);

    const QString password = QStringLiteral("s3cret-basic-password");
    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("secured"));
    fill(child<QLineEdit>(dialog, "urlEdit"), QStringLiteral("http://127.0.0.1:9091"));
    child<QComboBox>(dialog, "authCombo")->setCurrentIndex(1); // basic
    fill(child<QLineEdit>(dialog, "userEdit"), QStringLiteral("oncall"));
    fill(child<QLineEdit>(dialog, "secretNameEdit"), QStringLiteral("secured-password"));
    fill(child<QLineEdit>(dialog, "secretEdit"), password);
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    INFO(child<QLabel>(dialog, "saveStatus")->text().toStdString());
    REQUIRE(saved.first().first().toBool());
    CHECK(store.values.value(QStringLiteral("secured-password")) == password);

    const QByteArray text = readFile(path);
    INFO(text.toStdString());
    CHECK(text.contains("secured:"));
    CHECK(text.contains("password_secret: secured-password"));
    CHECK_FALSE(text.contains(password.toUtf8()));
    CHECK_FALSE(text.contains(password.toUtf8().toBase64())); // not even as a basic-auth header
    // Nothing else in the directory (a backup, a temporary file left over) holds it either.
    for (const QFileInfo &f : QDir(dir.path()).entryInfoList(QDir::Files | QDir::Hidden)) {
        INFO(f.fileName().toStdString());
        CHECK_FALSE(readFile(f.filePath()).contains(password.toUtf8()));
    }
    // The file kept its world-readable mode: there is nothing in it to hide.
    CHECK(QFileInfo(path).permissions().testFlag(QFile::ReadOther));
    CHECK(QFileInfo(path).permissions().testFlag(QFile::ReadGroup));
}

TEST_CASE("Connections dialog: a CA file is saved; verification off is shown in red, saved as tls_verify: false and marked in the list", "[ui][connections][tls]")
{
    QTemporaryDir dir;
    const QString path = writeWorkspace(dir);
    MemoryStore store;
    ui::ConnectionsDialog dialog(path, plugins(), &store);
    dialog.show();
    QSignalSpy saved(&dialog, &ui::ConnectionsDialog::saveFinished);
    auto *verify = child<QCheckBox>(dialog, "tlsVerifyCheck");
    auto *warning = child<QLabel>(dialog, "tlsWarning");
    CHECK(verify->isChecked()); // on by default
    CHECK_FALSE(warning->isVisible());

    QTest::mouseClick(child<QPushButton>(dialog, "addButton"), Qt::LeftButton);
    fill(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("lab"));
    fill(child<QLineEdit>(dialog, "urlEdit"), QStringLiteral("https://prometheus.lab:9090"));
    fill(child<QLineEdit>(dialog, "caFileEdit"), QStringLiteral("/etc/vigil/lab-ca.pem"));
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    CHECK(readFile(path).contains(
        "  lab: { kind: prometheus, url: \"https://prometheus.lab:9090\", ca_file: \"/etc/vigil/lab-ca.pem\" }\n"));

    // The insecure switch: explicit, and loud while it is off.
    child<QListWidget>(dialog, "connectionList")->setCurrentRow(1);
    REQUIRE(child<QLineEdit>(dialog, "nameEdit")->text() == "lab");
    CHECK(child<QLineEdit>(dialog, "caFileEdit")->text() == "/etc/vigil/lab-ca.pem");
    verify->click();
    CHECK_FALSE(verify->isChecked());
    CHECK(warning->isVisible());
    CHECK(warning->text().startsWith("Certificates are not checked"));
    CHECK(warning->textFormat() == Qt::PlainText);
    CHECK(warning->palette().color(QPalette::WindowText) == ui::errorTextColor());
    QDir().mkpath(QStringLiteral(VIGIL_BINARY_DIR "/screenshots"));
    CHECK(dialog.grab().save(QStringLiteral(VIGIL_BINARY_DIR "/screenshots/connections-dialog-tls-off.png")));
    saved.clear();
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    CHECK(saved.first().first().toBool());
    const QByteArray text = readFile(path);
    INFO(text.toStdString());
    CHECK(text.contains("  lab: { kind: prometheus, url: \"https://prometheus.lab:9090\", ca_file: \"/etc/vigil/lab-ca.pem\", "
                        "tls_verify: false }\n"));
    const Workspace ws = loadWorkspace(path);
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.issues.size() == 1);
    CHECK(ws.issues.first().message.startsWith("TLS certificates are not checked in connection 'lab'"));
    auto *list = child<QListWidget>(dialog, "connectionList");
    REQUIRE(list->count() == 2);
    CHECK(list->item(1)->text().endsWith("\n⚠ TLS certificates not verified"));
    CHECK(list->item(0)->text().count(u'\n') == 1); // prom verifies: no mark

    // Back on: the warning goes.
    verify->click();
    CHECK_FALSE(warning->isVisible());
}

TEST_CASE("Main window: a connection with tls_verify false says so in the status bar, whatever its state", "[ui][connections][tls]")
{
    WindowOn on(R"(connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:1" }
  lab: { kind: prometheus, url: "https://127.0.0.1:1", tls_verify: false }
dashboards:
  - name: Lab
    panels:
      - { title: Up, query: up, connection: lab }
      - { title: Up here, query: up }
)");
    ui::MainWindow &window = *on.window;
    window.resize(1200, 700);
    window.show();
    REQUIRE(waitUntil([&] { return window.healthText("lab").contains("down") && window.healthText("prom").contains("down"); },
                      15'000));
    INFO(window.healthText("lab").toStdString());
    CHECK(window.healthText("lab").startsWith("● lab: down · TLS NOT VERIFIED — "));
    CHECK_FALSE(window.healthText("prom").contains("TLS"));
    auto *label = window.findChild<QLabel *>(QStringLiteral("health-lab"));
    REQUIRE(label);
    CHECK(label->toolTip().contains("TLS certificates of lab are not checked (tls_verify: false in the workspace file)."));
}

TEST_CASE("Main window: a registry no panel polls is probed: ok when it answers, down with the reason when not", "[ui][connections]")
{
    MlflowReplayServer registry;
    REQUIRE(registry.start());
    WindowOn on(QString::fromUtf8(R"yaml(connections:
  fleet: { kind: demo }
  registry: { kind: mlflow, url: "%1" }
  gone: { kind: mlflow, url: "http://127.0.0.1:1" }
dashboards:
  - name: Fleet
    panels:
      - { title: Requests, query: "sum(rate(model_requests_total[1m]))", connection: fleet }
)yaml").arg(registry.url().toString()).toUtf8());
    ui::MainWindow &window = *on.window;
    // Before, these said "connecting" for as long as Vigil ran: nothing polls them.
    REQUIRE(waitUntil([&] { return window.healthText("registry") == "● registry: ok"; }, 15'000));
    REQUIRE(waitUntil([&] { return window.healthText("gone").startsWith("● gone: down — "); }, 15'000));
    INFO(window.healthText("gone").toStdString());
    CHECK(window.healthText("gone").contains("127.0.0.1:1"));
    // The scheduler's word, for the connection its panel polls.
    REQUIRE(waitUntil([&] { return window.healthText("fleet").startsWith("● fleet: ok"); }, 15'000));
}
