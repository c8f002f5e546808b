#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected values for Vigil's drift distances, computed independently of the C++.

Writes tests/fixtures/drift/cases.json (histogram pairs with the expected
status, error kind, scores and verdicts), the `vigil drift` CLI fixtures
(cli_*.json, with cli_expected.json), and the River example streams
(river_*.txt) that tests/unit/test_detectors.cpp replays.

Rerun after changing a case, from the repository root, with Debian's python3
(scipy 1.10, numpy 1.24; the pyenv python on PATH has no scipy):

    /usr/bin/python3 tests/tools/gen_drift_cases.py

and commit the regenerated files. The output is deterministic.

How each value is computed here (on purpose with library routines, not the
C++'s loops):
  psi                numpy, zero proportions -> 1e-4, both-empty buckets dropped
  ks                 max |cumsum(p) - cumsum(q)| (numpy)
  ks_pvalue          scipy.special.kolmogorov(sqrt(n_ref n_cur / (n_ref + n_cur)) * ks)
  js                 scipy.spatial.distance.jensenshannon(p, q, base=2)
  hellinger          numpy.linalg.norm(sqrt(p) - sqrt(q)) / sqrt(2)
  wasserstein        scipy.stats.wasserstein_distance(x, x, p, q) on representative points
  wasserstein_normed wasserstein / max(sqrt(numpy.cov(x, aweights=p, bias=True)), 0.001)
Validation errors are specified per case by hand (their kind is the
specification, issue 4); windows from two scrapes are computed here with numpy.
"""
import json
import math
import os
import random

import numpy as np
from scipy import special, stats
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "drift")

INF = "+Inf"


def le_value(le):
    return math.inf if le in ("+Inf", "Inf") else float(le)


def cumulative(les, per_bucket):
    """[{le, count}] with cumulative counts from per-bucket counts (le ascending, last +Inf)."""
    out, running = [], 0.0
    for le, c in zip(les, per_bucket):
        running += c
        out.append({"le": le, "count": running})
    return out


def per_bucket(buckets):
    rows = sorted(((le_value(b["le"]), float(b["count"])) for b in buckets), key=lambda r: r[0])
    bounds = np.array([r[0] for r in rows[:-1]])
    cum = np.array([r[1] for r in rows])
    counts = np.diff(np.concatenate(([0.0], cum)))
    counts[counts < 0] = 0.0  # only within the 1e-12 tolerance in valid cases
    return bounds, counts


def points(bounds):
    x = [bounds[0] / 2 if bounds[0] > 0 else bounds[0]]
    x += [(bounds[i - 1] + bounds[i]) / 2 for i in range(1, len(bounds))]
    x.append(bounds[-1])
    return np.array(x)


def scores(ref_counts, cur_counts, bounds):
    n_ref, n_cur = float(ref_counts.sum()), float(cur_counts.sum())
    p, q = ref_counts / n_ref, cur_counts / n_cur
    keep = ~((p == 0) & (q == 0))
    pp = np.where(p[keep] == 0, 1e-4, p[keep])
    qq = np.where(q[keep] == 0, 1e-4, q[keep])
    psi = float(np.sum((qq - pp) * np.log(qq / pp)))
    ks = float(np.max(np.abs(np.cumsum(p) - np.cumsum(q))))
    pvalue = float(special.kolmogorov(math.sqrt(n_ref * n_cur / (n_ref + n_cur)) * ks))
    js = float(distance.jensenshannon(p, q, base=2))
    hel = float(np.linalg.norm(np.sqrt(p) - np.sqrt(q)) / math.sqrt(2))
    x = points(bounds)
    w = float(stats.wasserstein_distance(x, x, p, q))
    std = float(math.sqrt(np.cov(x, aweights=p, bias=True))) if len(x) > 1 else 0.0
    wn = w / max(std, 0.001)
    return {
        "n_ref": n_ref, "n_cur": n_cur, "psi": psi, "ks": ks, "ks_pvalue": pvalue, "js": js,
        "hellinger": hel, "wasserstein": w, "wasserstein_normed": wn,
    }


def verdicts(s):
    def dist(v, warn, drift):
        return "drift" if v >= drift else ("warning" if warn is not None and v >= warn else "ok")
    return {
        "psi": dist(s["psi"], 0.1, 0.2),
        "ks": "drift" if s["ks_pvalue"] <= 0.05 else "ok",
        "js": dist(s["js"], None, 0.1),
        "hellinger": dist(s["hellinger"], None, 0.1),
        "wasserstein_normed": dist(s["wasserstein_normed"], None, 0.1),
    }


def expect_ok(ref_buckets, cur_buckets):
    rb, rc = per_bucket(ref_buckets)
    cb, cc = per_bucket(cur_buckets)
    assert np.array_equal(rb, cb)
    if rc.sum() == 0 or cc.sum() == 0:
        return {"status": "insufficient_data", "n_ref": float(rc.sum()), "n_cur": float(cc.sum())}
    s = scores(rc, cc, rb)
    return {"status": "ok", **s, "verdicts": verdicts(s)}


def window(start, end):
    """end - start per le, or end when any cumulative counter decreased."""
    s = {le_value(b["le"]): float(b["count"]) for b in start}
    e = {le_value(b["le"]): float(b["count"]) for b in end}
    reset = any(e[k] < s[k] for k in e)
    return [{"le": b["le"], "count": float(b["count"]) if reset else float(b["count"]) - s[le_value(b["le"])]}
            for b in end], reset


CASES = []


def case(name, ref, cur, expected=None):
    """ref/cur: [{le, count}] cumulative, or {"start": [...], "end": [...]}."""
    if expected is None:
        r = window(ref["start"], ref["end"])[0] if isinstance(ref, dict) else ref
        c = window(cur["start"], cur["end"])[0] if isinstance(cur, dict) else cur
        expected = expect_ok(r, c)
    CASES.append({"name": name, "reference": ref, "current": cur, "expected": expected})


def error(kind):
    return {"status": "error", "error_kind": kind}


LES5 = ["0.1", "0.5", "1", "5", INF]

case("identical windows", cumulative(LES5, [10, 20, 30, 40, 0]), cumulative(LES5, [10, 20, 30, 40, 0]))
case("identical shape at another scale", cumulative(LES5, [1, 2, 3, 4, 0]), cumulative(LES5, [100, 200, 300, 400, 0]))
case("disjoint support", cumulative(LES5, [50, 50, 0, 0, 0]), cumulative(LES5, [0, 0, 0, 30, 70]))
case("a bucket empty in the current window only", cumulative(LES5, [10, 20, 30, 40, 5]),
     cumulative(LES5, [12, 0, 33, 41, 4]))
case("a bucket empty in the reference window only", cumulative(LES5, [10, 0, 30, 40, 5]),
     cumulative(LES5, [12, 7, 33, 41, 4]))
case("a bucket empty in both windows", cumulative(LES5, [10, 0, 30, 40, 5]), cumulative(LES5, [12, 0, 25, 41, 4]))
case("tiny counts, one observation each", cumulative(LES5, [0, 1, 0, 0, 0]), cumulative(LES5, [0, 0, 1, 0, 0]))
case("tiny counts, two and three observations", cumulative(LES5, [1, 1, 0, 0, 0]), cumulative(LES5, [0, 1, 1, 1, 0]))

rs = np.random.RandomState(20240601)
les50 = [repr(float(v)) for v in np.round(np.linspace(0.02, 0.98, 49), 2)] + [INF]
ref50 = rs.randint(0, 500, size=50).astype(float)
cur50 = np.clip(ref50 + rs.randint(-120, 120, size=50), 0, None)
case("50 buckets", cumulative(les50, ref50), cumulative(les50, cur50))
case("50 buckets, a large shift", cumulative(les50, ref50), cumulative(les50, ref50[::-1].copy()))

case("mass in the +Inf bucket", cumulative(LES5, [10, 20, 30, 40, 100]), cumulative(LES5, [10, 20, 30, 40, 900]))
case("all mass in the +Inf bucket of the current window", cumulative(LES5, [10, 20, 30, 40, 0]),
     cumulative(LES5, [0, 0, 0, 0, 25]))
LESNEG = ["-5", "-1", "0", "2.5", INF]
case("negative and zero bounds", cumulative(LESNEG, [5, 10, 20, 30, 2]), cumulative(LESNEG, [1, 8, 25, 30, 9]))
case("a first bound of zero", cumulative(["0", "1", "2", INF], [4, 5, 6, 1]), cumulative(["0", "1", "2", INF], [1, 5, 9, 2]))
case("a negative first bound", cumulative(["-3", "-2", INF], [4, 5, 6]), cumulative(["-3", "-2", INF], [1, 5, 9]))
case("a single finite bound", cumulative(["1", INF], [30, 10]), cumulative(["1", INF], [10, 30]))
case("fractional counts from increase()", cumulative(LES5, [12.5, 33.333333333333336, 0.25, 7.75, 1.0 / 3]),
     cumulative(LES5, [10.1, 40.04, 3.3333333333333335, 6.5, 0.6666666666666666]))
case("very large counts", cumulative(LES5, [3e14, 7.2e14, 1.1e15, 4e14, 1e13]),
     cumulative(LES5, [3.1e14, 7e14, 1.12e15, 3.9e14, 1.2e13]))
case("very large counts, p-value far below 1e-300", cumulative(LES5, [3e14, 7.2e14, 1.1e15, 4e14, 1e13]),
     cumulative(LES5, [7.2e14, 3e14, 1.1e15, 4e14, 1e13]))
# x = sqrt(50) * 0.1 = 0.707: below 1, where the C++ switches series.
case("KS p-value in the small-x series", cumulative(LES5, [20, 30, 25, 25, 0]), cumulative(LES5, [30, 30, 20, 20, 0]))
case("KS p-value in the large-x series", cumulative(LES5, [200, 300, 250, 250, 0]),
     cumulative(LES5, [260, 300, 220, 220, 0]))
case("counts in scientific notation for le", cumulative(["1e-3", "1e-2", "1e+06", INF], [3, 4, 5, 6]),
     cumulative(["0.001", "0.01", "1000000", INF], [6, 5, 4, 3]))

shuffled_ref = cumulative(LES5, [10, 20, 30, 40, 5])
shuffled_cur = cumulative(LES5, [12, 7, 33, 41, 4])
case("unsorted le", [shuffled_ref[i] for i in (3, 0, 4, 2, 1)], [shuffled_cur[i] for i in (4, 2, 0, 1, 3)])

# Within the 1e-12 relative tolerance: 1000 then 1000 - 1e-10 (relative 1e-13).
case("cumulative counts dipping within the tolerance",
     [{"le": "0.1", "count": 10}, {"le": "0.5", "count": 1000}, {"le": "1", "count": 1000 - 1e-10},
      {"le": "5", "count": 1500}, {"le": INF, "count": 1500}],
     cumulative(LES5, [12, 900, 33, 41, 4]),
     expect_ok([{"le": "0.1", "count": 10}, {"le": "0.5", "count": 1000}, {"le": "1", "count": 1000},
                {"le": "5", "count": 1500}, {"le": INF, "count": 1500}], cumulative(LES5, [12, 900, 33, 41, 4])))

case("an empty reference window", cumulative(LES5, [0, 0, 0, 0, 0]), cumulative(LES5, [1, 2, 3, 4, 0]))
case("an empty current window", cumulative(LES5, [1, 2, 3, 4, 0]), cumulative(LES5, [0, 0, 0, 0, 0]))

GOOD = cumulative(LES5, [10, 20, 30, 40, 5])
case("error: cumulative counts decrease",
     [{"le": "0.1", "count": 10}, {"le": "0.5", "count": 30}, {"le": "1", "count": 29},
      {"le": "5", "count": 40}, {"le": INF, "count": 40}], GOOD, error("non_monotone_cumulative"))
case("error: cumulative counts decrease beyond the tolerance", GOOD,
     [{"le": "0.1", "count": 10}, {"le": "0.5", "count": 1000}, {"le": "1", "count": 1000 - 1e-8},
      {"le": "5", "count": 1500}, {"le": INF, "count": 1500}], error("non_monotone_cumulative"))
case("error: no +Inf bucket", GOOD[:-1], GOOD, error("missing_inf_bucket"))
case("error: no buckets at all", [], GOOD, error("missing_inf_bucket"))
case("error: two +Inf buckets", GOOD + [{"le": "+Inf", "count": 105}], GOOD, error("duplicate_le"))
case("error: duplicate le written two ways", GOOD, GOOD + [{"le": "1.0", "count": 60}], error("duplicate_le"))
case("error: only the +Inf bucket", [{"le": INF, "count": 10}], [{"le": INF, "count": 12}], error("no_finite_bucket"))
case("error: different bucket layouts", GOOD, cumulative(["0.1", "0.5", "2", "5", INF], [10, 20, 30, 40, 5]),
     error("bucket_layout_mismatch"))
case("error: a negative count", GOOD, [dict(b) for b in GOOD[:2]] + [{"le": "1", "count": -3}] + GOOD[3:],
     error("negative_count"))
case("error: an le that is not a number", [{"le": "abc", "count": 1}] + GOOD, GOOD, error("bad_le"))
case("error: an le of NaN", GOOD, [{"le": "NaN", "count": 1}] + GOOD, error("bad_le"))
case("error: a NaN count", GOOD, GOOD[:1] + [{"le": "0.5", "count": "NaN"}] + GOOD[2:], error("bad_count"))
case("error: an infinite count", [{"le": "0.1", "count": "+Inf"}] + GOOD[1:], GOOD, error("bad_count"))
case("error: a count that is not a number", GOOD[:1] + [{"le": "0.5", "count": "twelve"}] + GOOD[2:], GOOD,
     error("bad_count"))

# Two scrapes of raw counters.
START = cumulative(LES5, [100, 200, 300, 400, 50])
END = cumulative(LES5, [130, 260, 310, 480, 60])
case("a window from two scrapes", {"start": START, "end": END}, {"start": END, "end": cumulative(LES5, [140, 320, 360, 490, 90])})
case("a counter reset between scrapes", {"start": START, "end": END},
     {"start": END, "end": cumulative(LES5, [5, 9, 2, 7, 1])})
# Only le=0.5 went down (390 -> 380): still a reset, the window is the end scrape.
case("a counter reset in one bucket only", {"start": START, "end": END},
     {"start": END, "end": [{"le": "0.1", "count": 140}, {"le": "0.5", "count": 380}, {"le": "1", "count": 820},
                            {"le": "5", "count": 1310}, {"le": INF, "count": 1400}]})
case("scrapes with no new observations", {"start": START, "end": START}, {"start": END, "end": cumulative(LES5, [140, 320, 360, 490, 90])})
case("error: scrapes with different layouts", {"start": START, "end": cumulative(["0.1", "0.5", "2", "5", INF], [1, 2, 3, 4, 5])},
     GOOD, error("bucket_layout_mismatch"))
case("error: a window that is not a histogram",
     {"start": cumulative(LES5, [5, 5, 0, 0, 0]), "end": cumulative(LES5, [8, 2, 0, 0, 0])}, GOOD,
     error("non_monotone_cumulative"))
# Scrapes whose buckets come in different orders: the window pairs them by le.
END2 = cumulative(LES5, [140, 320, 360, 490, 90])
case("unsorted le in two scrapes", {"start": [START[i] for i in (2, 4, 0, 3, 1)], "end": [END[i] for i in (1, 3, 4, 0, 2)]},
     {"start": [END[i] for i in (4, 0, 1, 2, 3)], "end": [END2[i] for i in (3, 2, 1, 0, 4)]})
case("error: a bad le in the end scrape", GOOD, {"start": START, "end": [{"le": "x", "count": 1}] + END},
     error("bad_le"))


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")


def prom_vector(groups):
    """A Prometheus /api/v1/query body with one _bucket series per (labels, le)."""
    result = []
    for labels, buckets in groups:
        for b in buckets:
            metric = {"__name__": "model_feature_value_bucket", **labels, "le": b["le"]}
            result.append({"metric": metric, "value": [1717243200.0, repr(float(b["count"]))]})
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def main():
    os.makedirs(OUT, exist_ok=True)
    # scipy.special.kolmogorov on both sides of x = 1 (the C++ switches series there).
    xs = [0.0, 0.05, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 0.99, 1.0, 1.01, 1.2, 1.358, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 27.0]
    kolmogorov = [{"x": x, "q": float(special.kolmogorov(x))} for x in xs]
    write_json("cases.json", {"generated_by": "tests/tools/gen_drift_cases.py", "kolmogorov": kolmogorov,
                              "cases": CASES})

    # CLI fixtures: one file per shape.
    age_ref = cumulative(LES5, [10, 20, 30, 40, 5])
    age_cur = cumulative(LES5, [11, 19, 31, 41, 6])        # stable
    income_ref = cumulative(LES5, [50, 30, 10, 5, 5])
    income_cur = cumulative(LES5, [5, 5, 10, 30, 50])      # drifted
    ref_groups = [({"model": "fraud", "feature": "age"}, age_ref), ({"model": "fraud", "feature": "income"}, income_ref)]
    cur_groups = [({"model": "fraud", "feature": "income"}, income_cur), ({"model": "fraud", "feature": "age"}, age_cur)]
    write_json("cli_query_reference.json", prom_vector(ref_groups))
    write_json("cli_query_current.json", prom_vector(cur_groups))
    write_json("cli_buckets_reference.json", {"buckets": age_ref})
    write_json("cli_buckets_current.json", {"buckets": age_cur})
    scr_end = cumulative(LES5, [130, 260, 310, 480, 60])
    write_json("cli_scrapes_current.json", {"start": {"buckets": START}, "end": {"buckets": scr_end}})
    write_json("cli_buckets_empty.json", {"buckets": cumulative(LES5, [0, 0, 0, 0, 0])})
    write_json("cli_buckets_bad.json", {"buckets": GOOD[:-1]})
    write_json("cli_query_bad_group.json", prom_vector([({"model": "fraud", "feature": "age"}, age_cur),
                                                        ({"model": "fraud", "feature": "income"}, income_cur[:-1])]))
    scr_window, _ = window(START, scr_end)
    expected = {
        "query": {
            'feature="age", model="fraud"': expect_ok(age_ref, age_cur),
            'feature="income", model="fraud"': expect_ok(income_ref, income_cur),
        },
        "buckets": expect_ok(age_ref, age_cur),
        "scrapes": expect_ok(age_ref, scr_window),
    }
    write_json("cli_expected.json", expected)

    # River's documented examples (river.drift docstrings). The streams come
    # from Python's own random module, exactly as the docs build them.
    rng = random.Random(12345)
    stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    with open(os.path.join(OUT, "river_two_distributions_12345.txt"), "w") as f:
        f.write("".join(f"{v}\n" for v in stream))
    rng = random.Random(42)
    stream = rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])
    with open(os.path.join(OUT, "river_ddm_42.txt"), "w") as f:
        f.write("".join(f"{v}\n" for v in stream))
    print(f"{len(CASES)} cases written to {OUT}")


if __name__ == "__main__":
    main()
