// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace's life in the window (issue 6): the file edited on disk is
// applied to the running window, Open… and Open recent, the last workspace
// reopened by `vigil`, and dashboards made without writing YAML — proposed
// from a real Prometheus scraping the demo fleet, imported from a Grafana
// export — written into the file with every other byte kept.
#include <catch2/catch.hpp>

#include "chart_panel.h"
#include "connections_dialog.h"
#include "dashboard_preview.h"
#include "dashboard_view.h"
#include "grafana_import_dialog.h"
#include "main_window.h"
#include "propose_dashboard_dialog.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace vigil;
using namespace vigil::test;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// As editors save: a new file renamed over the old one.
void saveByRename(const QString &path, const QByteArray &text)
{
    QSaveFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(text);
    REQUIRE(f.commit());
}

// As `echo >` and some editors save: the same file truncated and rewritten.
void saveInPlace(const QString &path, const QByteArray &text)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

// The 1-based line of the first line of `text` containing `needle`.
int lineOf(const QByteArray &text, const QByteArray &needle)
{
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i)
        if (lines[i].contains(needle))
            return i + 1;
    return 0;
}

// The list's entries, "Alerts (2)" as "Alerts".
QStringList listTexts(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i) {
        const QString text = list->item(i)->text();
        out << (text.startsWith(QLatin1String("Alerts (")) ? QStringLiteral("Alerts") : text);
    }
    return out;
}

template<typename T>
T *child(const QObject &w, const char *name)
{
    T *c = w.findChild<T *>(QLatin1String(name));
    REQUIRE(c);
    return c;
}

// A session and its window on the workspace file at `path`.
struct Window
{
    Session session;
    std::unique_ptr<ui::MainWindow> window;
    explicit Window(const QString &path)
    {
        const Workspace ws = loadWorkspace(path);
        session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
        QStringList issues;
        for (const WorkspaceIssue &i : ws.issues)
            issues << i.toString();
        session.open(ws);
        window = std::make_unique<ui::MainWindow>(&session, issues);
        window->resize(1400, 900);
        window->show();
        REQUIRE(QTest::qWaitForWindowExposed(window.get()));
    }
    ~Window() { window.reset(); }
    QListWidget *list() const { return child<QListWidget>(*window, "dashboardList"); }
    QLabel *banner() const { return child<QLabel>(*window, "issuesBanner"); }
};

// Settings in a folder of the test's own: nothing reaches the real ~/.config.
struct IsolatedSettings
{
    QTemporaryDir dir;
    IsolatedSettings()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
        ui::MainWindow::settings().clear();
    }
};

const char *kLatency = R"(# the team's workspace: this comment stays
connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:%1", timeout: 1s }
dashboards:
  - name: Latency
    panels:
      - title: p99
        query: histogram_quantile(0.99, sum by (le) (rate(model_request_duration_seconds_bucket[1m])))
        unit: s
)";

} // namespace

TEST_CASE("Workspace reload: an edit on disk adds the new dashboard, reports a broken key with file and line, keeps the rest",
          "[ui][workspace][reload]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("team.yaml"));
    const quint16 port = freeLoopbackPort();
    const QByteArray v1 = QString::fromLatin1(kLatency).arg(port).toUtf8();
    saveInPlace(path, v1);
    Window w(path);
    QPointer<ui::DashboardView> latency = w.window->dashboardView(QStringLiteral("Latency"));
    REQUIRE(latency);
    CHECK(w.banner()->isHidden());
    CHECK(listTexts(w.list()) == QStringList{"Latency", "Alerts", "Server rules"});
    QSignalSpy applied(w.window.get(), &ui::MainWindow::workspaceApplied);

    // A second dashboard whose second panel has a misspelt key, and a rule.
    const QByteArray v2 = v1 + R"(  - name: Errors
    panels:
      - title: Error ratio
        query: sum(rate(model_errors_total[1m])) / sum(rate(model_requests_total[1m]))
      - title: Requests
        query: sum(rate(model_requests_total[1m]))
        unti: reqps
rules:
  - name: ErrorsHigh
    query: sum(rate(model_errors_total[1m])) / sum(rate(model_requests_total[1m]))
    above: 0.05
)";
    saveByRename(path, v2);
    REQUIRE(waitUntil([&] { return w.window->dashboardView(QStringLiteral("Errors")) != nullptr; }, 10'000));
    CHECK(applied.size() == 1);
    CHECK(listTexts(w.list()) == QStringList{"Latency", "Errors", "Alerts", "Server rules"});
    // The unchanged dashboard keeps its view; the one on screen stays on screen.
    CHECK(w.window->dashboardView(QStringLiteral("Latency")) == latency.data());
    CHECK(w.window->currentViewName() == QStringLiteral("dashboard:Latency"));
    CHECK(w.session.activeDashboard() == QStringLiteral("Latency"));
    // The bad key is named with its file and line; its panel and dashboard are kept.
    const QString expected = QStringLiteral("team.yaml:%1: unknown key 'unti'").arg(lineOf(v2, "unti:"));
    INFO(w.window->issues().join('\n').toStdString());
    REQUIRE(w.window->issues().size() == 1);
    CHECK(w.window->issues().first().startsWith(expected));
    CHECK(w.window->issues().first().contains(QStringLiteral("did you mean 'unit'?")));
    CHECK(w.banner()->isVisible());
    CHECK(w.banner()->text().contains(expected));
    CHECK(w.window->dashboardView(QStringLiteral("Errors"))->panels().size() == 2);
    CHECK(w.session.workspace().rules.size() == 1);
    bool ruleLoaded = false;
    w.session.withEngine([&](alerting::AlertEngine &e) { ruleLoaded = e.rules().size() == 1; });
    CHECK(ruleLoaded);
    CHECK(w.window->findChild<QAction *>(QStringLiteral("openWorkspaceAction")));

    // A YAML syntax error: nothing of the file can be used, so the window keeps
    // what it shows and says why.
    saveByRename(path, v2 + "  - name: [unclosed\n");
    REQUIRE(waitUntil([&] { return w.banner()->text().contains(QStringLiteral("YAML syntax error")); }, 10'000));
    CHECK(w.banner()->text().contains(QStringLiteral("still showing the workspace as last loaded")));
    CHECK(w.session.workspace().dashboards.size() == 2);
    CHECK(listTexts(w.list()) == QStringList{"Latency", "Errors", "Alerts", "Server rules"});
    CHECK(applied.size() == 1);

    // Rewritten in place (the watch follows the renamed file): Latency goes,
    // the window moves to what is left, the problems are gone.
    const QByteArray v3 = QString::fromLatin1(R"(connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:%1", timeout: 1s }
dashboards:
  - name: Errors
    panels:
      - title: Error ratio
        query: sum(rate(model_errors_total[1m])) / sum(rate(model_requests_total[1m]))
)").arg(port).toUtf8();
    saveInPlace(path, v3);
    REQUIRE(waitUntil([&] { return applied.size() == 2; }, 10'000));
    CHECK(listTexts(w.list()) == QStringList{"Errors", "Alerts", "Server rules"});
    CHECK(w.window->currentViewName() == QStringLiteral("dashboard:Errors"));
    CHECK(w.session.activeDashboard() == QStringLiteral("Errors"));
    CHECK(w.banner()->isHidden());
    CHECK(w.session.workspace().rules.isEmpty());
    CHECK(waitUntil([&] { return latency.isNull(); }, 5'000));
    // The Errors dashboard changed (one panel less): a new view with one panel.
    CHECK(w.window->dashboardView(QStringLiteral("Errors"))->panels().size() == 1);

    // Touched without a change: nothing is applied again.
    saveInPlace(path, v3);
    QTest::qWait(3 * ui::MainWindow::kReloadQuietMs);
    CHECK(applied.size() == 2);
}

TEST_CASE("Workspace reload: a Prometheus rule file named under rule_files is watched too, and one created later is read",
          "[ui][workspace][reload][rules]")
{
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral("rules"));
    const QString path = dir.filePath(QStringLiteral("team.yaml"));
    const QString ruleFile = dir.filePath(QStringLiteral("rules/latency.yml"));
    const QString laterFile = dir.filePath(QStringLiteral("rules/later.yml"));
    const quint16 port = freeLoopbackPort();
    const QByteArray ruleV1 = R"(groups:
  - name: latency
    rules:
      - alert: HighP99Latency
        expr: histogram_quantile(0.99, sum by (le) (rate(model_request_duration_seconds_bucket[1m]))) > 0.25
        for: 1m
)";
    saveInPlace(ruleFile, ruleV1);
    // later.yml does not exist yet: named, reported, watched for.
    saveInPlace(path, QString::fromLatin1(kLatency).arg(port).toUtf8()
                          + "rule_files: [rules/latency.yml, rules/later.yml]\n");
    Window w(path);
    QSignalSpy applied(w.window.get(), &ui::MainWindow::workspaceApplied);
    auto ruleNames = [&] {
        QStringList names;
        w.session.withEngine([&](alerting::AlertEngine &e) {
            for (const auto &r : e.rules())
                names << r.rule.name;
        });
        names.sort();
        return names;
    };
    REQUIRE(ruleNames() == QStringList{"HighP99Latency"});
    CHECK(w.window->issues().join('\n').contains(QStringLiteral("cannot open rule file")));

    // Only the rule file changes (saved by rename, as editors do): a second rule.
    saveByRename(ruleFile, ruleV1 + R"(      - alert: ErrorsHigh
        expr: sum(rate(model_errors_total[1m])) / sum(rate(model_requests_total[1m])) > 0.05
)");
    REQUIRE(waitUntil([&] { return ruleNames().size() == 2; }, 10'000));
    CHECK(ruleNames() == QStringList{"ErrorsHigh", "HighP99Latency"});
    CHECK(applied.size() == 1);

    // A mistake in the rule file is named with that file and its line.
    const QByteArray broken = ruleV1 + "        labels: { severity: critical }\n        lables: {}\n";
    saveInPlace(ruleFile, broken);
    REQUIRE(waitUntil([&] { return applied.size() == 2; }, 10'000));
    INFO(w.window->issues().join('\n').toStdString());
    CHECK(w.window->issues().join('\n').contains(QStringLiteral("latency.yml:%1:").arg(lineOf(broken, "lables:"))));

    // The missing file appears: its rule is read, and its problem is gone.
    saveByRename(laterFile, R"(groups:
  - name: later
    rules:
      - alert: ThroughputLow
        expr: sum(rate(model_requests_total[1m])) < 1
)");
    REQUIRE(waitUntil([&] { return ruleNames().contains(QStringLiteral("ThroughputLow")); }, 10'000));
    CHECK_FALSE(w.window->issues().join('\n').contains(QStringLiteral("cannot open rule file")));
}

TEST_CASE("Workspace reload: a connection saved in the Connections dialog is used at once", "[ui][workspace][connections]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("team.yaml"));
    const quint16 before = freeLoopbackPort();
    saveInPlace(path, QString::fromLatin1(kLatency).arg(before).toUtf8());
    Window w(path);
    // Nothing listens there: the connection is down, naming the port.
    REQUIRE(waitUntil([&] { return w.window->healthText(QStringLiteral("prom")).contains(QStringLiteral(": down")); }, 15'000));
    CHECK(w.window->healthText(QStringLiteral("prom")).contains(QString::number(before)));

    child<QAction>(*w.window, "connectionsAction")->trigger();
    auto *dialog = w.window->findChild<ui::ConnectionsDialog *>();
    REQUIRE(dialog);
    QSignalSpy saved(dialog, &ui::ConnectionsDialog::saveFinished);
    child<QListWidget>(*dialog, "connectionList")->setCurrentRow(0);
    quint16 after = freeLoopbackPort();
    while (after == before)
        after = freeLoopbackPort();
    auto *url = child<QLineEdit>(*dialog, "urlEdit");
    url->clear();
    QTest::keyClicks(url, QStringLiteral("http://127.0.0.1:%1").arg(after));
    QTest::mouseClick(child<QPushButton>(*dialog, "saveButton"), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return !saved.isEmpty(); }, 10'000));
    REQUIRE(saved.first().first().toBool());
    CHECK(child<QLabel>(*dialog, "saveStatus")->text().contains(QStringLiteral("the window uses it now")));

    // The session asks the new address: its failures name the new port.
    CHECK(w.session.workspace().connection(QStringLiteral("prom"))->url.endsWith(QString::number(after)));
    REQUIRE(waitUntil([&] {
        return w.window->healthText(QStringLiteral("prom")).contains(QStringLiteral(":%1").arg(after));
    }, 15'000));
    dialog->close();
}

TEST_CASE("Recent workspaces: the last eight, newest first, and Open recent and Open… switch the window",
          "[ui][workspace][settings]")
{
    IsolatedSettings settings;
    QTemporaryDir dir;
    QStringList files;
    for (int i = 0; i < 10; ++i) {
        files << dir.filePath(QStringLiteral("ws%1.yaml").arg(i));
        saveInPlace(files.last(), QStringLiteral("connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:1\" }\n"
                                                 "dashboards:\n  - name: Board %1\n    panels:\n      - title: up\n        query: up\n")
                                      .arg(i).toUtf8());
        ui::MainWindow::addRecentWorkspace(files.last());
    }
    QStringList recent = ui::MainWindow::recentWorkspaces();
    REQUIRE(recent.size() == ui::MainWindow::kMaxRecent);
    CHECK(recent.first() == files[9]);
    CHECK(recent.last() == files[2]);
    // Opened again: to the front, not twice.
    ui::MainWindow::addRecentWorkspace(files[5]);
    recent = ui::MainWindow::recentWorkspaces();
    CHECK(recent.size() == 8);
    CHECK(recent.first() == files[5]);
    CHECK(recent.count(files[5]) == 1);
    // The newest one gone from disk: the next that exists.
    CHECK(ui::MainWindow::lastWorkspace() == files[5]);
    QFile::remove(files[5]);
    CHECK(ui::MainWindow::lastWorkspace() == files[9]);
    // The built-in demo is never listed.
    ui::MainWindow::addRecentWorkspace(QStringLiteral(":/workspaces/demo.yaml"));
    CHECK(ui::MainWindow::recentWorkspaces().first() == files[5]);

    Window w(files[0]);
    w.window->restoreSettings(); // from here on the window keeps the list
    CHECK(ui::MainWindow::recentWorkspaces().first() == files[0]);
    auto *recentMenu = child<QMenu>(*w.window, "recentMenu");
    QAction *entry = nullptr;
    for (QAction *a : recentMenu->actions())
        if (a->text().contains(QStringLiteral("ws9.yaml")))
            entry = a;
    REQUIRE(entry);
    QSignalSpy opened(w.window.get(), &ui::MainWindow::workspaceOpened);
    entry->trigger();
    REQUIRE(opened.size() == 1);
    CHECK(opened.first().first().toString() == files[9]);
    CHECK(w.session.workspace().path == files[9]);
    CHECK(w.window->windowTitle() == QStringLiteral("Vigil — ws9.yaml"));
    CHECK(listTexts(w.list()) == QStringList{"Board 9", "Alerts", "Server rules"});
    CHECK(w.session.activeDashboard() == QStringLiteral("Board 9"));
    CHECK(ui::MainWindow::recentWorkspaces().first() == files[9]);
    // A missing file's entry is there, greyed out.
    bool greyed = false;
    for (QAction *a : recentMenu->actions())
        greyed |= a->text().contains(QStringLiteral("ws5.yaml")) && !a->isEnabled();
    CHECK(greyed);

    // Open… (Ctrl+O), the file chosen in the dialog.
    auto *open = child<QAction>(*w.window, "openWorkspaceAction");
    CHECK(open->shortcut() == QKeySequence(QKeySequence::Open));
    w.window->setFileChooser([&](const QString &) { return files[3]; });
    open->trigger();
    CHECK(w.session.workspace().path == files[3]);
    CHECK(listTexts(w.list()) == QStringList{"Board 3", "Alerts", "Server rules"});
    // The file of the workspace now open is the one watched.
    saveByRename(files[3], readFile(files[3]).replace("Board 3", "Board three"));
    REQUIRE(waitUntil([&] { return listTexts(w.list()).contains(QStringLiteral("Board three")); }, 10'000));
    saveByRename(files[9], readFile(files[9]).replace("Board 9", "Board nine"));
    QTest::qWait(3 * ui::MainWindow::kReloadQuietMs);
    CHECK(listTexts(w.list()) == QStringList{"Board three", "Alerts", "Server rules"});
    // Cancel in the dialog: nothing changes.
    w.window->setFileChooser([](const QString &) { return QString(); });
    open->trigger();
    CHECK(w.session.workspace().path == files[3]);
}

TEST_CASE("vigil without --workspace reopens the last workspace, else the built-in demo", "[ui][workspace][cli][settings]")
{
    QTemporaryDir home;
    const QString config = home.filePath(QStringLiteral("config"));
    const QString runtime = home.filePath(QStringLiteral("runtime"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString path = home.filePath(QStringLiteral("last.yaml"));
    saveInPlace(path, "connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:1\" }\n"
                      "dashboards:\n  - name: Last\n    panels:\n      - title: up\n        query: up\n");
    {
        // Where `vigil` keeps its settings on Linux: $XDG_CONFIG_HOME/vigil/vigil.conf.
        QSettings s(config + QStringLiteral("/vigil/vigil.conf"), QSettings::IniFormat);
        s.setValue(QStringLiteral("workspace/recent"), QStringList{path});
    }
    auto launch = [&] {
        QProcess vigil;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
        env.insert("XDG_CONFIG_HOME", config);
        env.insert("XDG_STATE_HOME", home.filePath(QStringLiteral("state")));
        env.insert("XDG_RUNTIME_DIR", runtime);
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.remove("VIGIL_DEMO_KIND");
        vigil.setProcessEnvironment(env);
        vigil.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"), {});
        REQUIRE(vigil.waitForStarted(10'000));
        QByteArray err;
        waitUntil([&] {
            err += vigil.readAllStandardError();
            return err.contains("no --workspace");
        }, 30'000);
        vigil.kill();
        vigil.waitForFinished(10'000);
        return QString::fromUtf8(err + vigil.readAllStandardError());
    };
    const QString first = launch();
    INFO(first.toStdString());
    CHECK(first.contains(QStringLiteral("no --workspace: reopening the last workspace, %1").arg(path)));
    QFile::remove(path);
    const QString second = launch();
    INFO(second.toStdString());
    CHECK(second.contains(QStringLiteral("no recent workspace that still exists: the built-in demo")));
}

TEST_CASE("The built-in demo workspace is never written: adding a dashboard asks for a copy first",
          "[ui][workspace][grafana]")
{
    IsolatedSettings settings;
    qunsetenv("VIGIL_DEMO_KIND");
    QTemporaryDir dir;
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const Workspace demo = loadWorkspace(QStringLiteral(":/workspaces/demo.yaml"));
    REQUIRE_FALSE(demo.hasErrors());
    session.open(demo);
    ui::MainWindow window(&session, {});
    window.restoreSettings(); // keeps the recent list (the demo is not on it)
    window.show();
    REQUIRE(QTest::qWaitForWindowExposed(&window));
    CHECK(ui::MainWindow::isBuiltInWorkspace(session.workspace().path));
    CHECK(ui::MainWindow::recentWorkspaces().isEmpty());

    // The palette offers both ways to a dashboard without YAML.
    QStringList palette;
    for (const ui::CommandPalette::Entry &e : window.paletteEntries())
        palette << e.text;
    CHECK(palette.contains(QStringLiteral("New dashboard from connection…")));
    CHECK(palette.contains(QStringLiteral("Import Grafana dashboard…")));
    CHECK(palette.contains(QStringLiteral("Open workspace…")));

    QPointer<ui::GrafanaImportDialog> dialog =
        window.importGrafanaDashboard(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/grafana/model-serving.json"));
    REQUIRE(dialog);
    CHECK(child<QLabel>(*dialog, "readOnlyNote")->isVisible());
    // No copy chosen: nothing written, the dialog says why.
    QStringList asked;
    window.setFileChooser([&](const QString &title) {
        asked << title;
        return QString();
    });
    QTest::mouseClick(dialog->addButton(), Qt::LeftButton);
    CHECK(asked == QStringList{"Save a copy of the demo workspace as"});
    CHECK(dialog->statusLabel()->text().startsWith(QStringLiteral("Not added: the built-in demo workspace cannot be changed")));
    CHECK(ui::MainWindow::isBuiltInWorkspace(session.workspace().path));

    // A copy chosen: the demo's text is copied byte for byte, opened, and the dashboard added to it.
    const QString copy = dir.filePath(QStringLiteral("my-demo.yaml"));
    window.setFileChooser([&](const QString &) { return copy; });
    QTest::mouseClick(dialog->addButton(), Qt::LeftButton);
    CHECK(session.workspace().path == copy);
    CHECK(waitUntil([&] { return dialog.isNull() || !dialog->isVisible(); }, 5'000));
    QFile resource(QStringLiteral(":/workspaces/demo.yaml"));
    REQUIRE(resource.open(QIODevice::ReadOnly));
    const QByteArray demoText = resource.readAll();
    const QByteArray written = readFile(copy);
    CHECK(written.startsWith(demoText));
    const Workspace ws = loadWorkspace(copy);
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.dashboard(QStringLiteral("Model serving")));
    CHECK(ws.dashboards.size() == demo.dashboards.size() + 1);
    CHECK(window.currentViewName() == QStringLiteral("dashboard:Model serving"));
    CHECK(ui::MainWindow::recentWorkspaces().value(0) == copy);
}

namespace {

struct LiveStack
{
    TestStack stack;
    QUrl prometheus;
    LiveStack()
    {
        const QUrl fleet = stack.startDemoFleet(60.0);
        prometheus = stack.startPrometheus({fleet}, 1000);
        // Scraped twice, so rates have two points and metadata is known.
        const QUrl series(prometheus.toString() + QStringLiteral("/api/v1/query?query=count(rate(model_requests_total[10s]))"));
        REQUIRE(waitUntil([&] { return httpGet(series).body.contains("\"value\""); }, 30'000));
    }
};

} // namespace

TEST_CASE("New dashboard from connection: a workspace with only a Prometheus connection gets a proposed dashboard with data",
          "[ui][workspace][live][discovery]")
{
    LiveStack live;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("start.yaml"));
    const QByteArray original = QStringLiteral("# Start from your Prometheus\nconnections:\n"
                                               "  prom: { kind: prometheus, url: \"%1\" }  # the team's server\n")
                                    .arg(live.prometheus.toString()).toUtf8();
    saveInPlace(path, original);
    Window w(path);
    CHECK(listTexts(w.list()) == QStringList{"(no dashboards)", "Alerts", "Server rules"});

    QPointer<ui::ProposeDashboardDialog> dialog = w.window->newDashboardFromConnection();
    REQUIRE(dialog);
    QSignalSpy finished(dialog.data(), &ui::ProposeDashboardDialog::discoveryFinished);
    // Discovery runs off the GUI thread: busy bar and Cancel until it answers.
    CHECK(dialog->isDiscovering());
    CHECK(dialog->progressBar()->isVisible());
    CHECK(dialog->cancelButton()->isVisible());
    CHECK_FALSE(dialog->addButton()->isEnabled());
    CHECK(dialog->connectionCombo()->currentText() == QStringLiteral("prom"));
    // Cancel: no answer is shown, the dialog is ready again.
    dialog->cancelButton()->click();
    CHECK_FALSE(dialog->isDiscovering());
    CHECK(dialog->progressBar()->isHidden());
    CHECK(dialog->statusLabel()->text() == QStringLiteral("Discovery canceled."));
    REQUIRE(finished.size() == 1);
    CHECK_FALSE(finished.first().first().toBool());

    finished.clear();
    dialog->discoverButton()->click();
    REQUIRE(waitUntil([&] { return !finished.isEmpty(); }, 40'000));
    INFO(dialog->statusLabel()->text().toStdString());
    REQUIRE(finished.first().first().toBool());
    ui::DashboardPreview *preview = dialog->preview();
    const int proposed = preview->panelCount();
    CHECK(proposed >= 4);
    CHECK(preview->checkedCount() == proposed);
    CHECK(preview->nameEdit()->text() == QStringLiteral("prom (proposed)"));
    CHECK(preview->notesLabel()->text().contains(QStringLiteral("metric names found")));
    QStringList titles;
    for (int i = 0; i < preview->panelList()->count(); ++i)
        titles << preview->panelList()->item(i)->text();
    INFO(titles.join(" | ").toStdString());
    CHECK(titles.join('\n').contains(QStringLiteral("model_request_duration_seconds")));
    CHECK(dialog->addButton()->isEnabled());
    dialog->resize(820, 720);
    CHECK(dialog->grab().save(screenshotDir() + QStringLiteral("/propose-dialog.png"), "PNG"));

    // The last panel left out, the dashboard renamed, then added.
    preview->panelList()->item(proposed - 1)->setCheckState(Qt::Unchecked);
    CHECK(preview->checkedCount() == proposed - 1);
    preview->nameEdit()->setText(QStringLiteral("Serving"));
    QTest::mouseClick(dialog->addButton(), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return w.window->dashboardView(QStringLiteral("Serving")) != nullptr; }, 5'000));
    CHECK(waitUntil([&] { return dialog.isNull() || !dialog->isVisible(); }, 5'000));

    // The file: the old text byte for byte, then the dashboard.
    const QByteArray text = readFile(path);
    CHECK(text.startsWith(original));
    CHECK(text.mid(original.size()).startsWith("dashboards:\n  - name: \"Serving\"\n"));
    const Workspace ws = loadWorkspace(path);
    INFO(ws.errorMessages().join('\n').toStdString());
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.dashboards.size() == 1);
    CHECK(ws.dashboards.first().panels.size() == proposed - 1);

    // The window shows it, polled, with data in every panel.
    CHECK(listTexts(w.list()) == QStringList{"Serving", "Alerts", "Server rules"});
    CHECK(w.window->currentViewName() == QStringLiteral("dashboard:Serving"));
    ui::DashboardView *view = w.window->currentDashboard();
    REQUIRE(view);
    const bool complete = waitUntil([&] { return view->allPanelsHaveData(); }, 60'000);
    for (const ui::ChartPanel *p : view->panels()) {
        INFO(p->definition().title.toStdString() << ": " << p->stateText().toStdString());
        CHECK(p->hasData());
    }
    REQUIRE(complete);
    view->redrawAll();
    CHECK(w.window->grab().save(screenshotDir() + QStringLiteral("/proposed-dashboard.png"), "PNG"));
}

TEST_CASE("Import Grafana dashboard: the fixture's left-out panels are listed and its 5 panels are added and polled",
          "[ui][workspace][live][grafana]")
{
    LiveStack live;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("team.yaml"));
    const QByteArray original = QStringLiteral("connections:\n  prom: { kind: prometheus, url: \"%1\" }\n"
                                               "dashboards: []  # none yet\n")
                                    .arg(live.prometheus.toString()).toUtf8();
    saveInPlace(path, original);
    Window w(path);
    QPointer<ui::GrafanaImportDialog> dialog =
        w.window->importGrafanaDashboard(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/grafana/model-serving.json"));
    REQUIRE(dialog);
    ui::DashboardPreview *preview = dialog->preview();
    INFO(dialog->statusLabel()->text().toStdString());
    CHECK(preview->panelCount() == 5);
    CHECK(preview->nameEdit()->text() == QStringLiteral("Model serving"));
    QStringList skipped;
    for (int i = 0; i < preview->skippedList()->count(); ++i)
        skipped << preview->skippedList()->item(i)->text();
    CHECK(skipped == QStringList{"panel 'Serving logs' (logs): Vigil has no logs panel",
                                 "panel 'Runbook' (text): Vigil has no text panel",
                                 "panel 'Latency heatmap' (heatmap): Vigil has no heatmap panel"});
    CHECK(preview->skippedList()->isVisible());
    CHECK(preview->notesLabel()->text().contains(QStringLiteral("variable $model replaced by its current value 'fraud-detector'")));
    CHECK(dialog->statusLabel()->text() == QStringLiteral("5 panels from model-serving.json, 3 left out. Uncheck what you do not want, then Add to workspace."));
    dialog->resize(820, 760);
    CHECK(dialog->grab().save(screenshotDir() + QStringLiteral("/grafana-import-dialog.png"), "PNG"));

    QTest::mouseClick(dialog->addButton(), Qt::LeftButton);
    REQUIRE(waitUntil([&] { return w.window->dashboardView(QStringLiteral("Model serving")) != nullptr; }, 5'000));
    const QByteArray text = readFile(path);
    // `dashboards: []` becomes the list; the lines before it stay as they were.
    CHECK(text.startsWith(original.left(original.indexOf("dashboards:"))));
    CHECK(text.contains("\ndashboards:  # none yet\n  - name: \"Model serving\"\n"));
    const Workspace ws = loadWorkspace(path);
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.dashboard(QStringLiteral("Model serving")));
    CHECK(ws.dashboard(QStringLiteral("Model serving"))->panels.size() == 5);
    ui::DashboardView *view = w.window->currentDashboard();
    REQUIRE(view);
    CHECK(view->name() == QStringLiteral("Model serving"));
    REQUIRE(view->panels().size() == 5);
    // Every panel but the one whose $node the export left undefined has data.
    int withData = 0;
    waitUntil([&] {
        withData = 0;
        for (const ui::ChartPanel *p : view->panels())
            withData += p->hasData() ? 1 : 0;
        return withData >= 4;
    }, 60'000);
    CHECK(withData >= 4);
}
