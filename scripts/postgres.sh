#!/usr/bin/env bash
# PostgreSQL for scripts/test.sh and scripts/demo.sh (they source this file), and a command
# for people: ./scripts/postgres.sh start|status|stop|remove.
#
# pg_ensure makes sure DATABASE_URL points at a running PostgreSQL:
# - DATABASE_URL set: that server is used as it is; nothing is started or stopped.
# - Otherwise this checkout's own throwaway cluster, under target/pg:
#   - reused if it is running already — checked on the server itself: its data directory
#     must be this checkout's, so another checkout's cluster is never used by accident;
#   - else started on the port recorded in target/pg/port, or the first free one from
#     55432 (DATABOUNTY_PG_PORT=N forces one), and the port is recorded;
#   - made with the system's PostgreSQL. The `postgresql` package is installed only when
#     no server binaries exist (said before it starts); a cluster the package sets up for
#     itself (Debian's "main") is removed again, so the package is the only change;
#   - as root it runs as the `postgres` user (PostgreSQL refuses root). When that user
#     cannot enter target/pg (the checkout is under a private directory such as /root),
#     the cluster lives in a private directory under /tmp, recorded in target/pg/home.
# pg_cleanup stops the cluster if this shell started it (test.sh: on exit, Ctrl-C too);
# pg_stop stops this checkout's cluster whoever started it. Every failure is one line
# that says what to do.

PG_DEFAULT_PORT=55432
PG_PORT_TRIES=100
PG_HINT_URL="or set DATABASE_URL=postgres://user@host:port/db to use a server you have"

pg_started=""     # set when this shell started the cluster (pg_cleanup stops it then)
pg_other_data=""  # the data directory of a server that answered and is not ours
pg_throwaway=""   # set when DATABASE_URL is this checkout's cluster (not the caller's)

pg_src=${BASH_SOURCE[0]}
case $pg_src in */*) pg_src=${pg_src%/*} ;; *) pg_src=. ;; esac
pg_root=$(cd "$pg_src/.." && pwd -P)
pg_dir=$pg_root/target/pg
unset pg_src

pg_log() { printf '[postgres] %s\n' "$*" >&2; }
pg_fail() { pg_log "error: $*"; return 1; }

# How people run this file from where they are (for the messages).
pg_cmd() {
  if [ "$PWD" -ef "$pg_root" ]; then echo ./scripts/postgres.sh; else echo "$pg_root/scripts/postgres.sh"; fi
}

# --- binaries ----------------------------------------------------------------------------

pg_bin_major() {
  local v
  v=$("$1/postgres" --version 2>/dev/null) || return 1
  v=${v#*) }
  v=${v%%[!0-9]*}
  [ -n "$v" ] && echo "$v"
}

# The directory with initdb, pg_ctl and postgres: the version $1 if given and present
# (the one that made an existing cluster), else the newest.
pg_find_bin() {
  local want=${1:-} dir ver best="" bestver=0 p
  local dirs=()
  for dir in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin \
    /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin \
    /Applications/Postgres.app/Contents/Versions/*/bin; do
    dirs+=("$dir")
  done
  if p=$(command -v pg_ctl 2>/dev/null); then
    dirs+=("$(dirname "$(readlink -f "$p" 2>/dev/null || echo "$p")")")
  fi
  for dir in "${dirs[@]}"; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] || continue
    ver=$(pg_bin_major "$dir") || continue
    if [ "$ver" = "$want" ]; then echo "$dir"; return 0; fi
    if [ "$ver" -gt "$bestver" ]; then best=$dir bestver=$ver; fi
  done
  [ -n "$best" ] && echo "$best"
}

# Debian's clusters, as version/name.
pg_deb_clusters() {
  local f
  for f in /etc/postgresql/*/*/postgresql.conf; do
    [ -e "$f" ] || continue
    f=${f#/etc/postgresql/}
    echo "${f%/postgresql.conf}"
  done
}

pg_install() {
  local sudo="" how log before c
  if [ "$EUID" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
  if command -v apt-get >/dev/null 2>&1; then how=apt-get
  elif command -v dnf >/dev/null 2>&1; then how=dnf
  elif command -v brew >/dev/null 2>&1; then how=brew
  else
    pg_fail "PostgreSQL is not installed and there is no apt-get, dnf or brew here to install it: install it, $PG_HINT_URL"
    return 1
  fi
  if [ "$how" != brew ] && [ "$EUID" -ne 0 ] && [ -z "$sudo" ]; then
    pg_fail "PostgreSQL is not installed and installing it needs root (there is no sudo): install the postgresql package, $PG_HINT_URL"
    return 1
  fi
  mkdir -p "$pg_dir" || { pg_fail "cannot create $pg_dir: check the permissions of $pg_root/target"; return 1; }
  log=$pg_dir/install.log
  pg_log "no PostgreSQL server on this machine: installing the postgresql package with ${sudo:+sudo }$how now (Ctrl-C to stop, $PG_HINT_URL instead)"
  case $how in
    apt-get)
      before=" $(pg_deb_clusters | tr '\n' ' ') "
      if ! { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } >"$log" 2>&1; then
        pg_fail "installing postgresql with apt-get failed ($(tail -n 1 "$log")): install it yourself, $PG_HINT_URL"
        return 1
      fi
      # The package creates and starts a "main" cluster; the set-up uses its own, so that
      # one goes again and the machine keeps only the package.
      for c in $(pg_deb_clusters); do
        case $before in *" $c "*) continue ;; esac
        pg_log "removing the cluster $c that the package created and started (the set-up uses its own)"
        $sudo pg_dropcluster --stop "${c%/*}" "${c#*/}" >>"$log" 2>&1 ||
          pg_log "could not remove it: sudo pg_dropcluster --stop ${c%/*} ${c#*/}"
      done
      ;;
    dnf)
      $sudo dnf install -y -q postgresql-server >"$log" 2>&1 ||
        { pg_fail "installing postgresql-server with dnf failed ($(tail -n 1 "$log")): install it yourself, $PG_HINT_URL"; return 1; }
      ;;
    brew)
      brew install postgresql@17 >"$log" 2>&1 ||
        { pg_fail "installing postgresql@17 with brew failed ($(tail -n 1 "$log")): install it yourself, $PG_HINT_URL"; return 1; }
      ;;
  esac
}

# --- ports ---------------------------------------------------------------------------------

pg_port_busy() {
  if command -v ss >/dev/null 2>&1; then
    [ "$(ss -ltnH "sport = :$1" 2>/dev/null | wc -l)" -gt 0 ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# "pid 123 (python3 -m http.server 55432)", as far as this user can see.
pg_port_holder() {
  local out="" pid cmd=""
  if command -v ss >/dev/null 2>&1; then
    out=$(ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\2 \1/p' | head -n 1)
  fi
  if [ -z "$out" ] && command -v lsof >/dev/null 2>&1; then
    out=$(lsof -nP -iTCP:"$1" -sTCP:LISTEN -Fpc 2>/dev/null | awk '/^p/ {p = substr($0, 2)} /^c/ {print p, substr($0, 2); exit}')
  fi
  if [ -z "$out" ]; then
    echo "another program (sudo ss -ltnp 'sport = :$1' shows which)"
    return 0
  fi
  pid=${out%% *}
  [ -r "/proc/$pid/cmdline" ] && cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
  [ "${#cmd}" -le 100 ] || cmd="${cmd:0:97}..."
  cmd=${cmd% }
  echo "pid $pid (${cmd:-${out#* }})"
}

# --- the cluster ---------------------------------------------------------------------------

# Where this checkout's cluster lives: pg_home (target/pg, or the directory recorded in
# target/pg/home) and its data directory pg_data.
pg_locate() {
  local rec=""
  pg_home=$pg_dir
  if [ -f "$pg_dir/home" ]; then
    read -r rec <"$pg_dir/home" || true
    case $rec in /tmp/databounty-pg.*) [ -d "$rec" ] && pg_home=$rec ;; esac
  fi
  pg_data=$pg_home/data
  pg_logfile=$pg_home/server.log
}

# Who runs the server: this user, or as root the postgres user (or nobody, without one).
pg_user_setup() {
  pg_as=()
  pg_user=$(id -un)
  [ "$EUID" -eq 0 ] || return 0
  pg_user=postgres
  id postgres >/dev/null 2>&1 || pg_user=nobody
  if command -v runuser >/dev/null 2>&1; then pg_as=(runuser -u "$pg_user" --); else pg_as=(su); fi
}

# Runs a command as the server's user, from / (which that user can always enter), without
# the set-up's lock (fd 9), which a server would otherwise keep.
pg_run() {
  (
    exec 9>&-
    cd / || exit 1
    if [ "${#pg_as[@]}" -eq 0 ]; then exec "$@"; fi
    if [ "${pg_as[0]}" = su ]; then exec su -s /bin/sh "$pg_user" -c "$(printf '%q ' "$@")"; fi
    exec "${pg_as[@]}" "$@"
  )
}

pg_psql() {
  local port=$1 psql
  shift
  psql=$pg_bin/psql
  [ -x "$psql" ] || psql=$(command -v psql) || return 127
  PGCONNECT_TIMEOUT=5 "$psql" -X -q -At "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" "$@"
}

pg_running() {
  [ -f "$pg_data/postmaster.pid" ] && pg_run "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1
}

pg_pid_line() { sed -n "${1}p" "$pg_data/postmaster.pid" 2>/dev/null; }

# Is pid $1 a live PostgreSQL? (After a crash postmaster.pid may name a zombie, or a pid
# that something else has by now.)
pg_pid_is_postgres() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case $st in *Z*) return 1 ;; esac
  case $(ps -o command= -p "$1" 2>/dev/null) in *postgres* | *postmaster*) return 0 ;; esac
  return 1
}

# Whose is the server on 127.0.0.1:$1? 0: ours (its data directory is this checkout's);
# 1: another's (it answered with another data directory: say, target/pg was copied from a
# checkout whose cluster runs); 2: no answer (it may be starting up; retried a little).
pg_serves_ours() {
  local got i rc
  for i in 1 2 3 4 5 6 7 8 9 10; do
    got=$(pg_psql "$1" -c 'show data_directory' 2>/dev/null)
    rc=$?
    [ "$rc" -eq 127 ] && return 0 # no psql here: postmaster.pid is all we have
    if [ "$rc" -eq 0 ] && [ -n "$got" ]; then
      [ "$got" -ef "$pg_data" ] && return 0
      pg_other_data=$got
      return 1
    fi
    [ "$i" -eq 10 ] || sleep 0.5
  done
  return 2
}

# Starts the server on port $1. Returns 2 when the port is taken, 1 on other failures
# (pg_reason says why).
pg_start_on() {
  local port=$1 size out
  size=0
  [ -f "$pg_logfile" ] && size=$(wc -c <"$pg_logfile") && size=${size//[!0-9]/}
  if out=$(pg_run "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_logfile" -w -t 60 \
    -o "-p $port -k '' -c listen_addresses=127.0.0.1 -c fsync=off" start 2>&1); then
    return 0
  fi
  pg_reason=$(tail -c +"$((${size:-0} + 1))" "$pg_logfile" 2>/dev/null | grep -E 'FATAL|PANIC|ERROR' | tail -n 1)
  if tail -c +"$((${size:-0} + 1))" "$pg_logfile" 2>/dev/null | grep -q 'Address already in use'; then return 2; fi
  [ -n "$pg_reason" ] || pg_reason=$(printf '%s\n' "$out" | grep 'pg_ctl:' | tail -n 1)
  pg_reason=${pg_reason#*FATAL:  }
  return 1
}

pg_export() {
  export DATABASE_URL="postgres://postgres@127.0.0.1:$1/postgres"
  pg_throwaway=1
  pg_log "DATABASE_URL=$DATABASE_URL (this checkout's cluster; stop it with: $(pg_cmd) stop)"
}

pg_ensure() {
  if [ -n "${DATABASE_URL:-}" ]; then
    pg_log "using DATABASE_URL from the environment"
    return 0
  fi
  local want="" rc
  pg_locate
  [ -f "$pg_data/PG_VERSION" ] && read -r want <"$pg_data/PG_VERSION"
  if ! pg_bin=$(pg_find_bin "$want"); then
    pg_install || return 1
    pg_bin=$(pg_find_bin "$want") ||
      { pg_fail "the postgresql package is installed but no initdb/pg_ctl/postgres was found: $PG_HINT_URL"; return 1; }
  fi
  pg_user_setup
  mkdir -p "$pg_dir" || { pg_fail "cannot create $pg_dir: check the permissions of $pg_root/target, $PG_HINT_URL"; return 1; }
  # One set-up at a time per checkout (say, the demo and the tests started together): the
  # second waits, then reuses the first one's cluster.
  if command -v flock >/dev/null 2>&1 && exec 9>>"$pg_dir/lock"; then
    flock -w 120 9 || pg_log "another set-up of this checkout holds target/pg/lock; going on"
  fi
  pg_ensure_locked
  rc=$?
  exec 9>&-
  return "$rc"
}

pg_ensure_locked() {
  local want="" port rec="" explicit="" busy_note="" rc p
  local ports=()
  pg_locate
  [ -f "$pg_data/PG_VERSION" ] && read -r want <"$pg_data/PG_VERSION"
  # This checkout's cluster, already running?
  if pg_running && ! pg_pid_is_postgres "$(pg_pid_line 1)"; then
    pg_log "removing target/pg's postmaster.pid: it names pid $(pg_pid_line 1), which is no PostgreSQL (left by a crash)"
    rm -f "$pg_data/postmaster.pid"
  fi
  if pg_running; then
    port=$(pg_pid_line 4)
    rc=2
    if [ -n "$port" ]; then pg_serves_ours "$port" && rc=0 || rc=$?; fi
    if [ "$rc" -eq 0 ]; then
      pg_log "reusing this checkout's cluster on 127.0.0.1:$port"
      [ -z "${DATABOUNTY_PG_PORT:-}" ] || [ "$DATABOUNTY_PG_PORT" = "$port" ] ||
        pg_log "(DATABOUNTY_PG_PORT=$DATABOUNTY_PG_PORT applies after: $(pg_cmd) stop)"
      echo "$port" >"$pg_dir/port" 2>/dev/null || true
      pg_export "$port"
      return 0
    fi
    if [ "$rc" -eq 1 ]; then
      # The pid file names another checkout's running server: ours is not running.
      pg_log "target/pg's postmaster.pid names the server of $pg_other_data (copied from another checkout?): leaving that one alone, starting this checkout's own"
      rm -f "$pg_data/postmaster.pid"
    else
      pg_fail "$pg_data/postmaster.pid names pid $(pg_pid_line 1), a PostgreSQL that does not answer on port ${port:-?}: wait for it and retry, or stop that process and remove the file"
      return 1
    fi
  fi

  # Where it lives, owned by the server's user.
  if [ "$EUID" -eq 0 ]; then
    mkdir -p "$pg_home" && chown -R "$pg_user" "$pg_home" ||
      { pg_fail "cannot give $pg_home to the $pg_user user: $PG_HINT_URL"; return 1; }
    if ! pg_run test -w "$pg_home" -a -x "$pg_home"; then
      pg_home=$(mktemp -d /tmp/databounty-pg.XXXXXX) && chown "$pg_user" "$pg_home" && pg_run test -w "$pg_home" ||
        { pg_fail "the $pg_user user cannot enter $pg_dir (a parent directory is private) nor use /tmp: run 'chmod o+x' on the checkout's parent directories, $PG_HINT_URL"; return 1; }
      echo "$pg_home" >"$pg_dir/home"
      pg_log "the $pg_user user (the server's; PostgreSQL refuses root) cannot enter $pg_dir, a parent directory being private: the cluster lives in $pg_home (recorded in target/pg/home)"
      pg_locate
    fi
  fi

  # A leftover that cannot start: made by another PostgreSQL version, or half made.
  if [ -n "$want" ] && [ "$want" != "$(pg_bin_major "$pg_bin")" ]; then
    pg_log "the throwaway cluster was made by PostgreSQL $want, which is not on this machine any more: making a new one"
    rm -rf "$pg_data"
  elif [ -d "$pg_data" ] && [ ! -f "$pg_data/PG_VERSION" ]; then
    rm -rf "$pg_data"
  fi
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    pg_log "creating this checkout's throwaway cluster in ${pg_home#"$pg_root"/} (no DATABASE_URL given)"
    if ! p=$(pg_run "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --no-locale -N 2>&1); then
      rm -rf "$pg_data"
      pg_fail "initdb failed ($(printf '%s\n' "$p" | grep -v '^$' | tail -n 1)): $PG_HINT_URL"
      return 1
    fi
  fi

  # A port: the forced one, else the recorded one, else the first free one.
  if [ -n "${DATABOUNTY_PG_PORT:-}" ]; then
    case $DATABOUNTY_PG_PORT in
      *[!0-9]*) pg_fail "DATABOUNTY_PG_PORT=$DATABOUNTY_PG_PORT is not a port number: unset it, or give one such as 55432"; return 1 ;;
    esac
    explicit=1
    ports=("$DATABOUNTY_PG_PORT")
  else
    [ -f "$pg_dir/port" ] && read -r rec <"$pg_dir/port"
    [ -n "$rec" ] && ports=("$rec")
    for ((p = PG_DEFAULT_PORT; p < PG_DEFAULT_PORT + PG_PORT_TRIES; p++)); do
      [ "$p" = "$rec" ] || ports+=("$p")
    done
  fi
  pg_started=1 # from here on, pg_cleanup stops whatever did start
  for port in "${ports[@]}"; do
    if pg_port_busy "$port"; then
      if [ -n "$explicit" ]; then
        pg_fail "port $port (DATABOUNTY_PG_PORT) is held by $(pg_port_holder "$port"): stop that, or unset DATABOUNTY_PG_PORT to let the set-up pick a free port"
        return 1
      fi
      [ -n "$busy_note" ] || busy_note="; $port is held by $(pg_port_holder "$port")"
      continue
    fi
    pg_log "starting it on 127.0.0.1:$port$busy_note"
    pg_start_on "$port"
    rc=$?
    if [ "$rc" -eq 0 ]; then
      echo "$port" >"$pg_dir/port"
      pg_export "$port"
      return 0
    fi
    if [ "$rc" -eq 2 ] && [ -z "$explicit" ]; then
      busy_note="; $port was taken meanwhile"
      continue
    fi
    if [ "$rc" -eq 2 ]; then
      pg_fail "port $port (DATABOUNTY_PG_PORT) is held by $(pg_port_holder "$port"): stop that, or unset DATABOUNTY_PG_PORT to let the set-up pick a free port"
    else
      pg_fail "the server did not start (${pg_reason:-no reason given}): '$(pg_cmd) remove' starts afresh, $PG_HINT_URL (log: $pg_logfile)"
    fi
    return 1
  done
  pg_fail "no free port in $PG_DEFAULT_PORT-$((PG_DEFAULT_PORT + PG_PORT_TRIES - 1)): set DATABOUNTY_PG_PORT to a free port, $PG_HINT_URL"
  return 1
}

# Stops this checkout's cluster, if it runs (never any other server).
pg_stop() {
  local want="" port out
  pg_started=""
  pg_locate
  [ -f "$pg_data/postmaster.pid" ] || return 0
  [ -f "$pg_data/PG_VERSION" ] && read -r want <"$pg_data/PG_VERSION"
  pg_bin=$(pg_find_bin "$want") || { pg_fail "no pg_ctl to stop $pg_data with: kill the postgres of pid $(pg_pid_line 1)"; return 1; }
  pg_user_setup
  pg_running || return 0
  if ! pg_pid_is_postgres "$(pg_pid_line 1)"; then rm -f "$pg_data/postmaster.pid"; return 0; fi
  port=$(pg_pid_line 4)
  if [ -n "$port" ] && { pg_serves_ours "$port"; [ $? -eq 1 ]; }; then
    pg_log "not stopping the server of $pg_other_data that target/pg's postmaster.pid names (another checkout's); this checkout's is not running"
    rm -f "$pg_data/postmaster.pid"
    return 0
  fi
  if out=$(pg_run "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 60 stop 2>&1); then
    pg_log "stopped this checkout's cluster (127.0.0.1:$port)"
  else
    pg_fail "could not stop this checkout's cluster ($(printf '%s\n' "$out" | tail -n 1)): kill its postmaster, pid $(pg_pid_line 1)"
  fi
}

# For traps: stops the cluster if this shell started it.
pg_cleanup() {
  [ -z "${pg_started:-}" ] || pg_stop
}

# What test.sh does around its run: the cluster this shell starts is stopped when the
# shell ends (passed, failed, Ctrl-C, TERM, or HUP from a closed terminal: bash runs the EXIT
# trap for it too), after the commands in $1 (its own clean-up).
pg_stop_at_exit() {
  pg_at_exit=${1:-}
  trap 'eval "$pg_at_exit"; pg_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Stops and deletes this checkout's cluster.
pg_remove() {
  pg_stop || return 1
  pg_locate
  if [ "$pg_home" != "$pg_dir" ]; then rm -rf "$pg_home"; fi
  rm -rf "$pg_dir"
  pg_log "removed this checkout's cluster"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  case "${1:-}" in
    start)
      unset DATABASE_URL
      pg_ensure && echo "$DATABASE_URL"
      ;;
    status)
      pg_locate
      if [ -f "$pg_data/PG_VERSION" ] && pg_bin=$(pg_find_bin "$(cat "$pg_data/PG_VERSION")") && pg_user_setup && pg_running; then
        echo "postgres://postgres@127.0.0.1:$(pg_pid_line 4)/postgres"
      else
        echo "not running" >&2
        exit 3
      fi
      ;;
    stop) pg_stop ;;
    remove) pg_remove ;;
    *)
      echo "usage: $0 start|status|stop|remove   (this checkout's throwaway PostgreSQL, under target/pg)" >&2
      exit 2
      ;;
  esac
fi
