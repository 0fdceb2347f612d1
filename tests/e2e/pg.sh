# pg.sh: a throwaway PostgreSQL server for the tests that run against it. Source it after
# lib.sh; it provides:
#   pg_start     initdb into a fresh temporary folder, start the server on its own free port
#                on 127.0.0.1 (and a socket in that folder only), as an unprivileged user
#                (the caller when not root, else the postgres account Debian's package makes,
#                else nobody), create the database; sets PG_URL
#                (postgresql://creditscore@127.0.0.1:PORT/creditscore). Returns 1 and prints
#                why on stderr when it cannot (no server binaries: Debian's postgresql
#                package; initdb or the start failing: the server's log is shown).
#   pg_stop      stop it (fast shutdown) and remove its folder; also run on exit.
#   pg_psql SQL  run SQL with psql on it, unaligned rows without headers
# A test that needs the server and cannot start it FAILS (exit 1): it never skips.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_DIR= PG_PORT= PG_URL= PG_AS=()

pg_start() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql: scripts/install-deps.sh)" >&2
    return 1
  fi
  command -v psql >/dev/null || { echo "no psql (Debian package postgresql-client)" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/cs-pg-XXXXXX) || return 1
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    local who=nobody
    id postgres >/dev/null 2>&1 && who=postgres
    chown "$who" "$PG_DIR"
    PG_AS=(runuser -u "$who" --)
  fi
  PG_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U creditscore -E UTF8 --no-sync \
      >"$PG_DIR/initdb.log" 2>&1; then
    echo "initdb failed:" >&2; tail -5 "$PG_DIR/initdb.log" >&2; return 1
  fi
  if ! "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=50" \
      start >"$PG_DIR/pg_ctl.log" 2>&1; then
    echo "the PostgreSQL server did not start:" >&2; tail -5 "$PG_DIR/server.log" >&2; return 1
  fi
  if ! psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d postgres -c 'CREATE DATABASE creditscore' \
      >"$PG_DIR/createdb.log" 2>&1; then
    echo "cannot create the database:" >&2; tail -3 "$PG_DIR/createdb.log" >&2; return 1
  fi
  PG_URL="postgresql://creditscore@127.0.0.1:$PG_PORT/creditscore"
  trap 'pg_stop; rm -rf "$T"' EXIT
}

pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  [ -f "$PG_DIR/data/postmaster.pid" ] && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
  PG_DIR=
}

pg_psql() {
  psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d creditscore -c "$1"
}
