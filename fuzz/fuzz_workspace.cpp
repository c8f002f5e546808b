// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace file is edited by hand and kept in git: whatever YAML it
// holds, parseWorkspace must keep what is valid and report the rest as issues.
#include "workspace/workspace.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const Workspace ws = parseWorkspace(yaml, QStringLiteral("fuzz.yaml"));
    // What `vigil check` and the UI do with the result.
    (void)ws.errorMessages();
    for (const WorkspaceIssue &issue : ws.issues)
        (void)issue.toString();
    for (const DashboardDef &d : ws.dashboards)
        for (const PanelDef &p : d.panels)
            (void)ws.connectionFor(p);
    return 0;
}
