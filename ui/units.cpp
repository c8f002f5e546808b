// SPDX-License-Identifier: GPL-3.0-or-later
#include "units.h"

#include <cmath>

namespace vigil::ui {

UnitScale chooseScale(const QString &unit, double maxAbs)
{
    const double m = std::isfinite(maxAbs) ? std::fabs(maxAbs) : 0.0;
    if (unit == QLatin1String("s")) {
        if (m < 2.0)
            return {1000.0, QStringLiteral(" ms"), m < 0.01 ? 2 : 0};
        return {1.0, QStringLiteral(" s"), 2};
    }
    if (unit == QLatin1String("ms"))
        return {1.0, QStringLiteral(" ms"), m < 10 ? 2 : 0};
    if (unit == QLatin1String("percentunit"))
        return {100.0, QStringLiteral(" %"), m < 0.1 ? 2 : 1};
    if (unit == QLatin1String("percent"))
        return {1.0, QStringLiteral(" %"), 1};
    if (unit == QLatin1String("reqps"))
        return {1.0, QStringLiteral(" req/s"), m < 10 ? 2 : 0};
    if (unit == QLatin1String("bytes")) {
        if (m >= 1024.0 * 1024 * 1024)
            return {1.0 / (1024.0 * 1024 * 1024), QStringLiteral(" GiB"), 1};
        if (m >= 1024.0 * 1024)
            return {1.0 / (1024.0 * 1024), QStringLiteral(" MiB"), 1};
        if (m >= 1024.0)
            return {1.0 / 1024.0, QStringLiteral(" KiB"), 1};
        return {1.0, QStringLiteral(" B"), 0};
    }
    if (unit == QLatin1String("replicas"))
        return {1.0, QStringLiteral(" pods"), 0};
    return {1.0, QString(), m < 10 ? 2 : 0};
}

QString formatValue(double value, const QString &unit)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    const UnitScale s = chooseScale(unit, value);
    return QString::number(value * s.factor, 'f', s.decimals) + s.suffix;
}

} // namespace vigil::ui
