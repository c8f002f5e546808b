#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts the demo stack on free loopback ports with a temporary data directory:
# the simulated fleet, a real Prometheus scraping it every second (backfilled
# with the fleet's last 22 minutes), then Vigil on the demo workspace. Ctrl+C
# (or closing Vigil) stops everything it started.
#   demo/run-demo.sh [BUILD_DIR]
# Environment: VIGIL_DEMO_HISTORY=S (seconds of history, 0: none),
# VIGIL_DEMO_MLFLOW_URL=URL (a running MLflow to seed and use), and without a
# display VIGIL_DEMO_VIEW=VIEW (what to render, e.g. compare:fraud-detector).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
bin="$build/bin"
tmp=$(mktemp -d -t vigil-demo.XXXXXX)
pids=()

mlflow_pid=""
cleanup() {
  # MLflow's whole session (the server and its gunicorn workers).
  if [[ -f "$tmp/mlflow.pgid" ]]; then kill -- "-$(cat "$tmp/mlflow.pgid")" 2>/dev/null || true; fi
  if [[ -n "$mlflow_pid" ]]; then wait "$mlflow_pid" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # url seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# With Prometheus, the fleet starts as if it had run for the last 22 minutes
# and writes that history, which promtool backfills into Prometheus before it
# starts: the charts are full and the compare view's canary judge (one value a
# minute over the 15-minute range, at least 10 a side) fails the slowed-down
# canary at once (demo/README.md says why 22). VIGIL_DEMO_HISTORY=0 starts empty.
history_s=${VIGIL_DEMO_HISTORY:-1320}
fleet_args=(--port 0 --seed 42)
backfill=""
if command -v prometheus >/dev/null && command -v promtool >/dev/null && ((history_s > 0)); then
  backfill="$tmp/history.om"
  fleet_args+=(--history "$history_s" --history-step 5 --history-file "$backfill" --history-job model-fleet)
elif command -v prometheus >/dev/null && ((history_s > 0)); then
  echo "vigil demo: promtool is missing, so Prometheus starts without history" \
    "(the canary verdict needs 10 minutes of scrapes)" >&2
fi

# The compare view reads the MLflow registry the fleet serves, unless a real
# MLflow is at hand: VIGIL_DEMO_MLFLOW_URL (a running tracking server), or
# `mlflow` on PATH (started here on a temporary SQLite store). Either is seeded
# with the demo's models, versions, stages, aliases and runs, and used instead.
# Before the fleet starts, so MLflow's start-up does not delay the first scrape
# after the fleet's history.
registry_url=""
mlflow_url="${VIGIL_DEMO_MLFLOW_URL:-}"
if [[ -z "$mlflow_url" ]] && command -v mlflow >/dev/null; then
  mlflow_port=$(free_port)
  echo "vigil demo: starting MLflow ($(command -v mlflow)) on 127.0.0.1:$mlflow_port"
  # Its own session (so its own process group, whose id it writes down):
  # `mlflow server` runs gunicorn workers as children.
  # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
  setsid bash -c 'echo $$ >"$1/mlflow.pgid"; shift; exec "$@"' _ "$tmp" \
    mlflow server --host 127.0.0.1 --port "$mlflow_port" \
    --backend-store-uri "sqlite:///$tmp/mlflow.db" --default-artifact-root "$tmp/mlflow-artifacts" \
    >"$tmp/mlflow.log" 2>&1 &
  mlflow_pid=$!
  if wait_http "http://127.0.0.1:$mlflow_port/health" 60; then
    mlflow_url="http://127.0.0.1:$mlflow_port"
  else
    echo "vigil demo: MLflow did not answer within 60 s; using the fleet's registry. Its log:" >&2
    tail -n 20 "$tmp/mlflow.log" >&2
  fi
fi
if [[ -n "$mlflow_url" ]]; then
  if "$bin/vigil-demo-fleet" --seed-mlflow "$mlflow_url"; then
    registry_url="$mlflow_url"
    echo "vigil demo: the compare view reads MLflow at $mlflow_url"
  else
    echo "vigil demo: could not seed MLflow at $mlflow_url; using the fleet's registry" >&2
  fi
fi

echo "vigil demo: starting the simulated fleet"
"$bin/vigil-demo-fleet" "${fleet_args[@]}" >"$tmp/fleet.out" 2>"$tmp/fleet.err" &
pids+=($!)
fleet_url=""
for ((i = 0; i < 300; i++)); do
  fleet_url=$(sed -n 's/^listening on //p' "$tmp/fleet.out" | head -n1)
  [[ -n "$fleet_url" ]] && break
  sleep 0.1
done
if [[ -z "$fleet_url" ]]; then
  echo "vigil demo: the fleet did not start:" >&2; cat "$tmp/fleet.err" >&2; exit 1
fi
echo "vigil demo: fleet at $fleet_url/metrics"
export VIGIL_REGISTRY_URL="${registry_url:-$fleet_url}"

export PROMETHEUS_URL=""
if command -v prometheus >/dev/null; then
  port=$(free_port)
  cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: model-fleet
    static_configs:
      - targets: ["${fleet_url#http://}"]
YAML
  mkdir -p "$tmp/prometheus"
  if [[ -n "$backfill" ]]; then
    started=$(date +%s%N)
    if promtool tsdb create-blocks-from openmetrics "$backfill" "$tmp/prometheus" >"$tmp/promtool.log" 2>&1; then
      echo "vigil demo: backfilled the last $((history_s / 60)) minutes into Prometheus" \
        "($(( $(stat -c %s "$backfill") / 1024 )) KiB, $(( ($(date +%s%N) - started) / 1000000 )) ms)"
    else
      echo "vigil demo: promtool could not backfill the history; Prometheus starts empty:" >&2
      tail -n 5 "$tmp/promtool.log" >&2
    fi
    rm -f "$backfill"
  fi
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
  pids+=($!)
  if wait_http "http://127.0.0.1:$port/-/ready" 30; then
    PROMETHEUS_URL="http://127.0.0.1:$port"
    echo "vigil demo: Prometheus at $PROMETHEUS_URL (scraping every 1 s; data dir $tmp/prometheus)"
  else
    echo "vigil demo: Prometheus did not become ready; its log:" >&2; tail -n 20 "$tmp/prometheus.log" >&2
  fi
else
  echo "vigil demo: Prometheus is not installed (packaging/debian-deps.sh installs it)." >&2
fi
if [[ -n "$PROMETHEUS_URL" ]]; then
  export VIGIL_DEMO_KIND=prometheus
else
  # The same fleet, simulated inside Vigil and queried with a PromQL subset.
  echo "vigil demo: falling back to the in-process demo fleet (no Prometheus)." >&2
  export VIGIL_DEMO_KIND=demo
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  # VIGIL_DEMO_VIEW picks another view, e.g. compare:fraud-detector.
  view=${VIGIL_DEMO_VIEW:-dashboard:Fleet overview}
  out="$build/demo-$(printf '%s' "${view%%:*}" | tr -c 'a-zA-Z0-9-' '-').png"
  echo "vigil demo: no display here; rendering '$view' offscreen to $out instead"
  "$bin/vigil" screenshot --workspace "$here/resources/workspaces/demo.yaml" \
    --view "$view" -o "$out" --timeout 90s
  exit $?
fi
echo "vigil demo: opening Vigil (close the window or press Ctrl+C to stop everything)"
"$bin/vigil" --workspace "$here/resources/workspaces/demo.yaml" &
pids+=($!)
wait "${pids[-1]}"
