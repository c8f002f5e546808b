// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace vigil::app {

// vigil dashboard propose --workspace FILE [--connection NAME] [--name TITLE] [--max-panels N] [--write]
// vigil dashboard import-grafana EXPORT.json --workspace FILE [--connection NAME] [--write]
// Prints the dashboard's YAML (and on stderr what was grouped, skipped or
// approximated), or with --write adds it to the workspace file.
// Exit 0 done, 1 the server or the file could not give a dashboard, 2 usage.
int runDashboardCommand(const QStringList &args);

} // namespace vigil::app
