// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/histogram.h"

#include <algorithm>

namespace vigil::demo {

HistogramAccumulator::HistogramAccumulator(QList<double> upperBounds)
    : m_upperBounds(std::move(upperBounds)), m_counts(size_t(m_upperBounds.size()) + 1, 0)
{
}

void HistogramAccumulator::observe(double value, quint64 weight)
{
    if (weight == 0)
        return;
    // `le` is inclusive: a value equal to a bound belongs to that bucket.
    const auto it = std::lower_bound(m_upperBounds.cbegin(), m_upperBounds.cend(), value);
    m_counts[size_t(it - m_upperBounds.cbegin())] += weight;
    m_count += weight;
    m_sum += value * double(weight);
}

std::vector<quint64> HistogramAccumulator::cumulativeCounts() const
{
    std::vector<quint64> out(m_counts.size());
    quint64 running = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        running += m_counts[i];
        out[i] = running;
    }
    return out;
}

} // namespace vigil::demo
