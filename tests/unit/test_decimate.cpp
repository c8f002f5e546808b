// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "series/decimate.h"

#include <cmath>

using namespace vigil;

TEST_CASE("Decimation passes small series through, skipping NaN", "[decimate]")
{
    const QList<Sample> s{{0, 1}, {1000, std::nan("")}, {2000, 3}};
    const auto out = decimateMinMax(s, 0, 2000, 100);
    REQUIRE(out.size() == 2);
    CHECK(out[1] == QPointF(2000, 3));
}

TEST_CASE("Decimation keeps at most two points per pixel plus the ends", "[decimate]")
{
    QList<Sample> s;
    for (int i = 0; i < 100'000; ++i)
        s.append({i, std::sin(i / 100.0)});
    const auto out = decimateMinMax(s, 0, 99'999, 500);
    CHECK(out.size() <= 2 * 500 + 2);
    CHECK(out.size() >= 500);
    CHECK(out.first().x() == 0);
    CHECK(out.last().x() == 99'999);
    for (qsizetype i = 1; i < out.size(); ++i)
        CHECK(out[i].x() > out[i - 1].x());
}

TEST_CASE("Decimation keeps a one-sample spike and a dip visible", "[decimate]")
{
    QList<Sample> s;
    for (int i = 0; i < 10'000; ++i)
        s.append({i, 1.0});
    s[4321].v = 50.0;
    s[7777].v = -20.0;
    const auto out = decimateMinMax(s, 0, 9'999, 100);
    const auto maxIt = std::max_element(out.begin(), out.end(), [](auto a, auto b) { return a.y() < b.y(); });
    const auto minIt = std::min_element(out.begin(), out.end(), [](auto a, auto b) { return a.y() < b.y(); });
    CHECK(maxIt->y() == 50.0);
    CHECK(maxIt->x() == 4321);
    CHECK(minIt->y() == -20.0);
    CHECK(minIt->x() == 7777);
}
