// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cmath>
#include <limits>
#include <optional>

namespace vigil::rules {

// Ordered: a higher value is more urgent, so "severity rose" is a plain `>`.
// Prometheus and Alertmanager leave severity to a free label; these four are
// the ones Vigil's notifiers map to urgency (desktop) and colour (Slack).
enum class Severity : quint8 { Info, Warning, Critical, Page };

QString toString(Severity severity);
std::optional<Severity> severityFromString(const QString &text);

enum class ConditionKind : quint8 {
    Above,           // value > threshold fires
    Below,           // value < threshold fires
    OutsideBand,     // value < low or value > high fires
    ReturnsAnything, // every series the query returns fires, whatever its value (Prometheus style)
};

// Per-rule answer to "the query returned nothing for this instance" (no-data
// policy) and "the query failed" (error policy). Grafana's names and meaning:
//   Ok       the instance goes to Normal at once ("Normal" in Grafana)
//   Alerting treated as a breach: Pending, then Firing once `for` has elapsed
//   NoData   Pending, then the NoData state once `for` has elapsed
//   Error    Pending, then the Error state once `for` has elapsed
//   KeepLast the instance keeps its state; a Pending one still fires when
//            `for` elapses (Grafana PR #83940 "Keep Last State")
// Both policies take any of the five values; the defaults follow Grafana
// (no data -> NoData, error -> Error).
enum class StatePolicy : quint8 { Ok, Alerting, NoData, Error, KeepLast };

QString toString(StatePolicy policy);
// Accepts Grafana's spellings too: "normal"/"ok", "nodata"/"no-data"/"no_data",
// "keep-last"/"keep_last"/"keeplast"/"keeplaststate", "alerting", "error".
std::optional<StatePolicy> statePolicyFromString(const QString &text);

// What fires and, for hysteresis, what recovers. Thresholds compare strictly
// (`>` and `<`, as PromQL's comparison operators do); recovery is the exact
// complement of the recovery threshold's breach, so with no hysteresis set
// every value is either breaching or recovered and never in between.
struct Condition
{
    ConditionKind kind = ConditionKind::Above;
    double threshold = 0;  // Above, Below
    double low = 0;        // OutsideBand
    double high = 0;       // OutsideBand
    // Hysteresis. Above: recovered once value <= recover (recover <= threshold).
    // Below: recovered once value >= recover (recover >= threshold).
    // Unset: the firing threshold itself.
    std::optional<double> recover;
    // OutsideBand: recovered once recoverLow <= value <= recoverHigh, a band
    // inside [low, high]. Unset: low / high.
    std::optional<double> recoverLow;
    std::optional<double> recoverHigh;

    static Condition above(double threshold, std::optional<double> recoverAtOrBelow = {});
    static Condition below(double threshold, std::optional<double> recoverAtOrAbove = {});
    static Condition outside(double low, double high, std::optional<double> recoverLow = {},
                             std::optional<double> recoverHigh = {});
    static Condition returnsAnything();

    // Hot path: called once per instance per evaluation, so inline and branch-light.
    bool breaches(double v) const
    {
        switch (kind) {
        case ConditionKind::Above: return v > threshold;
        case ConditionKind::Below: return v < threshold;
        case ConditionKind::OutsideBand: return v < low || v > high;
        case ConditionKind::ReturnsAnything: return true;
        }
        return false;
    }
    bool recovered(double v) const
    {
        switch (kind) {
        case ConditionKind::Above: return v <= recover.value_or(threshold);
        case ConditionKind::Below: return v >= recover.value_or(threshold);
        case ConditionKind::OutsideBand:
            return v >= recoverLow.value_or(low) && v <= recoverHigh.value_or(high);
        case ConditionKind::ReturnsAnything: return false;
        }
        return true;
    }

    // Empty when consistent; otherwise what is wrong, for the user.
    QString validate() const;
    // "> 0.25 (recovers at <= 0.2)", for notifications and the UI.
    QString describe() const;
};

enum class Comparison : quint8 { Above, Below };

// Raises an instance's severity while its value is past a further threshold:
// e.g. warning above 0.25, critical above 0.5. The alert keeps its identity
// (same instance, same fingerprint), so an acknowledgement can re-open when
// severity rises instead of a second alert appearing.
struct SeverityStep
{
    Comparison comparison = Comparison::Above;
    double threshold = 0;
    Severity severity = Severity::Critical;
};

// Flap detection after Nagios: the last 21 evaluations (20 possible changes)
// are kept per instance; a change between "open" (Firing, Recovering, NoData,
// Error) and "closed" (Normal, Pending) counts with a weight rising linearly
// from 0.75 (oldest) to 1.25 (newest), so recent changes matter more. The
// weighted sum over 20 gives a percent state change. Flapping starts when it
// reaches highPercent and stops when it falls below lowPercent; 20 % and 5 %
// are Nagios' defaults (high_service_flap_threshold, low_service_flap_threshold).
// At one evaluation a minute, about four open/close changes within 21 minutes
// mark an instance flapping.
struct FlapSettings
{
    bool enabled = true;
    double highPercent = 20.0;
    double lowPercent = 5.0;
    static constexpr int kWindow = 21; // Nagios' MAX_STATE_HISTORY_ENTRIES
};

using Annotation = std::pair<QString, QString>;

struct Rule
{
    QString name;   // also the `alertname` label
    QString query;  // PromQL; evaluated elsewhere, the state machine gets its result
    Condition condition;
    qint64 forMs = 0;            // Prometheus `for`: 0 fires on the first breaching evaluation
    qint64 keepFiringForMs = 0;  // Prometheus `keep_firing_for`: 0 resolves at once
    StatePolicy noDataPolicy = StatePolicy::NoData; // Grafana's default
    StatePolicy errorPolicy = StatePolicy::Error;   // Grafana's default
    // No default upstream (severity is a free label in Prometheus); warning is
    // the middle of the scale, so an unlabelled rule neither pages nor hides.
    Severity severity = Severity::Warning;
    QList<SeverityStep> escalations;
    FlapSettings flapping;
    // A series missing from the result for this long is resolved, with reason
    // MissingSeries (never silently). Grafana resolves after two missing
    // evaluations; that hides a dead exporter, so Vigil waits a day: long
    // enough to cover a night, short enough that churned series (old pods)
    // do not accumulate forever. 0 = never.
    qint64 resolveMissingAfterMs = 24 * 3'600'000LL;
    // Values may hold templates ({{ $labels.x }}, {{ $value }}).
    Labels labels;
    QList<Annotation> annotations;

    // The severity an instance has at this value: the rule's, raised by every
    // escalation step the value is past.
    Severity severityAt(double value) const
    {
        Severity s = severity;
        for (const SeverityStep &step : escalations) {
            const bool past = step.comparison == Comparison::Above ? value > step.threshold
                                                                    : value < step.threshold;
            if (past && step.severity > s)
                s = step.severity;
        }
        return s;
    }

    // Every problem, each a sentence naming the rule; empty when valid.
    QStringList validate() const;
};

// Rules evaluated together on one interval, as Prometheus rule groups.
struct RuleGroup
{
    QString name;
    // Prometheus' global evaluation_interval default: 1m.
    qint64 intervalMs = 60'000;
    QList<Rule> rules;
};

} // namespace vigil::rules
