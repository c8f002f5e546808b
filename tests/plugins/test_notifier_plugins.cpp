// SPDX-License-Identifier: GPL-3.0-or-later
// The notifier plugins as the app loads them: found by the PluginRegistry
// beside the connectors, created by kind from a workspace definition, with
// the secret handed over under the key the plugin's plugin.json declares.
#include <catch2/catch.hpp>

#include "alerting/alert_pipeline.h"
#include "sources/plugin_registry.h"

#include <memory>

using namespace vigil;

TEST_CASE("Plugin registry loads the Slack and desktop notifier plugins beside the connectors", "[plugin][notify]")
{
    PluginRegistry registry;
    registry.load({QStringLiteral(VIGIL_PLUGIN_DIR)});
    QStringList kinds;
    for (const PluginInfo &p : registry.notifiers())
        kinds << p.kind;
    kinds.sort();
    CHECK(kinds.contains("slack"));
    CHECK(kinds.contains("desktop"));
    REQUIRE(registry.notifierInfo("slack"));
    CHECK(registry.notifierInfo("slack")->delivery.value("messages_per_second").toDouble() == 1.0);
    QStringList connectorKinds;
    for (const PluginInfo &p : registry.connectors())
        connectorKinds << p.kind;
    CHECK_FALSE(connectorKinds.contains("slack")); // each interface has its own kinds
    CHECK(registry.failures().isEmpty());

    NotifierSettings s;
    s.name = "x";
    s.kind = "pager-duty";
    QString error;
    CHECK(registry.createNotifier(s, nullptr, &error) == nullptr);
    CHECK(error.startsWith("no plugin provides notifiers of kind 'pager-duty' (available: "));
}

TEST_CASE("A workspace's Slack notifier gets its webhook secret as webhook_url and typed options", "[plugin][notify]")
{
    PluginRegistry registry;
    registry.load({QStringLiteral(VIGIL_PLUGIN_DIR)});
    NotifierDef def;
    def.name = "oncall-slack";
    def.kind = "slack";
    def.secrets.insert("webhook", "slack-oncall");
    def.options.insert("timeout_ms", "2500");
    QStringList errors;
    QString asked;
    const NotifierSettings s = alerting::notifierSettingsFor(def, registry.notifierInfo("slack"),
        [&](const QString &name, QString *) { asked = name; return QStringLiteral("https://hooks.slack.com/services/T/B/x"); },
        &errors);
    CHECK(errors.isEmpty());
    CHECK(asked == "slack-oncall");
    CHECK(s.secrets.value("webhook_url") == "https://hooks.slack.com/services/T/B/x");
    CHECK(s.options.value("webhook_secret").toString() == "slack-oncall");
    CHECK(s.options.value("timeout_ms").toInt() == 2500);
    QString error;
    std::unique_ptr<Notifier> n(registry.createNotifier(s, nullptr, &error));
    REQUIRE(n);
    CHECK(n->kind() == "slack");
    CHECK(n->settings().name == "oncall-slack");

    SECTION("a missing secret is reported with the notifier's name")
    {
        QStringList missing;
        alerting::notifierSettingsFor(def, registry.notifierInfo("slack"),
            [](const QString &name, QString *e) { *e = QStringLiteral("secret '%1' not found").arg(name); return QString(); },
            &missing);
        CHECK(missing == QStringList{"notifier 'oncall-slack': secret 'slack-oncall' not found"});
    }
}
