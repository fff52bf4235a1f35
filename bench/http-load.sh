#!/usr/bin/env bash
# HTTP benchmark of the service on the public-size data (13,584 stores, ~2M polls):
#   1. one report alone, several times (median), then 20 reports triggered at once: the time until
#      all 20 are complete against the time of one;
#   2. get_report status polls under load (wrk) while reports are being computed: requests/s and
#      p50/p99 latency, median of several runs, beside one run on an idle service.
# It builds the CLI and the service in Release, generates and imports the data once into the work
# folder (reused by later runs), runs the service on a copy of that database with its shipped
# settings (Reports:Workers = 2), and stops it at the end. Traffic goes to 127.0.0.1 only.
#
#   bench/http-load.sh [--duration S] [--connections N] [--threads T] [--runs R] [--work DIR] [--fresh] [--api DIR]
#
# --api runs another build of the service (a folder holding Storemon.Api.dll), to compare a change.
# Needs wrk (Debian: apt-get install -y wrk), curl and the .NET SDK.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=15
connections=32
threads=1
runs=3
work=${TMPDIR:-/tmp}/storemon-http-load
fresh=0
api=
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --api) api=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in wrk curl dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (wrk: apt-get install -y wrk)" >&2; exit 2; }
done
shared=$root/../shared/data
[[ -f $shared/v1_menu_hours.csv && -f $shared/v1_timezones.csv ]] || { echo "the public data is not at $shared" >&2; exit 2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$work"
say() { printf '%s\n' "$*"; }

# ---------------------------------------------------------------- build and data
say "building the CLI and the service (Release)..."
dotnet build "$root/src/Storemon.Cli" -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build "$root/src/Storemon.Api" -c Release -v quiet -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
cli=$root/src/Storemon.Cli/bin/Release/net10.0/storemon.dll
api=${api:-$root/src/Storemon.Api/bin/Release/net10.0}

if [[ $fresh == 1 || ! -f $work/storemon.db || ! -f $work/imported ]]; then
  say "generating and importing the public-size data into $work/storemon.db..."
  rm -rf "$work/data" "$work"/storemon.db* "$work/imported"
  dotnet "$cli" generate --out "$work/data" --hours "$shared/v1_menu_hours.csv" --timezones "$shared/v1_timezones.csv" >/dev/null
  dotnet "$cli" import --db "$work/storemon.db" --hours "$work/data/menu_hours.csv" --timezones "$work/data/timezones.csv" \
    --status "$work/data/store_status.csv" | grep -v '%$'
  touch "$work/imported"
fi

# ---------------------------------------------------------------- the service
server_pid=
base=
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT

# Starts the service on a fresh copy of the database, on a port the system picks, from its own
# folder (so that its appsettings.json applies: JSON console logs, Microsoft.AspNetCore at Warning).
start_server() {
  rm -f "$work"/run.db* "$work"/run.jobs.db*
  cp "$work/storemon.db" "$work/run.db"
  (cd "$api" && exec env Storemon__Database="$work/run.db" Reports__Workers=2 "$@" \
    dotnet Storemon.Api.dll --urls http://127.0.0.1:0 >"$work/server.log" 2>&1) &
  server_pid=$!
  base=
  for _ in $(seq 300); do
    base=$(grep -o 'Now listening on: http://[0-9.:]*' "$work/server.log" | head -n 1 | sed 's/Now listening on: //' || true)
    [[ -n $base ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $base ]] || { echo "the service did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
  for _ in $(seq 300); do
    curl -sf "$base/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "the service's /health did not answer:" >&2; cat "$work/server.log" >&2; exit 1
}

trigger() { curl -sf -X POST "$base/trigger_report" | sed -n 's/.*"report_id":"\([0-9a-f]*\)".*/\1/p'; }
field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"; }
resource() { curl -sf "$base/reports/$1"; }
seconds_of() { date -u -d "$1" +%s.%N; }   # an ISO 8601 instant as Unix seconds
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Waits until every report named is Complete (fails on a Failed one); polls the resource, which
# does not carry the CSV.
wait_complete() {
  local id status deadline=$((SECONDS + 600))
  for id in "$@"; do
    while true; do
      status=$(resource "$id" | field status)
      [[ $status == Complete ]] && break
      [[ $status == Failed ]] && { echo "report $id failed: $(resource "$id")" >&2; exit 1; }
      (( SECONDS < deadline )) || { echo "report $id not complete after 10 minutes" >&2; exit 1; }
      sleep 0.02
    done
  done
}

# From the service's own records: seconds from the earliest creation to the latest finish.
span_of() {
  local id body
  for id in "$@"; do
    body=$(resource "$id")
    printf '%s %s\n' "$(seconds_of "$(field created_at <<<"$body")")" "$(seconds_of "$(field finished_at <<<"$body")")"
  done | awk 'NR == 1 || $1 < first { first = $1 } NR == 1 || $2 > last { last = $2 } END { printf "%.3f", last - first }'
}

# wrk's latency in milliseconds ("850.00us", "1.23ms", "1.01s").
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }

# Runs wrk on get_report for one report; prints "requests/s p50_ms p99_ms errors".
poll_load() {
  local id=$1 seconds=$2 out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$base/get_report?report_id=$id")
  printf '%s\n' "$out" >>"$work/wrk.log"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
  # Non-2xx answers and socket errors (connect, read, write, timeout) added up.
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/[^0-9 ]/, ""); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' <<<"$out")
  printf '%s %s %s %s\n' "$rps" "$p50" "$p99" "$errors"
}

say "storemon HTTP load: service $api/Storemon.Api.dll"
say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; wrk -t$threads -c$connections -d${duration}s, $runs runs, work folder $work"
: >"$work/wrk.log"

# ---------------------------------------------------------------- reports: one alone, then 20 at once
start_server
say "service at $base (Reports:Workers = 2)"
wait_complete "$(trigger)"   # warm-up: JIT, page cache
single=()
for run in $(seq "$runs"); do
  id=$(trigger)
  wait_complete "$id"
  single+=("$(span_of "$id")")
  body=$(resource "$id")
  say "  one report: $(calc %.3f "$(seconds_of "$(field started_at <<<"$body")") - $(seconds_of "$(field created_at <<<"$body")")") s in the queue, $(calc %.3f "$(seconds_of "$(field finished_at <<<"$body")") - $(seconds_of "$(field started_at <<<"$body")")") s running"
done
one=$(printf '%s\n' "${single[@]}" | median)
say "one report alone (created -> finished, as the service records it): median ${one} s of $runs [${single[*]}]"

ratios=()
for run in $(seq "$runs"); do
  ids=()
  pids=()
  tmp=$(mktemp -d)
  for i in $(seq 20); do trigger >"$tmp/$i" & pids+=($!); done
  wait "${pids[@]}"
  for i in $(seq 20); do ids+=("$(cat "$tmp/$i")"); done
  rm -rf "$tmp"
  wait_complete "${ids[@]}"
  twenty=$(span_of "${ids[@]}")
  ratio=$(calc %.2f "$twenty / $one")
  ratios+=("$ratio")
  say "  20 reports triggered at once: all complete in ${twenty} s = ${ratio}x one report"
done
say "20 at once / one alone: median $(printf '%s\n' "${ratios[@]}" | median)x of $runs [${ratios[*]}] (target <= 20x)"
stop_server

# ---------------------------------------------------------------- status polls while reports run
# A report takes well under a second here, so one report cannot stay running for a whole wrk run.
# Instead each run starts the service afresh and queues enough reports to keep both workers
# computing for longer than the run; wrk then polls the report queued last. get_report answers it
# "Running" with its progress (the same lookup and the same small JSON as for the report being
# computed), never its CSV; the script checks that it was still unfinished when wrk ended. A 3 s
# wrk run first warms the service up (JIT) and is not counted.
polls_run() {
  local queue=$(( (duration + 8) * 4 )) polled before after status result
  for _ in $(seq "$queue"); do trigger >/dev/null; done
  polled=$(trigger)
  poll_load "$polled" 3 >/dev/null
  before=$(completed)
  result=$(poll_load "$polled" "$duration")
  after=$(completed)
  status=$(resource "$polled" | field status)
  if [[ $status == Complete || $status == Failed ]]; then
    echo "INVALID: the polled report finished during the run"
    return
  fi
  echo "$result $((after - before)) $status"
}
completed() { curl -sf "$base/reports?page_size=200" | grep -o '"status":"Complete"' | wc -l; }

results=()
for run in $(seq "$runs"); do
  start_server
  result=$(polls_run)
  stop_server
  if [[ $result == INVALID* ]]; then
    say "  run $run: $result (make the queue longer)"
    continue
  fi
  read -r rps p50 p99 errors reports status <<<"$result"
  results+=("$result")
  say "  run $run: ${rps} requests/s, p50 ${p50} ms, p99 ${p99} ms, errors: ${errors}; ${reports} reports completed during the run, the polled one still ${status}"
done
if [[ ${#results[@]} -gt 0 ]]; then
  rps=$(printf '%s\n' "${results[@]}" | awk '{ print $1 }' | median)
  p50=$(printf '%s\n' "${results[@]}" | awk '{ print $2 }' | median)
  p99=$(printf '%s\n' "${results[@]}" | awk '{ print $3 }' | median)
  say "get_report while reports run: median ${rps} requests/s (target >= 5000), p50 ${p50} ms, p99 ${p99} ms (target <= 20 ms), of ${#results[@]} runs"
fi

# The same polls on an idle service: its workers look at the queue only once an hour, so the
# polled report stays Pending ("Running" to get_report) and nothing is computed.
start_server Reports__QueuePollInterval=01:00:00
sleep 2
polled=$(trigger)
poll_load "$polled" 3 >/dev/null
read -r rps p50 p99 errors <<<"$(poll_load "$polled" "$duration")"
status=$(resource "$polled" | field status)
stop_server
say "idle service (no report computed, the polled one ${status}): ${rps} requests/s, p50 ${p50} ms, p99 ${p99} ms, errors: ${errors}"
say "wrk's full output: $work/wrk.log; the last service's log: $work/server.log"
