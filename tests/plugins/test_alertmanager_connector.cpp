// SPDX-License-Identifier: GPL-3.0-or-later
// The Alertmanager connector plugin, loaded as the app loads it, against a real
// Alertmanager 0.25 (acknowledge = a silence of exactly the alert's labels,
// un-acknowledge = expire it) and a misbehaving server; and the Prometheus
// connector's view of a real Prometheus 2.42's own rules, one of them broken.
#include <catch2/catch.hpp>

#include "alertmanager_request.h"
#include "net/http_client.h"
#include "sources/connector.h"
#include "sources/rule_status.h"
#include "sources/server_alerts.h"
#include "support/fault_server.h"
#include "support/test_stack.h"

#include <QDateTime>
#include <QPluginLoader>

using namespace vigil;
using namespace vigil::test;

namespace {

ConnectorPlugin *plugin(const char *file)
{
    static std::map<std::string, std::unique_ptr<QPluginLoader>> loaders;
    auto &loader = loaders[file];
    if (!loader)
        loader = std::make_unique<QPluginLoader>(QStringLiteral(VIGIL_PLUGIN_DIR "/") + QString::fromLatin1(file));
    QObject *instance = loader->instance();
    INFO(loader->errorString().toStdString());
    REQUIRE(instance);
    auto *p = qobject_cast<ConnectorPlugin *>(instance);
    REQUIRE(p);
    return p;
}

struct Connection
{
    std::unique_ptr<Connector> connector;
    ServerAlerts *alerts = nullptr;
};

Connection connectAlertmanager(const QUrl &url, HttpAuth auth = {})
{
    ConnectionSettings s;
    s.name = QStringLiteral("am");
    s.kind = QStringLiteral("alertmanager");
    s.url = url;
    s.auth = std::move(auth);
    s.timeoutMs = 5000;
    Connection c;
    c.connector.reset(plugin("libvigil-alertmanager.so")->createConnector(s, nullptr));
    REQUIRE(c.connector);
    CHECK(c.connector->kind() == "alertmanager");
    CHECK(c.connector->capabilities().testFlag(Capability::ServerAlerts));
    c.alerts = qobject_cast<ServerAlerts *>(c.connector.get());
    REQUIRE(c.alerts);
    return c;
}

ServerAlert makeAlert(Labels labels, const QString &summary)
{
    ServerAlert a;
    a.labels = std::move(labels);
    a.annotations = {{QStringLiteral("summary"), summary}};
    a.generatorUrl = QStringLiteral("http://prometheus.example/graph");
    return a;
}

// POST /api/v2/alerts, as Prometheus would.
void postAlerts(const QUrl &url, const QList<ServerAlert> &alerts)
{
    ConnectionSettings s;
    s.url = url;
    HttpClient http(s);
    const HttpResponse r = await(http.postJson(QStringLiteral("/api/v2/alerts"), alertmanager::postableAlerts(alerts)));
    INFO(r.message.toStdString() << " " << r.body.toStdString());
    REQUIRE(r.ok());
}

const ServerAlert *find(const QList<ServerAlert> &alerts, const QString &alertname)
{
    for (const ServerAlert &a : alerts) {
        if (a.label(QStringLiteral("alertname")) == alertname)
            return &a;
    }
    return nullptr;
}

// The alert's state on the server, waited for until it is `state`.
bool waitForState(ServerAlerts *api, const QString &alertname, ServerAlertState state, ServerAlert *out = nullptr)
{
    return waitUntil([&] {
        const auto r = await(api->alerts());
        const ServerAlert *a = r.ok() ? find(r.value, alertname) : nullptr;
        if (a && out)
            *out = *a;
        return a && a->state == state;
    }, 10'000);
}

} // namespace

TEST_CASE("Alertmanager acknowledge silences exactly the alert and un-acknowledge expires it")
{
    TestStack stack;
    const QUrl url = stack.startAlertmanager();
    Connection c = connectAlertmanager(url);

    const ProbeResult p = await(c.connector->probe());
    INFO(p.message.toStdString());
    REQUIRE(p.ok());
    CHECK(p.version.startsWith("0.25"));
    CHECK(p.message.contains(url.toString()));
    CHECK(p.message.contains("cluster disabled"));

    // One label value holds a quote and a backslash: the silence and the
    // filter must carry it exactly.
    const Labels latency{{"alertname", "HighLatency"}, {"model", "fraud \"v2\" \\ canary"}, {"severity", "page"}};
    const Labels drift{{"alertname", "FeatureDrift"}, {"model", "fraud \"v2\" \\ canary"}, {"severity", "ticket"}};
    postAlerts(url, {makeAlert(latency, "p99 over 250 ms"), makeAlert(drift, "PSI 0.31")});

    ServerAlert alert;
    REQUIRE(waitForState(c.alerts, "HighLatency", ServerAlertState::Active, &alert));
    REQUIRE(waitForState(c.alerts, "FeatureDrift", ServerAlertState::Active));
    CHECK(alert.labels == latency);
    CHECK(alert.annotation("summary") == "p99 over 250 ms");
    CHECK(alert.fingerprint.size() == 16);
    CHECK(alert.receivers == QStringList{"null"});
    CHECK(alert.generatorUrl == "http://prometheus.example/graph");
    CHECK(alert.startsAtMs > QDateTime::currentMSecsSinceEpoch() - 60'000);

    const auto groups = await(c.alerts->alertGroups());
    REQUIRE(groups.ok());
    CHECK(groups.value.size() == 2);
    for (const AlertGroup &g : groups.value) {
        CHECK(g.receiver == "null");
        CHECK(g.alerts.size() == 1);
        CHECK(g.labels.size() == 1); // group_by: [alertname]
    }

    // Acknowledge: a silence of exactly its labels.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto acked = await(acknowledgeServerAlert(c.alerts, c.connector.get(), alert, "ana", "looking at the canary", 3'600'000, now));
    INFO(acked.message.toStdString());
    REQUIRE(acked.ok());
    const QString id = acked.value;
    CHECK(id.size() == 36);

    auto listed = await(c.alerts->silences());
    REQUIRE(listed.ok());
    REQUIRE(listed.value.size() == 1);
    const ServerSilence &s = listed.value.at(0);
    CHECK(s.id == id);
    CHECK(s.state == SilenceState::Active);
    CHECK(s.createdBy == "ana");
    CHECK(s.comment == "looking at the canary");
    CHECK(s.endsAtMs - s.startsAtMs <= 3'600'000);
    CHECK(s.endsAtMs == now + 3'600'000);
    REQUIRE(s.matchers.size() == 3);
    for (const SilenceMatcher &m : s.matchers)
        CHECK(m.op == SilenceMatcher::Op::Equal);
    CHECK(s.matchers.at(1) == SilenceMatcher{"model", "fraud \"v2\" \\ canary", SilenceMatcher::Op::Equal});
    CHECK(ackSilenceMatches(s, alert));

    ServerAlert suppressed;
    REQUIRE(waitForState(c.alerts, "HighLatency", ServerAlertState::Suppressed, &suppressed));
    CHECK(suppressed.silencedBy == QStringList{id});
    // The other alert shares two of the three labels: still active.
    ServerAlert other;
    REQUIRE(waitForState(c.alerts, "FeatureDrift", ServerAlertState::Active, &other));
    CHECK(other.silencedBy.isEmpty());

    // Alertmanager's own matcher parser reads our quoting back: filtering by
    // the silence's matchers finds exactly this alert.
    AlertFilter byAck;
    byAck.matchers = s.matchers;
    const auto filtered = await(c.alerts->alerts(byAck));
    INFO(filtered.message.toStdString());
    REQUIRE(filtered.ok());
    REQUIRE(filtered.value.size() == 1);
    CHECK(filtered.value.at(0).fingerprint == alert.fingerprint);
    AlertFilter notSilenced;
    notSilenced.silenced = false;
    const auto unsilenced = await(c.alerts->alerts(notSilenced));
    REQUIRE(unsilenced.ok());
    REQUIRE(unsilenced.value.size() == 1);
    CHECK(unsilenced.value.at(0).label("alertname") == "FeatureDrift");
    const auto silencesByFilter = await(c.alerts->silences({SilenceMatcher{"alertname", "HighLatency", SilenceMatcher::Op::Equal}}));
    REQUIRE(silencesByFilter.ok());
    CHECK(silencesByFilter.value.size() == 1);

    // Un-acknowledge: the silence is expired and the alert is active again.
    const auto unacked = await(unacknowledgeServerAlert(c.alerts, c.connector.get(), alert));
    INFO(unacked.message.toStdString());
    REQUIRE(unacked.ok());
    CHECK(unacked.value == 1);
    listed = await(c.alerts->silences());
    REQUIRE(listed.ok());
    REQUIRE(listed.value.size() == 1);
    CHECK(listed.value.at(0).state == SilenceState::Expired);
    CHECK(listed.value.at(0).endsAtMs <= QDateTime::currentMSecsSinceEpoch());
    ServerAlert again;
    REQUIRE(waitForState(c.alerts, "HighLatency", ServerAlertState::Active, &again));
    CHECK(again.silencedBy.isEmpty());

    // Nothing left to un-acknowledge; expiring it again still succeeds.
    const auto twice = await(unacknowledgeServerAlert(c.alerts, c.connector.get(), alert));
    REQUIRE(twice.ok());
    CHECK(twice.value == 0);
    CHECK(twice.warnings.join(' ').contains("no acknowledgement silence"));
    CHECK(await(c.alerts->expireSilence(id)).ok());
}

TEST_CASE("Alertmanager refusals arrive with the server's own words")
{
    TestStack stack;
    const QUrl url = stack.startAlertmanager();
    Connection c = connectAlertmanager(url);

    const auto unknown = await(c.alerts->expireSilence("00000000-0000-4000-8000-000000000000"));
    INFO(unknown.message.toStdString());
    CHECK(unknown.error == ErrorKind::Server);
    CHECK(unknown.notFound);
    CHECK(unknown.message.startsWith("expiring silence 00000000-0000-4000-8000-000000000000: "));
    CHECK(unknown.message.contains("silence not found"));
    CHECK(unknown.message.contains(url.toString() + "/api/v2/silence/"));

    ServerSilence bad;
    bad.matchers = {{"model", "(", SilenceMatcher::Op::Regex}};
    bad.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    bad.endsAtMs = bad.startsAtMs + 60'000;
    bad.createdBy = "ana";
    bad.comment = "bad regex";
    const auto refused = await(c.alerts->createSilence(bad));
    INFO(refused.message.toStdString());
    CHECK(refused.error == ErrorKind::Server);
    CHECK(refused.httpStatus == 400);
    CHECK(refused.message.startsWith("creating a silence: Alertmanager refused the request (HTTP 400 Bad Request from "));
    CHECK(refused.message.contains("invalid regular expression"));

    // Refused before it is sent: the server would only say "code 612".
    bad.matchers.clear();
    const auto empty = await(c.alerts->createSilence(bad));
    CHECK(empty.error == ErrorKind::Server);
    CHECK(empty.message == "creating a silence: a silence needs at least one matcher");

    const auto q = await(c.connector->query(QueryRequest{}));
    CHECK(q.error == ErrorKind::Server);
    CHECK(q.message.contains("not time series"));
}

TEST_CASE("Alertmanager connector names the server when nothing or the wrong thing answers")
{
    FaultServer server;
    REQUIRE(server.start());
    const QString base = server.url().toString();
    Connection c = connectAlertmanager(server.url());

    server.setScript(FaultServer::mode(FaultServer::Mode::Refuse));
    auto refused = await(c.alerts->alerts());
    CHECK(refused.error == ErrorKind::Network);
    CHECK(refused.message == QStringLiteral("listing alerts: connection refused by %1/api/v2/alerts").arg(base));
    const ProbeResult probe = await(c.connector->probe());
    CHECK(probe.error == ErrorKind::Network);
    CHECK(probe.message.contains("reading Alertmanager's status"));

    server.setScript(FaultServer::respond(200, "OK", "text/html",
                                          "<html><head><title>Grafana</title></head><body></body></html>"));
    auto html = await(c.alerts->silences());
    CHECK(html.error == ErrorKind::BadResponse);
    CHECK(html.message.startsWith("listing silences: expected JSON from " + base + "/api/v2/silences"));
    CHECK(html.message.contains("HTML page: Grafana"));

    server.setScript(FaultServer::respond(502, "Bad Gateway", "text/html",
                                          "<html><head><title>502 Bad Gateway</title></head></html>"));
    auto gateway = await(c.alerts->alerts());
    CHECK(gateway.error == ErrorKind::Http);
    CHECK(gateway.httpStatus == 502);
    CHECK(gateway.message.contains("HTTP 502 Bad Gateway from " + base));

    server.setScript(FaultServer::respond(401, "Unauthorized", "text/plain", "Unauthorized"));
    HttpAuth auth;
    auth.basicUser = "ana";
    auth.basicPassword = "not-to-be-seen";
    Connection authed = connectAlertmanager(server.url(), auth);
    auto denied = await(authed.alerts->alerts());
    CHECK(denied.error == ErrorKind::Http);
    CHECK(denied.message.contains("not authenticated"));
    CHECK(denied.message.contains("basic auth as \"ana\""));
    CHECK_FALSE(denied.message.contains("not-to-be-seen"));
    REQUIRE_FALSE(server.requests().isEmpty());
    CHECK(server.requests().last().header("Authorization").startsWith("Basic "));

    server.setScript(FaultServer::respond(200, "OK", "application/json", R"({"silenceID":)"));
    ServerSilence s;
    s.matchers = {{"a", "b", SilenceMatcher::Op::Equal}};
    s.startsAtMs = 1000;
    s.endsAtMs = 2000;
    s.createdBy = "ana";
    s.comment = "x";
    auto cut = await(c.alerts->createSilence(s));
    CHECK(cut.error == ErrorKind::BadResponse);
    CHECK(cut.message.contains("truncated"));
    REQUIRE_FALSE(server.requests().isEmpty());
    CHECK(server.requests().last().method == "POST");
    CHECK(server.requests().last().target == "/api/v2/silences");
    CHECK(server.requests().last().header("Content-Type") == "application/json");
}

TEST_CASE("Prometheus connector shows its own broken rule, its firing alert, and what reached Alertmanager")
{
    TestStack stack;
    const QUrl amUrl = stack.startAlertmanager();
    TestStack::PrometheusRules rules;
    rules.alertmanager = amUrl;
    rules.rulesYaml = QStringLiteral(
        "groups:\n"
        "  - name: vigil-test\n"
        "    interval: 1s\n"
        "    rules:\n"
        "      - alert: AlwaysFiring\n"
        "        expr: vector(1) > 0\n"
        "        labels: {severity: page}\n"
        "        annotations: {summary: 'value {{ $value }}'}\n"
        "      - alert: BrokenRule\n"
        // Both sides of `or` end up with the same (empty) label set.
        "        expr: label_replace(vector(1) or label_replace(vector(2), \"a\", \"b\", \"\", \"\"), \"a\", \"\", \"\", \"\")\n"
        "      - record: vigil:broken:sum\n"
        "        expr: vector(1) + on() group_left() (vector(1) or label_replace(vector(1), \"a\", \"b\", \"\", \"\"))\n");
    const QUrl promUrl = stack.startPrometheus({}, 1000, rules);

    ConnectionSettings s;
    s.name = QStringLiteral("prom");
    s.kind = QStringLiteral("prometheus");
    s.url = promUrl;
    std::unique_ptr<Connector> prom(plugin("libvigil-prometheus.so")->createConnector(s, nullptr));
    REQUIRE(prom);
    CHECK(prom->capabilities().testFlag(Capability::RuleStatus));
    auto *status = qobject_cast<RuleStatus *>(prom.get());
    REQUIRE(status);

    // Wait until every rule has been evaluated once.
    Result<QList<RuleGroupInfo>> groups;
    const bool evaluated = waitUntil([&] {
        groups = await(status->ruleGroups());
        if (!groups.ok() || groups.value.size() != 1)
            return false;
        for (const RuleInfo &r : groups.value.at(0).rules) {
            if (r.lastEvaluationMs == 0 || (r.name == "AlwaysFiring" && r.state != "firing"))
                return false;
        }
        return true;
    }, 15'000);
    INFO(groups.message.toStdString() << "\n" << stack.outputOf("prometheus-1").toStdString());
    REQUIRE(evaluated);
    const QList<RuleInfo> &list = groups.value.at(0).rules;
    REQUIRE(list.size() == 3);
    CHECK(list.at(0).health == RuleInfo::Health::Ok);
    CHECK(list.at(0).lastError.isEmpty());
    CHECK(list.at(1).name == "BrokenRule");
    CHECK(list.at(1).health == RuleInfo::Health::Err);
    CHECK(list.at(1).lastError == "vector cannot contain metrics with the same labelset");
    CHECK(list.at(1).state == "inactive");
    CHECK(list.at(2).type == RuleInfo::Type::Recording);
    CHECK(list.at(2).health == RuleInfo::Health::Err);
    CHECK(list.at(2).lastError.contains("many-to-many matching not allowed"));

    const auto alerts = await(status->ruleAlerts());
    REQUIRE(alerts.ok());
    REQUIRE(alerts.value.size() == 1);
    CHECK(alerts.value.at(0).label("alertname") == "AlwaysFiring");
    CHECK(alerts.value.at(0).state == "firing");
    CHECK(alerts.value.at(0).numericValue == 1.0);
    CHECK(alerts.value.at(0).annotations == Labels{{"summary", "value 1"}});

    // Prometheus hands the firing alert to Alertmanager, generatorURL and all.
    Connection am = connectAlertmanager(amUrl);
    ServerAlert received;
    REQUIRE(waitForState(am.alerts, "AlwaysFiring", ServerAlertState::Active, &received));
    CHECK(received.label("severity") == "page");
    CHECK(received.generatorUrl.contains(QString::number(promUrl.port())));
}
