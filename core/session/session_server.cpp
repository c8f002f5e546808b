// SPDX-License-Identifier: GPL-3.0-or-later
// The session's side of what servers hold themselves: Alertmanager's silences
// (listed, created, expired) and the health of the rules a Prometheus
// evaluates, and the alerts it holds. Everything here runs in the I/O thread
// and reaches the GUI thread as copies.
#include "session/session.h"

#include "log/log.h"

#include <QMetaObject>
#include <memory>
#include <type_traits>
#include <utility>

namespace vigil {

namespace {

// The connections of `workspace` whose connector is an `Api` (ServerAlerts,
// RuleStatus), by name.
template<typename Api>
QList<std::pair<QString, Api *>> connectionsWith(const Workspace &workspace, const PollScheduler *scheduler)
{
    QList<std::pair<QString, Api *>> apis;
    for (const ConnectionDef &def : workspace.connections) {
        Connector *c = scheduler ? scheduler->connector(def.name) : nullptr;
        if (auto *api = c ? qobject_cast<Api *>(c) : nullptr)
            apis.append({def.name, api});
    }
    return apis;
}

// Asks every connection in `apis` at once (`ask(api)`: a QFuture of a
// Result<QList<item>>), gathers a Row{connection, item} per item and each
// failure by connection, and once the last has answered clears `*inFlight` and
// hands both to `publish`, in `context`'s thread (the I/O thread). One slow
// server delays the list, never the others' polls: `*inFlight` is set until then.
template<typename Row, typename Api, typename Ask, typename Publish>
void gatherFromEach(QObject *context, const QList<std::pair<QString, Api *>> &apis, bool *inFlight, Ask ask,
                    Publish publish)
{
    if (apis.isEmpty())
        return;
    struct Gather
    {
        QList<Row> rows;
        QHash<QString, QString> errors;
        qsizetype pending = 0;
    };
    // Named, not `auto`: QFuture::then() takes a generic lambda for one of the future itself.
    using Answer = std::decay_t<decltype(ask(std::declval<Api *>()).result())>;
    auto g = std::make_shared<Gather>();
    g->pending = apis.size();
    *inFlight = true;
    for (const auto &[name, api] : apis) {
        ask(api).then(context, [g, name = name, inFlight, publish](const Answer &r) {
            if (r.ok()) {
                for (const auto &item : r.value)
                    g->rows.append(Row{name, item});
            } else {
                g->errors.insert(name, r.message);
                logger("alerts")->warn("connection {}: {}", name.toStdString(), r.message.toStdString());
            }
            if (--g->pending > 0)
                return;
            *inFlight = false;
            publish(g->rows, g->errors);
        });
    }
}

} // namespace

void Session::findServerConnections()
{
    m_serverAlertConnections.clear();
    m_ruleStatusConnections.clear();
    for (const ConnectionDef &def : m_workspace.connections) {
        Connector *c = m_scheduler->connector(def.name);
        if (!c)
            continue;
        if (qobject_cast<ServerAlerts *>(c))
            m_serverAlertConnections << def.name;
        if (qobject_cast<RuleStatus *>(c))
            m_ruleStatusConnections << def.name;
    }
}

void Session::pollServerAlerts()
{
    pollServerSilences(); // the silences list shows what the alerts' state depends on
    if (m_serverPollInFlight)
        return;
    gatherFromEach<ServerAlertRow>(
        m_ioRoot, connectionsWith<ServerAlerts>(m_workspace, m_scheduler), &m_serverPollInFlight,
        [](ServerAlerts *api) { return api->alerts(); },
        [this](const QList<ServerAlertRow> &rows, const QHash<QString, QString> &errors) {
            QMetaObject::invokeMethod(this, [this, rows, errors] {
                m_serverAlertRows = rows;
                m_serverAlertErrors = errors;
                Q_EMIT serverAlertsUpdated();
            }, Qt::QueuedConnection);
        });
}

void Session::pollServerSilences()
{
    if (m_silencePollInFlight)
        return;
    gatherFromEach<ServerSilenceRow>(
        m_ioRoot, connectionsWith<ServerAlerts>(m_workspace, m_scheduler), &m_silencePollInFlight,
        [](ServerAlerts *api) { return api->silences(); },
        [this](const QList<ServerSilenceRow> &rows, const QHash<QString, QString> &errors) {
            QMetaObject::invokeMethod(this, [this, rows, errors] {
                m_serverSilenceRows = rows;
                m_serverSilenceErrors = errors;
                Q_EMIT serverSilencesUpdated();
            }, Qt::QueuedConnection);
        });
}

int Session::createServerSilence(const QString &connection, const ServerSilence &silence)
{
    const int request = ++m_silenceRequests;
    inIoAsync([this, request, connection, silence] {
        auto refused = [this, request](const QString &message) {
            QMetaObject::invokeMethod(this, [this, request, message] { Q_EMIT serverSilenceRefused(request, message); },
                                      Qt::QueuedConnection);
        };
        ServerAlerts *api = serverAlertsOf(connection);
        if (!api)
            return refused(QStringLiteral("connection '%1' is not available (see the issues banner)").arg(connection));
        api->createSilence(silence).then(m_ioRoot, [this, request, connection, refused](const Result<QString> &r) {
            if (!r.ok()) {
                refused(QStringLiteral("Alertmanager %1: %2").arg(connection, r.message));
                return;
            }
            logger("alerts")->info("silence {} created on {}", r.value.toStdString(), connection.toStdString());
            QMetaObject::invokeMethod(this, [this, request, connection, id = r.value] {
                Q_EMIT serverSilenceCreated(request, connection, id);
            }, Qt::QueuedConnection);
            pollServerAlerts(); // and the silences
        });
    });
    return request;
}

void Session::expireServerSilence(const QString &connection, const QString &id)
{
    inIoAsync([this, connection, id] {
        auto failed = [this](const QString &error) {
            QMetaObject::invokeMethod(this, [this, error] { Q_EMIT alertCommandFailed(error); }, Qt::QueuedConnection);
        };
        ServerAlerts *api = serverAlertsOf(connection);
        if (!api)
            return failed(QStringLiteral("connection '%1' is not available (see the issues banner)").arg(connection));
        api->expireSilence(id).then(m_ioRoot, [this, failed, connection, id](const Result<bool> &r) {
            if (!r.ok())
                failed(QStringLiteral("Alertmanager %1: expiring silence %2: %3").arg(connection, id, r.message));
            else
                logger("alerts")->info("silence {} expired on {}", id.toStdString(), connection.toStdString());
            pollServerAlerts();
        });
    });
}

void Session::pollRuleStatus()
{
    if (m_rulePollInFlight)
        return;
    gatherFromEach<RuleGroupRow>(
        m_ioRoot, connectionsWith<RuleStatus>(m_workspace, m_scheduler), &m_rulePollInFlight,
        [](RuleStatus *api) { return api->ruleGroups(); },
        [this](const QList<RuleGroupRow> &rows, const QHash<QString, QString> &errors) {
            QMetaObject::invokeMethod(this, [this, rows, errors] {
                m_ruleGroupRows = rows;
                m_ruleStatusErrors = errors;
                Q_EMIT ruleStatusUpdated();
            }, Qt::QueuedConnection);
        });
}

void Session::refreshRuleStatus()
{
    inIoAsync([this] { pollRuleStatus(); });
}

} // namespace vigil
