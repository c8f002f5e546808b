// SPDX-License-Identifier: GPL-3.0-or-later
// The Alerts view driven like a user, offscreen: rules on the in-process demo
// fleet fire, A acknowledges with a comment, U un-acknowledges, J/K move, S
// opens a silence prefilled with the alert's labels.
#include <catch2/catch.hpp>

#include "alerts_view.h"
#include "chart_panel.h"
#include "dashboard_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QInputDialog>
#include <QLabel>
#include <QSignalSpy>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTest>
#include <QTemporaryDir>
#include <QTimer>

using namespace vigil;
using namespace vigil::test;

namespace {

// Every demo series of model_quality{metric="precision"} is above 0: with
// for: 0 every one fires on the first evaluation.
const char *kWorkspace = R"(settings: { evaluation_interval: 1s }
connections:
  prom: { kind: demo }
dashboards:
  - name: Quality
    panels:
      - { title: Precision, query: 'model_quality{metric="precision"}' }
rules:
  - name: PrecisionReported
    query: model_quality{metric="precision"}
    above: 0
    severity: critical
    annotations:
      summary: "precision of {{ $labels.model }} {{ $labels.version }} is {{ $value }}"
  - name: AlwaysFine
    query: model_quality{metric="precision"}
    above: 2
)";

// Answers the next modal dialog (QInputDialog or the silence dialog) from
// inside its event loop, as a person would.
void answerNextDialog(std::function<void(QDialog *)> answer)
{
    QTimer::singleShot(0, [answer] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog) {
            answerNextDialog(answer); // not shown yet: try on the next turn
            return;
        }
        answer(dialog);
    });
}

QString screenshotDir()
{
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

} // namespace

TEST_CASE("Alerts view: alerts fire, A acknowledges, U un-acknowledges, J and K move, S prefills a silence", "[ui][alerts]")
{
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("alerts-test.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    qputenv("VIGIL_USER", "alice");
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.plugins().hasKind("demo"));
    REQUIRE(session.open(ws).isEmpty());

    ui::MainWindow window(&session, {});
    window.resize(1400, 800);
    window.show();
    window.showAlerts();
    REQUIRE(window.alertsVisible());
    ui::AlertsView *view = window.alertsView();
    QTableView *table = view->table();

    // Four series (two models x two versions) fire at once.
    REQUIRE(waitUntil([&] { return view->attentionCount() == 4; }, 20'000));
    CHECK(view->filter()->rowCount() == 4);
    CHECK(window.alertSummary() == "4 firing, not acknowledged");
    const int stateCol = ui::AlertsModel::State;
    for (int r = 0; r < 4; ++r) {
        CHECK(view->filter()->index(r, stateCol).data().toString() == "Firing");
        CHECK(view->filter()->index(r, ui::AlertsModel::Alert).data().toString() == "PrecisionReported");
        CHECK(view->filter()->index(r, ui::AlertsModel::Summary).data().toString().startsWith("precision of "));
    }

    // J / K move the selection.
    table->setFocus();
    table->selectRow(0);
    QTest::keyClick(table, Qt::Key_J);
    CHECK(table->currentIndex().row() == 1);
    QTest::keyClick(table, Qt::Key_J);
    QTest::keyClick(table, Qt::Key_K);
    CHECK(table->currentIndex().row() == 1);
    const QString fp = view->selectedFingerprint();
    REQUIRE_FALSE(fp.isEmpty());

    // A: acknowledge with a comment typed into the dialog.
    answerNextDialog([](QDialog *d) {
        auto *input = qobject_cast<QInputDialog *>(d);
        REQUIRE(input);
        input->setTextValue(QStringLiteral("looking at it"));
        input->accept();
    });
    QTest::keyClick(table, Qt::Key_A);
    REQUIRE(waitUntil([&] { return view->attentionCount() == 3; }, 10'000));
    const ui::AlertsModel *model = view->model();
    REQUIRE(model->rowFor(fp));
    const alerting::AlertRow row = *model->rowFor(fp);
    REQUIRE(row.ack);
    CHECK(row.ack->by == "alice");
    CHECK(row.ack->comment == "looking at it");
    CHECK(ui::AlertsModel::stateText(row) == "Acknowledged");

    // The Firing view hides it; the Acknowledged view shows only it.
    auto *combo = view->findChild<QComboBox *>(QStringLiteral("alertsViewCombo"));
    REQUIRE(combo);
    combo->setCurrentIndex(combo->findText("Firing"));
    CHECK(view->filter()->rowCount() == 3);
    combo->setCurrentIndex(combo->findText("Acknowledged"));
    REQUIRE(view->filter()->rowCount() == 1);
    CHECK(view->filter()->index(0, 0).data(ui::AlertsModel::FingerprintRole).toString() == fp);
    table->selectRow(0);

    // The details pane shows the alert's history; without an alert database
    // (this session has none), it says so instead of staying empty.
    REQUIRE(waitUntil([&] { return view->detailsText().contains("no alert database in this session"); }, 5'000));
    QTest::qWait(50); // let the dialog's window settle before the screenshot
    view->grab().save(screenshotDir() + QStringLiteral("/alerts-view.png"));

    // U: un-acknowledge. (Offscreen, a closed dialog leaves no window active;
    // on a desktop the window manager gives activation back to the parent.)
    QApplication::setActiveWindow(&window);
    table->setFocus();
    QTest::keyClick(table, Qt::Key_U);
    REQUIRE(waitUntil([&] { return view->attentionCount() == 4; }, 10'000));
    combo->setCurrentIndex(combo->findText("Active"));

    // S: the silence dialog comes prefilled with the alert's labels (not severity).
    QApplication::setActiveWindow(&window);
    table->selectRow(0);
    REQUIRE(model->rowFor(view->selectedFingerprint()));
    const alerting::AlertRow first = *model->rowFor(view->selectedFingerprint()); // a copy: reloads replace rows
    QString prefilled;
    answerNextDialog([&](QDialog *d) {
        auto *dialog = qobject_cast<ui::SilenceDialog *>(d);
        REQUIRE(dialog);
        prefilled = dialog->matchersEdit()->toPlainText();
        dialog->commentEdit()->setText(QStringLiteral("deploying the fix"));
        dialog->accept();
    });
    QTest::keyClick(table, Qt::Key_S);
    CHECK(prefilled.contains(QStringLiteral("alertname=\"PrecisionReported\"")));
    CHECK(prefilled.contains(QStringLiteral("model=\"%1\"").arg(first.label("model"))));
    CHECK(prefilled.contains(QStringLiteral("version=\"%1\"").arg(first.label("version"))));
    CHECK_FALSE(prefilled.contains(QStringLiteral("severity")));
    REQUIRE(waitUntil([&] { return view->attentionCount() == 3 && session.silences().size() == 1; }, 10'000));
    CHECK(session.silences().first().createdBy == "alice");
    CHECK(session.silences().first().comment == "deploying the fix");
    qunsetenv("VIGIL_USER");
}

TEST_CASE("Alerts view: the filter finds alerts by label value, and an ack of a resolved alert is refused with a reason", "[ui][alerts]")
{
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("alerts-test.yaml"));
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::AlertsView view(&session);
    view.resize(1200, 600);
    view.show();
    const bool fired = waitUntil([&] { return view.attentionCount() == 4; }, 20'000);
    INFO("rows " << session.alertRows().size() << " errors " << QStringList(session.ruleErrors().values()).join("; ").toStdString());
    REQUIRE(fired);
    auto *search = view.findChild<QLineEdit *>(QStringLiteral("alertsSearch"));
    REQUIRE(search);
    QTest::keyClicks(search, QStringLiteral("spam"));
    CHECK(view.filter()->rowCount() == 2);
    search->clear();
    QTest::keyClicks(search, QStringLiteral("version=v13"));
    CHECK(view.filter()->rowCount() == 1);
    // Typing A in the search box types, it does not acknowledge.
    QTest::keyClicks(search, QStringLiteral("a"));
    CHECK(search->text() == "version=v13a");
    CHECK(view.attentionCount() == 4);

    // A command for an alert that does not exist comes back as a message.
    QSignalSpy failed(&session, &Session::alertCommandFailed);
    session.acknowledge(QStringLiteral("0000000000000000"));
    REQUIRE(failed.wait(5'000));
    CHECK(failed.first().first().toString().contains("no alert with fingerprint 0000000000000000"));
    auto *message = view.findChild<QLabel *>(QStringLiteral("alertsMessage"));
    REQUIRE(message);
    CHECK(message->isVisible());
    CHECK(message->textFormat() == Qt::PlainText);
}

TEST_CASE("Charts draw the thresholds of the rules on their query and a band while one fires", "[ui][alerts]")
{
    const Workspace ws = parseWorkspace(R"(settings: { evaluation_interval: 1s, refresh: 1s, range: 5m }
connections:
  prom: { kind: demo }
dashboards:
  - name: Quality
    panels:
      - { title: Precision, query: 'model_quality{metric="precision"}', unit: percentunit }
      - { title: Other, query: 'model_quality{metric="recall"}' }
rules:
  - name: LowPrecision
    query: model_quality{metric="precision"}
    below: 0.99
    recover_above: 0.995
)", QStringLiteral("overlay.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 700);
    window.show();
    ui::DashboardView *view = window.currentDashboard();
    REQUIRE(view);
    ui::ChartPanel *precision = view->panels()[0];
    ui::ChartPanel *other = view->panels()[1];
    REQUIRE(waitUntil([&] { return precision->hasData() && precision->alertBandCount() == 1; }, 20'000));
    CHECK(precision->thresholdLineCount() == 2); // 0.99 fires, 0.995 recovers
    // The same overlay again is not a change: no needless redraw of the panel.
    const QList<ui::ChartPanel::Threshold> same{{0.99, false, QStringLiteral("LowPrecision")}};
    CHECK(other->setAlertOverlay({}, {}) == false);
    CHECK(other->setAlertOverlay(same, {}) == true);
    CHECK(other->setAlertOverlay(same, {}) == false);
    CHECK(other->setAlertOverlay({}, {}) == true);
    CHECK(other->thresholdLineCount() == 0);
    CHECK(other->alertBandCount() == 0);
    // The lines are not legend entries: the legend still lists the series only.
    for (const QString &name : precision->legendNames())
        CHECK_FALSE(name.contains("LowPrecision"));
    QTest::qWait(300); // let the chart's scene lay out the band and the legend before the grab
    precision->grab().save(screenshotDir() + QStringLiteral("/panel-threshold-band.png"));
    CHECK(ui::DashboardView::normalizedQuery(" sum by (a)(x) ") == ui::DashboardView::normalizedQuery("sum by (a) (x)"));
}

TEST_CASE("Tray balloons announce each alert that newly needs attention, once", "[ui][alerts]")
{
    auto row = [](const char *fp, rules::AlertState state, bool acked = false) {
        alerting::AlertRow r;
        r.instance.id.rule = QStringLiteral("HighP99Latency");
        r.instance.id.fingerprint = QString::fromLatin1(fp);
        r.instance.state = state;
        r.instance.severity = rules::Severity::Critical;
        r.labels = {{"model", "fraud-detector"}, {"version", "v13"}};
        r.summary = QStringLiteral("p99 is 431 ms");
        if (acked)
            r.ack = rules::Ack{};
        return r;
    };
    QSet<QString> seen;
    auto first = ui::MainWindow::balloonsFor({row("a", rules::AlertState::Firing), row("b", rules::AlertState::Pending)}, &seen);
    REQUIRE(first.size() == 1);
    CHECK(first[0].first == "critical · HighP99Latency");
    CHECK(first[0].second == "p99 is 431 ms\nfraud-detector v13");
    // The same alert again: no second balloon; an acknowledged one: none.
    CHECK(ui::MainWindow::balloonsFor({row("a", rules::AlertState::Firing), row("c", rules::AlertState::Firing, true)}, &seen).isEmpty());
    // Resolved, then firing again: announced again.
    CHECK(ui::MainWindow::balloonsFor({row("a", rules::AlertState::Normal)}, &seen).isEmpty());
    CHECK(ui::MainWindow::balloonsFor({row("a", rules::AlertState::Firing)}, &seen).size() == 1);
}

TEST_CASE("Alerts view: the details show the alert's history from the database, acknowledgements included", "[ui][alerts]")
{
    QTemporaryDir state;
    REQUIRE(state.isValid());
    const Workspace ws = parseWorkspace(kWorkspace, QStringLiteral("alerts-test.yaml"));
    qputenv("VIGIL_USER", "bob");
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    session.enableAlertPipeline(state.filePath(QStringLiteral("alerts.db")));
    REQUIRE(session.open(ws).isEmpty());
    ui::AlertsView view(&session);
    view.resize(1200, 700);
    view.show();
    REQUIRE(waitUntil([&] { return view.attentionCount() == 4; }, 20'000));
    view.table()->selectRow(0);
    REQUIRE(waitUntil([&] { return view.detailsText().contains("Normal -> Firing", Qt::CaseInsensitive); }, 10'000));
    view.acknowledgeSelected(QStringLiteral("on it"));
    const bool acked = waitUntil([&] { return view.detailsText().contains("Acknowledged by bob: on it", Qt::CaseInsensitive); }, 10'000);
    INFO(view.detailsText().toStdString());
    CHECK(acked);
    qunsetenv("VIGIL_USER");
}
