// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/exposition.h"
#include "fleet/fleet_model.h"
#include "fleet/histogram.h"
#include "fleet/random.h"

#include <QByteArray>
#include <QList>

#include <array>
#include <deque>
#include <vector>

namespace vigil::demo {

// Knobs of the simulation. Defaults are the demo's; the Kubernetes ones are
// Kubernetes' own defaults unless said otherwise.
struct FleetConfig
{
    quint64 seed = 42;
    // Fixed simulated step: output depends on seed and simulated time only.
    qint64 tickMs = 250;
    // One traffic cycle (quiet, ramp, peak, ramp down); see scenario::trafficMultiplier.
    qint64 trafficPeriodMs = 10 * 60'000;
    double peakFactor = 2.2;
    // HPA: kube-controller-manager --horizontal-pod-autoscaler-sync-period (15 s),
    // its tolerance (0.1), the scale-down stabilization window (300 s), and the
    // default scale-up policy (add the larger of 100 % or 4 pods per period).
    double targetUtilization = 0.7;
    qint64 hpaSyncMs = 15'000; // a whole number of ticks: the HPA runs at tick ends
    double hpaTolerance = 0.1;
    qint64 scaleDownStabilizationMs = 300'000;
    int minReplicas = 2;
    int maxReplicas = 10;
    // Time from pod creation to Ready: image already cached, model load ~45 s.
    qint64 podStartupMs = 45'000;
};

// HTTP status classes the fleet answers with; index into Deployment::requests.
enum StatusCode { Code200 = 0, Code500 = 1, Code503 = 2 };

// One model version serving traffic: a Kubernetes deployment with its HPA, and
// the counters its pods would export.
struct Deployment
{
    const ModelInfo *model = nullptr;
    const ModelVersionInfo *version = nullptr;
    QString name; // "<model>-<version>"

    // Serving state as of the last tick.
    double requestRate = 0.0; // req/s
    double utilization = 0.0; // per available pod, 1.0 = saturated
    int specReplicas = 0;     // what the HPA last set
    int hpaDesiredReplicas = 0;
    std::vector<qint64> podStartMs; // creation time of each pod, oldest first
    int availableReplicas(qint64 nowMs, qint64 startupMs) const;

    // Monotonic counters and histograms, as a client library would keep them.
    std::array<quint64, 3> requests{};
    HistogramAccumulator latency;
    HistogramAccumulator score;
    QList<HistogramAccumulator> features; // same order as model->features

    // Live quality estimate (from delayed labels, in a real system).
    double precision = 0.0;
    double recall = 0.0;

    // Simulation internals.
    Random rng{0};
    double trafficNoise = 0.0; // AR(1) log-multiplier so traffic wanders, not jitters
    std::deque<QPair<qint64, int>> recommendations; // (time, replicas) for stabilization
};

// The simulated fleet. Deterministic: the same seed and the same simulated
// elapsed time give byte-identical metrics, however advanceTo() was chunked.
class FleetSimulation
{
public:
    explicit FleetSimulation(FleetConfig config = {});

    // Runs whole ticks until simulated time reaches simElapsedMs (never backwards).
    void advanceTo(qint64 simElapsedMs);
    qint64 simElapsedMs() const { return m_elapsedMs; }
    const FleetConfig &config() const { return m_config; }

    // What the fleet is (registry view), independent of time.
    const QList<ModelInfo> &models() const;
    // What it is doing now.
    const std::vector<Deployment> &deployments() const { return m_deployments; }
    const Deployment *deployment(const QString &model, const QString &version) const;
    int availableReplicas(const Deployment &deployment) const;

    // The metric families as of now, then as Prometheus text (format 0.0.4).
    QList<MetricFamily> collect() const;
    QByteArray renderMetrics(qint64 timestampMs = 0) const;

private:
    void tick(Deployment &d, qint64 t);
    void autoscale(Deployment &d, qint64 t);

    FleetConfig m_config;
    qint64 m_elapsedMs = 0;
    std::vector<Deployment> m_deployments;
};

// Buckets of model_request_duration_seconds, in seconds.
const QList<double> &latencyBuckets();

} // namespace vigil::demo
