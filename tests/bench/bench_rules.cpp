// SPDX-License-Identifier: GPL-3.0-or-later
// Rule evaluation (issue 7: 10,000 series x 100 rules in <= 10 ms per tick)
// through rules::AlertStateMachine::evaluate, the per-tick work once each
// rule's query result is in memory (the query itself is the server's work).
//
//   bench-rules [RUNS] [RULES] [SERIES_PER_RULE]   (default 25 100 100)
//
// Two readings of the target, both printed:
//  - 10,000 series spread over 100 rules (100 series each): 10,000
//    instance evaluations per tick (the defaults);
//  - every rule sees all 10,000 series (bench-rules 25 100 10000):
//    1,000,000 instance evaluations per tick.
// Each in steady state with no transitions, and with 1 % of the instances
// crossing their threshold every tick (half firing, half resolving).
#include "rules/alert_state_machine.h"

#include "bench_util.h"

using namespace vigil;
using namespace vigil::rules;

namespace {

struct Tick
{
    double median, p99;
    qsizetype transitions;
};

Tick run(int runs, int ruleCount, int seriesPerRule, int flipPerMille)
{
    QList<Rule> rules;
    for (int r = 0; r < ruleCount; ++r) {
        Rule rule;
        rule.name = QStringLiteral("Rule%1").arg(r);
        rule.condition = Condition::above(0.5, 0.4);
        rule.forMs = 0;
        rules.append(rule);
    }
    QList<SeriesKey> keys;
    for (int s = 0; s < seriesPerRule; ++s)
        keys.append(SeriesKey(QStringLiteral("model_latency"),
                              {{QStringLiteral("model"), QStringLiteral("m%1").arg(s % 50)},
                               {QStringLiteral("instance"), QStringLiteral("10.0.%1.%2:9100").arg(s / 250).arg(s % 250)}}));
    // Results per rule; values below threshold except the flipping slice,
    // which alternates above/below every tick.
    QList<rules::QueryResult> calm, flipped;
    for (int r = 0; r < ruleCount; ++r) {
        rules::QueryResult a, b;
        a.samples.reserve(seriesPerRule);
        b.samples.reserve(seriesPerRule);
        for (int s = 0; s < seriesPerRule; ++s) {
            const bool flips = flipPerMille > 0 && s % (1000 / flipPerMille) == 0;
            a.samples.append({keys[s], 0.1});
            b.samples.append({keys[s], flips ? 0.9 : 0.1});
        }
        calm.append(a);
        flipped.append(b);
    }
    AlertStateMachine sm;
    qint64 now = 1'700'000'000'000;
    QList<Transition> out;
    // Warm-up: every instance created.
    for (int r = 0; r < ruleCount; ++r)
        sm.evaluate(rules[r], now, calm[r], out);
    std::vector<double> ticks;
    qsizetype transitions = 0;
    for (int t = 0; t < runs; ++t) {
        now += 60'000;
        out.clear();
        const QList<rules::QueryResult> &results = flipPerMille > 0 && t % 2 == 0 ? flipped : calm;
        const auto t0 = bench::Clock::now();
        for (int r = 0; r < ruleCount; ++r)
            sm.evaluate(rules[r], now, results[r], out);
        ticks.push_back(bench::msSince(t0));
        transitions = std::max(transitions, out.size());
    }
    const auto st = bench::stats(ticks);
    return {st.median, st.p99, transitions};
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = bench::runsFromArgs(argc, argv, 25);
    const int ruleCount = argc > 2 ? std::atoi(argv[2]) : 100;
    const int perRule = argc > 3 ? std::atoi(argv[3]) : 100;
    bench::printLoad("start");
    std::printf("%d rules x %d series each = %lld instance evaluations per tick, %d ticks\n", ruleCount, perRule,
                (long long)ruleCount * perRule, runs);
    const Tick steady = run(runs, ruleCount, perRule, 0);
    std::printf("  steady, no transitions     median %8.2f ms  p99 %8.2f ms  (%lld transitions/tick)\n",
                steady.median, steady.p99, (long long)steady.transitions);
    // Flapping detection would hold repeats for instances flipping every
    // tick; it does not change the cost of a tick.
    const Tick flipping = run(runs, ruleCount, perRule, 10);
    std::printf("  1 %% of instances flip      median %8.2f ms  p99 %8.2f ms  (%lld transitions/tick)\n",
                flipping.median, flipping.p99, (long long)flipping.transitions);
    bench::printLoad("end");
    return 0;
}
