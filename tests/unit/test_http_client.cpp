// SPDX-License-Identifier: GPL-3.0-or-later
// HttpClient's request building and message helpers, without a network.
// (Exchanges with real and misbehaving servers are in tests/plugins.)
#include <catch2/catch.hpp>

#include "net/http_client.h"

#include <QTemporaryDir>

using namespace vigil;

namespace {

ConnectionSettings settingsFor(const QString &url)
{
    ConnectionSettings s;
    s.name = QStringLiteral("prom");
    s.kind = QStringLiteral("prometheus");
    s.url = QUrl(url);
    return s;
}

QByteArray header(const QNetworkRequest &r, const char *name)
{
    return r.rawHeader(name);
}

} // namespace

TEST_CASE("API paths are appended to the URL's own path prefix", "[http][request]")
{
    struct Case { const char *base; const char *path; const char *expected; };
    const Case cases[] = {
        {"http://127.0.0.1:9090", "/api/v1/query", "http://127.0.0.1:9090/api/v1/query"},
        {"http://127.0.0.1:9090/", "/api/v1/query", "http://127.0.0.1:9090/api/v1/query"},
        {"http://vm:8481/select/0/prometheus", "/api/v1/query", "http://vm:8481/select/0/prometheus/api/v1/query"},
        {"http://mimir/prometheus/", "api/v1/labels", "http://mimir/prometheus/api/v1/labels"},
    };
    for (const Case &c : cases) {
        INFO(c.base);
        CHECK(joinUrl(QUrl(c.base), c.path).toString() == c.expected);
    }
    const QUrlQuery q{{"query", "up{job=\"a b\"}"}};
    const QUrl withQuery = joinUrl(QUrl("http://h/p"), "/api/v1/query", q);
    CHECK(QUrlQuery(withQuery).queryItemValue("query", QUrl::FullyDecoded) == "up{job=\"a b\"}");
}

TEST_CASE("Bearer token, basic auth and extra headers are built in one place", "[http][auth]")
{
    HttpAuth bearer;
    bearer.bearerToken = "s3cr3t";
    CHECK(authHeaders(bearer) == QList<std::pair<QByteArray, QByteArray>>{{"Authorization", "Bearer s3cr3t"}});

    HttpAuth basic;
    basic.basicUser = "ci";
    basic.basicPassword = "pa:ss";
    CHECK(authHeaders(basic) == QList<std::pair<QByteArray, QByteArray>>{{"Authorization", "Basic " + QByteArray("ci:pa:ss").toBase64()}});

    HttpAuth both = basic;
    both.bearerToken = "tok";
    both.headers = {{"X-Scope-OrgID", "team-ml"}};
    const auto h = authHeaders(both);
    REQUIRE(h.size() == 2);
    CHECK(h[0].second == "Bearer tok"); // one Authorization header: the token wins
    CHECK(h[1] == std::pair<QByteArray, QByteArray>{"X-Scope-OrgID", "team-ml"});

    CHECK(authHeaders(HttpAuth{}).isEmpty());
}

TEST_CASE("Requests carry auth, the timeout, and no Accept-Encoding of our own", "[http][request]")
{
    ConnectionSettings s = settingsFor("http://127.0.0.1:9090/prefix");
    s.auth.bearerToken = "tok";
    s.auth.headers = {{"X-Scope-OrgID", "t1"}};
    s.timeoutMs = 2500;
    HttpClient client(s);
    const QNetworkRequest r = client.buildRequest("/api/v1/query", QUrlQuery{{"query", "up"}});
    CHECK(r.url().toString() == "http://127.0.0.1:9090/prefix/api/v1/query?query=up");
    CHECK(header(r, "Authorization") == "Bearer tok");
    CHECK(header(r, "X-Scope-OrgID") == "t1");
    CHECK(r.transferTimeout() == 2500);
    // Setting Accept-Encoding ourselves would stop Qt from decoding gzip for us.
    CHECK_FALSE(r.hasRawHeader("Accept-Encoding"));
}

TEST_CASE("Redacted URLs drop credentials, query and fragment", "[http][secrets]")
{
    CHECK(redactedUrl(QUrl("http://user:pw@host:9090/api/v1/query?query=up&token=abc#x")) == "http://host:9090/api/v1/query");
    CHECK(redactedUrl(QUrl("https://host/select/0/prometheus")) == "https://host/select/0/prometheus");
}

TEST_CASE("An unreadable CA file fails every request with a message naming the file", "[http][tls]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    ConnectionSettings s = settingsFor("https://user:hunter2@127.0.0.1:1/");
    s.caFile = dir.filePath("missing-ca.pem");
    s.auth.bearerToken = "tok-secret";
    HttpClient client(s);
    CHECK(client.configurationError().contains("missing-ca.pem"));
    QFuture<HttpResponse> f = client.get("/api/v1/query", QUrlQuery{{"query", "up"}});
    REQUIRE(f.isFinished()); // decided before any I/O: no event loop needed
    const HttpResponse r = f.result();
    CHECK(r.error == ErrorKind::Network);
    CHECK(r.message.contains("missing-ca.pem"));
    CHECK(r.message.contains("https://127.0.0.1:1/api/v1/query"));
    CHECK_FALSE(r.message.contains("hunter2"));
    CHECK_FALSE(r.message.contains("tok-secret"));
    CHECK_FALSE(r.message.contains("query=up"));
}

TEST_CASE("Body descriptions for error messages", "[http][messages]")
{
    CHECK(describeBody("", "text/html") == "an empty body");
    CHECK(describeBody("<html><head><title>\n 503  Service\tUnavailable </title>", "text/html") == "an HTML page: 503 Service Unavailable");
    CHECK(describeBody("<html><body>no title</body></html>", "") == "an HTML page without a title");
    CHECK(describeBody("line one\nline two", "text/plain") == "text: line one");
    CHECK(describeBody(QByteArray(300, 'x'), "text/plain").size() < 180);
    CHECK(describeBody("{\"a\":1}", "application/json") == "7 bytes of JSON");
    CHECK(htmlTitle("<TITLE>A &lt;b&gt; &amp; c</TITLE>") == "A <b> & c");
}

TEST_CASE("Durations, sizes and reason phrases read naturally", "[http][messages]")
{
    CHECK(formatDuration(500) == "500 ms");
    CHECK(formatDuration(10'000) == "10 s");
    CHECK(formatDuration(1'500) == "1.5 s");
    CHECK(formatBytes(12) == "12 bytes");
    CHECK(formatBytes(1536) == "1.5 KiB");
    CHECK(formatBytes(256LL * 1024 * 1024) == "256 MiB");
    CHECK(httpReasonPhrase(502) == "Bad Gateway");
    CHECK(httpReasonPhrase(599).isEmpty());
}
