// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace vigil::demo {

class HistogramAccumulator;

// Label pairs in the order they are written. Order is kept (not sorted) so the
// exposition reads model, version, track, then the specific labels, then `le`.
using Labels = QList<QPair<QString, QString>>;

enum class MetricType { Counter, Gauge, Histogram };

struct Sample
{
    QString name; // full sample name, e.g. "x_bucket", "x_sum", "requests_total"
    Labels labels;
    double value = 0.0;
};

// One metric family: a # HELP, a # TYPE and its samples, in exposition order.
struct MetricFamily
{
    QString name;
    QString help;
    MetricType type = MetricType::Gauge;
    QList<Sample> samples;

    void addSample(const Labels &labels, double value, const QString &suffix = {});
    // Appends the _bucket (with le, cumulative, ending at +Inf), _sum and _count samples.
    void addHistogram(const Labels &labels, const HistogramAccumulator &histogram);
};

// Prometheus text exposition format 0.0.4. A non-zero timestamp (ms since the
// epoch) is appended to every sample; zero leaves it to the scraper.
QByteArray renderExposition(const QList<MetricFamily> &families, qint64 timestampMs = 0);

// The Content-Type Prometheus expects for that format.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// The text format's escapes: backslash and newline, and with `quote` also the
// double quote (label values; OpenMetrics escapes it in HELP too).
QString escapeExpositionText(const QString &text, bool quote);

// Shortest text that reads back as the same double; +Inf, -Inf and NaN as Prometheus writes them.
QString formatValue(double value);

} // namespace vigil::demo
