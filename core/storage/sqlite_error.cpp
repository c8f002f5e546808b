// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/sqlite_error.h"

namespace vigil::storage {

namespace {
// sqlite3.h primary result codes; not included so core does not depend on the
// SQLite headers (Qt's driver may bundle its own copy).
constexpr int kBusy = 5, kLocked = 6, kReadOnly = 8, kIoErr = 10, kCorrupt = 11, kFull = 13,
              kCantOpen = 14, kNotADb = 26;
} // namespace

int sqliteResultCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : -1;
}

SqliteFailure classify(const QSqlError &error)
{
    if (!error.isValid())
        return SqliteFailure::None;
    switch (sqliteResultCode(error)) {
    case kBusy:
    case kLocked: return SqliteFailure::Busy;
    case kFull: return SqliteFailure::Full;
    case kIoErr:
    case kReadOnly:
    case kCantOpen: return SqliteFailure::Io;
    case kCorrupt:
    case kNotADb: return SqliteFailure::Corrupt;
    default: break;
    }
    // Some paths (QSqlDatabase::open) report no code; fall back on SQLite's own words.
    const QString text = error.databaseText();
    if (text.contains(QLatin1String("locked")) || text.contains(QLatin1String("busy")))
        return SqliteFailure::Busy;
    if (text.contains(QLatin1String("not a database")) || text.contains(QLatin1String("malformed")))
        return SqliteFailure::Corrupt;
    if (text.contains(QLatin1String("unable to open")))
        return SqliteFailure::Io;
    return SqliteFailure::Other;
}

QString describe(const QSqlError &error)
{
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    switch (classify(error)) {
    case SqliteFailure::None: return {};
    case SqliteFailure::Busy:
        return QStringLiteral("the alert database is locked by another program (%1)").arg(detail);
    case SqliteFailure::Full:
        return QStringLiteral("the disk holding the alert database is full (%1)").arg(detail);
    case SqliteFailure::Io:
        return QStringLiteral("the alert database cannot be written (%1)").arg(detail);
    case SqliteFailure::Corrupt:
        return QStringLiteral("the alert database is damaged (%1)").arg(detail);
    case SqliteFailure::Other: break;
    }
    return QStringLiteral("alert database error: %1").arg(detail);
}

} // namespace vigil::storage
