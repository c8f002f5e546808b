// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/metric_discovery.h"

namespace vigil {

bool isInternalMetric(const QString &name)
{
    static const QStringList prefixes{"go_", "process_", "promhttp_", "prometheus_", "scrape_", "net_conntrack_",
                                      "tsdb_", "vm_", "vmagent_", "grafana_", "alertmanager_", "python_gc_",
                                      "python_info"};
    if (name == QLatin1String("up"))
        return true;
    for (const QString &p : prefixes)
        if (name.startsWith(p))
            return true;
    return false;
}

QString typeFromName(const QString &name, QString *baseName)
{
    if (baseName)
        *baseName = name;
    if (name.endsWith(QLatin1String("_bucket"))) {
        if (baseName)
            *baseName = name.chopped(7);
        return QStringLiteral("histogram");
    }
    if (name.endsWith(QLatin1String("_count")) || name.endsWith(QLatin1String("_sum")))
        return {};
    if (name.endsWith(QLatin1String("_total")))
        return QStringLiteral("counter");
    return QStringLiteral("gauge");
}

} // namespace vigil
