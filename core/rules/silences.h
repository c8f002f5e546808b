// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"

#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <optional>

namespace vigil::rules {

// One label matcher, Alertmanager's model: a label the alert does not carry
// matches as the empty string, and a regex must match the whole value
// (it is anchored as ^(?:re)$ in Go's sense, \A(?:re)\z here), so
// `model=~"fraud"` does not match "fraud-v2".
class LabelMatcher
{
public:
    enum class Op : quint8 { Equal, NotEqual, Regex, NotRegex };

    // nullopt with `error` set when the regex does not compile.
    static std::optional<LabelMatcher> create(const QString &name, Op op, const QString &value,
                                              QString *error = nullptr);
    // Alertmanager's text form: name="value", name!="v", name=~"re", name!~"re";
    // the value may be unquoted. For the silence dialog and the workspace file.
    static std::optional<LabelMatcher> parse(const QString &text, QString *error = nullptr);

    const QString &name() const { return m_name; }
    Op op() const { return m_op; }
    const QString &value() const { return m_value; }

    bool matches(const Labels &labels) const;
    // Alertmanager refuses silences whose every matcher matches the empty
    // string, because they would silence every alert lacking those labels.
    bool matchesEmpty() const { return matchesValue(QString()); }
    QString toString() const; // name=~"value"

private:
    bool matchesValue(const QString &v) const;

    QString m_name;
    Op m_op = Op::Equal;
    QString m_value;
    QRegularExpression m_re;
};

QString toString(LabelMatcher::Op op);

struct Silence
{
    QString id;
    QList<LabelMatcher> matchers; // all must match (AND), as in Alertmanager
    qint64 startsAtMs = 0;
    qint64 endsAtMs = 0;          // exclusive: at endsAt the silence is over
    QString createdBy;
    QString comment;

    bool isActive(qint64 nowMs) const { return startsAtMs <= nowMs && nowMs < endsAtMs; }
    bool isPending(qint64 nowMs) const { return nowMs < startsAtMs; }
    bool isExpired(qint64 nowMs) const { return nowMs >= endsAtMs; }
    bool matches(const Labels &labels) const;
};

// Every silence, active or not. Time is passed in.
class SilenceBook
{
public:
    // Adds (or, with an existing id, replaces) a silence. An empty id gets a
    // new UUID (Alertmanager's silence ids are UUIDs). Returns the id, or an
    // empty string with `error` set: no matchers, only matchers that match
    // everything, endsAt not after startsAt, no author.
    QString add(Silence silence, QString *error = nullptr);
    // Ends a silence now (Alertmanager's "expire"): endsAt becomes now, and a
    // silence that had not started yet starts and ends now. False when unknown
    // or already over.
    bool expire(const QString &id, qint64 nowMs);

    bool isSilenced(const Labels &labels, qint64 nowMs) const;
    // The ids of the active silences matching, for "silenced by ..." in the UI.
    QStringList silencedBy(const Labels &labels, qint64 nowMs) const;
    const Silence *find(const QString &id) const;
    QList<Silence> all() const; // by start time
    // Forgets silences over for longer than `retentionMs` (Alertmanager keeps
    // expired silences 120 h, its --data.retention default).
    int purge(qint64 nowMs, qint64 retentionMs = 120 * 3'600'000LL);
    // Persistence: put back silences saved earlier, as they were (also
    // finished ones, which add() would refuse), replacing any with the same id.
    void restore(const QList<Silence> &silences);

private:
    QHash<QString, Silence> m_silences;
};

} // namespace vigil::rules
