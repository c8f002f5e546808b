// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/histogram.h"
#include "series/series_key.h"

#include <QList>
#include <QString>

namespace vigil::drift {

// "Pin current as baseline" (issue 4, item 3): a feature's current window,
// kept as its reference from then on. The counts themselves are kept, not the
// time range they came from, so a baseline outlives the server's retention.
struct PinnedBaseline
{
    QString monitor;
    Labels labels;        // the feature's `by` labels, as in DriftRow
    qint64 pinnedAtMs = 0; // the evaluation whose current window this was
    qint64 windowMs = 0;   // its length
    Histogram histogram;

    SeriesKey feature() const { return SeriesKey(QString(), labels); }
};

// Where a workspace's baselines are stored: next to the workspace file
// (`spam.yaml` -> `spam.drift-baselines.json`), so they travel with it. A
// workspace without a file of its own (the built-in demo, `:/...`, or none)
// keeps them under the user's data directory, by the workspace's name.
QString baselinesPathFor(const QString &workspacePath);

// JSON: {"version": 1, "baselines": [{"monitor", "labels": {..}, "pinned_at",
// "window_ms", "bounds": [..], "counts": [..]}]}. Bounds and counts with full
// double precision.
QByteArray baselinesToJson(const QList<PinnedBaseline> &baselines);
// Entries that are not a valid histogram are skipped and named in *error;
// a file that is not such JSON at all gives nothing and *error.
QList<PinnedBaseline> baselinesFromJson(const QByteArray &json, const QString &where, QString *error);

// Atomic (QSaveFile); false and *error naming the file when it cannot be written.
bool saveBaselines(const QString &path, const QList<PinnedBaseline> &baselines, QString *error);
// A missing file is no error: no baselines pinned yet.
QList<PinnedBaseline> loadBaselines(const QString &path, QString *error);

// Replaces the baseline of the same monitor and feature, or adds it.
void upsertBaseline(QList<PinnedBaseline> &baselines, const PinnedBaseline &b);

} // namespace vigil::drift
