// SPDX-License-Identifier: GPL-3.0-or-later
// End to end (issue 3, "Tests that must exist"): a rule on the demo fleet
// fires, Slack (a loopback webhook receiver) gets it, it is acknowledged
// through the Session as the Alerts view does, no reminder follows, and when
// the rule stops breaching (its threshold raised by reloading the rules) the
// resolved notice arrives. The whole app pipeline: Session, AlertEngine,
// AlertPipeline, AlertStore, Router, outbox, the Slack plugin.
#include <catch2/catch.hpp>

#include "session/session.h"
#include "support/slack_receiver.h"
#include "support/test_stack.h"

#include <QSet>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

TEST_CASE("End to end: a demo-fleet alert reaches Slack, is acknowledged, sends no reminder, and its resolve arrives",
          "[plugin][pipeline][e2e]")
{
    SlackWebhookReceiver slack;
    qputenv("VIGIL_SECRET_SLACK_E2E_TEST", slack.url().toUtf8());
    QTemporaryDir dir;
    const QByteArray yaml = R"(connections:
  fleet: { kind: demo }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-e2e-test }
routes:
  receiver: oncall-slack
  group_by: [alertname]
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
)";
    Workspace ws = parseWorkspace(yaml, dir.filePath(QStringLiteral("e2e.yaml")));
    INFO(ws.errorMessages().join(u'\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());

    Session session;
    session.enableAlertPipeline(dir.filePath(QStringLiteral("alerts.db")));
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const QStringList problems = session.open(ws);
    INFO(problems.join(u'\n').toStdString());
    REQUIRE(problems.isEmpty());

    // Fires at its first evaluation; Slack gets one message per group.
    REQUIRE(waitUntil([&] { return !slack.ids().isEmpty(); }, 20'000));
    const QStringList firing = slack.ids();
    for (const QString &id : firing)
        CHECK(id.endsWith(QStringLiteral(":firing")));
    CHECK(slack.arrivals.first().body.value(QStringLiteral("text")).toString().contains(QStringLiteral("PrecisionReported")));

    // Acknowledged as the Alerts view does it: through the Session, by fingerprint.
    REQUIRE(waitUntil([&] { return !session.alertRows().isEmpty(); }, 5'000));
    QStringList fingerprints;
    for (const alerting::AlertRow &row : session.alertRows())
        if (rules::isOpen(row.instance.state))
            fingerprints << row.instance.id.fingerprint;
    REQUIRE(fingerprints.size() == 1); // one series: max by (model)
    REQUIRE(firing.size() == 1);
    for (const QString &fp : fingerprints)
        session.acknowledge(fp, QStringLiteral("looking at it"));
    REQUIRE(waitUntil([&] {
        for (const alerting::AlertRow &row : session.alertRows())
            if (rules::isOpen(row.instance.state) && !row.ack)
                return false;
        return true;
    }, 5'000));

    // repeat_interval is 3 s: an unacknowledged alert would be reminded by now.
    const int before = int(slack.arrivals.size());
    waitUntil([] { return false; }, 5'000);
    CHECK(slack.arrivals.size() == before);
    for (const QString &id : slack.ids())
        CHECK_FALSE(id.endsWith(QStringLiteral(":reminder")));

    // It stops breaching: the threshold is raised above any precision.
    QList<RuleDef> rules = ws.rules;
    rules.first().rule.condition = rules::Condition::above(2.0);
    session.withEngine([&](alerting::AlertEngine &engine) { engine.setRules(rules, QStringLiteral("fleet")); });
    REQUIRE(waitUntil([&] {
        int resolved = 0;
        for (const QString &id : slack.ids())
            resolved += id.endsWith(QStringLiteral(":resolved")) ? 1 : 0;
        return resolved == firing.size();
    }, 20'000));
    // Acked alerts still send their resolved notice, showing who acked.
    const QString text = slack.arrivals.last().body.value(QStringLiteral("text")).toString();
    INFO(text.toStdString());
    CHECK(slack.ids(200).size() == slack.ids().size());
    QSet<QString> unique;
    for (const QString &id : slack.ids())
        unique.insert(id);
    CHECK(unique.size() == slack.ids().size()); // nothing twice
    qunsetenv("VIGIL_SECRET_SLACK_E2E_TEST");
}
