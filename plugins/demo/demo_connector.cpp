// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo_connector.h"

#include "promql_eval.h"

#include "util/clock.h"

#include <QElapsedTimer>
#include <QLoggingCategory>

#include <cmath>

namespace vigil::demo {

Q_LOGGING_CATEGORY(lcDemo, "vigil.demo")

namespace {

// A setting given as a JSON number or as text ("60"): YAML scalars arrive either way.
std::optional<double> numberOption(const QJsonObject &options, const QString &key)
{
    const QJsonValue v = options.value(key);
    if (v.isDouble())
        return v.toDouble();
    if (v.isString()) {
        bool ok = false;
        const double d = v.toString().trimmed().toDouble(&ok);
        if (ok)
            return d;
    }
    return std::nullopt;
}

qint64 floorTo(qint64 v, qint64 step)
{
    qint64 q = v / step;
    if (v % step != 0 && v < 0)
        --q;
    return q * step;
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return a / b + (a % b != 0 ? 1 : 0);
}

QString formatScale(double scale)
{
    return QString::number(scale, 'g', 6) + QChar(0x00d7); // "1×", "60×"
}

} // namespace

AlignedRange alignRange(qint64 startMs, qint64 endMs, qint64 requestedStepMs)
{
    if (endMs < startMs)
        std::swap(startMs, endMs);
    const qint64 span = endMs - startMs;
    qint64 step = std::max<qint64>(requestedStepMs, ceilDiv(span, promql::kMaxPointsPerSeries));
    step = std::max<qint64>(1000, ceilDiv(step, 1000) * 1000);
    for (;;) {
        const AlignedRange r{floorTo(startMs, step), floorTo(endMs, step), step};
        if ((r.endMs - r.startMs) / r.stepMs <= promql::kMaxPointsPerSeries)
            return r;
        step += 1000;
    }
}

SamplerConfig DemoConnector::configFromSettings(const ConnectionSettings &settings, QStringList *problems)
{
    SamplerConfig c;
    const QJsonObject &o = settings.options;
    if (o.contains(QLatin1String("seed"))) {
        const auto seed = numberOption(o, QStringLiteral("seed"));
        if (seed && *seed >= 0 && *seed == std::floor(*seed) && *seed < 9.007e15)
            c.seed = quint64(*seed);
        else if (problems)
            problems->append(QStringLiteral("seed must be a whole number >= 0; using 42"));
    }
    if (o.contains(QLatin1String("time_scale"))) {
        // Above 1000x a second of wall time is over 4000 simulation ticks.
        const auto scale = numberOption(o, QStringLiteral("time_scale"));
        if (scale && *scale > 0 && *scale <= 1000)
            c.timeScale = *scale;
        else if (problems)
            problems->append(QStringLiteral("time_scale must be a number in (0, 1000]; using 1"));
    }
    return c;
}

DemoConnector::DemoConnector(ConnectionSettings settings, QObject *parent)
    : DemoConnector(std::move(settings), SystemClock::instance(), parent)
{
}

DemoConnector::DemoConnector(ConnectionSettings settings, const Clock &clock, QObject *parent)
    : Connector(parent), m_settings(std::move(settings)), m_clock(clock)
{
    m_sampler = std::make_unique<FleetSampler>(configFromSettings(m_settings, &m_problems), m_clock);
}

DemoConnector::DemoConnector(ConnectionSettings settings, SamplerConfig config, const Clock &clock, QObject *parent)
    : Connector(parent), m_settings(std::move(settings)), m_clock(clock)
{
    const SamplerConfig fromSettings = configFromSettings(m_settings, &m_problems);
    config.seed = fromSettings.seed;
    config.timeScale = fromSettings.timeScale;
    m_sampler = std::make_unique<FleetSampler>(config, m_clock);
}

DemoConnector::~DemoConnector() = default;

QFuture<QueryResult> DemoConnector::query(const QueryRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    const int sampled = m_sampler->catchUp();
    const qint64 sampleMs = timer.restart();

    QueryRequest r = request;
    if (r.kind == QueryKind::Instant) {
        // No time: "now", as Prometheus evaluates an instant query without one.
        if (r.timeMs <= 0)
            r.timeMs = m_clock.nowMs();
    } else {
        const AlignedRange w = alignRange(r.startMs, r.endMs, r.stepMs);
        r.startMs = w.startMs;
        r.endMs = w.endMs;
        r.stepMs = w.stepMs;
    }
    QueryResult result = promql::evaluate(m_sampler->history(), r);
    qCDebug(lcDemo) << "query" << request.id << "sampled" << sampled << "times in" << sampleMs << "ms, evaluated in"
                    << timer.elapsed() << "ms";
    return QtFuture::makeReadyFuture(std::move(result));
}

QFuture<ProbeResult> DemoConnector::probe()
{
    m_sampler->catchUp();
    const SamplerConfig &c = m_sampler->config();
    ProbeResult p;
    p.version = QStringLiteral("in-process");
    p.message = QStringLiteral("in-process demo fleet (seed %1, time scale %2), no server")
                    .arg(c.seed)
                    .arg(formatScale(c.timeScale));
    if (!m_problems.isEmpty())
        p.message += QStringLiteral(" (settings: %1)").arg(m_problems.join(QStringLiteral("; ")));
    return QtFuture::makeReadyFuture(p);
}

} // namespace vigil::demo
