// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/detectors.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::drift {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
} // namespace

// ---- Page-Hinkley ----

PageHinkley::PageHinkley(const Params &p) : m_p(p)
{
    reset();
}

void PageHinkley::reset()
{
    m_drift = false;
    m_n = 0;
    m_mean = 0.0;
    m_sumIncrease = 0.0;
    m_sumDecrease = 0.0;
    m_minIncrease = kInf;
    // River starts the maximum at -1, not -inf; the first update always lifts
    // it (sumDecrease becomes delta > -1), so either gives the same detections.
    m_maxDecrease = -1.0;
}

void PageHinkley::update(double x)
{
    if (m_drift)
        reset();
    // Running mean in River's stats.Mean form: mean += (x - mean) / n.
    m_n += 1;
    m_mean += (x - m_mean) / m_n;
    const double dev = x - m_mean;
    m_sumIncrease = m_p.alpha * m_sumIncrease + dev - m_p.delta;
    m_sumDecrease = m_p.alpha * m_sumDecrease + dev + m_p.delta;
    m_minIncrease = std::min(m_minIncrease, m_sumIncrease);
    m_maxDecrease = std::max(m_maxDecrease, m_sumDecrease);
    if (m_n >= m_p.minInstances) {
        const bool up = m_sumIncrease - m_minIncrease > m_p.threshold;
        const bool down = m_maxDecrease - m_sumDecrease > m_p.threshold;
        switch (m_p.mode) {
        case Mode::Up: m_drift = up; break;
        case Mode::Down: m_drift = down; break;
        case Mode::Both: m_drift = up || down; break;
        }
    }
}

// ---- ADWIN ----

Adwin::Adwin(const Params &p) : m_p(p)
{
    reset();
}

void Adwin::reset()
{
    m_drift = false;
    m_rows.clear();
    m_rows.emplace_back();
    m_total = 0.0;
    m_variance = 0.0;
    m_width = 0.0;
    m_tick = 0;
    m_detections = 0;
}

void Adwin::update(double x)
{
    // River replaces its whole helper after a drift: the window starts over.
    if (m_drift)
        reset();
    insert(x);
    m_drift = detectChange();
}

void Adwin::insert(double value)
{
    Row &row = m_rows.front();
    row.total.push_back(value);
    row.variance.push_back(0.0);
    m_width += 1;
    if (m_width > 1.0) {
        // Welford-style update of the sum of squared deviations.
        const double prevMean = m_total / (m_width - 1.0);
        m_variance += (m_width - 1.0) * (value - prevMean) * (value - prevMean) / m_width;
    }
    m_total += value;
    compress();
}

void Adwin::compress()
{
    // A row holding maxBuckets + 1 buckets merges its two oldest into one
    // bucket of the next row, which may overflow in turn.
    for (size_t idx = 0; idx < m_rows.size(); ++idx) {
        if (m_rows[idx].total.size() != size_t(m_p.maxBuckets) + 1)
            break;
        if (idx + 1 == m_rows.size())
            m_rows.emplace_back();
        Row &row = m_rows[idx];
        const double n = std::ldexp(1.0, int(idx)); // both buckets hold 2^idx values
        const double mu1 = row.total[0] / n;
        const double mu2 = row.total[1] / n;
        const double total12 = row.total[0] + row.total[1];
        const double v12 = row.variance[0] + row.variance[1] + n * n * (mu1 - mu2) * (mu1 - mu2) / (n + n);
        Row &next = m_rows[idx + 1];
        next.total.push_back(total12);
        next.variance.push_back(v12);
        row.total.erase(row.total.begin(), row.total.begin() + 2);
        row.variance.erase(row.variance.begin(), row.variance.begin() + 2);
        if (next.total.size() <= size_t(m_p.maxBuckets))
            break;
    }
}

double Adwin::deleteOldest()
{
    Row &row = m_rows.back();
    const double n = std::ldexp(1.0, int(m_rows.size()) - 1);
    const double u = row.total.front();
    const double mu = u / n;
    const double v = row.variance.front();
    m_width -= n;
    m_total -= u;
    const double muWindow = m_total / m_width;
    m_variance -= v + n * m_width * (mu - muWindow) * (mu - muWindow) / (n + m_width);
    row.total.erase(row.total.begin());
    row.variance.erase(row.variance.begin());
    if (row.total.empty() && m_rows.size() > 1)
        m_rows.pop_back();
    return n;
}

bool Adwin::cutExceeds(double n0, double n1, double deltaMean) const
{
    // epsilon_cut of Bifet & Gavaldà with the variance-based bound, as River
    // computes it: delta' = ln(2 ln(width) / delta), m = harmonic-like size of
    // the two sub-windows shortened by the minimum length.
    const double deltaPrime = std::log(2.0 * std::log(m_width) / m_p.delta);
    const double mRecip = 1.0 / (n0 - m_p.minWindowLength + 1) + 1.0 / (n1 - m_p.minWindowLength + 1);
    const double varianceInWindow = m_variance / m_width;
    const double epsilon = std::sqrt(2.0 * mRecip * varianceInWindow * deltaPrime) + 2.0 / 3.0 * deltaPrime * mRecip;
    return std::abs(deltaMean) > epsilon;
}

bool Adwin::detectChange()
{
    bool changed = false;
    ++m_tick;
    if (m_tick % m_p.clock != 0 || !(m_width > m_p.gracePeriod))
        return false;
    // Scan the cut points from the oldest bucket to the newest; on a cut, drop
    // the oldest bucket and scan again until no cut is significant.
    bool reduce = true;
    while (reduce) {
        reduce = false;
        double n0 = 0.0, n1 = m_width, u0 = 0.0, u1 = m_total;
        bool done = false;
        for (int idx = int(m_rows.size()) - 1; idx >= 0 && !done; --idx) {
            const Row &row = m_rows[size_t(idx)];
            const double n2 = std::ldexp(1.0, idx);
            // River stops one bucket short in every row (range(current_idx - 1)).
            const int last = int(row.total.size()) - 1;
            for (int k = 0; k < last; ++k) {
                const double u2 = row.total[size_t(k)];
                n0 += n2;
                n1 -= n2;
                u0 += u2;
                u1 -= u2;
                const double deltaMean = u0 / n0 - u1 / n1;
                if (n1 >= m_p.minWindowLength && n0 >= m_p.minWindowLength && cutExceeds(n0, n1, deltaMean)) {
                    reduce = true;
                    changed = true;
                    if (m_width > 0)
                        deleteOldest();
                    done = true;
                    break;
                }
            }
        }
    }
    if (changed)
        ++m_detections;
    return changed;
}

// ---- DDM ----

Ddm::Ddm(const Params &p) : m_p(p)
{
    reset();
}

void Ddm::reset()
{
    m_drift = false;
    m_warning = false;
    m_n = 0;
    m_mean = 0.0;
    m_pMin = kInf;
    m_sMin = kInf;
    m_psMin = kInf;
}

void Ddm::update(double x)
{
    if (m_drift)
        reset();
    m_n += 1;
    m_mean += (x - m_mean) / m_n;
    const double p = m_mean;
    // Standard deviation of a Bernoulli rate after n trials.
    const double s = std::sqrt(p * (1 - p) / m_n);
    if (m_n > m_p.warmStart) {
        if (p + s <= m_psMin) {
            m_pMin = p;
            m_sMin = s;
            m_psMin = p + s;
        }
        m_warning = p + s > m_pMin + m_p.warningThreshold * m_sMin;
        if (p + s > m_pMin + m_p.driftThreshold * m_sMin) {
            m_drift = true;
            m_warning = false;
        }
    }
}

} // namespace vigil::drift
