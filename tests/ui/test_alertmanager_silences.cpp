// SPDX-License-Identifier: GPL-3.0-or-later
// Alertmanager's silences from the Alerts view, against a real Alertmanager
// 0.25: S on one of its alerts opens the silence editor with the alert's
// labels, the editor refuses what the server would (in plain words), creates
// the silence there (not in Vigil), the alert turns suppressed, the silences
// list shows it, and Expire (after a confirmation) ends it.
#include <catch2/catch.hpp>

#include "alertmanager_request.h"
#include "alertmanager_response.h"
#include "alerts_view.h"
#include "net/http_client.h"
#include "server_silence_dialog.h"
#include "server_silences_view.h"
#include "session/session.h"
#include "support/test_stack.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

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

QString cell(AlertsView &view, const QString &fingerprint, int column)
{
    AlertsModel *m = view.model();
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data(AlertsModel::FingerprintRole).toString() == fingerprint)
            return m->index(r, column).data(Qt::DisplayRole).toString();
    }
    return {};
}

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

QString silenceCell(ServerSilencesView *list, const QString &id, int column)
{
    const int r = list->rowFor(id);
    return r >= 0 && list->table()->item(r, column) ? list->table()->item(r, column)->text() : QString();
}

} // namespace

TEST_CASE("Alertmanager silence editor from S creates the silence on the server and the list expires it", "[ui][alerts][alertmanager]")
{
    qputenv("VIGIL_USER", "ana");
    TestStack stack;
    const QUrl url = stack.startAlertmanager();
    ServerAlert posted;
    posted.labels = {{"alertname", "ModelLatencyHigh"}, {"model", "fraud-detector"}, {"severity", "critical"}};
    posted.annotations = {{"summary", "p99 latency of fraud-detector is 412 ms"}};
    ServerAlert neighbour;
    neighbour.labels = {{"alertname", "ModelLatencyHigh"}, {"model", "churn"}, {"severity", "critical"}};
    {
        ConnectionSettings s;
        s.url = url;
        HttpClient http(s);
        REQUIRE(await(http.postJson(QStringLiteral("/api/v2/alerts"), alertmanager::postableAlerts({posted, neighbour}))).ok());
    }
    const QString yaml = QStringLiteral("connections:\n  am: { kind: alertmanager, url: '%1' }\n").arg(url.toString());
    const Workspace ws = parseWorkspace(yaml.toUtf8(), QStringLiteral("am-silences.yaml"));
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());
    CHECK(session.serverAlertConnections() == QStringList{"am"});

    AlertsView view(&session);
    view.resize(1300, 480);
    view.show();
    view.activateWindow();
    REQUIRE(waitWithRefresh(session, [&] { return session.serverAlertRows().size() == 2; }));
    QString fp, neighbourFp;
    for (const ServerAlertRow &r : session.serverAlertRows())
        (r.alert.label("model") == "fraud-detector" ? fp : neighbourFp) = AlertsModel::serverFingerprint(r.connection, r.alert.fingerprint);
    REQUIRE(waitUntil([&] { return cell(view, fp, AlertsModel::Status) == "active"; }, 5'000));

    // S on the Alertmanager row: the server's editor, every label an `=` matcher.
    REQUIRE(view.selectFingerprint(fp));
    view.table()->setFocus();
    QTest::keyClick(view.table(), Qt::Key_S);
    ServerSilenceDialog *dialog = view.serverSilenceDialog();
    REQUIRE(dialog);
    REQUIRE(dialog->matcherCount() == 3);
    QStringList prefilled;
    for (const SilenceMatcher &m : dialog->matchers())
        prefilled << m.toString();
    CHECK(prefilled == QStringList{"alertname=\"ModelLatencyHigh\"", "model=\"fraud-detector\"", "severity=\"critical\""});
    CHECK(dialog->connection() == "am");
    CHECK(dialog->previewLabel()->text() == "Matches 1 of the 2 alerts on am now: ModelLatencyHigh{model=\"fraud-detector\", severity=\"critical\"}.");

    // Refused before sending, in plain words: no comment; a broken regex.
    dialog->submit();
    CHECK(dialog->messageLabel()->text() == "Write a comment saying why (Alertmanager requires one).");
    CHECK(dialog->createButton()->isEnabled());
    dialog->setMatcher(1, SilenceMatcher{"model", "fraud((", SilenceMatcher::Op::Regex});
    dialog->commentEdit()->setText(QStringLiteral("deploying fraud-detector v14, OPS-123"));
    dialog->submit();
    CHECK(dialog->messageLabel()->text().startsWith("Matcher 2 (model=~\"fraud((\"): the regular expression is not valid ("));
    dialog->setMatcher(1, SilenceMatcher{"mod el", "x", SilenceMatcher::Op::Equal});
    dialog->submit();
    CHECK(dialog->messageLabel()->text().startsWith("Matcher 2: \"mod el\" is not a label name"));
    CHECK(serverSilences(url).isEmpty());

    // Edit: a regex on the model, severity removed (an escalation stays silenced), 1 hour.
    dialog->setMatcher(1, SilenceMatcher{"model", "fraud-.*", SilenceMatcher::Op::Regex});
    dialog->removeMatcher(2);
    CHECK(dialog->matcherCount() == 2);
    dialog->durationCombo()->setCurrentIndex(0);
    CHECK(dialog->durationCombo()->currentText() == "1 hour");
    CHECK(dialog->previewLabel()->text().startsWith("Matches 1 of the 2 alerts on am now"));
    const QString dir = QStringLiteral(VIGIL_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    dialog->grab().save(dir + QStringLiteral("/alertmanager-silence-editor.png"));
    QPointer<ServerSilenceDialog> guard(dialog);
    dialog->submit();
    CHECK_FALSE(dialog->createButton()->isEnabled()); // waiting for the server
    REQUIRE(waitUntil([&] { return guard.isNull() || !guard->isVisible(); }, 10'000));
    CHECK(view.messageText().startsWith("Silence "));

    // On the server: exactly what was entered, by the user.
    const QList<ServerSilence> onServer = serverSilences(url);
    REQUIRE(onServer.size() == 1);
    const ServerSilence created = onServer.at(0);
    CHECK(created.state == SilenceState::Active);
    CHECK(created.createdBy == "ana");
    CHECK(created.comment == "deploying fraud-detector v14, OPS-123");
    QStringList matchers;
    for (const SilenceMatcher &m : created.matchers)
        matchers << m.toString();
    CHECK(matchers == QStringList{"alertname=\"ModelLatencyHigh\"", "model=~\"fraud-.*\""});
    const qint64 span = created.endsAtMs - created.startsAtMs;
    CHECK(span <= 3'600'000LL);
    CHECK(span > 3'600'000LL - 5'000);
    CHECK(session.silences().isEmpty()); // not one of Vigil's own

    // The alert is suppressed there; its neighbour is not.
    REQUIRE(waitWithRefresh(session, [&] { return cell(view, fp, AlertsModel::Status) == "suppressed"; }));
    CHECK(cell(view, fp, AlertsModel::State) == "Silenced");
    CHECK(cell(view, neighbourFp, AlertsModel::Status) == "active");

    // A pending one (starting in an hour) for the list to order.
    ServerSilence later;
    later.matchers = {SilenceMatcher{"model", "churn", SilenceMatcher::Op::Equal}};
    later.startsAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000LL;
    later.endsAtMs = later.startsAtMs + 2 * 3'600'000LL;
    later.createdBy = "bob";
    later.comment = "churn retraining window";
    QString laterId;
    QObject::connect(&session, &Session::serverSilenceCreated, &view, [&](int, const QString &, const QString &id) { laterId = id; });
    session.createServerSilence(QStringLiteral("am"), later);
    REQUIRE(waitUntil([&] { return !laterId.isEmpty(); }, 10'000));

    // The list: active first, then pending, with matchers, author, comment.
    view.showServerSilences();
    REQUIRE(view.serverSilencesShown());
    ServerSilencesView *list = view.serverSilencesView();
    REQUIRE(waitWithRefresh(session, [&] { return list->rowFor(created.id) >= 0 && list->rowFor(laterId) >= 0; }));
    CHECK(list->rowFor(created.id) == 0);
    CHECK(list->rowFor(laterId) == 1);
    CHECK(silenceCell(list, created.id, ServerSilencesView::State) == "active");
    CHECK(silenceCell(list, laterId, ServerSilencesView::State) == "pending");
    CHECK(silenceCell(list, created.id, ServerSilencesView::Matchers) == "alertname=\"ModelLatencyHigh\", model=~\"fraud-.*\"");
    CHECK(silenceCell(list, created.id, ServerSilencesView::CreatedBy) == "ana");
    CHECK(silenceCell(list, created.id, ServerSilencesView::Comment) == "deploying fraud-detector v14, OPS-123");
    CHECK(silenceCell(list, created.id, ServerSilencesView::Connection) == "am");
    CHECK_FALSE(silenceCell(list, created.id, ServerSilencesView::Ends).isEmpty());

    // Expire asks first; "no" leaves it alone.
    QString asked;
    bool answer = false;
    list->setConfirm([&](const QString &, const QString &text) {
        asked = text;
        return answer;
    });
    REQUIRE(list->selectSilence(created.id));
    list->expireSelected();
    CHECK(asked.contains("Expire this silence on am now?"));
    CHECK(asked.contains("alertname=\"ModelLatencyHigh\", model=~\"fraud-.*\""));
    CHECK(asked.contains("by ana: deploying fraud-detector v14, OPS-123"));
    session.refreshServerAlerts();
    REQUIRE(waitUntil([&] { return !session.serverSilenceRows().isEmpty(); }, 5'000));
    CHECK(silenceCell(list, created.id, ServerSilencesView::State) == "active");

    // "yes": expired on the server, the row goes below the pending one, the alert is active again.
    answer = true;
    REQUIRE(list->selectSilence(created.id));
    list->expireSelected();
    REQUIRE(waitWithRefresh(session, [&] { return silenceCell(list, created.id, ServerSilencesView::State) == "expired"; }));
    CHECK(list->rowFor(laterId) == 0);
    CHECK(list->rowFor(created.id) == 1);
    REQUIRE(waitWithRefresh(session, [&] { return cell(view, fp, AlertsModel::Status) == "active"; }));
    for (const ServerSilence &s : serverSilences(url))
        if (s.id == created.id)
            CHECK(s.state == SilenceState::Expired);

    // An expired one cannot be expired again: said, not sent.
    REQUIRE(list->selectSilence(created.id));
    asked.clear();
    list->expireSelected();
    CHECK(asked.isEmpty());
    CHECK(list->errorsLabel()->text() == QStringLiteral("Silence %1 has already expired.").arg(created.id));

    // For the picture: an active one next to the pending and the expired.
    ServerSilence churn;
    churn.matchers = {SilenceMatcher{"alertname", "ModelLatencyHigh", SilenceMatcher::Op::Equal},
                      SilenceMatcher{"model", "churn", SilenceMatcher::Op::Equal}};
    churn.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    churn.endsAtMs = churn.startsAtMs + 4 * 3'600'000LL;
    churn.createdBy = "bob";
    churn.comment = "churn model retraining, OPS-124";
    laterId.clear();
    session.createServerSilence(QStringLiteral("am"), churn);
    REQUIRE(waitUntil([&] { return !laterId.isEmpty() && list->rowFor(laterId) == 0; }, 10'000));
    CHECK(silenceCell(list, laterId, ServerSilencesView::State) == "active");
    // The search box narrows the silences too: by comment, author, matcher.
    list->setFilterText(QStringLiteral("OPS-124"));
    CHECK(list->table()->rowCount() == 1);
    CHECK(list->rowFor(laterId) == 0);
    list->setFilterText(QStringLiteral("fraud-"));
    CHECK(list->table()->rowCount() == 1);
    CHECK(list->rowFor(created.id) == 0);
    list->setFilterText(QString());
    CHECK(list->table()->rowCount() == 3);
    list->table()->clearSelection();
    list->errorsLabel()->hide();
    view.grab().save(dir + QStringLiteral("/alertmanager-silences.png"));
    qunsetenv("VIGIL_USER");
}
