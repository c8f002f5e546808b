// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/clock.h"

#include <QDateTime>

namespace vigil {

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

SystemClock &SystemClock::instance()
{
    static SystemClock clock;
    return clock;
}

} // namespace vigil
