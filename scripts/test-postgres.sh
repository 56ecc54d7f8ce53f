#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests and `npm run bench -- --scale`:
#
#   eval "$(bash scripts/test-postgres.sh start)"   # installs it if missing (root + apt), starts
#                                                   # it, prints `export TEST_DATABASE_URL=…`
#   bash scripts/test-postgres.sh stop "$PG_TEST_DIR"
#
# The server runs from a temp data folder on 127.0.0.1 only, with trust authentication (nothing
# else can reach it), as the `postgres` user: PostgreSQL refuses to run as root, and CI runs as
# root. It does not touch the Debian cluster that the package may have created.
set -euo pipefail

command_name="${1:-start}"

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Runs a command as the postgres user when we are root; as ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin
  bin="$(find_bin)"
  if [ -z "$bin" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing PostgreSQL for the storage tests (apt-get)…" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      bin="$(find_bin)"
    fi
  fi
  if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get); the PostgreSQL tests will be skipped." >&2
    return 0
  fi
  local dir port
  dir="$(mktemp -d /tmp/pg-test-XXXXXX)"
  port="${PG_TEST_PORT:-$(free_port)}"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  # Sockets in the data folder (not /var/run/postgresql, which may not exist or be writable).
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200" start >&2 ||
    { cat "$dir/server.log" >&2; return 1; }
  echo "export PG_TEST_DIR=$dir"
  echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir="${1:-${PG_TEST_DIR:-}}"
  local bin
  bin="$(find_bin)"
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "$command_name" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop [dir]" >&2; exit 2 ;;
esac
