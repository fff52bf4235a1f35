#!/usr/bin/env bash
# Report work spread across worker processes on PostgreSQL:
#   1. speed-up: the same report (split into --shards store shards) computed by one worker process,
#      then by two, each with one Hangfire worker; the time from trigger to Complete as the service
#      records it, median of --runs, and the speed-up printed. Each set of workers first computes one
#      untimed report: a fresh process runs its first report ~1.5x slower (a long-running worker pays
#      that once), which would otherwise blur the comparison;
#   2. kill: with two workers, one of them is killed with SIGKILL mid-report: in one report the report's
#      own worker (the one that planned the shards, from its log), in another the helper; each report
#      must still complete, with a CSV byte-identical to `storemon report` on the same database.
# One API process (Storemon:Role=Api) takes the triggers; workers run with Storemon:Role=Worker. The data
# set is the generated one at --scale times the public store set (10: ~136k stores, ~20M polls),
# generated and imported once into the database `storemon_workers` (reused by later runs; --fresh redoes it).
#
#   bench/workers.sh [--scale N] [--runs R] [--shards S] [--pg CONNECTION] [--work DIR] [--fresh] [--no-kill]
#
# Without --pg it starts its own server with bench/postgres.sh (port 55432, data under the work folder)
# and leaves it running for the next run (bench/postgres.sh stop --dir DIR/pg stops it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scale=10
runs=3
shards=2
pg=
work=${TMPDIR:-/tmp}/storemon-workers
fresh=0
kill=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --pg) pg=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --no-kill) kill=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in curl dotnet python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done
mkdir -p "$work"

echo "building the CLI and the service (Release)..."
dotnet build "$root/src/Storemon.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/Storemon.Api" -c Release -v q -nologo >/dev/null
cli="$root/src/Storemon.Cli/bin/Release/net10.0/storemon.dll"
api="$root/src/Storemon.Api/bin/Release/net10.0/Storemon.Api.dll"

if [[ -z $pg ]]; then
  pg=$("$root/bench/postgres.sh" start --port 55432 --dir "$work/pg" | tail -n 1)
fi
server=${pg/Database=storemon_workers;/}
db="$server;Database=storemon_workers"
psql_db() { python3 - "$server" "$1" <<'EOF'
import sys, subprocess
parts = dict(p.split('=', 1) for p in sys.argv[1].split(';') if '=' in p)
cmd = ['psql', '-v', 'ON_ERROR_STOP=1', '-qAt', '-h', parts.get('Host', '127.0.0.1'), '-p', parts.get('Port', '5432'),
       '-U', parts.get('Username', 'postgres'), '-d', 'postgres', '-c', sys.argv[2]]
print(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())
EOF
}

exists=$(psql_db "SELECT count(*) FROM pg_database WHERE datname = 'storemon_workers'")
if [[ $fresh == 1 || $exists == 0 ]]; then
  psql_db "DROP DATABASE IF EXISTS storemon_workers WITH (FORCE)" >/dev/null
  psql_db "CREATE DATABASE storemon_workers" >/dev/null
  echo "generating the ${scale}x data set and importing it..."
  rm -rf "$work/data"
  dotnet "$cli" generate --out "$work/data" --scale "$scale" \
    --hours "$root/../shared/data/v1_menu_hours.csv" --timezones "$root/../shared/data/v1_timezones.csv"
  dotnet "$cli" import --db "$db" --hours "$work/data/menu_hours.csv" --timezones "$work/data/timezones.csv" --status "$work/data/store_status.csv"
  rm -rf "$work/data"
fi

echo "the engine's report of the same database (storemon report)..."
dotnet "$cli" report --db "$db" --output "$work/expected.csv"
echo "  $(($(wc -l < "$work/expected.csv") - 1)) stores"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_all EXIT

common=(Storemon__Database="$db" Reports__Shards="$shards" Reports__Workers=1 Reports__StaleAfter=00:00:10 Reports__QueuePollInterval=00:00:00.2)
env "${common[@]}" Storemon__Role=Api ASPNETCORE_URLS="$base" dotnet "$api" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do curl -fs "$base/health" -o /dev/null 2>/dev/null && break; sleep 0.5; done

workers=()
start_workers() {
  workers=()
  for i in $(seq 1 "$1"); do
    env "${common[@]}" Storemon__Role=Worker dotnet "$api" >"$work/worker$i.log" 2>&1 &
    workers+=($!)
  done
  sleep 3  # the workers register with the shared queue
}
stop_workers() { for p in "${workers[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${workers[@]}"; do wait "$p" 2>/dev/null || true; done; workers=(); }

trigger() { curl -fs -X POST "$base/trigger_report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["report_id"])'; }
field() { curl -fs "$base/reports/$1" | python3 -c "import json,sys; r=json.load(sys.stdin); r.update(r['progress']); print(r.get('$2'))"; }
wait_done() {
  for _ in $(seq 1 1200); do
    local status; status=$(field "$1" status)
    [[ $status == Complete || $status == Failed ]] && { echo "$status"; return; }
    sleep 0.25
  done
  echo "Timeout"
}
seconds() { curl -fs "$base/reports/$1" | python3 -c '
import json, sys
from datetime import datetime
r = json.load(sys.stdin)
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
print("%.3f" % (t(r["finished_at"]) - t(r["created_at"])).total_seconds())'; }
# Which worker process computed each shard of report $1, and how long it took, from the workers' logs.
shards_of() { cat "$work"/worker*.log 2>/dev/null | python3 -c '
import json, sys
lines = []
for line in sys.stdin:
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    state = entry.get("State", {})
    if state.get("ReportId") == sys.argv[1] and "Shard" in state:
        lines.append(((int(state["Attempt"]), int(state["Shard"])), "    attempt %s, shard %s of %s: %s stores in %.3f s by %s, %s" % (
            state["Attempt"], state["Shard"], state["Shards"], format(int(state["Stores"]), ","), float(state["Seconds"]), state["Worker"], state["Role"])))
for _, text in sorted(lines):
    print(text)' "$1"; }
# The process id of the worker that planned report $1's shards (its own worker), from its log line.
planner_of() { cat "$work"/worker*.log 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        state = json.loads(line).get("State", {})
    except ValueError:
        continue
    if state.get("ReportId") == sys.argv[1] and "Attempt" in state and "Stores" in state and "Shard" not in state:
        print(state["Worker"].rsplit("/", 1)[1])
        break' "$1"; }
median() { python3 -c 'import sys, statistics; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }

declare -A med
for n in 1 2; do
  start_workers "$n"
  id=$(trigger)
  [[ $(wait_done "$id") == Complete ]] || { echo "warm-up report $id did not complete" >&2; exit 1; }
  echo "  $n worker(s), $shards shards: warm-up report (first in fresh processes, untimed) in $(seconds "$id") s"
  times=()
  for r in $(seq 1 "$runs"); do
    id=$(trigger)
    status=$(wait_done "$id")
    [[ $status == Complete ]] || { echo "report $id ended $status" >&2; exit 1; }
    t=$(seconds "$id"); times+=("$t")
    echo "  $n worker(s), $shards shards: report in $t s"
    shards_of "$id"
  done
  med[$n]=$(median "${times[@]}")
  echo "$n worker process(es): median ${med[$n]} s of $runs [${times[*]}]"
  stop_workers
done
python3 -c "print(f'speed-up of two worker processes over one: {float(\"${med[1]}\") / float(\"${med[2]}\"):.2f}x')"

if [[ $kill == 1 ]]; then
  for victim in "report's worker" helper; do
    start_workers 2
    id=$(trigger)
    planner=
    for _ in $(seq 1 600); do
      planner=$(planner_of "$id")
      done_=$(field "$id" stores_done)
      [[ -n $planner && $done_ != None && $done_ -gt 0 ]] && break
      sleep 0.05
    done
    [[ -n $planner ]] || { echo "no worker planned report $id" >&2; exit 1; }
    if [[ $victim == helper ]]; then
      pid=$(for p in "${workers[@]}"; do [[ $p != "$planner" ]] && echo "$p"; done)
    else
      pid=$planner
    fi
    kill -9 "$pid"
    echo "  killed the $victim (pid $pid, SIGKILL) at $(field "$id" stores_done) of $(field "$id" stores_total) stores"
    status=$(wait_done "$id")
    curl -fs "$base/reports/$id/csv" -o "$work/killed.csv" || true
    if [[ $status == Complete ]] && cmp -s "$work/expected.csv" "$work/killed.csv"; then
      echo "kill -9 of the $victim mid-report: Complete after $(seconds "$id") s (attempts: $(field "$id" attempts)), CSV byte-identical to storemon report"
      shards_of "$id"
    else
      echo "kill -9 of the $victim mid-report: $status, CSV differs from storemon report" >&2; exit 1
    fi
    stop_workers
  done
fi
