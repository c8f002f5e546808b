// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QStringList>

namespace vigil::storage {

// One step of the schema: the statements that take a database from
// `version - 1` to `version`. Steps are never edited once released; a change
// is a new step (see docs/STORAGE.md, "Migration policy").
struct Migration
{
    int version = 0;
    QString what; // for the log and the error message
    QStringList statements;
};

// The alert store's schema, in order. The last entry's version is the schema
// version this build writes (PRAGMA user_version).
const QList<Migration> &alertStoreMigrations();

struct MigrationResult
{
    int fromVersion = 0;
    int toVersion = 0; // the version the database is at afterwards
    QString error;     // for the user; empty on success
    QSqlError sqlError;
    bool ok() const { return error.isEmpty(); }
};

// Brings `db` from its PRAGMA user_version up to the last of `migrations`,
// each step in its own transaction together with its version bump, so a
// crash or a failing step leaves the database at the previous version, whole.
// A database newer than the last step is refused (it was written by a newer
// Vigil; an older one must not guess at it) and left untouched.
MigrationResult migrate(QSqlDatabase &db, const QList<Migration> &migrations);

} // namespace vigil::storage
