// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <cmath>
#include <cstdint>
#include <string_view>

namespace vigil::demo {

// The fleet's own PRNG: xoshiro256** seeded through splitmix64 (both public-domain
// algorithms by Blackman and Vigna, written out here from their published
// description). We do not use <random> distributions: their output is not
// specified by the standard and differs between standard libraries, and the demo
// must produce the same series for the same seed on every machine.
class Random
{
public:
    explicit Random(quint64 seed)
    {
        quint64 x = seed;
        for (auto &s : m_state)
            s = splitMix64(x);
    }

    static quint64 splitMix64(quint64 &x)
    {
        x += 0x9E3779B97F4A7C15ULL;
        quint64 z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // FNV-1a: a stable hash for deriving per-series seeds. qHash is randomised per
    // process, so it must not be used for anything that has to be reproducible.
    static quint64 stableHash(std::string_view text)
    {
        quint64 h = 0xCBF29CE484222325ULL;
        for (unsigned char c : text) {
            h ^= c;
            h *= 0x100000001B3ULL;
        }
        return h;
    }

    quint64 next()
    {
        const quint64 result = rotl(m_state[1] * 5, 7) * 9;
        const quint64 t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    // Uniform in [0, 1): the top 53 bits make an exactly representable double.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

    // Standard normal by Box-Muller. Only basic libm functions, which glibc
    // computes identically on every x86-64 / arm64 machine we ship to.
    double normal()
    {
        if (m_haveSpare) {
            m_haveSpare = false;
            return m_spare;
        }
        double u1 = uniform();
        while (u1 <= 0.0)
            u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double theta = 2.0 * M_PI * u2;
        m_spare = r * std::sin(theta);
        m_haveSpare = true;
        return r * std::cos(theta);
    }

    double normal(double mean, double sigma) { return mean + sigma * normal(); }

    // Log-normal given its median (exp(mu)) and the sigma of its logarithm.
    double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

    // Poisson by inversion for small means (link counts), normal approximation for
    // large ones (requests per tick), which is indistinguishable at that size.
    quint64 poisson(double mean)
    {
        if (mean <= 0.0)
            return 0;
        if (mean > 30.0) {
            const double v = std::round(normal(mean, std::sqrt(mean)));
            return v < 0.0 ? 0 : quint64(v);
        }
        const double limit = std::exp(-mean);
        quint64 k = 0;
        double p = uniform();
        while (p > limit) {
            ++k;
            p *= uniform();
        }
        return k;
    }

    // Binomial(n, p): exact for small n, normal approximation for large n.
    quint64 binomial(quint64 n, double p)
    {
        if (n == 0 || p <= 0.0)
            return 0;
        if (p >= 1.0)
            return n;
        if (n > 200) {
            const double mean = double(n) * p;
            const double v = std::round(normal(mean, std::sqrt(mean * (1.0 - p))));
            return v < 0.0 ? 0 : (v > double(n) ? n : quint64(v));
        }
        quint64 k = 0;
        for (quint64 i = 0; i < n; ++i)
            k += uniform() < p ? 1 : 0;
        return k;
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }

    quint64 m_state[4];
    double m_spare = 0.0;
    bool m_haveSpare = false;
};

} // namespace vigil::demo
