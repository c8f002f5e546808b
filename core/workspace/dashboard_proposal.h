// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/metric_discovery.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace vigil {

// A dashboard built from what a connection holds, for the user to review.
struct ProposedDashboard
{
    DashboardDef dashboard;
    QStringList notes; // what was grouped by, what was left out and why
};

// Histograms become latency quantile panels (p50, p95, p99), counters rate
// panels (with an error ratio when an error counter sits next to a request
// counter), gauges plain panels; each grouped by the labels that look like
// model and version (model, model_name, version, model_version, variant,
// track, ...). Units from the name (_seconds, _bytes, requests_total).
ProposedDashboard proposeDashboard(const QString &name, const QString &connection, const QList<MetricInfo> &metrics,
                                   int maxPanels = 24);

// The labels of `labels` a proposed panel groups by: model-like first, then
// version-like, in that order.
QStringList groupingLabels(const QStringList &labels);

// What importing a Grafana dashboard JSON export gave.
struct GrafanaImport
{
    QString error;      // the file could not be read at all (with where and why)
    DashboardDef dashboard;
    QStringList skipped; // "panel 'Logs' (logs, Loki): not a Prometheus query panel"
    QStringList notes;   // approximations: "$__rate_interval replaced by 1m", "stat panel shown as a time series"
    bool ok() const { return error.isEmpty(); }
};

// Reads a dashboard as Grafana exports it (the dashboard object, or the API's
// {"dashboard": {...}}), the current schema (panels, rows as panels with
// collapsed children) and the old one (rows[].panels): Prometheus targets
// become queries (hidden ones dropped), legendFormat the legend, the unit
// (fieldConfig.defaults.unit or the old yaxes[0].format) a Vigil unit where one
// matches, threshold steps the panel's threshold lines. Template variables are
// replaced by their current value (or a match-all for "All").
GrafanaImport importGrafanaDashboard(const QByteArray &json, const QString &connection, const QString &where);

// The dashboard as a YAML item of the workspace's `dashboards:` list (two-space
// indented under "  - name: ..."), quoted so any title or query survives.
QString dashboardToYaml(const DashboardDef &dashboard);

// The workspace file's text with `dashboard` added at the end of its
// top-level `dashboards:` list (created when missing; `dashboards: []`
// replaced). Everything else, comments included, stays byte for byte. The
// result is parsed before it is returned: if it would add an error the file
// did not have, *error says which and the result is empty.
QByteArray addDashboardToWorkspaceText(const QByteArray &text, const DashboardDef &dashboard, const QString &fileName,
                                       QString *error);

// `name`, or "name (2)", "name (3)", ... whichever no dashboard of `ws` has.
QString uniqueDashboardName(const Workspace &ws, const QString &name);

} // namespace vigil
