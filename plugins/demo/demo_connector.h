// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet_sampler.h"

#include "sources/connector.h"

#include <memory>

namespace vigil {
class Clock;
}

namespace vigil::demo {

// The demo fleet without a server: the same simulation vigil-demo-fleet serves,
// run in-process and answered with the PromQL subset in promql_parser.h, so
// `vigil` with no arguments shows a live fleet even where Prometheus cannot be
// installed.
//
// Lives in one thread (the app's I/O thread); queries are evaluated there,
// synchronously, and returned as already-finished futures. Each query first
// samples the simulation up to now (see FleetSampler).
class DemoConnector : public Connector
{
    Q_OBJECT
public:
    // Settings (ConnectionSettings::options): "seed" (default 42) and
    // "time_scale" (simulated seconds per real second, default 1).
    explicit DemoConnector(ConnectionSettings settings, QObject *parent = nullptr);
    // For tests: a manual clock, and optionally a smaller backfill.
    DemoConnector(ConnectionSettings settings, const Clock &clock, QObject *parent = nullptr);
    DemoConnector(ConnectionSettings settings, SamplerConfig config, const Clock &clock, QObject *parent = nullptr);
    ~DemoConnector() override;

    QString kind() const override { return QStringLiteral("demo"); }
    Capabilities capabilities() const override { return Capability::TimeSeries | Capability::Histograms; }
    const ConnectionSettings &settings() const override { return m_settings; }

    QFuture<QueryResult> query(const QueryRequest &request) override;
    QFuture<ProbeResult> probe() override;

    const FleetSampler &sampler() const { return *m_sampler; }

    // The sampler configuration the settings ask for; a bad value falls back
    // to the default and says why in *problems (shown by probe()).
    static SamplerConfig configFromSettings(const ConnectionSettings &settings, QStringList *problems = nullptr);

private:
    ConnectionSettings m_settings;
    const Clock &m_clock;
    QStringList m_problems;
    std::unique_ptr<FleetSampler> m_sampler;
};

// The window a range query is evaluated over: the same rule the Prometheus
// connector applies before it asks the server (plugins/prometheus,
// chooseRange()), so both connectors give the same timestamps and successive
// polls replace rather than interleave samples in the store. The step is
// rounded up to a whole second (at least 1 s) and coarsened to stay within
// 11,000 points; start and end are floored to a multiple of it.
struct AlignedRange
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 stepMs = 0;
};
AlignedRange alignRange(qint64 startMs, qint64 endMs, qint64 requestedStepMs);

} // namespace vigil::demo
