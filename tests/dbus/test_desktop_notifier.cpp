// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop notifier plugin, loaded as the app loads it, against a test
// notification server on a private session bus (this binary runs under
// dbus-run-session; see tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include "notification_server.h"
#include "notify/notifier.h"
#include "support/test_stack.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QJsonObject>
#include <QPluginLoader>
#include <QSignalSpy>
#include <memory>

using namespace vigil;
using namespace vigil::test;

namespace {

QPluginLoader &pluginLoader()
{
    static QPluginLoader loader(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-desktop.so"));
    return loader;
}

std::unique_ptr<Notifier> makeNotifier(QJsonObject options = {})
{
    QObject *instance = pluginLoader().instance();
    INFO(pluginLoader().errorString().toStdString());
    REQUIRE(instance);
    auto *plugin = qobject_cast<NotifierPlugin *>(instance);
    REQUIRE(plugin);
    NotifierSettings s;
    s.name = QStringLiteral("desktop");
    s.kind = QStringLiteral("desktop");
    s.options = std::move(options);
    std::unique_ptr<Notifier> n(plugin->createNotifier(s, nullptr));
    REQUIRE(n);
    return n;
}

// A server with the given capabilities, on the bus for the rest of the test case.
std::unique_ptr<NotificationServer> startServer(const QStringList &capabilities)
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")); // run through ctest (dbus-run-session)
    auto server = std::make_unique<NotificationServer>(capabilities);
    QString error;
    INFO(error.toStdString());
    REQUIRE(server->start(&error));
    return server;
}

const QStringList kFullCapabilities{QStringLiteral("actions"), QStringLiteral("body")};

Notification alert(const QString &fingerprint, const QString &severity = QStringLiteral("critical"),
                   Notification::Kind kind = Notification::Kind::Firing, int seq = 1)
{
    Notification n;
    n.fingerprint = fingerprint;
    n.id = fingerprint + QLatin1Char('-') + QString::number(seq);
    n.kind = kind;
    n.rule = QStringLiteral("HighP99Latency");
    n.severity = severity;
    n.summary = QStringLiteral("p99 latency of fraud-detector is 312 ms");
    n.labels = {{QStringLiteral("model"), QStringLiteral("fraud-detector")}, {QStringLiteral("version"), QStringLiteral("3")}};
    n.value = 0.312;
    n.condition = QStringLiteral("above 0.25 (recovers below 0.20)");
    return n;
}

DeliveryResult deliver(Notifier &notifier, const QList<Notification> &batch)
{
    return await(notifier.deliver(batch));
}

void requireDelivered(const DeliveryResult &r)
{
    INFO(r.reason.toStdString());
    REQUIRE(r.outcome == DeliveryResult::Outcome::Delivered);
}

} // namespace

TEST_CASE("Desktop: plugin.json names the kind desktop", "[desktop]")
{
    const QJsonObject meta = pluginLoader().metaData().value(QStringLiteral("MetaData")).toObject();
    CHECK(meta.value(QStringLiteral("kind")).toString() == QStringLiteral("desktop"));
    auto notifier = makeNotifier();
    CHECK(notifier->kind() == QStringLiteral("desktop"));
}

TEST_CASE("Desktop: a firing alert is one Notify with the app name, text, urgency hint, actions and expiry", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"))}));

    REQUIRE(server->notifyCalls.size() == 1);
    const auto &call = server->notifyCalls.front();
    CHECK(call.appName == QStringLiteral("Vigil"));
    CHECK(call.replacesId == 0);
    CHECK(call.appIcon == QStringLiteral("vigil"));
    CHECK(call.summary == QStringLiteral("Critical · HighP99Latency"));
    CHECK(call.body.startsWith(QStringLiteral("p99 latency of fraud-detector is 312 ms\n")));
    CHECK(call.body.contains(QStringLiteral("Value 0.312, above 0.25 (recovers below 0.20)")));
    CHECK(call.body.contains(QStringLiteral("model=fraud-detector, version=3")));
    CHECK(call.hints.value(QStringLiteral("urgency")).userType() == QMetaType::UChar);
    CHECK(call.hints.value(QStringLiteral("urgency")).value<uchar>() == 2);
    CHECK(call.hints.value(QStringLiteral("desktop-entry")).toString() == QStringLiteral("vigil"));
    CHECK(call.hints.value(QStringLiteral("category")).toString() == QStringLiteral("x-vigil.alert"));
    CHECK(call.actions
          == QStringList{QStringLiteral("default"), QStringLiteral("Open"), QStringLiteral("ack"),
                         QStringLiteral("Acknowledge"), QStringLiteral("snooze-15m"), QStringLiteral("Snooze 15 min")});
    CHECK(call.expireTimeout == 0); // critical never expires
}

TEST_CASE("Desktop: urgency and expiry follow the severity", "[desktop]")
{
    struct Row
    {
        const char *severity;
        uchar urgency;
        int expireTimeout;
    };
    const Row table[] = {
        {"info", 0, -1},
        {"warning", 1, -1},
        {"critical", 2, 0},
        {"page", 2, 0},
    };
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();
    QList<Notification> batch;
    for (const Row &row : table)
        batch << alert(QStringLiteral("fp-%1").arg(QLatin1String(row.severity)), QString::fromLatin1(row.severity));
    requireDelivered(deliver(*notifier, batch));

    REQUIRE(server->notifyCalls.size() == 4);
    for (int i = 0; i < 4; ++i) {
        INFO(table[i].severity);
        CHECK(server->notifyCalls[i].hints.value(QStringLiteral("urgency")).value<uchar>() == table[i].urgency);
        CHECK(server->notifyCalls[i].expireTimeout == table[i].expireTimeout);
    }
    CHECK(server->capabilityCalls == 1); // asked once, cached
}

TEST_CASE("Desktop: a state change of the same alert replaces its notification in place", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("warning"))}));
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Reopened, 2)}));
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp2"))}));

    REQUIRE(server->notifyCalls.size() == 3);
    const uint first = server->notifyCalls[0].returnedId;
    CHECK(server->notifyCalls[0].replacesId == 0);
    CHECK(server->notifyCalls[1].replacesId == first);
    CHECK(server->notifyCalls[1].returnedId == first);
    CHECK(server->notifyCalls[1].summary == QStringLiteral("Re-opened: Critical · HighP99Latency"));
    CHECK(server->notifyCalls[2].replacesId == 0); // another alert, another notification
    CHECK(server->notifyCalls[2].returnedId != first);
    CHECK(server->capabilityCalls == 1);
}

TEST_CASE("Desktop: a resolved alert closes its notification", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"))}));
    const uint shown = server->notifyCalls.front().returnedId;
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Resolved, 2)}));

    CHECK(server->closeCalls == QList<uint>{shown});
    CHECK(server->notifyCalls.size() == 1); // closed, not replaced by a "resolved" bubble

    // The alert fires again: a new notification, not a replacement of the closed one.
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Firing, 3)}));
    REQUIRE(server->notifyCalls.size() == 2);
    CHECK(server->notifyCalls[1].replacesId == 0);
}

TEST_CASE("Desktop: a resolved alert whose notification was dismissed sends nothing", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"))}));
    server->dismiss(server->notifyCalls.front().returnedId);
    // A round trip through the server after the dismissal: the signal is in by its answer.
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("other"))}));
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Resolved, 2)}));

    CHECK(server->closeCalls.isEmpty());
}

TEST_CASE("Desktop: Acknowledge on a notification is reported with the notification id", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();
    QSignalSpy spy(notifier.get(), &Notifier::actionInvoked);

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Firing, 7)}));
    const uint shown = server->notifyCalls.front().returnedId;

    server->invokeAction(shown + 1000, QStringLiteral("ack")); // another application's notification
    server->invokeAction(shown, QStringLiteral("ack"));
    REQUIRE(waitUntil([&] { return spy.count() >= 1; }, 5000));
    server->invokeAction(shown, QStringLiteral("default")); // a click on the notification itself
    server->invokeAction(shown, QStringLiteral("snooze-15m"));
    REQUIRE(waitUntil([&] { return spy.count() >= 3; }, 5000));

    REQUIRE(spy.count() == 3);
    CHECK(spy[0] == QVariantList{QStringLiteral("fp1-7"), QStringLiteral("ack")});
    CHECK(spy[1] == QVariantList{QStringLiteral("fp1-7"), QStringLiteral("open")});
    CHECK(spy[2] == QVariantList{QStringLiteral("fp1-7"), QStringLiteral("snooze-15m")});
}

TEST_CASE("Desktop: an ActionInvoked signal from anyone but the notification server is ignored", "[desktop][security]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();
    QSignalSpy spy(notifier.get(), &Notifier::actionInvoked);
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Firing, 7)}));
    const uint shown = server->notifyCalls.front().returnedId;

    // Another program on the session bus sends the server's signal, with the
    // server's path, interface and a real notification id: it must not ack.
    QDBusConnection other = QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("spoofer"));
    REQUIRE(other.isConnected());
    QDBusMessage spoof = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                    QStringLiteral("org.freedesktop.Notifications"),
                                                    QStringLiteral("ActionInvoked"));
    spoof << shown << QStringLiteral("ack");
    REQUIRE(other.send(spoof));
    // A round trip to the bus after the signal: the bus has routed it before it
    // answers, so it reaches the notifier before the server's real signal below.
    REQUIRE(other.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications")).value());

    server->invokeAction(shown, QStringLiteral("default"));
    REQUIRE(waitUntil([&] { return spy.count() >= 1; }, 5000));
    REQUIRE(spy.count() == 1);
    CHECK(spy[0] == QVariantList{QStringLiteral("fp1-7"), QStringLiteral("open")}); // the server's, not the spoof's "ack"
    QDBusConnection::disconnectFromBus(QStringLiteral("spoofer"));
}

TEST_CASE("Desktop: a server without the actions capability gets no actions", "[desktop]")
{
    auto server = startServer({QStringLiteral("body")});
    auto notifier = makeNotifier();

    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"))}));

    REQUIRE(server->notifyCalls.size() == 1);
    CHECK(server->notifyCalls.front().actions.isEmpty());
}

TEST_CASE("Desktop: an acknowledged alert offers no Acknowledge button", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();
    Notification n = alert(QStringLiteral("fp1"));
    n.ackedBy = QStringLiteral("alice");

    requireDelivered(deliver(*notifier, {n}));

    REQUIRE(server->notifyCalls.size() == 1);
    CHECK_FALSE(server->notifyCalls.front().actions.contains(QStringLiteral("ack")));
    CHECK(server->notifyCalls.front().body.contains(QStringLiteral("acknowledged by alice")));
}

TEST_CASE("Desktop: where the body is markup, label and summary text is escaped", "[desktop]")
{
    Notification n = alert(QStringLiteral("fp1"));
    n.summary = QStringLiteral("a < b & c > d");
    n.labels = {{QStringLiteral("model"), QStringLiteral("<b>x</b>&")}};

    SECTION("body-markup: &, < and > as entities")
    {
        auto server = startServer({QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("body-markup")});
        auto notifier = makeNotifier();
        requireDelivered(deliver(*notifier, {n}));
        REQUIRE(server->notifyCalls.size() == 1);
        const QString body = server->notifyCalls.front().body;
        CHECK(body.contains(QStringLiteral("model=&lt;b&gt;x&lt;/b&gt;&amp;")));
        CHECK(body.startsWith(QStringLiteral("a &lt; b &amp; c &gt; d\n")));
        CHECK_FALSE(body.contains(QLatin1Char('<')));
    }
    SECTION("plain body: the text as it is")
    {
        auto server = startServer(kFullCapabilities);
        auto notifier = makeNotifier();
        requireDelivered(deliver(*notifier, {n}));
        REQUIRE(server->notifyCalls.size() == 1);
        CHECK(server->notifyCalls.front().body.contains(QStringLiteral("model=<b>x</b>&")));
    }
}

TEST_CASE("Desktop: no notification server on the bus is a retry with a clear reason, and unavailable", "[desktop]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    auto notifier = makeNotifier();

    const DeliveryResult r = deliver(*notifier, {alert(QStringLiteral("fp1"))});
    CHECK(r.outcome == DeliveryResult::Outcome::Retry);
    CHECK(r.reason.startsWith(QStringLiteral("No desktop notification server on the session bus")));
    CHECK(r.reason.contains(QStringLiteral("org.freedesktop.Notifications")));
    CHECK(r.reason.contains(QStringLiteral("tray icon")));
    CHECK_FALSE(notifier->property("available").toBool());
    CHECK(notifier->property("unavailableReason").toString() == r.reason);

    // A server starts: available again, and the retry goes through.
    auto server = startServer(kFullCapabilities);
    REQUIRE(waitUntil([&] { return notifier->property("available").toBool(); }, 5000));
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"))}));
    CHECK(server->notifyCalls.size() == 1);
}

TEST_CASE("Desktop: a resolved alert with nothing on the desktop is delivered even without a server", "[desktop]")
{
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    auto notifier = makeNotifier();
    requireDelivered(deliver(*notifier, {alert(QStringLiteral("fp1"), QStringLiteral("critical"),
                                               Notification::Kind::Resolved, 2)}));
}

TEST_CASE("Desktop: no bus at all is a permanent failure with a clear reason", "[desktop]")
{
    auto notifier = makeNotifier({{QStringLiteral("bus_address"), QStringLiteral("unix:path=/nonexistent/vigil-test-bus")}});

    const DeliveryResult r = deliver(*notifier, {alert(QStringLiteral("fp1"))});
    CHECK(r.outcome == DeliveryResult::Outcome::PermanentFailure);
    CHECK(r.reason.startsWith(QStringLiteral("Cannot connect to the D-Bus at unix:path=/nonexistent/vigil-test-bus (")));
    CHECK(r.reason.contains(QStringLiteral("tray icon")));
    CHECK_FALSE(notifier->property("available").toBool());
}

TEST_CASE("Desktop: a notifier on a bus of its own closes that connection when destroyed", "[desktop]")
{
    // Under make test-asan, the connection name was assigned before the
    // member holding it was constructed: undefined, then reset to empty, so
    // the destructor had no name to disconnect and the connection stayed open.
    REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    auto notifier = makeNotifier({{QStringLiteral("bus_address"), qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS")}});
    REQUIRE(notifier->property("available").toBool());
    // The name DesktopNotifier gives the connection (desktop_notifier.cpp, openBus).
    const QString name = QStringLiteral("vigil-desktop-%1").arg(reinterpret_cast<quintptr>(notifier.get()), 0, 16);
    REQUIRE(QDBusConnection(name).isConnected());
    notifier.reset();
    CHECK_FALSE(QDBusConnection(name).isConnected());
}

TEST_CASE("Desktop: an alert with no data or a failing query says so instead of an empty value", "[desktop]")
{
    auto server = startServer(kFullCapabilities);
    auto notifier = makeNotifier();
    Notification noData = alert(QStringLiteral("fp-nodata"));
    noData.state = Notification::State::NoData;
    noData.value = std::numeric_limits<double>::quiet_NaN();
    noData.summary = QStringLiteral("p99 latency of  is NaN"); // what the template renders without a value
    requireDelivered(deliver(*notifier, {noData}));
    Notification failing = alert(QStringLiteral("fp-error"));
    failing.state = Notification::State::Error;
    failing.description = QStringLiteral("bad_data: parse error at char 5 (HTTP 400 from http://prom:9090)");
    requireDelivered(deliver(*notifier, {failing}));

    REQUIRE(server->notifyCalls.size() == 2);
    CHECK(server->notifyCalls[0].summary == QStringLiteral("No data: Critical · HighP99Latency"));
    CHECK(server->notifyCalls[0].body.startsWith(QStringLiteral("The query returned no data\n")));
    CHECK_FALSE(server->notifyCalls[0].body.contains(QStringLiteral("NaN")));
    CHECK_FALSE(server->notifyCalls[0].body.contains(QStringLiteral("Value")));
    CHECK(server->notifyCalls[1].summary == QStringLiteral("Query failing: Critical · HighP99Latency"));
    CHECK(server->notifyCalls[1].body.startsWith(
        QStringLiteral("The query fails\nbad_data: parse error at char 5 (HTTP 400 from http://prom:9090)\n")));
}

// Issue 8's hostile label value (tests/ui/test_hostile_labels.cpp follows it
// from a real scrape to the screen and to Slack): HTML and control characters.
TEST_CASE("Desktop: a hostile label value and summary are escaped in a markup body, never markup", "[desktop][security]")
{
    const QString html = QStringLiteral("<img src=x onerror=alert(1)><b>bold</b>");
    const QString controls = QStringLiteral("red\x1b[31m \u202Egnp.exe");
    Notification n = alert(QStringLiteral("fp-hostile"));
    n.summary = QStringLiteral("model ") + html + QStringLiteral(" note ") + controls;
    n.labels = {{QStringLiteral("model"), html}, {QStringLiteral("note"), controls}};

    auto server = startServer({QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("body-markup")});
    auto notifier = makeNotifier();
    requireDelivered(deliver(*notifier, {n}));
    REQUIRE(server->notifyCalls.size() == 1);
    const QString body = server->notifyCalls.front().body;
    CHECK(body.contains(QStringLiteral("model=&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;")));
    // Control characters are made visible (ESC as U+241B, the RLO named), as in
    // the window, and then escaped with the rest for the markup body.
    const QString controlsShown = QStringLiteral("red\u241B[31m &lt;U+202E&gt;gnp.exe");
    CHECK(body.startsWith(QStringLiteral("model &lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt; note ")
                          + controlsShown));
    CHECK(body.contains(QStringLiteral("note=") + controlsShown));
    CHECK_FALSE(body.contains(QChar(0x1b)));
    CHECK_FALSE(body.contains(QChar(0x202e)));
    CHECK_FALSE(body.contains(QLatin1Char('<')));
    CHECK_FALSE(body.contains(QLatin1Char('>')));
    // The title is the rule, never a server string: nothing to escape there.
    CHECK_FALSE(server->notifyCalls.front().summary.contains(html));
}
