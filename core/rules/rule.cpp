// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/rule.h"

#include <QLocale>

namespace vigil::rules {

namespace {
QString number(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}
} // namespace

QString toString(Severity severity)
{
    switch (severity) {
    case Severity::Info: return QStringLiteral("info");
    case Severity::Warning: return QStringLiteral("warning");
    case Severity::Critical: return QStringLiteral("critical");
    case Severity::Page: return QStringLiteral("page");
    }
    return {};
}

std::optional<Severity> severityFromString(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"info")
        return Severity::Info;
    if (t == u"warning" || t == u"warn")
        return Severity::Warning;
    if (t == u"critical")
        return Severity::Critical;
    if (t == u"page")
        return Severity::Page;
    return std::nullopt;
}

QString toString(StatePolicy policy)
{
    switch (policy) {
    case StatePolicy::Ok: return QStringLiteral("ok");
    case StatePolicy::Alerting: return QStringLiteral("alerting");
    case StatePolicy::NoData: return QStringLiteral("nodata");
    case StatePolicy::Error: return QStringLiteral("error");
    case StatePolicy::KeepLast: return QStringLiteral("keep-last");
    }
    return {};
}

std::optional<StatePolicy> statePolicyFromString(const QString &text)
{
    QString t = text.trimmed().toLower();
    t.remove(u'-');
    t.remove(u'_');
    t.remove(u' ');
    if (t == u"ok" || t == u"normal")
        return StatePolicy::Ok;
    if (t == u"alerting")
        return StatePolicy::Alerting;
    if (t == u"nodata")
        return StatePolicy::NoData;
    if (t == u"error")
        return StatePolicy::Error;
    if (t == u"keeplast" || t == u"keeplaststate")
        return StatePolicy::KeepLast;
    return std::nullopt;
}

Condition Condition::above(double threshold, std::optional<double> recoverAtOrBelow)
{
    Condition c;
    c.kind = ConditionKind::Above;
    c.threshold = threshold;
    c.recover = recoverAtOrBelow;
    return c;
}

Condition Condition::below(double threshold, std::optional<double> recoverAtOrAbove)
{
    Condition c;
    c.kind = ConditionKind::Below;
    c.threshold = threshold;
    c.recover = recoverAtOrAbove;
    return c;
}

Condition Condition::outside(double low, double high, std::optional<double> recoverLow,
                             std::optional<double> recoverHigh)
{
    Condition c;
    c.kind = ConditionKind::OutsideBand;
    c.low = low;
    c.high = high;
    c.recoverLow = recoverLow;
    c.recoverHigh = recoverHigh;
    return c;
}

Condition Condition::returnsAnything()
{
    Condition c;
    c.kind = ConditionKind::ReturnsAnything;
    return c;
}

QString Condition::validate() const
{
    auto finite = [](double v) { return std::isfinite(v); };
    switch (kind) {
    case ConditionKind::Above:
        if (!finite(threshold))
            return QStringLiteral("the threshold must be a finite number");
        if (recover && !(finite(*recover) && *recover <= threshold))
            return QStringLiteral("recover_below (%1) must be at or below the threshold (%2): "
                                  "an alert above %2 recovers once the value falls back")
                .arg(number(*recover), number(threshold));
        break;
    case ConditionKind::Below:
        if (!finite(threshold))
            return QStringLiteral("the threshold must be a finite number");
        if (recover && !(finite(*recover) && *recover >= threshold))
            return QStringLiteral("recover_above (%1) must be at or above the threshold (%2): "
                                  "an alert below %2 recovers once the value climbs back")
                .arg(number(*recover), number(threshold));
        break;
    case ConditionKind::OutsideBand: {
        if (!finite(low) || !finite(high) || low > high)
            return QStringLiteral("the band [%1, %2] must have low <= high").arg(number(low), number(high));
        const double rl = recoverLow.value_or(low);
        const double rh = recoverHigh.value_or(high);
        if (!finite(rl) || !finite(rh) || rl < low || rh > high || rl > rh)
            return QStringLiteral("the recovery band [%1, %2] must lie inside the band [%3, %4]")
                .arg(number(rl), number(rh), number(low), number(high));
        break;
    }
    case ConditionKind::ReturnsAnything:
        break;
    }
    return {};
}

QString Condition::describe() const
{
    switch (kind) {
    case ConditionKind::Above:
        if (recover && *recover != threshold)
            return QStringLiteral("> %1 (recovers at <= %2)").arg(number(threshold), number(*recover));
        return QStringLiteral("> %1").arg(number(threshold));
    case ConditionKind::Below:
        if (recover && *recover != threshold)
            return QStringLiteral("< %1 (recovers at >= %2)").arg(number(threshold), number(*recover));
        return QStringLiteral("< %1").arg(number(threshold));
    case ConditionKind::OutsideBand: {
        QString s = QStringLiteral("outside [%1, %2]").arg(number(low), number(high));
        if (recoverLow || recoverHigh)
            s += QStringLiteral(" (recovers inside [%1, %2])")
                     .arg(number(recoverLow.value_or(low)), number(recoverHigh.value_or(high)));
        return s;
    }
    case ConditionKind::ReturnsAnything:
        return QStringLiteral("returns any series");
    }
    return {};
}

QStringList Rule::validate() const
{
    QStringList problems;
    const QString who = name.isEmpty() ? QStringLiteral("a rule with no name") : QStringLiteral("rule %1").arg(name);
    if (name.isEmpty())
        problems << QStringLiteral("%1: every rule needs a name (it becomes the alertname label)").arg(who);
    if (query.trimmed().isEmpty())
        problems << QStringLiteral("%1: the query is empty").arg(who);
    if (const QString c = condition.validate(); !c.isEmpty())
        problems << QStringLiteral("%1: %2").arg(who, c);
    if (forMs < 0)
        problems << QStringLiteral("%1: 'for' must not be negative").arg(who);
    if (keepFiringForMs < 0)
        problems << QStringLiteral("%1: 'keep_firing_for' must not be negative").arg(who);
    if (resolveMissingAfterMs < 0)
        problems << QStringLiteral("%1: 'resolve_missing_after' must not be negative").arg(who);
    if (flapping.enabled && !(flapping.lowPercent >= 0 && flapping.lowPercent <= flapping.highPercent
                              && flapping.highPercent <= 100))
        problems << QStringLiteral("%1: flapping thresholds need 0 <= low (%2) <= high (%3) <= 100")
                        .arg(who, number(flapping.lowPercent), number(flapping.highPercent));
    for (const SeverityStep &step : escalations) {
        if (!std::isfinite(step.threshold))
            problems << QStringLiteral("%1: an escalation threshold must be a finite number").arg(who);
    }
    return problems;
}

} // namespace vigil::rules
