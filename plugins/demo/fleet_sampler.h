// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet_history.h"

#include "fleet/fleet_simulation.h"

#include <vector>

namespace vigil {
class Clock;
}

namespace vigil::demo {

struct SamplerConfig
{
    quint64 seed = 42;
    // Simulated seconds per real second, as vigil-demo-fleet's --time-scale.
    double timeScale = 1.0;
    // One sample of every series per second of wall time: what a Prometheus
    // scraping the fleet every second would hold.
    qint64 resolutionMs = 1000;
    // On creation the history is filled as if the simulation had been running
    // for this long (the workspace's default 15-minute range), so the first
    // chart is full rather than a dot at its right edge...
    qint64 backfillMs = 15 * 60'000;
    // ...but with at most this much simulated time: at --time-scale 60 fifteen
    // wall minutes are fifteen simulated hours, seconds of CPU to tick through.
    // The same bound caps catching up after a long pause (see catchUp()).
    qint64 maxBackfillSimMs = 30 * 60'000;
    qsizetype samplesPerSeries = FleetHistory::kDefaultSamplesPerSeries;
};

// Runs a FleetSimulation against a wall clock and records what a scrape every
// `resolutionMs` would have seen, into a FleetHistory.
//
// Sampling is lazy and deterministic: catchUp() takes every sample that is due
// up to the clock's now, at whole multiples of the resolution, each holding the
// simulation as of (sample time - start) x timeScale. When catchUp() runs makes
// no difference to what is recorded (the simulation itself is deterministic in
// simulated time), so the connector simply catches up before each query.
class FleetSampler
{
public:
    FleetSampler(const SamplerConfig &config, const Clock &clock);

    // Samples everything due up to now; returns how many sample times were added.
    // After a pause longer than the backfill (a suspended laptop), the
    // simulation resumes where it stopped instead of ticking through the gap:
    // the history then jumps in time, like a fleet that was paused.
    int catchUp();

    const FleetHistory &history() const { return m_history; }
    const FleetSimulation &simulation() const { return m_sim; }
    const SamplerConfig &config() const { return m_config; }
    // Wall time the backfill covers (backfillMs, capped by maxBackfillSimMs / timeScale).
    qint64 backfillWallMs() const { return m_backfillWallMs; }
    // The longest gap taken sample by sample; a longer one is a pause (maxBackfillSimMs / timeScale).
    qint64 catchUpWallMs() const { return m_catchUpWallMs; }
    // Time of the latest sample taken, 0 before the first catchUp().
    qint64 lastSampleMs() const { return m_lastSampleMs; }

private:
    qint64 simElapsedAt(qint64 wallMs) const;
    void sampleAt(qint64 wallMs);

    SamplerConfig m_config;
    const Clock &m_clock;
    FleetSimulation m_sim;
    FleetHistory m_history;
    qint64 m_backfillWallMs = 0;
    qint64 m_catchUpWallMs = 0;
    // Simulated elapsed time is m_anchorSimMs + (t - m_anchorMs) x timeScale.
    qint64 m_anchorMs = 0;
    qint64 m_anchorSimMs = 0;
    qint64 m_nextSampleMs = 0;
    qint64 m_lastSampleMs = 0;
    qint64 m_lastSimMs = 0;

    // collect() returns the same series in the same order every time: remember
    // where each position landed instead of building a SeriesKey per sample.
    struct Slot
    {
        QString name;
        vigil::demo::Labels labels;
        int index = -1;
    };
    std::vector<Slot> m_slots;
};

} // namespace vigil::demo
