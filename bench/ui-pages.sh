#!/usr/bin/env bash
# The report page at ten times the public size: a report of ~140,000 stores (one day of polls each,
# generated), and the time of GET /ui/reports/{id} with curl: the first view (the CSV read and kept),
# then each sort order's first page (sorted once) and its later pages, and a search, as medians of
# several requests. Builds the CLI and the service in Release, generates and imports into the work
# folder once (reused by later runs), runs the service open on 127.0.0.1 and stops it at the end.
#
#   bench/ui-pages.sh [--stores N] [--runs R] [--work DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
stores=140000
runs=9
work=${TMPDIR:-/tmp}/storemon-ui-pages
while [[ $# -gt 0 ]]; do
  case $1 in
    --stores) stores=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: $0 [--stores N] [--runs R] [--work DIR]" >&2; exit 2 ;;
  esac
done

dotnet build -c Release "$root/src/Storemon.Cli" -v q -nologo >/dev/null
dotnet build -c Release "$root/src/Storemon.Api" -v q -nologo >/dev/null
cli="dotnet $root/src/Storemon.Cli/bin/Release/net10.0/storemon.dll"
mkdir -p "$work"
db="$work/ui-$stores.db"
if [[ ! -f "$db" ]]; then
  $cli generate --out "$work/gen-$stores" --stores "$stores" --days 1 --seed 5 >"$work/prepare.log" 2>&1
  $cli import --db "$db" --status "$work/gen-$stores/store_status.csv" --hours "$work/gen-$stores/menu_hours.csv" \
    --timezones "$work/gen-$stores/timezones.csv" >>"$work/prepare.log" 2>&1
fi

port=$(( 20000 + RANDOM % 20000 ))
Storemon__Database="$db" dotnet "$root/src/Storemon.Api/bin/Release/net10.0/Storemon.Api.dll" --urls "http://127.0.0.1:$port" \
  >"$work/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
until curl -sf "$base/health" >/dev/null 2>&1; do sleep 0.5; done

id=$(curl -sf -X POST "$base/trigger_report" -H 'content-type: application/json' -d '{}' | sed -E 's/.*"report_id":"([^"]+)".*/\1/')
until curl -sf "$base/reports/$id" | grep -q '"status":"Complete"'; do sleep 1; done
rows=$(curl -sf "$base/reports/$id" | sed -E 's/.*"row_count":([0-9]+).*/\1/')

page="$base/ui/reports/$id"
time_of() { curl -s -o /dev/null -w '%{time_total}' "$1"; }
ms() { awk -v t="$1" 'BEGIN { printf "%.1f ms", 1000 * t }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f ms", 1000 * v[int((NR + 1) / 2)] }'; }

echo "report page over $rows stores (report $id)"
printf '  %-40s %s\n' "first view (the CSV read once and kept)" "$(ms "$(time_of "$page")")"
for query in "sort=store_id&dir=asc&page=2" "sort=downtime_last_week&dir=desc" "sort=uptime_percent&dir=asc&page=1000" "sort=uptime_last_day&dir=desc&page=3"; do
  first=$(time_of "$page?$query")
  later=$(for _ in $(seq "$runs"); do time_of "$page?$query"; echo; done | median)
  printf '  %-40s first %s, then median %s\n' "$query" "$(ms "$first")" "$later"
done
search=$(for _ in $(seq "$runs"); do time_of "$page?sort=store_id&dir=asc&q=abc"; echo; done | median)
printf '  %-40s median %s\n' "search q=abc" "$search"
printf '  page size: %s bytes\n' "$(curl -s "$page" | wc -c)"
