#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected Mann-Whitney U values for Vigil's canary judge, computed independently of the C++.

Writes tests/fixtures/canary/mann_whitney_cases.json: pairs of samples (canary,
baseline) with scipy's U statistic of the canary, its two-sided p-value and both
medians. tests/unit/test_canary_judge.cpp checks core/compare/canary_judge.cpp
against every case.

Rerun after changing a case, from the repository root, with Debian's python3
(scipy 1.10, numpy 1.24; the pyenv python on PATH has no scipy):

    /usr/bin/python3 tests/tools/gen_canary_cases.py

and commit the regenerated file. The output is deterministic (fixed seeds).

How each value is computed here:
  u        scipy.stats.mannwhitneyu(canary, baseline, alternative="two-sided",
           method="asymptotic", use_continuity=True).statistic   (U of the first sample)
  p        the same call's pvalue (normal approximation, tie correction,
           continuity correction 0.5, clipped to 1)
  median_* numpy.median
scipy refuses empty samples, so "no data" is specified by hand in the C++ tests.
"""
import json
import os
import warnings

import numpy as np
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "canary", "mann_whitney_cases.json")


def rounded(values, digits=6):
    return [round(float(v), digits) for v in values]


def case(name, canary, baseline, note):
    canary, baseline = rounded(canary), rounded(baseline)
    with warnings.catch_warnings():
        # Identical constant samples divide by a zero deviation: scipy warns
        # and answers p = 1, which is what the case pins down.
        warnings.simplefilter("ignore", RuntimeWarning)
        r = stats.mannwhitneyu(canary, baseline, alternative="two-sided", method="asymptotic",
                               use_continuity=True)
    return {
        "name": name,
        "note": note,
        "canary": canary,
        "baseline": baseline,
        "u": float(r.statistic),
        "p": float(r.pvalue),
        "median_canary": float(np.median(canary)),
        "median_baseline": float(np.median(baseline)),
    }


def main():
    rng = np.random.default_rng(20261129)
    cases = [
        case("same_distribution_30", rng.normal(0.120, 0.01, 30), rng.normal(0.120, 0.01, 30),
             "two draws of one normal: no difference expected"),
        case("shift_up_30", rng.normal(0.150, 0.01, 30), rng.normal(0.120, 0.01, 30),
             "canary latency 25 % higher: tiny p"),
        case("shift_down_30", rng.normal(0.090, 0.01, 30), rng.normal(0.120, 0.01, 30),
             "canary latency 25 % lower"),
        case("unequal_sizes", rng.normal(0.130, 0.02, 12), rng.normal(0.120, 0.02, 45),
             "12 canary intervals against 45 baseline"),
        case("ties_integers", rng.integers(0, 5, 25), rng.integers(1, 6, 25),
             "small integer counts: many ties across both samples"),
        case("ties_half", [1, 1, 1, 2, 2, 3, 3, 3, 3, 4], [2, 2, 2, 3, 3, 4, 4, 4, 5, 5],
             "hand-sized tie groups"),
        case("tiny_one_each", [2.0], [1.0], "one sample per side"),
        case("tiny_two_three", [0.3, 0.5], [0.1, 0.2, 0.4], "two against three"),
        case("tiny_three_each_separated", [4, 5, 6], [1, 2, 3],
             "three each, completely separated: still p > 0.05"),
        case("identical_samples", [0.1, 0.2, 0.2, 0.3, 0.5], [0.1, 0.2, 0.2, 0.3, 0.5],
             "the same values on both sides: U = n1 n2 / 2, p = 1"),
        case("constant_equal", [0.25] * 12, [0.25] * 12,
             "every value equal: zero variance, scipy answers p = 1"),
        case("constant_different", [0.3] * 12, [0.25] * 12,
             "two constants: all pairs one way, tie correction over two groups"),
        case("error_ratio_burst", np.concatenate([rng.uniform(0.002, 0.004, 10), rng.uniform(0.07, 0.09, 10)]),
             rng.uniform(0.002, 0.004, 20), "an error burst in half of the canary intervals"),
        case("large_200", rng.lognormal(-2.0, 0.3, 200), rng.lognormal(-2.05, 0.3, 200),
             "200 intervals, a small shift"),
        case("extreme_separation_60", rng.normal(10, 0.1, 60), rng.normal(1, 0.1, 60),
             "far tail: p around 1e-20"),
        case("with_zeros", [0, 0, 0, 0.001, 0, 0.002, 0, 0, 0, 0], [0] * 10,
             "error ratios that are mostly zero"),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/tools/gen_canary_cases.py",
                   "scipy": __import__("scipy").__version__,
                   "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
