// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace vigil::app {

// `vigil watch --workspace FILE [--state-dir DIR] [--log-level LEVEL]`: rules,
// routing and notifiers without a window (issue 3, item 8). Needs a
// QCoreApplication and no display. Logs transitions, notifications and
// deliveries to stderr (no colours unless it is a terminal) and to the log
// file; runs until SIGTERM or SIGINT, then stops cleanly (everything written
// so far is in the alert database). `args` are those after `watch`. Returns
// 0 after a signal, 2 for bad usage or a workspace it cannot use.
int runWatchCommand(const QStringList &args);

} // namespace vigil::app
