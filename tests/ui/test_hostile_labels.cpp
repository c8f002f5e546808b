// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile input end to end (issue 8): a label value holding HTML and control
// characters, scraped by a real Prometheus from a target Vigil does not
// control (a FaultServer answering /metrics), must reach every place Vigil
// shows it as the text it is: the chart legend and tooltip, the Alerts view
// (through a rule annotation that quotes {{ $labels.x }}), its tool tip and
// details, and the Slack message (escaped per Slack's mrkdwn rules: &, <, >).
// The desktop notification body is checked in tests/dbus (it needs a bus).
#include <catch2/catch.hpp>

#include "alerts_model.h"
#include "alerts_view.h"
#include "chart_panel.h"
#include "dashboard_view.h"
#include "main_window.h"
#include "session/session.h"
#include "support/fault_server.h"
#include "support/slack_receiver.h"
#include "support/test_stack.h"

#include <QChartView>
#include <QDir>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QJsonDocument>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextDocument>
#include <limits>

using namespace vigil;
using namespace vigil::test;

namespace {

// What a widget that guesses the format (QToolTip, QLabel in AutoText)
// would show for `text`: the text itself, or what is left once it is read as HTML.
QString shownAs(const QString &text)
{
    if (!Qt::mightBeRichText(text))
        return text;
    QTextDocument doc;
    doc.setHtml(text);
    return doc.toPlainText();
}

const QString kHtml = QStringLiteral("<img src=x onerror=alert(1)><b>bold</b>");
// ESC [31m (a terminal colour) and U+202E RIGHT-TO-LEFT OVERRIDE, which would
// make "gnp.exe" read "exe.png".
const QString kControls = QStringLiteral("red\x1b[31m \u202Egnp.exe");
// As the UI shows the control characters: visible, not obeyed.
const QString kControlsShown = QStringLiteral("red\u241B[31m <U+202E>gnp.exe");

} // namespace

TEST_CASE("Hostile label values from a real scrape show as plain text in the legend, tooltip, Alerts view and Slack",
          "[ui][security][e2e]")
{
    // The scrape target: one series whose label values are the attack.
    FaultServer target;
    REQUIRE(target.start());
    const QByteArray exposition = QByteArray("# TYPE hostile_metric gauge\n") + "hostile_metric{model=\"" + kHtml.toUtf8()
                                  + "\",note=\"" + kControls.toUtf8() + "\"} 1\n";
    target.setScript(FaultServer::respond(200, "OK", "text/plain; version=0.0.4", exposition));
    TestStack stack;
    const QUrl prometheus = stack.startPrometheus({target.url()}, 1000);

    SlackWebhookReceiver slack;
    qputenv("VIGIL_SECRET_SLACK_HOSTILE_TEST", slack.url().toUtf8());
    QTemporaryDir dir;
    const QByteArray yaml = QStringLiteral(R"(settings: { evaluation_interval: 1s, refresh: 1s, range: 5m }
connections:
  prom: { kind: prometheus, url: "%1" }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-hostile-test }
routes:
  receiver: oncall-slack
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
dashboards:
  - name: Hostile
    panels:
      - title: Hostile labels
        queries:
          - { expr: hostile_metric, legend: "{{model}} {{note}}" }
rules:
  - name: HostileLabel
    query: hostile_metric
    above: 0
    severity: critical
    annotations:
      summary: "model {{ $labels.model }} note {{ $labels.note }}"
)").arg(prometheus.toString()).toUtf8();
    const Workspace ws = parseWorkspace(yaml, dir.filePath(QStringLiteral("hostile.yaml")));
    INFO(ws.errorMessages().join(u'\n').toStdString());
    REQUIRE_FALSE(ws.hasErrors());

    Session session;
    session.enableAlertPipeline(dir.filePath(QStringLiteral("alerts.db")));
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const QStringList problems = session.open(ws);
    INFO(problems.join(u'\n').toStdString());
    REQUIRE(problems.isEmpty());
    ui::MainWindow window(&session, {});
    window.resize(1400, 800);
    window.show();

    // --- The chart: legend and tooltip.
    ui::DashboardView *view = window.currentDashboard();
    REQUIRE(view);
    REQUIRE(view->panels().size() == 1);
    ui::ChartPanel *panel = view->panels().first();
    REQUIRE(waitUntil([&] { return panel->hasData(); }, 30'000));
    const QString legend = kHtml + u' ' + kControls;
    REQUIRE(panel->legendNames() == QStringList{legend}); // the series' name is the value, unchanged
    // Qt Charts draws legend labels as HTML: what it draws must be the text.
    auto *chartView = panel->findChild<QChartView *>();
    REQUIRE(chartView);
    view->redrawAll();
    QStringList drawn;
    auto legendDrawn = [&] {
        drawn.clear();
        for (QGraphicsItem *item : chartView->scene()->items())
            if (auto *text = qgraphicsitem_cast<QGraphicsTextItem *>(item); text && text->isVisible())
                drawn << text->toPlainText();
        return drawn.contains(kHtml + u' ' + kControlsShown);
    };
    // The legend lays its labels out on the next turn of the event loop.
    const bool legendAsText = waitUntil(legendDrawn, 10'000);
    INFO(drawn.join(QStringLiteral(" | ")).toStdString());
    CHECK(legendAsText);

    const SeriesKey key = session.store()->keysNamed(panel->jobIds().first()).value(0);
    const auto samples = session.store()->range(key, 0, std::numeric_limits<qint64>::max());
    REQUIRE_FALSE(samples.isEmpty());
    panel->setCrosshair(samples.last().t, true);
    const QString tip = panel->tooltipText();
    CHECK(tip.contains(kHtml + u' ' + kControlsShown + QStringLiteral(": 1.00")));
    const auto *tipLabel = panel->findChild<QLabel *>(QStringLiteral("chartTooltip"));
    REQUIRE(tipLabel);
    CHECK(tipLabel->textFormat() == Qt::PlainText);

    // --- The Alerts view: the rule's annotation quotes both labels.
    window.showAlerts();
    ui::AlertsView *alerts = window.alertsView();
    // Before Prometheus' first scrape the rule's query returns nothing, so the rule may first
    // show a no-data instance without labels; wait for the instance of the hostile series.
    int row = -1;
    REQUIRE(waitUntil([&] {
        for (int r = 0; r < alerts->filter()->rowCount(); ++r)
            if (alerts->filter()->index(r, ui::AlertsModel::Model).data().toString() == kHtml) {
                row = r;
                return true;
            }
        return false;
    }, 30'000));
    const QModelIndex summary = alerts->filter()->index(row, ui::AlertsModel::Summary);
    const QString summaryShown = QStringLiteral("model ") + kHtml + QStringLiteral(" note ") + kControlsShown;
    CHECK(summary.data().toString() == summaryShown);
    CHECK(shownAs(summary.data(Qt::ToolTipRole).toString()).contains(kHtml));
    alerts->table()->selectRow(row);
    const QString details = alerts->detailsText();
    CHECK(details.contains(summaryShown));
    CHECK(details.contains(QStringLiteral("note = ") + kControlsShown));
    CHECK_FALSE(details.contains(QChar(0x1b)));
    CHECK_FALSE(details.contains(QChar(0x202e)));
    for (const QLabel *l : alerts->findChildren<QLabel *>())
        CHECK(l->textFormat() == Qt::PlainText);

    const QString shots = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(shots);
    CHECK(window.grab().save(shots + QStringLiteral("/hostile-labels-alerts.png"), "PNG"));
    REQUIRE(window.showDashboard(QStringLiteral("Hostile")));
    CHECK(window.grab().save(shots + QStringLiteral("/hostile-labels-chart.png"), "PNG"));

    // --- Slack: mrkdwn's three characters escaped, nothing rendered as markup.
    // (A first message may be about the rule's query before the first scrape: no labels.)
    QJsonObject message;
    REQUIRE(waitUntil([&] {
        for (const auto &a : slack.arrivals)
            if (a.body.value(QStringLiteral("text")).toString().contains(QStringLiteral("onerror"))) {
                message = a.body;
                return true;
            }
        return false;
    }, 30'000));
    const QString json = QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
    INFO(json.toStdString());
    CHECK(message.value(QStringLiteral("text")).toString().contains(
        QStringLiteral("&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;")));
    CHECK_FALSE(json.contains(QStringLiteral("<img")));
    CHECK_FALSE(json.contains(QStringLiteral("<b>")));
    CHECK_FALSE(json.contains(QStringLiteral("\"mrkdwn\"")));
    // The control characters are made visible, as in the window: Slack's
    // clients would otherwise draw the RLO's reversal or drop the ESC.
    const QString text = message.value(QStringLiteral("text")).toString();
    CHECK(text.contains(QStringLiteral("red\u241B[31m &lt;U+202E&gt;gnp.exe"))); // visible, then escaped for mrkdwn
    CHECK_FALSE(text.contains(QChar(0x1b)));
    CHECK_FALSE(text.contains(QChar(0x202e)));
    qunsetenv("VIGIL_SECRET_SLACK_HOSTILE_TEST");
}
