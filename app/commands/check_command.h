// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace vigil::app {

// `vigil check --workspace FILE [--json] [--timeout DURATION]`: validates the
// workspace file and probes every connection: what it reached (the server and
// its version, how many series or registered models) or exactly why not; for
// a model registry, the registered models with their versions, stages and
// aliases. Exit status: 0 when the file is valid and every connection
// answered, 1 when something failed, 2 for bad usage. `args` are those after
// `check`. Needs a QCoreApplication (no display).
int runCheckCommand(const QStringList &args);

} // namespace vigil::app
