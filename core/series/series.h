// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QtGlobal>
#include <cstddef>
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

// A bounded, time-ordered series. Storage grows on demand up to the capacity,
// then the oldest samples are dropped as new ones arrive.
//
// Storage (issue 7: <= 16 MB per 1 M points): samples are kept in blocks of
// up to kBlockSamples (512; fewer for a capacity under 512: the capacity
// rounded up to a power of two), each block encoded as one qint64 base
// timestamp, the values as doubles (bit-exact, NaN payloads included) and the
// timestamps as qint32 millisecond offsets from the base: 12 B a sample
// (a block of 512 spans far less than the +-24.8 days an offset reaches at any
// step a dashboard uses). A block that would need a larger offset (a gap of
// weeks, or a sample inserted far from its neighbours) is stored wide instead:
// qint64 timestamps, 16 B a sample, for that block only. The blocks form a
// queue: appends go to the last one (a new block when it is full), dropping
// the oldest advances into the first one and frees it once it is used up, so
// a series holds at most one partly used block at each end. The first block
// grows 16, 32, ... samples, so a short series stays small. Growing never
// copies what is stored. at() and range() decode into Sample.
//
// Samples stay sorted by timestamp:
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
    // Logical index: 0 is the oldest retained sample. Decoded: a copy.
    Sample at(qsizetype i) const
    {
        const qsizetype p = m_head + i;
        const Block &b = block(p);
        const qsizetype k = p & m_mask;
        return {b.time(k), b.values()[k]};
    }
    Sample first() const { return at(0); }
    Sample last() const { return at(m_size - 1); }

    // Index of the first sample with t >= from (size() when none).
    qsizetype lowerBound(qint64 from) const;
    // Samples with from <= t <= to, oldest first.
    QList<Sample> range(qint64 from, qint64 to) const;
    QList<Sample> all() const { return m_size ? range(first().t, last().t) : QList<Sample>{}; }

    // Bytes held by the blocks' samples (not counting the object itself or
    // the block table): 12 a sample in a compact block, 16 in a wide one.
    size_t memoryBytes() const;
    // Blocks stored wide (qint64 timestamps); for tests and diagnostics.
    qsizetype wideBlockCount() const;

    void clear();

    static constexpr int kBlockShift = 9;
    static constexpr qsizetype kBlockSamples = qsizetype(1) << kBlockShift; // 512
    static constexpr size_t kCompactBytesPerSample = sizeof(double) + sizeof(qint32); // 12
    static constexpr size_t kWideBytesPerSample = sizeof(double) + sizeof(qint64);    // 16

    Series(Series &&) noexcept = default;
    Series &operator=(Series &&) noexcept = default;
    Series(const Series &other);
    Series &operator=(const Series &other);

private:
    // One allocation: n doubles, then n qint32 offsets (compact) or n qint64
    // timestamps (wide). The doubles come first so both stay aligned.
    struct Block
    {
        qint64 base = 0;
        std::unique_ptr<std::byte[]> data;
        qint32 n = 0;
        bool wide = false;

        double *values() const { return reinterpret_cast<double *>(data.get()); }
        qint32 *offsets() const { return reinterpret_cast<qint32 *>(data.get() + sizeof(double) * size_t(n)); }
        qint64 *times() const { return reinterpret_cast<qint64 *>(data.get() + sizeof(double) * size_t(n)); }
        qint64 time(qsizetype k) const { return wide ? times()[k] : base + offsets()[k]; }
        size_t bytes() const { return size_t(n) * (wide ? kWideBytesPerSample : kCompactBytesPerSample); }
    };
    static Block makeBlock(qint32 n, bool wide, qint64 base);

    // The block holding physical position p (m_head + logical index).
    const Block &block(qsizetype p) const { return m_blocks[m_first + size_t(p >> m_shift)]; }
    Block &block(qsizetype p) { return m_blocks[m_first + size_t(p >> m_shift)]; }
    qint64 timeAt(qsizetype i) const
    {
        const qsizetype p = m_head + i;
        return block(p).time(p & m_mask);
    }
    // Stores (t, v) at logical index i (which must be allocated).
    void set(qsizetype i, qint64 t, double v);
    void setPhysical(qsizetype p, qint64 t, double v); // p = m_head + logical index
    void widen(size_t index); // re-encodes a block's live samples with qint64 timestamps
    void pushBack(qint64 t, double v); // drops the oldest first when full
    void popFront();
    void advanceHead(); // drops the oldest sample from the blocks (not from m_size)

    // m_blocks[m_first] holds the oldest sample; the used-up blocks before it
    // are dropped from the table in batches (no memmove of the table per block).
    std::vector<Block> m_blocks;
    size_t m_first = 0;
    Block m_spare; // a used-up block kept for the next one the ring needs
    qsizetype m_capacity;
    int m_shift;         // log2 of the samples in a whole block
    qsizetype m_mask;    // samples in a whole block - 1
    qsizetype m_head = 0; // index in m_blocks[m_first] of the oldest sample
    qsizetype m_size = 0;
    qint64 m_lastT = 0; // the newest timestamp (when m_size > 0): appends compare with it
};

} // namespace vigil

Q_DECLARE_METATYPE(vigil::Sample)
