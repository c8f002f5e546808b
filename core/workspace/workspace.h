// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/router.h"
#include "rules/rule.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <limits>

namespace vigil {

// A problem found in a workspace file: where, which key, what to do.
struct WorkspaceIssue
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    QString file;
    int line = 0; // 1-based; 0 when unknown
    QString key;  // dotted path, e.g. "dashboards[0].panels[2].unit"
    QString message;
    // "demo.yaml:14: unknown key 'treshold' in rule HighP99Latency; did you mean 'threshold'?"
    QString toString() const;
};

struct ConnectionDef
{
    QString name;
    QString kind;
    QString url;
    QString bearerTokenSecret; // names of secrets, never the secrets themselves
    QString basicUser;
    QString passwordSecret;
    QList<std::pair<QString, QString>> headers;
    QString caFile;
    bool tlsVerify = true;
    int timeoutMs = 10'000;
    // Plugin-specific settings (`options:`), e.g. tenant and split_interval for
    // Prometheus-compatible engines, page_size for MLflow. Scalars arrive as
    // JSON: true/false as bools, numbers as doubles, the rest as strings.
    QJsonObject options;
    int line = 0;
};

struct PanelQuery
{
    QString expr;
    QString legend; // "{{version}} p99": label values in double braces, as Grafana does
};

// A horizontal line drawn on a panel (e.g. imported from Grafana's threshold steps).
struct PanelThreshold
{
    double value = 0;
    QString label; // shown in the legend; a Grafana colour name when imported
    friend bool operator==(const PanelThreshold &, const PanelThreshold &) = default;
};

struct PanelDef
{
    QString title;
    QString connection; // empty: the workspace's first Prometheus connection
    QList<PanelQuery> queries;
    QString unit;       // s, ms, reqps, percent, percentunit, bytes, short, ...
    QString description;
    QList<PanelThreshold> thresholds;
    int line = 0;
};

struct DashboardDef
{
    QString name;
    int columns = 2;
    QList<PanelDef> panels;
    int line = 0;
};

// An alert rule as the workspace (or a Prometheus rule file) declares it.
struct RuleDef
{
    rules::Rule rule;
    QString group;          // rule group; "default" for the workspace's own list
    qint64 intervalMs = 60'000; // the group's evaluation interval
    QString connection;     // empty: the workspace's first Prometheus connection
    QStringList notify;     // notifier names; empty: the routes decide
    QString file;           // where it was declared (the workspace or a rule file)
    int line = 0;
};

// A notifier: a plugin kind, its options, and the names of its secrets.
struct NotifierDef
{
    QString name;
    QString kind;
    QMap<QString, QString> options;  // plain options (channel, username, ...)
    QMap<QString, QString> secrets;  // option -> secret name, e.g. webhook_url -> slack-oncall
    // Resolved notices to this notifier (Alertmanager's per-receiver
    // send_resolved; Vigil's default is on: DESIGN.md promises the notice).
    bool sendResolved = true;
    int line = 0;
};

// A drift monitor: compares each feature's histogram over the current window
// with a reference window, on an interval; the scores become series.
struct DriftDef
{
    QString name;
    QString connection;      // empty: the workspace's first Prometheus connection
    QString histogram;       // base name: `<histogram>_bucket` series with `le` labels
    QString selector;        // label matchers inside the braces, e.g. model="spam-filter"
    QStringList by{QStringLiteral("feature")}; // labels that tell features apart
    qint64 windowMs = 3'600'000;              // current window: the last hour
    qint64 referenceOffsetMs = 7 * 86'400'000LL; // reference: the same window a week earlier
    qint64 referenceFromMs = 0;               // or a pinned range (epoch ms); both 0: offset
    qint64 referenceToMs = 0;
    qint64 intervalMs = 60'000;
    // On start, also score this much of the past (one point per interval, at
    // most 120), so the drift panels show a curve at once. 0: start from now.
    qint64 backfillMs = 0;
    // A change detector instead of a histogram comparison (issue 4, item 2):
    // `query` is evaluated at each interval and each of its series feeds a
    // detector of its own; a flag becomes vigil_drift_change (1 on the flagged
    // evaluation and for `hold` after it, 0 otherwise). Empty: a histogram monitor.
    QString detector;                      // page-hinkley, adwin or ddm
    QString query;                         // PromQL, e.g. an error rate
    QMap<QString, QString> detectorParams; // River's parameter names: threshold: 20
    // vigil_drift_change stays 1 this long after a flag, so a rule evaluated
    // less often than the monitor still sees it (Prometheus' lookback, 5m).
    qint64 holdMs = 5 * 60'000;
    int line = 0;
};

// A registered model and where its live metrics are (issue 5, item 2):
// `fraud-detector: { registry: registry, metrics: prom, version_label: version }`.
// Query templates use {{model}}, {{version}} (the label value), {{version_label}}
// and {{interval}}; core/compare/model_mapping.h has the defaults.
struct ModelDef
{
    QString name;           // the registered model's name in the registry
    QString registry;       // a connection of kind mlflow; empty: none
    QString metrics;        // a time-series connection; empty: the first one
    QString versionLabel = QStringLiteral("version"); // the label carrying the version
    // The label value of registry version N: "{{version}}" ("13"), or e.g.
    // "v{{version}}" when the series say version="v13".
    QString versionValue = QStringLiteral("{{version}}");
    QString baseline = QStringLiteral("champion");   // version or alias compared against
    QString canary = QStringLiteral("challenger");   // version or alias judged
    qint64 intervalMs = 60'000; // rate() window and step of the per-interval values
    QMap<QString, QString> queries; // overrides by key: p50_latency, p95_latency, ...
    int line = 0;
};

struct Workspace
{
    QString path;
    QList<ConnectionDef> connections;
    QList<DashboardDef> dashboards;
    qint64 refreshMs = 5'000;      // how often panels poll
    qint64 rangeMs = 15 * 60'000;  // how far back panels look
    // Prometheus' global evaluation_interval default: 1m.
    qint64 evaluationIntervalMs = 60'000;
    QList<RuleDef> rules;
    // The files `rule_files:` names, absolute, as named (also one that could
    // not be read): what a watcher of the workspace watches with it.
    QStringList ruleFiles;
    QList<NotifierDef> notifiers;
    QList<DriftDef> drift;
    // The `routes:` tree and `inhibit_rules:` as written (Alertmanager's
    // route and inhibit_rules); nullopt when the file has no `routes:` (the
    // pipeline then routes each rule to its `notify:` list). sendResolved is
    // filled from the notifiers either way.
    std::optional<RouterConfig> routing;
    int routesLine = 0;
    QList<ModelDef> models;
    QList<WorkspaceIssue> issues;

    bool hasErrors() const;
    QStringList errorMessages() const;
    const ConnectionDef *connection(const QString &name) const;
    const DashboardDef *dashboard(const QString &name) const;
    const ModelDef *model(const QString &name) const;
    // The connection a panel reads from: its own, or the first time-series one.
    QString connectionFor(const PanelDef &panel) const;
};

// A Prometheus alerting-rule file (`groups: - name: rules: - alert: expr: ...`),
// as Prometheus loads it. Recording rules are reported and skipped. Issues go
// to `issues` with the file's name and line.
QList<RuleDef> parsePrometheusRules(const QByteArray &yaml, const QString &fileName, QList<WorkspaceIssue> *issues,
                                    qint64 defaultIntervalMs = 60'000);

// Parses YAML text. Never throws: every problem becomes an issue with its
// line, and whatever is valid is kept, so one bad panel does not take down the rest.
Workspace parseWorkspace(const QByteArray &yaml, const QString &fileName);
Workspace loadWorkspace(const QString &path);

// The longest duration accepted, as in Prometheus (an int64 of nanoseconds,
// about 292 years): larger ones overflowed, and time arithmetic on them
// (now + for) would overflow in turn.
inline constexpr qint64 kMaxDurationMs = std::numeric_limits<qint64>::max() / 1'000'000;

// "15s", "2m", "1h30m", "500ms", "7d" -> milliseconds; -1 when malformed or
// longer than kMaxDurationMs.
qint64 parseDuration(const QString &text);
QString formatPromDuration(qint64 ms);

// ${NAME} and ${NAME:-default} replaced from the environment (as in shell and
// docker-compose), so one workspace can point at a server chosen at run time.
// "$${" is written for a literal "${"; escapeEnvironment() does that to a value
// about to be written into a workspace file, so it reads back as it was.
QString expandEnvironment(const QString &text);
QString escapeEnvironment(const QString &text);

// For "did you mean" hints: the candidate nearest to `word` within a small edit distance.
QString nearestWord(const QString &word, const QStringList &candidates);

} // namespace vigil
