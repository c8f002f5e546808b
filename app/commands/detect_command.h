// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace vigil::app {

// `vigil detect --detector page-hinkley|adwin|ddm [--param k=v ...] FILE [--json]`:
// args are those after `detect`. Prints the 0-based indices where drift was
// flagged; returns 0, or 2 for bad usage or input. The logic is
// vigil::drift::runDetectCli (core/drift/detect_replay.h).
int runDetectCommand(const QStringList &args);

} // namespace vigil::app
