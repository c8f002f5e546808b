// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes an MLflow tracking server (or a proxy in front of it) may send:
// every parser of the REST API's answers must turn them into a value or an
// error message, never a crash, a hang or a leak. The series mini-syntax of
// an MLflow panel query (parseMetricSelector) gets the same bytes as text.
#include "mlflow_request.h"
#include "mlflow_response.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace vigil;
using namespace vigil::mlflow;

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
    const QString where = QStringLiteral("http://fuzz/api/2.0/mlflow");

    const Answer a = parseAnswer(body, 200, json, where);
    if (!a.ok() && a.message.isEmpty())
        __builtin_trap();
    (void)parseAnswer(body, 404, json, where);
    (void)parseAnswer(body, 500, QStringLiteral("text/html; charset=utf-8"), where);
    (void)describeAuthFailure(401, HttpAuth{}, body, json, where);
    checkResult(parseExperimentsPage(body, 200, json, where));
    checkResult(parseRegisteredModelsPage(body, 200, json, where));
    checkResult(parseRegisteredModel(body, 200, json, where));
    checkResult(parseModelVersionsPage(body, 200, json, where));
    const auto version = parseModelVersion(body, 200, json, where);
    checkResult(version);
    const auto model = parseRegisteredModel(body, 200, json, where);
    if (version.ok() && model.ok()) {
        ModelVersion v = version.value;
        applyAliases(model.value.aliases, v);
    }
    checkResult(parseRun(body, 200, json, where));
    checkResult(parseRunsPage(body, 200, json, where));
    checkResult(parseMetricHistory(body, 200, json, where));
    checkResult(parseMetricHistory(body, 400, json, where));
    (void)parseMetricSelector(QString::fromUtf8(body));
    return 0;
}
