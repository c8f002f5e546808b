// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/acks.h"

#include <algorithm>

namespace vigil::rules {

QString toString(AckEvent::Kind kind)
{
    switch (kind) {
    case AckEvent::Kind::Acknowledged: return QStringLiteral("acknowledged");
    case AckEvent::Kind::Unacknowledged: return QStringLiteral("unacknowledged");
    case AckEvent::Kind::Lapsed: return QStringLiteral("lapsed");
    case AckEvent::Kind::Reopened: return QStringLiteral("reopened");
    }
    return {};
}

QString toString(AckEvent::Cause cause)
{
    switch (cause) {
    case AckEvent::Cause::Person: return QStringLiteral("person");
    case AckEvent::Cause::Resolved: return QStringLiteral("resolved");
    case AckEvent::Cause::SeverityRaised: return QStringLiteral("severity-raised");
    case AckEvent::Cause::Expired: return QStringLiteral("expired");
    }
    return {};
}

AckBook::Result AckBook::acknowledge(const AlertInstance &instance, const QString &by, qint64 nowMs,
                                     const QString &comment, qint64 expiresAtMs)
{
    Result r;
    if (!isOpen(instance.state)) {
        r.error = instance.state == AlertState::Pending
            ? QStringLiteral("%1 is pending, not firing yet: there is nothing to acknowledge").arg(instance.id.toString())
            : QStringLiteral("%1 is not firing: there is nothing to acknowledge").arg(instance.id.toString());
        return r;
    }
    if (by.trimmed().isEmpty()) {
        r.error = QStringLiteral("an acknowledgement needs a name: who is on it?");
        return r;
    }
    if (expiresAtMs != 0 && expiresAtMs <= nowMs) {
        r.error = QStringLiteral("the acknowledgement would expire before it starts: choose a later expiry");
        return r;
    }
    Ack ack;
    ack.fingerprint = instance.id.fingerprint;
    ack.instanceText = instance.id.toString();
    ack.by = by;
    ack.atMs = nowMs;
    ack.comment = comment;
    ack.expiresAtMs = expiresAtMs;
    ack.severity = instance.severity;
    m_acks.insert(ack.fingerprint, ack);
    r.event = AckEvent{AckEvent::Kind::Acknowledged, AckEvent::Cause::Person, ack, nowMs, by, instance.severity};
    return r;
}

std::optional<AckEvent> AckBook::unacknowledge(const QString &fingerprint, const QString &by, qint64 nowMs)
{
    const auto it = m_acks.constFind(fingerprint);
    if (it == m_acks.cend())
        return std::nullopt;
    AckEvent e{AckEvent::Kind::Unacknowledged, AckEvent::Cause::Person, *it, nowMs, by, it->severity};
    m_acks.erase(it);
    return e;
}

bool AckBook::isAcked(const QString &fingerprint, qint64 nowMs) const
{
    const auto it = m_acks.constFind(fingerprint);
    return it != m_acks.cend() && !it->expiredAt(nowMs);
}

const Ack *AckBook::find(const QString &fingerprint) const
{
    const auto it = m_acks.constFind(fingerprint);
    return it == m_acks.cend() ? nullptr : &*it;
}

QList<Ack> AckBook::all() const
{
    QList<Ack> out = m_acks.values();
    std::sort(out.begin(), out.end(), [](const Ack &a, const Ack &b) {
        return a.atMs != b.atMs ? a.atMs < b.atMs : a.fingerprint < b.fingerprint;
    });
    return out;
}

QList<AckEvent> AckBook::apply(const QList<Transition> &transitions)
{
    QList<AckEvent> events;
    if (m_acks.isEmpty())
        return events;
    for (const Transition &t : transitions) {
        const auto it = m_acks.constFind(t.instance.fingerprint);
        if (it == m_acks.cend())
            continue;
        if (t.resolves()) {
            events.append({AckEvent::Kind::Lapsed, AckEvent::Cause::Resolved, *it, t.atMs, {}, t.severity});
            m_acks.erase(it);
        } else if (isOpen(t.to) && t.severity > it->severity) {
            // Acknowledged a warning; it is critical now: the person must hear about it.
            events.append({AckEvent::Kind::Reopened, AckEvent::Cause::SeverityRaised, *it, t.atMs, {}, t.severity});
            m_acks.erase(it);
        }
    }
    return events;
}

QList<AckEvent> AckBook::expire(qint64 nowMs)
{
    QList<AckEvent> events;
    for (auto it = m_acks.begin(); it != m_acks.end();) {
        if (it->expiredAt(nowMs)) {
            events.append({AckEvent::Kind::Reopened, AckEvent::Cause::Expired, *it, nowMs, {}, it->severity});
            it = m_acks.erase(it);
        } else {
            ++it;
        }
    }
    std::sort(events.begin(), events.end(), [](const AckEvent &a, const AckEvent &b) {
        return a.ack.fingerprint < b.ack.fingerprint;
    });
    return events;
}

void AckBook::restore(const QList<Ack> &acks)
{
    for (const Ack &a : acks)
        m_acks.insert(a.fingerprint, a);
}

} // namespace vigil::rules
