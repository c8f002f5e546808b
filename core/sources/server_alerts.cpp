// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/server_alerts.h"

#include "sources/rule_status.h"

#include <QPromise>
#include <QRegularExpression>
#include <algorithm>
#include <functional>
#include <memory>

namespace vigil {

namespace {

QString valueOf(const Labels &labels, const QString &name)
{
    for (const Label &l : labels) {
        if (l.first == name)
            return l.second;
    }
    return {};
}

} // namespace

QString toString(ServerAlertState state)
{
    switch (state) {
    case ServerAlertState::Unprocessed: return QStringLiteral("unprocessed");
    case ServerAlertState::Active: return QStringLiteral("active");
    case ServerAlertState::Suppressed: return QStringLiteral("suppressed");
    case ServerAlertState::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QString toString(SilenceState state)
{
    switch (state) {
    case SilenceState::Pending: return QStringLiteral("pending");
    case SilenceState::Active: return QStringLiteral("active");
    case SilenceState::Expired: return QStringLiteral("expired");
    case SilenceState::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QString RuleAlert::label(const QString &name) const
{
    return valueOf(labels, name);
}

QString toString(RuleInfo::Health health)
{
    switch (health) {
    case RuleInfo::Health::Ok: return QStringLiteral("ok");
    case RuleInfo::Health::Err: return QStringLiteral("err");
    case RuleInfo::Health::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QString ServerAlert::label(const QString &name) const
{
    return valueOf(labels, name);
}

QString ServerAlert::annotation(const QString &name) const
{
    return valueOf(annotations, name);
}

QString ServerAlert::displayName() const
{
    QStringList parts;
    for (const Label &l : labels) {
        if (l.first != QLatin1String("alertname"))
            parts << l.first + QLatin1Char('=') + quoteMatcherValue(l.second);
    }
    return label(QStringLiteral("alertname")) + QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

SilenceMatcher::Op SilenceMatcher::opFrom(bool isRegex, bool isEqual)
{
    if (isRegex)
        return isEqual ? Op::Regex : Op::NotRegex;
    return isEqual ? Op::Equal : Op::NotEqual;
}

QString toString(SilenceMatcher::Op op)
{
    switch (op) {
    case SilenceMatcher::Op::Equal: return QStringLiteral("=");
    case SilenceMatcher::Op::NotEqual: return QStringLiteral("!=");
    case SilenceMatcher::Op::Regex: return QStringLiteral("=~");
    case SilenceMatcher::Op::NotRegex: return QStringLiteral("!~");
    }
    return QStringLiteral("=");
}

QString quoteMatcherValue(const QString &value)
{
    QString out;
    out.reserve(value.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : value) {
        if (c == QLatin1Char('\\'))
            out += QStringLiteral("\\\\");
        else if (c == QLatin1Char('"'))
            out += QStringLiteral("\\\"");
        else if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else
            out += c;
    }
    out += QLatin1Char('"');
    return out;
}

QString SilenceMatcher::toString() const
{
    return name + vigil::toString(op) + quoteMatcherValue(value);
}

bool matcherMatches(const SilenceMatcher &matcher, const Labels &labels)
{
    const QString value = valueOf(labels, matcher.name);
    switch (matcher.op) {
    case SilenceMatcher::Op::Equal: return value == matcher.value;
    case SilenceMatcher::Op::NotEqual: return value != matcher.value;
    case SilenceMatcher::Op::Regex:
    case SilenceMatcher::Op::NotRegex: {
        // Anchored like Alertmanager: the whole value must match.
        const QRegularExpression re(QRegularExpression::anchoredPattern(matcher.value));
        if (!re.isValid())
            return false;
        const bool hit = re.match(value).hasMatch();
        return matcher.op == SilenceMatcher::Op::Regex ? hit : !hit;
    }
    }
    return false;
}

bool silenceMatchesLabels(const QList<SilenceMatcher> &matchers, const Labels &labels)
{
    if (matchers.isEmpty())
        return false;
    return std::all_of(matchers.cbegin(), matchers.cend(),
                       [&labels](const SilenceMatcher &m) { return matcherMatches(m, labels); });
}

QStringList silenceProblems(const ServerSilence &silence)
{
    QStringList problems;
    if (silence.matchers.isEmpty())
        problems << QStringLiteral("Add at least one matcher, e.g. alertname = \"HighP99Latency\".");
    // Prometheus' label names, which Alertmanager 0.25 checks.
    static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    bool allMatchMissing = !silence.matchers.isEmpty();
    for (qsizetype i = 0; i < silence.matchers.size(); ++i) {
        const SilenceMatcher &m = silence.matchers.at(i);
        const int n = int(i + 1);
        if (m.name.trimmed().isEmpty()) {
            problems << QStringLiteral("Matcher %1 has no label name.").arg(n);
            continue;
        }
        if (!labelName.match(m.name).hasMatch()) {
            problems << QStringLiteral("Matcher %1: \"%2\" is not a label name (letters, digits and _, not starting "
                                       "with a digit).").arg(n).arg(m.name.left(80));
            continue;
        }
        if (m.isRegex()) {
            const QRegularExpression re(m.value);
            if (!re.isValid()) {
                problems << QStringLiteral("Matcher %1 (%2): the regular expression is not valid (%3).")
                                .arg(n)
                                .arg(m.toString().left(120), re.errorString());
                continue;
            }
        }
        allMatchMissing = allMatchMissing && matcherMatches(m, {});
    }
    if (allMatchMissing && problems.isEmpty())
        problems << QStringLiteral("Every matcher also matches alerts that lack the label, so this silence would "
                                   "silence every alert; add a matcher on a label's value.");
    if (silence.createdBy.trimmed().isEmpty())
        problems << QStringLiteral("The author is empty.");
    if (silence.comment.trimmed().isEmpty())
        problems << QStringLiteral("Write a comment saying why (Alertmanager requires one).");
    if (silence.endsAtMs <= silence.startsAtMs)
        problems << QStringLiteral("The silence must end after it starts.");
    return problems;
}

std::optional<ServerSilence> ackSilenceFor(const ServerAlert &alert, const QString &author, const QString &comment,
                                           qint64 durationMs, qint64 nowMs, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<ServerSilence> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    Labels labels = alert.labels;
    labels.removeIf([](const Label &l) { return l.second.isEmpty(); }); // "" is "label absent" to Alertmanager
    if (labels.isEmpty())
        return fail(QStringLiteral("the alert has no labels to silence it by"));
    if (author.trimmed().isEmpty())
        return fail(QStringLiteral("an acknowledgement needs an author (Alertmanager requires createdBy)"));
    if (durationMs <= 0)
        return fail(QStringLiteral("an acknowledgement needs a duration longer than zero"));
    std::sort(labels.begin(), labels.end());

    ServerSilence s;
    for (const Label &l : labels)
        s.matchers.append(SilenceMatcher{l.first, l.second, SilenceMatcher::Op::Equal});
    s.startsAtMs = nowMs;
    s.endsAtMs = nowMs + durationMs;
    s.createdBy = author.trimmed();
    s.comment = comment.trimmed().isEmpty() ? QStringLiteral("Acknowledged in Vigil") : comment.trimmed();
    return s;
}

bool ackSilenceMatches(const ServerSilence &silence, const ServerAlert &alert)
{
    qsizetype labelled = 0;
    for (const Label &l : alert.labels) {
        if (!l.second.isEmpty())
            ++labelled;
    }
    if (silence.matchers.size() != labelled || labelled == 0)
        return false;
    for (const SilenceMatcher &m : silence.matchers) {
        if (m.op != SilenceMatcher::Op::Equal || m.value.isEmpty() || alert.label(m.name) != m.value)
            return false;
    }
    // Same count, each matcher names a distinct label of the alert (a repeated
    // name would need the same value twice, which the count then catches).
    QStringList names;
    for (const SilenceMatcher &m : silence.matchers)
        names << m.name;
    names.removeDuplicates();
    return names.size() == labelled;
}

QStringList ackSilenceIds(const QList<ServerSilence> &silences, const ServerAlert &alert)
{
    QStringList ids;
    for (const ServerSilence &s : silences) {
        if (s.state != SilenceState::Expired && ackSilenceMatches(s, alert))
            ids << s.id;
    }
    return ids;
}

QFuture<Result<QString>> acknowledgeServerAlert(ServerAlerts *api, QObject *context, const ServerAlert &alert,
                                                const QString &author, const QString &comment, qint64 durationMs,
                                                qint64 nowMs)
{
    Q_UNUSED(context);
    QString why;
    const auto silence = ackSilenceFor(alert, author, comment, durationMs, nowMs, &why);
    if (!silence)
        return QtFuture::makeReadyFuture(Result<QString>::failure(
            ErrorKind::Server, QStringLiteral("cannot acknowledge %1: %2").arg(alert.displayName(), why)));
    return api->createSilence(*silence);
}

QFuture<Result<int>> unacknowledgeServerAlert(ServerAlerts *api, QObject *context, const ServerAlert &alert)
{
    // Only the silences with its labels: the server narrows the listing,
    // ackSilenceIds() then drops the wider ones.
    QList<SilenceMatcher> filter;
    for (const Label &l : alert.labels) {
        if (!l.second.isEmpty())
            filter.append(SilenceMatcher{l.first, l.second, SilenceMatcher::Op::Equal});
    }
    struct State
    {
        QPromise<Result<int>> promise;
        QStringList ids;
        int expired = 0;
        std::function<void(qsizetype)> next;
        void finish(Result<int> r)
        {
            promise.addResult(std::move(r));
            promise.finish();
            next = nullptr; // it holds the state: break the cycle
        }
    };
    auto state = std::make_shared<State>();
    state->promise.start();
    QFuture<Result<int>> future = state->promise.future();
    const QString name = alert.displayName();

    api->silences(filter).then(context, [api, context, state, alert, name](const Result<QList<ServerSilence>> &listed) {
        if (!listed.ok())
            return state->finish(Result<int>::failedAs(listed));
        state->ids = ackSilenceIds(listed.value, alert);
        if (state->ids.isEmpty()) {
            Result<int> none;
            none.warnings << QStringLiteral("%1 has no acknowledgement silence on the server").arg(name);
            return state->finish(none);
        }
        // One after the other; the first failure ends it, saying what was done.
        std::weak_ptr<State> weak = state;
        state->next = [api, context, weak](qsizetype i) {
            auto st = weak.lock();
            if (!st)
                return;
            if (i == st->ids.size()) {
                Result<int> done;
                done.value = st->expired;
                return st->finish(done);
            }
            api->expireSilence(st->ids.at(i)).then(context, [st, i](const Result<bool> &r) {
                if (!r.ok()) {
                    auto failed = Result<int>::failedAs(r);
                    failed.value = st->expired;
                    if (st->expired > 0)
                        failed.message += QStringLiteral(" (%1 of %2 silences expired before this)")
                                              .arg(st->expired)
                                              .arg(st->ids.size());
                    return st->finish(failed);
                }
                ++st->expired;
                st->next(i + 1);
            });
        };
        state->next(0);
    });
    return future;
}

} // namespace vigil
