// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <algorithm>

namespace vigil::demo::scenario {

// The story the demo tells, as functions of simulated time (ms since the
// simulation started). demo/README.md has the same timeline in minutes; keep the
// two in step. Every event happens once; after it, its end state holds.

constexpr qint64 kMinute = 60'000;

// Smooth 0 -> 1 between a and b (cubic smoothstep), 0 before, 1 after.
inline double ramp(qint64 t, qint64 a, qint64 b)
{
    if (t <= a)
        return 0.0;
    if (t >= b)
        return 1.0;
    const double x = double(t - a) / double(b - a);
    return x * x * (3.0 - 2.0 * x);
}

// Traffic multiplier over one cycle of `periodMs`: quiet, a one-tenth-cycle ramp
// up, a plateau of two tenths, a one-tenth ramp down. With the default 10-minute
// cycle: ramp minutes 4-5, peak 5-7, back to base by 8 (then 14-15, 15-17, ...).
// The ramp is short on purpose: it is faster than the autoscaler plus pod start-up,
// so latency rises before the new pods are available, then falls back.
inline double trafficMultiplier(qint64 t, qint64 periodMs, double peakFactor)
{
    const qint64 phase = t % periodMs;
    const qint64 tenth = periodMs / 10;
    const double up = ramp(phase, 4 * tenth, 5 * tenth);
    const double down = ramp(phase, 7 * tenth, 8 * tenth);
    return 1.0 + (peakFactor - 1.0) * (up - down);
}

// fraud-detector v13 (canary) gets slower from minute 3 to minute 7: its median
// latency is multiplied by up to 3.6 (p99 ~120 ms -> ~430 ms), then stays slow.
inline double canarySlowdown(qint64 t) { return 1.0 + 2.6 * ramp(t, 3 * kMinute, 7 * kMinute); }

// spam-filter v8 (canary) error burst: 5xx at ~8 % between minute 5.5 and 7.5.
constexpr qint64 kErrorBurstStart = 11 * kMinute / 2;
constexpr qint64 kErrorBurstEnd = 15 * kMinute / 2;
inline bool inErrorBurst(qint64 t) { return t >= kErrorBurstStart && t < kErrorBurstEnd; }

// spam-filter's inputs drift: the median body length moves from 600 to 1500
// characters between minute 4 and minute 9 (both versions see the same mail).
inline double bodyLengthMedian(qint64 t) { return 600.0 * (1.0 + 1.5 * ramp(t, 4 * kMinute, 9 * kMinute)); }

// spam-filter v8's live precision erodes from minute 4 by 0.015 per minute, to a
// floor of 0.82: slow enough that only a trend (not a threshold) catches it early.
inline double canaryPrecisionLoss(qint64 t)
{
    if (t <= 4 * kMinute)
        return 0.0;
    return std::min(0.155, 0.015 * double(t - 4 * kMinute) / double(kMinute));
}

} // namespace vigil::demo::scenario
