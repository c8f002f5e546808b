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

TEST_CASE("Decimation never hands over more than two points per pixel, ends included", "[decimate][issue7]")
{
    // Issue 7's bound: points per series <= 2 x the plot width, whatever the
    // range, with samples before and after the range clamped to its edges.
    QList<Sample> s;
    for (int i = 0; i < 50'000; ++i)
        s.append({qint64(i) * 15'000, std::sin(i / 37.0) + (i % 1000 == 7 ? 5.0 : 0.0)});
    for (int pixels : {2, 3, 100, 501, 800, 1920}) {
        for (auto [from, to] : {std::pair<qint64, qint64>{0, 50'000LL * 15'000}, {100'000'000, 400'000'000},
                                {-1'000'000'000, 2'000'000'000'000}, {300'000'000, 300'600'000}}) {
            QList<Sample> in;
            for (const Sample &x : s)
                if (x.t >= from && x.t <= to)
                    in.append(x);
            const auto out = decimateMinMax(in, from, to, pixels);
            INFO("pixels " << pixels << " from " << from << " to " << to);
            CHECK(out.size() <= 2 * pixels);
            if (!in.isEmpty()) {
                CHECK(out.first().x() == double(in.first().t));
                CHECK(out.last().x() == double(in.last().t));
                const auto [lo, hi] = std::minmax_element(in.begin(), in.end(), [](auto a, auto b) { return a.v < b.v; });
                const auto [olo, ohi] = std::minmax_element(out.begin(), out.end(), [](auto a, auto b) { return a.y() < b.y(); });
                CHECK(olo->y() == lo->v);
                CHECK(ohi->y() == hi->v);
            }
        }
    }
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
