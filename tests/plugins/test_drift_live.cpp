// SPDX-License-Identifier: GPL-3.0-or-later
// Live drift against a real Prometheus scraping the demo fleet (issue 4's
// integration test): the Session's DriftMonitor asks Prometheus for the bucket
// increases of each spam-filter feature; body_length, which the scenario
// drifts from simulated minute 4 to 9, is flagged, the stable features are not.
#include <catch2/catch.hpp>

#include "session/session.h"
#include "support/test_stack.h"

#include <QDateTime>

using namespace vigil;
using namespace vigil::test;

TEST_CASE("Live drift from a real Prometheus: the drifting feature is flagged in time, the stable ones are not", "[drift][live]")
{
    // 30x: a simulated minute every 2 s, so the drift runs from 8 s to 18 s after the fleet starts.
    TestStack stack;
    const qint64 fleetStart = QDateTime::currentMSecsSinceEpoch();
    const QUrl fleet = stack.startDemoFleet(30.0);
    const QUrl prometheus = stack.startPrometheus({fleet}, 1000);

    const QByteArray yaml = QStringLiteral(R"(connections:
  prom: { kind: prometheus, url: "%1" }
drift:
  - name: spam
    histogram: model_feature_value
    selector: model="spam-filter"
    by: [feature]
    window: 4s
    reference: { offset: 8s }
    interval: 1s
)").arg(prometheus.toString()).toUtf8();
    const Workspace ws = parseWorkspace(yaml, QStringLiteral("drift-live.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    Session session;
    session.loadPlugins({QStringLiteral(VIGIL_PLUGIN_DIR)});
    REQUIRE(session.open(ws).isEmpty());

    auto psi = [&](const QString &feature) {
        double worst = 0;
        qint64 firstAbove = 0;
        for (const SeriesKey &k : session.store()->keysNamed(QStringLiteral("vigil_drift_psi"))) {
            if (k.label(QStringLiteral("feature")) != feature)
                continue;
            for (const Sample &s : session.store()->range(k, 0, std::numeric_limits<qint64>::max())) {
                worst = std::max(worst, s.v);
                if (s.v > 0.2 && firstAbove == 0)
                    firstAbove = s.t;
            }
        }
        return std::pair{worst, firstAbove};
    };
    // The scenario's drift is over by 18 s; the reference window then still
    // holds the old distribution until 18 + 8 s. Watch until 30 s.
    const bool flagged = waitUntil([&] { return psi(QStringLiteral("body_length")).second != 0; }, 45'000);
    waitUntil([&] { return QDateTime::currentMSecsSinceEpoch() - fleetStart > 30'000; }, 40'000);
    const auto [bodyWorst, bodyFirst] = psi(QStringLiteral("body_length"));
    const auto [linkWorst, linkFirst] = psi(QStringLiteral("link_count"));
    const auto [repWorst, repFirst] = psi(QStringLiteral("sender_reputation"));
    INFO("body_length max PSI " << bodyWorst << " first > 0.2 at +" << (bodyFirst - fleetStart) << " ms; link_count max "
         << linkWorst << "; sender_reputation max " << repWorst);
    REQUIRE(flagged);
    // Not before the drift begins (8 s), and within the drift plus one window and a scrape or two.
    CHECK(bodyFirst - fleetStart >= 8'000);
    CHECK(bodyFirst - fleetStart <= 22'000);
    CHECK(linkFirst == 0);
    CHECK(repFirst == 0);
    CHECK(linkWorst < 0.2);
    CHECK(repWorst < 0.2);
}
