// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>
#include <functional>
#include <memory>
#include <vector>

namespace vigil::test {

// A port on 127.0.0.1 that was free a moment ago (bound to :0, read, closed).
quint16 freeLoopbackPort();

// Spins the event loop until `predicate` holds or `timeoutMs` passes; never a
// bare sleep. Returns the predicate's last value.
bool waitUntil(const std::function<bool()> &predicate, int timeoutMs);

// Waits (spinning the event loop) for a future; FAILs the test when it does not finish.
template<typename T>
T await(QFuture<T> future, int timeoutMs = 15'000)
{
    const bool done = waitUntil([&] { return future.isFinished(); }, timeoutMs);
    if (!done)
        throw std::runtime_error("future did not finish in time");
    return future.result();
}

// One blocking-with-event-loop GET, for readiness checks: the HTTP status (0
// when nothing answered) and the body.
struct SimpleResponse
{
    int status = 0;
    QByteArray body;
};
SimpleResponse httpGet(const QUrl &url, int timeoutMs = 2000);

// The servers an integration test runs against, started on free loopback
// ports in one temporary directory, killed when this object goes away.
// Every start* FAILs the running test with a clear message when the program is
// missing or does not become ready: CI installs them, so a missing one is a
// broken setup, not a reason to skip.
class TestStack
{
public:
    TestStack();
    ~TestStack();
    TestStack(const TestStack &) = delete;
    TestStack &operator=(const TestStack &) = delete;

    // VIGIL_BIN_DIR/vigil-demo-fleet --port 0 --time-scale N [extraArgs]; its base URL.
    QUrl startDemoFleet(double timeScale = 60.0, const QStringList &extraArgs = {});
    // Prometheus scraping `targets` (base URLs; /metrics is scraped) every
    // `scrapeIntervalMs`; returns its base URL once /-/ready answers.
    QUrl startPrometheus(const QList<QUrl> &targets, int scrapeIntervalMs = 1000);
    // The same, evaluating the rule file `rulesYaml` (its text; give each
    // group `interval: 1s`) and, when `alertmanager` is valid, sending its
    // alerts there (re-sent every second rather than every minute).
    // With `backfill` (an OpenMetrics file), `promtool tsdb create-blocks-from
    // openmetrics` first turns it into blocks in the new data directory, as
    // demo/run-demo.sh does. The scrape job is named "fleet".
    struct PrometheusRules
    {
        QString rulesYaml;
        QUrl alertmanager;
        QString backfill;
    };
    QUrl startPrometheus(const QList<QUrl> &targets, int scrapeIntervalMs, const PrometheusRules &rules);
    // Alertmanager (Debian's prometheus-alertmanager) with its own storage
    // directory, gossip off, and one route to a receiver that sends nothing,
    // grouping by alertname with 1 s waits; its base URL once /-/ready answers.
    QUrl startAlertmanager();
    // VictoriaMetrics (single node) scraping the same way; ready on /health.
    QUrl startVictoriaMetrics(const QList<QUrl> &targets, int scrapeIntervalMs = 1000);

    QString dir() const { return m_dir.path(); }
    // The output a started program wrote so far (for failure messages).
    QString outputOf(const QString &name) const;

private:
    struct Child
    {
        QString name;
        std::unique_ptr<QProcess> process;
    };
    QProcess *spawn(const QString &name, const QString &program, const QStringList &args);
    QString writeScrapeConfig(const QString &fileName, const QList<QUrl> &targets, int scrapeIntervalMs) const;
    // Polls `readyUrl` until it answers 200, the process dies, or the deadline.
    void waitReady(const QString &name, QProcess *process, const QUrl &readyUrl, int timeoutMs);

    QTemporaryDir m_dir;
    std::vector<Child> m_children;
};

// The full path of a program on PATH, or FAILs naming the Debian package.
QString requireProgram(const QString &program, const QString &debianPackage);

} // namespace vigil::test
