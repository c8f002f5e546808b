// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/alert_instance.h"

#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace vigil::rules {

// "I have seen this page and I am on it." Per alert instance (fingerprint).
struct Ack
{
    QString fingerprint;
    QString instanceText; // "HighP99Latency{model="fraud"}", for history and messages
    QString by;
    qint64 atMs = 0;
    QString comment;
    qint64 expiresAtMs = 0;               // 0 = until the alert resolves
    Severity severity = Severity::Warning; // the instance's severity when acknowledged

    bool expiredAt(qint64 nowMs) const { return expiresAtMs > 0 && nowMs >= expiresAtMs; }
};

// What happened to an ack, for history (persistence) and for the router:
// Reopened means "notify again now, the ack no longer holds".
struct AckEvent
{
    enum class Kind : quint8 {
        Acknowledged,
        Unacknowledged,  // a person took it back
        Lapsed,          // the alert resolved; nothing to re-open
        Reopened,        // severity rose or the ack expired while the alert is still open
    };
    enum class Cause : quint8 { Person, Resolved, SeverityRaised, Expired };

    Kind kind = Kind::Acknowledged;
    Cause cause = Cause::Person;
    Ack ack;
    qint64 atMs = 0;
    QString by; // who, for Acknowledged / Unacknowledged
    Severity severity = Severity::Warning; // the instance's severity at the event
};

QString toString(AckEvent::Kind kind);
QString toString(AckEvent::Cause cause);

// Acknowledgements of open alert instances. Time is passed in; nothing here
// runs on its own, so the caller calls expire() on its evaluation tick.
class AckBook
{
public:
    // Acknowledges an open instance (Firing, Recovering, NoData, Error). A
    // second ack replaces the first (new who, comment, expiry). Returns the
    // event, or an error message for the user when there is nothing to ack.
    struct Result
    {
        std::optional<AckEvent> event;
        QString error;
    };
    Result acknowledge(const AlertInstance &instance, const QString &by, qint64 nowMs,
                       const QString &comment = {}, qint64 expiresAtMs = 0);
    // Takes an ack back; nullopt when the instance was not acknowledged.
    std::optional<AckEvent> unacknowledge(const QString &fingerprint, const QString &by, qint64 nowMs);

    // Acked now: present and not expired (an expired ack counts as gone even
    // before expire() has reported it).
    bool isAcked(const QString &fingerprint, qint64 nowMs) const;
    const Ack *find(const QString &fingerprint) const;
    QList<Ack> all() const;
    qsizetype size() const { return m_acks.size(); }

    // Feeds the state machine's transitions: an ack lapses when its alert
    // resolves, and re-opens when the alert's severity rises above the
    // severity it was acknowledged at.
    QList<AckEvent> apply(const QList<Transition> &transitions);
    // Acks whose expiry has come: each re-opens its (still open) alert.
    QList<AckEvent> expire(qint64 nowMs);

    // Persistence: put back acks saved earlier.
    void restore(const QList<Ack> &acks);

private:
    QHash<QString, Ack> m_acks;
};

} // namespace vigil::rules
