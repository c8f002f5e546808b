// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace vigil::demo {

// Quits the running QCoreApplication on SIGINT or SIGTERM. The signal handler
// only writes a byte to a socket pair (the one thing that is async-signal-safe);
// a QSocketNotifier reads it in the event loop and calls quit() there, so the
// server closes its socket and destructors run normally.
// Returns false (and the default handlers stay) if the pipe cannot be made.
bool quitOnTerminationSignals();

} // namespace vigil::demo
