// SPDX-License-Identifier: GPL-3.0-or-later
// Prometheus alerting-rule files are loaded as they are, so any YAML in one
// must become rules and issues, never a crash.
#include "workspace/workspace.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    QList<WorkspaceIssue> issues;
    const QList<RuleDef> rules = parsePrometheusRules(yaml, QStringLiteral("fuzz.rules.yml"), &issues);
    for (const WorkspaceIssue &issue : issues)
        (void)issue.toString();
    for (const RuleDef &r : rules)
        (void)formatPromDuration(r.intervalMs);
    return 0;
}
