// SPDX-License-Identifier: GPL-3.0-or-later
// Alertmanager's API v2 parser and request builder, the acknowledgement
// silence, and Prometheus' own rules and alerts: against the bodies a real
// Alertmanager 0.25.0 and Prometheus 2.42.0 sent (tests/fixtures/alertmanager)
// and handwritten broken ones.
#include <catch2/catch.hpp>

#include "alertmanager_request.h"
#include "alertmanager_response.h"
#include "prometheus_rules.h"
#include "sources/rule_status.h"
#include "sources/server_alerts.h"
#include "util/rfc3339.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>
#include <cmath>

using namespace vigil;
namespace am = vigil::alertmanager;

namespace {

const QString kDir = QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/alertmanager/");
const QString kWhere = QStringLiteral("http://127.0.0.1:9093/api/v2/alerts");
const QString kJson = QStringLiteral("application/json");

QByteArray fixture(const QString &name)
{
    QFile f(kDir + name);
    INFO(f.fileName().toStdString());
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

qint64 at(const char *text)
{
    const auto ms = parseRfc3339Ms(QString::fromLatin1(text));
    REQUIRE(ms.has_value());
    return *ms;
}

ServerAlert highLatency()
{
    ServerAlert a;
    a.labels = {{"alertname", "HighLatency"}, {"quote", "a\"b\\c"}, {"service", "fraud"}, {"severity", "page"}};
    return a;
}

} // namespace

TEST_CASE("RFC 3339 times with nanoseconds, offsets and Go's zero time")
{
    CHECK(parseRfc3339Ms("2026-11-29T14:43:00.857Z") == 1'795'963'380'857LL);
    // Nanoseconds are truncated to milliseconds, not rounded up.
    CHECK(parseRfc3339Ms("2026-11-29T14:43:18.224676179Z") == 1'795'963'398'224LL);
    CHECK(parseRfc3339Ms("2026-11-29T14:43:18Z") == 1'795'963'398'000LL);
    CHECK(parseRfc3339Ms("2026-11-29T16:43:18.5+02:00") == 1'795'963'398'500LL);
    CHECK(parseRfc3339Ms("2026-11-29T13:43:18-01:00") == 1'795'963'398'000LL);
    CHECK(parseRfc3339Ms("0001-01-01T00:00:00Z") == 0);
    CHECK_FALSE(parseRfc3339Ms("2026-11-29 soon").has_value());
    CHECK_FALSE(parseRfc3339Ms("2026-13-01T00:00:00Z").has_value());
    CHECK_FALSE(parseRfc3339Ms("").has_value());
    CHECK(formatRfc3339Ms(1'795'963'398'224LL) == "2026-11-29T14:43:18.224Z");
}

TEST_CASE("Alertmanager alerts parse as 0.25 sends them")
{
    const auto r = am::parseAlerts(fixture("alerts.json"), 200, kJson, kWhere);
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 2);
    const ServerAlert &a = r.value.at(0);
    CHECK(a.fingerprint == "d295a8504d2e07b5");
    CHECK(a.labels == Labels{{"alertname", "HighLatency"}, {"quote", "a\"b\\c"}, {"service", "fraud"}, {"severity", "page"}});
    CHECK(a.annotation("summary") == "p99 high");
    CHECK(a.state == ServerAlertState::Active);
    CHECK(a.silencedBy.isEmpty());
    CHECK(a.inhibitedBy.isEmpty());
    CHECK(a.receivers == QStringList{"null"});
    CHECK(a.startsAtMs == at("2026-11-29T14:43:00.857Z"));
    CHECK(a.endsAtMs == at("2026-11-29T14:48:00.857Z"));
    CHECK(a.updatedAtMs == a.startsAtMs);
    CHECK(a.generatorUrl == "http://prom/graph?g0.expr=x");
    CHECK(a.displayName() == "HighLatency{quote=\"a\\\"b\\\\c\", service=\"fraud\", severity=\"page\"}");
    const ServerAlert &b = r.value.at(1);
    CHECK(b.label("alertname") == "Other");
    CHECK(b.annotations.isEmpty());
    CHECK(b.generatorUrl.isEmpty());
}

TEST_CASE("Alertmanager suppressed alert names the silence that holds it")
{
    const auto r = am::parseAlerts(fixture("alerts-suppressed.json"), 200, kJson, kWhere);
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 1);
    CHECK(r.value.at(0).state == ServerAlertState::Suppressed);
    CHECK(r.value.at(0).silencedBy == QStringList{"b9d17c44-a595-4e85-bdbd-25ad7f9a387a"});
    CHECK(toString(r.value.at(0).state) == "suppressed");
}

TEST_CASE("Alertmanager alert groups parse with receiver and group labels")
{
    const auto r = am::parseAlertGroups(fixture("groups.json"), 200, kJson, kWhere);
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 2);
    CHECK(r.value.at(0).labels == Labels{{"alertname", "HighLatency"}});
    CHECK(r.value.at(0).receiver == "null");
    REQUIRE(r.value.at(0).alerts.size() == 1);
    CHECK(r.value.at(0).alerts.at(0).fingerprint == "d295a8504d2e07b5");
    CHECK(r.value.at(1).alerts.at(0).label("alertname") == "Other");
}

TEST_CASE("Alertmanager silences parse active and expired with their matchers")
{
    const auto active = am::parseSilences(fixture("silences-active.json"), 200, kJson, kWhere);
    REQUIRE(active.ok());
    REQUIRE(active.value.size() == 1);
    const ServerSilence &s = active.value.at(0);
    CHECK(s.id == "b9d17c44-a595-4e85-bdbd-25ad7f9a387a");
    CHECK(s.state == SilenceState::Active);
    CHECK(s.createdBy == "ana");
    CHECK(s.comment == "ack");
    CHECK(s.startsAtMs == at("2026-11-29T14:43:07.705Z"));
    CHECK(s.endsAtMs == at("2026-11-29T16:00:00.000Z"));
    REQUIRE(s.matchers.size() == 4);
    CHECK(s.matchers.at(1) == SilenceMatcher{"quote", "a\"b\\c", SilenceMatcher::Op::Equal});
    // It is exactly the acknowledgement of the alert it holds.
    CHECK(ackSilenceMatches(s, highLatency()));
    CHECK(ackSilenceIds(active.value, highLatency()) == QStringList{s.id});

    const auto expired = am::parseSilences(fixture("silences.json"), 200, kJson, kWhere);
    REQUIRE(expired.ok());
    REQUIRE(expired.value.size() == 1);
    CHECK(expired.value.at(0).state == SilenceState::Expired);
    CHECK(expired.value.at(0).endsAtMs == at("2026-11-29T14:43:11.193Z"));
    // An expired acknowledgement is nothing to un-acknowledge.
    CHECK(ackSilenceIds(expired.value, highLatency()).isEmpty());

    // The four operators, and a server before 0.22 that sends no isEqual.
    const QByteArray ops = R"([{"id":"x","status":{"state":"pending"},"matchers":[
        {"name":"a","value":"1","isRegex":false,"isEqual":false},
        {"name":"b","value":"f.*","isRegex":true,"isEqual":true},
        {"name":"c","value":"g.*","isRegex":true,"isEqual":false},
        {"name":"d","value":"2","isRegex":false}]}])";
    const auto parsed = am::parseSilences(ops, 200, kJson, kWhere);
    REQUIRE(parsed.ok());
    const auto &m = parsed.value.at(0).matchers;
    REQUIRE(m.size() == 4);
    CHECK(m.at(0).op == SilenceMatcher::Op::NotEqual);
    CHECK(m.at(1).op == SilenceMatcher::Op::Regex);
    CHECK(m.at(2).op == SilenceMatcher::Op::NotRegex);
    CHECK(m.at(3).op == SilenceMatcher::Op::Equal);
    CHECK(parsed.value.at(0).state == SilenceState::Pending);
}

TEST_CASE("Alertmanager create and expire answers")
{
    const auto created = am::parseCreateSilence(R"({"silenceID":"b9d17c44-a595-4e85-bdbd-25ad7f9a387a"})", 200, kJson, kWhere);
    REQUIRE(created.ok());
    CHECK(created.value == "b9d17c44-a595-4e85-bdbd-25ad7f9a387a");
    const auto noId = am::parseCreateSilence(R"({"id":"x"})", 200, kJson, kWhere);
    CHECK(noId.error == ErrorKind::BadResponse);
    CHECK(noId.message.contains("silenceID"));

    // DELETE answers 200 with no body and no Content-Type.
    const auto expired = am::parseExpireSilence("", 200, QString(), kWhere);
    REQUIRE(expired.ok());
    CHECK(expired.value);
    const auto proxyPage = am::parseExpireSilence("<html><title>Sign in</title></html>", 200, "text/html", kWhere);
    CHECK(proxyPage.error == ErrorKind::BadResponse);
    CHECK(proxyPage.message.contains("Sign in"));
}

TEST_CASE("Alertmanager error bodies become messages with the server's own text")
{
    struct Case
    {
        const char *body;
        int status;
        ErrorKind kind;
        const char *text;
        const char *code;
        bool notFound;
    };
    // As recorded from 0.25.0 (tests/fixtures/alertmanager/README.md).
    const Case cases[] = {
        {R"("silence not found")", 500, ErrorKind::Server, "silence not found", "", true},
        {R"("silence not found")", 404, ErrorKind::Server, "silence not found", "", true},
        {R"({"code":612,"message":"matchers in body should have at least 1 items"})", 422, ErrorKind::Server,
         "matchers in body should have at least 1 items", "612", false},
        {R"({"code":602,"message":"createdBy in body is required"})", 422, ErrorKind::Server,
         "createdBy in body is required", "602", false},
        {R"("silence invalid: invalid label matcher 0: invalid regular expression \"(\"")", 400, ErrorKind::Server,
         "invalid regular expression \"(\"", "", false},
        {R"({"code":404,"message":"path /api/v2/nope was not found"})", 404, ErrorKind::Server,
         "path /api/v2/nope was not found", "404", true},
        {R"("bad matcher format: foo")", 400, ErrorKind::Server, "bad matcher format: foo", "", false},
        // Not Alertmanager's: a proxy's page and a body without a message.
        {"<html><head><title>502 Bad Gateway</title></head></html>", 502, ErrorKind::Http, "502 Bad Gateway", "", false},
        {R"({"code":1})", 503, ErrorKind::Http, "HTTP 503", "", false},
        {"", 504, ErrorKind::Http, "HTTP 504", "", false},
    };
    int checked = 0;
    for (const Case &c : cases) {
        INFO(c.body << " (HTTP " << c.status << ")");
        const auto r = am::parseAlerts(QByteArray(c.body), c.status, kJson, kWhere);
        CHECK(r.error == c.kind);
        CHECK(r.httpStatus == c.status);
        CHECK(r.message.contains(QString::fromUtf8(c.text)));
        CHECK(r.message.contains(kWhere));
        CHECK(r.errorCode == QString::fromLatin1(c.code));
        CHECK(r.notFound == c.notFound);
        ++checked;
    }
    CHECK(checked == 10);
}

TEST_CASE("Alertmanager parser refuses malformed JSON, wrong shapes and HTML pages")
{
    struct Case
    {
        const char *body;
        const char *contentType;
        const char *expected;
    };
    const Case cases[] = {
        {R"([{"labels":{"a":"b"})", "application/json", "truncated"},
        {R"([{"labels":{"a" "b"}}])", "application/json", "not valid JSON"},
        {R"({"alerts":[]})", "application/json", "alerts is not an array (got an object)"},
        {R"([{"labels":{"a":1},"status":{"state":"active"}}])", "application/json", "alerts[0].labels.a is not a string"},
        {R"([{"annotations":{},"status":{"state":"active"}}])", "application/json", "alerts[0].labels is not an object"},
        {R"([{"labels":{"a":"b"},"status":"active"}])", "application/json", "alerts[0].status is not an object"},
        {R"([{"labels":{"a":"b"},"status":{"state":"active","silencedBy":"x"}}])", "application/json",
         "alerts[0].status.silencedBy is not an array"},
        {R"([{"labels":{"a":"b"},"startsAt":"yesterday","status":{"state":"active"}}])", "application/json",
         "alerts[0].startsAt is not an RFC 3339 time"},
        {"<!DOCTYPE html><html><head><title>Alertmanager</title></head></html>", "text/html; charset=utf-8",
         "HTML page: Alertmanager"},
        {"", "application/json", "empty answer"},
    };
    int checked = 0;
    for (const Case &c : cases) {
        INFO(c.body);
        const auto r = am::parseAlerts(QByteArray(c.body), 200, QString::fromLatin1(c.contentType), kWhere);
        CHECK(r.error == ErrorKind::BadResponse);
        CHECK(r.message.contains(QString::fromUtf8(c.expected)));
        CHECK(r.message.contains(kWhere));
        CHECK(r.value.isEmpty());
        ++checked;
    }
    CHECK(checked == 10);
    // The other listings check their shapes too.
    CHECK(am::parseSilences(R"([{"status":{"state":"active"},"matchers":[]}])", 200, kJson, kWhere).message
              .contains("silences[0].id is not a string"));
    CHECK(am::parseSilences(R"([{"id":"x","status":{},"matchers":{}}])", 200, kJson, kWhere).message
              .contains("silences[0].matchers is not an array"));
    CHECK(am::parseAlertGroups(R"([{"labels":{},"receiver":"null","alerts":[]}])", 200, kJson, kWhere).message
              .contains("groups[0].receiver is not an object"));
    CHECK(am::parseStatus(R"({"versionInfo":{"version":"0.25.0"},"cluster":{"status":"disabled"},"uptime":"2026-11-29T14:42:58.843Z"})",
                          200, kJson, kWhere).value.version == "0.25.0");
}

TEST_CASE("Alertmanager: bytes that are not UTF-8 in a label value become U+FFFD with a warning, the rest kept")
{
    // Alertmanager checks UTF-8 itself, but a proxy in front may not: one bad
    // label value must not hide every alert. 0xFF, then a lone continuation byte.
    const QByteArray body = QByteArray(R"([{"labels":{"alertname":"Drift","model":"fr)") + "\xff" + "aud" + "\x80"
        + R"("},"status":{"state":"active"}},{"labels":{"alertname":"Ok"},"status":{"state":"active"}}])";
    const auto r = am::parseAlerts(body, 200, kJson, kWhere);
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 2);
    CHECK(r.value.at(0).label("model") == QStringLiteral("fr\uFFFDaud\uFFFD"));
    CHECK(r.value.at(1).label("alertname") == "Ok");
    REQUIRE(r.warnings.size() == 1);
    // The offset is the body's own, not that of the array the parser wraps it in.
    CHECK(r.warnings.at(0) == QStringLiteral("the answer from %1 held bytes that are not UTF-8 (the first at byte %2); "
                                             "they are shown as \uFFFD").arg(kWhere).arg(body.indexOf('\xff')));
    // Valid UTF-8 brings no warning, and JSON broken in another way still fails.
    CHECK(am::parseAlerts(fixture("alerts.json"), 200, kJson, kWhere).warnings.isEmpty());
    const auto broken = am::parseAlerts(body.left(body.size() - 3), 200, kJson, kWhere);
    CHECK(broken.error == ErrorKind::BadResponse);
    CHECK(broken.message.contains("truncated"));
}

TEST_CASE("Alertmanager requests carry filters and flags encoded for Go")
{
    AlertFilter filter;
    filter.matchers = {{"service", "fraud+v2", SilenceMatcher::Op::Equal}, {"quote", "a\"b", SilenceMatcher::Op::Regex}};
    filter.silenced = false;
    const am::ApiRequest r = am::buildAlertsRequest(filter);
    CHECK(r.method == am::ApiRequest::Method::Get);
    CHECK(r.path == "/api/v2/alerts");
    const QString q = r.query.toString(QUrl::FullyEncoded);
    // '+' stays a plus (a bare one is a space to Go), '"' and '=' are encoded.
    CHECK(q.contains("filter=service%3D%22fraud%2Bv2%22"));
    CHECK(q.contains("filter=quote%3D~%22a%5C%22b%22"));
    CHECK(q.contains("silenced=false"));
    CHECK(q.contains("active=true"));
    CHECK(q.contains("unprocessed=true"));
    CHECK(r.query.allQueryItemValues("filter", QUrl::FullyDecoded) == QStringList{"service=\"fraud+v2\"", "quote=~\"a\\\"b\""});

    const am::ApiRequest groups = am::buildAlertGroupsRequest(filter);
    CHECK(groups.path == "/api/v2/alerts/groups");
    CHECK_FALSE(groups.query.hasQueryItem("unprocessed")); // /alerts/groups has no such parameter
    CHECK(am::buildSilencesRequest().path == "/api/v2/silences");
    CHECK(am::buildStatusRequest().path == "/api/v2/status");

    const am::ApiRequest expire = am::buildExpireSilenceRequest("b9d17c44-a595-4e85-bdbd-25ad7f9a387a");
    CHECK(expire.method == am::ApiRequest::Method::Delete);
    CHECK(expire.path == "/api/v2/silence/b9d17c44-a595-4e85-bdbd-25ad7f9a387a");
    const am::ApiRequest sneaky = am::buildExpireSilenceRequest("../alerts");
    CHECK_FALSE(sneaky.ok());
    CHECK(sneaky.error.contains("not a silence id"));
}

TEST_CASE("Alertmanager silences the server would refuse are refused with a reason first")
{
    ServerSilence s;
    s.matchers = {{"service", "fraud", SilenceMatcher::Op::Equal}, {"env", "prod|staging", SilenceMatcher::Op::Regex}};
    s.startsAtMs = at("2026-11-29T14:00:00Z");
    s.endsAtMs = at("2026-11-29T16:00:00Z");
    s.createdBy = "ana";
    s.comment = "deploy";
    const am::ApiRequest ok = am::buildCreateSilenceRequest(s);
    REQUIRE(ok.ok());
    CHECK(ok.method == am::ApiRequest::Method::PostJson);
    CHECK(ok.path == "/api/v2/silences");
    const QJsonObject body = ok.body.object();
    CHECK(body.value("startsAt").toString() == "2026-11-29T14:00:00.000Z");
    CHECK(body.value("endsAt").toString() == "2026-11-29T16:00:00.000Z");
    CHECK(body.value("createdBy").toString() == "ana");
    CHECK_FALSE(body.contains("id"));
    const QJsonObject m1 = body.value("matchers").toArray().at(1).toObject();
    CHECK(m1.value("name").toString() == "env");
    CHECK(m1.value("isRegex").toBool());
    CHECK(m1.value("isEqual").toBool());

    struct Case
    {
        std::function<void(ServerSilence &)> spoil;
        const char *reason;
    };
    const Case cases[] = {
        {[](ServerSilence &x) { x.matchers.clear(); }, "at least one matcher"},
        {[](ServerSilence &x) { x.matchers[0].name.clear(); }, "matcher 1 of the silence has no label name"},
        {[](ServerSilence &x) {
             x.matchers = {{"a", "", SilenceMatcher::Op::Equal}, {"b", ".*", SilenceMatcher::Op::Regex},
                           {"c", "x", SilenceMatcher::Op::NotEqual}};
         },
         "also matches a missing label"},
        {[](ServerSilence &x) { x.createdBy = "  "; }, "author"},
        {[](ServerSilence &x) { x.comment.clear(); }, "comment"},
        {[](ServerSilence &x) { x.endsAtMs = x.startsAtMs; }, "ends"},
    };
    int checked = 0;
    for (const Case &c : cases) {
        ServerSilence bad = s;
        c.spoil(bad);
        const am::ApiRequest r = am::buildCreateSilenceRequest(bad);
        INFO(c.reason);
        CHECK_FALSE(r.ok());
        CHECK(r.error.contains(QString::fromLatin1(c.reason)));
        ++checked;
    }
    CHECK(checked == 6);
    s.id = "b9d17c44-a595-4e85-bdbd-25ad7f9a387a";
    CHECK(am::buildCreateSilenceRequest(s).body.object().value("id").toString() == s.id);
}

TEST_CASE("Matcher text quotes values as Alertmanager's parser reads them")
{
    CHECK(SilenceMatcher{"a", "plain", SilenceMatcher::Op::Equal}.toString() == "a=\"plain\"");
    CHECK(SilenceMatcher{"a", "x\"y", SilenceMatcher::Op::NotEqual}.toString() == "a!=\"x\\\"y\"");
    CHECK(SilenceMatcher{"a", "c:\\tmp", SilenceMatcher::Op::Regex}.toString() == "a=~\"c:\\\\tmp\"");
    CHECK(SilenceMatcher{"a", "two\nlines", SilenceMatcher::Op::NotRegex}.toString() == "a!~\"two\\nlines\"");
    CHECK(SilenceMatcher::opFrom(true, false) == SilenceMatcher::Op::NotRegex);
    CHECK(SilenceMatcher::opFrom(false, true) == SilenceMatcher::Op::Equal);
}

TEST_CASE("Acknowledging a server alert builds the silence of exactly its labels")
{
    ServerAlert alert = highLatency();
    alert.labels.prepend(Label{"zone", "eu-1"}); // out of order on purpose
    const qint64 now = at("2026-11-29T14:50:00Z");
    QString why;
    const auto s = ackSilenceFor(alert, " ana ", "", 2 * 3'600'000LL, now, &why);
    REQUIRE(s.has_value());
    CHECK(why.isEmpty());
    REQUIRE(s->matchers.size() == 5);
    QStringList text;
    for (const SilenceMatcher &m : s->matchers) {
        CHECK(m.op == SilenceMatcher::Op::Equal);
        text << m.toString();
    }
    CHECK(text == QStringList{"alertname=\"HighLatency\"", "quote=\"a\\\"b\\\\c\"", "service=\"fraud\"",
                              "severity=\"page\"", "zone=\"eu-1\""});
    CHECK(s->matchers.at(1).value == "a\"b\\c"); // the JSON carries the value itself
    CHECK(s->startsAtMs == now);
    CHECK(s->endsAtMs == now + 2 * 3'600'000LL);
    CHECK(s->createdBy == "ana");
    CHECK(s->comment == "Acknowledged in Vigil");
    CHECK(s->id.isEmpty());
    CHECK(am::buildCreateSilenceRequest(*s).ok());
    CHECK(ackSilenceMatches(*s, alert));

    // Anything wider, narrower or different is not its acknowledgement.
    ServerSilence wider = *s;
    wider.matchers.removeLast();
    CHECK_FALSE(ackSilenceMatches(wider, alert));
    ServerSilence regex = *s;
    regex.matchers[0].op = SilenceMatcher::Op::Regex;
    CHECK_FALSE(ackSilenceMatches(regex, alert));
    ServerSilence other = *s;
    other.matchers[2].value = "search";
    CHECK_FALSE(ackSilenceMatches(other, alert));
    ServerSilence doubled = *s;
    doubled.matchers[4] = doubled.matchers[3];
    CHECK_FALSE(ackSilenceMatches(doubled, alert));
    ServerAlert more = alert;
    more.labels.append(Label{"pod", "p-1"});
    CHECK_FALSE(ackSilenceMatches(*s, more));

    ServerSilence active = *s;
    active.id = "1";
    active.state = SilenceState::Active;
    ServerSilence done = *s;
    done.id = "2";
    done.state = SilenceState::Expired;
    ServerSilence pending = *s;
    pending.id = "3";
    pending.state = SilenceState::Pending;
    CHECK(ackSilenceIds({active, done, pending, wider}, alert) == QStringList{"1", "3"});

    CHECK_FALSE(ackSilenceFor(ServerAlert{}, "ana", "x", 60'000, now, &why));
    CHECK(why.contains("no labels"));
    CHECK_FALSE(ackSilenceFor(alert, "", "x", 60'000, now, &why));
    CHECK(why.contains("author"));
    CHECK_FALSE(ackSilenceFor(alert, "ana", "x", 0, now, &why));
    CHECK(why.contains("duration"));
    CHECK(ackSilenceFor(alert, "ana", "on it", 60'000, now)->comment == "on it");
}

TEST_CASE("Prometheus rules show a rule broken on the server with its error")
{
    const auto r = prometheus::parseRulesResponse(fixture("prometheus-rules.json"), 200, kJson,
                                                  "http://127.0.0.1:9090/api/v1/rules");
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 1);
    const RuleGroupInfo &g = r.value.at(0);
    CHECK(g.name == "vigil-test");
    CHECK(g.file == "rules.yml");
    CHECK(g.intervalS == 1.0);
    REQUIRE(g.rules.size() == 3);

    const RuleInfo &firing = g.rules.at(0);
    CHECK(firing.type == RuleInfo::Type::Alerting);
    CHECK(firing.name == "AlwaysFiring");
    CHECK(firing.health == RuleInfo::Health::Ok);
    CHECK(firing.state == "firing");
    CHECK(firing.lastError.isEmpty());
    CHECK(firing.query == "vector(1) > 0");
    CHECK(firing.labels == Labels{{"severity", "page"}});
    CHECK(firing.evaluationTimeS > 0.0);
    CHECK(firing.lastEvaluationMs == at("2026-11-29T14:43:41.225Z")); // .225046076: truncated
    REQUIRE(firing.alerts.size() == 1);
    CHECK(firing.alerts.at(0).numericValue == 1.0);
    CHECK(firing.alerts.at(0).activeAtMs == at("2026-11-29T14:43:18.224Z"));

    const RuleInfo &broken = g.rules.at(1);
    CHECK(broken.name == "BrokenRule");
    CHECK(broken.health == RuleInfo::Health::Err);
    CHECK(toString(broken.health) == "err");
    CHECK(broken.lastError == "vector cannot contain metrics with the same labelset");
    CHECK(broken.alerts.isEmpty());

    const RuleInfo &recording = g.rules.at(2);
    CHECK(recording.type == RuleInfo::Type::Recording);
    CHECK(recording.health == RuleInfo::Health::Err);
    CHECK(recording.lastError.contains("many-to-many matching not allowed"));
    CHECK(recording.state.isEmpty());
}

TEST_CASE("Prometheus alerts endpoint lists the firing alert")
{
    const auto r = prometheus::parseAlertsResponse(fixture("prometheus-alerts.json"), 200, kJson);
    REQUIRE(r.ok());
    REQUIRE(r.value.size() == 1);
    const RuleAlert &a = r.value.at(0);
    CHECK(a.label("alertname") == "AlwaysFiring");
    CHECK(a.state == "firing");
    CHECK(a.value == "1e+00");
    CHECK(a.numericValue == 1.0);
    CHECK(a.annotations == Labels{{"summary", "always 1"}});

    const auto weird = prometheus::parseAlertsResponse(R"({"status":"success","data":{"alerts":[{"labels":{},"value":"NaN"}]}})", 200, kJson);
    REQUIRE(weird.ok());
    CHECK(std::isnan(weird.value.at(0).numericValue));
}

TEST_CASE("Prometheus rules and alerts parsers refuse wrong shapes and errors")
{
    const QString where = "http://127.0.0.1:9090/api/v1/rules";
    CHECK(prometheus::parseRulesResponse(R"({"status":"success","data":{"groups":{}}})", 200, kJson, where).message
              .contains("data.groups is not an array"));
    CHECK(prometheus::parseRulesResponse(R"({"status":"success","data":{"groups":[{"name":"g","rules":[{"name":"r","type":"odd"}]}]}})",
                                         200, kJson, where).message.contains("data.groups[0].rules[0].type is \"odd\""));
    CHECK(prometheus::parseRulesResponse(R"({"status":"success","data":{"groups":[{"name":"g","rules":[{"type":"alerting","health":"ok","lastEvaluation":"now"}]}]}})",
                                         200, kJson, where).message.contains("lastEvaluation is not an RFC 3339 time"));
    CHECK(prometheus::parseAlertsResponse(R"({"status":"success","data":{"alerts":[{"labels":{"a":2}}]}})", 200, kJson, where)
              .message.contains("data.alerts[0].labels.a is not a string"));
    const auto html = prometheus::parseRulesResponse("<html><title>Login</title></html>", 200, "text/html", where);
    CHECK(html.error == ErrorKind::BadResponse);
    CHECK(html.message.contains("Login"));
    const auto server = prometheus::parseRulesResponse(R"({"status":"error","errorType":"bad_data","error":"unsupported type"})",
                                                       400, kJson, where);
    CHECK(server.error == ErrorKind::Server);
    CHECK(server.message.contains("unsupported type"));
    CHECK(prometheus::parseRulesResponse(R"({"status":"success","data":{"groups":[]}})", 200, kJson, where).ok());
}
