// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet_sampler.h"

#include "util/clock.h"

#include <algorithm>
#include <cmath>

namespace vigil::demo {

namespace {
qint64 floorTo(qint64 t, qint64 step)
{
    const qint64 r = t % step;
    return r < 0 ? t - r - step : t - r;
}

FleetConfig fleetConfig(const SamplerConfig &c)
{
    FleetConfig f;
    f.seed = c.seed;
    return f;
}
} // namespace

FleetSampler::FleetSampler(const SamplerConfig &config, const Clock &clock)
    : m_config(config)
    , m_clock(clock)
    , m_sim(fleetConfig(config))
    , m_history(config.samplesPerSeries)
{
    if (!(m_config.timeScale > 0.0) || !std::isfinite(m_config.timeScale))
        m_config.timeScale = 1.0;
    m_config.resolutionMs = std::max<qint64>(1, m_config.resolutionMs);
    const qint64 simCapWall = qint64(double(m_config.maxBackfillSimMs) / m_config.timeScale);
    m_backfillWallMs = floorTo(std::clamp<qint64>(std::min(m_config.backfillMs, simCapWall), 0,
                                                  m_config.resolutionMs * (m_config.samplesPerSeries - 1)),
                               m_config.resolutionMs);
    // Catching up after a pause is bounded the same way, but never below one
    // step: with no backfill, a gap of a few seconds is not a pause.
    m_catchUpWallMs = floorTo(std::clamp<qint64>(simCapWall, m_config.resolutionMs,
                                                 m_config.resolutionMs * (m_config.samplesPerSeries - 1)),
                              m_config.resolutionMs);
    // The simulation starts (simulated time 0) at the first backfilled sample.
    m_nextSampleMs = floorTo(m_clock.nowMs(), m_config.resolutionMs) - m_backfillWallMs;
    m_anchorMs = m_nextSampleMs;
    m_anchorSimMs = 0;
}

qint64 FleetSampler::simElapsedAt(qint64 wallMs) const
{
    return m_anchorSimMs + std::llround(double(wallMs - m_anchorMs) * m_config.timeScale);
}

int FleetSampler::catchUp()
{
    const qint64 due = floorTo(m_clock.nowMs(), m_config.resolutionMs);
    if (due < m_nextSampleMs)
        return 0;
    if (m_lastSampleMs != 0 && due - m_nextSampleMs > m_catchUpWallMs) {
        // A long pause: resume the simulation one step after where it stopped,
        // at the start of a catch-up window ending now.
        m_nextSampleMs = due - m_catchUpWallMs;
        m_anchorMs = m_nextSampleMs;
        m_anchorSimMs = m_lastSimMs + std::llround(double(m_config.resolutionMs) * m_config.timeScale);
    }
    int taken = 0;
    for (; m_nextSampleMs <= due; m_nextSampleMs += m_config.resolutionMs) {
        sampleAt(m_nextSampleMs);
        ++taken;
    }
    return taken;
}

void FleetSampler::sampleAt(qint64 wallMs)
{
    const qint64 simMs = std::max(m_lastSimMs, simElapsedAt(wallMs));
    m_sim.advanceTo(simMs);
    m_lastSimMs = simMs;
    m_lastSampleMs = wallMs;

    size_t position = 0;
    for (const MetricFamily &family : m_sim.collect()) {
        for (const vigil::demo::Sample &s : family.samples) {
            if (position >= m_slots.size())
                m_slots.resize(position + 1);
            Slot &slot = m_slots[position];
            if (slot.index < 0 || slot.name != s.name || slot.labels != s.labels) {
                // demo::Labels and vigil::Labels are both lists of std::pair (QPair is one in Qt 6).
                slot = Slot{s.name, s.labels, m_history.seriesIndex(s.name, s.labels)};
            }
            m_history.append(slot.index, wallMs, s.value);
            ++position;
        }
    }
}

} // namespace vigil::demo
