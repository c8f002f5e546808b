// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/detect_replay.h"

#include "drift/drift_report.h"

#include <QFile>
#include <cmath>

namespace vigil::drift {

namespace {

bool toInt(const QString &v, int &out, int min)
{
    bool ok = false;
    const int i = v.toInt(&ok);
    if (!ok || i < min)
        return false;
    out = i;
    return true;
}

bool toDouble(const QString &v, double &out)
{
    bool ok = false;
    const double d = v.toDouble(&ok);
    if (!ok || !std::isfinite(d))
        return false;
    out = d;
    return true;
}

QString modeName(PageHinkley::Mode m)
{
    switch (m) {
    case PageHinkley::Mode::Up: return QStringLiteral("up");
    case PageHinkley::Mode::Down: return QStringLiteral("down");
    case PageHinkley::Mode::Both: return QStringLiteral("both");
    }
    return QString();
}

// The effective parameters, as `"key": value` pairs for the JSON output.
QStringList paramsJson(const ChangeDetector &d)
{
    QStringList out;
    auto add = [&](const char *k, const QString &v) { out << QStringLiteral("\"%1\": %2").arg(QLatin1String(k), v); };
    if (const auto *ph = dynamic_cast<const PageHinkley *>(&d)) {
        const auto &p = ph->params();
        add("min_instances", QString::number(p.minInstances));
        add("delta", jsonNumber(p.delta));
        add("threshold", jsonNumber(p.threshold));
        add("alpha", jsonNumber(p.alpha));
        add("mode", QStringLiteral("\"%1\"").arg(modeName(p.mode)));
    } else if (const auto *ad = dynamic_cast<const Adwin *>(&d)) {
        const auto &p = ad->params();
        add("delta", jsonNumber(p.delta));
        add("clock", QString::number(p.clock));
        add("max_buckets", QString::number(p.maxBuckets));
        add("min_window_length", QString::number(p.minWindowLength));
        add("grace_period", QString::number(p.gracePeriod));
    } else if (const auto *dd = dynamic_cast<const Ddm *>(&d)) {
        const auto &p = dd->params();
        add("warm_start", QString::number(p.warmStart));
        add("warning_threshold", jsonNumber(p.warningThreshold));
        add("drift_threshold", jsonNumber(p.driftThreshold));
    }
    return out;
}

QString indexList(const std::vector<qsizetype> &v)
{
    QStringList s;
    for (qsizetype i : v)
        s << QString::number(i);
    return s.join(QStringLiteral(", "));
}

} // namespace

std::unique_ptr<ChangeDetector> makeDetector(const QString &name, const QMap<QString, QString> &params,
                                             QString *error)
{
    auto fail = [&](const QString &message) -> std::unique_ptr<ChangeDetector> {
        if (error)
            *error = message;
        return nullptr;
    };
    auto badValue = [&](const QString &key, const QString &what) {
        return fail(QStringLiteral("%1=%2: expected %3").arg(key, params.value(key), what));
    };
    if (name == QLatin1String("page-hinkley")) {
        PageHinkley::Params p;
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString &k = it.key();
            if (k == QLatin1String("min_instances")) {
                if (!toInt(*it, p.minInstances, 1))
                    return badValue(k, QStringLiteral("an integer >= 1"));
            } else if (k == QLatin1String("delta")) {
                if (!toDouble(*it, p.delta))
                    return badValue(k, QStringLiteral("a number"));
            } else if (k == QLatin1String("threshold")) {
                if (!toDouble(*it, p.threshold))
                    return badValue(k, QStringLiteral("a number"));
            } else if (k == QLatin1String("alpha")) {
                if (!toDouble(*it, p.alpha) || p.alpha <= 0 || p.alpha > 1)
                    return badValue(k, QStringLiteral("a number in (0, 1]"));
            } else if (k == QLatin1String("mode")) {
                if (*it == QLatin1String("up"))
                    p.mode = PageHinkley::Mode::Up;
                else if (*it == QLatin1String("down"))
                    p.mode = PageHinkley::Mode::Down;
                else if (*it == QLatin1String("both"))
                    p.mode = PageHinkley::Mode::Both;
                else
                    return badValue(k, QStringLiteral("up, down or both"));
            } else {
                return fail(QStringLiteral("page-hinkley has no parameter %1 (it has min_instances, delta, "
                                           "threshold, alpha, mode)").arg(k));
            }
        }
        return std::make_unique<PageHinkley>(p);
    }
    if (name == QLatin1String("adwin")) {
        Adwin::Params p;
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString &k = it.key();
            if (k == QLatin1String("delta")) {
                if (!toDouble(*it, p.delta) || p.delta <= 0 || p.delta >= 1)
                    return badValue(k, QStringLiteral("a number in (0, 1)"));
            } else if (k == QLatin1String("clock")) {
                if (!toInt(*it, p.clock, 1))
                    return badValue(k, QStringLiteral("an integer >= 1"));
            } else if (k == QLatin1String("max_buckets")) {
                if (!toInt(*it, p.maxBuckets, 1))
                    return badValue(k, QStringLiteral("an integer >= 1"));
            } else if (k == QLatin1String("min_window_length")) {
                if (!toInt(*it, p.minWindowLength, 1))
                    return badValue(k, QStringLiteral("an integer >= 1"));
            } else if (k == QLatin1String("grace_period")) {
                if (!toInt(*it, p.gracePeriod, 0))
                    return badValue(k, QStringLiteral("an integer >= 0"));
            } else {
                return fail(QStringLiteral("adwin has no parameter %1 (it has delta, clock, max_buckets, "
                                           "min_window_length, grace_period)").arg(k));
            }
        }
        return std::make_unique<Adwin>(p);
    }
    if (name == QLatin1String("ddm")) {
        Ddm::Params p;
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString &k = it.key();
            if (k == QLatin1String("warm_start")) {
                if (!toInt(*it, p.warmStart, 0))
                    return badValue(k, QStringLiteral("an integer >= 0"));
            } else if (k == QLatin1String("warning_threshold")) {
                if (!toDouble(*it, p.warningThreshold))
                    return badValue(k, QStringLiteral("a number"));
            } else if (k == QLatin1String("drift_threshold")) {
                if (!toDouble(*it, p.driftThreshold))
                    return badValue(k, QStringLiteral("a number"));
            } else {
                return fail(QStringLiteral("ddm has no parameter %1 (it has warm_start, warning_threshold, "
                                           "drift_threshold)").arg(k));
            }
        }
        return std::make_unique<Ddm>(p);
    }
    return fail(QStringLiteral("unknown detector \"%1\" (page-hinkley, adwin or ddm)").arg(name));
}

SeriesInput parseSeries(const QByteArray &text, const QString &where)
{
    SeriesInput in;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        bool ok = false;
        const double v = line.toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            in.error = QStringLiteral("%1:%2: not a finite number: \"%3\"")
                           .arg(where)
                           .arg(i + 1)
                           .arg(QString::fromUtf8(line.left(80)));
            in.values.clear();
            return in;
        }
        in.values.push_back(v);
    }
    return in;
}

Replay replay(ChangeDetector &detector, const std::vector<double> &values)
{
    Replay r;
    r.n = qsizetype(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        detector.update(values[i]);
        if (detector.driftDetected())
            r.drifts.push_back(qsizetype(i));
        if (detector.warningDetected())
            r.warnings.push_back(qsizetype(i));
    }
    return r;
}

int runDetectCli(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const QString usage = QStringLiteral(
        "usage: vigil detect --detector page-hinkley|adwin|ddm [--param key=value ...] FILE [--json]\n"
        "FILE holds one number per line (ddm: 1 for an error, 0 for a success); prints the 0-based\n"
        "indices of the values on which drift was flagged.\n");
    QString name, path;
    QMap<QString, QString> params;
    bool json = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--detector") || a == QLatin1String("--param")) {
            if (i + 1 >= args.size()) {
                err << "vigil detect: " << a << " needs a value\n" << usage;
                return 2;
            }
            const QString v = args[++i];
            if (a == QLatin1String("--detector")) {
                name = v;
            } else {
                const qsizetype eq = v.indexOf(QLatin1Char('='));
                if (eq <= 0) {
                    err << "vigil detect: --param wants key=value, got " << v << "\n";
                    return 2;
                }
                params.insert(v.left(eq), v.mid(eq + 1));
            }
        } else if (a.startsWith(QLatin1String("--detector="))) {
            name = a.mid(11);
        } else if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            out << usage;
            return 0;
        } else if (a.startsWith(QLatin1String("--"))) {
            err << "vigil detect: unknown option " << a << "\n" << usage;
            return 2;
        } else if (path.isEmpty()) {
            path = a;
        } else {
            err << "vigil detect: one FILE only (got " << path << " and " << a << ")\n";
            return 2;
        }
    }
    if (name.isEmpty() || path.isEmpty()) {
        err << "vigil detect: --detector and FILE are needed\n" << usage;
        return 2;
    }
    QString error;
    std::unique_ptr<ChangeDetector> detector = makeDetector(name, params, &error);
    if (!detector) {
        err << "vigil detect: " << error << "\n";
        return 2;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        err << "vigil detect: " << path << ": cannot read it (" << file.errorString() << ")\n";
        return 2;
    }
    const SeriesInput in = parseSeries(file.readAll(), path);
    if (!in.ok()) {
        err << "vigil detect: " << in.error << "\n";
        return 2;
    }
    if (name == QLatin1String("ddm")) {
        // DDM models a Bernoulli error rate: anything but 0 and 1 makes p(1-p)
        // meaningless (River's DDM takes booleans).
        for (size_t i = 0; i < in.values.size(); ++i) {
            if (in.values[i] != 0.0 && in.values[i] != 1.0) {
                err << "vigil detect: " << path << ": value " << i << " is " << in.values[i]
                    << ": ddm takes 1 (error) or 0 (success)\n";
                return 2;
            }
        }
    }
    const Replay r = replay(*detector, in.values);
    if (json) {
        out << "{\"detector\": \"" << detector->name() << "\", \"params\": {" << paramsJson(*detector).join(QStringLiteral(", "))
            << "}, \"n\": " << r.n << ", \"drifts\": [" << indexList(r.drifts) << "]";
        if (name == QLatin1String("ddm"))
            out << ", \"warnings\": [" << indexList(r.warnings) << "]";
        out << "}\n";
    } else {
        for (qsizetype i : r.drifts)
            out << i << "\n";
    }
    out.flush();
    return 0;
}

} // namespace vigil::drift
