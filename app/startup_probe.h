// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QWidget;

namespace vigil::app {

// VIGIL_MEASURE_STARTUP set: prints on stderr, in ms since the process was
// started, when main() began, when the window's first frame was painted and
// when the first chart had data and was painted, then quits (issue 7;
// tests/bench/bench_startup.sh reads these lines). Set it to the launch time
// in epoch ms (`date +%s%3N`) to count from the moment the shell exec'd us;
// any other value counts from the kernel's process start (10 ms resolution).
// Unset: nothing is installed, nothing is measured.
void startupProbeMainEntered();
void installStartupProbe(QWidget *window);

} // namespace vigil::app
