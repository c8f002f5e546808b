// SPDX-License-Identifier: GPL-3.0-or-later
// The session's side of what servers hold themselves: Alertmanager's silences
// (listed, created, expired) and the health of the rules a Prometheus
// evaluates. Everything here runs in the I/O thread and reaches the GUI thread
// as copies, like the server alerts in session.cpp.
#include "session/session.h"

#include "log/log.h"

#include <QMetaObject>
#include <memory>

namespace vigil {

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

void Session::pollServerSilences()
{
    if (m_silencePollInFlight)
        return;
    QList<std::pair<QString, ServerAlerts *>> apis;
    for (const ConnectionDef &def : m_workspace.connections) {
        if (ServerAlerts *api = serverAlertsOf(def.name))
            apis.append({def.name, api});
    }
    if (apis.isEmpty())
        return;
    struct Gather
    {
        QList<ServerSilenceRow> rows;
        QHash<QString, QString> errors;
        qsizetype pending = 0;
    };
    auto g = std::make_shared<Gather>();
    g->pending = apis.size();
    m_silencePollInFlight = true;
    for (const auto &[name, api] : apis) {
        api->silences().then(m_ioRoot, [this, g, name = name](const Result<QList<ServerSilence>> &r) {
            if (r.ok()) {
                for (const ServerSilence &s : r.value)
                    g->rows.append(ServerSilenceRow{name, s});
            } else {
                g->errors.insert(name, r.message);
                logger("alerts")->warn("connection {}: {}", name.toStdString(), r.message.toStdString());
            }
            if (--g->pending > 0)
                return;
            m_silencePollInFlight = false;
            QMetaObject::invokeMethod(this, [this, rows = g->rows, errors = g->errors] {
                m_serverSilenceRows = rows;
                m_serverSilenceErrors = errors;
                Q_EMIT serverSilencesUpdated();
            }, Qt::QueuedConnection);
        });
    }
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
    QList<std::pair<QString, RuleStatus *>> apis;
    for (const ConnectionDef &def : m_workspace.connections) {
        Connector *c = m_scheduler ? m_scheduler->connector(def.name) : nullptr;
        if (auto *api = c ? qobject_cast<RuleStatus *>(c) : nullptr)
            apis.append({def.name, api});
    }
    if (apis.isEmpty())
        return;
    struct Gather
    {
        QList<RuleGroupRow> rows;
        QHash<QString, QString> errors;
        qsizetype pending = 0;
    };
    auto g = std::make_shared<Gather>();
    g->pending = apis.size();
    m_rulePollInFlight = true;
    for (const auto &[name, api] : apis) {
        api->ruleGroups().then(m_ioRoot, [this, g, name = name](const Result<QList<RuleGroupInfo>> &r) {
            if (r.ok()) {
                for (const RuleGroupInfo &group : r.value)
                    g->rows.append(RuleGroupRow{name, group});
            } else {
                g->errors.insert(name, r.message);
                logger("alerts")->warn("connection {}: {}", name.toStdString(), r.message.toStdString());
            }
            if (--g->pending > 0)
                return;
            m_rulePollInFlight = false;
            QMetaObject::invokeMethod(this, [this, rows = g->rows, errors = g->errors] {
                m_ruleGroupRows = rows;
                m_ruleStatusErrors = errors;
                Q_EMIT ruleStatusUpdated();
            }, Qt::QueuedConnection);
        });
    }
}

void Session::refreshRuleStatus()
{
    inIoAsync([this] { pollRuleStatus(); });
}

} // namespace vigil
