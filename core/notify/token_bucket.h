// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>
#include <algorithm>
#include <cmath>

namespace vigil {

// A token bucket with time passed in: `ratePerSecond` tokens refill per
// second, up to `burst`. Slack's incoming webhooks allow one message per
// second per webhook ("short bursts ... are allowed" but not relied on here),
// hence the defaults 1 and 1.
class TokenBucket
{
public:
    explicit TokenBucket(double ratePerSecond = 1.0, double burst = 1.0)
        : m_rate(ratePerSecond), m_burst(burst), m_tokens(burst)
    {
    }

    // Takes a token if one is available at `nowMs`.
    bool tryTake(qint64 nowMs)
    {
        refill(nowMs);
        if (m_tokens + 1e-9 < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

    // Milliseconds until a token is available (0: now).
    qint64 msUntilToken(qint64 nowMs)
    {
        refill(nowMs);
        if (m_tokens + 1e-9 >= 1.0)
            return 0;
        return qint64(std::ceil((1.0 - m_tokens) / m_rate * 1000.0));
    }

private:
    void refill(qint64 nowMs)
    {
        if (m_last >= 0 && nowMs > m_last)
            m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_last) / 1000.0 * m_rate);
        m_last = std::max(m_last, nowMs);
    }

    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_last = -1;
};

} // namespace vigil
