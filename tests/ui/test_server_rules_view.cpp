// SPDX-License-Identifier: GPL-3.0-or-later
// Prometheus' own rules in the main window, against a real Prometheus 2.42
// with two broken rules and a healthy one: the "Server rules" entry counts the
// broken ones, the view lists them first with health err and Prometheus' own
// error text, and the healthy rule after them; `vigil screenshot --view rules`.
#include <catch2/catch.hpp>

#include "main_window.h"
#include "server_rules_view.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QLabel>
#include <QListWidget>
#include <QTableWidget>

using namespace vigil;
using namespace vigil::test;
using namespace vigil::ui;

namespace {

QString text(ServerRulesView *view, const QString &rule, int column)
{
    const int r = view->rowFor(rule);
    return r >= 0 && view->table()->item(r, column) ? view->table()->item(r, column)->text() : QString();
}

struct Run
{
    int exitCode = -1;
    QString out, err;
};

// `vigil screenshot --view rules` on a workspace of this text.
Run screenshotRules(const TestStack &stack, const QString &workspaceYaml, const QString &out)
{
    const QString path = stack.dir() + QStringLiteral("/rules-cli.yaml");
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(workspaceYaml.toUtf8());
    f.close();
    QProcess vigil;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("VIGIL_PLUGIN_PATH", QStringLiteral(VIGIL_PLUGIN_DIR));
    env.insert("XDG_STATE_HOME", stack.dir() + "/state");
    vigil.setProcessEnvironment(env);
    vigil.start(QStringLiteral(VIGIL_BIN_DIR "/vigil"),
                {"screenshot", "--workspace", path, "--view", "rules", "-o", out, "--timeout", "20s"});
    REQUIRE(vigil.waitForStarted(10'000));
    REQUIRE(waitUntil([&] { return vigil.state() == QProcess::NotRunning; }, 60'000));
    return {vigil.exitCode(), QString::fromUtf8(vigil.readAllStandardOutput()), QString::fromUtf8(vigil.readAllStandardError())};
}

} // namespace

TEST_CASE("Server rules view shows a Prometheus rule that is broken, first, with its last error", "[ui][rules]")
{
    TestStack stack;
    TestStack::PrometheusRules rules;
    rules.rulesYaml = QStringLiteral(
        "groups:\n"
        "  - name: vigil-test\n"
        "    interval: 1s\n"
        "    rules:\n"
        "      - alert: AlwaysFiring\n"
        "        expr: vector(1) > 0\n"
        "        labels: {severity: page}\n"
        "      - alert: BrokenRule\n"
        // Both sides of `or` end up with the same (empty) label set.
        "        expr: label_replace(vector(1) or label_replace(vector(2), \"a\", \"b\", \"\", \"\"), \"a\", \"\", \"\", \"\")\n"
        "      - record: vigil:broken:sum\n"
        "        expr: vector(1) + on() group_left() (vector(1) or label_replace(vector(1), \"a\", \"b\", \"\", \"\"))\n");
    const QUrl promUrl = stack.startPrometheus({}, 1000, rules);

    const QString yaml = QStringLiteral("connections:\n  prom: { kind: prometheus, url: '%1' }\n").arg(promUrl.toString());
    const Workspace ws = parseWorkspace(yaml.toUtf8(), QStringLiteral("rules-test.yaml"));
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    CHECK(session.ruleStatusConnections() == QStringList{"prom"});

    MainWindow window(&session, {});
    window.resize(1400, 640);
    window.show();
    REQUIRE(window.showView(QStringLiteral("rules")));
    CHECK(window.currentViewName() == "rules");
    ServerRulesView *view = window.serverRulesView();
    REQUIRE(view);

    // Every rule evaluated at least once (Prometheus starts them a second apart).
    QElapsedTimer since;
    since.start();
    const bool evaluated = waitUntil([&] {
        if (since.elapsed() >= 500) {
            session.refreshRuleStatus();
            since.restart();
        }
        const QList<RuleGroupRow> groups = session.ruleGroupRows();
        if (groups.size() != 1 || groups.at(0).group.rules.size() != 3)
            return false;
        for (const RuleInfo &r : groups.at(0).group.rules)
            if (r.lastEvaluationMs == 0 || r.health == RuleInfo::Health::Unknown)
                return false;
        return view->brokenCount() == 2;
    }, 20'000);
    INFO(stack.outputOf("prometheus-1").toStdString());
    REQUIRE(evaluated);

    // Broken first, with Prometheus' words; the healthy rule last.
    CHECK(view->table()->rowCount() == 3);
    CHECK(view->rowFor("BrokenRule") == 0);
    CHECK(view->rowFor("vigil:broken:sum") == 1);
    CHECK(view->rowFor("AlwaysFiring") == 2);
    CHECK(text(view, "BrokenRule", ServerRulesView::Health) == "err");
    CHECK(text(view, "BrokenRule", ServerRulesView::LastError) == "vector cannot contain metrics with the same labelset");
    CHECK(text(view, "BrokenRule", ServerRulesView::Type) == "alerting");
    CHECK(text(view, "BrokenRule", ServerRulesView::Group) == "vigil-test");
    CHECK(text(view, "BrokenRule", ServerRulesView::Connection) == "prom");
    CHECK(text(view, "vigil:broken:sum", ServerRulesView::Type) == "recording");
    CHECK(text(view, "vigil:broken:sum", ServerRulesView::LastError).contains("many-to-many matching not allowed"));
    CHECK(text(view, "AlwaysFiring", ServerRulesView::Health) == "ok");
    CHECK(text(view, "AlwaysFiring", ServerRulesView::LastError).isEmpty());
    CHECK(text(view, "BrokenRule", ServerRulesView::LastEvaluation).endsWith(" s ago"));
    CHECK_FALSE(text(view, "BrokenRule", ServerRulesView::EvaluationTime).isEmpty());
    // Highlighted: the broken rows have a background, the healthy one none.
    CHECK(view->table()->item(0, ServerRulesView::Rule)->background().style() != Qt::NoBrush);
    CHECK(view->table()->item(2, ServerRulesView::Rule)->background().style() == Qt::NoBrush);

    // The banner and the side list count them.
    CHECK(view->banner()->text() == "2 rules broken on prom");
    const QList<QListWidgetItem *> items = window.findChild<QListWidget *>(QStringLiteral("dashboardList"))
                                               ->findItems(QStringLiteral("Server rules (2 broken)"), Qt::MatchExactly);
    CHECK(items.size() == 1);

    // The details carry the whole error and the query, as plain text.
    view->table()->setCurrentCell(0, 0);
    CHECK(view->detailsText().contains("Last error: vector cannot contain metrics with the same labelset"));
    CHECK(view->detailsText().contains("Query: label_replace("));

    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    window.grab().save(dir + QStringLiteral("/server-rules.png"));

    // The same from the command line.
    const QString out = dir + QStringLiteral("/server-rules-cli.png");
    QFile::remove(out);
    const Run ok = screenshotRules(stack, yaml, out);
    INFO(ok.err.toStdString());
    CHECK(ok.exitCode == 0);
    CHECK(ok.out.contains("wrote "));
    CHECK(QImage(out).width() == 1600);
    // No connection that reports rules: said, exit 1.
    const Run none = screenshotRules(stack, QStringLiteral("connections: {}\n"), out);
    CHECK(none.exitCode == 1);
    CHECK(none.err.contains("no connection in "));
    CHECK(none.err.contains("reports its own rules (a Prometheus), so there is no rules view"));
}

TEST_CASE("Server rules view says which connection cannot report its rules", "[ui][rules]")
{
    // Nothing listens on this port: the view says so and counts nothing broken.
    const quint16 port = freeLoopbackPort();
    const QString yaml = QStringLiteral("connections:\n  prom: { kind: prometheus, url: 'http://127.0.0.1:%1', timeout: 2s }\n").arg(port);
    const Workspace ws = parseWorkspace(yaml.toUtf8(), QStringLiteral("rules-down.yaml"));
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ServerRulesView view(&session);
    REQUIRE(waitUntil([&] { return !session.ruleStatusErrors().isEmpty(); }, 10'000));
    QLabel *errors = view.findChild<QLabel *>(QStringLiteral("serverRulesErrors"));
    REQUIRE(errors);
    CHECK(errors->text().startsWith("prom: reading the server's rules"));
    CHECK(errors->text().contains("connection refused"));
    CHECK(view.brokenCount() == 0);
    CHECK(view.banner()->text() == "No rules read yet");
}
