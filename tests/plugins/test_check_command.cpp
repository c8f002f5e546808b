// SPDX-License-Identifier: GPL-3.0-or-later
// `vigil check`: the workspace validated and every connection probed, run as
// the program (QProcess), against the demo fleet's MLflow-compatible registry,
// a port where nothing listens, and a broken workspace.
#include <catch2/catch.hpp>

#include "support/mlflow_replay_server.h"
#include "support/test_stack.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace vigil::test;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run check(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("VIGIL_PLUGIN_PATH"), QStringLiteral(VIGIL_PLUGIN_DIR));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"), QStringList{QStringLiteral("check")} + args);
    // Events run meanwhile: a test's own server (in this process) must answer.
    REQUIRE(waitUntil([&] { return p.state() == QProcess::NotRunning; }, 60'000));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QString &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(text.toUtf8());
    return path;
}

} // namespace

TEST_CASE("vigil check lists the registry's models with versions, stages and aliases, and names what it cannot reach", "[plugins][check]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    QTemporaryDir dir;
    const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(freeLoopbackPort());
    const QString ws = writeFile(dir, QStringLiteral("team.yaml"), QStringLiteral(R"(connections:
  fleet: { kind: demo }
  registry: { kind: mlflow, url: "%1" }
  gone: { kind: prometheus, url: "%2", timeout: 2s }
)").arg(fleet.toString(), dead));
    const Run r = check({QStringLiteral("--workspace"), ws, QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("20s")});
    INFO(r.out.toStdString() << r.err.toStdString());
    CHECK(r.exitCode == 1); // one connection failed
    const QJsonObject report = QJsonDocument::fromJson(r.out).object();
    REQUIRE(report.value("connections").toArray().size() == 3);
    CHECK(report.value("ok").toBool() == false);
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &c : report.value("connections").toArray())
        byName.insert(c.toObject().value("name").toString(), c.toObject());
    CHECK(byName["fleet"].value("ok").toBool());
    const QJsonObject registry = byName["registry"];
    CHECK(registry.value("ok").toBool());
    CHECK(registry.value("reached").toString().contains("registered models"));
    bool sawChampion = false;
    QStringList models;
    for (const QJsonValue &m : registry.value("registered_models").toArray()) {
        models << m.toObject().value("name").toString();
        for (const QJsonValue &v : m.toObject().value("versions").toArray())
            if (v.toObject().value("aliases").toArray().contains(QJsonValue(QStringLiteral("champion"))))
                sawChampion = true;
    }
    CHECK(models.contains("fraud-detector"));
    CHECK(models.contains("spam-filter"));
    CHECK(sawChampion);
    CHECK_FALSE(byName["gone"].value("ok").toBool());
    CHECK(byName["gone"].value("error").toString().contains(dead));

    // The same without --json: one line per connection, the versions with their aliases.
    const Run text = check({QStringLiteral("--workspace"), ws, QStringLiteral("--timeout"), QStringLiteral("20s")});
    CHECK(text.exitCode == 1);
    CHECK(text.out.contains("connection gone (prometheus): FAILED: "));
    CHECK(text.out.contains("model fraud-detector: versions "));
    CHECK(text.out.contains("@champion"));
}

TEST_CASE("vigil check: a broken workspace is reported with its lines, bad usage exits 2", "[plugins][check]")
{
    QTemporaryDir dir;
    const QString ws = writeFile(dir, QStringLiteral("broken.yaml"), QStringLiteral("connections:\n  fleet: { kind: demo }\nrule: []\n"));
    const Run r = check({QStringLiteral("--workspace"), ws});
    CHECK(r.exitCode == 1);
    CHECK(r.out.contains("broken.yaml:3: unknown key 'rule' at the top level; did you mean 'rules'?"));
    CHECK(r.out.contains("connection fleet (demo): in-process demo fleet"));
    CHECK(check({}).exitCode == 2);
    CHECK(check({QStringLiteral("--workspace"), ws, QStringLiteral("--timeout"), QStringLiteral("soon")}).exitCode == 2);
}

TEST_CASE("vigil check: an HTTPS server with a private CA fails unverified, passes with ca_file, and tls_verify false warns", "[plugins][check][tls]")
{
    const QString tls = QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/tls/");
    MlflowReplayServer secure;
    REQUIRE(secure.useTls(tls + "server.pem", tls + "server.key"));
    REQUIRE(secure.start());
    const QString url = secure.url().toString();
    QTemporaryDir dir;
    auto run = [&](const QString &extra) {
        const QString ws = writeFile(dir, QStringLiteral("tls.yaml"),
                                     QStringLiteral("connections:\n  registry: { kind: mlflow, url: \"%1\"%2 }\n").arg(url, extra));
        return check({QStringLiteral("--workspace"), ws, QStringLiteral("--timeout"), QStringLiteral("10s")});
    };

    const Run plain = run({});
    INFO(plain.out.toStdString());
    CHECK(plain.exitCode == 1);
    const QByteArray handshake = "connection registry (mlflow): FAILED: TLS handshake with " + url.toUtf8();
    CHECK(plain.out.contains(handshake));
    CHECK_FALSE(plain.out.contains("warning:"));

    // Reached over TLS. (The recordings hold no version listing for
    // spam-filter, so that model's line is a 404 and the exit code 1: the
    // line says so, where it used to read "versions none".)
    const QString reached = QStringLiteral("connection registry (mlflow): MLflow at %1: 2 registered models\n").arg(url);
    const Run trusted = run(QStringLiteral(", ca_file: \"%1ca.pem\"").arg(tls));
    INFO(trusted.out.toStdString());
    CHECK(trusted.out.contains(reached.toUtf8()));
    CHECK(trusted.out.contains("  model fraud-detector: versions 3 (Staging, @challenger), 2 (Production, @champion), 1 (Archived)\n"));
    CHECK(trusted.out.contains("  model spam-filter: FAILED: HTTP 404 Not Found from "));
    CHECK_FALSE(trusted.out.contains("warning:"));

    const Run insecure = run(QStringLiteral(", tls_verify: false"));
    INFO(insecure.out.toStdString());
    CHECK(insecure.out.contains("warning: tls.yaml:2: TLS certificates are not checked in connection 'registry' (tls_verify: false)"));
    CHECK(insecure.out.contains(reached.toUtf8())); // it works, and says loudly how
}

TEST_CASE("vigil check reports a Prometheus' version and how many series it holds", "[plugins][check]")
{
    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl prometheus = stack.startPrometheus({fleet});
    QTemporaryDir dir;
    const QString ws = writeFile(dir, QStringLiteral("prom.yaml"),
                                 QStringLiteral("connections:\n  prom: { kind: prometheus, url: \"%1\" }\n").arg(prometheus.toString()));
    QJsonObject prom;
    // The head holds series once the first scrape has landed.
    REQUIRE(waitUntil([&] {
        const Run r = check({QStringLiteral("--workspace"), ws, QStringLiteral("--json")});
        prom = QJsonDocument::fromJson(r.out).object().value("connections").toArray().first().toObject();
        return r.exitCode == 0 && prom.value("series").toDouble() > 0;
    }, 30'000));
    CHECK(prom.value("version").toString().startsWith("2."));
    CHECK(prom.value("reached").toString().startsWith("Prometheus 2."));
    const Run text = check({QStringLiteral("--workspace"), ws});
    INFO(text.out.toStdString());
    CHECK(QString::fromUtf8(text.out).contains(QRegularExpression(QStringLiteral("\n  series: [1-9][0-9]*\n"))));
}
