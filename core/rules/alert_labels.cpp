// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/alert_labels.h"

#include "rules/alert_template.h"

namespace vigil::rules {

namespace {
void setLabel(Labels &labels, const QString &name, const QString &value)
{
    for (auto &[k, v] : labels) {
        if (k == name) {
            v = value;
            return;
        }
    }
    labels.append({name, value});
}
} // namespace

Labels alertLabels(const Rule &rule, const AlertInstance &instance)
{
    // Templates see the series' own labels, as Prometheus' $labels does.
    const Labels &seriesLabels = instance.id.series.labels();
    Labels out;
    out.reserve(seriesLabels.size() + rule.labels.size() + 2);
    for (const Label &l : seriesLabels) {
        if (l.first != QLatin1String("__name__"))
            out.append(l);
    }
    bool ruleSetsSeverity = false;
    for (const auto &[k, v] : rule.labels) {
        setLabel(out, k, isTemplate(v) ? renderTemplate(v, seriesLabels, instance.lastValue) : v);
        ruleSetsSeverity = ruleSetsSeverity || k == QLatin1String("severity");
    }
    setLabel(out, QStringLiteral("alertname"), rule.name);
    if (!ruleSetsSeverity)
        setLabel(out, QStringLiteral("severity"), toString(instance.severity));
    // SeriesKey's constructor sorts by name; reuse it rather than sort twice.
    return SeriesKey(QString(), std::move(out)).labels();
}

QList<Annotation> renderAnnotations(const Rule &rule, const AlertInstance &instance)
{
    QList<Annotation> out;
    out.reserve(rule.annotations.size());
    for (const auto &[k, v] : rule.annotations)
        out.append({k, renderTemplate(v, instance.id.series.labels(), instance.lastValue)});
    return out;
}

} // namespace vigil::rules
