// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"
#include "sources/result.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>
#include <QtPlugin>
#include <optional>

namespace vigil {

// Alerts and silences held by a server that routes alerts (Alertmanager's API
// v2). Timestamps are epoch ms; 0 means "not set". Labels and annotations are
// sorted by name.

enum class ServerAlertState {
    Unknown,     // a state this version does not know
    Unprocessed, // received, not yet through the silence and inhibition stage
    Active,      // notified (or about to be)
    Suppressed,  // silenced or inhibited: see silencedBy / inhibitedBy
};
QString toString(ServerAlertState state);

struct ServerAlert
{
    QString fingerprint; // Alertmanager's hash of the label set, e.g. "d295a8504d2e07b5"
    Labels labels;
    Labels annotations;
    qint64 startsAtMs = 0;
    qint64 endsAtMs = 0;    // when it resolves unless re-sent (Prometheus re-sends while firing)
    qint64 updatedAtMs = 0;
    ServerAlertState state = ServerAlertState::Unknown;
    QStringList silencedBy;  // silence ids
    QStringList inhibitedBy; // fingerprints of the inhibiting alerts
    QStringList receivers;
    QString generatorUrl;    // the rule's page on the Prometheus that sent it

    QString label(const QString &name) const;
    QString annotation(const QString &name) const;
    // alertname{a="1", b="2"} without alertname among the labels.
    QString displayName() const;
};

// Alerts as Alertmanager groups them for a receiver (route group_by).
struct AlertGroup
{
    Labels labels; // the group_by labels and their values
    QString receiver;
    QList<ServerAlert> alerts;
};

// One matcher of a silence or a filter, Alertmanager's four operators.
struct SilenceMatcher
{
    enum class Op : quint8 { Equal, NotEqual, Regex, NotRegex };
    QString name;
    QString value;
    Op op = Op::Equal;

    bool isRegex() const { return op == Op::Regex || op == Op::NotRegex; }
    bool isEqual() const { return op == Op::Equal || op == Op::Regex; }
    static Op opFrom(bool isRegex, bool isEqual);
    // name="value" with the value quoted as Alertmanager's matcher parser reads
    // it (\\, \" and \n escaped): the form of `filter` query parameters.
    QString toString() const;
    friend bool operator==(const SilenceMatcher &, const SilenceMatcher &) = default;
};
QString toString(SilenceMatcher::Op op); // "=", "!=", "=~", "!~"
// A value in double quotes with \\, \" and \n escaped.
QString quoteMatcherValue(const QString &value);

enum class SilenceState { Unknown, Pending, Active, Expired };
QString toString(SilenceState state);

struct ServerSilence
{
    QString id; // empty when creating one
    QList<SilenceMatcher> matchers;
    qint64 startsAtMs = 0;
    qint64 endsAtMs = 0;
    qint64 updatedAtMs = 0;
    QString createdBy;
    QString comment;
    SilenceState state = SilenceState::Unknown;
};

// What to list. Matchers narrow by label (all must hold); the flags say which
// kinds of alert are included (Alertmanager's defaults: all of them).
struct AlertFilter
{
    QList<SilenceMatcher> matchers;
    bool active = true;
    bool silenced = true;
    bool inhibited = true;
    bool unprocessed = true;
    QString receiver; // a regex on the receiver name; empty: every receiver
};

// ---- silences a person writes (the silence editor) ----

// True when `labels` satisfy `matcher` as Alertmanager decides it: a missing
// label is the empty string, a regex must match the whole value. An invalid
// regex matches nothing.
bool matcherMatches(const SilenceMatcher &matcher, const Labels &labels);
// Every matcher holds (an empty list matches nothing: a silence needs one).
bool silenceMatchesLabels(const QList<SilenceMatcher> &matchers, const Labels &labels);
// What stops `silence` from being created, one plain sentence per problem,
// matchers numbered from 1 as shown: no matchers, a matcher without a valid
// label name, an invalid regex, matchers that would silence every alert (each
// also matches a missing label), no author, no comment, an end not after the
// start. Empty: Alertmanager will take it.
QStringList silenceProblems(const ServerSilence &silence);

// ---- acknowledging a server-side alert ----
//
// Acknowledging an alert that lives on Alertmanager means silencing it: one
// `=` matcher per label of the alert, nothing else. Alertmanager matchers
// cannot say "and no other labels", so such a silence also covers an alert
// with the same labels plus more; since Prometheus gives every alert of a rule
// the same label names, in practice it covers exactly this alert.

// The silence that acknowledges `alert`: every label as an `=` matcher (sorted
// by name), from now for `durationMs`, with author and comment. An empty
// comment becomes "Acknowledged in Vigil". nullopt with `error` set when
// there is nothing to match on (no labels), no author, or no duration.
std::optional<ServerSilence> ackSilenceFor(const ServerAlert &alert, const QString &author, const QString &comment,
                                           qint64 durationMs, qint64 nowMs, QString *error = nullptr);
// True when `silence` consists of exactly one `=` matcher per label of `alert`
// with its value, and nothing else: the silence ackSilenceFor() builds.
bool ackSilenceMatches(const ServerSilence &silence, const ServerAlert &alert);
// The ids of the silences that acknowledge `alert` and are still pending or
// active: what un-acknowledging expires.
QStringList ackSilenceIds(const QList<ServerSilence> &silences, const ServerAlert &alert);

// The typed side of a connector with Capability::ServerAlerts | Silences.
// Reach it from a Connector with qobject_cast<vigil::ServerAlerts *>(connector).
// Futures complete in the connector's thread, like query().
class ServerAlerts
{
public:
    virtual ~ServerAlerts() = default;

    virtual QFuture<Result<QList<ServerAlert>>> alerts(const AlertFilter &filter = {}) = 0;
    virtual QFuture<Result<QList<AlertGroup>>> alertGroups(const AlertFilter &filter = {}) = 0;
    // Every silence the server keeps: active, pending and expired.
    virtual QFuture<Result<QList<ServerSilence>>> silences(const QList<SilenceMatcher> &filter = {}) = 0;
    // Creates the silence (an id given updates that silence); the value is its id.
    virtual QFuture<Result<QString>> createSilence(const ServerSilence &silence) = 0;
    // Ends it now. Expiring an already expired silence succeeds.
    virtual QFuture<Result<bool>> expireSilence(const QString &id) = 0;
};

// Acknowledge on the server: create the silence ackSilenceFor() builds; the
// value is its id. Un-acknowledge: expire every pending or active silence that
// is the alert's acknowledgement (ackSilenceIds); the value is how many (0,
// with a warning, when there was none). Continuations run in `context`'s
// thread (the connector itself, normally); messages name the alert.
QFuture<Result<QString>> acknowledgeServerAlert(ServerAlerts *api, QObject *context, const ServerAlert &alert,
                                                const QString &author, const QString &comment, qint64 durationMs,
                                                qint64 nowMs);
QFuture<Result<int>> unacknowledgeServerAlert(ServerAlerts *api, QObject *context, const ServerAlert &alert);

} // namespace vigil

#define VIGIL_SERVER_ALERTS_IID "org.vigil.ServerAlerts/1"
Q_DECLARE_INTERFACE(vigil::ServerAlerts, VIGIL_SERVER_ALERTS_IID)
