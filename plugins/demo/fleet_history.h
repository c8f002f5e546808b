// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series.h"
#include "series/series_key.h"

#include <QHash>
#include <QRegularExpression>
#include <QString>

#include <vector>

namespace vigil::demo {

// A PromQL label matcher: name, operator, value. Regular expressions are fully
// anchored, as Prometheus anchors them (`=~"5.."` matches "500", not "1500").
struct LabelMatcher
{
    enum class Op { Equal, NotEqual, Regex, NotRegex };

    QString name;
    Op op = Op::Equal;
    QString value;
    QRegularExpression regex; // set for Regex / NotRegex

    static LabelMatcher make(QString name, Op op, QString value);
    bool isValid() const { return op == Op::Equal || op == Op::NotEqual || regex.isValid(); }
    // A label the series does not carry matches as the empty string, as in Prometheus.
    bool matches(const QString &labelValue) const;
};

// The raw samples the evaluator reads: one bounded series per (name, labels),
// fed with samples as a scrape delivers them (name, labels, value, timestamp).
// The demo connector fills it from the in-process simulation; the integration
// test fills it from a real /metrics exposition, so both exercise the same
// evaluator on the same raw data.
//
// Memory: 12 bytes per sample (core's Series, compact blocks) and a fixed number
// of samples per series, so the footprint is bounded whatever runs how long.
class FleetHistory
{
public:
    // 3600: one hour at the sampler's 1 s, enough for a 15-minute panel plus the
    // [1m] windows and Prometheus' 5-minute lookback, with room for a 1 h range.
    static constexpr qsizetype kDefaultSamplesPerSeries = 3600;

    explicit FleetHistory(qsizetype samplesPerSeries = kDefaultSamplesPerSeries);

    // Finds or creates the series `name{labels}`; its index stays valid for the
    // life of the history. Labels may come in any order.
    int seriesIndex(const QString &name, const Labels &labels);
    // Appends to a series; a timestamp at or before the last one replaces or is
    // inserted in place (see vigil::Series).
    void append(int index, qint64 timestampMs, double value);
    void append(const QString &name, const Labels &labels, qint64 timestampMs, double value);

    qsizetype seriesCount() const { return qsizetype(m_series.size()); }
    const SeriesKey &key(int index) const { return m_series[size_t(index)].key; }
    const Series &samples(int index) const { return m_series[size_t(index)].samples; }

    // Indices of the series matching every matcher (`__name__` matches the name).
    QList<int> select(const QList<LabelMatcher> &matchers) const;

    qsizetype sampleCount() const;
    size_t memoryBytes() const;

private:
    struct Entry
    {
        SeriesKey key;
        Series samples;
    };
    qsizetype m_samplesPerSeries;
    std::vector<Entry> m_series;
    QHash<SeriesKey, int> m_index;
    QHash<QString, QList<int>> m_byName; // a selector almost always names its metric
};

} // namespace vigil::demo
