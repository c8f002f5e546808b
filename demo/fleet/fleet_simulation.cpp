// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/fleet_simulation.h"

#include "fleet/scenario.h"

#include <algorithm>
#include <cmath>

namespace vigil::demo {

namespace {

// How a model behaves in production. Kept here, not in ModelInfo: it is the
// simulation's business, the registry never sees it.
struct ServingProfile
{
    double baseRps;        // all versions together, outside the peak
    double capacityPerPod; // req/s one pod serves at 100 % utilisation
    double latencyMedianS; // log-normal latency: median and sigma of the log
    double latencySigma;
    double positiveRate;   // fraction of requests that are fraud / spam
    double negativeLogit;  // score = logistic(N(mean, 1)) for negatives / positives
    double positiveLogit;
};

ServingProfile profileFor(const QString &model)
{
    // p99 = median * exp(2.326 * sigma): fraud 40 ms -> ~114 ms, spam 15 ms -> ~48 ms.
    if (model == QLatin1String("fraud-detector"))
        return {300.0, 100.0, 0.040, 0.45, 0.04, -3.0, 2.5};
    return {400.0, 120.0, 0.015, 0.50, 0.35, -2.5, 2.5};
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Per tick a series draws at most this many samples; each stands in for an equal
// share of the tick's requests. Keeps a long catch-up (or --time-scale 3600)
// cheap without changing the shape of any histogram.
constexpr quint64 kMaxSamplesPerTick = 48;

double drawFeature(const QString &feature, Random &rng, qint64 t)
{
    if (feature == QLatin1String("amount"))
        return rng.logNormal(45.0, 1.1);
    if (feature == QLatin1String("merchant_risk"))
        return logistic(rng.normal(-1.5, 0.9));
    if (feature == QLatin1String("body_length"))
        return rng.logNormal(scenario::bodyLengthMedian(t), 0.7);
    if (feature == QLatin1String("link_count"))
        return double(rng.poisson(2.0));
    if (feature == QLatin1String("sender_reputation"))
        return logistic(rng.normal(1.2, 1.0));
    return rng.uniform();
}

// Queueing: latency is flat up to the target utilisation, then grows with the
// excess (capped, as a saturated server sheds rather than queues forever).
double congestionFactor(double utilization, double target)
{
    const double excess = std::clamp(utilization - target, 0.0, 0.6);
    return 1.0 + 3.0 * excess + 10.0 * excess * excess;
}

Labels modelLabels(const Deployment &d)
{
    return {{QStringLiteral("model"), d.model->name},
            {QStringLiteral("version"), d.version->version},
            {QStringLiteral("track"), trackName(d.version->track)}};
}

} // namespace

const QList<double> &latencyBuckets()
{
    static const QList<double> buckets{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25,
                                       0.3,   0.4,  0.5,   0.75, 1,     2.5, 5};
    return buckets;
}

int Deployment::availableReplicas(qint64 nowMs, qint64 startupMs) const
{
    return int(std::count_if(podStartMs.begin(), podStartMs.end(),
                             [&](qint64 start) { return start + startupMs <= nowMs; }));
}

FleetSimulation::FleetSimulation(FleetConfig config) : m_config(config)
{
    QList<double> scoreBuckets;
    for (int i = 1; i <= 10; ++i)
        scoreBuckets.append(i / 10.0);

    for (const auto &model : demoFleet()) {
        const ServingProfile profile = profileFor(model.name);
        for (const auto &version : model.versions) {
            Deployment d;
            d.model = &model;
            d.version = &version;
            d.name = deploymentName(model, version);
            // A stream per deployment, keyed by its name: adding a model to the
            // fleet does not change the series of the others.
            quint64 streamSeed = m_config.seed ^ Random::stableHash(d.name.toStdString());
            d.rng = Random(Random::splitMix64(streamSeed));
            d.latency = HistogramAccumulator(latencyBuckets());
            d.score = HistogramAccumulator(scoreBuckets);
            for (const auto &feature : model.features)
                d.features.append(HistogramAccumulator(feature.upperBounds));
            d.precision = version.offlineMetrics.value(QStringLiteral("precision"));
            d.recall = version.offlineMetrics.value(QStringLiteral("recall"));
            // Start settled for the base load, as a fleet that has run all night.
            const double load = profile.baseRps * version.trafficShare;
            const int replicas = std::clamp(
                int(std::ceil(load / (profile.capacityPerPod * m_config.targetUtilization))), m_config.minReplicas,
                m_config.maxReplicas);
            d.podStartMs.assign(size_t(replicas), -m_config.podStartupMs);
            d.specReplicas = replicas;
            d.hpaDesiredReplicas = replicas;
            d.requestRate = load;
            d.utilization = load / (replicas * profile.capacityPerPod);
            m_deployments.push_back(std::move(d));
        }
    }
}

const QList<ModelInfo> &FleetSimulation::models() const { return demoFleet(); }

const Deployment *FleetSimulation::deployment(const QString &model, const QString &version) const
{
    for (const auto &d : m_deployments)
        if (d.model->name == model && d.version->version == version)
            return &d;
    return nullptr;
}

int FleetSimulation::availableReplicas(const Deployment &deployment) const
{
    return deployment.availableReplicas(m_elapsedMs, m_config.podStartupMs);
}

void FleetSimulation::advanceTo(qint64 simElapsedMs)
{
    while (m_elapsedMs + m_config.tickMs <= simElapsedMs) {
        const qint64 t = m_elapsedMs;
        for (auto &d : m_deployments)
            tick(d, t);
        m_elapsedMs += m_config.tickMs;
        if (m_elapsedMs % m_config.hpaSyncMs == 0)
            for (auto &d : m_deployments)
                autoscale(d, m_elapsedMs);
    }
}

void FleetSimulation::tick(Deployment &d, qint64 t)
{
    const ServingProfile profile = profileFor(d.model->name);
    const bool canary = d.version->track == Track::Canary;
    const bool fraud = d.model->name == QLatin1String("fraud-detector");
    const bool spam = d.model->name == QLatin1String("spam-filter");
    Random &rng = d.rng;

    // Traffic: base share, the periodic peak, and a slow random wander (AR(1) on
    // the log, ~3 % standard deviation) on top of Poisson arrivals.
    d.trafficNoise = 0.97 * d.trafficNoise + 0.0075 * rng.normal();
    const double rate = profile.baseRps * d.version->trafficShare *
                        scenario::trafficMultiplier(t, m_config.trafficPeriodMs, m_config.peakFactor) *
                        std::exp(d.trafficNoise);
    const quint64 n = rng.poisson(rate * double(m_config.tickMs) / 1000.0);
    const int available = std::max(1, d.availableReplicas(t, m_config.podStartupMs));
    d.requestRate = rate;
    d.utilization = rate / (available * profile.capacityPerPod);

    // Status codes: a low background of failures; overload sheds with 503; the
    // scenario's burst on the spam canary.
    double p500 = 0.002;
    double p503 = 0.001 + 0.03 * std::max(0.0, d.utilization - 1.0);
    if (spam && canary && scenario::inErrorBurst(t)) {
        p500 = 0.06;
        p503 = 0.02;
    }
    const quint64 e500 = rng.binomial(n, p500);
    const quint64 e503 = rng.binomial(n - e500, p503);
    d.requests[Code500] += e500;
    d.requests[Code503] += e503;
    d.requests[Code200] += n - e500 - e503;

    double median = profile.latencyMedianS * congestionFactor(d.utilization, m_config.targetUtilization);
    if (fraud && canary)
        median *= scenario::canarySlowdown(t);

    // The spam canary's false positives grow with its precision loss: negatives
    // score higher, so the score histogram shows it as well as the gauge.
    const double precisionLoss = spam && canary ? scenario::canaryPrecisionLoss(t) : 0.0;
    const double negativeLogit = profile.negativeLogit + 8.0 * precisionLoss;

    const quint64 samples = std::min(n, kMaxSamplesPerTick);
    for (quint64 i = 0; i < samples; ++i) {
        const quint64 weight = n / samples + (i < n % samples ? 1 : 0);
        d.latency.observe(rng.logNormal(median, profile.latencySigma), weight);
        const bool positive = rng.uniform() < profile.positiveRate;
        d.score.observe(logistic(rng.normal(positive ? profile.positiveLogit : negativeLogit, 1.0)), weight);
        for (qsizetype f = 0; f < d.features.size(); ++f)
            d.features[f].observe(drawFeature(d.model->features[f].name, rng, t), weight);
    }

    // Live quality: a little below offline (production is always a bit harder),
    // with estimation noise.
    const double offlinePrecision = d.version->offlineMetrics.value(QStringLiteral("precision"));
    const double offlineRecall = d.version->offlineMetrics.value(QStringLiteral("recall"));
    d.precision = std::clamp(offlinePrecision - 0.005 - precisionLoss + rng.normal(0.0, 0.002), 0.0, 1.0);
    d.recall = std::clamp(offlineRecall - 0.005 + rng.normal(0.0, 0.002), 0.0, 1.0);
}

void FleetSimulation::autoscale(Deployment &d, qint64 t)
{
    const ServingProfile profile = profileFor(d.model->name);
    const int current = d.specReplicas;
    // Pods still starting count as idle (Kubernetes treats not-ready pods as 0 %
    // when scaling up), so utilisation is averaged over all pods.
    const double utilization = d.requestRate / (current * profile.capacityPerPod);
    const double ratio = utilization / m_config.targetUtilization;
    int recommendation = current;
    if (std::abs(ratio - 1.0) > m_config.hpaTolerance)
        recommendation = int(std::ceil(current * ratio));
    recommendation = std::clamp(recommendation, m_config.minReplicas, m_config.maxReplicas);

    d.recommendations.push_back({t, recommendation});
    while (!d.recommendations.empty() && d.recommendations.front().first < t - m_config.scaleDownStabilizationMs)
        d.recommendations.pop_front();

    int next = current;
    if (recommendation > current) {
        next = std::min(recommendation, std::max(current * 2, current + 4));
    } else {
        // Scale down only to the highest recommendation of the window, so a dip
        // between two bursts does not throw pods away.
        int highest = recommendation;
        for (const auto &r : d.recommendations)
            highest = std::max(highest, r.second);
        next = std::min(current, highest);
    }
    d.hpaDesiredReplicas = next;
    d.specReplicas = next;
    while (int(d.podStartMs.size()) < next)
        d.podStartMs.push_back(t);
    // The youngest pods go first (the controller prefers deleting not-ready ones).
    while (int(d.podStartMs.size()) > next)
        d.podStartMs.pop_back();
}

QList<MetricFamily> FleetSimulation::collect() const
{
    MetricFamily duration{QStringLiteral("model_request_duration_seconds"),
                          QStringLiteral("Time to answer one prediction request, in seconds."),
                          MetricType::Histogram,
                          {}};
    MetricFamily requests{QStringLiteral("model_requests_total"),
                          QStringLiteral("Prediction requests answered, by HTTP status code."), MetricType::Counter, {}};
    MetricFamily score{QStringLiteral("model_prediction_score"),
                       QStringLiteral("Score the model returned (probability of the positive class)."),
                       MetricType::Histogram,
                       {}};
    MetricFamily feature{QStringLiteral("model_feature_value"),
                         QStringLiteral("Input feature values seen in requests."), MetricType::Histogram, {}};
    MetricFamily quality{QStringLiteral("model_quality"),
                         QStringLiteral("Live quality estimate from delayed ground-truth labels."), MetricType::Gauge,
                         {}};
    MetricFamily spec{QStringLiteral("kube_deployment_spec_replicas"),
                      QStringLiteral("Number of desired pods for a deployment."), MetricType::Gauge, {}};
    MetricFamily status{QStringLiteral("kube_deployment_status_replicas"),
                        QStringLiteral("The number of replicas per deployment."), MetricType::Gauge, {}};
    MetricFamily available{QStringLiteral("kube_deployment_status_replicas_available"),
                           QStringLiteral("The number of available replicas per deployment."), MetricType::Gauge, {}};
    MetricFamily hpa{QStringLiteral("kube_horizontalpodautoscaler_status_desired_replicas"),
                     QStringLiteral("Desired number of replicas of pods managed by this autoscaler."),
                     MetricType::Gauge,
                     {}};

    static const char *const codes[] = {"200", "500", "503"};
    for (const auto &d : m_deployments) {
        const Labels labels = modelLabels(d);
        duration.addHistogram(labels, d.latency);
        for (int c = 0; c < 3; ++c)
            requests.addSample(labels + Labels{{QStringLiteral("code"), QLatin1String(codes[c])}},
                               double(d.requests[size_t(c)]));
        score.addHistogram(labels, d.score);
        for (qsizetype f = 0; f < d.features.size(); ++f)
            feature.addHistogram(labels + Labels{{QStringLiteral("feature"), d.model->features[f].name}},
                                 d.features[f]);
        quality.addSample(labels + Labels{{QStringLiteral("metric"), QStringLiteral("precision")}}, d.precision);
        quality.addSample(labels + Labels{{QStringLiteral("metric"), QStringLiteral("recall")}}, d.recall);

        const Labels kube{{QStringLiteral("namespace"), QStringLiteral("ml")}, {QStringLiteral("deployment"), d.name}};
        spec.addSample(kube, d.specReplicas);
        status.addSample(kube, double(d.podStartMs.size()));
        available.addSample(kube, availableReplicas(d));
        hpa.addSample({{QStringLiteral("namespace"), QStringLiteral("ml")},
                       {QStringLiteral("horizontalpodautoscaler"), d.name}},
                      d.hpaDesiredReplicas);
    }
    return {duration, requests, score, feature, quality, spec, status, available, hpa};
}

QByteArray FleetSimulation::renderMetrics(qint64 timestampMs) const
{
    return renderExposition(collect(), timestampMs);
}

} // namespace vigil::demo
