// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QtGlobal>
#include <vector>

namespace vigil {

// One sample: 16 bytes (epoch milliseconds, value). NaN is a legal value:
// Prometheus returns "NaN" for e.g. a quantile over no observations.
struct Sample
{
    qint64 t = 0;
    double v = 0.0;
    friend bool operator==(const Sample &, const Sample &) = default;
};

// A bounded, time-ordered series kept in a ring buffer. Storage grows on demand
// up to the capacity, then the oldest samples are overwritten. Samples stay
// sorted by timestamp:
//  - a newer timestamp is appended;
//  - an equal timestamp replaces the value (a re-fetched range overlaps the last one);
//  - an older timestamp is inserted in place (O(n), rare: overlapping range
//    results mostly hit equal timestamps), or dropped when it is older than
//    everything a full buffer holds.
class Series
{
public:
    enum class AppendResult { Appended, Replaced, Inserted, DroppedTooOld };

    explicit Series(qsizetype capacity = kDefaultCapacity);

    // 12 hours at 1 s resolution, or 7.5 days at 15 s.
    static constexpr qsizetype kDefaultCapacity = 43'200;

    AppendResult append(qint64 t, double v);
    AppendResult append(const Sample &s) { return append(s.t, s.v); }

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    qsizetype capacity() const { return m_capacity; }
    // Logical index: 0 is the oldest retained sample.
    const Sample &at(qsizetype i) const { return m_buf[physical(i)]; }
    const Sample &first() const { return at(0); }
    const Sample &last() const { return at(m_size - 1); }

    // Index of the first sample with t >= from (size() when none).
    qsizetype lowerBound(qint64 from) const;
    // Samples with from <= t <= to, oldest first.
    QList<Sample> range(qint64 from, qint64 to) const;
    QList<Sample> all() const { return m_size ? range(first().t, last().t) : QList<Sample>{}; }

    // Bytes held by samples (not counting the object itself).
    size_t memoryBytes() const { return m_buf.capacity() * sizeof(Sample); }

    void clear();

private:
    qsizetype physical(qsizetype i) const
    {
        qsizetype p = m_head + i;
        return p >= m_capacity ? p - m_capacity : p;
    }
    void pushBack(const Sample &s);

    std::vector<Sample> m_buf;
    qsizetype m_capacity;
    qsizetype m_head = 0; // physical index of the oldest sample
    qsizetype m_size = 0;
};

} // namespace vigil

Q_DECLARE_METATYPE(vigil::Sample)
