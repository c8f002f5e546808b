#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the committed seed corpora in fuzz/corpus/<target>/ from the test
# fixtures and hand-written cases. Rerun after adding a case; the output is
# committed so `make fuzz` needs no generation step.
import hashlib, pathlib, re, shutil

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "fuzz" / "corpus"

def put(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)

def copy(target, files):
    for f in files:
        put(target, f.name, f.read_bytes())

# Prometheus API answers: every recorded fixture, plus a few broken shapes.
copy("fuzz_prometheus_response", sorted((root / "tests/fixtures/prometheus").iterdir()))
for i, s in enumerate([
    '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[1,"2"],[0.5,"NaN"]]}]}}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"a","b":"<img src=x>"},"value":[1e300,"+Inf"]}]}}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":["x",1]}]}}',
    '{"status":"success","data":{"resultType":"scalar","result":[-1e400,"1e-400"]}}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1","sum":"1","buckets":[[0,"0","1","1"]]}]}]}}',
    '{"status":"error","errorType":"bad_data","error":"\\u0000\\ud800"}',
    '{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["w",1,null]}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}',
    '[]', 'null', '',
]):
    put("fuzz_prometheus_response", f"hand_{i:02}.json", s)

# Drift input files: the CLI fixtures (the three shapes, good and bad).
copy("fuzz_drift_file", sorted((root / "tests/fixtures/drift").glob("cli_*.json")))
for i, s in enumerate([
    '{"buckets":[{"le":"0.5","count":1},{"le":"+Inf","count":0}]}',
    '{"buckets":[{"le":"NaN","count":1e308},{"le":"-Inf","count":-1},{"le":"+Inf","count":1.5}]}',
    '{"buckets":[{"le":"1","count":1e308},{"le":"2","count":1e308},{"le":"+Inf","count":1.7976931348623157e308}]}',
    '{"start":{"buckets":[{"le":"1","count":5},{"le":"+Inf","count":5}]},"end":{"buckets":[{"le":"1","count":2},{"le":"+Inf","count":9}]}}',
    '{"start":{"buckets":[]},"end":{"buckets":[{"le":"+Inf","count":0}]}}',
    '{"buckets":[{"le":"+Inf","count":9223372036854775807}]}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h_bucket","le":"1"},"value":[1,"3"]},{"metric":{"__name__":"h_bucket","le":"+Inf"},"value":[1,"2"]}]}}',
]):
    put("fuzz_drift_file", f"hand_{i:02}.json", s)

# Workspace files: the demo workspace and small hand-written ones.
copy("fuzz_workspace", [root / "resources/workspaces/demo.yaml"])
header = '''connections:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }
notifiers:
  oncall-slack: { kind: slack, webhook_secret: slack-oncall, channel: "#ml-oncall" }
  desktop: { kind: desktop }
'''
for i, s in enumerate([
    header + '''settings: { evaluation_interval: 15s, refresh: 1s, range: 1h }
rules:
  - name: HighP99Latency
    query: histogram_quantile(0.99, sum by (le, model, version) (rate(model_request_duration_seconds_bucket[1m])))
    above: 0.25
    recover_below: 0.20
    for: 2m
    keep_firing_for: 1m
    severity: warning
    escalate:
      - { above: 0.5, severity: page }
    labels: { team: ml }
    annotations:
      summary: "p99 of {{ $labels.model }} is {{ $value }}"
    no_data: keep_last
    on_error: alerting
    notify: [oncall-slack, desktop]
    flapping: false
    resolve_missing_after: 1h
  - name: Band
    query: x
    outside: [0.1, 0.9]
    silences:
      - { matchers: ['model=~"fraud.*"', 'team!=ml'] }
''',
    header + '''dashboards:
  - name: D
    columns: 3
    panels:
      - title: p99
        connection: prom
        query: up
        unit: s
      - title: two
        queries:
          - { expr: "a", legend: "{{version}} p99" }
          - { expr: "b" }
''',
    '''connections:
  reg: { kind: mlflow, url: "${MLFLOW_URL:-http://127.0.0.1:5000}", auth: { basic_user: ci, password_secret: mlflow-ci }, headers: { X-A: b }, tls: { verify: false, ca_file: /tmp/ca.pem }, timeout: 2s }
models:
  fraud-detector: { registry: reg, metrics: prom, version_label: version }
rule_files: [ml.rules.yml]
''',
    'connections: [1, 2]\ndashboards: {a: b}\nrules: 7\n',
    'a: &x [*x]\n',
    '{connections: {p: {kind: prometheus, url: 5, treshold: 1}}}\n',
    '',
]):
    put("fuzz_workspace", f"hand_{i:02}.yaml", s)

# Prometheus rule files.
for i, s in enumerate([
    '''groups:
  - name: ml
    interval: 30s
    rules:
      - record: job:requests:rate1m
        expr: sum(rate(model_requests_total[1m]))
      - alert: ModelErrors
        expr: sum by (model) (rate(model_requests_total{code=~"5.."}[5m])) > 0.05
        for: 5m
        keep_firing_for: 2m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.model }} errors at {{ $value }}"
  - name: other
    rules:
      - alert: Down
        expr: up == 0
''',
    'groups:\n  - name: a\n    interval: 1h30m\n    limit: 3\n    rules:\n      - alert: X\n        expr: a < 1\n        for: 0s\n',
    'groups:\n  - name: a\n    rules:\n      - alert: Y\n        expr: x <= bool 2\n      - alert: Y\n        expr: 1 > x\n',
    'groups: [{name: a, rules: [{alert: Z, expr: "a > 1 and b < 2"}, {alert: "", expr: ""}, 5]}]\n',
    'groups: 1\n',
    'groups:\n  - rules:\n    - alert: A\n      expr: a >\n      for: 1x\n',
]):
    put("fuzz_prometheus_rules", f"hand_{i:02}.yml", s)

# PromQL: the queries of the demo workspace and the subset tests.
queries = set(re.findall(r'(?:query|expr): "?(.+?)"?(?:,|\s*$)', (root / "resources/workspaces/demo.yaml").read_text(), re.M))
queries = {q.replace('\\"', '"') for q in queries}
queries |= {
    'up', 'up{job="prometheus"}', 'rate(x[5m])', 'sum by (le) (rate(x_bucket[1m]))', 'x / y', '-x * 2 + 1',
    'histogram_quantile(0.9, sum by (le, version) (rate(h_bucket{model="a",code!~"5.."}[1m])))',
    'avg without (pod) (x)', 'max(x) - min(x)', '{__name__="x"}', 'x[1h30m]', 'count(x) by (a)',
    'rate(x[5m:1m])', 'abs(x)', 'x > 1', 'x == bool 1', 'topk(3, x)', 'x offset 5m', 'x @ 1700000000',
    'x and y', 'x / on(a) group_left y', '"text"', 'sum by (le (x)', 'rate(x)', 'sum(x[1m])', '{}',
    'x{a="1"', 'x{a=~"("}', 'x[1x]', 'histogram_quantile(0.9)', 'x +', '(x', 'x[1m] + 1', '1 + on(a) x',
    'sum(x, y)', '((((((((x))))))))', '1e308 * 1e308', '0x1f', 'NaN', 'Inf', '-inf', 'x{a="\\u00e9\\\\"}',
}
for i, q in enumerate(sorted(queries)):
    put("fuzz_promql", f"q_{i:02}.promql", q)

# Silence matchers.
for i, s in enumerate([
    'model="fraud"', '  model = "fraud"  ', 'model=fraud', 'model!="fraud"', 'model=~"fraud|spam"',
    'model!~"fraud.*"', 'msg="say \\"hi\\""', 'path="a\\\\b"', 'team=""', 'model', '="fraud"',
    '1model="x"', 'model~"x"', '', 'model=~"("', 'a=~"(a+)+$"', 'a="\\n\\t\\u00e9"', 'a=~".*"',
]):
    put("fuzz_label_matcher", f"m_{i:02}.txt", s)

# MLflow answers: the response bodies of the recorded exchanges (the
# project's tests/fixtures/mlflow and, when present, the larger shared
# recording), each at most 16 KiB (the runner's -max_len), plus broken shapes.
import json as _json
mlflow_dirs = [root / "tests/fixtures/mlflow"] + [d / "shared/fixtures/mlflow-2.10.2" for d in (root.parent, root.parent.parent)]
seen = set()
for d in mlflow_dirs:
    if not d.is_dir():
        continue
    for f in sorted(d.glob("*.json")):
        if f.name.startswith("_") or f.name in seen:
            continue
        try:
            rec = _json.loads(f.read_text())
        except ValueError:
            continue
        body = rec.get("response", {}).get("body") if isinstance(rec, dict) else None
        if body is None:
            continue
        data = body if isinstance(body, str) else _json.dumps(body, separators=(",", ":"))
        if len(data.encode()) > 16384:
            continue
        seen.add(f.name)
        put("fuzz_mlflow_response", f.name, data)
for i, s in enumerate([
    '{"registered_model":{"name":"m","aliases":[{"alias":"champion","version":"3"},{"alias":1}],"latest_versions":[{"version":2,"current_stage":null}]}}',
    '{"model_version":{"name":"m","version":"1e400","creation_timestamp":"-1","aliases":["a",2]}}',
    '{"metrics":[{"key":"k","value":"NaN","timestamp":1e300,"step":-9223372036854775809}],"next_page_token":7}',
    '{"run":{"info":{"run_id":"r","start_time":1,"end_time":0,"status":"FAILED"},"data":{"metrics":[{"key":"a"}],"params":{},"tags":[1]}}}',
    '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":null}',
    '<!doctype html><title>502</title>', 'metric("roc_auc", run="abc", experiment="1")', '{}', '', '[]',
]):
    put("fuzz_mlflow_response", f"hand_{i:02}.json", s)

# Alertmanager answers: the recorded bodies, the recorded error bodies, broken shapes.
copy("fuzz_alertmanager_response", sorted((root / "tests/fixtures/alertmanager").glob("*.json")))
for i, s in enumerate([
    '"silence not found"', '{"code":612,"message":"matchers in body should have at least 1 items"}',
    '{"silenceID":"6c1f3e0a-0000-4000-8000-000000000000"}', '{"silenceID":5}',
    '{"versionInfo":{"version":"0.25.0"},"cluster":{"status":"ready"},"uptime":"2026-11-29T14:43:00.857Z"}',
    '[{"labels":{"a":1},"startsAt":"9999-99-99T99:99:99Z","endsAt":null,"status":{"state":7,"silencedBy":[1]}}]',
    '[{"id":"x","matchers":[{"name":"a","value":"b","isRegex":"yes","isEqual":null}],"startsAt":"","endsAt":"2026-11-29T14:43:00Z","status":{"state":"active"}}]',
    '[{"labels":{},"receiver":{"name":"null"},"alerts":[{}]}]', '', 'null', '{}',
]):
    put("fuzz_alertmanager_response", f"hand_{i:02}.json", s)

# Grafana exports: the fixture, and the shapes the unit tests use.
copy("fuzz_grafana_import", sorted((root / "tests/fixtures/grafana").glob("*.json")))
for i, s in enumerate([
    '{"dashboard":{"title":"api","rows":[{"panels":[{"type":"graph","title":"old","targets":[{"expr":"rate(x[$__rate_interval])","legendFormat":"{{model}}"}],"yaxes":[{"format":"s"}]}]}]}}',
    '{"title":"t","templating":{"list":[{"name":"m","current":{"value":["$__all"]},"includeAll":true}]},"panels":[{"type":"row","collapsed":true,"panels":[{"type":"timeseries","title":"q: \\"x\\"\\n#","targets":[{"expr":"up{m=~\\"$m\\"}","hide":false}],"fieldConfig":{"defaults":{"unit":"percentunit","thresholds":{"steps":[{"value":null},{"value":1e308,"color":"red"}]}}}}]}]}',
    '{"title":"x","panels":[{"type":"text","title":"t"}]}', '{"title":"x"}', '{"title":"x","panels":[,]}',
    '{"title":"","panels":[{"type":"stat","targets":[{"expr":""}]}]}',
]):
    put("fuzz_grafana_import", f"hand_{i:02}.json", s)

# Inputs that once crashed a parser (tests/fixtures/fuzz-regressions/) seed
# their fuzzer too, so mutations around them stay covered.
regressions = root / "tests/fixtures/fuzz-regressions"
for parser, target in {"promql": "fuzz_promql", "workspace": "fuzz_workspace",
                       "prometheus-rules": "fuzz_prometheus_rules", "drift": "fuzz_drift_file",
                       "prometheus": "fuzz_prometheus_response", "matchers": "fuzz_label_matcher",
                       "mlflow": "fuzz_mlflow_response", "alertmanager": "fuzz_alertmanager_response",
                       "grafana": "fuzz_grafana_import"}.items():
    if (regressions / parser).is_dir():
        for f in sorted((regressions / parser).iterdir()):
            put(target, "regression_" + f.name, f.read_bytes())
