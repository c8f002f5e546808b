// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/history.h"

#include "fleet/fleet_simulation.h"

#include <cmath>
#include <vector>

namespace vigil::demo {

namespace {

const char *openMetricsType(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "unknown";
}

// OpenMetrics names a counter family without its _total suffix (the samples keep it).
QString familyName(const MetricFamily &family)
{
    if (family.type == MetricType::Counter && family.name.endsWith(QLatin1String("_total")))
        return family.name.chopped(6);
    return family.name;
}

// A sample's labels without `le`: samples of one histogram point share them.
Labels baseLabels(const Labels &labels)
{
    Labels out;
    for (const auto &l : labels) {
        if (l.first != QLatin1String("le"))
            out.append(l);
    }
    return out;
}

QByteArray labelText(const Labels &labels)
{
    if (labels.isEmpty())
        return {};
    QByteArray out("{");
    for (qsizetype i = 0; i < labels.size(); ++i) {
        if (i > 0)
            out += ',';
        out += labels[i].first.toUtf8() + "=\"" + escapeExpositionText(labels[i].second, true).toUtf8() + '"';
    }
    out += '}';
    return out;
}

// OpenMetrics timestamps are seconds; whole milliseconds keep promtool's ms exact.
QByteArray timestampText(qint64 ms)
{
    const qint64 s = ms / 1000;
    const qint64 r = ms % 1000;
    return QByteArray::number(s) + '.' + QByteArray::number(r).rightJustified(3, '0');
}

} // namespace

bool writeOpenMetricsHistory(FleetSimulation &simulation, const HistoryOptions &options, QIODevice &out,
                             QString *error)
{
    const qint64 step = std::max<qint64>(options.stepMs, 1);
    const qint64 points = std::max<qint64>(options.lengthMs, 0) / step + 1;
    const double scale = options.timeScale > 0.0 ? options.timeScale : 1.0;

    // Take every point first: the file is written family by family, series by
    // series, while the simulation can only move forward in time.
    QList<MetricFamily> layout;
    std::vector<std::vector<double>> values; // [point][sample, in collect() order]
    values.reserve(size_t(points));
    for (qint64 k = 0; k < points; ++k) {
        simulation.advanceTo(std::llround(double(k * step) * scale));
        const QList<MetricFamily> families = simulation.collect();
        if (k == 0)
            layout = families;
        std::vector<double> row;
        for (const MetricFamily &f : families)
            for (const Sample &s : f.samples)
                row.push_back(s.value);
        values.push_back(std::move(row));
    }

    const auto write = [&](const QByteArray &bytes) {
        if (out.write(bytes) == bytes.size())
            return true;
        if (error)
            *error = out.errorString();
        return false;
    };
    QList<QByteArray> times;
    for (qint64 k = 0; k < points; ++k)
        times.append(' ' + timestampText(options.originWallMs + k * step) + '\n');

    size_t offset = 0; // index of the family's first sample in a row
    for (const MetricFamily &family : layout) {
        const QByteArray name = familyName(family).toUtf8();
        QByteArray chunk = "# HELP " + name + ' ' + escapeExpositionText(family.help, true).toUtf8() + '\n' +
                           "# TYPE " + name + ' ' + openMetricsType(family.type) + '\n';
        // A metric: consecutive samples with the same labels but `le` (a
        // histogram's buckets, sum and count; a single sample otherwise).
        qsizetype first = 0;
        while (first < family.samples.size()) {
            const Labels base = baseLabels(family.samples[first].labels);
            qsizetype end = first + 1;
            while (end < family.samples.size() && baseLabels(family.samples[end].labels) == base)
                ++end;
            QList<QByteArray> prefixes; // "name{labels} "
            for (qsizetype i = first; i < end; ++i) {
                const Sample &s = family.samples[i];
                Labels labels = baseLabels(s.labels) + options.targetLabels;
                for (const auto &l : s.labels) {
                    if (l.first == QLatin1String("le"))
                        labels.append(l);
                }
                prefixes.append(s.name.toUtf8() + labelText(labels) + ' ');
            }
            for (qint64 k = 0; k < points; ++k) {
                for (qsizetype i = first; i < end; ++i)
                    chunk += prefixes[i - first] + formatValue(values[size_t(k)][offset + size_t(i)]).toUtf8() +
                             times[k];
            }
            if (!write(chunk))
                return false;
            chunk.clear();
            first = end;
        }
        if (!chunk.isEmpty() && !write(chunk))
            return false;
        offset += size_t(family.samples.size());
    }
    return write("# EOF\n");
}

} // namespace vigil::demo
