// SPDX-License-Identifier: GPL-3.0-or-later
// Streaming change detectors against River's documented examples (River 0.21
// docstrings of drift.PageHinkley, drift.ADWIN and drift.binary.DDM) and their
// defaults. The example streams are built with Python's random module exactly
// as the docs build them (tests/tools/gen_drift_cases.py writes them to
// tests/fixtures/drift/river_*.txt), so the documented indices must come out.
#include <catch2/catch.hpp>

#include "drift/detect_replay.h"
#include "drift/detectors.h"

#include <QFile>

using namespace vigil::drift;

namespace {

std::vector<double> riverStream(const char *name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/drift/") + QLatin1String(name));
    REQUIRE(f.open(QIODevice::ReadOnly));
    const SeriesInput in = parseSeries(f.readAll(), QLatin1String(name));
    REQUIRE(in.ok());
    REQUIRE(in.values.size() == 2000);
    return in.values;
}

std::vector<qsizetype> drifts(ChangeDetector &d, const std::vector<double> &values)
{
    return replay(d, values).drifts;
}

} // namespace

// ---- River's documented examples ----

TEST_CASE("Page-Hinkley reproduces River's example: change at index 1006, value 5", "[drift][detectors][river]")
{
    // rng = random.Random(12345); rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    const std::vector<double> stream = riverStream("river_two_distributions_12345.txt");
    PageHinkley ph;
    CHECK(drifts(ph, stream) == std::vector<qsizetype>{1006});
    CHECK(stream[1006] == 5.0);
}

TEST_CASE("ADWIN reproduces River's example: change at index 1023, value 4", "[drift][detectors][river]")
{
    const std::vector<double> stream = riverStream("river_two_distributions_12345.txt");
    Adwin adwin;
    CHECK(drifts(adwin, stream) == std::vector<qsizetype>{1023});
    CHECK(stream[1023] == 4.0);
}

TEST_CASE("DDM reproduces River's example: warning 1084, change 1334, warning 1492", "[drift][detectors][river]")
{
    // rng = random.Random(42); rng.choices([0, 1], k=1000)
    //   + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])
    // The doc prints the first warning, every change, and the first warning after each change.
    const std::vector<double> stream = riverStream("river_ddm_42.txt");
    Ddm ddm;
    std::vector<qsizetype> printed;
    bool printWarning = true;
    std::vector<qsizetype> changes;
    for (size_t i = 0; i < stream.size(); ++i) {
        ddm.update(stream[i]);
        if (ddm.warningDetected() && printWarning) {
            printed.push_back(qsizetype(i));
            printWarning = false;
        }
        if (ddm.driftDetected()) {
            changes.push_back(qsizetype(i));
            printWarning = true;
        }
    }
    CHECK(printed == std::vector<qsizetype>{1084, 1492});
    CHECK(changes == std::vector<qsizetype>{1334});
}

TEST_CASE("Detector defaults are River's", "[drift][detectors][river]")
{
    const PageHinkley::Params ph;
    CHECK(ph.minInstances == 30);
    CHECK(ph.delta == 0.005);
    CHECK(ph.threshold == 50.0);
    CHECK(ph.alpha == 1 - 0.0001);
    CHECK(ph.mode == PageHinkley::Mode::Both);
    const Adwin::Params ad;
    CHECK(ad.delta == 0.002);
    CHECK(ad.clock == 32);
    CHECK(ad.maxBuckets == 5);
    CHECK(ad.minWindowLength == 5);
    CHECK(ad.gracePeriod == 10);
    const Ddm::Params ddm;
    CHECK(ddm.warmStart == 30);
    CHECK(ddm.warningThreshold == 2.0);
    CHECK(ddm.driftThreshold == 3.0);
}

// ---- River's semantics, on hand-checked streams ----

TEST_CASE("Drift is flagged on the detecting update only, and the next update starts afresh", "[drift][detectors]")
{
    // Page-Hinkley, up only, no warm-up, threshold 0.5, no forgetting, delta 0.
    // x = 0, 0, 1: the mean is 1/3 after the 1, the deviation 2/3 > 0.5, so
    // update 2 flags drift. Update 3 (x = 1) resets first: mean 1, deviation 0.
    PageHinkley ph({1, 0.0, 0.5, 1.0, PageHinkley::Mode::Up});
    ph.update(0);
    ph.update(0);
    CHECK_FALSE(ph.driftDetected());
    ph.update(1);
    CHECK(ph.driftDetected());
    ph.update(1);
    CHECK_FALSE(ph.driftDetected());
    ph.update(1);
    CHECK_FALSE(ph.driftDetected());
}

TEST_CASE("Page-Hinkley modes watch increases, decreases or both", "[drift][detectors]")
{
    // Each replay gets a fresh detector: replay() continues from the state a
    // detector is in, like any stream (see "reset() gives back a fresh detector").
    auto run = [](PageHinkley::Mode mode, const std::vector<double> &stream) {
        PageHinkley ph({30, 0.005, 50, 1 - 0.0001, mode});
        return drifts(ph, stream);
    };
    // A drop from 10 to 0 after 50 values: only "down" and "both" see it.
    std::vector<double> drop(50, 10.0);
    drop.insert(drop.end(), 200, 0.0);
    CHECK(run(PageHinkley::Mode::Up, drop).empty());
    CHECK(run(PageHinkley::Mode::Down, drop) == std::vector<qsizetype>{55});
    CHECK(run(PageHinkley::Mode::Both, drop) == std::vector<qsizetype>{55});
    // A rise from 0 to 10: only "up" and "both" see it, at the same update.
    std::vector<double> rise(50, 0.0);
    rise.insert(rise.end(), 200, 10.0);
    CHECK(run(PageHinkley::Mode::Down, rise).empty());
    CHECK_FALSE(run(PageHinkley::Mode::Up, rise).empty());
    CHECK(run(PageHinkley::Mode::Both, rise) == run(PageHinkley::Mode::Up, rise));
    // The default detector is the two-sided one.
    PageHinkley byDefault;
    CHECK(drifts(byDefault, drop) == std::vector<qsizetype>{55});
}

TEST_CASE("Page-Hinkley waits for min_instances values", "[drift][detectors]")
{
    // A huge jump at index 5 would trip the test at once; the 30-value warm-up holds it.
    std::vector<double> stream(5, 0.0);
    stream.insert(stream.end(), 100, 1000.0);
    PageHinkley ph;
    const std::vector<qsizetype> d = drifts(ph, stream);
    REQUIRE_FALSE(d.empty());
    CHECK(d.front() == 29); // the 30th value
}

TEST_CASE("DDM with a zero-error baseline flags the first error", "[drift][detectors]")
{
    // warm_start 2: at n = 3 p = s = 0 sets p_min = s_min = 0; at n = 4 one
    // error gives p + s = 0.25 + sqrt(0.25 * 0.75 / 4) > 0: drift at index 3.
    Ddm ddm({2, 2.0, 3.0});
    CHECK(drifts(ddm, {0, 0, 0, 1, 0, 0}) == std::vector<qsizetype>{3});
}

TEST_CASE("DDM consumes the value after a drift as the first of the new concept", "[drift][detectors]")
{
    // Drift at index 3 as above. Index 4 resets, then counts its 0 (n = 1);
    // index 6 is n = 3 > warm_start and sets p_min = s_min = 0; the error at
    // index 7 is drift again. Had index 4 only reset, index 7 would be n = 3
    // and just set the minimum: no second drift.
    Ddm ddm({2, 2.0, 3.0});
    CHECK(drifts(ddm, {0, 0, 0, 1, 0, 0, 0, 1}) == std::vector<qsizetype>{3, 7});
}

TEST_CASE("ADWIN looks for cuts every 32 values and then drops the old window", "[drift][detectors]")
{
    // A step from 0 to 1 at index 1000: the first look after it is update 1024
    // (index 1023); after the drift the detector starts over on constant 1s.
    std::vector<double> stream(1000, 0.0);
    stream.insert(stream.end(), 1000, 1.0);
    Adwin adwin;
    const std::vector<qsizetype> d = drifts(adwin, stream);
    REQUIRE(d.size() == 1);
    CHECK(d.front() % 32 == 31);
    CHECK(d.front() >= 1023);
    CHECK(d.front() < 1100);
    CHECK(adwin.width() == double(stream.size() - size_t(d.front()) - 1));
    CHECK(adwin.estimation() == 1.0);
}

TEST_CASE("A constant series never drifts", "[drift][detectors]")
{
    const std::vector<double> stream(3000, 0.25);
    PageHinkley ph;
    Adwin adwin;
    CHECK(drifts(ph, stream).empty());
    CHECK(drifts(adwin, stream).empty());
    CHECK(adwin.width() == 3000.0);
    CHECK(adwin.total() == Approx(750.0));
    CHECK(adwin.variance() == Approx(0.0).margin(1e-9));
}

TEST_CASE("reset() gives back a fresh detector", "[drift][detectors]")
{
    const std::vector<double> stream = riverStream("river_two_distributions_12345.txt");
    Adwin adwin;
    replay(adwin, std::vector<double>(stream.begin(), stream.begin() + 500));
    adwin.reset();
    CHECK(adwin.width() == 0.0);
    CHECK(drifts(adwin, stream) == std::vector<qsizetype>{1023});
}

TEST_CASE("Detectors are made by name with River's parameter names", "[drift][detectors]")
{
    QString error;
    auto ph = makeDetector(QStringLiteral("page-hinkley"),
                           {{"threshold", "20"}, {"mode", "up"}, {"min_instances", "10"}}, &error);
    REQUIRE(ph);
    const auto &p = dynamic_cast<PageHinkley &>(*ph).params();
    CHECK(p.threshold == 20.0);
    CHECK(p.mode == PageHinkley::Mode::Up);
    CHECK(p.minInstances == 10);
    CHECK(p.alpha == 1 - 0.0001);
    auto ad = makeDetector(QStringLiteral("adwin"), {{"delta", "0.01"}, {"clock", "1"}}, &error);
    REQUIRE(ad);
    CHECK(dynamic_cast<Adwin &>(*ad).params().clock == 1);
    auto ddm = makeDetector(QStringLiteral("ddm"), {{"warm_start", "50"}}, &error);
    REQUIRE(ddm);
    CHECK(dynamic_cast<Ddm &>(*ddm).params().warmStart == 50);

    CHECK_FALSE(makeDetector(QStringLiteral("cusum"), {}, &error));
    CHECK(error.contains("unknown detector"));
    CHECK_FALSE(makeDetector(QStringLiteral("adwin"), {{"threshold", "3"}}, &error));
    CHECK(error.contains("adwin has no parameter threshold"));
    CHECK_FALSE(makeDetector(QStringLiteral("page-hinkley"), {{"mode", "sideways"}}, &error));
    CHECK(error.contains("up, down or both"));
    CHECK_FALSE(makeDetector(QStringLiteral("adwin"), {{"delta", "2"}}, &error));
    CHECK_FALSE(makeDetector(QStringLiteral("ddm"), {{"warm_start", "x"}}, &error));
}
