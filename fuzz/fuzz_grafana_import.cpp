// SPDX-License-Identifier: GPL-3.0-or-later
// A Grafana dashboard export is a file the user picked, often written by
// someone else: importing it must give a dashboard or a message, never a
// crash, a hang or a leak. What the import gives is then written into a
// workspace file, which must still parse and hold that dashboard as imported
// (dashboardToYaml quotes "so any title or query survives").
#include "workspace/dashboard_proposal.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    const GrafanaImport g = importGrafanaDashboard(json, QStringLiteral("prom"), QStringLiteral("fuzz.json"));
    if (!g.ok())
        return 0;

    static const QByteArray base = "connections:\n  prom: { kind: prometheus, url: \"http://127.0.0.1:9090\" }\n";
    QString error;
    const QByteArray text = addDashboardToWorkspaceText(base, g.dashboard, QStringLiteral("fuzz.yaml"), &error);
    if (!error.isEmpty() || text.isEmpty())
        __builtin_trap(); // an imported dashboard the workspace cannot hold
    const Workspace ws = parseWorkspace(text, QStringLiteral("fuzz.yaml"));
    const DashboardDef *d = ws.dashboard(g.dashboard.name);
    if (!d || d->panels.size() != g.dashboard.panels.size())
        __builtin_trap();
    for (qsizetype i = 0; i < d->panels.size(); ++i) {
        const PanelDef &a = g.dashboard.panels[i];
        const PanelDef &b = d->panels[i];
        if (a.title != b.title || a.queries.size() != b.queries.size())
            __builtin_trap();
        for (qsizetype q = 0; q < a.queries.size(); ++q)
            if (a.queries[q].expr != b.queries[q].expr || a.queries[q].legend != b.queries[q].legend)
                __builtin_trap();
    }
    return 0;
}
