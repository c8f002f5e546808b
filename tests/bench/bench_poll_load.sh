#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The load N engineers with the demo's "Fleet overview" open put on a local
# Prometheus (docs/SCALING.md): starts the demo fleet and a real Prometheus
# (tests/bench/stack.sh), lets it gather data, then runs bench-poll-load.
#   tests/bench/bench_poll_load.sh [BUILD_DIR] [SECONDS] [ENGINEERS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
shift || true
bin="$build/bin"
tmp=$(mktemp -d -t vigil-bench-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$here/tests/bench/stack.sh"
start_fleet_and_prometheus
sleep "${VIGIL_BENCH_WARMUP_S:-5}"
export PROMETHEUS_URL="$prom_url" VIGIL_DEMO_KIND=prometheus
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME"
echo "load average (start): $(cut -d' ' -f1 /proc/loadavg)"
"$bin/bench-poll-load" "$prom_url" "$here/resources/workspaces/demo.yaml" "$@"
