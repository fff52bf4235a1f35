#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: its data, socket and log in one folder, on one port.
#
#   scripts/test-postgres.sh start DIR PORT   initdb DIR/data and start the server; prints its connection string
#   scripts/test-postgres.sh stop DIR         stop the server (if running) and delete DIR
#   scripts/test-postgres.sh halt DIR         stop the server as an outage would (fast shutdown), keeping DIR
#   scripts/test-postgres.sh resume DIR PORT  start a halted server again
#
# The binaries come from STOREMON_TEST_POSTGRES_BIN, else /usr/lib/postgresql/15/bin. initdb and
# postgres refuse to run as root, so as root they run as the `postgres` user, which then owns DIR.
# The settings trade durability for speed: nothing in this server outlives the test run.
set -euo pipefail

bin=${STOREMON_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start DIR PORT | stop DIR | halt DIR | resume DIR PORT" >&2
  exit 2
}

# Runs a command as the server's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 port=$2
  for tool in initdb pg_ctl; do
    if [[ ! -x "$bin/$tool" ]]; then
      echo "no PostgreSQL server binaries: $bin/$tool is missing (set STOREMON_TEST_POSTGRES_BIN to their folder)" >&2
      exit 1
    fi
  done
  if [[ $(id -u) -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    echo "running as root, but there is no postgres user to run the server as" >&2
    exit 1
  fi
  if [[ -e "$dir/data" ]]; then
    echo "$dir/data already exists" >&2
    exit 1
  fi
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$dir"
  fi
  chmod 700 "$dir"

  # ICU's en-US collation, as a production server would sort text, rather than C (byte order): SQL
  # that needs byte order must say so, and the tests see it when it does not. --no-sync: a server
  # for one test run needs no durable files.
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --locale-provider=icu --icu-locale=en-US --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  run "$dir" "$port"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

# Starts the server of DIR/data on PORT and waits until it takes connections.
run() {
  local dir=$1 port=$2
  # Only the loopback address and a socket in DIR, so that two runs (or a system server) never meet.
  local options="-p $port -k $dir -c listen_addresses=127.0.0.1"
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Many tests, each with its own database and a few connections, run at once.
  options+=" -c max_connections=300 -c shared_buffers=128MB"
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -o "$options" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    exit 1
  fi
}

# Fast shutdown, as an operator's restart does: sessions are ended, open transactions rolled back.
halt() {
  local dir=$1
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

stop() {
  local dir=$1
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    # Immediate: there is nothing to save, and the run is waiting.
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -ge 2 ]] || usage; stop "$2" ;;
  halt) [[ $# -eq 2 ]] || usage; halt "$2" ;;
  resume) [[ $# -eq 3 ]] || usage; run "$2" "$3" ;;
  *) usage ;;
esac
