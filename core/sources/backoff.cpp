// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/backoff.h"

#include <algorithm>
#include <cmath>

namespace vigil {

qint64 BackoffPolicy::delayMs(int failures, double random01) const
{
    if (failures < 1)
        return 0;
    // Exponent capped so the power cannot overflow for a long outage.
    const double base = std::min<double>(double(maxMs), double(initialMs) * std::pow(multiplier, std::min(failures - 1, 62)));
    const double r = std::clamp(random01, 0.0, 1.0);
    const double factor = 1.0 + jitter * (2.0 * r - 1.0);
    return std::max<qint64>(1, qint64(std::llround(base * factor)));
}

} // namespace vigil
