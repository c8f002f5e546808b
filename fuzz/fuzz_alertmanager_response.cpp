// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes an Alertmanager (or a proxy in front of it) may send: every
// parser of the API v2 answers must turn them into a value or an error
// message, never a crash, a hang or a leak.
#include "alertmanager_response.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;
using namespace vigil::alertmanager;

namespace {

template<typename R>
void checkResult(const R &r)
{
    // A failure always says why: the user sees this message.
    if (!r.ok() && r.message.isEmpty())
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString json = QStringLiteral("application/json");
    const QString where = QStringLiteral("http://fuzz/api/v2");

    checkResult(parseAnswer(body, 200, json, where));
    checkResult(parseAnswer(body, 422, json, where));
    checkResult(parseAnswer(body, 500, QStringLiteral("text/plain"), where));
    checkResult(parseStatus(body, 200, json, where));
    checkResult(parseAlerts(body, 200, json, where));
    checkResult(parseAlertGroups(body, 200, json, where));
    checkResult(parseSilences(body, 200, json, where));
    checkResult(parseCreateSilence(body, 200, json, where));
    checkResult(parseExpireSilence(body, 200, json, where));
    checkResult(parseExpireSilence(body, 500, json, where));
    return 0;
}
