// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "prometheus_request.h"
#include "sources/rule_status.h"

#include <QByteArrayView>
#include <QString>

namespace vigil::prometheus {

// Prometheus' own rules and alerts (checked against 2.42: the fixtures in
// tests/fixtures/alertmanager/prometheus-*.json were recorded from it).

// GET /api/v1/rules (every group, alerting and recording rules).
ApiRequest buildRulesRequest();
// GET /api/v1/alerts (pending and firing alerts).
ApiRequest buildAlertsRequest();

// A rule whose last evaluation failed has health "err" and lastError; both
// are kept as sent. Fields a rule type does not have (a recording rule's
// state, alerts, `for`) are empty. Never throws; a wrong shape is BadResponse
// naming where in the answer it was.
Result<QList<RuleGroupInfo>> parseRulesResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                                const QString &where = {});
Result<QList<RuleAlert>> parseAlertsResponse(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where = {});

} // namespace vigil::prometheus
