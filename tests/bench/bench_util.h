// SPDX-License-Identifier: GPL-3.0-or-later
// What every benchmark shares: a run count from the command line, a wall
// clock, medians, and how busy the machine was (the numbers are only
// comparable between runs at similar load).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace vigil::bench {

// RUNS from argv[1]; `fallback` when absent. VIGIL_BENCH_SHORT=1 (CI) caps it
// at 3 so the benchmark proves it still runs without taking long.
inline int runsFromArgs(int argc, char **argv, int fallback)
{
    int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : fallback;
    if (const char *s = std::getenv("VIGIL_BENCH_SHORT"); s && *s && *s != '0')
        runs = std::min(runs, 3);
    return runs;
}

inline bool shortMode()
{
    const char *s = std::getenv("VIGIL_BENCH_SHORT");
    return s && *s && *s != '0';
}

using Clock = std::chrono::steady_clock;

inline double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stats
{
    double median = 0, min = 0, max = 0, p99 = 0;
};

inline Stats stats(std::vector<double> xs)
{
    Stats s;
    if (xs.empty())
        return s;
    std::sort(xs.begin(), xs.end());
    const size_t n = xs.size();
    s.median = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    s.min = xs.front();
    s.max = xs.back();
    // Nearest rank.
    s.p99 = xs[std::min(n - 1, size_t(double(n) * 0.99))];
    return s;
}

// The 1-minute load average, from /proc/loadavg.
inline double loadAverage()
{
    std::ifstream f("/proc/loadavg");
    double l = -1;
    f >> l;
    return l;
}

inline void printLoad(const char *when)
{
    std::printf("load average (%s): %.2f\n", when, loadAverage());
}

} // namespace vigil::bench
