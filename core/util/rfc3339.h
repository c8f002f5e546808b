// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <optional>

namespace vigil {

// RFC 3339 timestamps as Go's encoding/json writes them (Alertmanager,
// Prometheus): "2026-11-29T14:43:18.224676179Z", "2026-11-29T16:00:00+02:00".
// Fractions beyond milliseconds are dropped (truncated, never rounded up into
// the next second). Go's zero time "0001-01-01T00:00:00Z" reads as 0, which
// callers treat as "not set". nullopt for anything else.
std::optional<qint64> parseRfc3339Ms(const QString &text);

// Epoch ms as UTC RFC 3339 with milliseconds: "2026-11-29T14:43:18.224Z".
QString formatRfc3339Ms(qint64 ms);

} // namespace vigil
