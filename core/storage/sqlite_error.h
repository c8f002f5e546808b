// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlError>
#include <QString>

namespace vigil::storage {

// What an SQLite failure means for the store, from the driver's result code
// (Qt's QSQLITE puts the sqlite3 result code in QSqlError::nativeErrorCode()).
enum class SqliteFailure : quint8 {
    None,
    Busy,     // SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock; try again later
    Full,     // SQLITE_FULL: the disk (or max_page_count) is full; try again later
    Io,       // SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN: the file system refused
    Corrupt,  // SQLITE_CORRUPT / SQLITE_NOTADB: the file is not a usable database
    Other,    // anything else (a bug in our SQL, out of memory, ...)
};

int sqliteResultCode(const QSqlError &error); // primary code (extended bits masked), -1 when unknown
SqliteFailure classify(const QSqlError &error);
// Worth keeping the write in memory and retrying: the lock, the disk or the file system may recover.
constexpr bool isTransient(SqliteFailure f)
{
    return f == SqliteFailure::Busy || f == SqliteFailure::Full || f == SqliteFailure::Io;
}
// One line for the user: "the alert database is locked by another program (database is locked)".
QString describe(const QSqlError &error);

} // namespace vigil::storage
