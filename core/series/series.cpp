// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/series.h"

#include <algorithm>

namespace vigil {

Series::Series(qsizetype capacity) : m_capacity(std::max<qsizetype>(capacity, 1)) {}

void Series::pushBack(const Sample &s)
{
    if (m_size < m_capacity) {
        if (qsizetype(m_buf.size()) < m_capacity && m_head == 0) {
            // Still growing: storage is linear from 0. Grow geometrically but
            // never past the capacity, so a full series holds exactly 16 B/sample.
            if (m_buf.size() == m_buf.capacity())
                m_buf.reserve(size_t(std::min<qsizetype>(m_capacity, std::max<qsizetype>(16, 2 * m_size))));
            m_buf.push_back(s);
        } else {
            m_buf[physical(m_size)] = s;
        }
        ++m_size;
        return;
    }
    // Full: overwrite the oldest.
    m_buf[m_head] = s;
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
        m_buf[physical(i)].v = v;
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
        m_buf[physical(j)] = m_buf[physical(j - 1)];
    m_buf[physical(insertAt)] = {t, v};
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
    // One allocation and at most two contiguous copies (the ring may wrap):
    // appending sample by sample cost three times the decimation that follows
    // (issue 7 bench-decimate).
    const qsizetype n = end - begin;
    out.reserve(n); // exactly n: resize() alone rounds the block up to a power of two
    out.resize(n);
    const qsizetype p0 = physical(begin);
    const qsizetype firstRun = std::min(n, m_capacity - p0);
    std::copy_n(m_buf.data() + p0, firstRun, out.data());
    std::copy_n(m_buf.data(), n - firstRun, out.data() + firstRun);
    return out;
}

void Series::clear()
{
    m_buf.clear();
    m_head = 0;
    m_size = 0;
}

} // namespace vigil
