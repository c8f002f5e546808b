// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/silences.h"
#include "sources/connector.h"

#include <optional>

namespace vigil {

// A series selector as PromQL writes one: `name{label="v", other=~"re"}`, the
// name or the braces optional (not both). Only selectors: no functions.
struct SeriesSelector
{
    QString name;
    QList<rules::LabelMatcher> matchers;
    bool matches(const SeriesKey &key) const;
    // nullopt with *error set ("at char 12: ...") when it is not a selector.
    static std::optional<SeriesSelector> parse(const QString &text, QString *error = nullptr);
};

// The connection named "vigil": reads series Vigil derives itself (drift
// scores, ...) from the SeriesStore, so panels and rules use them exactly as
// they use Prometheus series. Queries are plain selectors. An instant query
// takes each series' newest sample at or before the time, within 5 minutes
// (Prometheus' lookback delta); a range query returns the samples in range.
class StoreConnector final : public Connector
{
    Q_OBJECT
public:
    static constexpr qint64 kLookbackMs = 5 * 60'000;
    StoreConnector(const SeriesStore *store, ConnectionSettings settings, QObject *parent = nullptr);

    QString kind() const override { return QStringLiteral("vigil"); }
    Capabilities capabilities() const override { return Capability::TimeSeries; }
    const ConnectionSettings &settings() const override { return m_settings; }
    QFuture<QueryResult> query(const QueryRequest &request) override;
    QFuture<ProbeResult> probe() override;

    QueryResult evaluate(const QueryRequest &request) const;

private:
    const SeriesStore *m_store;
    ConnectionSettings m_settings;
};

} // namespace vigil
