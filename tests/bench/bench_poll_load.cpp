// SPDX-License-Identifier: GPL-3.0-or-later
// The load Vigil puts on a Prometheus-compatible engine (docs/SCALING.md):
// N engineers, each with the demo's "Fleet overview" dashboard open, polling a
// real local Prometheus (started by bench_poll_load.sh). Each engineer is a
// whole Session (its own I/O thread, connector and scheduler), as N copies of
// the app would be. Prometheus' own /metrics give what it served: requests,
// bytes, time spent answering, CPU. The poll model's prediction is printed
// next to each measurement.
//   bench-poll-load PROMETHEUS_URL WORKSPACE [SECONDS] [ENGINEERS...]
#include "bench_util.h"
#include "session/session.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>
#include <cstdio>
#include <memory>

using namespace vigil;

namespace {

struct ServerCounters
{
    double requests = 0;      // query_range requests answered
    double responseBytes = 0; // their bodies
    double serverSeconds = 0; // time spent answering them
    double cpuSeconds = 0;    // the whole Prometheus process
};

double metric(const QString &text, const QString &name, const QString &handler)
{
    // name{...handler="/api/v1/query_range"...} value
    const QRegularExpression re(QStringLiteral("^%1\\{[^}]*handler=\"%2\"[^}]*\\} ([0-9.e+-]+)$")
                                    .arg(QRegularExpression::escape(name), QRegularExpression::escape(handler)),
                                QRegularExpression::MultilineOption);
    double sum = 0;
    for (auto it = re.globalMatch(text); it.hasNext();)
        sum += it.next().captured(1).toDouble();
    return sum;
}

ServerCounters readCounters(const QString &base)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(base + QStringLiteral("/metrics"))));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QString text = QString::fromUtf8(reply->readAll());
    reply->deleteLater();
    const QString h = QStringLiteral("/api/v1/query_range");
    ServerCounters c;
    c.requests = metric(text, QStringLiteral("prometheus_http_requests_total"), h);
    c.responseBytes = metric(text, QStringLiteral("prometheus_http_response_size_bytes_sum"), h);
    c.serverSeconds = metric(text, QStringLiteral("prometheus_http_request_duration_seconds_sum"), h);
    const QRegularExpression cpu(QStringLiteral("^process_cpu_seconds_total ([0-9.e+-]+)$"), QRegularExpression::MultilineOption);
    c.cpuSeconds = cpu.match(text).captured(1).toDouble();
    return c;
}

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // rows as they are measured, also into a pipe
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench-poll-load PROMETHEUS_URL WORKSPACE [SECONDS] [ENGINEERS...]\n");
        return 2;
    }
    const QString prometheus = QString::fromLocal8Bit(argv[1]);
    Workspace ws = loadWorkspace(QString::fromLocal8Bit(argv[2]));
    if (ws.hasErrors()) {
        std::fprintf(stderr, "bench-poll-load: %s\n", qPrintable(ws.errorMessages().join(u'\n')));
        return 1;
    }
    const int seconds = bench::shortMode() ? 6 : (argc > 3 ? std::max(5, std::atoi(argv[3])) : 60);
    QList<int> engineers;
    for (int i = 4; i < argc; ++i)
        engineers.append(std::max(1, std::atoi(argv[i])));
    if (engineers.isEmpty())
        engineers = bench::shortMode() ? QList<int>{1} : QList<int>{1, 5, 10};

    const QString dashboard = QStringLiteral("Fleet overview");
    const DashboardDef *d = ws.dashboard(dashboard);
    if (!d) {
        std::fprintf(stderr, "bench-poll-load: the workspace has no dashboard '%s'\n", qPrintable(dashboard));
        return 1;
    }
    int queries = 0;
    for (const PanelDef &p : d->panels)
        queries += int(p.queries.size());
    const double refreshS = double(ws.refreshMs) / 1000.0;
    const double stepS = double(Session::stepFor(ws.rangeMs)) / 1000.0;
    std::printf("dashboard '%s': %lld panels, %d queries, refresh %.0f s, range %lld min, step %.0f s; %d s per measurement\n",
                qPrintable(dashboard), qlonglong(d->panels.size()), queries, refreshS, qlonglong(ws.rangeMs / 60'000),
                stepS, seconds);
    std::printf("%9s %14s %14s %12s %14s %14s %12s\n", "engineers", "predicted r/s", "measured r/s", "KiB/request",
                "server ms/req", "server ms/s", "CPU %");
    for (int n : engineers) {
        std::vector<std::unique_ptr<Session>> sessions;
        for (int i = 0; i < n; ++i) {
            auto s = std::make_unique<Session>();
            s->loadPlugins();
            const QStringList issues = s->open(ws);
            for (const QString &issue : issues)
                std::fprintf(stderr, "bench-poll-load: %s\n", qPrintable(issue));
            s->setActiveDashboard(dashboard);
            sessions.push_back(std::move(s));
        }
        // The first poll fetches the whole window; the steady state fetches the
        // slice since the last sample. Measure the steady state.
        runFor(int(3 * ws.refreshMs));
        const ServerCounters before = readCounters(prometheus);
        const auto t0 = bench::Clock::now();
        runFor(seconds * 1000);
        const ServerCounters after = readCounters(prometheus);
        const double wall = bench::msSince(t0) / 1000.0;
        sessions.clear();
        const double requests = after.requests - before.requests;
        const double predicted = double(n) * queries / refreshS;
        std::printf("%9d %14.1f %14.1f %12.1f %14.2f %14.1f %12.1f\n", n, predicted, requests / wall,
                    requests > 0 ? (after.responseBytes - before.responseBytes) / requests / 1024.0 : 0.0,
                    requests > 0 ? (after.serverSeconds - before.serverSeconds) * 1000.0 / requests : 0.0,
                    (after.serverSeconds - before.serverSeconds) * 1000.0 / wall,
                    (after.cpuSeconds - before.cpuSeconds) * 100.0 / wall);
        if (requests <= 0) {
            std::fprintf(stderr, "bench-poll-load: Prometheus answered no query_range requests\n");
            return 1;
        }
    }
    return 0;
}
