// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/session.h"

#include "session/alert_commands_bus.h"

#include "log/log.h"
#include "secrets/secret_store.h"
#include "sources/store_connector.h"

#include <QPromise>
#include <QSet>

#include <QDateTime>
#include <QMetaObject>
#include <QTimer>
#include <algorithm>
#include <cmath>

namespace vigil {

Session::Session(QObject *parent) : QObject(parent)
{
    m_io.setObjectName(QStringLiteral("vigil-io"));
    m_io.start();
    m_ioRoot = new QObject;
    m_ioRoot->moveToThread(&m_io);
    inIo([this] {
        m_scheduler = new PollScheduler(&m_store, SystemClock::instance(), m_ioRoot);
        auto query = [this](const QString &connection, const QueryRequest &req) -> QFuture<QueryResult> {
            Connector *c = m_scheduler->connector(connection);
            if (!c) {
                QPromise<QueryResult> p;
                p.start();
                p.addResult(QueryResult::failure(ErrorKind::Network,
                    QStringLiteral("connection '%1' is not available (see the issues banner)").arg(connection)));
                p.finish();
                return p.future();
            }
            return c->query(req);
        };
        m_engine = new alerting::AlertEngine(SystemClock::instance(), query, m_ioRoot);
        connect(m_engine, &alerting::AlertEngine::alertsChanged, m_ioRoot, [this] { publishAlerts(); });
        // Rules are evaluated whatever is on screen (even minimized): a second's
        // tick is a hash lookup per group when nothing is due.
        auto *timer = new QTimer(m_ioRoot);
        timer->setInterval(1'000);
        m_drift = new drift::DriftMonitor(SystemClock::instance(), query, &m_store, m_ioRoot);
        connect(m_drift, &drift::DriftMonitor::evaluated, m_ioRoot, [this] { publishDrift(); });
        connect(m_drift, &drift::DriftMonitor::failed, m_ioRoot, [this] { publishDrift(); });
        connect(timer, &QTimer::timeout, m_ioRoot, [this] {
            m_drift->tick();
            m_engine->tick();
            if (m_pipeline)
                m_pipeline->tick();
            if (++m_serverPollTicks * 1'000 >= kServerAlertsPollMs) {
                m_serverPollTicks = 0;
                pollServerAlerts();
            }
            if (++m_probeTicks * 1'000 >= kIdleProbeMs) {
                m_probeTicks = 0;
                probeUnpolledConnections();
            }
            if (++m_rulePollTicks * 1'000 >= kRuleStatusPollMs) {
                m_rulePollTicks = 0;
                pollRuleStatus();
            }
        });
        timer->start();
    });
    connect(m_scheduler, &PollScheduler::statusChanged, this, [this](const QString &id, const PollStatus &st) {
        m_status.insert(id, st);
        Q_EMIT pollStatusChanged(id, st);
    }, Qt::QueuedConnection);
    connect(m_scheduler, &PollScheduler::healthChanged, m_ioRoot, [this](const QString &c) { m_polledHealthIo.insert(c); });
    connect(m_scheduler, &PollScheduler::healthChanged, this, [this](const QString &c, const ConnectionHealth &h) {
        m_polledHealth.insert(c);
        m_health.insert(c, h);
        Q_EMIT healthChanged(c, h);
    }, Qt::QueuedConnection);
}

Session::~Session()
{
    // Connectors and the scheduler die in their own thread, before it stops.
    inIo([this] {
        delete m_ioRoot; // the pipeline and the notifiers too
        m_ioRoot = nullptr;
        m_pipeline = nullptr;
        delete m_alertStore;
        m_alertStore = nullptr;
    });
    m_io.quit();
    m_io.wait();
}

template<typename F>
void Session::inIo(F &&f)
{
    QMetaObject::invokeMethod(m_ioRoot, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

void Session::loadPlugins(const QStringList &dirs)
{
    m_plugins.load(dirs.isEmpty() ? PluginRegistry::defaultSearchPaths() : dirs);
    for (const PluginFailure &f : m_plugins.failures())
        logger("plugins")->warn("plugin {} not used: {}", f.path.toStdString(), f.reason.toStdString());
}

ConnectionSettings Session::settingsFor(const ConnectionDef &def, QString *error)
{
    ConnectionSettings s;
    s.name = def.name;
    s.kind = def.kind;
    s.url = QUrl(def.url);
    s.caFile = def.caFile;
    s.tlsVerify = def.tlsVerify;
    s.timeoutMs = def.timeoutMs;
    s.options = def.options;
    for (const auto &[k, v] : def.headers)
        s.auth.headers.append({k.toUtf8(), v.toUtf8()});
    auto secret = [&](const QString &name) -> QString {
        if (name.isEmpty())
            return {};
        QString e;
        const QString value = secretValue(name, &e);
        if (value.isEmpty() && error)
            *error = QStringLiteral("connection '%1': %2").arg(def.name, e);
        return value;
    };
    s.auth.bearerToken = secret(def.bearerTokenSecret);
    s.auth.basicUser = def.basicUser;
    s.auth.basicPassword = secret(def.passwordSecret);
    return s;
}

QString Session::secretValue(const QString &name, QString *error)
{
    // Called in the I/O thread (connectors, notifiers) and by `vigil check`:
    // waits for the keychain there, never in the GUI thread.
    return secrets::resolveSecret(name, error);
}

void Session::enableAlertPipeline(const QString &storePath)
{
    m_pipelineEnabled = true;
    m_storePath = storePath;
}

QStringList Session::startPipeline(const Workspace &workspace)
{
    QStringList errors;
    if (m_pipeline) {
        // Notifiers and routes are read once: a new Router would forget which
        // alerts it announced where (and so their resolved notices).
        logger("app")->info("routes and notifiers are read at start; restart Vigil to apply changes to them");
        return errors;
    }
    storage::StoreOptions options;
    options.path = m_storePath;
    options.exclusive = true; // the window and `vigil watch` must not both send one database's alerts
    m_alertStore = new storage::AlertStore(options);
    const storage::OpenResult opened = m_alertStore->open();
    m_sendingElsewhere = opened.inUseBy;
    if (!m_sendingElsewhere.isEmpty()) {
        // Another Vigil (typically `vigil watch` as a user unit) owns this
        // database and sends its notifications: sending them here too would
        // page twice. This one evaluates and shows alerts, keeping its own
        // state in a private database for the rest of its run.
        errors << QStringLiteral("The alert database %1 is in use by %2, which sends the notifications. This "
                                 "Vigil shows alerts but sends none; its acknowledgements and silences are passed "
                                 "on to it over the session bus (you are told if one is not). To send from here, stop the other one (systemctl --user stop "
                                 "vigil-watch) or start it with a database of its own (vigil watch --state-dir DIR).")
                      .arg(m_alertStore->path(), m_sendingElsewhere);
        delete m_alertStore;
        m_observerDir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/vigil-observer-XXXXXX"));
        options.path = m_observerDir->filePath(QStringLiteral("alerts.db"));
        m_alertStore = new storage::AlertStore(options);
        if (const storage::OpenResult own = m_alertStore->open(); !own.message.isEmpty())
            errors << own.message;
    } else if (!opened.message.isEmpty()) {
        errors << opened.message;
    }
    m_pipeline = new alerting::AlertPipeline(SystemClock::instance(), m_engine, m_alertStore, m_ioRoot);
    m_pipeline->setUser(userName());
    if (m_sendingElsewhere.isEmpty()) {
        m_pipeline->setRouting(alerting::routerConfigFor(workspace));
        errors << m_pipeline->addNotifiers(workspace, m_plugins, &Session::secretValue, m_ioRoot);
        // A second Vigil on this database forwards its acks and silences here.
        m_commands = new AlertCommandsService(m_engine, m_ioRoot);
        if (const QString why = m_commands->start(m_alertStore->path()); !why.isEmpty())
            logger("alerts")->info("{}", why.toStdString());
    }
    errors << m_pipeline->start();
    if (!m_sendingElsewhere.isEmpty()) {
        // Its acks and silences, made before this Vigil started or from its
        // desktop notifications, shown here as well.
        m_mirror = new AlertCommandsMirror(m_engine, m_storePath.isEmpty() ? storage::AlertStore::defaultPath() : m_storePath,
                                           m_sendingElsewhere, m_ioRoot);
        if (const QString why = m_mirror->start(); !why.isEmpty())
            logger("alerts")->info("{}", why.toStdString());
    }
    // From here on, problems reach the GUI as they happen.
    connect(m_pipeline, &alerting::AlertPipeline::problem, this, [this](const QString &message) {
        m_notificationProblems << message;
        Q_EMIT notificationProblem(message);
    }, Qt::QueuedConnection);
    connect(m_pipeline, &alerting::AlertPipeline::openRequested, this, &Session::openAlertsRequested,
            Qt::QueuedConnection);
    connect(m_pipeline, &alerting::AlertPipeline::actionFailed, this, &Session::alertCommandFailed,
            Qt::QueuedConnection);
    connect(m_pipeline, &alerting::AlertPipeline::notifierAvailabilityChanged, this,
            [this](const QString &, bool available, const QString &reason) {
                Q_EMIT desktopNotificationsAvailable(available, reason);
            }, Qt::QueuedConnection);
    m_pipeline->startDelivery();
    return errors;
}

QString Session::defaultConnectionOf(const Workspace &workspace)
{
    for (const ConnectionDef &def : workspace.connections)
        if (def.kind == QLatin1String("prometheus") || def.kind == QLatin1String("demo"))
            return def.name;
    return {};
}

namespace {

// Whether a connector made with `b` would be the connector made with `a` (secrets included).
bool sameSettings(const ConnectionSettings &a, const ConnectionSettings &b)
{
    return a.name == b.name && a.kind == b.kind && a.url == b.url && a.caFile == b.caFile && a.tlsVerify == b.tlsVerify
        && a.timeoutMs == b.timeoutMs && a.maxBodyBytes == b.maxBodyBytes && a.options == b.options
        && a.auth.bearerToken == b.auth.bearerToken && a.auth.basicUser == b.auth.basicUser
        && a.auth.basicPassword == b.auth.basicPassword && a.auth.headers == b.auth.headers;
}

bool sameDrift(const QList<DriftDef> &a, const QList<DriftDef> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const DriftDef &x, const DriftDef &y) {
        return x.name == y.name && x.connection == y.connection && x.histogram == y.histogram && x.selector == y.selector
            && x.by == y.by && x.windowMs == y.windowMs && x.referenceOffsetMs == y.referenceOffsetMs
            && x.referenceFromMs == y.referenceFromMs && x.referenceToMs == y.referenceToMs
            && x.intervalMs == y.intervalMs && x.backfillMs == y.backfillMs && x.detector == y.detector
            && x.query == y.query && x.detectorParams == y.detectorParams && x.holdMs == y.holdMs;
    });
}

} // namespace

void Session::applyConnections(const Workspace &workspace, const Workspace *previous, QStringList *errors)
{
    // Vigil's own series (drift scores, ...) as the connection "vigil", unless the workspace names one so.
    const QString own = QStringLiteral("vigil");
    if (!workspace.connection(own) && (!previous || previous->connection(own) || !m_scheduler->connector(own))) {
        ConnectionSettings settings;
        settings.name = own;
        settings.kind = own;
        Connector *old = m_scheduler->connector(own);
        m_scheduler->addConnector(new StoreConnector(&m_store, settings, m_ioRoot));
        if (old)
            old->deleteLater();
    }
    QSet<QString> names;
    for (const ConnectionDef &def : workspace.connections) {
        names.insert(def.name);
        QString error;
        const ConnectionSettings settings = settingsFor(def, &error);
        if (!error.isEmpty())
            *errors << error; // still connect: the server may not need the secret
        Connector *old = previous ? m_scheduler->connector(def.name) : nullptr;
        if (old && previous->connection(def.name) && sameSettings(old->settings(), settings))
            continue;
        error.clear();
        Connector *c = m_plugins.createConnector(settings, m_ioRoot, &error);
        if (!c) {
            *errors << QStringLiteral("connection '%1': %2").arg(def.name, error);
            if (old)
                m_scheduler->removeConnector(def.name);
        } else {
            m_scheduler->addConnector(c);
        }
        // Later, not now: its answers in flight are being ignored, and a
        // reply's handler may be on the stack below this call's caller.
        if (old)
            old->deleteLater();
    }
    if (!previous)
        return;
    for (const ConnectionDef &def : previous->connections) {
        if (names.contains(def.name) || (def.name == own && !workspace.connection(own)))
            continue;
        if (Connector *old = m_scheduler->connector(def.name)) {
            m_scheduler->removeConnector(def.name);
            old->deleteLater();
        }
    }
}

QStringList Session::open(const Workspace &workspace)
{
    m_workspace = workspace;
    m_rangeMs = workspace.rangeMs;
    QStringList errors;
    inIo([&] {
        applyConnections(workspace, nullptr, &errors);
        m_scheduler->start();
        const QString defaultConnection = defaultConnectionOf(workspace);
        m_drift->setMonitors(workspace.drift, defaultConnection);
        m_drift->tick();
        m_engine->setRules(workspace.rules, defaultConnection);
        if (m_pipelineEnabled)
            errors << startPipeline(workspace); // restores before the first evaluation
        m_engine->tick();
        findServerConnections();
        pollServerAlerts();
        pollRuleStatus();
        probeUnpolledConnections();
    });
    for (const QString &e : errors)
        logger("app")->warn("{}", e.toStdString());
    if (!workspace.dashboards.isEmpty())
        setActiveDashboard(workspace.dashboards.first().name);
    return errors;
}

QStringList Session::reload(const Workspace &workspace)
{
    const Workspace previous = m_workspace;
    m_workspace = workspace;
    QStringList errors;
    inIo([&] {
        applyConnections(workspace, &previous, &errors);
        const QString defaultConnection = defaultConnectionOf(workspace);
        // A monitor restarted loses its scores so far: only when it changed.
        if (!sameDrift(previous.drift, workspace.drift) || defaultConnectionOf(previous) != defaultConnection) {
            m_drift->setMonitors(workspace.drift, defaultConnection);
            m_drift->tick();
            publishDrift();
        }
        // By name: a rule that stays keeps its instances, acks and silences.
        m_engine->setRules(workspace.rules, defaultConnection);
        // Notifiers are compared with their secrets resolved again (a rotated
        // webhook is a change), routes by value: reconfigure() does both.
        if (m_pipeline && m_sendingElsewhere.isEmpty())
            errors << m_pipeline->reconfigure(workspace, m_plugins, &Session::secretValue, m_ioRoot);
        m_engine->tick();
        // A poll of a connection just replaced never answers; ask again.
        m_serverPollInFlight = false;
        m_silencePollInFlight = false;
        m_rulePollInFlight = false;
        findServerConnections();
        pollServerAlerts();
        pollRuleStatus();
        m_probesInFlight.clear(); // a probe of a connection just replaced never answers
        probeUnpolledConnections();
    });
    for (const QString &e : errors)
        logger("app")->warn("{}", e.toStdString());
    logger("app")->info("workspace {} reloaded: {} connections, {} dashboards, {} rules", workspace.path.toStdString(),
                        workspace.connections.size(), workspace.dashboards.size(), workspace.rules.size());
    // The dashboard on screen stays when it still exists; the window says which otherwise.
    applyJobs();
    return errors;
}

void Session::inIoAsync(std::function<void()> f)
{
    QMetaObject::invokeMethod(m_ioRoot, std::move(f), Qt::QueuedConnection);
}

void Session::publishAlerts()
{
    const QList<alerting::AlertRow> rows = m_engine->alerts();
    const QList<rules::Silence> silences = m_engine->silences();
    const QHash<QString, QString> errors = m_engine->ruleErrors();
    QMetaObject::invokeMethod(this, [this, rows, silences, errors] {
        m_alertRows = rows;
        m_silences = silences;
        m_ruleErrors = errors;
        Q_EMIT alertsUpdated();
    }, Qt::QueuedConnection);
}

void Session::publishDrift()
{
    const QList<drift::DriftRow> rows = m_drift->rows();
    const QList<drift::DetectorRow> detectorRows = m_drift->detectorRows();
    const QHash<QString, QString> errors = m_drift->errors();
    QMetaObject::invokeMethod(this, [this, rows, detectorRows, errors] {
        m_driftRows = rows;
        m_driftDetectorRows = detectorRows;
        m_driftErrors = errors;
        Q_EMIT driftUpdated();
    }, Qt::QueuedConnection);
}

QString Session::userName()
{
    for (const char *var : {"VIGIL_USER", "USER", "LOGNAME"}) {
        const QString v = qEnvironmentVariable(var);
        if (!v.isEmpty())
            return v;
    }
    return QStringLiteral("unknown");
}

void Session::setDriftBaselines(const QList<drift::PinnedBaseline> &baselines)
{
    inIoAsync([this, baselines] {
        m_drift->setBaselines(baselines);
        m_drift->tick();
    });
}

void Session::acknowledge(const QString &fingerprint, const QString &comment, qint64 expiresAtMs)
{
    const QString by = userName();
    inIoAsync([this, fingerprint, comment, expiresAtMs, by] {
        const QString error = m_engine->acknowledge(fingerprint, by, comment, expiresAtMs);
        if (!error.isEmpty())
            return commandFailed(error);
        forwardCommand(QStringLiteral("Acknowledge"), {fingerprint, by, comment, qlonglong(expiresAtMs)},
                       QStringLiteral("Acknowledged here only"));
    });
}

void Session::unacknowledge(const QString &fingerprint)
{
    const QString by = userName();
    inIoAsync([this, fingerprint, by] {
        if (m_mirror)
            m_mirror->forgetAck(fingerprint);
        const QString error = m_engine->unacknowledge(fingerprint, by);
        if (!error.isEmpty())
            return commandFailed(error);
        forwardCommand(QStringLiteral("Unacknowledge"), {fingerprint, by}, QStringLiteral("Taken back here only"));
    });
}

void Session::addSilence(const rules::Silence &silence)
{
    inIoAsync([this, silence] {
        QString error;
        const QString id = m_engine->addSilence(silence, &error);
        if (id.isEmpty())
            return commandFailed(error);
        // As the engine holds it: with its id and start, so either side can expire it.
        for (const rules::Silence &s : m_engine->silences())
            if (s.id == id)
                forwardCommand(QStringLiteral("AddSilence"), silenceArguments(s), QStringLiteral("Silenced here only"));
    });
}

void Session::expireSilence(const QString &id)
{
    inIoAsync([this, id] {
        if (m_mirror)
            m_mirror->forgetSilence(id);
        if (!m_engine->expireSilence(id))
            return commandFailed(QStringLiteral("silence %1 is unknown or already over").arg(id));
        forwardCommand(QStringLiteral("ExpireSilence"), {id}, QStringLiteral("Silence ended here only"));
    });
}

void Session::commandFailed(const QString &error)
{
    QMetaObject::invokeMethod(this, [this, error] { Q_EMIT alertCommandFailed(error); }, Qt::QueuedConnection);
}

void Session::forwardCommand(const QString &method, const QVariantList &args, const QString &failedHere)
{
    // Only while another Vigil holds the database and sends its notifications:
    // the command must reach it, or its reminders go on.
    if (m_sendingElsewhere.isEmpty() || !m_alertStore)
        return;
    const QString holder = m_sendingElsewhere;
    callAlertCommand(m_storePath.isEmpty() ? storage::AlertStore::defaultPath() : m_storePath, method, args, m_ioRoot,
                     [this, holder, failedHere, method](const QString &error) {
                         if (error.isEmpty()) {
                             logger("alerts")->info("{} forwarded to {}", method.toStdString(), holder.toStdString());
                             const QString message = QStringLiteral("%1, which sends this alert database's notifications, "
                                                                    "took it too.").arg(holder);
                             QMetaObject::invokeMethod(this, [this, message] { Q_EMIT alertCommandForwarded(message); },
                                                       Qt::QueuedConnection);
                             return;
                         }
                         commandFailed(QStringLiteral("%1: %2, which sends this alert database's notifications, did not "
                                                      "take it: %3. Its notifications are not changed.")
                                           .arg(failedHere, holder, error));
                     });
}

ServerAlerts *Session::serverAlertsOf(const QString &connection) const
{
    Connector *c = m_scheduler ? m_scheduler->connector(connection) : nullptr;
    return c ? qobject_cast<ServerAlerts *>(c) : nullptr;
}

void Session::probeUnpolledConnections()
{
    for (const ConnectionDef &def : m_workspace.connections) {
        Connector *c = m_scheduler->connector(def.name);
        if (!c || m_probesInFlight.contains(def.name) || m_polledHealthIo.contains(def.name))
            continue;
        m_probesInFlight.insert(def.name);
        c->probe().then(m_ioRoot, [this, name = def.name](const ProbeResult &r) {
            m_probesInFlight.remove(name);
            ConnectionHealth h;
            h.state = r.ok() ? Health::Ok : Health::Down;
            h.reason = r.ok() ? QString() : r.message;
            QMetaObject::invokeMethod(this, [this, name, h] {
                if (m_polledHealth.contains(name) || m_health.value(name) == h)
                    return; // its panels say more, and more often
                m_health.insert(name, h);
                Q_EMIT healthChanged(name, h);
            }, Qt::QueuedConnection);
        });
    }
}

void Session::refreshServerAlerts()
{
    inIoAsync([this] { pollServerAlerts(); });
}

void Session::acknowledgeOnServer(const QString &connection, const ServerAlert &alert, const QString &comment,
                                  qint64 durationMs)
{
    const QString by = userName();
    inIoAsync([this, connection, alert, comment, durationMs, by] {
        auto failed = [this](const QString &error) {
            QMetaObject::invokeMethod(this, [this, error] { Q_EMIT alertCommandFailed(error); }, Qt::QueuedConnection);
        };
        ServerAlerts *api = serverAlertsOf(connection);
        if (!api)
            return failed(QStringLiteral("connection '%1' is not available (see the issues banner)").arg(connection));
        vigil::acknowledgeServerAlert(api, m_ioRoot, alert, by, comment, durationMs, QDateTime::currentMSecsSinceEpoch())
            .then(m_ioRoot, [this, failed, connection](const Result<QString> &r) {
                if (!r.ok())
                    failed(QStringLiteral("Alertmanager %1: %2").arg(connection, r.message));
                pollServerAlerts();
            });
    });
}

void Session::unacknowledgeOnServer(const QString &connection, const ServerAlert &alert)
{
    inIoAsync([this, connection, alert] {
        auto failed = [this](const QString &error) {
            QMetaObject::invokeMethod(this, [this, error] { Q_EMIT alertCommandFailed(error); }, Qt::QueuedConnection);
        };
        ServerAlerts *api = serverAlertsOf(connection);
        if (!api)
            return failed(QStringLiteral("connection '%1' is not available (see the issues banner)").arg(connection));
        vigil::unacknowledgeServerAlert(api, m_ioRoot, alert).then(m_ioRoot, [this, failed, connection](const Result<int> &r) {
            if (!r.ok())
                failed(QStringLiteral("Alertmanager %1: %2").arg(connection, r.message));
            else if (!r.warnings.isEmpty())
                failed(QStringLiteral("Alertmanager %1: %2").arg(connection, r.warnings.join(QStringLiteral("; "))));
            pollServerAlerts();
        });
    });
}

void Session::requestAlertHistory(const QString &fingerprint)
{
    inIoAsync([this, fingerprint] {
        QStringList lines;
        if (!m_alertStore) {
            lines << QStringLiteral("(no alert database in this session: history is kept by the window and `vigil watch`)");
        } else {
            const auto loaded = m_alertStore->history(fingerprint);
            if (!loaded.ok())
                lines << QStringLiteral("(the history could not be read: %1)").arg(loaded.error);
            for (const storage::HistoryEntry &e : loaded.value) {
                const QString at = QDateTime::fromMSecsSinceEpoch(e.atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
                if (e.kind == storage::HistoryEntry::Kind::Transition) {
                    const rules::Transition &t = e.transition;
                    QString line = QStringLiteral("%1  %2 -> %3 (%4)").arg(at, rules::toString(t.from), rules::toString(t.to),
                                                                         rules::toString(t.reason));
                    if (std::isfinite(t.value))
                        line += QStringLiteral(", value %1").arg(t.value);
                    if (!t.detail.isEmpty())
                        line += QStringLiteral(": ") + t.detail;
                    lines << line;
                } else {
                    const rules::AckEvent &a = e.ack;
                    QString line = QStringLiteral("%1  %2").arg(at, rules::toString(a.kind));
                    if (!a.by.isEmpty())
                        line += QStringLiteral(" by %1").arg(a.by);
                    if (a.kind == rules::AckEvent::Kind::Acknowledged && !a.ack.comment.isEmpty())
                        line += QStringLiteral(": ") + a.ack.comment;
                    if (a.cause != rules::AckEvent::Cause::Person)
                        line += QStringLiteral(" (%1)").arg(rules::toString(a.cause));
                    lines << line;
                }
            }
            if (loaded.ok() && loaded.value.isEmpty())
                lines << QStringLiteral("(nothing recorded yet)");
        }
        QMetaObject::invokeMethod(this, [this, fingerprint, lines] { Q_EMIT alertHistoryReady(fingerprint, lines); },
                                  Qt::QueuedConnection);
    });
}

void Session::withEngine(const std::function<void(alerting::AlertEngine &)> &f)
{
    inIo([&] { f(*m_engine); });
}

void Session::withPipeline(const std::function<void(alerting::AlertPipeline *)> &f)
{
    inIo([&] { f(m_pipeline); });
}

QString Session::jobId(const QString &dashboard, int panel, int query)
{
    return QStringLiteral("%1/%2/%3").arg(dashboard).arg(panel).arg(query);
}

qint64 Session::stepFor(qint64 rangeMs)
{
    const double seconds = std::ceil(double(rangeMs) / 720.0 / 1000.0);
    return std::max<qint64>(1'000, qint64(seconds) * 1'000);
}

void Session::setActiveDashboard(const QString &name)
{
    m_active = name;
    applyJobs();
}

void Session::setRangeMs(qint64 rangeMs)
{
    m_rangeMs = rangeMs;
    m_absoluteFromMs = m_absoluteToMs = 0; // a relative range is live again
    applyJobs();
}

void Session::setAbsoluteRange(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return;
    m_absoluteFromMs = fromMs;
    m_absoluteToMs = toMs;
    applyJobs();
}

void Session::clearAbsoluteRange()
{
    m_absoluteFromMs = m_absoluteToMs = 0;
    applyJobs();
}

std::pair<qint64, qint64> Session::viewRange(qint64 nowMs) const
{
    if (hasAbsoluteRange())
        return {m_absoluteFromMs, m_absoluteToMs};
    return {nowMs - m_rangeMs, nowMs};
}

void Session::setPaused(bool paused)
{
    m_paused = paused;
    inIo([this, paused] {
        if (paused)
            m_scheduler->stop();
        else
            m_scheduler->start();
    });
}

void Session::refresh()
{
    inIo([this] {
        m_scheduler->refreshAll();
        pollServerAlerts();
        pollRuleStatus();
    });
}

void Session::applyJobs()
{
    QList<PollSpec> jobs;
    if (const DashboardDef *d = m_workspace.dashboard(m_active)) {
        for (int p = 0; p < d->panels.size(); ++p) {
            const PanelDef &panel = d->panels[p];
            for (int q = 0; q < panel.queries.size(); ++q) {
                PollSpec spec;
                spec.id = jobId(d->name, p, q);
                spec.connection = m_workspace.connectionFor(panel);
                spec.expr = panel.queries[q].expr;
                spec.intervalMs = m_workspace.refreshMs;
                const qint64 window = hasAbsoluteRange() ? m_absoluteToMs - m_absoluteFromMs : m_rangeMs;
                spec.windowMs = window;
                spec.endMs = hasAbsoluteRange() ? m_absoluteToMs : 0;
                spec.stepMs = stepFor(window);
                const ConnectionDef *c = m_workspace.connection(spec.connection);
                spec.timeoutMs = c ? c->timeoutMs : 10'000;
                jobs.append(spec);
            }
        }
    }
    inIo([this, jobs] { m_scheduler->setJobs(jobs); });
}

} // namespace vigil
