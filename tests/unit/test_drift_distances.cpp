// SPDX-License-Identifier: GPL-3.0-or-later
// Drift distances (issue 4) against values computed independently with
// numpy/scipy by tests/tools/gen_drift_cases.py (tests/fixtures/drift/cases.json).
// Each TEST_CASE names the behaviour and lists the generated cases that pin it.
#include <catch2/catch.hpp>

#include "drift/comparison.h"
#include "drift/drift_report.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace vigil::drift;

namespace {

QJsonObject fixtureRoot()
{
    static const QJsonObject root = [] {
        QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/drift/cases.json"));
        if (!f.open(QIODevice::ReadOnly))
            return QJsonObject();
        return QJsonDocument::fromJson(f.readAll()).object();
    }();
    return root;
}

QJsonObject findCase(const QString &name)
{
    for (const QJsonValue &v : fixtureRoot().value(QLatin1String("cases")).toArray()) {
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    }
    return QJsonObject();
}

QSet<QString> &checkedNames()
{
    static QSet<QString> names;
    return names;
}

// A case's side as one of the CLI file shapes, read by the same reader.
HistogramResult window(const QJsonValue &side)
{
    QJsonObject file;
    if (side.isArray()) {
        file.insert(QStringLiteral("buckets"), side);
    } else {
        const QJsonObject o = side.toObject();
        file.insert(QStringLiteral("start"), QJsonObject{{QStringLiteral("buckets"), o.value(QLatin1String("start"))}});
        file.insert(QStringLiteral("end"), QJsonObject{{QStringLiteral("buckets"), o.value(QLatin1String("end"))}});
    }
    const DriftFile f = parseDriftFile(QJsonDocument(file).toJson(), {}, QStringLiteral("case"));
    REQUIRE(f.ok());
    REQUIRE(f.groups.size() == 1);
    return groupWindow(f.groups.front(), f.shape);
}

Approx close(double expected)
{
    // The generator uses other formulas for the same quantities (scipy's
    // jensenshannon, wasserstein_distance, kolmogorov): agreement to ~1e-11
    // relative is rounding, not luck.
    return Approx(expected).epsilon(1e-11).margin(1e-14);
}

void checkCase(const QString &name)
{
    INFO("case: " << name.toStdString());
    const QJsonObject c = findCase(name);
    REQUIRE_FALSE(c.isEmpty());
    checkedNames().insert(name);
    const QJsonObject e = c.value(QLatin1String("expected")).toObject();
    const Comparison got = compareWindows(window(c.value(QLatin1String("reference"))),
                                          window(c.value(QLatin1String("current"))));
    const QString status = e.value(QLatin1String("status")).toString();
    REQUIRE(statusName(got.status) == status);
    if (status == QLatin1String("error")) {
        CHECK(errorKindName(got.error) == e.value(QLatin1String("error_kind")).toString());
        CHECK_FALSE(got.reason.isEmpty());
        return;
    }
    CHECK(got.scores.nRef == close(e.value(QLatin1String("n_ref")).toDouble()));
    CHECK(got.scores.nCur == close(e.value(QLatin1String("n_cur")).toDouble()));
    if (status == QLatin1String("insufficient_data")) {
        CHECK_FALSE(got.reason.isEmpty());
        return;
    }
    CHECK(got.scores.psi == close(e.value(QLatin1String("psi")).toDouble()));
    CHECK(got.scores.ks == close(e.value(QLatin1String("ks")).toDouble()));
    CHECK(got.scores.ksPValue == close(e.value(QLatin1String("ks_pvalue")).toDouble()));
    CHECK(got.scores.js == close(e.value(QLatin1String("js")).toDouble()));
    CHECK(got.scores.hellinger == close(e.value(QLatin1String("hellinger")).toDouble()));
    CHECK(got.scores.wasserstein == close(e.value(QLatin1String("wasserstein")).toDouble()));
    CHECK(got.scores.wassersteinNormed == close(e.value(QLatin1String("wasserstein_normed")).toDouble()));
    const QJsonObject v = e.value(QLatin1String("verdicts")).toObject();
    CHECK(verdictName(got.verdicts.psi) == v.value(QLatin1String("psi")).toString());
    CHECK(verdictName(got.verdicts.ks) == v.value(QLatin1String("ks")).toString());
    CHECK(verdictName(got.verdicts.js) == v.value(QLatin1String("js")).toString());
    CHECK(verdictName(got.verdicts.hellinger) == v.value(QLatin1String("hellinger")).toString());
    CHECK(verdictName(got.verdicts.wassersteinNormed) == v.value(QLatin1String("wasserstein_normed")).toString());
}

// Returns how many cases were checked against the generator's values, so a
// test states how many it expects.
int checkCases(std::initializer_list<const char *> names)
{
    int checked = 0;
    for (const char *n : names) {
        checkCase(QString::fromUtf8(n));
        ++checked;
    }
    return checked;
}

} // namespace

TEST_CASE("Identical windows score zero and do not drift", "[drift][distances]")
{
    CHECK(checkCases({"identical windows", "identical shape at another scale"}) == 2);
    const Comparison c = compareWindows(window(findCase("identical windows").value("reference")),
                                        window(findCase("identical windows").value("current")));
    CHECK(c.scores.psi == 0.0);
    CHECK(c.scores.js == 0.0);
    CHECK(c.scores.hellinger == 0.0);
    CHECK(c.scores.ksPValue == 1.0);
    CHECK(c.verdicts.psi == Verdict::Ok);
}

TEST_CASE("Disjoint support scores the maximum distances", "[drift][distances]")
{
    CHECK(checkCases({"disjoint support"}) == 1);
    const Comparison c = compareWindows(window(findCase("disjoint support").value("reference")),
                                        window(findCase("disjoint support").value("current")));
    CHECK(c.scores.ks == 1.0);
    CHECK(c.scores.js == Approx(1.0));
    CHECK(c.scores.hellinger == Approx(1.0));
}

TEST_CASE("Empty buckets take the PSI floor in one window and count nothing in both", "[drift][distances]")
{
    CHECK(checkCases({"a bucket empty in the current window only", "a bucket empty in the reference window only",
                "a bucket empty in both windows"}) == 3);
}

TEST_CASE("Tiny, fractional and very large counts", "[drift][distances]")
{
    CHECK(checkCases({"tiny counts, one observation each", "tiny counts, two and three observations",
                "fractional counts from increase()", "very large counts",
                "very large counts, p-value far below 1e-300"}) == 5);
}

TEST_CASE("Many buckets, mass in +Inf, negative and zero bounds", "[drift][distances]")
{
    CHECK(checkCases({"50 buckets", "50 buckets, a large shift", "mass in the +Inf bucket",
                "all mass in the +Inf bucket of the current window", "negative and zero bounds",
                "a first bound of zero", "a negative first bound", "a single finite bound",
                "counts in scientific notation for le"}) == 9);
}

TEST_CASE("The KS p-value on both sides of the series switch", "[drift][distances]")
{
    CHECK(checkCases({"KS p-value in the small-x series", "KS p-value in the large-x series"}) == 2);
    for (const QJsonValue &v : fixtureRoot().value(QLatin1String("kolmogorov")).toArray()) {
        const double x = v.toObject().value(QLatin1String("x")).toDouble();
        INFO("x = " << x);
        CHECK(kolmogorovSurvival(x) == close(v.toObject().value(QLatin1String("q")).toDouble()));
    }
}

TEST_CASE("Buckets in any le order give the same scores", "[drift][distances]")
{
    CHECK(checkCases({"unsorted le", "unsorted le in two scrapes"}) == 2);
    // The same buckets sorted by their bound must give bit-identical scores:
    // validation sorts by le before anything is summed.
    const QJsonObject c = findCase("unsorted le");
    auto sortedByLe = [](const QJsonValue &side) {
        QJsonArray a = side.toArray();
        std::vector<QJsonValue> rows(a.begin(), a.end());
        std::sort(rows.begin(), rows.end(), [](const QJsonValue &x, const QJsonValue &y) {
            bool ok = false;
            return parseLe(x.toObject().value(QLatin1String("le")).toString(), &ok)
                   < parseLe(y.toObject().value(QLatin1String("le")).toString(), &ok);
        });
        QJsonArray out;
        for (const QJsonValue &r : rows)
            out.append(r);
        return out;
    };
    const QJsonArray refSorted = sortedByLe(c.value(QLatin1String("reference")));
    const QJsonArray curSorted = sortedByLe(c.value(QLatin1String("current")));
    REQUIRE(refSorted != c.value(QLatin1String("reference")).toArray()); // the case really is shuffled
    const Comparison shuffled = compareWindows(window(c.value(QLatin1String("reference"))),
                                               window(c.value(QLatin1String("current"))));
    const Comparison sorted = compareWindows(window(refSorted), window(curSorted));
    REQUIRE(shuffled.status == Status::Ok);
    REQUIRE(sorted.status == Status::Ok);
    CHECK(shuffled.scores.psi == sorted.scores.psi);
    CHECK(shuffled.scores.ks == sorted.scores.ks);
    CHECK(shuffled.scores.ksPValue == sorted.scores.ksPValue);
    CHECK(shuffled.scores.js == sorted.scores.js);
    CHECK(shuffled.scores.hellinger == sorted.scores.hellinger);
    CHECK(shuffled.scores.wasserstein == sorted.scores.wasserstein);
    CHECK(shuffled.scores.wassersteinNormed == sorted.scores.wassersteinNormed);
    // Reversed, too: no order is special.
    QJsonArray refReversed, curReversed;
    for (qsizetype i = refSorted.size() - 1; i >= 0; --i)
        refReversed.append(refSorted[i]);
    for (qsizetype i = curSorted.size() - 1; i >= 0; --i)
        curReversed.append(curSorted[i]);
    const Comparison reversed = compareWindows(window(refReversed), window(curReversed));
    CHECK(reversed.scores.psi == sorted.scores.psi);
    CHECK(reversed.scores.wasserstein == sorted.scores.wasserstein);
}

TEST_CASE("Cumulative counts may dip within a relative 1e-12 and no further", "[drift][validation]")
{
    CHECK(checkCases({"cumulative counts dipping within the tolerance", "error: cumulative counts decrease",
                "error: cumulative counts decrease beyond the tolerance"}) == 3);
}

TEST_CASE("An empty window is insufficient data, not an error", "[drift][validation]")
{
    CHECK(checkCases({"an empty reference window", "an empty current window", "scrapes with no new observations"}) == 3);
}

TEST_CASE("Every validation error has its error kind", "[drift][validation]")
{
    CHECK(checkCases({"error: no +Inf bucket", "error: no buckets at all", "error: two +Inf buckets",
                "error: duplicate le written two ways", "error: only the +Inf bucket",
                "error: different bucket layouts", "error: a negative count", "error: an le that is not a number",
                "error: an le of NaN", "error: a NaN count", "error: an infinite count",
                "error: a count that is not a number"}) == 12);
    // The strings scripts match on (issue 4), exactly.
    CHECK(errorKindName(ErrorKind::NonMonotoneCumulative) == "non_monotone_cumulative");
    CHECK(errorKindName(ErrorKind::MissingInfBucket) == "missing_inf_bucket");
    CHECK(errorKindName(ErrorKind::DuplicateLe) == "duplicate_le");
    CHECK(errorKindName(ErrorKind::NoFiniteBucket) == "no_finite_bucket");
    CHECK(errorKindName(ErrorKind::BucketLayoutMismatch) == "bucket_layout_mismatch");
    CHECK(errorKindName(ErrorKind::NegativeCount) == "negative_count");
    CHECK(errorKindName(ErrorKind::BadLe) == "bad_le");
    CHECK(errorKindName(ErrorKind::BadCount) == "bad_count");
}

TEST_CASE("A window from two scrapes, and the end scrape after a counter reset", "[drift][window]")
{
    CHECK(checkCases({"a window from two scrapes", "a counter reset between scrapes", "a counter reset in one bucket only",
                "error: scrapes with different layouts", "error: a window that is not a histogram",
                "error: a bad le in the end scrape"}) == 6);
    const QList<BucketSample> start{{"1", 10}, {"+Inf", 20}};
    const WindowResult grown = windowFromScrapes(start, {{"1", 15}, {"+Inf", 27}});
    REQUIRE(grown.ok());
    CHECK_FALSE(grown.counterReset);
    CHECK(grown.window.counts == std::vector<double>{5, 2});
    const WindowResult reset = windowFromScrapes(start, {{"1", 3}, {"+Inf", 4}});
    REQUIRE(reset.ok());
    CHECK(reset.counterReset);
    CHECK(reset.window.counts == std::vector<double>{3, 1});
}

TEST_CASE("Verdicts use the documented default thresholds", "[drift][verdict]")
{
    const Thresholds t;
    CHECK(t.psi.warning == 0.1);
    CHECK(t.psi.drift == 0.2);
    CHECK(t.ksPValue.drift == 0.05);
    CHECK(t.js.drift == 0.1);
    CHECK(t.hellinger.drift == 0.1);
    CHECK(t.wassersteinNormed.drift == 0.1);
    CHECK(t.datasetDriftShare == 0.5);
    // Evidently compares `score >= threshold` and `p_value <= threshold`.
    CHECK(judgeDistance(0.0999, t.psi) == Verdict::Ok);
    CHECK(judgeDistance(0.1, t.psi) == Verdict::Warning);
    CHECK(judgeDistance(0.2, t.psi) == Verdict::Drift);
    CHECK(judgeDistance(0.0999, t.js) == Verdict::Ok);
    CHECK(judgeDistance(0.1, t.js) == Verdict::Drift);
    CHECK(judgePValue(0.05, t.ksPValue) == Verdict::Drift);
    CHECK(judgePValue(0.0501, t.ksPValue) == Verdict::Ok);
}

TEST_CASE("Thresholds are configurable", "[drift][verdict]")
{
    Thresholds t;
    t.psi = Threshold{0.01, 0.02};
    DriftScores s;
    s.psi = 0.015;
    s.ksPValue = 1.0;
    CHECK(judge(s, t).psi == Verdict::Warning);
    s.psi = 0.05;
    CHECK(judge(s, t).psi == Verdict::Drift);
}

TEST_CASE("Dataset drift when at least half the features drifted", "[drift][verdict]")
{
    Verdicts drifted;
    drifted.psi = Verdict::Drift;
    Verdicts warned;
    warned.psi = Verdict::Warning;
    const Verdicts ok;
    CHECK(judgeDataset({drifted, ok}).drift);
    CHECK(judgeDataset({drifted, ok}).share == 0.5);
    CHECK_FALSE(judgeDataset({drifted, ok, ok}).drift);
    CHECK_FALSE(judgeDataset({warned, warned}).drift); // a warning is not drift
    CHECK_FALSE(judgeDataset({}).drift);
    Thresholds byKs;
    byKs.primary = Method::Ks;
    CHECK_FALSE(judgeDataset({drifted, drifted}, byKs).drift);
}

TEST_CASE("Hellinger keeps its precision for nearly equal windows", "[drift][distances]")
{
    // Through 1 - sum sqrt(p q) this would be sqrt of a rounding error.
    const std::vector<double> p{0.5, 0.5};
    const std::vector<double> q{0.5 + 1e-12, 0.5 - 1e-12};
    // Each sqrt moves by ~1e-12 / sqrt(2): the distance is ~1e-12 / sqrt(2).
    const double expected = 1e-12 / std::sqrt(2.0);
    CHECK(hellinger(p, q) == Approx(expected).epsilon(1e-3));
}

TEST_CASE("Every generated case matches the generator", "[drift][distances]")
{
    // A case added to the generator and not yet listed above is checked here.
    QSet<QString> all;
    for (const QJsonValue &v : fixtureRoot().value(QLatin1String("cases")).toArray())
        all.insert(v.toObject().value(QLatin1String("name")).toString());
    REQUIRE(all.size() >= 40);
    for (const QString &name : all) {
        if (!checkedNames().contains(name))
            checkCase(name); // also counts when the test is run alone
    }
    CHECK(checkedNames().contains(all));
}

TEST_CASE("An le reads to the same bound on the fast path as through QString::toDouble", "[drift][validation]")
{
    // What parseLe gave before it had a fast path for plain ASCII numbers:
    // the reference the fast path must agree with, bit for bit, and on what
    // it refuses.
    auto general = [](const QString &le, bool *ok) {
        const QString t = le.trimmed();
        if (t == QLatin1String("+Inf") || t == QLatin1String("Inf") || t == QLatin1String("inf")
            || t == QLatin1String("+inf")) {
            *ok = true;
            return std::numeric_limits<double>::infinity();
        }
        double v = t.isEmpty() ? std::numeric_limits<double>::quiet_NaN() : t.toDouble(ok);
        if (t.isEmpty())
            *ok = false;
        if (std::isnan(v) || v == -std::numeric_limits<double>::infinity())
            *ok = false;
        return v;
    };
    QStringList les{"0.5", "1", "1.0", "+1", "-1", "-0", "0", "1e+06", "1E6", "2.5e-3", ".5", "5.", "+.25", "1e308",
                    "1e309", "-1e309", "1e-400", "4.9e-324", "2.2250738585072014e-308", "+Inf", "Inf", "inf", "+inf",
                    "-Inf", "NaN", "nan", " 0.5", "0.5 ", "\t1", "", "+", "-", ".", "e5", "1e", "1e+", "0x10", "1,5",
                    "+-1", "--1", "1..2", "abc", "0.1\u00e9", "\u0661", "00.5", "0.30000000000000004",
                    "123456789012345678901234567890"};
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int i = 0; i < 2000; ++i) {
        const double v = unit(rng) * std::pow(10.0, double(int(rng() % 40) - 20));
        les << QString::number(v, 'g', 17) << QString::number(v, 'e', int(rng() % 17)) << QString::number(v, 'f', 6);
    }
    for (const QString &le : les) {
        INFO("le=\"" << le.toStdString() << "\"");
        bool fastOk = false, generalOk = false;
        const double fast = parseLe(le, &fastOk);
        const double reference = general(le, &generalOk);
        REQUIRE(fastOk == generalOk);
        if (generalOk)
            CHECK(std::memcmp(&fast, &reference, sizeof fast) == 0); // the same bits: -0 stays -0
    }
}
