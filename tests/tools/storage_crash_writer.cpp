// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-storage-crash-writer DB FIRST COUNT
//
// Writes outbox entries and transitions FIRST..FIRST+COUNT-1 to the alert
// store at DB, one transaction each, and prints "outbox I" / "transition I"
// on stdout after each write has returned Durable. The crash-safety test
// kills it with SIGKILL part-way and checks that every printed write is in
// the database, whole.

#include "storage/alert_store.h"
#include "tools/storage_crash_fixture.h"

#include <QCoreApplication>
#include <cstdio>

using namespace vigil;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: vigil-storage-crash-writer DB FIRST COUNT\n");
        return 2;
    }
    storage::StoreOptions options;
    options.path = args.at(1);
    storage::AlertStore store(options);
    const storage::OpenResult opened = store.open();
    if (opened.status != storage::OpenResult::Status::Opened) {
        std::fprintf(stderr, "open: %s\n", qPrintable(opened.message));
        return 1;
    }
    const int first = args.at(2).toInt();
    const int count = args.at(3).toInt();
    for (int i = first; i < first + count; ++i) {
        const Notification n = crashfixture::notification(i);
        storage::WriteResult r = store.enqueue(crashfixture::kNotifier, {n}, n.createdMs);
        if (!r.durable()) {
            std::fprintf(stderr, "enqueue %d: %s\n", i, qPrintable(r.error));
            return 1;
        }
        std::printf("outbox %d\n", i);
        std::fflush(stdout);
        r = store.recordTransitions({crashfixture::transition(i)});
        if (!r.durable()) {
            std::fprintf(stderr, "transition %d: %s\n", i, qPrintable(r.error));
            return 1;
        }
        std::printf("transition %d\n", i);
        std::fflush(stdout);
    }
    return 0;
}
