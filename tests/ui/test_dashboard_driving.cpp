// SPDX-License-Identifier: GPL-3.0-or-later
// Driving the dashboard (issue 6): the range combo, pause, the synced
// crosshair, legend clicks, zoom by drag, maximise, the command palette, the
// help overlay, exports, settings, single instance and themes — offscreen on
// the in-process demo fleet (connection kind demo), with QTest as a user would.
#include <catch2/catch.hpp>

#include "chart_panel.h"
#include "command_palette.h"
#include "dashboard_view.h"
#include "help_overlay.h"
#include "main_window.h"
#include "session/session.h"
#include "single_instance.h"
#include "support/test_stack.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QProcess>
#include <QPushButton>
#include <QTimer>
#include <QDir>
#include <QFile>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QImage>
#include <QLegendMarker>
#include "alerts_view.h"

#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>
#include <QLabel>
#include <cmath>

using namespace vigil;
using namespace vigil::test;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

// The demo workspace on the in-process fleet, its window open on "Fleet overview"
// with every panel drawn.
struct DemoWindow
{
    Session session;
    std::unique_ptr<ui::MainWindow> window;
    ui::DashboardView *view = nullptr;

    // steady: once every panel has data, polling stops, so the time axes stay
    // put while the test measures positions on them.
    explicit DemoWindow(bool steady = false)
    {
        qunsetenv("VIGIL_DEMO_KIND");
        const Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
        REQUIRE_FALSE(ws.hasErrors());
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        REQUIRE(session.open(ws).isEmpty());
        window = std::make_unique<ui::MainWindow>(&session, QStringList{});
        window->resize(1500, 950);
        window->show();
        REQUIRE(QTest::qWaitForWindowExposed(window.get()));
        view = window->currentDashboard();
        REQUIRE(view);
        REQUIRE(view->name() == "Fleet overview");
        REQUIRE(waitUntil([&] { return view->allPanelsHaveData(); }, 20'000));
        if (steady) {
            session.setPaused(true);
            QCoreApplication::processEvents();
        }
        view->redrawAll();
        QCoreApplication::processEvents();
    }
    ~DemoWindow() { window.reset(); }

    QComboBox *rangeCombo() const { return window->findChild<QComboBox *>(QStringLiteral("rangeCombo")); }
};

// A point inside a panel's plot, in its chart view's viewport, at fraction fx of the width.
QPoint plotPoint(const ui::ChartPanel *panel, double fx)
{
    const QRectF plot = panel->plotArea();
    const QPointF scene = panel->chartView()->chart()->mapToScene(QPointF(plot.left() + plot.width() * fx, plot.center().y()));
    return panel->chartView()->mapFromScene(scene);
}

} // namespace

TEST_CASE("Driving: the range combo sets the session's range, Ctrl+P pauses and resumes", "[ui][driving]")
{
    DemoWindow w;
    QComboBox *combo = w.rangeCombo();
    REQUIRE(combo);
    const int hour = combo->findText(QStringLiteral("Last 1 hour"));
    REQUIRE(hour >= 0);
    combo->setFocus();
    combo->setCurrentIndex(hour);
    CHECK(w.session.rangeMs() == 3'600'000);
    CHECK_FALSE(w.session.hasAbsoluteRange());
    // The panels redraw over the new window (the x axis spans the hour).
    const ui::ChartPanel *panel = w.view->panels().first();
    CHECK(panel->timeAtViewX(plotPoint(panel, 1.0).x()) - panel->timeAtViewX(plotPoint(panel, 0.0).x()) == Approx(3'600'000).epsilon(0.01));
    CHECK(combo->findText(QStringLiteral("Custom…")) >= 0);

    w.window->activateWindow();
    QTest::keyClick(w.window.get(), Qt::Key_P, Qt::ControlModifier);
    CHECK(w.session.isPaused());
    QTest::keyClick(w.window.get(), Qt::Key_P, Qt::ControlModifier);
    CHECK_FALSE(w.session.isPaused());
}

TEST_CASE("Driving: hovering one panel draws the crosshair on every panel, values in the hovered one", "[ui][driving]")
{
    DemoWindow w(true);
    const QList<ui::ChartPanel *> panels = w.view->panels();
    REQUIRE(panels.size() == 4);
    ui::ChartPanel *hovered = panels[1];
    const QPoint at = plotPoint(hovered, 0.6);
    QTest::mouseMove(hovered->chartView()->viewport(), at);
    REQUIRE(waitUntil([&] { return hovered->crosshairTime() > 0; }, 2000));
    const qint64 t = hovered->crosshairTime();
    CHECK(hovered->timeAtViewX(at.x()) == t);
    int shown = 0;
    for (ui::ChartPanel *p : panels) {
        INFO(p->definition().title.toStdString());
        CHECK(p->crosshairTime() == t);
        const double x = p->crosshairViewX();
        REQUIRE_FALSE(std::isnan(x));
        // The line is where the time is on that panel: 60 % across its plot.
        const double expected = plotPoint(p, 0.6).x();
        CHECK(std::abs(x - expected) <= 2.0);
        shown += !p->tooltipText().isEmpty();
    }
    CHECK(shown == 1);
    const QString tip = hovered->tooltipText();
    for (const QString &name : hovered->legendNames())
        CHECK(tip.contains(name));
    // Leaving the plot takes the crosshair away everywhere.
    QTest::mouseMove(hovered->chartView()->viewport(), QPoint(2, 2));
    REQUIRE(waitUntil([&] { return hovered->crosshairTime() == 0; }, 2000));
    for (ui::ChartPanel *p : panels)
        CHECK(std::isnan(p->crosshairViewX()));
}

TEST_CASE("Driving: a click on a legend entry hides its series, kept across redraws, a second click shows it", "[ui][driving]")
{
    DemoWindow w(true);
    ui::ChartPanel *panel = w.view->panels().first(); // with threshold lines and alert bands
    const QStringList names = panel->legendNames();
    REQUIRE(names.size() >= 2);
    const QString name = names.first();
    QChartView *chartView = panel->chartView();
    // The legend entry's label, where the user sees it.
    auto labelPoint = [&]() -> QPoint {
        for (QGraphicsItem *item : chartView->scene()->items()) {
            if (auto *text = dynamic_cast<QGraphicsTextItem *>(item); text && text->isVisible() && text->toPlainText() == name)
                return chartView->mapFromScene(text->sceneBoundingRect().center());
        }
        return {-1, -1};
    };
    auto lineOf = [&]() -> QLineSeries * {
        for (QAbstractSeries *s : chartView->chart()->series())
            if (s->name() == name)
                return qobject_cast<QLineSeries *>(s);
        return nullptr;
    };
    const QPoint p = labelPoint();
    REQUIRE(p.x() >= 0);
    REQUIRE(lineOf());
    CHECK(lineOf()->isVisible());
    QTest::mouseClick(chartView->viewport(), Qt::LeftButton, {}, p);
    REQUIRE(waitUntil([&] { return panel->isSeriesHidden(name); }, 2000));
    CHECK_FALSE(lineOf()->isVisible());
    CHECK(panel->legendMarker(name)->isVisible()); // still there to click back
    w.view->redrawAll();
    CHECK_FALSE(lineOf()->isVisible());
    QTest::mouseClick(chartView->viewport(), Qt::LeftButton, {}, labelPoint());
    REQUIRE(waitUntil([&] { return !panel->isSeriesHidden(name); }, 2000));
    CHECK(lineOf()->isVisible());
}

TEST_CASE("Driving: a drag across a panel zooms to that time, arrows pan, Back to live returns", "[ui][driving]")
{
    DemoWindow w(true);
    ui::ChartPanel *panel = w.view->panels().first();
    QWidget *viewport = panel->chartView()->viewport();
    const QPoint a = plotPoint(panel, 0.25), b = plotPoint(panel, 0.75);
    const qint64 ta = panel->timeAtViewX(a.x()), tb = panel->timeAtViewX(b.x());
    QTest::mousePress(viewport, Qt::LeftButton, {}, a);
    QTest::mouseMove(viewport, QPoint((a.x() + b.x()) / 2, a.y()));
    QTest::mouseMove(viewport, b);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, b);
    REQUIRE(w.session.hasAbsoluteRange());
    const auto [from, to] = w.session.viewRange(0);
    // Within a second of what was under the pointer (the window moved meanwhile).
    CHECK(std::abs(from - ta) < 2000);
    CHECK(std::abs(to - tb) < 2000);
    CHECK(w.window->backToLiveAction()->isEnabled());
    CHECK(w.rangeCombo()->currentText().contains(QStringLiteral("→")));
    // The panel now spans the zoomed range.
    CHECK(std::abs(panel->timeAtViewX(plotPoint(panel, 0.0).x()) - from) < 1000);

    // Right arrow on the focused panel: a quarter of the range later.
    panel->setFocus();
    QTest::keyClick(panel, Qt::Key_Right);
    const auto [from2, to2] = w.session.viewRange(0);
    CHECK(from2 - from == Approx((to - from) / 4).margin(2));
    CHECK(to2 - to == Approx((to - from) / 4).margin(2));

    w.window->backToLiveAction()->trigger();
    CHECK_FALSE(w.session.hasAbsoluteRange());
    CHECK(w.session.rangeMs() == 15 * 60'000);
    CHECK(w.rangeCombo()->currentText() == QStringLiteral("Last 15 minutes"));
    CHECK_FALSE(w.window->backToLiveAction()->isEnabled());
}

TEST_CASE("Driving: V maximises the focused panel, Esc restores the grid", "[ui][driving]")
{
    DemoWindow w(true);
    const QList<ui::ChartPanel *> panels = w.view->panels();
    ui::ChartPanel *panel = panels[2];
    QTest::mouseClick(panel->chartView()->viewport(), Qt::LeftButton, {}, plotPoint(panel, 0.5));
    REQUIRE(panel->hasFocus());
    QTest::keyClick(panel, Qt::Key_V);
    REQUIRE(w.view->maximisedPanel() == panel);
    QCoreApplication::processEvents();
    for (ui::ChartPanel *p : panels)
        CHECK(p->isVisible() == (p == panel));
    CHECK(panel->width() > w.view->width() * 0.9);
    CHECK(w.window->grab().save(screenshotDir() + QStringLiteral("/panel-maximised.png")));
    QTest::keyClick(panel, Qt::Key_Escape);
    CHECK(w.view->maximisedPanel() == nullptr);
    QCoreApplication::processEvents();
    for (ui::ChartPanel *p : panels)
        CHECK(p->isVisible());
    CHECK(panel->width() < w.view->width() * 0.6);
}

TEST_CASE("Driving: Ctrl+K, a few letters of a dashboard's name and Enter show that dashboard", "[ui][driving][palette]")
{
    DemoWindow w;
    QTest::keyClick(w.window.get(), Qt::Key_K, Qt::ControlModifier);
    ui::CommandPalette *palette = w.window->commandPalette();
    REQUIRE(palette->isVisible());
    CHECK(palette->input()->hasFocus());
    const QStringList all = palette->shownTexts();
    // Every kind of place: dashboards, panels, views, compare, drift, ranges, actions.
    for (const char *t : {"Spam filter", "p99 latency by version", "Alerts", "Compare fraud-detector",
                          "Drift monitor: spam-filter inputs", "Last 1 hour", "Refresh", "Back to live", "Theme: Dark"})
        CHECK(all.contains(QString::fromUtf8(t)));
    QTest::keyClicks(palette->input(), QStringLiteral("spmfl"));
    REQUIRE_FALSE(palette->shownTexts().isEmpty());
    CHECK(palette->shownTexts().first() == QStringLiteral("Spam filter"));
    QTest::keyClick(palette->input(), Qt::Key_Return);
    CHECK_FALSE(palette->isVisible());
    REQUIRE(w.window->currentDashboard());
    CHECK(w.window->currentDashboard()->name() == QStringLiteral("Spam filter"));
    CHECK(w.session.activeDashboard() == QStringLiteral("Spam filter"));

    // A panel: its dashboard, maximised. Down moves to the next match, Esc closes.
    QTest::keyClick(w.window.get(), Qt::Key_K, Qt::ControlModifier);
    QTest::keyClicks(palette->input(), QStringLiteral("latency p50"));
    REQUIRE(palette->shownTexts().value(0) == QStringLiteral("Latency p50 / p95 / p99"));
    QTest::keyClick(palette->input(), Qt::Key_Enter);
    REQUIRE(w.window->currentDashboard());
    CHECK(w.window->currentDashboard()->name() == QStringLiteral("Fraud detector"));
    REQUIRE(w.window->currentDashboard()->maximisedPanel());
    CHECK(w.window->currentDashboard()->maximisedPanel()->definition().title == QStringLiteral("Latency p50 / p95 / p99"));
    QTest::keyClick(w.window.get(), Qt::Key_K, Qt::ControlModifier);
    QTest::keyClick(palette->input(), Qt::Key_Escape);
    CHECK_FALSE(palette->isVisible());
}

TEST_CASE("Driving: Ctrl+K opens the palette from a text field too, and leaves the field's text alone",
          "[ui][driving][palette]")
{
    DemoWindow w;
    w.window->showAlerts();
    auto *search = w.window->alertsView()->findChild<QLineEdit *>(QStringLiteral("alertsSearch"));
    REQUIRE(search);
    // On X11 and Wayland desktops a line edit claims Ctrl+K (its ShortcutOverride
    // accepts it: "delete to the end of the line", the X11 key-binding scheme);
    // the offscreen platform uses another scheme, so the field claims it here
    // as it would there.
    struct ClaimCtrlK : QObject
    {
        bool eventFilter(QObject *, QEvent *e) override
        {
            if (e->type() == QEvent::ShortcutOverride
                && static_cast<QKeyEvent *>(e)->keyCombination() == QKeyCombination(Qt::ControlModifier, Qt::Key_K))
                e->accept();
            return false;
        }
    } claim;
    search->installEventFilter(&claim);
    search->setFocus();
    QTest::keyClicks(search, QStringLiteral("fraud"));
    search->setCursorPosition(2);
    QTest::keyClick(search, Qt::Key_K, Qt::ControlModifier);
    ui::CommandPalette *palette = w.window->commandPalette();
    CHECK(palette->isVisible());
    CHECK(search->text() == QStringLiteral("fraud")); // not "fr": the line edit did not take Ctrl+K
    QTest::keyClick(palette->input(), Qt::Key_Escape);
    CHECK_FALSE(palette->isVisible());
    // Other editing keys still reach the field.
    search->setFocus();
    QTest::keyClick(search, Qt::Key_Backspace);
    CHECK(search->text() == QStringLiteral("faud"));
    search->removeEventFilter(&claim);
}

TEST_CASE("Command palette: subsequence matching, whole words and runs first", "[ui][driving][palette]")
{
    using ui::CommandPalette;
    CHECK(CommandPalette::fuzzyScore(QStringLiteral("xyz"), QStringLiteral("Fleet overview")) < 0);
    CHECK(CommandPalette::fuzzyScore(QStringLiteral("flov"), QStringLiteral("Fleet overview")) >= 0);
    // A substring at a word start beats a scattered match.
    CHECK(CommandPalette::fuzzyScore(QStringLiteral("spam"), QStringLiteral("Spam filter"))
          > CommandPalette::fuzzyScore(QStringLiteral("spam"), QStringLiteral("Sparse ample map")));
    CHECK(CommandPalette::fuzzyScore(QStringLiteral("fo"), QStringLiteral("Fleet overview"))
          > CommandPalette::fuzzyScore(QStringLiteral("fo"), QStringLiteral("xfxxxxo")));
    CHECK(CommandPalette::fuzzyScore(QString(), QStringLiteral("anything")) == 0);
}

TEST_CASE("Driving: F1 shows every shortcut, read from the window's actions", "[ui][driving][help]")
{
    DemoWindow w;
    QTest::keyClick(w.window.get(), Qt::Key_F1);
    ui::HelpOverlay *help = w.window->helpOverlay();
    REQUIRE(help->isVisible());
    QStringList keys;
    for (const ui::HelpOverlay::Row &r : help->rows())
        keys << r.keys;
    for (const char *k : {"Ctrl+K", "F5", "Ctrl+P", "Ctrl+0", "Ctrl+1", "Ctrl+L", "V / Return", "Esc", "Left", "A", "J"})
        CHECK(keys.contains(QString::fromLatin1(k)));
    CHECK(help->table()->rowCount() == help->rows().size());
    // An action added later is listed too: nothing is hard-coded.
    auto *extra = new QAction(QStringLiteral("Something new"), w.window.get());
    extra->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    w.window->addAction(extra);
    CHECK(ui::HelpOverlay::collect(w.window.get()).size() == help->rows().size() + 1);
    QTest::keyClick(help, Qt::Key_Escape);
    CHECK_FALSE(help->isVisible());
    QTest::keyClick(w.window.get(), Qt::Key_Question);
    CHECK(help->isVisible());
    QTest::mouseClick(help, Qt::LeftButton, {}, QPoint(5, 5));
    CHECK_FALSE(help->isVisible());
}

TEST_CASE("Driving: a panel exports to PNG and to CSV with the store's samples", "[ui][driving][export]")
{
    DemoWindow w;
    QTemporaryDir dir;
    ui::ChartPanel *panel = w.view->panels().first();
    const QString png = dir.filePath(QStringLiteral("panel.png"));
    REQUIRE(w.view->exportPanelPng(panel, png));
    QImage image(png);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.width() >= panel->width());
    CHECK(QFileInfo(png).size() > 5000);
    const QString viewPng = dir.filePath(QStringLiteral("view.png"));
    REQUIRE(w.window->exportViewPng(viewPng));
    CHECK(QImage(viewPng).width() >= w.view->width());

    w.session.setPaused(true); // the store stands still while we compare
    const QString csvPath = dir.filePath(QStringLiteral("panel.csv"));
    REQUIRE(w.view->exportPanelCsv(panel, csvPath));
    QFile f(csvPath);
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    REQUIRE(lines.size() > 10);
    const QStringList header = lines.first().split(u',');
    QStringList expectedHeader{QStringLiteral("timestamp")};
    expectedHeader << panel->legendNames();
    CHECK(header == expectedHeader);
    // Every sample of every series in the range, by timestamp.
    const auto [from, to] = w.session.viewRange(QDateTime::currentMSecsSinceEpoch());
    QMap<qint64, QHash<QString, double>> expected;
    const QList<SeriesKey> keys = w.session.store()->keysNamed(panel->jobIds().first());
    REQUIRE(keys.size() == header.size() - 1);
    qsizetype samples = 0;
    for (const SeriesKey &k : keys)
        for (const Sample &s : w.session.store()->range(k, from, to)) {
            expected[s.t].insert(ui::ChartPanel::legendFor(panel->definition().queries.first().legend, k, {}), s.v);
            ++samples;
        }
    CHECK(lines.size() - 1 >= expected.size() - 2); // the window moved by at most a poll while exporting
    qsizetype checked = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList cells = lines[i].split(u',');
        REQUIRE(cells.size() == header.size());
        const QDateTime t = QDateTime::fromString(cells[0], Qt::ISODateWithMs);
        REQUIRE(t.isValid());
        CHECK(cells[0].endsWith(u'Z'));
        const auto row = expected.constFind(t.toMSecsSinceEpoch());
        if (row == expected.cend())
            continue;
        for (int c = 1; c < header.size(); ++c) {
            if (cells[c].isEmpty())
                continue;
            CHECK(cells[c].toDouble() == row->value(header[c]));
            ++checked;
        }
    }
    INFO("samples " << samples << ", checked " << checked);
    CHECK(checked >= samples * 9 / 10);
}

TEST_CASE("Driving: geometry, splitter and the last view come back from QSettings", "[ui][driving][settings]")
{
    QTemporaryDir dir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    {
        DemoWindow w;
        w.window->restoreSettings(); // nothing saved yet: unchanged
        CHECK(w.window->currentViewName() == QStringLiteral("dashboard:Fleet overview"));
        w.window->resize(1234, 777);
        w.window->splitter()->setSizes({180, 1000});
        w.window->showDashboard(QStringLiteral("Drift"));
        w.window->close();
    }
    CHECK(QFile::exists(ui::MainWindow::settings().fileName()));
    CHECK(ui::MainWindow::settings().fileName().startsWith(dir.path()));
    DemoWindow again;
    again.window->restoreSettings();
    CHECK(again.window->size() == QSize(1234, 777));
    CHECK(again.window->splitter()->sizes().value(0) == 180);
    CHECK(again.window->currentViewName() == QStringLiteral("dashboard:Drift"));
    CHECK(again.session.activeDashboard() == QStringLiteral("Drift"));

    // Closing with a tray icon: whether to keep watching is asked once, then remembered.
    int asked = 0;
    again.window->setTrayQuestion([&] { ++asked; return true; });
    CHECK(again.window->keepWatchingInTray());
    CHECK(again.window->keepWatchingInTray());
    CHECK(asked == 1);
    CHECK(ui::MainWindow::settings().value(QStringLiteral("tray/keepWatching")).toBool());
}

TEST_CASE("Single instance: a second launch's raise brings the first window forward", "[ui][driving][instance]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("vigil-test.sock"));
    // A socket file left by a crashed instance does not stop the next one.
    {
        QFile stale(path);
        REQUIRE(stale.open(QIODevice::WriteOnly));
    }
    DemoWindow w;
    ui::SingleInstance first;
    QString error;
    REQUIRE(first.listen(path, &error));
    CHECK(first.isListening());
    QObject::connect(&first, &ui::SingleInstance::raiseRequested, w.window.get(), &ui::MainWindow::raiseFromOtherInstance);
    w.window->hide();
    REQUIRE_FALSE(w.window->isVisible());
    // The second process' side runs in another thread (it blocks on the socket).
    QFuture<bool> second = QtConcurrent::run([path] { return ui::SingleInstance::sendRaise(path, 5000); });
    REQUIRE(waitUntil([&] { return second.isFinished(); }, 10'000));
    CHECK(second.result());
    CHECK(w.window->isVisible());
    // A third one cannot take over the socket while the first answers.
    QFuture<bool> listening = QtConcurrent::run([&] {
        ui::SingleInstance third; // as in another process: its own thread
        return third.listen(path, &error);
    });
    REQUIRE(waitUntil([&] { return listening.isFinished(); }, 10'000));
    CHECK_FALSE(listening.result());
    CHECK(error.contains(QStringLiteral("already")));
    // Named per user and workspace.
    CHECK(ui::SingleInstance::socketPath(QStringLiteral("/a/w.yaml")) != ui::SingleInstance::socketPath(QStringLiteral("/b/w.yaml")));
    CHECK(ui::SingleInstance::socketPath(QStringLiteral("/a/w.yaml")).contains(Session::userName()));
}

TEST_CASE("Driving: light and dark themes, the palette and the help overlay rendered", "[ui][driving][theme][screenshot]")
{
    DemoWindow w;
    w.window->setTheme(ui::ThemeMode::Light);
    QCoreApplication::processEvents();
    CHECK_FALSE(ui::themeIsDark());
    ui::ChartPanel *panel = w.view->panels().first();
    CHECK(panel->chartView()->chart()->theme() == QChart::ChartThemeLight);
    QTest::mouseMove(panel->chartView()->viewport(), plotPoint(panel, 0.7));
    REQUIRE(waitUntil([&] { return !panel->tooltipText().isEmpty(); }, 2000));
    const QImage light = w.window->grab().toImage();
    CHECK(light.save(screenshotDir() + QStringLiteral("/dashboard-light.png")));

    w.window->setTheme(ui::ThemeMode::Dark);
    QCoreApplication::processEvents();
    CHECK(ui::themeIsDark());
    CHECK(panel->chartView()->chart()->theme() == QChart::ChartThemeDark);
    // The series keep their own colours after the theme change.
    const QStringList names = panel->legendNames();
    QTest::mouseMove(panel->chartView()->viewport(), plotPoint(panel, 0.7));
    QCoreApplication::processEvents();
    const QImage dark = w.window->grab().toImage();
    CHECK(dark.save(screenshotDir() + QStringLiteral("/dashboard-dark.png")));
    // The plot's background is dark in one and light in the other.
    const QPoint probe = panel->chartView()->mapTo(w.window.get(), plotPoint(panel, 0.02)) + QPoint(0, -20);
    CHECK(QColor(light.pixel(probe)).lightness() > 160);
    CHECK(QColor(dark.pixel(probe)).lightness() < 100);

    QTest::keyClick(w.window.get(), Qt::Key_K, Qt::ControlModifier);
    QTest::keyClicks(w.window->commandPalette()->input(), QStringLiteral("fraud"));
    QCoreApplication::processEvents();
    CHECK(w.window->grab().save(screenshotDir() + QStringLiteral("/command-palette.png")));
    QTest::keyClick(w.window->commandPalette()->input(), Qt::Key_Escape);
    QTest::keyClick(w.window.get(), Qt::Key_F1);
    QCoreApplication::processEvents();
    CHECK(w.window->grab().save(screenshotDir() + QStringLiteral("/help-overlay.png")));
    w.window->setTheme(ui::ThemeMode::System);
    CHECK(ui::currentTheme() == ui::ThemeMode::System);
}

TEST_CASE("Driving: Custom… in the range combo asks for from and to and shows that absolute range", "[ui][driving]")
{
    DemoWindow w;
    QComboBox *combo = w.rangeCombo();
    const QDateTime to = QDateTime::currentDateTime().addSecs(-120);
    const QDateTime from = to.addSecs(-300);
    bool answered = false;
    // The dialog is modal: answer it as a user would once it is up.
    QTimer::singleShot(0, [&] {
        // (No REQUIRE in here: an exception must not cross Qt's event loop.)
        QWidget *dialog = QApplication::activeModalWidget();
        const QList<QDateTimeEdit *> edits = dialog ? dialog->findChildren<QDateTimeEdit *>() : QList<QDateTimeEdit *>{};
        auto *buttons = dialog ? dialog->findChild<QDialogButtonBox *>() : nullptr;
        if (edits.size() != 2 || !buttons) {
            if (dialog)
                dialog->close();
            return;
        }
        edits[0]->setDateTime(from);
        edits[1]->setDateTime(to);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        answered = true;
    });
    combo->setCurrentIndex(combo->findText(QStringLiteral("Custom…")));
    CHECK(answered);
    REQUIRE(w.session.hasAbsoluteRange());
    const auto [f, t] = w.session.viewRange(0);
    CHECK(f / 1000 == from.toMSecsSinceEpoch() / 1000);
    CHECK(t / 1000 == to.toMSecsSinceEpoch() / 1000);
    CHECK(combo->currentText().contains(QStringLiteral("→")));
    // The panels are drawn over that range once its data arrives.
    ui::ChartPanel *panel = w.view->panels().first();
    REQUIRE(waitUntil([&] { return panel->hasData(); }, 10'000));
    CHECK(std::abs(panel->timeAtViewX(plotPoint(panel, 1.0).x()) - t) < 1000);
}

TEST_CASE("vigil screenshot renders the alerts and drift views", "[ui][cli][driving]")
{
    QTemporaryDir state;
    for (const char *view : {"alerts", "drift"}) {
        const QString out = screenshotDir() + QStringLiteral("/cli-%1.png").arg(QLatin1String(view));
        QFile::remove(out);
        QProcess vigil;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("VIGIL_DEMO_KIND"); // the in-process demo fleet
        env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
        env.insert("XDG_STATE_HOME", state.path());
        vigil.setProcessEnvironment(env);
        vigil.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"), {"screenshot", "--workspace", VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml",
                                                            "--view", QLatin1String(view), "--theme", "dark", "-o", out, "--timeout", "30s"});
        REQUIRE(vigil.waitForStarted(10'000));
        REQUIRE(waitUntil([&] { return vigil.state() == QProcess::NotRunning; }, 60'000));
        INFO(view << ": " << vigil.readAllStandardError().toStdString());
        CHECK(vigil.exitCode() == 0);
        CHECK(QImage(out).width() == 1600);
    }
}

namespace {
// WCAG 2 contrast ratio of two colours.
double contrast(const QColor &a, const QColor &b)
{
    auto lum = [](const QColor &c) {
        auto ch = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
    };
    const double x = lum(a), y = lum(b);
    return (std::max(x, y) + 0.05) / (std::min(x, y) + 0.05);
}
} // namespace

TEST_CASE("Error text is red that reads on the light and the dark theme, and follows a theme change",
          "[ui][driving][theme]")
{
    const ui::ThemeMode before = ui::currentTheme();
    ui::applyTheme(ui::ThemeMode::Light);
    QWidget view; // as in the views: a label inside a window
    QLabel &label = *new QLabel(QStringLiteral("HTTP 503 from alertmanager"), &view);
    ui::setErrorText(&label);
    CHECK(label.styleSheet() == QStringLiteral("color: #b71c1c;"));
    CHECK(contrast(ui::errorTextColor(), QApplication::palette().color(QPalette::Window)) >= 4.5);

    ui::applyTheme(ui::ThemeMode::Dark);
    CHECK(label.styleSheet() == QStringLiteral("color: #ff8a80;")); // followed the change
    // WCAG AA for text: 4.5:1. The light theme's red on the dark window would be 2.2:1.
    CHECK(contrast(ui::errorTextColor(), QApplication::palette().color(QPalette::Window)) >= 4.5);
    CHECK(contrast(QColor(0xb7, 0x1c, 0x1c), QApplication::palette().color(QPalette::Window)) < 4.5);

    ui::setErrorText(&label, false);
    CHECK(label.styleSheet().isEmpty());
    ui::applyTheme(before);
}
