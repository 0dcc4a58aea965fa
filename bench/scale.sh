#!/bin/sh
# Scale-out throughput (issue: scale out): how fast 1, 2 and 4 `docgen worker`
# processes (one job thread each) drain a queue in one PostgreSQL, for no-op
# jobs (the queue alone: claim + complete) and for rendering the example
# package (blobs in the database). Also: the claim query's cost per job
# (pg_stat_statements) and PostgreSQL's CPU time per job, from which the
# jobs/s one database core carries follows; and the embedded SQLite store
# (one process) as the reference.
# Usage: bench/scale.sh [NOOP_JOBS] [RENDER_JOBS]
set -eu
cd "$(dirname "$0")/.."
NOOP_JOBS=${1:-5000}
RENDER_JOBS=${2:-600}
DOCGEN=build/release/docgen
. tests/support/net.sh
. tests/support/postgres.sh
TMP=$(mktemp -d)
PG_PORT=$(free_port)
trap 'pg_stop "$TMP" immediate; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
pg_init "$TMP"
pg_start "$TMP" "$PG_PORT" "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
echo "PostgreSQL 15 on loopback ($(nproc) cores shared by the database, the workers and this script)"

python3 - "$DOCGEN" "$(pg_url "$PG_PORT")" "$TMP" "$NOOP_JOBS" "$RENDER_JOBS" <<'PY'
import json, os, subprocess, sys, time, urllib.request, socket

docgen, db, tmp, noop_jobs, render_jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ticks = os.sysconf("SC_CLK_TCK")

def sql(query):
    return subprocess.run(["psql", db, "-XAtqc", query], check=True, capture_output=True, text=True).stdout.strip()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def wait_http(url):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1); return
        except Exception:
            time.sleep(0.05)
    raise SystemExit("no answer from " + url)

def postgres_cpu():
    """CPU seconds of our postmaster and its children (the backends)."""
    master = int(open(os.path.join(tmp, "pgdata", "postmaster.pid")).readline())
    total = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == master or int(fields[1]) == master:
            total[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return total

def config(path, noop, database, blob_store):
    with open(path, "w") as f:
        f.write("database: %s\nblob_store: %s\nwebhook_secret: whsec_YmVuY2gtc2VjcmV0LW9mLWF0LWxlYXN0LTE2LWJ5dGVz\nnoop_jobs: %s\n" % (database, blob_store,
                                                                                      "true" if noop else "false"))

quote = json.load(open("examples/quotes/new-ca-basic.json"))

def prepare(database, blob_store, jobs):
    """A fresh schema with the catalog published (by an API process), then `jobs` queued jobs."""
    if database.startswith("postgres"):
        sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    cfg = os.path.join(tmp, "api.yaml")
    config(cfg, True, database, blob_store)
    port = free_port()
    api = subprocess.Popen([docgen, "serve", "--listen", "127.0.0.1:%d" % port, "--data", os.path.join(tmp, "api"),
                            "--config", cfg, "--workers", "0", "--catalog", "examples/acme-cyber"],
                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "api.log"), "a"))
    wait_http("http://127.0.0.1:%d/healthz" % port)
    api.terminate(); api.wait()
    body = json.dumps(quote).replace("'", "''").replace(quote["quote_id"], "__QID__")
    columns = "id, request_hash, status, quote, catalog_version, max_attempts, run_after, created_at, updated_at"
    values = "'bench', 'queued', replace('%s', '__QID__', 'Q-S' || g), 1, 5, 0, g, g" % body
    if database.startswith("postgres"):
        sql("INSERT INTO jobs (%s) SELECT 'job_' || lpad(to_hex(g), 24, '0'), %s FROM generate_series(1, %d) g"
            % (columns, values, jobs))
        sql("SELECT pg_stat_statements_reset()")
    else:
        subprocess.run(["sqlite3", database], text=True, check=True, input=
                       "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d) "
                       "INSERT INTO jobs (%s) SELECT printf('job_%%024x', g), %s FROM s;" % (jobs, columns, values))

def count_done(database):
    if database.startswith("postgres"):
        return int(sql("SELECT count(*) FROM jobs WHERE status = 'succeeded'"))
    out = subprocess.run(["sqlite3", database, "SELECT count(*) FROM jobs WHERE status = 'succeeded'"],
                         capture_output=True, text=True).stdout.strip()
    return int(out or 0)

def run(kind, store, noop, jobs, processes, database, blob_store):
    label = "%s, %s, %d" % (kind, store, processes)
    prepare(database, blob_store, jobs)
    cfg = os.path.join(tmp, "worker.yaml")
    config(cfg, noop, database, blob_store)
    cpu_before = postgres_cpu() if database.startswith("postgres") else {}
    start = time.time()
    workers = []
    for i in range(processes):
        port = free_port()
        # On SQLite the embedded default runs its workers in docgen serve.
        command = "worker" if database.startswith("postgres") else "serve"
        workers.append(subprocess.Popen([docgen, command, "--listen", "127.0.0.1:%d" % port, "--data",
                                         os.path.join(tmp, "w%d" % i), "--config", cfg, "--workers", "1"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "worker.log"), "a")))
    deadline = time.time() + 900
    while count_done(database) < jobs:
        if time.time() > deadline:
            raise SystemExit("%s: timed out" % label)
        time.sleep(0.02)
    elapsed = time.time() - start
    row = {"kind": kind, "store": store, "processes": processes, "jobs": jobs, "rate": jobs / elapsed}
    if database.startswith("postgres"):
        after = postgres_cpu()
        cpu = sum(v - cpu_before.get(pid, 0) for pid, v in after.items())
        row["db_cpu_ms"] = cpu * 1000 / jobs
        claim = sql("SELECT calls, mean_exec_time FROM pg_stat_statements WHERE query LIKE 'UPDATE jobs SET status = $4, "
                    "lease_owner%' ORDER BY calls DESC LIMIT 1").split("|")
        row["claim_ms"] = float(claim[1]) if len(claim) == 2 else float("nan")
        row["claims"] = int(claim[0]) if len(claim) == 2 else 0
    for w in workers:
        w.terminate()
    for w in workers:
        w.wait()
    return row

rows = []
for noop, jobs, kind in ((True, noop_jobs, "no-op"), (False, render_jobs, "render")):
    rows.append(run(kind, "SQLite embedded", noop, jobs, 1, os.path.join(tmp, "bench-%s.sqlite" % kind), "directory"))
    for n in (1, 2, 4):
        rows.append(run(kind, "PostgreSQL", noop, jobs, n, db, "database"))
    if not noop:  # what the blobs cost the database: the same with blobs in a folder
        rows.append(run(kind, "PostgreSQL, blob folder", noop, jobs, 2, db, "directory"))

print()
print("%-7s %-24s %9s %6s %9s %11s %9s %11s %14s" % ("jobs", "store", "processes", "jobs", "jobs/s", "vs 1 worker",
                                                    "vs SQLite", "claim ms", "DB CPU ms/job"))
for r in rows:
    one = next(x for x in rows if x["kind"] == r["kind"] and x["store"] == "PostgreSQL" and x["processes"] == 1)
    sqlite = next(x for x in rows if x["kind"] == r["kind"] and x["store"] == "SQLite embedded")
    pg = r["store"].startswith("PostgreSQL")
    print("%-7s %-24s %9d %6d %9.1f %11s %9s %11s %14s" % (
        r["kind"], r["store"], r["processes"], r["jobs"], r["rate"], "%.2fx" % (r["rate"] / one["rate"]) if pg else "-",
        "%.2fx" % (r["rate"] / sqlite["rate"]), "%.3f" % r["claim_ms"] if pg else "-", "%.2f" % r["db_cpu_ms"] if pg else "-"))
for kind, store in (("no-op", "PostgreSQL"), ("render", "PostgreSQL"), ("render", "PostgreSQL, blob folder")):
    cost = min(r["db_cpu_ms"] for r in rows if r["kind"] == kind and r["store"] == store)
    print("one PostgreSQL core carries about %5.0f %s jobs/s (%s: %.2f ms of database CPU per job)" % (1000 / cost, kind, store, cost))
PY
