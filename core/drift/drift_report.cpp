// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/drift_report.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMap>
#include <cmath>
#include <limits>

namespace vigil::drift {

QString jsonNumber(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("null");
    return QString::number(v, 'g', 17);
}

namespace {

QString jsonString(const QString &s)
{
    // QJsonDocument only writes arrays and objects: wrap, then unwrap.
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

// A count as the bucket shapes may write it: a JSON number, or a string as
// Prometheus writes sample values ("12", "NaN", "+Inf"). Anything else is NaN,
// which validation reports as bad_count.
double readCount(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (v.isString()) {
        const QString t = v.toString().trimmed();
        if (t == QLatin1String("+Inf") || t == QLatin1String("Inf"))
            return std::numeric_limits<double>::infinity();
        if (t == QLatin1String("-Inf"))
            return -std::numeric_limits<double>::infinity();
        bool ok = false;
        const double d = t.toDouble(&ok);
        if (ok)
            return d;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

QString readLe(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return QString(); // missing or another type: bad_le
}

bool readBuckets(const QJsonValue &v, const QString &path, QList<BucketSample> &out, QString &error)
{
    if (!v.isArray()) {
        error = QStringLiteral("%1 is not an array of {\"le\", \"count\"} objects").arg(path);
        return false;
    }
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].isObject()) {
            error = QStringLiteral("%1[%2] is not an object with \"le\" and \"count\"").arg(path).arg(i);
            return false;
        }
        const QJsonObject o = a[i].toObject();
        out.append(BucketSample{readLe(o.value(QLatin1String("le"))), readCount(o.value(QLatin1String("count")))});
    }
    return true;
}

DriftFile failure(const QString &where, const QString &what)
{
    DriftFile f;
    f.error = where.isEmpty() ? what : QStringLiteral("%1: %2").arg(where, what);
    return f;
}

DriftFile fromPrometheus(const QByteArray &body, const QueryParser &parse, const QString &where)
{
    if (!parse)
        return failure(where, QStringLiteral("cannot read Prometheus responses here (no parser)"));
    const QueryResult r = parse(QByteArrayView(body));
    if (!r.ok())
        return failure(where, r.message);
    if (r.type != ResultType::Vector) {
        return failure(where, QStringLiteral("the Prometheus result is not a vector: use an instant query "
                                             "(/api/v1/query) of increase(..._bucket[window])"));
    }
    DriftFile f;
    f.shape = FileShape::PrometheusQuery;
    QMap<SeriesKey, qsizetype> index;
    for (const SeriesData &s : r.series) {
        if (!s.key.hasLabel(QStringLiteral("le"))) {
            return failure(where, QStringLiteral("the series %1 has no le label: not a histogram _bucket series")
                                      .arg(s.key.toString()));
        }
        Labels rest;
        for (const Label &l : s.key.labels()) {
            if (l.first != QLatin1String("le"))
                rest.append(l);
        }
        const SeriesKey group(s.key.name(), rest);
        auto it = index.find(group);
        if (it == index.end()) {
            it = index.insert(group, f.groups.size());
            f.groups.append(DriftGroup{group, {}, {}});
        }
        const double v = s.samples.isEmpty() ? std::numeric_limits<double>::quiet_NaN() : s.samples.front().v;
        f.groups[*it].buckets.append(BucketSample{s.key.label(QStringLiteral("le")), v});
    }
    if (f.groups.isEmpty())
        return failure(where, QStringLiteral("the Prometheus result is empty: the query matched no series"));
    std::sort(f.groups.begin(), f.groups.end(), [](const DriftGroup &a, const DriftGroup &b) { return a.key < b.key; });
    return f;
}

} // namespace

DriftFile parseDriftFile(const QByteArray &body, const QueryParser &parsePrometheus, const QString &where)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return failure(where, QStringLiteral("not JSON (%1 at offset %2)").arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject())
        return failure(where, QStringLiteral("expected a JSON object"));
    const QJsonObject o = doc.object();
    DriftFile f;
    if (o.contains(QLatin1String("buckets"))) {
        f.shape = FileShape::Buckets;
        DriftGroup g;
        if (!readBuckets(o.value(QLatin1String("buckets")), QStringLiteral("buckets"), g.buckets, f.error))
            return failure(where, f.error);
        f.groups.append(g);
        return f;
    }
    if (o.contains(QLatin1String("start")) || o.contains(QLatin1String("end"))) {
        f.shape = FileShape::Scrapes;
        DriftGroup g;
        const QJsonValue s = o.value(QLatin1String("start")).toObject().value(QLatin1String("buckets"));
        const QJsonValue e = o.value(QLatin1String("end")).toObject().value(QLatin1String("buckets"));
        if (!readBuckets(s, QStringLiteral("start.buckets"), g.start, f.error)
            || !readBuckets(e, QStringLiteral("end.buckets"), g.buckets, f.error)) {
            return failure(where, f.error);
        }
        f.groups.append(g);
        return f;
    }
    if (o.contains(QLatin1String("status")) || o.contains(QLatin1String("data")))
        return fromPrometheus(body, parsePrometheus, where);
    return failure(where, QStringLiteral("unknown shape: expected a Prometheus /api/v1/query response, "
                                         "{\"buckets\": [...]} or {\"start\": {...}, \"end\": {...}}"));
}

DriftFile readDriftFile(const QString &path, const QueryParser &parsePrometheus)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failure(path, QStringLiteral("cannot read it (%1)").arg(file.errorString()));
    return parseDriftFile(file.readAll(), parsePrometheus, path);
}

HistogramResult groupWindow(const DriftGroup &group, FileShape shape)
{
    if (shape != FileShape::Scrapes)
        return histogramFromCumulative(group.buckets);
    const WindowResult w = windowFromScrapes(group.start, group.buckets);
    HistogramResult r;
    r.error = w.error;
    r.message = w.message;
    r.histogram = w.window;
    return r;
}

int DriftReport::exitCode() const
{
    for (const ReportEntry &e : entries) {
        if (e.comparison.status == Status::Error)
            return 1;
    }
    return 0;
}

DriftReport buildReport(const DriftFile &reference, const DriftFile &current, const Thresholds &t)
{
    DriftReport report;
    report.thresholds = t;
    auto compareGroups = [&](const SeriesKey &key, const DriftGroup &r, const DriftGroup &c) {
        report.entries.append(
            ReportEntry{key, compareWindows(groupWindow(r, reference.shape), groupWindow(c, current.shape), t)});
    };
    // A bucket-shape file has one unlabelled histogram: it pairs with the
    // other file's single histogram, whatever that one's labels.
    const bool single = reference.groups.size() == 1 && current.groups.size() == 1;
    if (single && (reference.groups.front().key.isEmpty() || current.groups.front().key.isEmpty())) {
        const DriftGroup &r = reference.groups.front();
        compareGroups(r.key.isEmpty() ? current.groups.front().key : r.key, r, current.groups.front());
    } else {
        QMap<SeriesKey, const DriftGroup *> cur;
        for (const DriftGroup &g : current.groups)
            cur.insert(g.key, &g);
        QMap<SeriesKey, bool> seen;
        for (const DriftGroup &r : reference.groups) {
            if (const DriftGroup *c = cur.value(r.key, nullptr)) {
                compareGroups(r.key, r, *c);
            } else {
                Comparison missing;
                missing.status = Status::Error;
                missing.reason = QStringLiteral("no series with these labels in the current file");
                report.entries.append(ReportEntry{r.key, missing});
            }
            seen.insert(r.key, true);
        }
        for (const DriftGroup &c : current.groups) {
            if (!seen.contains(c.key)) {
                Comparison missing;
                missing.status = Status::Error;
                missing.reason = QStringLiteral("no series with these labels in the reference file");
                report.entries.append(ReportEntry{c.key, missing});
            }
        }
        std::stable_sort(report.entries.begin(), report.entries.end(),
                         [](const ReportEntry &a, const ReportEntry &b) { return a.key < b.key; });
    }
    QList<Verdicts> judged;
    for (const ReportEntry &e : report.entries) {
        if (e.comparison.status == Status::Ok)
            judged.append(e.comparison.verdicts);
    }
    report.dataset = judgeDataset(judged, t);
    return report;
}

QByteArray reportJson(const DriftReport &report)
{
    QString s;
    s += QStringLiteral("{\n  \"comparisons\": [");
    bool firstEntry = true;
    for (const ReportEntry &e : report.entries) {
        const Comparison &c = e.comparison;
        const bool ok = c.status == Status::Ok;
        const bool counted = c.status != Status::Error;
        auto num = [&](double v, bool present) { return present ? jsonNumber(v) : QStringLiteral("null"); };
        QString labels;
        for (const Label &l : e.key.labels())
            labels += QStringLiteral("%1%2: %3").arg(labels.isEmpty() ? QString() : QStringLiteral(", "),
                                                     jsonString(l.first), jsonString(l.second));
        s += firstEntry ? QStringLiteral("\n") : QStringLiteral(",\n");
        firstEntry = false;
        s += QStringLiteral("    {\n");
        s += QStringLiteral("      \"name\": %1,\n").arg(jsonString(e.key.name()));
        s += QStringLiteral("      \"labels\": {%1},\n").arg(labels);
        s += QStringLiteral("      \"status\": %1,\n").arg(jsonString(statusName(c.status)));
        s += QStringLiteral("      \"error_kind\": %1,\n")
                 .arg(c.error == ErrorKind::None ? QStringLiteral("null") : jsonString(errorKindName(c.error)));
        s += QStringLiteral("      \"reason\": %1,\n")
                 .arg(c.reason.isEmpty() ? QStringLiteral("null") : jsonString(c.reason));
        s += QStringLiteral("      \"n_ref\": %1,\n").arg(num(c.scores.nRef, counted));
        s += QStringLiteral("      \"n_cur\": %1,\n").arg(num(c.scores.nCur, counted));
        s += QStringLiteral("      \"psi\": %1,\n").arg(num(c.scores.psi, ok));
        s += QStringLiteral("      \"ks\": %1,\n").arg(num(c.scores.ks, ok));
        s += QStringLiteral("      \"ks_pvalue\": %1,\n").arg(num(c.scores.ksPValue, ok));
        s += QStringLiteral("      \"js\": %1,\n").arg(num(c.scores.js, ok));
        s += QStringLiteral("      \"hellinger\": %1,\n").arg(num(c.scores.hellinger, ok));
        s += QStringLiteral("      \"wasserstein\": %1,\n").arg(num(c.scores.wasserstein, ok));
        s += QStringLiteral("      \"wasserstein_normed\": %1,\n").arg(num(c.scores.wassersteinNormed, ok));
        if (ok) {
            const Verdicts &v = c.verdicts;
            s += QStringLiteral("      \"verdicts\": {\"psi\": %1, \"ks\": %2, \"js\": %3, \"hellinger\": %4, "
                                "\"wasserstein_normed\": %5}\n")
                     .arg(jsonString(verdictName(v.psi)), jsonString(verdictName(v.ks)),
                          jsonString(verdictName(v.js)), jsonString(verdictName(v.hellinger)),
                          jsonString(verdictName(v.wassersteinNormed)));
        } else {
            s += QStringLiteral("      \"verdicts\": null\n");
        }
        s += QStringLiteral("    }");
    }
    s += firstEntry ? QStringLiteral("],\n") : QStringLiteral("\n  ],\n");
    const DatasetVerdict &d = report.dataset;
    s += QStringLiteral("  \"dataset\": {\"method\": %1, \"features\": %2, \"drifted\": %3, \"share\": %4, "
                        "\"drift_share\": %5, \"drift\": %6}\n}\n")
             .arg(jsonString(methodName(report.thresholds.primary)))
             .arg(d.features)
             .arg(d.drifted)
             .arg(jsonNumber(d.share), jsonNumber(report.thresholds.datasetDriftShare),
                  d.drift ? QStringLiteral("true") : QStringLiteral("false"));
    return s.toUtf8();
}

QString reportText(const DriftReport &report)
{
    QString s;
    for (const ReportEntry &e : report.entries) {
        const Comparison &c = e.comparison;
        const QString title = e.key.isEmpty() ? QStringLiteral("histogram") : e.key.toString();
        s += QStringLiteral("%1: %2").arg(title, statusName(c.status));
        if (c.status == Status::Error) {
            if (c.error != ErrorKind::None)
                s += QStringLiteral(" (%1)").arg(errorKindName(c.error));
            s += QStringLiteral(": %1\n").arg(c.reason);
            continue;
        }
        if (c.status == Status::InsufficientData) {
            s += QStringLiteral(": %1 (n_ref %2, n_cur %3)\n")
                     .arg(c.reason, jsonNumber(c.scores.nRef), jsonNumber(c.scores.nCur));
            continue;
        }
        const DriftScores &v = c.scores;
        const Verdicts &j = c.verdicts;
        s += QStringLiteral(" (n_ref %1, n_cur %2)\n").arg(jsonNumber(v.nRef), jsonNumber(v.nCur));
        auto line = [&](const char *label, double value, const QString &verdict) {
            s += QStringLiteral("  %1 %2%3\n")
                     .arg(QString::fromLatin1(label).leftJustified(19), jsonNumber(value),
                          verdict.isEmpty() ? QString() : QStringLiteral("  %1").arg(verdict));
        };
        line("psi", v.psi, verdictName(j.psi));
        line("ks", v.ks, QString());
        line("ks p-value (asymp.)", v.ksPValue, verdictName(j.ks));
        line("jensen-shannon", v.js, verdictName(j.js));
        line("hellinger", v.hellinger, verdictName(j.hellinger));
        line("wasserstein", v.wasserstein, QString());
        line("wasserstein normed", v.wassersteinNormed, verdictName(j.wassersteinNormed));
    }
    const DatasetVerdict &d = report.dataset;
    s += QStringLiteral("dataset: %1 of %2 features drifted by %3 (share %4, drift at >= %5): %6\n")
             .arg(d.drifted)
             .arg(d.features)
             .arg(methodName(report.thresholds.primary), jsonNumber(d.share),
                  jsonNumber(report.thresholds.datasetDriftShare),
                  d.drift ? QStringLiteral("drift") : QStringLiteral("no drift"));
    return s;
}

int runDriftCli(const QStringList &args, QTextStream &out, QTextStream &err, const QueryParser &parsePrometheus)
{
    const QString usage = QStringLiteral(
        "usage: vigil drift --reference A.json --current B.json [--json]\n"
        "Each file: a Prometheus /api/v1/query response of _bucket series, {\"buckets\": [...]},\n"
        "or {\"start\": {\"buckets\": [...]}, \"end\": {\"buckets\": [...]}}.\n");
    QString refPath, curPath;
    bool json = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&](QString &target) {
            if (i + 1 >= args.size()) {
                err << "vigil drift: " << a << " needs a file\n" << usage;
                return false;
            }
            target = args[++i];
            return true;
        };
        if (a == QLatin1String("--reference")) {
            if (!value(refPath))
                return 2;
        } else if (a.startsWith(QLatin1String("--reference="))) {
            refPath = a.mid(12);
        } else if (a == QLatin1String("--current")) {
            if (!value(curPath))
                return 2;
        } else if (a.startsWith(QLatin1String("--current="))) {
            curPath = a.mid(10);
        } else if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            out << usage;
            return 0;
        } else {
            err << "vigil drift: unknown argument " << a << "\n" << usage;
            return 2;
        }
    }
    if (refPath.isEmpty() || curPath.isEmpty()) {
        err << "vigil drift: both --reference and --current are needed\n" << usage;
        return 2;
    }
    const DriftFile ref = readDriftFile(refPath, parsePrometheus);
    if (!ref.ok()) {
        err << "vigil drift: " << ref.error << "\n";
        return 2;
    }
    const DriftFile cur = readDriftFile(curPath, parsePrometheus);
    if (!cur.ok()) {
        err << "vigil drift: " << cur.error << "\n";
        return 2;
    }
    const DriftReport report = buildReport(ref, cur);
    if (json)
        out << QString::fromUtf8(reportJson(report));
    else
        out << reportText(report);
    out.flush();
    return report.exitCode();
}

} // namespace vigil::drift
