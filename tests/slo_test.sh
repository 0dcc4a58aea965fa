#!/bin/sh
# SLOs (SPEC §9): the rules `docgen slo rules` prints pass promtool's check
# and the burn-rate unit tests of tests/slo/burn_test.yml; every query of
# `docgen slo dashboard` is valid PromQL; a bad `slos:` is refused with file
# and line; and a live /metrics, after jobs succeeded and failed on invalid
# input, passes `promtool check metrics` with outcomes split; a traceparent
# sent with a job puts its trace id in the logs of the request and the job.
# Usage: slo_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
failures=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; [ -f "$TMP/err" ] && sed 's/^/  /' "$TMP/err" | head -20; failures=$((failures + 1)); }

# 1. The built-in SLOs' rules.
if "$DOCGEN" slo rules >"$TMP/default-rules.yml" 2>"$TMP/err" && promtool check rules "$TMP/default-rules.yml" >"$TMP/err" 2>&1; then
  ok "the built-in SLOs' rules pass promtool check rules"
else
  fail "the built-in SLOs' rules"
fi
for slo in jobs-succeed resolve-fast render-fast api-available; do
  grep -q "name: docgen-slo-$slo" "$TMP/default-rules.yml" && ok "built-in SLO $slo has rules" || fail "built-in SLO $slo has no rules"
done

# 2. Burn rates: page at 15x, only the ticket at 1.2x, nothing when healthy.
cp "$SRC/tests/slo/burn_test.yml" "$TMP/"
if "$DOCGEN" slo rules --config "$SRC/tests/slo/config.yaml" >"$TMP/rules.yml" 2>"$TMP/err" &&
   promtool check rules "$TMP/rules.yml" >"$TMP/err" 2>&1 && promtool test rules "$TMP/burn_test.yml" >"$TMP/err" 2>&1; then
  ok "promtool test rules: the burn-rate alerts fire as the workbook says"
else
  fail "promtool test rules"
fi

# 3. The dashboard: JSON, a budget and a burn-rate panel per SLO, and every
# query valid PromQL (checked by promtool as recording rules).
if "$DOCGEN" slo dashboard >"$TMP/dashboard.json" 2>"$TMP/err" && python3 - "$TMP/dashboard.json" "$TMP/queries.yml" <<'PY' >"$TMP/err" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
titles = [p["title"] for p in d["panels"]]
for slo in ["jobs-succeed", "resolve-fast", "render-fast", "api-available"]:
    assert any(t.startswith(slo + ": error budget left") for t in titles), slo
    assert any(t.startswith(slo + ": burn rate") for t in titles), slo
for wanted in ["Queue depth", "Jobs invalid or failed, by error code (last hour)"]:
    assert wanted in titles, wanted
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert len(exprs) > 20, len(exprs)
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        out.write("      - record: dashboard_query_%d\n        expr: %s\n" % (i, json.dumps(e)))
PY
then
  promtool check rules "$TMP/queries.yml" >"$TMP/err" 2>&1 && ok "every dashboard query is valid PromQL" || fail "a dashboard query is not valid PromQL"
else
  fail "the dashboard"
fi

# 4. Bad SLOs are refused with file, line and field, exit 2.
bad() {  # bad NAME EXPECTED_TEXT YAML
  printf '%s\n' "$3" >"$TMP/bad.yaml"
  "$DOCGEN" slo rules --config "$TMP/bad.yaml" >"$TMP/out" 2>"$TMP/err"
  status=$?
  if [ $status -eq 2 ] && grep -qF "$2" "$TMP/err" && [ ! -s "$TMP/out" ]; then ok "refused: $1"; else fail "refused: $1 (exit $status)"; fi
}
bad "an objective of 100" "bad.yaml:3: slos[0].objective must be a percent above 0 and below 100, like 99.9, not \"100\"" \
'slos:
  - name: a
    objective: 100
    indicator: {ratio: {good: a_total, total: b_total}}'
bad "a threshold that is no bucket" "bad.yaml:4: slos[0].indicator.latency.threshold_seconds must be one of the latency histogram's bounds" \
'slos:
  - name: a
    objective: 99
    indicator: {latency: {route: "POST /v1/packages:resolve", threshold_seconds: 0.2}}'
bad "two indicators" "slos[0].indicator must be exactly one of" \
'slos:
  - name: a
    objective: 99
    indicator: {latency: {route: "GET /v1/jobs", threshold_seconds: 1}, ratio: {good: a_total, total: b_total}}'
bad "a name used twice" "bad.yaml:5: slos[3].name \"a\" is used by an earlier SLO" \
'slos:
  - {name: a, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}
  - {name: b, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}
  - {name: c, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}
  - {name: a, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}'
bad "a query that is no selector" "slos[0].indicator.ratio.good must be one series selector" \
'slos:
  - {name: a, objective: 99, indicator: {ratio: {good: "sum(rate(x[5m]))", total: b_total}}}'
bad "a window in hours" "slos[0].window must be a number of days from 1d to 365d" \
'slos:
  - {name: a, objective: 99, window: 12h, indicator: {ratio: {good: a_total, total: b_total}}}'
bad "an unknown field" "slos[0] has an unknown field \"objectve\"" \
'slos:
  - {name: a, objectve: 99, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}'
bad "text that is not UTF-8" "bad.yaml:2: slos[0].description must be UTF-8 text" \
"slos:
  - {name: a, description: x$(printf '\377')y, objective: 99, indicator: {ratio: {good: a_total, total: b_total}}}"
bad "an empty list" "slos must be a non-empty list" 'slos: []'
# docgen serve refuses the same file before it starts.
PORT=$(free_port)
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/refused" --config "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -qF "slos must be a non-empty list" "$TMP/err" && ok "docgen serve refuses bad SLOs at start" || fail "docgen serve with bad SLOs"

# 5. A live /metrics after jobs: promtool-clean, outcomes split, bounds as written.
TOKEN=$("$DOCGEN" token create --role generator --subject slo --data "$TMP/data" 2>/dev/null)
PORT=$(free_port)
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$SRC/examples/acme-cyber" >/dev/null 2>"$TMP/log" &
PID=$!
if ! wait_http "http://127.0.0.1:$PORT/healthz"; then
  fail "docgen serve did not start"
else
  python3 - "$PORT" "$TOKEN" "$SRC" <<'PY' >"$TMP/err" 2>&1 && ok "a job succeeded and one was invalid" || fail "jobs"
import json, sys, time, urllib.request
port, token, src = sys.argv[1], sys.argv[2], sys.argv[3]
def call(method, path, body=None, headers={}):
    request = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers=dict({"Authorization": "Bearer " + token, "Content-Type": "application/json"}, **headers))
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
quote = json.load(open(src + "/examples/quotes/new-ca-basic.json"))
bad = dict(quote, product="no-such-product")
ids = []
trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"  # W3C Trace Context: the first job joins this trace
for q, headers in ((quote, {"traceparent": trace}), (bad, {})):
    status, job = call("POST", "/v1/jobs", {"quote": q}, headers)
    assert status == 202, (status, job)
    ids.append(job["id"])
assert call("GET", "/v1/jobs/" + ids[0])[1]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
call("POST", "/v1/packages:resolve", quote)
for _ in range(300):
    states = [call("GET", "/v1/jobs/" + i)[1].get("status") for i in ids]
    if all(s in ("succeeded", "failed") for s in states):
        break
    time.sleep(0.1)
assert states == ["succeeded", "failed"], states
outcomes = [call("GET", "/v1/jobs/" + i)[1].get("outcome") for i in ids]
assert outcomes == ["succeeded", "invalid"], outcomes  # the API tells the caller's fault from docgen's
PY
  # Wide events (SPEC §9): the request that made the first job and the job's
  # attempt each end with one log event carrying every dimension, the job's
  # joined to the request by its traceparent's trace id.
  python3 - "$TMP/log" <<'PY' >"$TMP/err" 2>&1 && ok "one wide event per request and per job attempt, with every dimension" || { fail "wide events"; cat "$TMP/err"; }
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
trace = "4bf92f3577b34da6a3ce929d0e0e4736"
stages = ["resolve_ms", "evaluate_ms", "typeset_ms", "draw_ms", "assemble_ms", "store_ms"]
accepted = [e for e in events if e.get("trace_id") == trace and e.get("route") == "/v1/jobs"]
assert len(accepted) == 1, accepted  # one event for the request, not a line per step
request = accepted[0]
assert request["msg"] == "job accepted" and request["status"] == 202 and request["method"] == "POST", request
for key in ["request_id", "subject", "role", "job_id", "quote_id", "catalog_version", "duration_ms"]:
    assert request.get(key) not in (None, ""), (key, request)
job = [e for e in events if e.get("job_id") == request["job_id"] and "outcome" in e]
assert len(job) == 1, job  # one attempt, one event
job = job[0]
assert job["msg"] == "job succeeded" and job["outcome"] == "succeeded" and job["error_code"] == "", job
assert job["trace_id"] == trace and job["request_id"] == request["request_id"] and job["subject"] == "slo", job
assert job["product"] == "cyber" and job["jurisdiction"] == "CA" and job["transaction"] == "new", job
assert job["documents"] >= 1 and job["pages"] >= job["documents"] and job["attempt"] == 1, job
assert job["catalog_version"] == 1 and job["quote_id"] and job["kind"] == "render", job
assert all(job[s] > 0 for s in stages), job  # a rendered, stored job spent time in every stage
assert sum(job[s] for s in stages) <= job["duration_ms"] + 0.01, job
invalid = [e for e in events if e.get("outcome") == "invalid"]
assert len(invalid) == 1 and invalid[0]["error_code"] == "unknown_product" and invalid[0]["draw_ms"] == 0, invalid
resolved = [e for e in events if e.get("route") == "/v1/packages:resolve"]
assert len(resolved) == 1 and resolved[0]["resolve_ms"] > 0 and resolved[0]["product"] == "cyber", resolved
assert resolved[0]["trace_id"] != trace and len(resolved[0]["trace_id"]) == 32, resolved  # no traceparent: a new trace
PY
  curl -s "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics.txt"
  promtool check metrics <"$TMP/metrics.txt" >"$TMP/err" 2>&1 && [ ! -s "$TMP/err" ] && ok "promtool check metrics finds no problem" || fail "promtool check metrics"
  grep -q '^docgen_jobs_finished_total{outcome="succeeded"} 1$' "$TMP/metrics.txt" && ok "a succeeded job is counted as succeeded" || fail "succeeded outcome"
  grep -q '^docgen_jobs_finished_total{outcome="invalid"} 1$' "$TMP/metrics.txt" && ok "a job with invalid input is counted as invalid" || fail "invalid outcome"
  grep -q '^docgen_job_errors_total{outcome="invalid",code="unknown_product"} 1$' "$TMP/metrics.txt" && ok "and by its error code" || fail "error code: $(grep ^docgen_job_errors_total "$TMP/metrics.txt")"
  grep -q 'docgen_http_request_duration_seconds_bucket{method="POST",route="/v1/packages:resolve",le="0.1"}' "$TMP/metrics.txt" &&
    grep -q 'docgen_http_request_duration_seconds_bucket{method="POST",route="/v1/packages:resolve",le="1.0"}' "$TMP/metrics.txt" &&
    grep -q 'docgen_http_request_duration_seconds_bucket{method="POST",route="/v1/packages:resolve",le="0.0005"}' "$TMP/metrics.txt" &&
    ok "bucket bounds are written as the rules select them (le=\"0.1\", \"1.0\", \"0.0005\")" || fail "bucket bounds"
  for stage in resolve evaluate typeset draw assemble store; do
    grep -q "^docgen_stage_duration_seconds_count{stage=\"$stage\"} [1-9]" "$TMP/metrics.txt" || fail "no $stage in docgen_stage_duration_seconds"
  done && ok "each stage's time is a histogram (docgen_stage_duration_seconds{stage})"
fi

[ $failures -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all SLO checks passed"
