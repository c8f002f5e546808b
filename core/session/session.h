// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerting/alert_engine.h"
#include "drift/drift_monitor.h"
#include "alerting/alert_pipeline.h"
#include "series/series_store.h"
#include "sources/plugin_registry.h"
#include "sources/poll_scheduler.h"
#include "sources/rule_status.h"
#include "sources/server_alerts.h"
#include "workspace/workspace.h"

#include <QObject>
#include <QTemporaryDir>
#include <QThread>
#include <memory>

namespace vigil {

class AlertCommandsService;
class AlertCommandsMirror;

// The live half of an open workspace: the store, the connectors and the poll
// scheduler. Connectors and the scheduler live in an I/O thread, so network
// and parsing never run in the GUI thread; status reaches the GUI through
// queued signals, samples through the thread-safe store.
//
// Only the dashboard on screen is polled (setActiveDashboard): hidden panels cost nothing.
// An alert held by a server (Alertmanager), with the connection it came from.
struct ServerAlertRow
{
    QString connection;
    ServerAlert alert;
};

// A silence held by an Alertmanager, with the connection it came from.
struct ServerSilenceRow
{
    QString connection;
    ServerSilence silence;
};

// A rule group a Prometheus evaluates itself, with the connection it came from.
struct RuleGroupRow
{
    QString connection;
    RuleGroupInfo group;
};

class Session : public QObject
{
    Q_OBJECT
public:
    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    // Turns on the alert pipeline for the next open(): the alert database at
    // `storePath` (empty: AlertStore::defaultPath()), the workspace's routes
    // and notifiers, the persistent outbox (core/alerting/alert_pipeline.h).
    // Without it, rules are evaluated and shown but nothing is saved or sent
    // (tests that only look at the views).
    void enableAlertPipeline(const QString &storePath = {});
    bool alertPipelineEnabled() const { return m_pipelineEnabled; }
    // Non-empty when another process holds the alert database (its lock) and
    // sends the notifications: this session evaluates and shows alerts, and
    // sends none. "vigil (pid 1234 on host)".
    QString alertsSentBy() const { return m_sendingElsewhere; }

    // Loads plugins from these folders (default: PluginRegistry::defaultSearchPaths()).
    void loadPlugins(const QStringList &dirs = {});
    const PluginRegistry &plugins() const { return m_plugins; }

    // Creates a connector per connection. Returns a message per connection that
    // could not be created (unknown kind, missing secret); the others work.
    QStringList open(const Workspace &workspace);
    // The workspace file changed (or another one was opened): applies `workspace`
    // to the open session without starting over. A connection whose settings
    // (secrets resolved again) are unchanged keeps its connector; a changed one
    // gets a new connector and its queries start over; a removed one goes.
    // Rules follow the file and keep their alert state by name; acks,
    // silences and the alert database stay; drift monitors restart only when
    // they changed. Queries of the active dashboard that did not change keep
    // their series. Notifiers and routes follow the file too
    // (AlertPipeline::reconfigure: an unchanged notifier is kept, open alerts
    // are regrouped, nothing undelivered is dropped). Returns what open() returns.
    QStringList reload(const Workspace &workspace);
    const Workspace &workspace() const { return m_workspace; }
    SeriesStore *store() { return &m_store; }

    void setActiveDashboard(const QString &name);
    QString activeDashboard() const { return m_active; }
    void setRangeMs(qint64 rangeMs); // also leaves an absolute range: live again
    qint64 rangeMs() const { return m_rangeMs; }
    // An absolute range (a zoom, a custom from/to): the panels show and poll
    // [fromMs, toMs] instead of the last rangeMs() (Grafana's absolute time
    // range; the window stops moving). clearAbsoluteRange() goes back to live.
    void setAbsoluteRange(qint64 fromMs, qint64 toMs);
    void clearAbsoluteRange();
    bool hasAbsoluteRange() const { return m_absoluteToMs > 0; }
    // The window the panels show now: [now - rangeMs(), now] or the absolute range.
    std::pair<qint64, qint64> viewRange(qint64 nowMs) const;
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void refresh();

    // The store name of a panel query's series.
    static QString jobId(const QString &dashboard, int panel, int query);
    // The step for a range: ~720 points across it, whole seconds, at least 1 s.
    static qint64 stepFor(qint64 rangeMs);
    // Settings for a connector from a workspace definition, its secrets resolved
    // by secretValue().
    static ConnectionSettings settingsFor(const ConnectionDef &def, QString *error);
    // A secret's value by name: $VIGIL_SECRET_<NAME> (upper case, other
    // characters as '_') first, then the keychain (core/secrets). Blocks the
    // calling thread up to 10 s for the keychain: call it in the I/O thread or
    // on the command line, never in the GUI thread. Empty with *error saying
    // why, and naming the variable, when it cannot be had.
    static QString secretValue(const QString &name, QString *error);

    // Health as last reported (GUI thread copy).
    QHash<QString, ConnectionHealth> health() const { return m_health; }
    PollStatus status(const QString &jobId) const { return m_status.value(jobId); }

    // Alerts. The rules run in the I/O thread; these are the GUI thread's copies,
    // refreshed before alertsUpdated() is emitted.
    QList<alerting::AlertRow> alertRows() const { return m_alertRows; }
    QList<rules::Silence> silences() const { return m_silences; }
    QHash<QString, QString> ruleErrors() const { return m_ruleErrors; }
    // Each drift monitor's latest comparison per feature (GUI thread copy,
    // refreshed before driftUpdated()), and the monitors' errors.
    QList<drift::DriftRow> driftRows() const { return m_driftRows; }
    QList<drift::DetectorRow> driftDetectorRows() const { return m_driftDetectorRows; }
    QHash<QString, QString> driftErrors() const { return m_driftErrors; }
    // Pinned drift baselines (the drift view keeps and saves them): the
    // monitors compare those features against them from the next tick on.
    void setDriftBaselines(const QList<drift::PinnedBaseline> &baselines);
    // Commands: queued to the I/O thread, never waited for; a refusal comes
    // back as alertCommandFailed().
    void acknowledge(const QString &fingerprint, const QString &comment = {}, qint64 expiresAtMs = 0);
    void unacknowledge(const QString &fingerprint);
    void addSilence(const rules::Silence &silence);
    void expireSilence(const QString &id);
    // Server-side alerts (connections whose connector is a vigil::ServerAlerts,
    // i.e. Alertmanager), read every kServerAlertsPollMs and after each
    // acknowledgement; GUI thread copies, refreshed before serverAlertsUpdated().
    static constexpr int kServerAlertsPollMs = 15'000;
    static constexpr int kIdleProbeMs = 60'000;
    QList<ServerAlertRow> serverAlertRows() const { return m_serverAlertRows; }
    QHash<QString, QString> serverAlertErrors() const { return m_serverAlertErrors; }
    void refreshServerAlerts();
    // Acknowledge on the server: a silence of exactly the alert's labels, by
    // userName(), for `durationMs`; un-acknowledge: expire it. A refusal comes
    // back as alertCommandFailed().
    void acknowledgeOnServer(const QString &connection, const ServerAlert &alert, const QString &comment,
                             qint64 durationMs = 2 * 3'600'000LL);
    void unacknowledgeOnServer(const QString &connection, const ServerAlert &alert);
    // The connections whose connector holds alerts and silences (Alertmanager)
    // and those that report their own rules' health (Prometheus); set by open().
    QStringList serverAlertConnections() const { return m_serverAlertConnections; }
    QStringList ruleStatusConnections() const { return m_ruleStatusConnections; }
    // Alertmanager's silences, active, pending and expired, read with the
    // server alerts (session_server.cpp); GUI thread copies, refreshed before
    // serverSilencesUpdated().
    QList<ServerSilenceRow> serverSilenceRows() const { return m_serverSilenceRows; }
    QHash<QString, QString> serverSilenceErrors() const { return m_serverSilenceErrors; }
    // Creates `silence` on the connection's Alertmanager. The answer comes as
    // serverSilenceCreated or serverSilenceRefused carrying the number this
    // returns; alerts and silences are then read again.
    int createServerSilence(const QString &connection, const ServerSilence &silence);
    // Ends a server silence now; a refusal comes back as alertCommandFailed().
    void expireServerSilence(const QString &connection, const QString &id);
    // Prometheus' own rule groups (RuleStatus connectors), read every
    // kRuleStatusPollMs, right after opening and on refresh(); GUI thread
    // copies, refreshed before ruleStatusUpdated().
    static constexpr int kRuleStatusPollMs = 30'000;
    QList<RuleGroupRow> ruleGroupRows() const { return m_ruleGroupRows; }
    QHash<QString, QString> ruleStatusErrors() const { return m_ruleStatusErrors; }
    void refreshRuleStatus();
    // Asks the alert database for one alert's history (transitions and
    // acknowledgements, oldest first); the answer comes as alertHistoryReady,
    // one line of plain text per entry. Without a database: an explanation.
    void requestAlertHistory(const QString &fingerprint);
    // Who acks and silences: $VIGIL_USER, else the login name.
    static QString userName();
    // For the pipeline that sends notifications and for tests: runs `f` with the
    // engine in the I/O thread and waits for it.
    void withEngine(const std::function<void(alerting::AlertEngine &)> &f);
    // The same for the pipeline (nullptr when it is not enabled or not open).
    void withPipeline(const std::function<void(alerting::AlertPipeline *)> &f);
    // Notification and alert-database problems so far (GUI thread copy):
    // permanent delivery failures, a database moved aside, locked or full.
    QStringList notificationProblems() const { return m_notificationProblems; }

Q_SIGNALS:
    void pollStatusChanged(const QString &jobId, const vigil::PollStatus &status);
    void healthChanged(const QString &connection, const vigil::ConnectionHealth &health);
    void alertsUpdated();
    void alertHistoryReady(const QString &fingerprint, const QStringList &lines);
    void driftUpdated();
    void serverAlertsUpdated();
    void serverSilencesUpdated();
    void serverSilenceCreated(int request, const QString &connection, const QString &id);
    void serverSilenceRefused(int request, const QString &message);
    void ruleStatusUpdated();
    void alertCommandFailed(const QString &message);
    // A command made here reached the other Vigil that holds the alert
    // database and sends its notifications ("vigil-watch (pid …) took the acknowledgement").
    void alertCommandForwarded(const QString &message);
    // A new entry of notificationProblems().
    void notificationProblem(const QString &message);
    // The desktop notifier lost (false) or regained its notification server.
    void desktopNotificationsAvailable(bool available, const QString &reason);
    // A desktop notification's Open button (or a click on it).
    void openAlertsRequested(const QString &fingerprint);

private:
    void applyJobs();
    template<typename F> void inIo(F &&f);
    // In the I/O thread: a connector per connection of `workspace`, keeping those of `previous` whose settings match.
    void applyConnections(const Workspace &workspace, const Workspace *previous, QStringList *errors);
    static QString defaultConnectionOf(const Workspace &workspace);

    SeriesStore m_store;
    PluginRegistry m_plugins;
    Workspace m_workspace;
    QThread m_io;
    QObject *m_ioRoot = nullptr;         // lives in m_io; parent of connectors and scheduler
    PollScheduler *m_scheduler = nullptr;
    QString m_active;
    qint64 m_rangeMs = 15 * 60'000;
    qint64 m_absoluteFromMs = 0, m_absoluteToMs = 0; // 0: live
    bool m_paused = false;
    QHash<QString, ConnectionHealth> m_health;
    QHash<QString, PollStatus> m_status;
    QString m_sendingElsewhere; // see alertsSentBy()
    // While this Vigil holds the alert database: takes acks and silences from
    // another Vigil on it (alert_commands_bus.h). Lives in m_io, under m_ioRoot.
    AlertCommandsService *m_commands = nullptr;
    AlertCommandsMirror *m_mirror = nullptr; // while another Vigil sends: its acks and silences, shown here
    std::unique_ptr<QTemporaryDir> m_observerDir; // the private database while another Vigil sends
    alerting::AlertEngine *m_engine = nullptr; // lives in m_io
    drift::DriftMonitor *m_drift = nullptr;    // lives in m_io
    QList<drift::DriftRow> m_driftRows;
    QList<drift::DetectorRow> m_driftDetectorRows;
    QHash<QString, QString> m_driftErrors;
    void publishDrift(); // in the I/O thread
    bool m_pipelineEnabled = false;
    QString m_storePath;
    storage::AlertStore *m_alertStore = nullptr;   // lives (is used) in m_io; deleted there
    alerting::AlertPipeline *m_pipeline = nullptr; // lives in m_io
    QStringList m_notificationProblems;
    QStringList startPipeline(const Workspace &workspace); // in the I/O thread
    QList<alerting::AlertRow> m_alertRows;
    QList<rules::Silence> m_silences;
    QHash<QString, QString> m_ruleErrors;
    void publishAlerts(); // in the I/O thread: copies the engine's rows to the GUI thread
    void inIoAsync(std::function<void()> f);
    // From the I/O thread: a refused command, to the GUI as alertCommandFailed().
    void commandFailed(const QString &error);
    // From the I/O thread: sends a command just applied here to the Vigil that
    // holds the alert database, when that is another one; `failedHere` starts
    // the message if it does not take it ("Acknowledged here only").
    void forwardCommand(const QString &method, const QVariantList &args, const QString &failedHere);
    QList<ServerAlertRow> m_serverAlertRows;
    QHash<QString, QString> m_serverAlertErrors;
    bool m_serverPollInFlight = false; // I/O thread
    int m_serverPollTicks = 0;         // I/O thread
    void pollServerAlerts();           // in the I/O thread
    ServerAlerts *serverAlertsOf(const QString &connection) const; // in the I/O thread
    // Server silences and rule health (session_server.cpp).
    QStringList m_serverAlertConnections, m_ruleStatusConnections;
    QList<ServerSilenceRow> m_serverSilenceRows;
    QHash<QString, QString> m_serverSilenceErrors;
    QList<RuleGroupRow> m_ruleGroupRows;
    QHash<QString, QString> m_ruleStatusErrors;
    int m_silenceRequests = 0;           // GUI thread
    bool m_silencePollInFlight = false;  // I/O thread
    bool m_rulePollInFlight = false;     // I/O thread
    int m_rulePollTicks = 0;             // I/O thread
    void findServerConnections();        // in the I/O thread, after the connectors exist
    void pollServerSilences();           // in the I/O thread
    void pollRuleStatus();               // in the I/O thread
    // Health of connections no panel polls (a model registry, an Alertmanager
    // without panels): a probe at open and reload, then every kIdleProbeMs.
    // The scheduler's health, once it reports on a connection, wins.
    QSet<QString> m_polledHealth;         // GUI thread: connections the scheduler reports on
    int m_probeTicks = 0;                 // I/O thread
    QSet<QString> m_polledHealthIo;       // I/O thread: the same, never probed again
    QSet<QString> m_probesInFlight;       // I/O thread
    void probeUnpolledConnections();      // in the I/O thread
};

} // namespace vigil
