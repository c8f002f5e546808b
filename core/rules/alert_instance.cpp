// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/alert_instance.h"

namespace vigil::rules {

QString toString(AlertState state)
{
    switch (state) {
    case AlertState::Normal: return QStringLiteral("normal");
    case AlertState::Pending: return QStringLiteral("pending");
    case AlertState::Firing: return QStringLiteral("firing");
    case AlertState::Recovering: return QStringLiteral("recovering");
    case AlertState::NoData: return QStringLiteral("nodata");
    case AlertState::Error: return QStringLiteral("error");
    }
    return {};
}

std::optional<AlertState> alertStateFromString(const QString &text)
{
    for (AlertState s : {AlertState::Normal, AlertState::Pending, AlertState::Firing,
                         AlertState::Recovering, AlertState::NoData, AlertState::Error}) {
        if (toString(s) == text)
            return s;
    }
    return std::nullopt;
}

QString toString(TransitionReason reason)
{
    switch (reason) {
    case TransitionReason::ConditionMet: return QStringLiteral("condition-met");
    case TransitionReason::PendingElapsed: return QStringLiteral("pending-elapsed");
    case TransitionReason::ConditionCleared: return QStringLiteral("condition-cleared");
    case TransitionReason::BelowRecovery: return QStringLiteral("recovery-threshold-not-crossed");
    case TransitionReason::KeepFiring: return QStringLiteral("keep-firing-for");
    case TransitionReason::Recovered: return QStringLiteral("recovered");
    case TransitionReason::ConditionReturned: return QStringLiteral("condition-returned");
    case TransitionReason::NoData: return QStringLiteral("no-data");
    case TransitionReason::QueryError: return QStringLiteral("query-error");
    case TransitionReason::DataReturned: return QStringLiteral("data-returned");
    case TransitionReason::MissingSeries: return QStringLiteral("missing-series");
    case TransitionReason::SeverityRaised: return QStringLiteral("severity-raised");
    case TransitionReason::SeverityLowered: return QStringLiteral("severity-lowered");
    case TransitionReason::FlappingStarted: return QStringLiteral("flapping-started");
    case TransitionReason::FlappingStopped: return QStringLiteral("flapping-stopped");
    }
    return {};
}

namespace {
constexpr quint64 kFnvOffset = 14695981039346656037ULL;
constexpr quint64 kFnvPrime = 1099511628211ULL;

void fnv(quint64 &h, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    for (char c : utf8) {
        h ^= quint8(c);
        h *= kFnvPrime;
    }
}

void separator(quint64 &h)
{
    h ^= 0xffU;
    h *= kFnvPrime;
}
} // namespace

QString fingerprintOf(const QString &rule, const SeriesKey &series)
{
    quint64 h = kFnvOffset;
    fnv(h, rule);
    separator(h);
    // The series name takes part as Prometheus' __name__ label would; the
    // labels are already sorted by name in SeriesKey.
    fnv(h, series.name());
    separator(h);
    for (const auto &[k, v] : series.labels()) {
        fnv(h, k);
        separator(h);
        fnv(h, v);
        separator(h);
    }
    return QStringLiteral("%1").arg(h, 16, 16, QLatin1Char('0'));
}

AlertInstanceId AlertInstanceId::make(const QString &rule, const SeriesKey &series)
{
    return AlertInstanceId{rule, series, fingerprintOf(rule, series)};
}

QString AlertInstanceId::toString() const
{
    if (series.isEmpty())
        return rule;
    const QString labels = series.toString();
    // SeriesKey prints name{...}; an alert reads better as rule{...}.
    return rule + labels.mid(series.name().size());
}

double AlertInstance::flapPercent() const
{
    // 20 change slots in a 21-evaluation window; bit 0 is the newest.
    constexpr int slots = FlapSettings::kWindow - 1;
    if (flapChanges == 0)
        return 0;
    double weighted = 0;
    for (int i = 0; i < slots; ++i) {
        if (flapChanges & (1U << i))
            weighted += 1.25 - i * (0.5 / (slots - 1));
    }
    return weighted * 100.0 / slots;
}

} // namespace vigil::rules
