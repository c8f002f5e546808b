// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/rule.h"
#include "series/series_key.h"

#include <QList>
#include <QString>
#include <cmath>
#include <limits>

namespace vigil::rules {

enum class AlertState : quint8 { Normal, Pending, Firing, Recovering, NoData, Error };

QString toString(AlertState state);
std::optional<AlertState> alertStateFromString(const QString &text);

// "Open" states are the ones a person has been (or would be) told about: the
// alert is a problem until it leaves them. Pending is not open (Prometheus
// sends nothing for pending alerts); Recovering is (it is still firing as far
// as anyone outside is concerned, as in Grafana).
constexpr bool isOpen(AlertState s)
{
    return s == AlertState::Firing || s == AlertState::Recovering || s == AlertState::NoData
        || s == AlertState::Error;
}

// One alert instance: a rule plus the labels of one series its query returned.
// The fingerprint is the identity outside this process (a database key, part
// of a notification id), so it is a fixed function of the rule name and the
// series key: 64-bit FNV-1a over their UTF-8 bytes with 0xff separators (the
// construction Prometheus and Alertmanager use for label-set fingerprints;
// 0xff never occurs in UTF-8, so no two different inputs share a byte string),
// as 16 lowercase hex digits. It does not depend on Qt's hash seed or version.
struct AlertInstanceId
{
    QString rule;
    SeriesKey series; // empty for the rule-level instance (no data / error with no series)
    QString fingerprint;

    static AlertInstanceId make(const QString &rule, const SeriesKey &series);
    // "HighP99Latency{model="fraud", version="3"}", for logs and messages.
    QString toString() const;

    friend bool operator==(const AlertInstanceId &a, const AlertInstanceId &b)
    {
        return a.fingerprint == b.fingerprint && a.rule == b.rule && a.series == b.series;
    }
};

QString fingerprintOf(const QString &rule, const SeriesKey &series);

// Why a transition happened, for history ("who/what did this") and messages.
enum class TransitionReason : quint8 {
    ConditionMet,      // Normal -> Firing with for: 0, or Normal -> Pending
    PendingElapsed,    // Pending -> Firing / NoData / Error: held for `for`
    ConditionCleared,  // Pending -> Normal: stopped breaching before `for` elapsed
    BelowRecovery,     // Firing -> Recovering: no longer breaching, recovery threshold not crossed
    KeepFiring,        // Firing -> Recovering: recovered, keep_firing_for running
    Recovered,         // -> Normal: recovered (and keep_firing_for elapsed)
    ConditionReturned, // Recovering -> Firing: breaching again
    NoData,            // no-data policy applied (the series vanished, the result was empty, or NaN)
    QueryError,        // error policy applied; detail holds the error
    DataReturned,      // NoData / Error -> a data-driven state
    MissingSeries,     // a series missing for resolveMissingAfterMs: resolved, explicitly
    SeverityRaised,    // from == to; severity rose (an escalation step crossed)
    SeverityLowered,   // from == to; severity fell back
    FlappingStarted,   // from == to; the instance is now flapping
    FlappingStopped,   // from == to; no longer flapping
};

QString toString(TransitionReason reason);

// Something that happened to one instance at one evaluation: what
// persistence writes and routing consumes. A value type (implicitly shared
// strings inside), cheap to copy and safe to queue across threads.
struct Transition
{
    AlertInstanceId instance;
    AlertState from = AlertState::Normal;
    AlertState to = AlertState::Normal;
    qint64 atMs = 0;
    double value = std::numeric_limits<double>::quiet_NaN(); // NaN when there was none (no data, error)
    TransitionReason reason = TransitionReason::ConditionMet;
    QString detail; // the query error, for QueryError
    Severity severity = Severity::Warning;         // after this transition
    Severity previousSeverity = Severity::Warning; // before it
    bool flapping = false;                         // after this transition

    bool isStateChange() const { return from != to; }
    // Became a problem: Normal/Pending -> Firing/NoData/Error.
    bool opens() const { return !isOpen(from) && isOpen(to); }
    // Stopped being a problem: the resolved notice, and where acks lapse.
    bool resolves() const { return isOpen(from) && !isOpen(to); }
};

// The query's answer for one evaluation, as the engine hands it over.
struct QuerySample
{
    SeriesKey series;
    double value = 0;
};

struct QueryResult
{
    QList<QuerySample> samples;
    bool failed = false;
    QString error; // for the user: "prom: connection refused", "parse error at char 12: ..."

    static QueryResult failure(QString message)
    {
        QueryResult r;
        r.failed = true;
        r.error = std::move(message);
        return r;
    }
};

// Everything the state machine knows about one instance. A plain value, so
// persistence can store and restore it whole; fields below "bookkeeping" are
// the machine's own and have no meaning to a reader beyond that.
struct AlertInstance
{
    AlertInstanceId id;
    AlertState state = AlertState::Normal;
    Severity severity = Severity::Warning;
    qint64 stateSinceMs = 0;   // when it entered the current state
    qint64 activeSinceMs = 0;  // when the current problem began (Pending or open); 0 when Normal
    qint64 lastEvalMs = 0;
    double lastValue = std::numeric_limits<double>::quiet_NaN(); // last value seen in a result
    QString lastError;
    bool flapping = false;

    // bookkeeping
    AlertState pendingTarget = AlertState::Firing; // what Pending becomes when `for` elapses
    qint64 recoveredSinceMs = 0; // first evaluation of the current recovered run (keep_firing_for); 0 = none
    qint64 missingSinceMs = 0;   // first evaluation the series was missing from a good result; 0 = present
    bool wasFiring = false;      // NoData/Error entered from Firing/Recovering: data back resumes firing
    bool present = false;        // in the last successful result
    quint32 flapChanges = 0;     // bit 0 = newest evaluation; set where open/closed changed
    quint8 flapSamples = 0;      // evaluations recorded, up to FlapSettings::kWindow
    quint64 generation = 0;      // the last evaluation that touched it

    // Nagios' weighted percent state change over the window, 0..100.
    double flapPercent() const;
};

} // namespace vigil::rules
