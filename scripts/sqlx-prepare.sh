#!/usr/bin/env bash
# Regenerates .sqlx/: what the indexer's sqlx::query! macros know about each statement
# (parameter and column types, nullability). Builds read it instead of a database
# (SQLX_OFFLINE=true in .cargo/config.toml), so it must be regenerated, and committed,
# whenever a checked statement or a migration changes (README: "Changing SQL").
#
#   scripts/sqlx-prepare.sh          rewrite .sqlx/
#   scripts/sqlx-prepare.sh --check  only say whether .sqlx/ is what the statements and
#                                    migrations give now (exit 1 if not); changes nothing
#
# It makes a scratch database, applies migrations/ to it in order, and builds the indexer
# online against it with SQLX_OFFLINE_DIR set, which makes the macros write their data
# (no sqlx-cli needed). The server is DATABASE_URL's (the database there is untouched: the
# scratch one is created beside it and dropped at the end), or, without DATABASE_URL, this
# checkout's throwaway cluster (scripts/postgres.sh, as the tests use).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

check=""
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
command -v psql >/dev/null || { echo "sqlx-prepare: psql is needed to apply the migrations" >&2; exit 1; }

# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh
scratch=databounty_sqlx_prepare
out=""
admin=""
finish() {
  [ -z "$admin" ] || psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
  [ -z "$out" ] || rm -rf "$out"
  pg_cleanup
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_ensure || exit 1

# The scratch database's URL: DATABASE_URL with its database name replaced.
base=${DATABASE_URL%%\?*}
params=${DATABASE_URL#"$base"}
case ${base#*://} in
  */*) server=${base%/*} ;;
  *) server=$base ;;
esac
admin=$DATABASE_URL
url=$server/$scratch$params

echo "sqlx-prepare: scratch database $scratch, migrations applied in order"
psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch"
for migration in $(LC_ALL=C ls migrations/*.sql); do
  # One transaction per file, as the indexer's migrator applies them.
  psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$migration" "$url" >/dev/null
done

# Written to a fresh directory first, so a failed build leaves .sqlx as it was and
# statements that no longer exist leave no file behind.
out=$(mktemp -d)
# The macros describe statements only when the crate is compiled, and cargo does not
# recompile for a changed database or environment: touching the sources makes it.
touch indexer/src/db/*.rs
echo "sqlx-prepare: cargo check -p databounty-indexer --all-targets against $scratch"
DATABASE_URL=$url SQLX_OFFLINE=false SQLX_OFFLINE_DIR=$out \
  cargo check -q -p databounty-indexer --all-targets
# The next ordinary (offline) build must read .sqlx, not reuse this online expansion.
touch indexer/src/db/*.rs

count=$(find "$out" -name 'query-*.json' | wc -l)
if [ -n "$check" ]; then
  if diff -r -q "$root/.sqlx" "$out" >/dev/null 2>&1; then
    echo "sqlx-prepare: .sqlx is up to date ($count statements)"
  else
    diff -r -q "$root/.sqlx" "$out" 2>&1 | sed "s#$out#(regenerated)#" >&2 || true
    echo "sqlx-prepare: .sqlx is stale: run scripts/sqlx-prepare.sh and commit .sqlx" >&2
    exit 1
  fi
else
  mkdir -p "$root/.sqlx"
  rm -f "$root"/.sqlx/query-*.json
  cp "$out"/query-*.json "$root/.sqlx/"
  echo "sqlx-prepare: wrote $count statements to .sqlx (commit them with the change)"
fi
