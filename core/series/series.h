// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QtGlobal>
#include <memory>
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
// up to the capacity, then the oldest samples are overwritten. The ring is
// stored in blocks of kBlockSamples (8 KiB) allocated as the series fills (the
// first block grows 16, 32, ... samples for short series; the last is cut to
// the capacity), so a growing series holds at most one partly used block
// beyond its samples, a full one exactly 16 B/sample, and growing never
// copies what is stored. Samples stay sorted by timestamp:
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
    const Sample &at(qsizetype i) const { return slot(physical(i)); }
    const Sample &first() const { return at(0); }
    const Sample &last() const { return at(m_size - 1); }

    // Index of the first sample with t >= from (size() when none).
    qsizetype lowerBound(qint64 from) const;
    // Samples with from <= t <= to, oldest first.
    QList<Sample> range(qint64 from, qint64 to) const;
    QList<Sample> all() const { return m_size ? range(first().t, last().t) : QList<Sample>{}; }

    // Bytes held by samples (not counting the object itself).
    size_t memoryBytes() const { return size_t(m_allocated) * sizeof(Sample); }

    void clear();

    static constexpr int kBlockShift = 9;
    static constexpr qsizetype kBlockSamples = qsizetype(1) << kBlockShift; // 512: 8 KiB

    Series(Series &&) noexcept = default;
    Series &operator=(Series &&) noexcept = default;
    Series(const Series &other);
    Series &operator=(const Series &other);

private:
    qsizetype physical(qsizetype i) const
    {
        qsizetype p = m_head + i;
        return p >= m_capacity ? p - m_capacity : p;
    }
    Sample &slot(qsizetype p) { return m_blocks[size_t(p >> kBlockShift)][p & (kBlockSamples - 1)]; }
    const Sample &slot(qsizetype p) const { return m_blocks[size_t(p >> kBlockShift)][p & (kBlockSamples - 1)]; }
    void pushBack(const Sample &s);
    void grow(); // room for at least one more sample while still linear

    std::vector<std::unique_ptr<Sample[]>> m_blocks;
    qsizetype m_allocated = 0; // samples the blocks hold room for
    qsizetype m_capacity;
    qsizetype m_head = 0; // physical index of the oldest sample
    qsizetype m_size = 0;
};

} // namespace vigil

Q_DECLARE_METATYPE(vigil::Sample)
