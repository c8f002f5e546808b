// SPDX-License-Identifier: GPL-3.0-or-later
// `vigil drift` reads JSON files the user points it at (a saved Prometheus
// answer, bucket lists, two scrapes). Whatever they hold, the command reads
// them or says what is wrong; a file it accepts also goes through the report,
// compared with itself, since the report is where bucket counts get divided.
#include "drift/drift_report.h"
#include "prometheus_response.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    // As app/commands/drift_command.cpp wires it.
    const drift::QueryParser parse = [](QByteArrayView b) {
        return prometheus::parseQueryResponse(b, 200, QStringLiteral("application/json"));
    };
    const drift::DriftFile file = drift::parseDriftFile(body, parse, QStringLiteral("fuzz.json"));
    if (!file.ok())
        return 0;
    for (const drift::DriftGroup &g : file.groups)
        (void)drift::groupWindow(g, file.shape);
    const drift::DriftReport report = drift::buildReport(file, file);
    (void)drift::reportJson(report);
    (void)drift::reportText(report);
    (void)report.exitCode();
    return 0;
}
