// SPDX-License-Identifier: GPL-3.0-or-later
// Keeping watch from the tray (issue 6, desktop conventions), end to end on a
// real windowing system: Xvfb with the xcb platform (tests/tray/with-xvfb.sh)
// and a private session bus (dbus-run-session) with a test tray host, the
// StatusNotifierWatcher a desktop panel runs. Qt's generic Unix theme then
// gives QSystemTrayIcon its D-Bus StatusNotifierItem, which the test reads
// and clicks as a panel would. The window is closed inside QApplication::exec,
// as in the app, so quitting on the last window closed is live: a test that
// expects the app to keep running fails when it quits.
#include <catch2/catch.hpp>

#include "alerts_view.h"
#include "main_window.h"
#include "notification_server.h"
#include "session/session.h"
#include "status_notifier_watcher.h"
#include "support/test_stack.h"

#include <QApplication>
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusPendingCall>
#include <QDBusVariant>
#include <QDir>
#include <QImage>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWindow>

#include <memory>

using namespace vigil;
using namespace vigil::test;

namespace {

const QString kItemInterface = QStringLiteral("org.kde.StatusNotifierItem");

const char *kWorkspace = R"(settings: { evaluation_interval: 1s }
connections:
  fleet: { kind: demo }
dashboards:
  - name: Quality
    panels:
      - { title: Precision, query: 'model_quality{metric="precision", model="fraud-detector"}' }
notifiers:
  desk: { kind: desktop }
routes:
  receiver: desk
  group_by: [alertname, model]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
rules:
  - name: FraudPrecisionReported
    query: max by (model) (model_quality{metric="precision", model="fraud-detector"})
    above: 0
    severity: critical
    annotations:
      summary: "precision of {{ $labels.model }} is {{ $value }}"
)";

// The rule added once the window is closed: an alert that fires after it.
const char *kLaterRule = R"(
  - name: FraudRecallReported
    query: max by (model) (model_quality{metric="recall", model="fraud-detector"})
    above: 0
    severity: warning
    annotations:
      summary: "recall of {{ $labels.model }} is {{ $value }}"
)";

// QApplication::exec's results: the condition held, or time ran out. 0 is
// the app quitting by itself (its last window closed, or Quit).
constexpr int kDone = 70;
constexpr int kTimedOut = 71;

// Runs the application's own event loop, as main() does, until `done` holds.
int execUntil(const std::function<bool()> &done, int timeoutMs)
{
    QTimer poll;
    poll.setInterval(20);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (done())
            QCoreApplication::exit(kDone);
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, [] { QCoreApplication::exit(kTimedOut); });
    poll.start();
    deadline.start(timeoutMs);
    return QApplication::exec();
}

// Reads a tray item's D-Bus property as a panel does. Asynchronous: the item
// lives in this thread, which must keep running its events to answer.
QVariant itemProperty(const QDBusConnection &host, const TrayHost::Item &item, const QString &name,
                      const QString &interface = kItemInterface)
{
    QDBusMessage get = QDBusMessage::createMethodCall(item.service, item.path, QStringLiteral("org.freedesktop.DBus.Properties"),
                                                      QStringLiteral("Get"));
    get << interface << name;
    QDBusPendingCall call = host.asyncCall(get, 10'000);
    waitUntil([&] { return call.isFinished(); }, 12'000);
    const QDBusMessage reply = call.reply();
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return {};
    return reply.arguments().first().value<QDBusVariant>().variant();
}

// Calls a method of the item (Activate, ContextMenu…) and waits for the reply.
QDBusMessage callItem(const QDBusConnection &host, const QString &service, const QString &path, const QString &interface,
                      const QString &method, const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(service, path, interface, method);
    m.setArguments(args);
    QDBusPendingCall call = host.asyncCall(m, 10'000);
    waitUntil([&] { return call.isFinished(); }, 12'000);
    return call.reply();
}

struct ToolTip
{
    QString icon, title, subTitle;
};

// ToolTip: (s a(iiay) s s), the icon name, its pixmaps, a title and a subtitle.
ToolTip readToolTip(const QVariant &v)
{
    ToolTip t;
    if (!v.canConvert<QDBusArgument>())
        return t;
    const QDBusArgument arg = v.value<QDBusArgument>();
    arg.beginStructure();
    arg >> t.icon;
    arg.beginArray();
    while (!arg.atEnd()) {
        int w = 0, h = 0;
        QByteArray data;
        arg.beginStructure();
        arg >> w >> h >> data;
        arg.endStructure();
    }
    arg.endArray();
    arg >> t.title >> t.subTitle;
    arg.endStructure();
    return t;
}

// IconPixmap: a(iiay), ARGB32 in network byte order; the largest one.
QImage readIcon(const QVariant &v)
{
    QImage best;
    if (!v.canConvert<QDBusArgument>())
        return best;
    const QDBusArgument arg = v.value<QDBusArgument>();
    arg.beginArray();
    while (!arg.atEnd()) {
        int w = 0, h = 0;
        QByteArray data;
        arg.beginStructure();
        arg >> w >> h >> data;
        arg.endStructure();
        if (w <= best.width() || w <= 0 || h <= 0 || data.size() != qsizetype(w) * h * 4)
            continue;
        QImage img(w, h, QImage::Format_ARGB32);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const auto *p = reinterpret_cast<const uchar *>(data.constData()) + (qsizetype(y) * w + x) * 4;
                img.setPixel(x, y, qRgba(p[1], p[2], p[3], p[0]));
            }
        best = img;
    }
    arg.endArray();
    return best;
}

// The com.canonical.dbusmenu layout: (i a{sv} av), children as variants.
void readMenu(const QDBusArgument &arg, QHash<QString, int> *ids)
{
    int id = 0;
    QVariantMap props;
    arg.beginStructure();
    arg >> id >> props;
    arg.beginArray();
    while (!arg.atEnd()) {
        QDBusVariant child;
        arg >> child;
        readMenu(child.variant().value<QDBusArgument>(), ids);
    }
    arg.endArray();
    arg.endStructure();
    if (props.contains(QStringLiteral("label")))
        ids->insert(props.value(QStringLiteral("label")).toString().remove(u'_').remove(u'&'), id);
}

// The next message box is answered from inside its own event loop, as a person would.
void answerNextMessageBox(QMessageBox::StandardButton button, QString *seenText, int *asked)
{
    QTimer::singleShot(20, [=] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || !box->button(button) || !box->isVisible()) {
            answerNextMessageBox(button, seenText, asked); // not shown yet: the next turn
            return;
        }
        ++*asked;
        *seenText = box->text();
        QTest::mouseClick(box->button(button), Qt::LeftButton);
    });
}

bool saveScreenshot(QWidget *w, const QString &name)
{
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR) + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    return w->grab().save(dir + u'/' + name, "PNG");
}

// The app as `vigil` runs it, with a tray host and a notification server on
// the bus first (Qt asks whether there is a tray once, on the first tray icon).
struct TrayApp
{
    QTemporaryDir dir;
    TrayHost watcher;
    NotificationServer notifications{{QStringLiteral("actions"), QStringLiteral("body")}};
    QDBusConnection host = QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("vigil-test-tray-host"));
    Workspace ws;
    Session session;
    std::unique_ptr<ui::MainWindow> window;
    QSystemTrayIcon *tray = nullptr;
    TrayHost::Item item;

    // keepWatching: the stored answer to "Keep watching?", none when invalid.
    // withHost false: a desktop without a tray (no StatusNotifierWatcher).
    explicit TrayApp(const QVariant &keepWatching, bool withHost = true)
    {
        REQUIRE(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")); // run through ctest
        REQUIRE(QGuiApplication::platformName() == QStringLiteral("xcb")); // with-xvfb.sh
        REQUIRE(dir.isValid());
        QString error;
        const bool hostStarted = !withHost || watcher.start(&error);
        const bool serverStarted = hostStarted && notifications.start(&error);
        INFO(error.toStdString());
        REQUIRE(hostStarted);
        REQUIRE(serverStarted);
        REQUIRE(host.isConnected());

        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
        QSettings settings = ui::MainWindow::settings();
        REQUIRE(settings.fileName().startsWith(dir.path()));
        settings.remove(QStringLiteral("tray/keepWatching"));
        if (keepWatching.isValid())
            settings.setValue(QStringLiteral("tray/keepWatching"), keepWatching);
        settings.sync();

        ws = parseWorkspace(kWorkspace, dir.filePath(QStringLiteral("tray.yaml")));
        INFO(ws.errorMessages().join(u'\n').toStdString());
        REQUIRE_FALSE(ws.hasErrors());
        session.enableAlertPipeline(dir.filePath(QStringLiteral("alerts.db")));
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        const QStringList problems = session.open(ws);
        INFO(problems.join(u'\n').toStdString());
        REQUIRE(problems.isEmpty());

        window = std::make_unique<ui::MainWindow>(&session, QStringList{});
        window->resize(1200, 760);
        window->show();
        REQUIRE(waitUntil([&] { return window->windowHandle() && window->windowHandle()->isExposed(); }, 10'000));
        if (!withHost)
            return;

        // Qt's D-Bus tray engaged: the icon exists and registered its item.
        REQUIRE(QSystemTrayIcon::isSystemTrayAvailable());
        tray = window->findChild<QSystemTrayIcon *>(QStringLiteral("trayIcon"));
        REQUIRE(tray);
        REQUIRE(tray->isVisible());
        REQUIRE(waitUntil([&] { return !watcher.items().isEmpty(); }, 10'000));
        item = watcher.items().first();
    }

    ToolTip toolTip() const { return readToolTip(itemProperty(host, item, QStringLiteral("ToolTip"))); }

    // The summary shown by the item's tooltip once no tray message holds it.
    bool toolTipSays(const QString &text) const { return toolTip().title == QStringLiteral("Vigil — ") + text; }

    bool notified(const QString &what) const
    {
        for (const NotificationServer::NotifyCall &call : notifications.notifyCalls)
            if (QString(call.summary + u'\n' + call.body).contains(what))
                return true;
        return false;
    }

    // Adds kLaterRule to the running rules: an alert that fires from now on.
    void addLaterRule()
    {
        const Workspace later = parseWorkspace(QByteArray(kWorkspace) + kLaterRule, ws.path);
        REQUIRE_FALSE(later.hasErrors());
        REQUIRE(later.rules.size() == 2);
        session.withEngine([&](alerting::AlertEngine &engine) { engine.setRules(later.rules, QStringLiteral("fleet")); });
    }

    QDBusMessage activate()
    {
        return callItem(host, item.service, item.path, kItemInterface, QStringLiteral("Activate"), {0, 0});
    }
};

} // namespace

TEST_CASE("Tray: the icon registers with the desktop's tray host and shows the alert summary", "[tray][xcb][dbus]")
{
    TrayApp app(true);
    // The watcher was told the item's bus name, which the app's connection owns.
    CHECK(app.item.path == QStringLiteral("/StatusNotifierItem"));
    CHECK(app.host.interface()->isServiceRegistered(app.item.service));
    CHECK(itemProperty(app.host, app.item, QStringLiteral("Title")).toString() == QCoreApplication::applicationName());
    CHECK(itemProperty(app.host, app.item, QStringLiteral("Status")).toString() == QStringLiteral("Active"));
    CHECK(itemProperty(app.host, app.item, QStringLiteral("Menu")).value<QDBusObjectPath>().path() == QStringLiteral("/MenuBar"));

    // The rule fires: the tooltip counts it and the badge turns red.
    REQUIRE(waitUntil([&] { return app.toolTipSays(QStringLiteral("1 firing, not acknowledged")); }, 30'000));
    CHECK(app.window->alertSummary() == QStringLiteral("1 firing, not acknowledged"));
    const QImage icon = readIcon(itemProperty(app.host, app.item, QStringLiteral("IconPixmap")));
    REQUIRE_FALSE(icon.isNull());
    const QColor edge = icon.pixelColor(icon.width() / 8, icon.height() / 2); // inside the disc, clear of the digit
    INFO("badge " << icon.width() << "x" << icon.height() << " " << edge.name().toStdString());
    CHECK(edge.red() > 150);
    CHECK(edge.green() < 100);
    // And the desktop notifier told the notification server.
    REQUIRE(waitUntil([&] { return app.notified(QStringLiteral("FraudPrecisionReported")); }, 20'000));
}

TEST_CASE("Tray: closing the window keeps watching, a later alert still arrives, and a click on the icon brings back the Alerts",
          "[tray][xcb][dbus]")
{
    TrayApp app(true);
    REQUIRE(waitUntil([&] { return app.toolTipSays(QStringLiteral("1 firing, not acknowledged")); }, 30'000));
    CHECK(app.window->currentViewName() == QStringLiteral("dashboard:Quality"));
    QSignalSpy lastClosed(qApp, &QGuiApplication::lastWindowClosed);

    // Closed as the window manager's close button does, inside the app's own
    // loop; once hidden, a new rule starts to breach.
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    bool added = false;
    const int result = execUntil([&] {
        if (!added && !app.window->isVisible()) {
            app.addLaterRule();
            added = true;
        }
        return added && app.notified(QStringLiteral("FraudRecallReported"));
    }, 40'000);
    CHECK(result == kDone); // 0 would be the app quitting with its window
    CHECK(lastClosed.isEmpty());
    CHECK(added);
    CHECK_FALSE(app.window->isVisible());
    REQUIRE(app.window->windowHandle());
    CHECK_FALSE(app.window->windowHandle()->isVisible()); // unmapped from the X server, not just covered
    // The tray said it keeps watching (through the notification server, as Qt's D-Bus tray does).
    CHECK(app.notified(QStringLiteral("Vigil keeps watching")));
    // The tooltip counts the alert that fired after the close.
    CHECK(waitUntil([&] { return app.toolTipSays(QStringLiteral("2 firing, not acknowledged")); }, 20'000));
    CHECK_FALSE(app.window->isVisible());

    // A right click is the menu's: the window stays in the tray.
    const QDBusMessage context = callItem(app.host, app.item.service, app.item.path, kItemInterface,
                                          QStringLiteral("ContextMenu"), {10, 10});
    CHECK(context.type() == QDBusMessage::ReplyMessage); // answered after the icon's activated() ran
    CHECK_FALSE(app.window->isVisible());

    // A click on the icon, as the panel sends it: back, on the Alerts.
    const QDBusMessage reply = app.activate();
    INFO(reply.errorMessage().toStdString());
    CHECK(reply.type() == QDBusMessage::ReplyMessage);
    REQUIRE(waitUntil([&] { return app.window->isVisible() && app.window->windowHandle()->isExposed(); }, 10'000));
    CHECK(app.window->alertsVisible());
    CHECK(app.window->currentViewName() == QStringLiteral("alerts"));
    CHECK(app.window->alertsView()->attentionCount() == 2);
    CHECK(saveScreenshot(app.window.get(), QStringLiteral("tray-window-back.png")));
    // And the X server's screen: the window really mapped again (no window manager, so no frame).
    const QString screen = QStringLiteral(VIGIL_BINARY_DIR) + QStringLiteral("/screenshots/tray-xvfb-screen.png");
    CHECK(QGuiApplication::primaryScreen()->grabWindow(0).save(screen, "PNG"));
}

TEST_CASE("Tray: the first close asks once whether to keep watching, and the answer is kept", "[tray][xcb][dbus]")
{
    TrayApp app(QVariant{});
    QString question;
    int asked = 0;

    // First close: the question; Yes keeps watching from the tray.
    answerNextMessageBox(QMessageBox::Yes, &question, &asked);
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    int result = execUntil([&] { return asked == 1 && !app.window->isVisible(); }, 20'000);
    CHECK(result == kDone);
    CHECK(asked == 1);
    CHECK(question.contains(QStringLiteral("Keep watching in the tray after the window closes?")));
    CHECK_FALSE(app.window->isVisible());
    CHECK(ui::MainWindow::settings().value(QStringLiteral("tray/keepWatching")).toBool());

    // Back from the tray and closed again: not asked again, still watching.
    REQUIRE(app.activate().type() == QDBusMessage::ReplyMessage);
    REQUIRE(waitUntil([&] { return app.window->isVisible(); }, 10'000));
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    result = execUntil([&] { return !app.window->isVisible(); }, 20'000);
    CHECK(result == kDone); // a question would have held the window open until the deadline
    CHECK(QApplication::activeModalWidget() == nullptr);
    CHECK(asked == 1);

    // Answered No (the answer forgotten first, as on a fresh install): the
    // window closes and the app quits with it, as any app without a tray.
    ui::MainWindow::settings().remove(QStringLiteral("tray/keepWatching"));
    REQUIRE(app.activate().type() == QDBusMessage::ReplyMessage);
    REQUIRE(waitUntil([&] { return app.window->isVisible(); }, 10'000));
    answerNextMessageBox(QMessageBox::No, &question, &asked);
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    result = execUntil([] { return false; }, 20'000);
    CHECK(result == 0); // quit on the last window closed
    CHECK(asked == 2);
    CHECK_FALSE(app.window->isVisible());
    const QVariant kept = ui::MainWindow::settings().value(QStringLiteral("tray/keepWatching"));
    CHECK(kept.isValid());
    CHECK_FALSE(kept.toBool());
}

TEST_CASE("Tray: its menu over D-Bus shows the Alerts and quits Vigil", "[tray][xcb][dbus]")
{
    TrayApp app(true);
    // The menu as a panel reads it (com.canonical.dbusmenu at the item's Menu path).
    const QString menuPath = itemProperty(app.host, app.item, QStringLiteral("Menu")).value<QDBusObjectPath>().path();
    REQUIRE(menuPath == QStringLiteral("/MenuBar"));
    const QString menuInterface = QStringLiteral("com.canonical.dbusmenu");
    QDBusMessage layout = callItem(app.host, app.item.service, menuPath, menuInterface, QStringLiteral("GetLayout"),
                                   {0, -1, QStringList{}});
    INFO(layout.errorMessage().toStdString());
    REQUIRE(layout.type() == QDBusMessage::ReplyMessage);
    REQUIRE(layout.arguments().size() == 2);
    QHash<QString, int> ids;
    readMenu(layout.arguments().at(1).value<QDBusArgument>(), &ids);
    INFO("menu: " << QStringList(ids.keys()).join(u',').toStdString());
    REQUIRE(ids.contains(QStringLiteral("Show alerts")));
    REQUIRE(ids.contains(QStringLiteral("Quit Vigil")));

    // Into the tray, then "Show alerts" from its menu.
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    CHECK(execUntil([&] { return !app.window->isVisible(); }, 20'000) == kDone);
    const auto click = [&](int id) {
        QDBusMessage event = QDBusMessage::createMethodCall(app.item.service, menuPath, menuInterface, QStringLiteral("Event"));
        event << id << QStringLiteral("clicked") << QVariant::fromValue(QDBusVariant(0)) << 0u;
        return app.host.asyncCall(event, 10'000);
    };
    QDBusPendingCall show = click(ids.value(QStringLiteral("Show alerts")));
    REQUIRE(waitUntil([&] { return app.window->isVisible(); }, 10'000));
    CHECK(app.window->alertsVisible());
    REQUIRE(waitUntil([&] { return show.isFinished(); }, 10'000));
    CHECK_FALSE(show.isError());

    // "Quit Vigil": the app ends, not just into the tray. Clicked from inside
    // the app's loop, and not waited for there: quitting ends every loop.
    std::unique_ptr<QDBusPendingCall> quit;
    QTimer::singleShot(0, app.window.get(), [&] { quit = std::make_unique<QDBusPendingCall>(click(ids.value(QStringLiteral("Quit Vigil")))); });
    CHECK(execUntil([] { return false; }, 20'000) == 0);
    REQUIRE(quit);
    REQUIRE(waitUntil([&] { return quit->isFinished(); }, 10'000));
    CHECK_FALSE(quit->isError());
    CHECK_FALSE(app.window->isVisible());
}

// Qt asks whether there is a tray once per process: this case, like every
// other here, runs in its own process (ctest runs each case alone).
TEST_CASE("Tray: without a tray host there is no icon, and closing the window quits", "[tray][xcb][dbus]")
{
    TrayApp app(true, false); // "keep watching" was answered, but there is no tray to watch from
    CHECK_FALSE(QSystemTrayIcon::isSystemTrayAvailable());
    CHECK(app.window->findChild<QSystemTrayIcon *>() == nullptr);
    QTimer::singleShot(0, app.window.get(), [&] { app.window->close(); });
    CHECK(execUntil([] { return false; }, 20'000) == 0); // nothing would bring a hidden window back
    CHECK_FALSE(app.window->isVisible());
    CHECK_FALSE(app.notified(QStringLiteral("Vigil keeps watching")));
}
