// SPDX-License-Identifier: GPL-3.0-or-later
// Secrets in the OS keychain (core/secrets) against a real gnome-keyring on
// the test's private session bus, and without one: what is stored is read
// back and sent, never written anywhere else, and a missing secret service is
// said plainly with the fallback environment variable.
#include <catch2/catch.hpp>

#include "keyring_daemon.h"
#include "log/log.h"
#include "secrets/secret_store.h"
#include "session/session.h"
#include "alerting/alert_pipeline.h"
#include "support/fault_server.h"
#include "support/test_stack.h"
#include "workspace/workspace.h"

#include <QDBusConnection>
#include <QDBusVirtualObject>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

namespace {

const QString kToken = QStringLiteral("tok-7f3a9c2e-keychain-only");

secrets::SecretResult wait(QFuture<secrets::SecretResult> f)
{
    return await(f, 20'000);
}

void requireOk(const secrets::SecretResult &r)
{
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
}

void requireKeyring(KeyringDaemon &daemon, bool unlocked = true)
{
    QString error;
    INFO(error.toStdString());
    REQUIRE(daemon.start(unlocked, &error));
}

// Every file under `dir` whose bytes contain `needle`.
QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << f.fileName();
    }
    return hits;
}

} // namespace

TEST_CASE("A secret stored in the keychain is read back and sent as the bearer token, and written nowhere else", "[dbus][secrets]")
{
    KeyringDaemon daemon;
    requireKeyring(daemon);
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8()); // where QSettings would write
    LogOptions logOptions;
    logOptions.level = QStringLiteral("trace");
    logOptions.directory = dir.filePath(QStringLiteral("log"));
    logOptions.console = false;
    REQUIRE(!initLogging(logOptions).isEmpty());

    secrets::KeychainSecretStore keychain;
    const secrets::SecretResult written = wait(keychain.write(QStringLiteral("prom-token"), kToken));
    INFO(written.message.toStdString());
    REQUIRE(written.ok());
    const secrets::SecretResult read = wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token")));
    CHECK(read.ok());
    CHECK(read.value == kToken);
    CHECK(read.source == "keychain");

    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::respond(200, "OK", "application/json",
                                          R"({"status":"success","data":{"resultType":"matrix","result":[]}})"));
    const QString wsPath = dir.filePath(QStringLiteral("team.yaml"));
    {
        QFile f(wsPath);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(R"(# the team's workspace
connections:
  prom: { kind: prometheus, url: "%1", auth: { bearer_token_secret: prom-token } }
dashboards:
  - name: Fleet
    panels:
      - { title: Up, query: up }
)").arg(server.url().toString()).toUtf8());
    }
    const Workspace ws = loadWorkspace(wsPath);
    REQUIRE_FALSE(ws.hasErrors());
    {
        Session session;
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        const QStringList issues = session.open(ws);
        INFO(issues.join('\n').toStdString());
        CHECK(issues.isEmpty());
        REQUIRE(waitUntil([&] { return !server.requests().isEmpty(); }, 15'000));
    }
    CHECK(server.requests().first().header("Authorization") == "Bearer " + kToken.toUtf8());

    // A notifier's secret resolves the same way (the Slack webhook).
    requireOk(wait(keychain.write(QStringLiteral("slack-oncall"), QStringLiteral("https://hooks.example/T0/B0/xyz"))));
    NotifierDef slack;
    slack.name = QStringLiteral("oncall-slack");
    slack.kind = QStringLiteral("slack");
    slack.secrets.insert(QStringLiteral("webhook"), QStringLiteral("slack-oncall"));
    QStringList errors;
    const NotifierSettings ns = alerting::notifierSettingsFor(slack, nullptr, &Session::secretValue, &errors);
    CHECK(errors.isEmpty());
    CHECK(ns.secrets.value(QStringLiteral("webhook")) == "https://hooks.example/T0/B0/xyz");

    spdlog::apply_all([](const std::shared_ptr<spdlog::logger> &l) { l->flush(); });
    CHECK(QFile::exists(dir.filePath(QStringLiteral("log"))));
    CHECK(filesContaining(dir.path(), kToken.toUtf8()).isEmpty()); // workspace, log, QSettings
    CHECK(filesContaining(dir.path(), "hooks.example").isEmpty());
    QFile wsFile(wsPath);
    REQUIRE(wsFile.open(QIODevice::ReadOnly));
    CHECK(wsFile.readAll().contains("bearer_token_secret: prom-token"));

    requireOk(wait(keychain.remove(QStringLiteral("prom-token"))));
    const secrets::SecretResult gone = wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token")));
    CHECK(gone.status == secrets::SecretStatus::NotFound);
    CHECK(gone.message.contains("VIGIL_SECRET_PROM_TOKEN"));
}

TEST_CASE("The environment variable overrides the keychain", "[dbus][secrets]")
{
    KeyringDaemon daemon;
    requireKeyring(daemon);
    secrets::KeychainSecretStore keychain;
    requireOk(wait(keychain.write(QStringLiteral("prom-token"), QStringLiteral("from-keychain"))));
    qputenv("VIGIL_SECRET_PROM_TOKEN", "from-environment");
    const secrets::SecretResult r = wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token")));
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
    CHECK(r.value == "from-environment");
    CHECK(r.source == "environment variable VIGIL_SECRET_PROM_TOKEN");
    CHECK(wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token"))).value == "from-keychain");
}

TEST_CASE("The GUI thread is never blocked by the keychain: a read completes while the event loop runs", "[dbus][secrets]")
{
    KeyringDaemon daemon;
    requireKeyring(daemon);
    secrets::KeychainSecretStore keychain;
    QFuture<secrets::SecretResult> w = keychain.write(QStringLiteral("a b/c"), QStringLiteral("value with spaces"));
    CHECK_FALSE(w.isFinished()); // the job runs in the keychain thread, not in this call
    requireOk(wait(w));
    const secrets::SecretResult r = secrets::waitForSecret(keychain.read(QStringLiteral("a b/c")), QStringLiteral("a b/c"));
    CHECK(r.value == "value with spaces");
}

TEST_CASE("A locked keyring with nothing to prompt is reported as locked, not as a missing secret", "[dbus][secrets]")
{
    KeyringDaemon daemon;
    requireKeyring(daemon, /*unlocked=*/false);
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
    const secrets::SecretResult r = wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token")));
    INFO(r.message.toStdString());
    CHECK(r.status == secrets::SecretStatus::Locked);
    CHECK(r.message.contains("locked"));
    CHECK(r.message.contains("VIGIL_SECRET_PROM_TOKEN"));
    const secrets::SecretResult w = wait(secrets::KeychainSecretStore().write(QStringLiteral("prom-token"), QStringLiteral("x")));
    INFO(w.message.toStdString());
    CHECK_FALSE(w.ok());
    CHECK(w.message.startsWith("secret 'prom-token' was not stored: "));
}

TEST_CASE("A session bus without a secret service: plain message naming the variable, and the variable works", "[dbus][secrets]")
{
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
    const secrets::SecretResult r = wait(secrets::defaultSecretStore().read(QStringLiteral("prom-token")));
    INFO(r.message.toStdString());
    CHECK(r.status == secrets::SecretStatus::NoService);
    CHECK(r.message.startsWith("secret 'prom-token': no secret service is running (QtKeychain: "));
    CHECK(r.message.endsWith("; set the environment variable VIGIL_SECRET_PROM_TOKEN or start gnome-keyring"));

    QString error;
    ConnectionDef def;
    def.name = QStringLiteral("prom");
    def.kind = QStringLiteral("prometheus");
    def.url = QStringLiteral("http://127.0.0.1:9");
    def.bearerTokenSecret = QStringLiteral("prom-token");
    Session::settingsFor(def, &error);
    CHECK(error.startsWith("connection 'prom': secret 'prom-token': no secret service is running"));

    qputenv("VIGIL_SECRET_PROM_TOKEN", "from-environment");
    error.clear();
    CHECK(Session::settingsFor(def, &error).auth.bearerToken == "from-environment");
    CHECK(error.isEmpty());
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
}

TEST_CASE("No D-Bus session at all: plain message naming the variable, and the variable works", "[dbus][secrets]")
{
    // Before anything in this process touches the bus.
    QTemporaryDir runtime;
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    qunsetenv("DISPLAY");
    qputenv("XDG_RUNTIME_DIR", runtime.path().toUtf8()); // no $XDG_RUNTIME_DIR/bus either
    qunsetenv("VIGIL_SECRET_SLACK_ONCALL");
    QString error;
    CHECK(Session::secretValue(QStringLiteral("slack-oncall"), &error).isEmpty());
    INFO(error.toStdString());
    CHECK(error.startsWith("secret 'slack-oncall': no secret service is running (QtKeychain: "));
    CHECK(error.contains("set the environment variable VIGIL_SECRET_SLACK_ONCALL or start gnome-keyring"));
    qputenv("VIGIL_SECRET_SLACK_ONCALL", "https://hooks.example/env");
    error.clear();
    CHECK(Session::secretValue(QStringLiteral("slack-oncall"), &error) == "https://hooks.example/env");
    CHECK(error.isEmpty());
}

TEST_CASE("vigil check sends a secret it finds only in the keychain", "[dbus][secrets]")
{
    KeyringDaemon daemon;
    requireKeyring(daemon);
    requireOk(wait(secrets::KeychainSecretStore().write(QStringLiteral("check-token"), kToken)));
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::respond(200, "OK", "application/json",
                                          R"({"status":"success","data":{"version":"2.42.0","revision":"x"}})"));
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("check.yaml"));
    {
        QFile f(ws);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("connections:\n  prom: { kind: prometheus, url: \"%1\", auth: { bearer_token_secret: check-token } }\n")
                    .arg(server.url().toString()).toUtf8());
    }
    QProcess check;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("VIGIL_PLUGIN_PATH"), QStringLiteral(VIGIL_PLUGIN_DIR));
    env.remove(QStringLiteral("VIGIL_SECRET_CHECK_TOKEN"));
    check.setProcessEnvironment(env);
    check.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"), {QStringLiteral("check"), QStringLiteral("--workspace"), ws});
    // The child answers through this process' event loop (the fault server lives here).
    REQUIRE(waitUntil([&] { return check.state() == QProcess::NotRunning; }, 30'000));
    const QByteArray out = check.readAllStandardOutput() + check.readAllStandardError();
    INFO(out.toStdString());
    CHECK(out.contains("connection prom (prometheus): Prometheus 2.42.0 at "));
    CHECK_FALSE(out.contains(kToken.toUtf8()));
    REQUIRE_FALSE(server.requests().isEmpty());
    CHECK(server.requests().first().header("Authorization") == "Bearer " + kToken.toUtf8());
}

namespace {

// A Secret Service that takes every call and never answers: an unlock prompt
// nobody sees.
class SilentSecretService : public QDBusVirtualObject
{
public:
    QString introspect(const QString &) const override { return {}; }
    bool handleMessage(const QDBusMessage &, const QDBusConnection &) override { return true; }
};

} // namespace

TEST_CASE("A keychain that never answers: the read gives up with a plain message, and the next one does not wait again", "[dbus][secrets]")
{
    SilentSecretService service;
    QDBusConnection bus = QDBusConnection::sessionBus();
    REQUIRE(bus.registerService(QStringLiteral("org.freedesktop.secrets")));
    REQUIRE(bus.registerVirtualObject(QStringLiteral("/org/freedesktop/secrets"), &service, QDBusConnection::SubPath));
    qunsetenv("VIGIL_SECRET_PROM_TOKEN");
    QElapsedTimer timer;
    timer.start();
    QString error;
    CHECK(secrets::resolveSecret(QStringLiteral("prom-token"), &error, 500).isEmpty());
    CHECK(error == "secret 'prom-token': the keychain did not answer within 0.5 s (is it waiting to be unlocked?); "
                   "set the environment variable VIGIL_SECRET_PROM_TOKEN");
    CHECK(timer.elapsed() >= 500);
    timer.restart();
    error.clear();
    CHECK(secrets::resolveSecret(QStringLiteral("mlflow-ci"), &error, 5'000).isEmpty());
    CHECK(error.startsWith("secret 'mlflow-ci': the keychain did not answer within 5 s"));
    CHECK(timer.elapsed() < 4'000); // not another full wait behind the stuck one
    qputenv("VIGIL_SECRET_MLFLOW_CI", "from-environment"); // the variable still works at once
    CHECK(secrets::resolveSecret(QStringLiteral("mlflow-ci"), &error, 5'000) == "from-environment");
    qunsetenv("VIGIL_SECRET_MLFLOW_CI");
}
