// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/connector.h"

#include <QString>
#include <QStringList>
#include <utility>

namespace vigil {

// What a call to a typed server interface (ModelRegistry, ServerAlerts,
// RuleStatus) returned: the value, or why not. The message is for the user and
// names the server; `errorCode` is the server's own code (MLflow's
// RESOURCE_DOES_NOT_EXIST, Alertmanager's 612, ...).
template<typename T>
struct Result
{
    ErrorKind error = ErrorKind::None;
    QString message;
    int httpStatus = 0;
    QString errorCode;
    // The thing asked for does not exist: a 404, or MLflow's 400 for an alias
    // that points nowhere. Callers show "no such version" rather than a failure.
    bool notFound = false;
    // Said next to the value: e.g. a listing stopped at its page bound.
    QStringList warnings;
    T value{};

    bool ok() const { return error == ErrorKind::None; }

    static Result failure(ErrorKind kind, QString why, int status = 0)
    {
        Result r;
        r.error = kind;
        r.message = std::move(why);
        r.httpStatus = status;
        return r;
    }
    // The same failure, carried over to a result of another type.
    template<typename U>
    static Result failedAs(const Result<U> &other)
    {
        Result r;
        r.error = other.error;
        r.message = other.message;
        r.httpStatus = other.httpStatus;
        r.errorCode = other.errorCode;
        r.notFound = other.notFound;
        r.warnings = other.warnings;
        return r;
    }
};

} // namespace vigil
