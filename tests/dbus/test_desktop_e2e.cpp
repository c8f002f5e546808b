// SPDX-License-Identifier: GPL-3.0-or-later
// End to end on the desktop (issue 3): a rule on a real Prometheus 2.42
// scraping the demo fleet fires, the desktop notifier shows it on the
// session bus (a test notification server, as a desktop's would be), the
// user presses Acknowledge on the notification, the alert is acknowledged in
// the Session (and in its database), and when the rule stops breaching the
// notification is closed. The whole app pipeline: Session, AlertEngine,
// AlertPipeline, AlertStore, Router, outbox, the desktop plugin over D-Bus.
#include <catch2/catch.hpp>

#include "notification_server.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

TEST_CASE("End to end: a Prometheus alert reaches the desktop, Acknowledge on it acknowledges, and its end closes it",
          "[dbus][desktop][pipeline][e2e]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")); // run through ctest (dbus-run-session)
    NotificationServer server({QStringLiteral("actions"), QStringLiteral("body")});
    QString error;
    INFO(error.toStdString());
    REQUIRE(server.start(&error));

    TestStack stack;
    const QUrl fleet = stack.startDemoFleet(60.0);
    const QUrl prometheus = stack.startPrometheus({fleet}, 1000);
    // Open the session once Prometheus has the value, so the alert fires on its
    // condition (before that, its no-data policy would raise a "no data" alert).
    QUrl probe = prometheus;
    probe.setPath(QStringLiteral("/api/v1/query"));
    probe.setQuery(QStringLiteral("query=model_quality%7Bmetric%3D%22precision%22%7D"));
    REQUIRE(waitUntil([&] { return httpGet(probe).body.contains("fraud-detector"); }, 30'000));

    QTemporaryDir dir;
    const QByteArray yaml = QStringLiteral(R"(connections:
  prom: { kind: prometheus, url: "%1" }
notifiers:
  desk: { kind: desktop }
routes:
  receiver: desk
  group_by: [alertname, model]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 3s
rules:
  - group: quality
    interval: 1s
    rules:
      - name: PrecisionReported
        query: max by (model) (model_quality{metric="precision", model="fraud-detector"})
        above: 0
        severity: critical
        annotations:
          summary: "precision of {{ $labels.model }} is {{ $value }}"
)").arg(prometheus.toString()).toUtf8();
    Workspace ws = parseWorkspace(yaml, dir.filePath(QStringLiteral("desktop-e2e.yaml")));
    INFO(ws.errorMessages().join(u'\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());

    Session session;
    session.enableAlertPipeline(dir.filePath(QStringLiteral("alerts.db")));
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const QStringList problems = session.open(ws);
    INFO(problems.join(u'\n').toStdString());
    REQUIRE(problems.isEmpty());

    // Fires once Prometheus has scraped the fleet; the desktop shows it with an Acknowledge button.
    REQUIRE(waitUntil([&] { return !server.notifyCalls.isEmpty(); }, 40'000));
    const NotificationServer::NotifyCall shown = server.notifyCalls.first();
    INFO(shown.summary.toStdString() << " / " << shown.body.toStdString());
    CHECK(shown.appName == "Vigil");
    const QString text = shown.summary + QLatin1Char('\n') + shown.body;
    CHECK(text.contains("PrecisionReported"));
    CHECK(text.contains("fraud-detector"));
    REQUIRE(shown.actions.contains("ack"));
    CHECK(shown.hints.value("urgency").toInt() == 2); // critical

    // The user presses Acknowledge on it.
    server.invokeAction(shown.returnedId, QStringLiteral("ack"));
    REQUIRE(waitUntil([&] {
        for (const alerting::AlertRow &row : session.alertRows())
            if (rules::isOpen(row.instance.state) && row.ack)
                return true;
        return false;
    }, 10'000));
    for (const alerting::AlertRow &row : session.alertRows())
        if (row.ack)
            CHECK(row.ack->comment == "acknowledged from the desktop notification");

    // repeat_interval is 3 s: no reminder pops up for an acknowledged alert.
    const qsizetype shownSoFar = server.notifyCalls.size();
    waitUntil([] { return false; }, 5'000);
    for (qsizetype i = shownSoFar; i < server.notifyCalls.size(); ++i)
        CHECK_FALSE(server.notifyCalls[i].actions.contains("ack")); // at most the same one, updated as acknowledged

    // It stops breaching: its notification is closed on the desktop.
    QList<RuleDef> rules = ws.rules;
    rules.first().rule.condition = rules::Condition::above(2.0);
    session.withEngine([&](alerting::AlertEngine &engine) { engine.setRules(rules, QStringLiteral("prom")); });
    REQUIRE(waitUntil([&] {
        return server.closeCalls.contains(shown.returnedId)
            || (!server.notifyCalls.isEmpty() && server.notifyCalls.last().replacesId == shown.returnedId
                && server.notifyCalls.last().summary.contains("resolved", Qt::CaseInsensitive));
    }, 30'000));
}
