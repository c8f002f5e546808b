// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace vigil::app {

// `vigil drift --reference A.json --current B.json [--json]`: args are those
// after `drift`. Prints to stdout/stderr; returns the exit status (0 ok or
// insufficient data, 1 a comparison failed validation, 2 bad usage or file).
// The logic is vigil::drift::runDriftCli (core/drift/drift_report.h).
int runDriftCommand(const QStringList &args);

} // namespace vigil::app
