// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"

#include <QString>

namespace vigil::rules {

// Label and annotation templates, the subset of Prometheus' alert templates
// people actually write:
//   {{ $value }}                 the instance's value, as Go's %v prints a float
//                                (0.25, 1e+06, NaN, +Inf)
//   {{ $labels.model }}          a label of the instance; a missing label is empty,
//                                as Prometheus renders with missingkey=zero
//   {{ $labels }}                every label, {a="1", b="2"}
//   {{ .Value }} {{ .Labels.x }} the same, in Go's dot notation
//   {{ $value | humanize }}      and `humanize $value`: humanize (SI prefix, 4
//                                significant digits), humanizePercentage (x100 and %),
//                                humanizeDuration (seconds as 1h 2m 3s)
// The output is plain text: nothing is escaped and nothing is interpreted, so
// "<b>" stays the four characters "<b>"; whoever shows it must show it as
// text. An expression this does not understand is kept literally, braces and
// all, so a typo shows up in the notification instead of vanishing.
QString renderTemplate(const QString &text, const Labels &labels, double value);

// True when the text holds "{{": most label values do not, and skipping them
// keeps notification building cheap.
inline bool isTemplate(const QString &text)
{
    return text.contains(QLatin1String("{{"));
}

// Go's %v for a float64 (what Prometheus prints for $value): the shortest
// digits that read back exactly, in exponent form when the decimal exponent is
// below -4 or at least 6: 0.25, 123456, 1e+06, 1.5e-05, NaN, +Inf.
QString formatValue(double value);
// Prometheus' humanize: 1234567 -> "1.235M", 0.0012 -> "1.2m".
QString humanize(double value);
// Prometheus' humanizePercentage: 0.256 -> "25.6%".
QString humanizePercentage(double value);
// Prometheus' humanizeDuration, seconds in: 3725 -> "1h 2m 5s", 0.25 -> "250ms".
QString humanizeDuration(double seconds);

} // namespace vigil::rules
