// SPDX-License-Identifier: GPL-3.0-or-later
// The main window and the alert pipeline: a notification that fails for good
// shows in the window's Notifications banner, and a desktop notification's
// Open raises the Alerts view.
#include <catch2/catch.hpp>

#include "main_window.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QLabel>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::test;

TEST_CASE("Main window shows a permanent notification failure in its Notifications banner", "[ui][notify]")
{
    QTemporaryDir dir;
    // No VIGIL_SECRET_UI_TEST_NO_SUCH_WEBHOOK: Slack has no webhook URL, which is permanent.
    const QByteArray yaml = R"(connections:
  fleet: { kind: demo }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: ui-test-no-such-webhook }
routes:
  receiver: oncall-slack
  group_wait: 1s
rules:
  - group: quality
    interval: 1s
    rules:
      - name: PrecisionReported
        query: max by (model) (model_quality{metric="precision", model="fraud-detector"})
        above: 0
)";
    const Workspace ws = parseWorkspace(yaml, dir.filePath(QStringLiteral("notify.yaml")));
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.enableAlertPipeline(dir.filePath(QStringLiteral("alerts.db")));
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const QStringList issues = session.open(ws);
    REQUIRE(issues.size() == 1);
    // Not in the environment; the keychain says why it has none (no secret
    // service in the test's environment, or no such entry).
    CHECK(issues.first().startsWith("notifier 'oncall-slack': secret 'ui-test-no-such-webhook"));
    CHECK(issues.first().contains("set the environment variable VIGIL_SECRET_UI_TEST_NO_SUCH_WEBHOOK"));

    ui::MainWindow window(&session, issues);
    auto *banner = window.findChild<QLabel *>(QStringLiteral("notificationsBanner"));
    REQUIRE(banner);
    REQUIRE(waitUntil([&] { return !banner->isHidden(); }, 20'000));
    CHECK(banner->text().startsWith("Notifications:\n1 notification(s) to 'oncall-slack' could not be delivered "
                                    "and will not be retried: "));

    SECTION("Open from a desktop notification shows the Alerts view")
    {
        CHECK_FALSE(window.alertsVisible()); // "(no dashboards)" is shown first
        Q_EMIT session.openAlertsRequested(QStringLiteral("0123456789abcdef"));
        CHECK(window.alertsVisible());
    }
}
