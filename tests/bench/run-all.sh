#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every benchmark once, in the order of docs/PERFORMANCE.md, and prints
# their medians. They are never pass/fail on time: a benchmark fails only
# when it cannot run or its result is wrong (e.g. decimation lost a spike).
# VIGIL_BENCH_SHORT=1: a few runs each, for CI to prove they still work.
#   tests/bench/run-all.sh [BUILD_DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
bin="$build/bin"
failed=()
run() { # name command...
  echo
  echo "== $1 ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  shift
  "$@" || failed+=("$(basename "$1")")
}
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(free -g | awk '/^Mem:/{print $2}') GB RAM, $(uname -sr)"
run "memory per 1 M points" "$bin/bench-series-memory"
run "Prometheus query_range parsing" "$bin/bench-prometheus-parse"
run "decimation" "$bin/bench-decimate"
run "rule evaluation, 10,000 series over 100 rules" "$bin/bench-rules"
run "rule evaluation, 10,000 series in each of 100 rules" "$bin/bench-rules" 5 100 10000
run "sample to notification (alerts)" "$bin/bench-alert-latency"
run "drift" "$bin/bench-drift"
QT_QPA_PLATFORM=offscreen run "dashboard offscreen" "$bin/bench-gui"
run "soak, 2 simulated hours, 20 panels at 1 s (incremental fetch)" "$bin/bench-soak"
run "startup against a local Prometheus" "$here/tests/bench/bench_startup.sh" "$build"
run "load on a local Prometheus, N engineers" "$here/tests/bench/bench_poll_load.sh" "$build"
echo
if ((${#failed[@]})); then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "bench: all ran"
