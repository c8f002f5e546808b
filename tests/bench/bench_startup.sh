#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Startup (issue 7): process start to first frame (<= 300 ms) and to the
# first chart with data from a local Prometheus (<= 1 s). Starts the demo
# fleet and a real Prometheus scraping it every second on free loopback ports
# (as demo/run-demo.sh does), lets it gather a few seconds of data, then
# launches Vigil offscreen on the demo workspace RUNS times with
# VIGIL_MEASURE_STARTUP (app/startup_probe.cpp) and prints the medians.
#   tests/bench/bench_startup.sh [BUILD_DIR] [RUNS]     (default build 7)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${2:-7}
[[ "${VIGIL_BENCH_SHORT:-0}" != 0 ]] && runs=$((runs < 2 ? runs : 2))
bin="$build/bin"
tmp=$(mktemp -d -t vigil-bench-startup.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

source "$here/tests/bench/stack.sh"
start_fleet_and_prometheus
port=${prom_url##*:}
# A few scrapes, so rate() over the dashboard's windows has something to say.
sleep "${VIGIL_BENCH_WARMUP_S:-8}"
echo "load average (start): $(cut -d' ' -f1 /proc/loadavg)"

export PROMETHEUS_URL="http://127.0.0.1:$port" VIGIL_DEMO_KIND=prometheus QT_QPA_PLATFORM=offscreen
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME"
for ((r = 0; r < runs; r++)); do
  VIGIL_MEASURE_STARTUP=$(date +%s%3N) "$bin/vigil" --workspace "$here/resources/workspaces/demo.yaml" \
    >"$tmp/run$r.out" 2>"$tmp/run$r.err" || true
  grep '^vigil startup:' "$tmp/run$r.err" >>"$tmp/all" || { echo "run $r printed no timings:" >&2; tail -5 "$tmp/run$r.err" >&2; }
done
python3 - "$tmp/all" "$runs" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"vigil startup: (.*) ([0-9.]+) ms", line.strip())
    if m:
        rows.setdefault(m.group(1), []).append(float(m.group(2)))
targets = {"first frame painted": 300, "first chart with data painted": 1000}
print(f"vigil on the demo workspace, offscreen, against a local Prometheus, {sys.argv[2]} runs (ms since exec):")
for what in ["main entered", "first frame painted", "first chart has data", "first chart with data painted", "gave up waiting for data after"]:
    if what in rows:
        xs = rows[what]
        t = f"   target <= {targets[what]} ms" if what in targets else ""
        print(f"  {what:32s} median {statistics.median(xs):8.1f}  min {min(xs):8.1f}  max {max(xs):8.1f}  first run {xs[0]:8.1f}  (n={len(xs)}){t}")
PY
echo "load average (end): $(cut -d' ' -f1 /proc/loadavg)"
