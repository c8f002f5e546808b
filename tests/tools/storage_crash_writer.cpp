// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-storage-crash-writer DB COUNT
//
// For each index I in 0..COUNT-1, writes to the alert store at DB, one
// transaction each: outbox entry I, transition I, an acknowledgement I, and
// outbox entry I marked delivered. After each write has returned Durable it
// prints "<step> I" on stdout. The crash-safety test kills it with SIGKILL
// part-way and checks that every printed write is in the database, whole.

#include "storage/alert_store.h"
#include "tools/storage_crash_fixture.h"

#include <QCoreApplication>
#include <cstdio>

using namespace vigil;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: vigil-storage-crash-writer DB COUNT\n");
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
    const int count = args.at(2).toInt();
    for (int i = 0; i < count; ++i) {
        const Notification n = crashfixture::notification(i);
        for (const char *step : crashfixture::kSteps) {
            const QByteArray s(step);
            const storage::WriteResult r = s == "outbox" ? store.enqueue(crashfixture::kNotifier, {n}, n.createdMs)
                : s == "transition"                      ? store.recordTransitions({crashfixture::transition(i)})
                : s == "ack"                             ? store.recordAckEvents({crashfixture::ackEvent(i)})
                                                         : store.markDelivered(crashfixture::kNotifier, {n.id}, n.createdMs + 1);
            if (!r.durable()) {
                std::fprintf(stderr, "%s %d: %s\n", step, i, qPrintable(r.error));
                return 1;
            }
            std::printf("%s %d\n", step, i);
            std::fflush(stdout);
        }
    }
    return 0;
}
