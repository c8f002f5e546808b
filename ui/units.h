// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace vigil::ui {

// How a panel's values are shown: multiply by `factor`, append `suffix`.
// Seconds below 2 s read better as milliseconds (a p99 of 0.087 s is "87 ms");
// ratios (percentunit) as percentages.
struct UnitScale
{
    double factor = 1.0;
    QString suffix;
    int decimals = 2;
};

UnitScale chooseScale(const QString &unit, double maxAbs);
QString formatValue(double value, const QString &unit);

} // namespace vigil::ui
