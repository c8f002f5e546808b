// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands/detect_command.h"

#include "drift/detect_replay.h"

#include <QTextStream>
#include <cstdio>

namespace vigil::app {

int runDetectCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int status = drift::runDetectCli(args, out, err);
    out.flush();
    err.flush();
    return status;
}

} // namespace vigil::app
