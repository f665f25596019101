#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/demo.sh: makes sure DATABASE_URL points at a
# running PostgreSQL.
#
# - DATABASE_URL set: use that server as it is.
# - Otherwise: start a throwaway cluster under target/pg with the system's PostgreSQL
#   (installing the distribution package if it is missing). PostgreSQL refuses to run
#   as root, so as root the cluster belongs to the `postgres` system user.

pg_log() { printf '[postgres] %s\n' "$*" >&2; }

pg_find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /usr/pgsql-*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

pg_install() {
  pg_log "no PostgreSQL server found; installing the distribution package (postgresql)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  elif command -v dnf >/dev/null 2>&1; then
    $sudo dnf install -y -q postgresql-server
  elif command -v brew >/dev/null 2>&1; then
    brew install postgresql
  else
    pg_log "cannot install PostgreSQL here: install it, or set DATABASE_URL to a server you have"
    return 1
  fi
}

pg_ensure() {
  if [ -n "${DATABASE_URL:-}" ]; then
    pg_log "using DATABASE_URL from the environment"
    return 0
  fi
  local root bin data run port user as
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  data="$root/target/pg/data"
  run="$root/target/pg/run"
  port="${DATABOUNTY_PG_PORT:-55432}"
  bin="$(pg_find_bin)" || { pg_install && bin="$(pg_find_bin)"; } || return 1

  user="$(id -un)"
  as=()
  if [ "$(id -u)" -eq 0 ]; then
    user=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$root/target/pg" --shell /bin/sh postgres
    if command -v runuser >/dev/null 2>&1; then as=(runuser -u postgres --); else as=(su postgres -s /bin/sh -c); fi
  fi
  mkdir -p "$data" "$run"
  [ "$user" = "$(id -un)" ] || chown -R "$user" "$root/target/pg"
  # The server's user must be able to reach target/pg.
  [ "$user" = "$(id -un)" ] || chmod o+x "$root" "$root/target" 2>/dev/null || true

  pg_run() {
    if [ "${as[0]:-}" = su ]; then "${as[@]}" "$*"; else "${as[@]}" "$@"; fi
  }
  if [ ! -f "$data/PG_VERSION" ]; then
    pg_log "creating a throwaway cluster in target/pg (no DATABASE_URL given)"
    pg_run "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! pg_run "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    pg_log "starting it on 127.0.0.1:$port"
    pg_run "$bin/pg_ctl" -D "$data" -l "$root/target/pg/server.log" -w \
      -o "-p $port -k $run -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
      || { pg_log "the server did not start; see target/pg/server.log"; return 1; }
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  pg_log "DATABASE_URL=$DATABASE_URL (stop it with: $bin/pg_ctl -D $data stop)"
}
