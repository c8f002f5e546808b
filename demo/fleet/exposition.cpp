// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/exposition.h"

#include "fleet/histogram.h"

#include <charconv>
#include <cmath>

namespace vigil::demo {

void MetricFamily::addSample(const Labels &labels, double value, const QString &suffix)
{
    samples.append({name + suffix, labels, value});
}

void MetricFamily::addHistogram(const Labels &labels, const HistogramAccumulator &histogram)
{
    const auto cumulative = histogram.cumulativeCounts();
    const auto &bounds = histogram.upperBounds();
    for (size_t i = 0; i < cumulative.size(); ++i) {
        Labels withLe = labels;
        withLe.append({QStringLiteral("le"),
                       i < size_t(bounds.size()) ? formatValue(bounds[qsizetype(i)]) : QStringLiteral("+Inf")});
        addSample(withLe, double(cumulative[i]), QStringLiteral("_bucket"));
    }
    addSample(labels, histogram.sum(), QStringLiteral("_sum"));
    addSample(labels, double(histogram.count()), QStringLiteral("_count"));
}

QString formatValue(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QString::fromLatin1(buffer, result.ptr - buffer);
}

namespace {

const char *typeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "untyped";
}

// The format's escapes: in HELP only backslash and newline; in label values
// also the double quote.
QString escape(const QString &text, bool quote)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        if (c == QLatin1Char('\\'))
            out += QLatin1String("\\\\");
        else if (c == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else if (quote && c == QLatin1Char('"'))
            out += QLatin1String("\\\"");
        else
            out += c;
    }
    return out;
}

} // namespace

QString escapeExpositionText(const QString &text, bool quote) { return escape(text, quote); }

QByteArray renderExposition(const QList<MetricFamily> &families, qint64 timestampMs)
{
    QString out;
    const QString timestamp = timestampMs != 0 ? QLatin1Char(' ') + QString::number(timestampMs) : QString();
    for (const auto &family : families) {
        out += QLatin1String("# HELP ") + family.name + QLatin1Char(' ') + escape(family.help, false) +
               QLatin1Char('\n');
        out += QLatin1String("# TYPE ") + family.name + QLatin1Char(' ') + QLatin1String(typeName(family.type)) +
               QLatin1Char('\n');
        for (const auto &sample : family.samples) {
            out += sample.name;
            if (!sample.labels.isEmpty()) {
                out += QLatin1Char('{');
                for (qsizetype i = 0; i < sample.labels.size(); ++i) {
                    if (i > 0)
                        out += QLatin1Char(',');
                    out += sample.labels[i].first + QLatin1String("=\"") + escape(sample.labels[i].second, true) +
                           QLatin1Char('"');
                }
                out += QLatin1Char('}');
            }
            out += QLatin1Char(' ') + formatValue(sample.value) + timestamp + QLatin1Char('\n');
        }
    }
    return out.toUtf8();
}

} // namespace vigil::demo
