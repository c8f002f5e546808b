// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet_history.h"

#include <algorithm>

namespace vigil::demo {

namespace {
const QString kNameLabel = QStringLiteral("__name__");

QString labelOf(const SeriesKey &key, const QString &name)
{
    return name == kNameLabel ? key.name() : key.label(name);
}
} // namespace

LabelMatcher LabelMatcher::make(QString name, Op op, QString value)
{
    LabelMatcher m;
    m.name = std::move(name);
    m.op = op;
    m.value = std::move(value);
    if (op == Op::Regex || op == Op::NotRegex) {
        // Prometheus compiles "^(?:" + value + ")$" (model/labels/regexp.go);
        // anchoredPattern is the same with \A and \z.
        m.regex = QRegularExpression(QRegularExpression::anchoredPattern(m.value));
        m.regex.optimize();
    }
    return m;
}

bool LabelMatcher::matches(const QString &labelValue) const
{
    switch (op) {
    case Op::Equal: return labelValue == value;
    case Op::NotEqual: return labelValue != value;
    case Op::Regex: return regex.match(labelValue).hasMatch();
    case Op::NotRegex: return !regex.match(labelValue).hasMatch();
    }
    return false;
}

FleetHistory::FleetHistory(qsizetype samplesPerSeries) : m_samplesPerSeries(std::max<qsizetype>(2, samplesPerSeries))
{
}

int FleetHistory::seriesIndex(const QString &name, const Labels &labels)
{
    SeriesKey key(name, labels);
    const auto it = m_index.constFind(key);
    if (it != m_index.constEnd())
        return it.value();
    const int index = int(m_series.size());
    m_series.push_back(Entry{key, Series(m_samplesPerSeries)});
    m_index.insert(key, index);
    m_byName[name].append(index);
    return index;
}

void FleetHistory::append(int index, qint64 timestampMs, double value)
{
    m_series[size_t(index)].samples.append(timestampMs, value);
}

void FleetHistory::append(const QString &name, const Labels &labels, qint64 timestampMs, double value)
{
    append(seriesIndex(name, labels), timestampMs, value);
}

QList<int> FleetHistory::select(const QList<LabelMatcher> &matchers) const
{
    // Narrow by an equality matcher on the name first: the common case.
    const QList<int> *candidates = nullptr;
    QList<int> all;
    for (const LabelMatcher &m : matchers) {
        if (m.name == kNameLabel && m.op == LabelMatcher::Op::Equal) {
            const auto it = m_byName.constFind(m.value);
            if (it == m_byName.constEnd())
                return {};
            candidates = &it.value();
            break;
        }
    }
    if (!candidates) {
        all.reserve(seriesCount());
        for (int i = 0; i < int(m_series.size()); ++i)
            all.append(i);
        candidates = &all;
    }
    QList<int> out;
    for (int i : *candidates) {
        const SeriesKey &key = m_series[size_t(i)].key;
        const bool ok = std::all_of(matchers.begin(), matchers.end(),
                                    [&](const LabelMatcher &m) { return m.matches(labelOf(key, m.name)); });
        if (ok)
            out.append(i);
    }
    return out;
}

qsizetype FleetHistory::sampleCount() const
{
    qsizetype n = 0;
    for (const Entry &e : m_series)
        n += e.samples.size();
    return n;
}

size_t FleetHistory::memoryBytes() const
{
    size_t n = 0;
    for (const Entry &e : m_series)
        n += e.samples.memoryBytes() + sizeof(Entry);
    return n;
}

} // namespace vigil::demo
