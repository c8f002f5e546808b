// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/silences.h"

#include <QUuid>
#include <algorithm>

namespace vigil::rules {

QString toString(LabelMatcher::Op op)
{
    switch (op) {
    case LabelMatcher::Op::Equal: return QStringLiteral("=");
    case LabelMatcher::Op::NotEqual: return QStringLiteral("!=");
    case LabelMatcher::Op::Regex: return QStringLiteral("=~");
    case LabelMatcher::Op::NotRegex: return QStringLiteral("!~");
    }
    return {};
}

std::optional<LabelMatcher> LabelMatcher::create(const QString &name, Op op, const QString &value, QString *error)
{
    if (name.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("a matcher needs a label name");
        return std::nullopt;
    }
    LabelMatcher m;
    m.m_name = name.trimmed();
    m.m_op = op;
    m.m_value = value;
    if (op == Op::Regex || op == Op::NotRegex) {
        // \A and \z, not ^ and $: PCRE's $ also matches before a final
        // newline, Go's (Alertmanager's) only at the very end.
        m.m_re = QRegularExpression(QStringLiteral("\\A(?:") + value + QStringLiteral(")\\z"));
        if (!m.m_re.isValid()) {
            if (error)
                *error = QStringLiteral("%1%2\"%3\": not a valid regular expression: %4 (at offset %5)")
                             .arg(m.m_name, vigil::rules::toString(op), value, m.m_re.errorString())
                             .arg(m.m_re.patternErrorOffset());
            return std::nullopt;
        }
        m.m_re.optimize();
    }
    return m;
}

std::optional<LabelMatcher> LabelMatcher::parse(const QString &text, QString *error)
{
    static const QRegularExpression re(QStringLiteral(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$)"));
    const auto m = re.match(text);
    if (!m.hasMatch()) {
        if (error)
            *error = QStringLiteral("'%1' is not a matcher: write label=\"value\", label!=\"value\", "
                                    "label=~\"regex\" or label!~\"regex\"").arg(text);
        return std::nullopt;
    }
    const QString opText = m.captured(2);
    const Op op = opText == u"=" ? Op::Equal : opText == u"!=" ? Op::NotEqual : opText == u"=~" ? Op::Regex : Op::NotRegex;
    QString value = m.captured(3);
    if (value.size() >= 2 && value.front() == u'"' && value.back() == u'"') {
        value = value.mid(1, value.size() - 2);
        QString unescaped;
        for (qsizetype i = 0; i < value.size(); ++i) {
            if (value[i] == u'\\' && i + 1 < value.size()) {
                const QChar n = value[++i];
                unescaped += n == u'n' ? QChar(u'\n') : n;
            } else {
                unescaped += value[i];
            }
        }
        value = unescaped;
    }
    return create(m.captured(1), op, value, error);
}

bool LabelMatcher::matchesValue(const QString &v) const
{
    switch (m_op) {
    case Op::Equal: return v == m_value;
    case Op::NotEqual: return v != m_value;
    case Op::Regex: return m_re.match(v).hasMatch();
    case Op::NotRegex: return !m_re.match(v).hasMatch();
    }
    return false;
}

bool LabelMatcher::matches(const Labels &labels) const
{
    for (const auto &[k, v] : labels) {
        if (k == m_name)
            return matchesValue(v);
    }
    return matchesValue(QString());
}

QString LabelMatcher::toString() const
{
    QString escaped = m_value;
    escaped.replace(u'\\', QLatin1String("\\\\")).replace(u'"', QLatin1String("\\\"")).replace(u'\n', QLatin1String("\\n"));
    return m_name + vigil::rules::toString(m_op) + u'"' + escaped + u'"';
}

bool Silence::matches(const Labels &labels) const
{
    if (matchers.isEmpty())
        return false;
    return std::all_of(matchers.begin(), matchers.end(), [&](const LabelMatcher &m) { return m.matches(labels); });
}

QString SilenceBook::add(Silence silence, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return QString();
    };
    if (silence.matchers.isEmpty())
        return fail(QStringLiteral("a silence needs at least one matcher, e.g. alertname=\"HighP99Latency\""));
    if (std::all_of(silence.matchers.begin(), silence.matchers.end(), [](const LabelMatcher &m) { return m.matchesEmpty(); }))
        return fail(QStringLiteral("these matchers also match alerts without those labels, so they would silence "
                                   "everything: add one that needs a value, e.g. model=\"fraud-detector\""));
    if (silence.endsAtMs <= silence.startsAtMs)
        return fail(QStringLiteral("the silence must end after it starts"));
    if (silence.createdBy.trimmed().isEmpty())
        return fail(QStringLiteral("a silence needs an author, so the team knows whom to ask"));
    if (silence.id.isEmpty())
        silence.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString id = silence.id;
    m_silences.insert(id, std::move(silence));
    return id;
}

bool SilenceBook::expire(const QString &id, qint64 nowMs)
{
    const auto it = m_silences.find(id);
    if (it == m_silences.end() || it->isExpired(nowMs))
        return false;
    if (it->isPending(nowMs))
        it->startsAtMs = nowMs;
    it->endsAtMs = nowMs;
    return true;
}

bool SilenceBook::isSilenced(const Labels &labels, qint64 nowMs) const
{
    for (const Silence &s : m_silences) {
        if (s.isActive(nowMs) && s.matches(labels))
            return true;
    }
    return false;
}

QStringList SilenceBook::silencedBy(const Labels &labels, qint64 nowMs) const
{
    QStringList ids;
    for (const Silence &s : m_silences) {
        if (s.isActive(nowMs) && s.matches(labels))
            ids << s.id;
    }
    ids.sort();
    return ids;
}

const Silence *SilenceBook::find(const QString &id) const
{
    const auto it = m_silences.constFind(id);
    return it == m_silences.cend() ? nullptr : &*it;
}

QList<Silence> SilenceBook::all() const
{
    QList<Silence> out = m_silences.values();
    std::sort(out.begin(), out.end(), [](const Silence &a, const Silence &b) {
        return a.startsAtMs != b.startsAtMs ? a.startsAtMs < b.startsAtMs : a.id < b.id;
    });
    return out;
}

int SilenceBook::purge(qint64 nowMs, qint64 retentionMs)
{
    int n = 0;
    for (auto it = m_silences.begin(); it != m_silences.end();) {
        if (nowMs - it->endsAtMs >= retentionMs) {
            it = m_silences.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

void SilenceBook::restore(const QList<Silence> &silences)
{
    for (const Silence &s : silences)
        if (!s.id.isEmpty())
            m_silences.insert(s.id, s);
}

} // namespace vigil::rules
