// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series.h"

#include <QList>
#include <QPointF>

namespace vigil {

// Reduces samples to at most 2 points per pixel column for plotting: each
// column keeps its minimum and its maximum in time order, so spikes and dips
// survive at any zoom. The first and last sample are always kept, and counted:
// never more than 2 * pixels points (pixels >= 2). NaN samples
// are skipped (a line cannot be drawn through them). x is epoch ms as a double.
// With fewer samples than 2 * pixels, every finite sample is returned.
QList<QPointF> decimateMinMax(const QList<Sample> &samples, qint64 fromMs, qint64 toMs, int pixels);

} // namespace vigil
