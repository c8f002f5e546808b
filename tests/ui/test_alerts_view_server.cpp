// SPDX-License-Identifier: GPL-3.0-or-later
// Server-side alerts in the Alerts view: a real Alertmanager 0.25 holds an
// alert, the view shows it with its source and state, A acknowledges it (a
// silence of exactly its labels on the server, the row turns Silenced), U
// takes that back.
#include <catch2/catch.hpp>

#include "alertmanager_request.h"
#include "alertmanager_response.h"
#include "alerts_view.h"
#include "net/http_client.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QTableView>

using namespace vigil;
using namespace vigil::test;
using namespace vigil::ui;

namespace {

QList<ServerSilence> serverSilences(const QUrl &url)
{
    const SimpleResponse r = httpGet(url.resolved(QUrl(QStringLiteral("/api/v2/silences"))));
    const auto parsed = alertmanager::parseSilences(r.body, r.status, QStringLiteral("application/json"));
    INFO(parsed.message.toStdString());
    REQUIRE(parsed.ok());
    return parsed.value;
}

// The view's row for `fingerprint`, read as the table shows it.
QString cell(AlertsView &view, const QString &fingerprint, int column)
{
    AlertsModel *m = view.model();
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data(AlertsModel::FingerprintRole).toString() == fingerprint)
            return m->index(r, column).data(Qt::DisplayRole).toString();
    }
    return {};
}

// Waits for `predicate`, asking the session to re-read the server every 300 ms.
bool waitWithRefresh(Session &session, const std::function<bool()> &predicate, int timeoutMs = 10'000)
{
    QElapsedTimer since;
    since.start();
    return waitUntil([&] {
        if (since.elapsed() >= 300) {
            session.refreshServerAlerts();
            since.restart();
        }
        return predicate();
    }, timeoutMs);
}

} // namespace

TEST_CASE("Alerts view shows Alertmanager's alerts and A silences exactly the selected one", "[ui][alerts]")
{
    TestStack stack;
    const QUrl url = stack.startAlertmanager();
    ServerAlert posted;
    posted.labels = {{"alertname", "ModelLatencyHigh"}, {"model", "fraud-detector"}, {"severity", "critical"}};
    posted.annotations = {{"summary", "p99 latency of fraud-detector is 412 ms"}};
    ServerAlert neighbour;
    neighbour.labels = {{"alertname", "ModelLatencyHigh"}, {"model", "churn"}, {"severity", "critical"}};
    neighbour.annotations = {{"summary", "p99 latency of churn is 305 ms"}};
    {
        ConnectionSettings s;
        s.url = url;
        HttpClient http(s);
        const HttpResponse r = await(http.postJson(QStringLiteral("/api/v2/alerts"),
                                                   alertmanager::postableAlerts({posted, neighbour})));
        REQUIRE(r.ok());
    }

    const QString yaml = QStringLiteral("connections:\n  am: { kind: alertmanager, url: '%1' }\n").arg(url.toString());
    const Workspace ws = parseWorkspace(yaml.toUtf8(), QStringLiteral("am-test.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    const QStringList errors = session.open(ws);
    INFO(errors.join("\n").toStdString());
    REQUIRE(errors.isEmpty());

    AlertsView view(&session);
    view.resize(1300, 420);
    view.show();

    // Both rows arrive with their source and the server's state.
    REQUIRE(waitWithRefresh(session, [&] { return session.serverAlertRows().size() == 2; }));
    QString fp;
    for (const ServerAlertRow &r : session.serverAlertRows()) {
        CHECK(r.connection == "am");
        if (r.alert.label("model") == "fraud-detector")
            fp = AlertsModel::serverFingerprint(r.connection, r.alert.fingerprint);
    }
    REQUIRE_FALSE(fp.isEmpty());
    REQUIRE(waitUntil([&] { return !cell(view, fp, AlertsModel::Source).isEmpty(); }, 5'000));
    CHECK(cell(view, fp, AlertsModel::Source) == "Alertmanager am");
    CHECK(cell(view, fp, AlertsModel::Alert) == "ModelLatencyHigh");
    CHECK(cell(view, fp, AlertsModel::Severity) == "critical");
    CHECK(cell(view, fp, AlertsModel::State) == "Firing");
    CHECK(cell(view, fp, AlertsModel::Status) == "active");
    CHECK(cell(view, fp, AlertsModel::Summary) == "p99 latency of fraud-detector is 412 ms");
    CHECK(view.attentionCount() == 2);

    // A: a silence of exactly its labels, by the session's user.
    REQUIRE(view.selectFingerprint(fp));
    CHECK(view.detailsText().contains("Source: Alertmanager am, active there"));
    view.acknowledgeSelected(QStringLiteral("on it"));
    REQUIRE(waitWithRefresh(session, [&] { return cell(view, fp, AlertsModel::State) == "Silenced"; }));
    CHECK(cell(view, fp, AlertsModel::Status) == "suppressed");
    CHECK(view.attentionCount() == 1);
    const QList<ServerSilence> silences = serverSilences(url);
    REQUIRE(silences.size() == 1);
    CHECK(silences.at(0).state == SilenceState::Active);
    CHECK(silences.at(0).createdBy == Session::userName());
    CHECK(silences.at(0).comment == "on it");
    // Alertmanager moves a start in the past to its own "now": a millisecond or so later.
    const qint64 span = silences.at(0).endsAtMs - silences.at(0).startsAtMs;
    CHECK(span <= 2 * 3'600'000LL);
    CHECK(span > 2 * 3'600'000LL - 1'000);
    QStringList matchers;
    for (const SilenceMatcher &m : silences.at(0).matchers)
        matchers << m.toString();
    CHECK(matchers == QStringList{"alertname=\"ModelLatencyHigh\"", "model=\"fraud-detector\"", "severity=\"critical\""});
    // The neighbour (same alertname and severity) is not touched.
    for (int r = 0; r < view.model()->rowCount(); ++r) {
        const QModelIndex i = view.model()->index(r, 0);
        if (i.data(AlertsModel::FingerprintRole).toString() != fp)
            CHECK(view.model()->index(r, AlertsModel::Status).data().toString() == "active");
    }

    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    view.table()->resizeColumnsToContents();
    view.grab().save(dir + QStringLiteral("/alerts-view-alertmanager.png"));

    // U: the silence is expired and the alert is active again.
    REQUIRE(view.selectFingerprint(fp));
    view.unacknowledgeSelected();
    REQUIRE(waitWithRefresh(session, [&] { return cell(view, fp, AlertsModel::Status) == "active"; }));
    CHECK(cell(view, fp, AlertsModel::State) == "Firing");
    CHECK(serverSilences(url).at(0).state == SilenceState::Expired);
    CHECK(view.attentionCount() == 2);
}
