// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QtGlobal>

#include <vector>

namespace vigil::demo {

// A Prometheus-style histogram accumulator. Counts are kept per bucket (not
// cumulative) and made cumulative only when read, so an observation costs one
// binary search. Counts only grow, like the counters a real client library keeps.
class HistogramAccumulator
{
public:
    HistogramAccumulator() = default;
    explicit HistogramAccumulator(QList<double> upperBounds);

    // Records `weight` observations of `value` (weight > 1 lets the simulation
    // stand one drawn sample in for several requests when traffic is high).
    void observe(double value, quint64 weight = 1);

    const QList<double> &upperBounds() const { return m_upperBounds; }
    // Cumulative counts, one per upper bound plus the final +Inf bucket.
    std::vector<quint64> cumulativeCounts() const;
    quint64 count() const { return m_count; }
    double sum() const { return m_sum; }

private:
    QList<double> m_upperBounds;
    std::vector<quint64> m_counts; // size upperBounds + 1; the last is (max, +Inf]
    quint64 m_count = 0;
    double m_sum = 0.0;
};

} // namespace vigil::demo
