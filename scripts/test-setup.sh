#!/usr/bin/env bash
# Script test of the set-up (scripts/postgres.sh), the way it once failed for a user: the
# default port already taken by another program, and two clones of the repository, each
# with its own throwaway cluster — one left running as the demo leaves it, one started and
# stopped around "tests" the way scripts/test.sh does (passing, failing, and Ctrl-C) —
# and a third whose target/pg was copied from the first while its cluster runs. Each must
# reach a working database of its own, never use or stop another's, install nothing while
# server binaries exist (package managers are stubs that record being called), and leave
# nothing running.
#
# Run by scripts/test.sh; a few seconds, no cargo. Ends with a cargo-style "test result:"
# line that test.sh counts. Needs the PostgreSQL server binaries: without them it is
# skipped (it never installs anything). Exits non-zero when a check fails.
# shellcheck disable=SC2016 # checks are strings, eval'd when they run (see expect)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd -P)
# Helpers only (pg_find_bin, pg_port_busy, pg_port_holder); nothing is started from here.
# shellcheck source=scripts/postgres.sh
. "$src/scripts/postgres.sh"

passed=0 failed=0 ignored=0
pass() { passed=$((passed + 1)); echo "test set-up: $1 ... ok"; }
fail() { failed=$((failed + 1)); echo "test set-up: $1 ... FAILED${2:+ ($2)}"; }
skip() { ignored=$((ignored + 1)); echo "test set-up: $1 ... ignored${2:+ ($2)}"; }
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
summary() {
  local verdict=ok
  [ "$failed" -eq 0 ] || verdict=FAILED
  printf '\ntest result: %s. %d passed; %d failed; %d ignored; 0 measured; 0 filtered out; finished in %ds\n' \
    "$verdict" "$passed" "$failed" "$ignored" "$SECONDS"
}

tmp="" listeners=()
trap 'cleanup; summary; [ "$failed" -eq 0 ] || exit 1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cleanup() {
  local c pid home
  if [ -n "$tmp" ]; then
    for c in "$tmp"/*/clone; do
      [ -d "$c/target/pg" ] || continue
      pid=$(clone_pid "$c")
      home=$(cat "$c/target/pg/home" 2>/dev/null)
      if ! (cd "$c" && env -u DATABASE_URL ./scripts/postgres.sh remove >/dev/null 2>&1); then
        [ -z "$pid" ] || kill -QUIT "$pid" 2>/dev/null # our own postmaster, if remove could not stop it
      fi
      case $home in /tmp/databounty-pg.*) rm -rf "$home" ;; esac
    done
  fi
  for pid in ${listeners[@]+"${listeners[@]}"}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -z "$tmp" ] || rm -rf "$tmp"
}

# --- helpers ---------------------------------------------------------------------------

# A program that is not PostgreSQL listening on 127.0.0.1:$1 (pid appended to listeners).
listen_on() {
  local port=$1
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(600)' "$port" 2>/dev/null &
  elif command -v nc >/dev/null 2>&1; then
    nc -l 127.0.0.1 "$port" >/dev/null 2>&1 &
  else
    return 1
  fi
  listeners+=("$!")
  for _ in $(seq 1 50); do
    pg_port_busy "$port" && return 0
    kill -0 "$!" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# A clone of this repository at $1/clone, with the working scripts/ (a clone has only the
# committed ones). Without git, a directory holding scripts/ is enough for the set-up.
make_clone() {
  local dest=$1/clone
  git clone -q "$src" "$dest" 2>/dev/null || mkdir -p "$dest"
  rm -rf "$dest/scripts"
  cp -R "$src/scripts" "$dest/scripts"
}

# The clone's data directory, and its postmaster's pid if one runs.
clone_data() {
  local home=$1/target/pg
  [ -f "$home/home" ] && home=$(cat "$home/home")
  echo "$home/data"
}
clone_pid() {
  local pidfile pid
  pidfile="$(clone_data "$1")/postmaster.pid"
  [ -f "$pidfile" ] || return 0
  pid=$(head -n 1 "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# A check written as a string, eval'd when it runs (so a compound one counts once).
expect() { check "$1" eval "$2"; }

# Runs the clone's own command with a clean environment, and package managers that only
# record being called (the set-up must not install anything while server binaries exist).
in_clone() {
  local dir=$1
  shift
  (cd "$dir" && exec env -u DATABASE_URL -u DATABOUNTY_PG_PORT PATH="$tmp/stub:$PATH" "$@")
}

port_of() {
  local p=${1##*:}
  echo "${p%%/*}"
}
# The server behind URL $1 keeps its data in clone $2.
serves() {
  local got
  got=$(PGCONNECT_TIMEOUT=5 "$PSQL" -X -At "$1" -c 'show data_directory' 2>/dev/null) &&
    [ -n "$got" ] && [ "$got" -ef "$(clone_data "$2")" ]
}
# Nothing of clone $1 runs: no postmaster, no process naming its data directory.
stopped() {
  local data
  data=$(clone_data "$1")
  [ -z "$(clone_pid "$1")" ] && ! pgrep -f -- "-D $data" >/dev/null 2>&1
}
free() { ! pg_port_busy "$1"; }
recorded() { [ "$(cat "$1/target/pg/port" 2>/dev/null)" = "$2" ]; }
one_line_saying() { # $1 file, then words it must contain; exactly one error line
  local file=$1 w
  shift
  [ "$(grep -c 'error:' "$file")" -eq 1 ] || return 1
  for w in "$@"; do grep 'error:' "$file" | grep -qF -- "$w" || return 1; done
}

if ! bin=$(pg_find_bin); then
  skip "the set-up with a busy port and two clones" "no PostgreSQL server binaries here"
  exit 0
fi
PSQL=$(command -v psql || echo "$bin/psql")
export PSQL

tmp=$(mktemp -d)
# What scripts/test.sh does around its tests. The "tests" are a query, then exit $2 (or
# wait for Ctrl-C when $2 is "hang"); the URL and data directory it got go to file $1.
cat >"$tmp/run-like-test.sh" <<'EOF'
set -euo pipefail
. scripts/postgres.sh
pg_stop_at_exit ''
pg_ensure || exit 1
"$PSQL" -X -At "$DATABASE_URL" -c 'select 1' -c 'show data_directory' >"$1.tmp"
printf '%s\n' "$DATABASE_URL" >>"$1.tmp"
mv "$1.tmp" "$1"
if [ "$2" = hang ]; then sleep 60; fi
exit "$2"
EOF
mkdir "$tmp/stub"
for cmd in apt-get dnf brew; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\necho "E: (a stub: no network)"\nexit 1\n' "$cmd" "$tmp/installs" >"$tmp/stub/$cmd"
done
printf '#!/bin/sh\nexec "$@"\n' >"$tmp/stub/sudo"
chmod +x "$tmp/stub/"*
# Clone a in a directory anyone may enter; clone b in a private one, which as root the
# postgres user cannot enter (the cluster then lives under /tmp).
chmod 711 "$tmp"
mkdir -m 755 "$tmp/a"
mkdir -m 700 "$tmp/b"
make_clone "$tmp/a"
make_clone "$tmp/b"
a=$tmp/a/clone b=$tmp/b/clone

# --- the checks --------------------------------------------------------------------------

default=$PG_DEFAULT_PORT
if pg_port_busy "$default"; then
  echo "note: $default is held already, by $(pg_port_holder "$default"); the test uses that"
  check "the default port $default is busy" pg_port_busy "$default"
else
  check "another program listens on the default port $default" listen_on "$default"
fi

# Clone a: started and left running, as the demo leaves it.
url_a=$(in_clone "$a" ./scripts/postgres.sh start 2>"$tmp/a.err")
port_a=$(port_of "$url_a")
expect "clone a: starts its cluster, not on the busy port" '[ -n "$url_a" ] && [ "$port_a" != "$default" ]'
check "clone a: a working database of its own" serves "$url_a" "$a"
check "clone a: its port is recorded under target/pg" recorded "$a" "$port_a"
pid_a=$(clone_pid "$a")

# Clone b, as scripts/test.sh uses it: passing tests.
in_clone "$b" bash "$tmp/run-like-test.sh" "$tmp/b1" 0 2>"$tmp/b1.err"
rc=$?
url_b=$(tail -n 1 "$tmp/b1" 2>/dev/null)
port_b=$(port_of "$url_b")
expect "clone b: reaches a working database (while a's runs and the default port is busy)" \
  '[ "$rc" -eq 0 ] && [ "$(head -n 1 "$tmp/b1")" = 1 ]'
expect "clone b: on a port of its own, its own data directory" \
  '[ -n "$port_b" ] && [ "$port_b" != "$port_a" ] && [ "$port_b" != "$default" ] &&
   [ "$(sed -n 2p "$tmp/b1")" -ef "$(clone_data "$b")" ]'
if [ "$EUID" -eq 0 ]; then
  check "clone b: in a private directory, its cluster lives under /tmp (recorded)" [ -f "$b/target/pg/home" ]
fi
check "clone b: its cluster stopped when the tests ended" stopped "$b"
check "clone b: its port is free again" free "$port_b"
expect "clone a: still running, untouched by b" '[ -n "$pid_a" ] && [ "$(clone_pid "$a")" = "$pid_a" ]'

# Failing tests: the same recorded port, stopped again.
in_clone "$b" bash "$tmp/run-like-test.sh" "$tmp/b2" 1 2>"$tmp/b2.err"
rc=$?
expect "clone b, failing tests: its recorded port again, stopped at the end" \
  '[ "$rc" -eq 1 ] && [ "$(tail -n 1 "$tmp/b2")" = "$url_b" ] && stopped "$b" && free "$port_b"'

# Ctrl-C (INT) and a closed terminal (HUP) during the tests, sent to the whole process
# group as a terminal sends them.
for sig in INT HUP; do
  set -m
  in_clone "$b" bash "$tmp/run-like-test.sh" "$tmp/b3$sig" hang 2>"$tmp/b3$sig.err" &
  job=$!
  set +m
  for _ in $(seq 1 100); do [ -f "$tmp/b3$sig" ] && break; sleep 0.1; done
  kill -"$sig" -- "-$job" 2>/dev/null
  wait "$job"
  rc=$?
  # A shell killed by HUP does not wait for its child, which is still cleaning up.
  for _ in $(seq 1 300); do stopped "$b" && break; sleep 0.1; done
  expect "clone b, SIG$sig during the tests: stopped" '[ -f "$tmp/b3$sig" ] && [ "$rc" -ne 0 ] && stopped "$b" && free "$port_b"'
done

# The recorded port taken by another program meanwhile: another free one.
if listen_on "$port_b"; then
  in_clone "$b" bash "$tmp/run-like-test.sh" "$tmp/b4" 0 2>"$tmp/b4.err"
  rc=$?
  port_b4=$(port_of "$(tail -n 1 "$tmp/b4" 2>/dev/null)")
  expect "clone b, its recorded port taken: works on another, recorded" \
    '[ "$rc" -eq 0 ] && [ -n "$port_b4" ] && [ "$port_b4" != "$port_b" ] && [ "$port_b4" != "$port_a" ] &&
     recorded "$b" "$port_b4" && stopped "$b"'
else
  skip "clone b, its recorded port taken" "could not listen on it (no python3 or nc?)"
fi

# Clone a again: reuses its running cluster.
url_a2=$(in_clone "$a" ./scripts/postgres.sh start 2>"$tmp/a2.err")
expect "clone a, again: the same running cluster" '[ "$url_a2" = "$url_a" ] && [ "$(clone_pid "$a")" = "$pid_a" ]'

# A checkout whose target/pg was copied from clone a while a's cluster runs: its
# postmaster.pid names a's server, which must be neither used nor stopped.
make_clone "$tmp/c"
c=$tmp/c/clone
mkdir -p "$c/target" && cp -a "$a/target/pg" "$c/target/pg" && rm -f "$c/target/pg/home"
url_c=$(in_clone "$c" ./scripts/postgres.sh start 2>"$tmp/c.err")
expect "clone c, target/pg copied from a running a: a working database of its own, not a's" \
  '[ -n "$url_c" ] && [ "$url_c" != "$url_a" ] && serves "$url_c" "$c"'
in_clone "$c" ./scripts/postgres.sh stop 2>>"$tmp/c.err"
expect "clone c: 'stop' stops its own cluster and leaves a's running" \
  'stopped "$c" && [ "$(clone_pid "$a")" = "$pid_a" ] && serves "$url_a" "$a"'
cp -a "$(clone_data "$a")/postmaster.pid" "$(clone_data "$c")/postmaster.pid"
in_clone "$c" ./scripts/postgres.sh stop 2>>"$tmp/c.err"
expect "clone c, 'stop' with a's postmaster.pid in its data: a's server still running" \
  '[ "$(clone_pid "$a")" = "$pid_a" ] && serves "$url_a" "$a" && stopped "$c"'

# Failures: one line that says what to do.
in_clone "$b" env DATABOUNTY_PG_PORT="$default" ./scripts/postgres.sh start >/dev/null 2>"$tmp/busy.err"
rc=$?
holder=$(pg_port_holder "$default")
expect "a forced busy port: fails in one line naming the process that holds it" \
  '[ "$rc" -ne 0 ] && one_line_saying "$tmp/busy.err" "port $default" "${holder%% (*}" DATABOUNTY_PG_PORT && stopped "$b"'
# No server binaries and no package manager (PATH leads nowhere: nothing can be installed).
(cd "$b" && env -u DATABASE_URL PATH=/nonexistent "$BASH" -c \
  '. scripts/postgres.sh; pg_find_bin() { return 1; }; pg_ensure') >/dev/null 2>"$tmp/missing.err"
rc=$?
expect "no PostgreSQL and nothing to install it with: one line pointing at DATABASE_URL" \
  '[ "$rc" -ne 0 ] && one_line_saying "$tmp/missing.err" "DATABASE_URL="'

expect "with server binaries present, nothing is installed" '[ ! -e "$tmp/installs" ]'
# No server binaries: the install is announced before it starts (here it fails at once).
(cd "$b" && env -u DATABASE_URL PATH="$tmp/stub:$PATH" "$BASH" -c \
  '. scripts/postgres.sh; pg_find_bin() { return 1; }; pg_ensure') >/dev/null 2>"$tmp/install.err"
rc=$?
announced=$(grep -n 'installing the postgresql package' "$tmp/install.err" | head -n 1 | cut -d: -f1)
failed_at=$(grep -n 'error:' "$tmp/install.err" | head -n 1 | cut -d: -f1)
expect "no server binaries: says it installs before it does, then one line pointing at DATABASE_URL" \
  '[ "$rc" -ne 0 ] && [ -s "$tmp/installs" ] && [ -n "$announced" ] && [ -n "$failed_at" ] &&
   [ "$announced" -lt "$failed_at" ] && one_line_saying "$tmp/install.err" "DATABASE_URL="'

# The one left for exploring stops with the command the set-up names.
in_clone "$a" ./scripts/postgres.sh stop 2>"$tmp/a-stop.err"
expect "clone a: stopped by 'scripts/postgres.sh stop', its port free" 'stopped "$a" && free "$port_a"'
expect "nothing of any clone runs" '[ -z "$(pgrep -f -- "$tmp" 2>/dev/null)" ] && stopped "$a" && stopped "$b" && stopped "$c"'

for f in "$tmp"/*.err; do
  [ "$failed" -eq 0 ] || { echo "--- ${f##*/}"; cat "$f"; }
done
