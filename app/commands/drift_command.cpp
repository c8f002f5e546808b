// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands/drift_command.h"

#include "drift/drift_report.h"
#include "prometheus_response.h"

#include <QTextStream>
#include <cstdio>

namespace vigil::app {

int runDriftCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    // core/ cannot depend on a plugin, so the Prometheus parser is handed in.
    const drift::QueryParser parse = [](QByteArrayView body) {
        return prometheus::parseQueryResponse(body, 0, QStringLiteral("application/json"));
    };
    const int status = drift::runDriftCli(args, out, err, parse);
    out.flush();
    err.flush();
    return status;
}

} // namespace vigil::app
