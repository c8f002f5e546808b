// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drift/detectors.h"

#include <QByteArray>
#include <QMap>
#include <QStringList>
#include <QTextStream>
#include <memory>

namespace vigil::drift {

// `vigil detect`: replay a series through a change detector.

// A detector by its command-line name ("page-hinkley", "adwin", "ddm") with
// `key=value` parameters named as in River (min_instances, delta, threshold,
// alpha, mode; delta, clock, max_buckets, min_window_length, grace_period;
// warm_start, warning_threshold, drift_threshold). Unset parameters keep
// River's defaults. Null and a message for an unknown name, parameter or value.
std::unique_ptr<ChangeDetector> makeDetector(const QString &name, const QMap<QString, QString> &params,
                                             QString *error);

struct SeriesInput
{
    QString error; // empty when read; else "FILE:LINE: ..." for the user
    std::vector<double> values;
    bool ok() const { return error.isEmpty(); }
};
// One number per line; blank lines and lines starting with '#' are skipped and
// do not count as values (indices count values only).
SeriesInput parseSeries(const QByteArray &text, const QString &where);

struct Replay
{
    std::vector<qsizetype> drifts;   // 0-based indices of the updates that flagged drift
    std::vector<qsizetype> warnings; // updates in the warning zone (DDM only)
    qsizetype n = 0;
};
// Feeds every value to `detector` from the state it is in (a stream goes on;
// call reset() first for a fresh run): replaying twice through one detector
// is one longer stream, not two runs.
Replay replay(ChangeDetector &detector, const std::vector<double> &values);

// The whole command: args are those after `detect`. Exit status 0 when the
// series was replayed (with or without detections), 2 for bad usage or input.
int runDetectCli(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace vigil::drift
