// SPDX-License-Identifier: GPL-3.0-or-later
// The silence editor's rules (core/sources/server_alerts): which labels a
// matcher holds for, as Alertmanager decides it, and what stops a silence
// from being created, said in plain words.
#include <catch2/catch.hpp>

#include "sources/server_alerts.h"

using namespace vigil;

namespace {

using Op = SilenceMatcher::Op;

ServerSilence valid()
{
    ServerSilence s;
    s.matchers = {SilenceMatcher{"alertname", "ModelLatencyHigh", Op::Equal}};
    s.startsAtMs = 1'000;
    s.endsAtMs = 3'601'000;
    s.createdBy = "ana";
    s.comment = "deploying v14";
    return s;
}

} // namespace

TEST_CASE("Silence matchers hold as Alertmanager decides: missing label is empty, regexes anchored", "[alertmanager][silences]")
{
    const Labels labels{{"alertname", "ModelLatencyHigh"}, {"model", "fraud-detector"}};
    struct Case
    {
        SilenceMatcher m;
        bool holds;
    };
    const QList<Case> cases{
        {{"model", "fraud-detector", Op::Equal}, true},
        {{"model", "fraud", Op::Equal}, false},
        {{"model", "churn", Op::NotEqual}, true},
        {{"model", "fraud-detector", Op::NotEqual}, false},
        {{"model", "fraud-.*", Op::Regex}, true},
        {{"model", "fraud", Op::Regex}, false},        // anchored: the whole value
        {{"model", "detector", Op::Regex}, false},
        {{"model", "churn|fraud-detector", Op::Regex}, true},
        {{"model", "churn.*", Op::NotRegex}, true},
        {{"model", "fraud.*", Op::NotRegex}, false},
        {{"version", "", Op::Equal}, true},           // a missing label is ""
        {{"version", "v1", Op::NotEqual}, true},
        {{"version", ".*", Op::Regex}, true},
        {{"version", ".+", Op::Regex}, false},
        {{"model", "fraud((", Op::Regex}, false},     // an invalid regex matches nothing
    };
    for (const Case &c : cases) {
        INFO(c.m.toString().toStdString());
        CHECK(matcherMatches(c.m, labels) == c.holds);
    }
    CHECK(silenceMatchesLabels({{"alertname", "ModelLatencyHigh", Op::Equal}, {"model", "fraud-.*", Op::Regex}}, labels));
    CHECK_FALSE(silenceMatchesLabels({{"alertname", "ModelLatencyHigh", Op::Equal}, {"model", "churn", Op::Equal}}, labels));
    CHECK_FALSE(silenceMatchesLabels({}, labels));
}

TEST_CASE("Silence problems are named in plain words, matchers numbered as shown", "[alertmanager][silences]")
{
    CHECK(silenceProblems(valid()).isEmpty());

    struct Case
    {
        const char *what;
        std::function<void(ServerSilence &)> change;
        QString problem;
    };
    const QList<Case> cases{
        {"no matchers", [](ServerSilence &s) { s.matchers.clear(); },
         "Add at least one matcher, e.g. alertname = \"HighP99Latency\"."},
        {"a matcher without a name", [](ServerSilence &s) { s.matchers.append({"", "x", Op::Equal}); },
         "Matcher 2 has no label name."},
        {"a name that is not a label name", [](ServerSilence &s) { s.matchers.append({"2model", "x", Op::Equal}); },
         "Matcher 2: \"2model\" is not a label name (letters, digits and _, not starting with a digit)."},
        {"every matcher matches a missing label",
         [](ServerSilence &s) { s.matchers = {{"model", ".*", Op::Regex}, {"version", "v1", Op::NotEqual}}; },
         "Every matcher also matches alerts that lack the label, so this silence would silence every alert; add a "
         "matcher on a label's value."},
        {"no author", [](ServerSilence &s) { s.createdBy = "  "; }, "The author is empty."},
        {"no comment", [](ServerSilence &s) { s.comment.clear(); }, "Write a comment saying why (Alertmanager requires one)."},
        {"ends before it starts", [](ServerSilence &s) { s.endsAtMs = s.startsAtMs; }, "The silence must end after it starts."},
    };
    for (const Case &c : cases) {
        INFO(c.what);
        ServerSilence s = valid();
        c.change(s);
        CHECK(silenceProblems(s) == QStringList{c.problem});
    }

    ServerSilence badRegex = valid();
    badRegex.matchers.append({"model", "fraud((", Op::Regex});
    const QStringList problems = silenceProblems(badRegex);
    REQUIRE(problems.size() == 1);
    CHECK(problems.at(0).startsWith("Matcher 2 (model=~\"fraud((\"): the regular expression is not valid ("));
    CHECK(problems.at(0).contains("missing closing parenthesis"));

    // Several problems at once: each said.
    ServerSilence empty;
    CHECK(silenceProblems(empty).size() == 4);
}
