// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"
#include "sources/model_registry.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace vigil::mlflow {

// Parsers for MLflow 2.x REST API answers (recorded from 2.10.2: see
// tests/fixtures/mlflow/README.md). Like the Prometheus ones they take the raw
// body, the HTTP status and the Content-Type, never throw, and turn whatever
// arrives into a value or an ErrorKind with a message for the user; `where`
// (a redacted URL) is named in messages. What the real server does and they
// handle:
//  - empty and default fields are omitted: a missing array is an empty one, a
//    missing end_time is a run still running, no next_page_token is the last page;
//  - ids and versions are strings (numbers are accepted too), timestamps epoch ms;
//  - errors are {"error_code", "message"} JSON, except Flask's own 404/405/500
//    and anything from a proxy in front, which are HTML.

// One page of a listing.
template<typename T>
struct Page
{
    QList<T> items;
    QString nextPageToken; // empty on the last page
};

// The checked answer: its JSON object, or why there is none. A JSON error
// body is ErrorKind::Server with MLflow's message and error_code; notFound is
// set for RESOURCE_DOES_NOT_EXIST only (Flask's HTML 404 is a missing endpoint).
struct Answer
{
    ErrorKind error = ErrorKind::None;
    QString message;
    int httpStatus = 0;
    QString errorCode;
    bool notFound = false;
    QStringList warnings; // e.g. bytes that were not UTF-8, shown as U+FFFD
    QJsonObject json;
    bool ok() const { return error == ErrorKind::None; }
};
Answer parseAnswer(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where = {});

// 401 and 403 read differently depending on what credentials were sent: none,
// a user and password, or a bearer token. The message never holds a secret.
QString describeAuthFailure(int httpStatus, const HttpAuth &auth, QByteArrayView body, const QString &contentType,
                            const QString &where);

Result<Page<Experiment>> parseExperimentsPage(QByteArrayView body, int httpStatus, const QString &contentType,
                                              const QString &where = {});
Result<Page<RegisteredModel>> parseRegisteredModelsPage(QByteArrayView body, int httpStatus,
                                                        const QString &contentType, const QString &where = {});
// registered-models/get.
Result<RegisteredModel> parseRegisteredModel(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where = {});
// model-versions/search: aliases are not sent there, so aliasesKnown is false.
Result<Page<ModelVersion>> parseModelVersionsPage(QByteArrayView body, int httpStatus, const QString &contentType,
                                                  const QString &where = {});
// model-versions/get and registered-models/alias: the aliases are the truth.
Result<ModelVersion> parseModelVersion(QByteArrayView body, int httpStatus, const QString &contentType,
                                       const QString &where = {});
Result<Run> parseRun(QByteArrayView body, int httpStatus, const QString &contentType, const QString &where = {});
Result<Page<Run>> parseRunsPage(QByteArrayView body, int httpStatus, const QString &contentType,
                                const QString &where = {});
// metrics/get-history. `{}` (an unknown key, and also an unknown run: 2.10.2
// answers both with 200 and an empty object) is an empty history.
Result<Page<MetricPoint>> parseMetricHistory(QByteArrayView body, int httpStatus, const QString &contentType,
                                             const QString &where = {});

// The aliases of a model's versions, from the model's own alias list (the
// only complete one): fills `version.aliases` and sets aliasesKnown.
void applyAliases(const QList<ModelAlias> &aliases, ModelVersion &version);

} // namespace vigil::mlflow
