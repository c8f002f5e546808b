// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/test_stack.h"

#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTimer>

namespace vigil::test {

quint16 freeLoopbackPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        FAIL("cannot bind a loopback port: " << server.errorString().toStdString());
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

bool waitUntil(const std::function<bool()> &predicate, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!predicate()) {
        if (deadline.hasExpired())
            return predicate();
        // Wake at least every 20 ms to re-check, but let events run in between.
        QEventLoop loop;
        QTimer::singleShot(std::min<qint64>(20, std::max<qint64>(1, deadline.remainingTime())), &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

SimpleResponse httpGet(const QUrl &url, int timeoutMs)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nam.get(request);
    waitUntil([reply] { return reply->isFinished(); }, timeoutMs + 500);
    SimpleResponse r;
    if (reply->isFinished()) {
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
    } else {
        reply->abort();
    }
    delete reply;
    return r;
}

QString requireProgram(const QString &program, const QString &debianPackage)
{
    const QString path = QStandardPaths::findExecutable(program);
    if (path.isEmpty())
        FAIL("'" << program.toStdString() << "' is not installed (apt-get install " << debianPackage.toStdString()
                 << "); the integration tests need it");
    return path;
}

TestStack::TestStack()
{
    if (!m_dir.isValid())
        FAIL("cannot create a temporary directory: " << m_dir.errorString().toStdString());
}

TestStack::~TestStack()
{
    // Newest first: servers that scrape others stop before their targets.
    for (auto it = m_children.rbegin(); it != m_children.rend(); ++it) {
        QProcess *p = it->process.get();
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(5000);
        }
    }
    m_children.clear();
}

QProcess *TestStack::spawn(const QString &name, const QString &program, const QStringList &args)
{
    auto process = std::make_unique<QProcess>();
    process->setWorkingDirectory(m_dir.path());
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start(program, args);
    if (!process->waitForStarted(5000))
        FAIL("cannot start " << program.toStdString() << ": " << process->errorString().toStdString());
    QProcess *raw = process.get();
    m_children.push_back({name, std::move(process)});
    return raw;
}

QString TestStack::outputOf(const QString &name) const
{
    for (const Child &c : m_children) {
        if (c.name == name) {
            // Reading consumes; keep what was read in a property so repeated calls agree.
            QByteArray seen = c.process->property("vigil_seen_output").toByteArray();
            seen += c.process->readAllStandardOutput() + c.process->readAllStandardError();
            c.process->setProperty("vigil_seen_output", seen);
            return QString::fromUtf8(seen.right(4000));
        }
    }
    return {};
}

void TestStack::waitReady(const QString &name, QProcess *process, const QUrl &readyUrl, int timeoutMs)
{
    const bool ready = waitUntil([&] {
        if (process->state() == QProcess::NotRunning)
            return true;
        return httpGet(readyUrl, 500).status == 200;
    }, timeoutMs);
    if (process->state() == QProcess::NotRunning)
        FAIL(name.toStdString() << " exited (code " << process->exitCode() << ") before becoming ready:\n"
                                << outputOf(name).toStdString());
    if (!ready)
        FAIL(name.toStdString() << " did not answer 200 on " << readyUrl.toString().toStdString() << " within "
                                << timeoutMs << " ms:\n" << outputOf(name).toStdString());
}

QString TestStack::writeScrapeConfig(const QString &fileName, const QList<QUrl> &targets, int scrapeIntervalMs) const
{
    QStringList hosts;
    for (const QUrl &t : targets)
        hosts << QStringLiteral("'%1:%2'").arg(t.host()).arg(t.port());
    const QString yaml = QStringLiteral(
        "global:\n"
        "  scrape_interval: %1ms\n"
        "  scrape_timeout: %1ms\n"
        "scrape_configs:\n"
        "  - job_name: fleet\n"
        "    static_configs:\n"
        "      - targets: [%2]\n").arg(scrapeIntervalMs).arg(hosts.join(QStringLiteral(", ")));
    const QString path = QDir(m_dir.path()).filePath(fileName);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(yaml.toUtf8()) < 0)
        FAIL("cannot write " << path.toStdString());
    return path;
}

QUrl TestStack::startDemoFleet(double timeScale, const QStringList &extraArgs)
{
    const QString program = QStringLiteral(VIGIL_BIN_DIR "/vigil-demo-fleet");
    if (!QFileInfo(program).isExecutable())
        FAIL(program.toStdString() << " is not built (target vigil-demo-fleet)");
    const QString name = QStringLiteral("vigil-demo-fleet-%1").arg(m_children.size());
    QProcess *p = spawn(name, program,
                        QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--time-scale"),
                                    QString::number(timeScale)} + extraArgs);
    // Its first stdout line says where it listens: "listening on http://127.0.0.1:PORT".
    static const QRegularExpression re(QStringLiteral("^listening on (http://127\\.0\\.0\\.1:\\d+)"));
    QUrl url;
    waitUntil([&] {
        if (p->canReadLine()) {
            const QString line = QString::fromUtf8(p->readLine()).trimmed();
            const auto m = re.match(line);
            if (m.hasMatch())
                url = QUrl(m.captured(1));
            else
                FAIL("vigil-demo-fleet's first line is not 'listening on http://127.0.0.1:PORT': " << line.toStdString());
        }
        return url.isValid() || p->state() == QProcess::NotRunning;
    }, 10'000);
    if (!url.isValid())
        FAIL("vigil-demo-fleet did not say where it listens within 10 s:\n" << outputOf(name).toStdString());
    waitReady(name, p, url.resolved(QUrl(QStringLiteral("/metrics"))), 5'000);
    return url;
}

QUrl TestStack::startPrometheus(const QList<QUrl> &targets, int scrapeIntervalMs)
{
    return startPrometheus(targets, scrapeIntervalMs, PrometheusRules{});
}

QUrl TestStack::startPrometheus(const QList<QUrl> &targets, int scrapeIntervalMs, const PrometheusRules &rules)
{
    const QString program = requireProgram(QStringLiteral("prometheus"), QStringLiteral("prometheus"));
    const int n = int(m_children.size());
    const QString config = writeScrapeConfig(QStringLiteral("prometheus-%1.yml").arg(n), targets, scrapeIntervalMs);
    QStringList extra;
    if (!rules.rulesYaml.isEmpty()) {
        const QString ruleFile = QDir(m_dir.path()).filePath(QStringLiteral("prometheus-%1-rules.yml").arg(n));
        QFile rf(ruleFile);
        if (!rf.open(QIODevice::WriteOnly | QIODevice::Truncate) || rf.write(rules.rulesYaml.toUtf8()) < 0)
            FAIL("cannot write " << ruleFile.toStdString());
        QFile cf(config);
        const QString more = QStringLiteral("rule_files: ['%1']\n").arg(ruleFile) +
            (rules.alertmanager.isValid()
                 ? QStringLiteral("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['%1:%2']\n")
                       .arg(rules.alertmanager.host())
                       .arg(rules.alertmanager.port())
                 : QString());
        if (!cf.open(QIODevice::Append) || cf.write(more.toUtf8()) < 0)
            FAIL("cannot append to " << config.toStdString());
        extra << QStringLiteral("--rules.alert.resend-delay=1s");
    }
    const QString data = QDir(m_dir.path()).filePath(QStringLiteral("prometheus-data-%1").arg(n));
    if (!rules.backfill.isEmpty()) {
        const QString promtool = requireProgram(QStringLiteral("promtool"), QStringLiteral("prometheus"));
        QProcess backfill;
        backfill.setProcessChannelMode(QProcess::MergedChannels);
        backfill.start(promtool, {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"),
                                  QStringLiteral("openmetrics"), rules.backfill, data});
        // Spin the event loop meanwhile: servers in this process keep answering.
        const bool finished = backfill.waitForStarted(10'000) &&
                              waitUntil([&] { return backfill.state() == QProcess::NotRunning; }, 60'000);
        if (!finished || backfill.exitStatus() != QProcess::NormalExit || backfill.exitCode() != 0)
            FAIL("promtool could not backfill " << rules.backfill.toStdString() << ":\n"
                                                << backfill.readAll().toStdString());
    }
    const quint16 port = freeLoopbackPort();
    const QString name = QStringLiteral("prometheus-%1").arg(n);
    QProcess *p = spawn(name, program,
                        QStringList{QStringLiteral("--config.file=") + config,
                                    QStringLiteral("--storage.tsdb.path=") + data,
                                    QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port),
                                    QStringLiteral("--log.level=warn")} + extra);
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    waitReady(name, p, url.resolved(QUrl(QStringLiteral("/-/ready"))), 20'000);
    return url;
}

QUrl TestStack::startAlertmanager()
{
    const QString program = requireProgram(QStringLiteral("prometheus-alertmanager"), QStringLiteral("prometheus-alertmanager"));
    const int n = int(m_children.size());
    const QString config = QDir(m_dir.path()).filePath(QStringLiteral("alertmanager-%1.yml").arg(n));
    const QString yaml = QStringLiteral(
        "route:\n"
        "  receiver: 'null'\n"
        "  group_by: ['alertname']\n"
        "  group_wait: 1s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: 'null'\n");
    QFile f(config);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(yaml.toUtf8()) < 0)
        FAIL("cannot write " << config.toStdString());
    f.close();
    const QString data = QDir(m_dir.path()).filePath(QStringLiteral("alertmanager-data-%1").arg(n));
    const quint16 port = freeLoopbackPort();
    const QString name = QStringLiteral("alertmanager-%1").arg(n);
    QProcess *p = spawn(name, program,
                        {QStringLiteral("--config.file=") + config, QStringLiteral("--storage.path=") + data,
                         QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port),
                         // Empty: no gossip, so no second port and no peers to wait for.
                         QStringLiteral("--cluster.listen-address="), QStringLiteral("--log.level=warn")});
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    waitReady(name, p, url.resolved(QUrl(QStringLiteral("/-/ready"))), 20'000);
    return url;
}

QUrl TestStack::startVictoriaMetrics(const QList<QUrl> &targets, int scrapeIntervalMs)
{
    const QString program = requireProgram(QStringLiteral("victoria-metrics"), QStringLiteral("victoria-metrics"));
    const int n = int(m_children.size());
    const QString config = writeScrapeConfig(QStringLiteral("victoria-metrics-%1.yml").arg(n), targets, scrapeIntervalMs);
    const QString data = QDir(m_dir.path()).filePath(QStringLiteral("victoria-metrics-data-%1").arg(n));
    const quint16 port = freeLoopbackPort();
    const QString name = QStringLiteral("victoria-metrics-%1").arg(n);
    QProcess *p = spawn(name, program,
                        {QStringLiteral("-httpListenAddr=127.0.0.1:%1").arg(port),
                         QStringLiteral("-storageDataPath=") + data,
                         QStringLiteral("-promscrape.config=") + config,
                         // Without it the newest 30 s are hidden from queries.
                         QStringLiteral("-search.latencyOffset=0s"),
                         QStringLiteral("-retentionPeriod=1d"),
                         QStringLiteral("-loggerLevel=WARN")});
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    waitReady(name, p, url.resolved(QUrl(QStringLiteral("/health"))), 20'000);
    return url;
}

} // namespace vigil::test
