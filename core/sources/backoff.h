// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace vigil {

// Exponential backoff with proportional jitter for a failing poll.
// Defaults: 1 s doubling to 60 s, +-20 %: the retry pacing of Prometheus'
// remote-write client (min 30 ms .. max 5 s) stretched to the poll scale of a
// dashboard, so a dead server costs one request a minute, not one a second.
struct BackoffPolicy
{
    qint64 initialMs = 1'000;
    qint64 maxMs = 60'000;
    double multiplier = 2.0;
    double jitter = 0.2; // each delay is scaled by a factor in [1 - jitter, 1 + jitter]

    // Delay before the next attempt after `failures` consecutive failures
    // (failures >= 1). `random01` is a uniform number in [0, 1): passed in so
    // the policy is a pure function.
    qint64 delayMs(int failures, double random01) const;
};

} // namespace vigil
