// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/rule.h"

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
    int line = 0;
};

struct PanelQuery
{
    QString expr;
    QString legend; // "{{version}} p99": label values in double braces, as Grafana does
};

struct PanelDef
{
    QString title;
    QString connection; // empty: the workspace's first Prometheus connection
    QList<PanelQuery> queries;
    QString unit;       // s, ms, reqps, percent, percentunit, bytes, short, ...
    QString description;
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
    QList<NotifierDef> notifiers;
    QList<WorkspaceIssue> issues;

    bool hasErrors() const;
    QStringList errorMessages() const;
    const ConnectionDef *connection(const QString &name) const;
    const DashboardDef *dashboard(const QString &name) const;
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
QString expandEnvironment(const QString &text);

// For "did you mean" hints: the candidate nearest to `word` within a small edit distance.
QString nearestWord(const QString &word, const QStringList &candidates);

} // namespace vigil
