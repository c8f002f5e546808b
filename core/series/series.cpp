// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/series.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace vigil {

namespace {

int blockShiftFor(qsizetype capacity)
{
    // Whole blocks of 512 samples, or the capacity rounded up to a power of
    // two when it is smaller (a ring of 20 does not hold 512 slots).
    const auto c = std::bit_ceil(quint64(std::max<qsizetype>(capacity, 1)));
    return std::min(Series::kBlockShift, int(std::countr_zero(c)));
}

// t - base as a qint32 offset, when it fits (no overflow on the way).
inline bool offsetFits(qint64 t, qint64 base, qint32 &out)
{
    qint64 d;
    if (__builtin_sub_overflow(t, base, &d) || d < std::numeric_limits<qint32>::min()
        || d > std::numeric_limits<qint32>::max())
        return false;
    out = qint32(d);
    return true;
}

} // namespace

Series::Series(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(capacity, 1)), m_shift(blockShiftFor(capacity)),
      m_mask((qsizetype(1) << m_shift) - 1)
{
}

Series::Block Series::makeBlock(qint32 n, bool wide, qint64 base)
{
    Block b;
    b.base = base;
    b.n = n;
    b.wide = wide;
    b.data = std::make_unique_for_overwrite<std::byte[]>(b.bytes());
    return b;
}

Series::Series(const Series &other) : m_capacity(other.m_capacity), m_shift(other.m_shift), m_mask(other.m_mask)
{
    *this = other;
}

Series &Series::operator=(const Series &other)
{
    if (this == &other)
        return *this;
    m_blocks.clear();
    m_spare = {};
    m_first = 0;
    m_blocks.reserve(other.m_blocks.size() - other.m_first);
    m_capacity = other.m_capacity;
    m_shift = other.m_shift;
    m_mask = other.m_mask;
    m_head = other.m_head;
    m_size = other.m_size;
    m_lastT = other.m_lastT;
    for (size_t i = other.m_first; i < other.m_blocks.size(); ++i) {
        const Block &b = other.m_blocks[i];
        Block copy = makeBlock(b.n, b.wide, b.base);
        std::memcpy(copy.data.get(), b.data.get(), b.bytes());
        m_blocks.push_back(std::move(copy));
    }
    return *this;
}

size_t Series::memoryBytes() const
{
    size_t n = m_spare.data ? m_spare.bytes() : 0;
    for (size_t i = m_first; i < m_blocks.size(); ++i)
        n += m_blocks[i].bytes();
    return n;
}

qsizetype Series::wideBlockCount() const
{
    return std::count_if(m_blocks.begin() + qsizetype(m_first), m_blocks.end(), [](const Block &b) { return b.wide; });
}

void Series::widen(size_t index)
{
    Block &old = m_blocks[m_first + index];
    Block wide = makeBlock(old.n, true, old.base);
    // Only the live slots: the rest were never written.
    const qsizetype first = index == 0 ? m_head : 0;
    const qsizetype end = std::min<qsizetype>(old.n, m_head + m_size - (qsizetype(index) << m_shift));
    for (qsizetype k = first; k < end; ++k) {
        wide.values()[k] = old.values()[k];
        wide.times()[k] = old.base + old.offsets()[k];
    }
    old = std::move(wide);
}

void Series::set(qsizetype i, qint64 t, double v)
{
    setPhysical(m_head + i, t, v);
}

void Series::setPhysical(qsizetype p, qint64 t, double v)
{
    const size_t index = size_t(p >> m_shift);
    const qsizetype k = p & m_mask;
    Block *b = &m_blocks[m_first + index];
    b->values()[k] = v;
    if (b->wide) {
        b->times()[k] = t;
        return;
    }
    qint32 offset;
    if (offsetFits(t, b->base, offset)) {
        b->offsets()[k] = offset;
        return;
    }
    widen(index);
    b = &m_blocks[m_first + index];
    b->values()[k] = v;
    b->times()[k] = t;
}

void Series::popFront()
{
    advanceHead();
    --m_size;
}

void Series::advanceHead()
{
    ++m_head;
    if (m_head > m_mask) [[unlikely]] { // the first block is used up: keep it for reuse
        Block &used = m_blocks[m_first];
        if (!used.wide && !m_spare.data)
            m_spare = std::move(used);
        else
            used = {};
        ++m_first;
        m_head = 0;
        if (m_first == 16) { // a 24-byte entry per block: 384 B of table at most
            m_blocks.erase(m_blocks.begin(), m_blocks.begin() + qsizetype(m_first));
            m_first = 0;
        }
    }
}

void Series::pushBack(qint64 t, double v)
{
    // When full, the oldest is dropped and the new sample takes its place in
    // the count (m_size is left alone on this path).
    const bool full = m_size == m_capacity;
    if (full)
        advanceHead();
    const qsizetype p = m_head + m_size - (full ? 1 : 0);
    {
        // The common case first: room in the last block, offset fits.
        const size_t index = m_first + size_t(p >> m_shift);
        const qsizetype k = p & m_mask;
        qint32 offset;
        if (index < m_blocks.size()) {
            Block &b = m_blocks[index];
            if (k < b.n && !b.wide && offsetFits(t, b.base, offset)) {
                b.values()[k] = v;
                b.offsets()[k] = offset;
                if (!full)
                    ++m_size;
                m_lastT = t;
                return;
            }
        }
    }
    if (full)
        --m_size; // the slow path below counts the sample once written
    const size_t index = m_first + size_t(p >> m_shift);
    const qsizetype k = p & m_mask;
    if (index == m_blocks.size()) {
        // A new block, based on its first timestamp. The very first one starts
        // at 16 samples (or the whole block when smaller) and doubles below.
        const qint32 n = qint32(index == m_first ? std::min<qsizetype>(m_mask + 1, 16) : m_mask + 1);
        if (m_spare.data && m_spare.n == n) {
            m_spare.base = t;
            m_blocks.push_back(std::move(m_spare));
            m_spare = {};
        } else {
            m_blocks.push_back(makeBlock(n, false, t));
        }
    } else if (k >= m_blocks[index].n) {
        // Only the first block while the series is short (its samples sit
        // at 0..p-1): double it.
        Block &old = m_blocks[index];
        Block grown = makeBlock(qint32(std::min<qsizetype>(m_mask + 1, 2 * qsizetype(old.n))), old.wide, old.base);
        std::memcpy(grown.values(), old.values(), sizeof(double) * size_t(p));
        if (old.wide)
            std::memcpy(grown.times(), old.times(), sizeof(qint64) * size_t(p));
        else
            std::memcpy(grown.offsets(), old.offsets(), sizeof(qint32) * size_t(p));
        old = std::move(grown);
    }
    setPhysical(p, t, v); // before counting it: widen() converts only the samples held
    ++m_size;
    m_lastT = t;
}

qsizetype Series::lowerBound(qint64 from) const
{
    qsizetype lo = 0, hi = m_size;
    while (lo < hi) {
        const qsizetype mid = lo + (hi - lo) / 2;
        if (timeAt(mid) < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

Series::AppendResult Series::append(qint64 t, double v)
{
    if (m_size == 0 || t > m_lastT) {
        pushBack(t, v);
        return AppendResult::Appended;
    }
    const qsizetype i = lowerBound(t);
    if (i < m_size && timeAt(i) == t) {
        const qsizetype p = m_head + i;
        block(p).values()[p & m_mask] = v;
        return AppendResult::Replaced;
    }
    if (i == 0 && m_size == m_capacity)
        return AppendResult::DroppedTooOld;

    // Insert at logical index i: shift everything after it one step towards the end.
    // When full, the oldest sample (logical 0) falls off first.
    qsizetype insertAt = i;
    if (m_size == m_capacity) {
        popFront();
        --insertAt;
    }
    const Sample tail = last();
    pushBack(tail.t, tail.v); // grows by one; duplicates the last sample
    for (qsizetype j = m_size - 2; j > insertAt; --j) {
        const Sample s = at(j - 1);
        set(j, s.t, s.v);
    }
    set(insertAt, t, v);
    return AppendResult::Inserted;
}

QList<Sample> Series::range(qint64 from, qint64 to) const
{
    QList<Sample> out;
    if (m_size == 0 || from > to)
        return out;
    const qsizetype begin = lowerBound(from);
    // First sample with t > to (no `to + 1`: `to` may be the largest qint64).
    qsizetype lo = begin, hi = m_size;
    while (lo < hi) {
        const qsizetype mid = lo + (hi - lo) / 2;
        if (timeAt(mid) <= to)
            lo = mid + 1;
        else
            hi = mid;
    }
    const qsizetype end = lo;
    if (end <= begin)
        return out;
    // One allocation, then one decoding run per block: appending sample by
    // sample cost three times the decimation that follows (issue 7 bench-decimate).
    const qsizetype n = end - begin;
    out.reserve(n); // exactly n: resize() alone rounds the block up to a power of two
    out.resize(n);
    Sample *dst = out.data();
    qsizetype p = m_head + begin;
    for (qsizetype left = n; left > 0;) {
        const Block &b = block(p);
        const qsizetype k = p & m_mask;
        const qsizetype run = std::min(left, m_mask + 1 - k);
        const double *values = b.values() + k;
        if (b.wide) {
            const qint64 *times = b.times() + k;
            for (qsizetype r = 0; r < run; ++r)
                dst[r] = {times[r], values[r]};
        } else {
            const qint32 *offsets = b.offsets() + k;
            const qint64 base = b.base;
            for (qsizetype r = 0; r < run; ++r)
                dst[r] = {base + offsets[r], values[r]};
        }
        dst += run;
        left -= run;
        p += run;
    }
    return out;
}

void Series::clear()
{
    m_blocks.clear();
    m_spare = {};
    m_first = 0;
    m_head = 0;
    m_size = 0;
}

} // namespace vigil
