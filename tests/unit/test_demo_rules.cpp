// SPDX-License-Identifier: GPL-3.0-or-later
// The demo workspace's rules against the demo fleet's scenario: the canary's
// latency and the spam filter's precision fire, the healthy versions do not.
// Evaluated by the AlertEngine on the in-process fleet with a manual clock.
#include <catch2/catch.hpp>

#include "alerting/alert_engine.h"
#include "demo_connector.h"
#include "util/clock.h"
#include "workspace/workspace.h"

using namespace vigil;

namespace {
constexpr qint64 kStart = 1'700'000'000'000;
constexpr qint64 kMin = 60'000;
} // namespace

TEST_CASE("The demo workspace's rules fire on the scenario's degradations and only there", "[alerting][demo]")
{
    const Workspace ws = loadWorkspace(QStringLiteral(VIGIL_SOURCE_DIR "/resources/workspaces/demo.yaml"));
    INFO(ws.errorMessages().join("\n").toStdString());
    REQUIRE_FALSE(ws.hasErrors());
    REQUIRE(ws.rules.size() >= 3);
    CHECK(ws.rules.first().intervalMs == 15'000);

    ManualClock clock(kStart);
    ConnectionSettings settings;
    settings.name = QStringLiteral("prom");
    settings.kind = QStringLiteral("demo");
    demo::SamplerConfig sampler;
    sampler.backfillMs = 0; // simulated minute 0 is the test's start
    demo::DemoConnector connector(settings, sampler, clock);
    alerting::AlertEngine engine(clock, [&](const QString &, const QueryRequest &req) { return connector.query(req); });
    engine.setRules(ws.rules, QStringLiteral("prom"));

    // First firing time of each (rule, model, version).
    QHash<QString, qint64> firedAt;
    QObject::connect(&engine, &alerting::AlertEngine::transitionsHappened, [&](const QList<rules::Transition> &ts) {
        for (const rules::Transition &t : ts) {
            if (t.to != rules::AlertState::Firing)
                continue;
            const QString key = t.instance.rule + u' ' + t.instance.series.label(QStringLiteral("model")) + u' '
                + t.instance.series.label(QStringLiteral("version"));
            if (!firedAt.contains(key))
                firedAt.insert(key, t.atMs - kStart);
        }
    });
    for (qint64 t = 0; t <= 12 * kMin; t += 15'000) {
        clock.setMs(kStart + t);
        engine.tick();
    }
    INFO("fired: " << QStringList(firedAt.keys()).join(", ").toStdString());
    CHECK(engine.ruleErrors().isEmpty());
    // demo/README.md: v13 slows from minute 3 (p99 ~430 ms by 7); `for: 1m`.
    REQUIRE(firedAt.contains("HighP99Latency fraud-detector v13"));
    CHECK(firedAt.value("HighP99Latency fraud-detector v13") >= 4 * kMin);
    CHECK(firedAt.value("HighP99Latency fraud-detector v13") <= 9 * kMin);
    // v8's precision erodes 0.015 a minute from minute 4: below 0.90 after ~8.7, `for: 1m`.
    REQUIRE(firedAt.contains("LowPrecision spam-filter v8"));
    CHECK(firedAt.value("LowPrecision spam-filter v8") >= 8 * kMin);
    CHECK_FALSE(firedAt.contains("LowPrecision spam-filter v7"));
    CHECK_FALSE(firedAt.contains("HighP99Latency spam-filter v7"));
    CHECK_FALSE(firedAt.contains("HighP99Latency spam-filter v8"));

    // The firing canary's row carries the rendered summary.
    bool sawSummary = false;
    for (const alerting::AlertRow &row : engine.alerts()) {
        if (row.instance.id.rule == "HighP99Latency" && row.label("version") == "v13" && rules::isOpen(row.instance.state)) {
            CHECK(row.summary.startsWith("p99 latency of fraud-detector v13 is "));
            sawSummary = true;
        }
    }
    CHECK(sawSummary);
}
