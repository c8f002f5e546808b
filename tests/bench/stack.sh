# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the benchmarks that need live data: the demo fleet and a real
# Prometheus scraping it every second, on free loopback ports, in $tmp.
# Needs: $bin (the build's bin/), $tmp (a scratch directory), an array pids=()
# the caller kills on exit. Sets fleet_url and prom_url.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

start_fleet_and_prometheus() {
  if ! command -v prometheus >/dev/null; then
    echo "bench: prometheus is not installed (packaging/debian-deps.sh installs it)" >&2
    return 1
  fi
  : >"$tmp/fleet.out"
  "$bin/vigil-demo-fleet" --port 0 --seed 42 >"$tmp/fleet.out" 2>"$tmp/fleet.err" &
  pids+=($!)
  fleet_url=""
  for ((i = 0; i < 100; i++)); do
    fleet_url=$(sed -n 's/^listening on //p' "$tmp/fleet.out" | head -n1)
    [[ -n "$fleet_url" ]] && break
    sleep 0.1
  done
  [[ -n "$fleet_url" ]] || { echo "bench: the fleet did not start" >&2; cat "$tmp/fleet.err" >&2; return 1; }
  local port
  port=$(free_port)
  cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: model-fleet
    static_configs:
      - targets: ["${fleet_url#http://}"]
YAML
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
  pids+=($!)
  prom_url="http://127.0.0.1:$port"
  for ((i = 0; i < 300; i++)); do
    curl -fsS -o /dev/null "$prom_url/-/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: Prometheus did not become ready:" >&2
  tail -5 "$tmp/prometheus.log" >&2
  return 1
}
