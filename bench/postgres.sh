#!/usr/bin/env bash
# A local PostgreSQL server for the benchmark (and for trying the service on PostgreSQL), tuned for a
# 2-core, 24 GB machine where PostgreSQL shares the cores with the program that reads from it.
#
#   bench/postgres.sh start [--port P] [--dir D]    initdb D when it holds no cluster, start, print the connection string
#   bench/postgres.sh stop  [--port P] [--dir D]    stop the server of D (fast shutdown)
#
# Defaults: port 55432, directory ${TMPDIR:-/tmp}/storemon-postgres. Uses the PostgreSQL 15 binaries of
# Debian's postgresql-15 package (/usr/lib/postgresql/15/bin, or PG_BIN). initdb and postgres refuse to
# run as root, so as root the server runs as the `postgres` user. It listens on 127.0.0.1 only, with
# trust authentication: a scratch server for one machine, not a production set-up.
set -euo pipefail

action=${1:-}
[[ $action == start || $action == stop ]] || { sed -n '2,11p' "$0"; exit 2; }
shift
port=55432
dir=${TMPDIR:-/tmp}/storemon-postgres
while [[ $# -gt 0 ]]; do
  case $1 in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[[ -x $bin/initdb ]] || { echo "no PostgreSQL binaries in $bin (Debian: apt-get install -y postgresql-15)" >&2; exit 2; }

as_owner() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ $action == stop ]]; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop
  exit 0
fi

if [[ ! -f $dir/data/PG_VERSION ]]; then
  mkdir -p "$dir/data"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
fi

# Each setting, and why (the machine: 2 cores, 24 GB of memory, one SSD; PostgreSQL and the program
# reading from it share the two cores):
settings=(
  # A report reads the week's partitions of poll (~100 MB of heap and index at the public size, ~1 GB
  # at ten times): 2 GB keeps the whole week cached, so repeated reports read memory, not the disk.
  -c shared_buffers=2GB
  # Sorts and hashes of one query: the import's merge sorts a few million staged rows; more than the
  # default 4 MB keeps that sort in memory. Per sort node and connection, so kept moderate.
  -c work_mem=64MB
  # Index builds, VACUUM and ANALYZE: plenty of memory makes them single-pass.
  -c maintenance_work_mem=1GB
  # A bulk import writes a few GB of WAL; a checkpoint forced in the middle of it (the default
  # max_wal_size is 1 GB) doubles its writes, since the first change of each page after a
  # checkpoint logs the whole page. Checkpoints come from time, and rarely, instead.
  -c max_wal_size=8GB
  -c min_wal_size=1GB
  -c checkpoint_timeout=30min
  -c checkpoint_completion_target=0.9
  # A larger WAL buffer lets one big import transaction write the log in large pieces.
  -c wal_buffers=64MB
  # Compressed full-page images: less WAL to write after each checkpoint, for a little CPU.
  -c wal_compression=on
  # SSD: random reads cost about as much as sequential ones, and many can be in flight at once.
  -c random_page_cost=1.1
  -c effective_io_concurrency=200
  # What the planner may assume the OS caches besides shared_buffers.
  -c effective_cache_size=12GB
  # JIT compiles the expressions of queries the planner thinks are expensive (a report's scan of
  # millions of rows), which costs ~100-300 ms per query and saves less than that on these
  # simple expressions.
  -c jit=off
  # Durability stays ON: fsync and synchronous_commit are the defaults and are not turned off here,
  # since a benchmark that loses committed imports on a crash measures a different product.
  -c fsync=on
  -c synchronous_commit=on
  -c listen_addresses=127.0.0.1
  -c port="$port"
  -c unix_socket_directories="$dir"
  -c logging_collector=off
)
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "${settings[*]}" start >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
