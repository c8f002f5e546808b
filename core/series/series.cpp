// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/series.h"

#include <algorithm>

namespace vigil {

Series::Series(qsizetype capacity) : m_capacity(std::max<qsizetype>(capacity, 1)) {}

Series::Series(const Series &other) : m_capacity(other.m_capacity)
{
    *this = other;
}

Series &Series::operator=(const Series &other)
{
    if (this == &other)
        return *this;
    m_blocks.clear();
    m_capacity = other.m_capacity;
    m_head = other.m_head;
    m_size = other.m_size;
    m_allocated = other.m_allocated;
    qsizetype left = other.m_allocated;
    for (const auto &block : other.m_blocks) {
        const qsizetype n = std::min(left, kBlockSamples);
        auto copy = std::make_unique_for_overwrite<Sample[]>(size_t(n));
        std::copy_n(block.get(), n, copy.get());
        m_blocks.push_back(std::move(copy));
        left -= n;
    }
    return *this;
}

void Series::grow()
{
    // While a series is filling, samples are linear from physical 0 and
    // m_allocated < m_capacity. The first block doubles from 16 samples to a
    // whole block (short series stay small); after it, whole blocks are added,
    // the last cut to the capacity. Nothing stored is copied except the first
    // block's few samples while it doubles.
    if (m_allocated < kBlockSamples) {
        const qsizetype n = std::min({m_capacity, kBlockSamples, std::max<qsizetype>(16, 2 * m_allocated)});
        auto block = std::make_unique_for_overwrite<Sample[]>(size_t(n));
        if (!m_blocks.empty())
            std::copy_n(m_blocks.front().get(), m_size, block.get());
        if (m_blocks.empty())
            m_blocks.push_back(std::move(block));
        else
            m_blocks.front() = std::move(block);
        m_allocated = n;
        return;
    }
    const qsizetype n = std::min(kBlockSamples, m_capacity - m_allocated);
    m_blocks.push_back(std::make_unique_for_overwrite<Sample[]>(size_t(n)));
    m_allocated += n;
}

void Series::pushBack(const Sample &s)
{
    if (m_size < m_capacity) {
        // Not full. Storage only grows while the ring has never been full
        // (then m_head is 0 and the next slot is physical m_size).
        if (m_size == m_allocated)
            grow();
        slot(physical(m_size)) = s;
        ++m_size;
        return;
    }
    // Full: overwrite the oldest.
    slot(m_head) = s;
    m_head = m_head + 1 == m_capacity ? 0 : m_head + 1;
}

qsizetype Series::lowerBound(qint64 from) const
{
    qsizetype lo = 0, hi = m_size;
    while (lo < hi) {
        const qsizetype mid = lo + (hi - lo) / 2;
        if (at(mid).t < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

Series::AppendResult Series::append(qint64 t, double v)
{
    if (m_size == 0 || t > last().t) {
        pushBack({t, v});
        return AppendResult::Appended;
    }
    const qsizetype i = lowerBound(t);
    if (i < m_size && at(i).t == t) {
        slot(physical(i)).v = v;
        return AppendResult::Replaced;
    }
    if (i == 0 && m_size == m_capacity)
        return AppendResult::DroppedTooOld;

    // Insert at logical index i: shift everything after it one step towards the end.
    // When full, the oldest sample (logical 0) falls off first.
    qsizetype insertAt = i;
    if (m_size == m_capacity) {
        m_head = m_head + 1 == m_capacity ? 0 : m_head + 1;
        --m_size;
        --insertAt;
    }
    const Sample tail = last();
    pushBack(tail); // grows by one; duplicates the last sample
    for (qsizetype j = m_size - 1; j > insertAt; --j)
        slot(physical(j)) = slot(physical(j - 1));
    slot(physical(insertAt)) = {t, v};
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
        if (at(mid).t <= to)
            lo = mid + 1;
        else
            hi = mid;
    }
    const qsizetype end = lo;
    if (end <= begin)
        return out;
    // One allocation and a contiguous copy per block (and per wrap of the
    // ring): appending sample by sample cost three times the decimation that
    // follows (issue 7 bench-decimate).
    const qsizetype n = end - begin;
    out.reserve(n); // exactly n: resize() alone rounds the block up to a power of two
    out.resize(n);
    Sample *dst = out.data();
    qsizetype p = physical(begin);
    for (qsizetype left = n; left > 0;) {
        const qsizetype offset = p & (kBlockSamples - 1);
        const qsizetype run = std::min({left, kBlockSamples - offset, m_capacity - p});
        std::copy_n(&slot(p), run, dst);
        dst += run;
        left -= run;
        p += run;
        if (p == m_capacity)
            p = 0;
    }
    return out;
}

void Series::clear()
{
    m_blocks.clear();
    m_allocated = 0;
    m_head = 0;
    m_size = 0;
}

} // namespace vigil
