// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workspace/workspace.h"

#include <QString>

namespace vigil {

// A small, careful editor of one entry of a top-level mapping of a workspace
// file (`connections:`, `notifiers:`), for the Connections dialog. It edits
// the text, not a re-serialised tree, so everything else in the file stays as
// it was, byte for byte: other sections, their order, comments, blank lines,
// anchors, quoting, ${VAR} references.
//
// What it does:
// * replaces the lines of entry NAME (its key line and every line indented
//   deeper below it) with one line `  NAME: { ... }` (a YAML flow mapping),
//   at the indentation the section already uses (2 spaces when it is new);
// * adds a missing entry after the section's last entry, and a missing
//   section at the end of the file;
// * refuses (with a message, leaving the file alone) a section written as a
//   non-empty flow mapping (`connections: { a: ..., b: ... }`) or with tabs,
//   and any edit after which the file would not load as before.
// What it does not preserve, in the edited entry only:
// * comments inside a multi-line entry (a trailing comment of a one-line
//   entry is kept), its block layout (it becomes one flow line) and its key
//   order (kind, url, then the rest);
// * ${VAR} references in its values: they are written as loaded, i.e.
//   expanded (the dialog shows the expanded values);
// * keys the workspace parser does not know (it would have reported them).
struct WorkspaceEdit
{
    bool ok = false;
    QString text;  // the whole new file
    QString error; // why not, naming the file and the section
};

// The flow mapping for a connection or a notifier: `{ kind: prometheus, url:
// "http://...", auth: { bearer_token_secret: prom-token } }`. Secret names
// only: there is no field for a secret's value.
QString flowMapping(const ConnectionDef &def);
QString flowMapping(const NotifierDef &def);

// The edit on text (`fileName` for messages). `flow` is the new value
// (flowMapping); an empty `flow` removes the entry.
WorkspaceEdit setMappingEntry(const QString &text, const QString &fileName, const QString &section,
                              const QString &name, const QString &flow);

// Reads `path`, applies the edit, checks that the result still loads with no
// new errors and has the entry as given, and writes it back atomically
// (QSaveFile). False with *error (naming the file) when anything fails; the
// file is then untouched.
bool saveConnection(const QString &path, const ConnectionDef &def, QString *error);
bool saveNotifier(const QString &path, const NotifierDef &def, QString *error);
bool removeEntry(const QString &path, const QString &section, const QString &name, QString *error);

} // namespace vigil
