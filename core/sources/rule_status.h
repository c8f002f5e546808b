// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"
#include "sources/result.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QtPlugin>

namespace vigil {

// The rules a Prometheus evaluates itself and the alerts they hold
// (/api/v1/rules and /api/v1/alerts), so a rule broken on the server shows.
// Timestamps are epoch ms (0: never); durations in seconds as sent.

// One alert of an alerting rule, as Prometheus holds it before Alertmanager.
struct RuleAlert
{
    Labels labels;      // sorted, alertname included
    Labels annotations; // sorted, templates rendered
    QString state;      // "pending" or "firing" ("inactive" only in rule listings)
    qint64 activeAtMs = 0;
    QString value;      // as sent ("1e+00"): keeps what Prometheus printed
    double numericValue = 0.0; // NaN when the text is not a number
    QString label(const QString &name) const;
};

struct RuleInfo
{
    enum class Type : quint8 { Alerting, Recording };
    enum class Health : quint8 { Unknown, Ok, Err };
    Type type = Type::Alerting;
    QString name;        // the alert name or the recorded metric name
    QString query;       // the rule's expression as Prometheus re-printed it
    Health health = Health::Unknown;
    QString lastError;   // why the last evaluation failed (health Err)
    QString state;       // alerting: "inactive", "pending", "firing"; recording: empty
    double durationS = 0.0;         // `for:`
    double evaluationTimeS = 0.0;   // the last evaluation's duration
    qint64 lastEvaluationMs = 0;
    Labels labels;
    Labels annotations;
    QList<RuleAlert> alerts;
};
QString toString(RuleInfo::Health health); // "ok", "err", "unknown"

struct RuleGroupInfo
{
    QString name;
    QString file;
    double intervalS = 0.0;
    double evaluationTimeS = 0.0;
    qint64 lastEvaluationMs = 0;
    QList<RuleInfo> rules;
};

// Implemented by connectors to a Prometheus that evaluates rules. Reach it
// with qobject_cast<vigil::RuleStatus *>(connector); futures complete in the
// connector's thread.
class RuleStatus
{
public:
    virtual ~RuleStatus() = default;
    virtual QFuture<Result<QList<RuleGroupInfo>>> ruleGroups() = 0;
    // The pending and firing alerts of every alerting rule.
    virtual QFuture<Result<QList<RuleAlert>>> ruleAlerts() = 0;
};

} // namespace vigil

#define VIGIL_RULE_STATUS_IID "org.vigil.RuleStatus/1"
Q_DECLARE_INTERFACE(vigil::RuleStatus, VIGIL_RULE_STATUS_IID)
