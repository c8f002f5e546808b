// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"

#include <QJsonObject>
#include <optional>

namespace vigil::storage {

// A Notification as the outbox stores it: every field, so what a restart
// delivers is exactly what the router built before the crash. Times are
// milliseconds since the epoch; a NaN value is stored as null.
QJsonObject notificationToJson(const Notification &n);
// nullopt with `error` set when the object is not a notification (no id, an
// unknown kind): the row is reported, never delivered half-read.
std::optional<Notification> notificationFromJson(const QJsonObject &o, QString *error = nullptr);

// A label set as a JSON object {"name": "value"}, in the set's order.
QJsonObject labelsToJson(const Labels &labels);
Labels labelsFromJson(const QJsonObject &o);

} // namespace vigil::storage
