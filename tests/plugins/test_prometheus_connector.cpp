// SPDX-License-Identifier: GPL-3.0-or-later
// The Prometheus connector plugin, loaded as the app loads it, against a real
// Prometheus 2.42 and VictoriaMetrics 1.79 scraping the demo fleet every second,
// and against a misbehaving server for every way an exchange can go wrong.
#include <catch2/catch.hpp>

#include "support/fault_server.h"
#include "prometheus_engine.h"
#include "prometheus_response.h"
#include "sources/connector.h"
#include "support/test_stack.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>
#include <QPluginLoader>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QThread>
#include <cmath>

using namespace vigil;
using namespace vigil::test;

namespace {

const QString kLatency = QStringLiteral(
    "histogram_quantile(0.99, sum by (le, version) (rate(model_request_duration_seconds_bucket[5s])))");
const QString kThroughput = QStringLiteral("sum by (version) (rate(model_requests_total[5s]))");

QPluginLoader &pluginLoader()
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-prometheus.so"));
    return loader;
}

ConnectorPlugin *plugin()
{
    QObject *instance = pluginLoader().instance();
    INFO(pluginLoader().errorString().toStdString());
    REQUIRE(instance);
    auto *p = qobject_cast<ConnectorPlugin *>(instance);
    REQUIRE(p);
    return p;
}

std::unique_ptr<Connector> connectTo(const QUrl &url, int timeoutMs = 10'000, HttpAuth auth = {},
                                     qint64 maxBodyBytes = 256LL * 1024 * 1024, QJsonObject options = {})
{
    ConnectionSettings s;
    s.options = std::move(options);
    s.name = QStringLiteral("test");
    s.kind = QStringLiteral("prometheus");
    s.url = url;
    s.auth = std::move(auth);
    s.timeoutMs = timeoutMs;
    s.maxBodyBytes = maxBodyBytes;
    std::unique_ptr<Connector> c(plugin()->createConnector(s, nullptr));
    REQUIRE(c);
    return c;
}

QueryRequest instant(const QString &expr)
{
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = expr;
    q.kind = QueryKind::Instant;
    return q;
}

QueryRequest lastSeconds(const QString &expr, int seconds, qint64 stepMs = 1000)
{
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = expr;
    q.kind = QueryKind::Range;
    q.endMs = QDateTime::currentMSecsSinceEpoch();
    q.startMs = q.endMs - seconds * 1000LL;
    q.stepMs = stepMs;
    return q;
}

// One fleet, one Prometheus and one VictoriaMetrics for the whole binary:
// starting them per test would cost seconds each. Killed when the app ends.
struct SharedStack
{
    TestStack stack;
    QUrl fleet;
    QUrl prometheus;
    QUrl victoria;
};

SharedStack &shared()
{
    static std::unique_ptr<SharedStack> s;
    if (!s) {
        auto fresh = std::make_unique<SharedStack>();
        fresh->fleet = fresh->stack.startDemoFleet(60.0);
        fresh->prometheus = fresh->stack.startPrometheus({fresh->fleet}, 1000);
        fresh->victoria = fresh->stack.startVictoriaMetrics({fresh->fleet}, 1000);
        s = std::move(fresh);
        qAddPostRoutine([] { s.reset(); });
    }
    return *s;
}

// Rates need two scrapes: poll until the query returns every series with finite values.
QueryResult queryUntilData(Connector &c, const QueryRequest &q, int timeoutMs = 30'000)
{
    QueryResult last;
    waitUntil([&] {
        QueryRequest fresh = q;
        if (q.kind == QueryKind::Range) {
            const qint64 span = q.endMs - q.startMs;
            fresh.endMs = QDateTime::currentMSecsSinceEpoch();
            fresh.startMs = fresh.endMs - span;
        }
        last = await(c.query(fresh));
        if (!last.ok() || last.series.isEmpty())
            return false;
        for (const SeriesData &s : last.series) {
            if (s.samples.isEmpty() || !std::isfinite(s.samples.last().v))
                return false;
            if (q.kind == QueryKind::Range && s.samples.size() < 3)
                return false;
        }
        return true;
    }, timeoutMs);
    INFO(last.message.toStdString());
    REQUIRE(last.ok());
    REQUIRE_FALSE(last.series.isEmpty());
    return last;
}

// Returns how many versions the result holds (one series each).
int checkPerVersion(const QueryResult &r, ResultType type)
{
    CHECK(r.type == type);
    QSet<QString> versions;
    for (const SeriesData &s : r.series) {
        CHECK(s.key.name().isEmpty()); // aggregated: no __name__
        CHECK(s.key.hasLabel("version"));
        versions.insert(s.key.label("version"));
        for (const Sample &sample : s.samples)
            CHECK(sample.v >= 0.0);
    }
    CHECK(versions.size() == r.series.size()); // one series per version
    return int(versions.size());
}

} // namespace

TEST_CASE("The plugin loads and declares kind prometheus with its settings", "[plugins][prometheus]")
{
    REQUIRE(plugin());
    const QJsonObject meta = pluginLoader().metaData().value("MetaData").toObject();
    CHECK(meta.value("kind").toString() == "prometheus");
    QStringList keys;
    for (const QJsonValue &v : meta.value("settings").toArray())
        keys << v.toObject().value("key").toString();
    CHECK(keys == QStringList{"url", "bearer_token_secret", "basic_user", "password_secret", "headers", "ca_file",
                              "tls_verify", "timeout", "options.tenant", "options.partial_response", "options.dedup",
                              "options.split_interval", "options.max_concurrency"});
    auto c = connectTo(QUrl("http://127.0.0.1:1"));
    CHECK(c->kind() == "prometheus");
    CHECK(c->capabilities().testFlag(Capability::TimeSeries));
}

TEST_CASE("Probing Prometheus names its version", "[plugins][prometheus][probe]")
{
    auto c = connectTo(shared().prometheus);
    const ProbeResult p = await(c->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.version.startsWith("2.42"));
    CHECK(p.message == QStringLiteral("Prometheus %1 at %2").arg(p.version, shared().prometheus.toString()));
}

TEST_CASE("Prometheus: latency and throughput per version, instant and range", "[plugins][prometheus][query]")
{
    auto c = connectTo(shared().prometheus);
    checkPerVersion(queryUntilData(*c, instant(kLatency)), ResultType::Vector);
    checkPerVersion(queryUntilData(*c, instant(kThroughput)), ResultType::Vector);

    const QueryResult range = queryUntilData(*c, lastSeconds(kThroughput, 20));
    checkPerVersion(range, ResultType::Matrix);
    for (const SeriesData &s : range.series) {
        for (const Sample &sample : s.samples)
            CHECK(sample.t % 1000 == 0); // aligned to the 1 s step
    }
    checkPerVersion(queryUntilData(*c, lastSeconds(kLatency, 20)), ResultType::Matrix);
}

TEST_CASE("Prometheus: a query longer than the GET limit goes as a POST form and works", "[plugins][prometheus][query]")
{
    auto c = connectTo(shared().prometheus);
    QStringList never;
    for (int i = 0; i < 150; ++i)
        never << QStringLiteral("no-such-model-%1").arg(i);
    const QString expr = QStringLiteral("sum by (version) (rate(model_requests_total{model!~\"%1\"}[5s]))").arg(never.join('|'));
    REQUIRE(expr.size() > 2000);
    const QueryResult r = queryUntilData(*c, instant(expr));
    checkPerVersion(r, ResultType::Vector);
}

TEST_CASE("Prometheus: a query it rejects is a Server error with its message", "[plugins][prometheus][errors]")
{
    auto c = connectTo(shared().prometheus);
    const QueryResult r = await(c->query(instant(QStringLiteral("sum(rate(model_requests_total[5s])"))));
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.httpStatus == 400);
    INFO(r.message.toStdString());
    CHECK(r.message.startsWith("Prometheus rejected the query (bad_data): "));
    CHECK(r.message.contains("parse error"));
}

TEST_CASE("Prometheus: discovery of series, label names and values", "[plugins][prometheus][discovery]")
{
    auto c = connectTo(shared().prometheus);
    (void)queryUntilData(*c, instant(QStringLiteral("model_requests_total")));
    // Reached by name, as a caller holding only a vigil::Connector would.
    QFuture<prometheus::LabelListResult> values;
    REQUIRE(QMetaObject::invokeMethod(c.get(), "labelValues", Qt::DirectConnection,
                                      Q_RETURN_ARG(QFuture<vigil::prometheus::LabelListResult>, values),
                                      Q_ARG(QString, "version"), Q_ARG(QStringList, {"model_requests_total"}),
                                      Q_ARG(qint64, 0), Q_ARG(qint64, 0)));
    const auto v = await(values);
    REQUIRE(v.ok());
    CHECK_FALSE(v.values.isEmpty());

    QFuture<prometheus::LabelListResult> names;
    REQUIRE(QMetaObject::invokeMethod(c.get(), "labelNames", Qt::DirectConnection,
                                      Q_RETURN_ARG(QFuture<vigil::prometheus::LabelListResult>, names),
                                      Q_ARG(QStringList, {}), Q_ARG(qint64, 0), Q_ARG(qint64, 0)));
    const auto n = await(names);
    REQUIRE(n.ok());
    CHECK(n.values.contains("version"));
    CHECK(n.values.contains("model"));

    QFuture<prometheus::SeriesListResult> series;
    REQUIRE(QMetaObject::invokeMethod(c.get(), "findSeries", Qt::DirectConnection,
                                      Q_RETURN_ARG(QFuture<vigil::prometheus::SeriesListResult>, series),
                                      Q_ARG(QStringList, {"model_requests_total"}), Q_ARG(qint64, 0), Q_ARG(qint64, 0)));
    const auto s = await(series);
    REQUIRE(s.ok());
    REQUIRE_FALSE(s.series.isEmpty());
    CHECK(s.series[0].name() == "model_requests_total");
    CHECK(s.series[0].hasLabel("version"));
}

TEST_CASE("VictoriaMetrics: probe says what answered", "[plugins][victoriametrics][probe]")
{
    auto c = connectTo(shared().victoria);
    const ProbeResult p = await(c->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.message.startsWith(QStringLiteral("a Prometheus-compatible API at %1 answered").arg(shared().victoria.toString())));
}

TEST_CASE("VictoriaMetrics: the same queries through the same API", "[plugins][victoriametrics][query]")
{
    auto c = connectTo(shared().victoria);
    CHECK(checkPerVersion(queryUntilData(*c, instant(kLatency)), ResultType::Vector) >= 2); // the fleet runs two versions per model
    CHECK(checkPerVersion(queryUntilData(*c, instant(kThroughput)), ResultType::Vector) >= 2); // the fleet runs two versions per model
    CHECK(checkPerVersion(queryUntilData(*c, lastSeconds(kThroughput, 20)), ResultType::Matrix) >= 2); // the fleet runs two versions per model
    CHECK(checkPerVersion(queryUntilData(*c, lastSeconds(kLatency, 20)), ResultType::Matrix) >= 2); // the fleet runs two versions per model
}

// ---- a server that misbehaves ----

TEST_CASE("A server that is down: Network, naming the URL", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::mode(FaultServer::Mode::Refuse));
    auto c = connectTo(server.url());
    const QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Network);
    CHECK(r.message == QStringLiteral("connection refused by %1/api/v1/query").arg(server.url().toString()));
    const ProbeResult p = await(c->probe());
    CHECK(p.error == ErrorKind::Network);
    CHECK(p.message.startsWith("connection refused by"));
}

TEST_CASE("A server that accepts and never answers: Timeout", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::mode(FaultServer::Mode::Hang));
    auto c = connectTo(server.url(), 500);
    QElapsedTimer t;
    t.start();
    const QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Timeout);
    CHECK(r.message == QStringLiteral("no answer from %1/api/v1/query within 500 ms").arg(server.url().toString()));
    CHECK(t.elapsed() < 3000);
}

TEST_CASE("A server that drips its answer slower than the timeout: Timeout", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    FaultServer::Script s = FaultServer::respond(200, "OK", "application/json", QByteArray(200, ' ') + "{}");
    s.mode = FaultServer::Mode::SlowDrip;
    s.chunkBytes = 1;
    s.intervalMs = 50; // each byte well within the inactivity timeout: only the deadline stops it
    server.setScript(s);
    auto c = connectTo(server.url(), 600);
    const QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Timeout);
    CHECK(r.message.contains("did not finish its answer within 600 ms"));
}

TEST_CASE("HTTP errors: with a Prometheus body, plain text, or an HTML page", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    auto c = connectTo(server.url());
    const QString where = server.url().toString() + "/api/v1/query";

    server.setScript(FaultServer::respond(500, "Internal Server Error", "text/plain", "something broke\n"));
    QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.httpStatus == 500);
    CHECK(r.message == QStringLiteral("HTTP 500 Internal Server Error from %1 (text: something broke)").arg(where));

    server.setScript(FaultServer::respond(503, "Service Unavailable", "application/json",
                                          R"({"status":"error","errorType":"unavailable","error":"TSDB not ready"})"));
    r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Server);
    CHECK(r.message.startsWith("Prometheus is not ready to answer (unavailable): TSDB not ready"));

    const QByteArray html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>";
    server.setScript(FaultServer::respond(502, "Bad Gateway", "text/html", html));
    r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.message == QStringLiteral("HTTP 502 Bad Gateway from %1 (an HTML page: 502 Bad Gateway)").arg(where));

    server.setScript(FaultServer::respond(200, "OK", "text/html",
                                          "<html><head><title>Grafana</title></head><body></body></html>"));
    r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("got an HTML page: Grafana"));
}

TEST_CASE("Truncated answers: cut off mid-transfer, or a complete but cut JSON", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    auto c = connectTo(server.url());
    const QByteArray body = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1700000000,"1"]}]}})";

    FaultServer::Script s = FaultServer::respond(200, "OK", "application/json", body);
    s.mode = FaultServer::Mode::Truncated; // Content-Length says more than arrives
    server.setScript(s);
    QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::BadResponse);
    INFO(r.message.toStdString());
    CHECK(r.message.contains("cut off"));

    s.declareLength = false; // the body simply ends at close: the parser finds it truncated
    server.setScript(s);
    r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::BadResponse);
    CHECK(r.message.contains("truncated"));
}

TEST_CASE("A body over maxBodyBytes is refused without reading it all", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    auto c = connectTo(server.url(), 10'000, {}, 1024 * 1024);
    FaultServer::Script s = FaultServer::mode(FaultServer::Mode::HugeBody);
    s.hugeBytes = 512LL * 1024 * 1024;

    SECTION("declared by Content-Length: refused before the body")
    {
        server.setScript(s);
        const QueryResult r = await(c->query(instant("up")));
        CHECK(r.error == ErrorKind::TooLarge);
        CHECK(r.message.contains("512 MiB, over the 1 MiB limit"));
        CHECK(server.bodyBytesSent() < s.hugeBytes / 16);
    }
    SECTION("streamed without a length: stopped once past the limit")
    {
        s.declareLength = false;
        server.setScript(s);
        const QueryResult r = await(c->query(instant("up")));
        CHECK(r.error == ErrorKind::TooLarge);
        CHECK(r.message.contains("grew past the 1 MiB limit"));
        CHECK(server.bodyBytesSent() < s.hugeBytes / 16);
    }
}

TEST_CASE("Requests carry auth headers and the path prefix, and messages never carry secrets", "[plugins][faults][secrets]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::respond(401, "Unauthorized", "text/plain", "bad token\n"));
    HttpAuth auth;
    auth.bearerToken = QStringLiteral("tok-very-secret");
    auth.headers = {{"X-Scope-OrgID", "team-ml"}};
    QUrl url = server.url();
    url.setPath("/select/0/prometheus");
    auto c = connectTo(url, 10'000, auth);
    const QueryResult r = await(c->query(instant("up")));
    CHECK(r.error == ErrorKind::Http);
    CHECK(r.httpStatus == 401);
    CHECK_FALSE(r.message.contains("tok-very-secret"));
    CHECK_FALSE(r.message.contains("query="));
    REQUIRE(server.requests().size() == 1);
    const auto &seen = server.requests().front();
    CHECK(seen.method == "GET");
    CHECK(seen.target.startsWith("/select/0/prometheus/api/v1/query?query=up"));
    CHECK(seen.header("Authorization") == "Bearer tok-very-secret");
    CHECK(seen.header("X-Scope-OrgID") == "team-ml");
    // Qt negotiates compression itself, and only does so when we leave the header alone.
    CHECK(seen.header("Accept-Encoding").contains("gzip"));
}

TEST_CASE("A gzip-encoded answer is decoded transparently", "[plugins][faults]")
{
    const QByteArray plain = R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}})";
    QProcess gzip;
    gzip.start(requireProgram("gzip", "gzip"), {"-c"});
    REQUIRE(gzip.waitForStarted());
    gzip.write(plain);
    gzip.closeWriteChannel();
    REQUIRE(gzip.waitForFinished());
    const QByteArray compressed = gzip.readAllStandardOutput();
    REQUIRE(compressed.startsWith("\x1f\x8b"));

    FaultServer server;
    REQUIRE(server.start());
    FaultServer::Script s = FaultServer::respond(200, "OK", "application/json", compressed);
    s.headers = {{"Content-Encoding", "gzip"}};
    server.setScript(s);
    auto c = connectTo(server.url());
    const QueryResult r = await(c->query(instant("42")));
    INFO(r.message.toStdString());
    REQUIRE(r.ok());
    CHECK(r.type == ResultType::Scalar);
    CHECK(r.series[0].samples[0].v == 42.0);
}

namespace {
QByteArray gzipped(const QByteArray &plain)
{
    QProcess gzip;
    gzip.start(requireProgram("gzip", "gzip"), {"-1", "-c"});
    REQUIRE(gzip.waitForStarted());
    for (qsizetype at = 0; at < plain.size(); at += 1 << 20) {
        gzip.write(plain.mid(at, 1 << 20));
        gzip.waitForBytesWritten(-1);
    }
    gzip.closeWriteChannel();
    REQUIRE(gzip.waitForFinished(120'000));
    return gzip.readAllStandardOutput();
}
} // namespace

TEST_CASE("Compressed answers: a gzip bomb or a damaged body is refused, a large one stops at the limit", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    auto serveGzip = [&server](const QByteArray &body) {
        FaultServer::Script s = FaultServer::respond(200, "OK", "application/json", body);
        s.headers = {{"Content-Encoding", "gzip"}};
        server.setScript(s);
    };

    SECTION("a bomb: 64 MiB of zeros sent as a few hundred KiB, under the default 256 MiB limit")
    {
        // Its declared length is far under the limit, so only what it inflates
        // to can stop it. Qt refuses to go on inflating it; before, the part
        // inflated so far passed as a complete answer and failed as "not JSON".
        const QByteArray bomb = gzipped(QByteArray(64 * 1024 * 1024, '\0'));
        REQUIRE(bomb.size() < 1024 * 1024);
        serveGzip(bomb);
        auto c = connectTo(server.url());
        const QueryResult r = await(c->query(instant("up")));
        INFO(r.message.toStdString());
        CHECK(r.error == ErrorKind::BadResponse);
        CHECK(r.message.contains("gzip-compressed answer from http://127.0.0.1:"));
        CHECK(r.message.contains("could not be inflated (damaged, or a compression bomb"));
        CHECK(r.series.isEmpty());
    }
    SECTION("damaged: a gzip body whose second half is garbage is an error, never data")
    {
        QByteArray text = R"({"status":"success","data":{"resultType":"vector","result":[)";
        for (int i = 0; i < 2000; ++i)
            text += R"({"metric":{"i":")" + QByteArray::number(i) + R"("},"value":[1700000000,"1"]},)";
        text += R"({"metric":{},"value":[1700000000,"1"]}]}})";
        const QByteArray gz = gzipped(text);
        serveGzip(gz.left(gz.size() / 2) + QByteArray(gz.size() / 2, 'x'));
        auto c = connectTo(server.url());
        const QueryResult r = await(c->query(instant("up")));
        INFO(r.message.toStdString());
        // Qt inflates what it can and does not report a stream that breaks off
        // (no error, no end of stream): the parser then finds the JSON cut short.
        CHECK(r.error == ErrorKind::BadResponse);
        CHECK(r.message.contains("the answer from http://127.0.0.1:"));
        CHECK(r.message.contains("is not valid JSON"));
        CHECK(r.series.isEmpty());
    }
    SECTION("a large answer that compresses as real data does (about 2:1) stops at a 1 MiB limit")
    {
        QByteArray hex;
        QRandomGenerator rng(8);
        while (hex.size() < 4 * 1024 * 1024)
            hex += QByteArray::number(rng.generate64(), 16);
        const QByteArray gz = gzipped(R"({"status":"success","data":{"resultType":"string","result":[1,")" + hex + R"("]}})");
        REQUIRE(gz.size() < 3 * 1024 * 1024);
        serveGzip(gz);
        auto c = connectTo(server.url(), 10'000, {}, 1024 * 1024);
        const QueryResult r = await(c->query(instant("up")));
        INFO(r.message.toStdString());
        CHECK(r.error == ErrorKind::TooLarge);
        CHECK(r.message.contains("grew past the 1 MiB limit"));
    }
}

TEST_CASE("A long query is sent as a POST form to the prefixed path", "[plugins][faults]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::respond(200, "OK", "application/json",
                                          R"({"status":"success","data":{"resultType":"vector","result":[]}})"));
    QUrl url = server.url();
    url.setPath("/prometheus");
    auto c = connectTo(url);
    const QString expr = QStringLiteral("up{job=~\"%1\"}").arg(QString(2100, QLatin1Char('a')));
    const QueryResult r = await(c->query(instant(expr)));
    REQUIRE(r.ok());
    REQUIRE(server.requests().size() == 1);
    const auto &seen = server.requests().front();
    CHECK(seen.method == "POST");
    CHECK(seen.target == "/prometheus/api/v1/query");
    CHECK(seen.header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(seen.body.startsWith("query=up%7Bjob%3D~%22aaaa"));
}

TEST_CASE("A connector in its own thread answers a caller in another", "[plugins][prometheus][threads]")
{
    auto c = connectTo(shared().prometheus);
    QThread io;
    io.start();
    c->moveToThread(&io);
    const QueryResult r = await(c->query(instant(QStringLiteral("vector(7)"))));
    // Parsing ran in the connector's thread; the result still reaches us intact.
    QMetaObject::invokeMethod(c.release(), &QObject::deleteLater);
    io.quit();
    io.wait();
    REQUIRE(r.ok());
    CHECK(r.series[0].samples[0].v == 7.0);
}

// ---- scale-out engines: options and split range queries ----

namespace {
// A fixed window that ended a few scrapes ago, so two queries of it see the same data.
QueryRequest pastWindow(const QString &expr, int seconds, qint64 stepMs)
{
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = expr;
    q.kind = QueryKind::Range;
    q.endMs = (QDateTime::currentMSecsSinceEpoch() - 10'000) / stepMs * stepMs;
    q.startMs = q.endMs - seconds * 1000LL;
    q.stepMs = stepMs;
    return q;
}

void checkSameResult(const QueryResult &whole, const QueryResult &split)
{
    REQUIRE(whole.ok());
    INFO(split.message.toStdString());
    REQUIRE(split.ok());
    CHECK(split.type == ResultType::Matrix);
    REQUIRE(split.series.size() == whole.series.size());
    QHash<SeriesKey, QList<Sample>> byKey;
    for (const SeriesData &s : whole.series)
        byKey.insert(s.key, s.samples);
    for (const SeriesData &s : split.series) {
        REQUIRE(byKey.contains(s.key));
        const QList<Sample> &expected = byKey[s.key];
        REQUIRE(s.samples.size() == expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            INFO("sample " << i << " t " << expected[i].t << " v " << expected[i].v << " split t " << s.samples[i].t
                           << " v " << s.samples[i].v);
            CHECK(s.samples[i].t == expected[i].t);
            CHECK(s.samples[i].v == Approx(expected[i].v).epsilon(1e-9));
        }
    }
}
} // namespace

TEST_CASE("Split range queries give the same series and samples as one query, on Prometheus and VictoriaMetrics",
          "[plugins][prometheus][victoriametrics][split]")
{
    for (const QUrl &url : {shared().prometheus, shared().victoria}) {
        INFO(url.toString().toStdString());
        auto whole = connectTo(url);
        // Cut every minute, two parts at a time: a 3-minute window is 4 parts.
        auto split = connectTo(url, 10'000, {}, 256LL * 1024 * 1024,
                               QJsonObject{{"split_interval", "1m"}, {"max_concurrency", 2.0}});
        // Wait until the window (which ends 10 s ago) holds a few rate samples.
        QueryRequest q;
        QueryResult one;
        waitUntil([&] {
            q = pastWindow(kThroughput, 180, 5000);
            one = await(whole->query(q));
            return one.ok() && !one.series.isEmpty() && one.series.first().samples.size() >= 3;
        }, 60'000);
        REQUIRE_FALSE(one.series.isEmpty());
        const QueryResult parts = await(split->query(q));
        checkSameResult(one, parts);
        CHECK(parts.bytes > one.bytes); // four answers, four envelopes
    }
}

TEST_CASE("VictoriaMetrics under its /prometheus path prefix: probe and query", "[plugins][victoriametrics][prefix]")
{
    QUrl url = shared().victoria;
    url.setPath(QStringLiteral("/prometheus"));
    auto c = connectTo(url);
    const ProbeResult p = await(c->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.message.contains(url.toString()));
    CHECK(checkPerVersion(queryUntilData(*c, instant(kThroughput)), ResultType::Vector) >= 2);
}

TEST_CASE("Engine options: tenant header, Thanos parameters and at most max_concurrency parts in flight",
          "[plugins][faults][split]")
{
    FaultServer server;
    REQUIRE(server.start());
    server.setScript(FaultServer::mode(FaultServer::Mode::Hang));
    QUrl url = server.url();
    url.setPath(QStringLiteral("/prometheus"));
    auto c = connectTo(url, 30'000, {}, 256LL * 1024 * 1024,
                       QJsonObject{{"tenant", "team-ml"}, {"partial_response", false}, {"dedup", true},
                                   {"split_interval", "1h"}, {"max_concurrency", 2.0}});
    QueryRequest q;
    q.id = QStringLiteral("q");
    q.expr = QStringLiteral("up");
    q.kind = QueryKind::Range;
    q.startMs = 1'700'000'000'000 - 6 * 3'600'000LL;
    q.endMs = 1'700'000'000'000;
    q.stepMs = 60'000;
    QFuture<QueryResult> pending = c->query(q);
    REQUIRE(waitUntil([&] { return server.requests().size() >= 2; }, 10'000));
    // The two in flight never answer: no third part may start meanwhile.
    waitUntil([&] { return server.requests().size() > 2; }, 500);
    CHECK(server.requests().size() == 2);
    CHECK_FALSE(pending.isFinished());
    for (const auto &seen : server.requests()) {
        CHECK(seen.target.startsWith("/prometheus/api/v1/query_range?"));
        CHECK(seen.header("X-Scope-OrgID") == "team-ml");
        const QUrlQuery params(QString::fromLatin1(seen.target.mid(seen.target.indexOf('?') + 1)));
        CHECK(params.queryItemValue("partial_response") == "false");
        CHECK(params.queryItemValue("dedup") == "true");
        CHECK(params.queryItemValue("step") == "60");
    }
    // The first two of the seven step-aligned parts, cut on the hour, in order.
    const QList<prometheus::RangeWindow> parts =
        prometheus::splitRange(prometheus::chooseRange(q.startMs, q.endMs, q.stepMs), 3'600'000);
    REQUIRE(parts.size() == 7);
    for (int i = 0; i < 2; ++i) {
        const QByteArray &target = server.requests()[i].target;
        const QUrlQuery params(QString::fromLatin1(target.mid(target.indexOf('?') + 1)));
        CHECK(params.queryItemValue("start").toLongLong() * 1000 == parts[i].startMs);
        CHECK(params.queryItemValue("end").toLongLong() * 1000 == parts[i].endMs);
    }
    CHECK(parts[1].startMs % 3'600'000 == 0);
}
