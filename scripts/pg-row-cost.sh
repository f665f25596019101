#!/usr/bin/env bash
# What one row costs Postgres, in instructions, for each table a backfill writes per
# top-up (events, transactions, fundings): counted by valgrind's callgrind in a
# single-user backend, so the figure is the same on every run whatever else the host is
# doing (timings of the same insert vary by half on a shared 2-core machine, which hides
# a 5% change).
#
#   ./scripts/pg-row-cost.sh [ROWS]                  # default 10000
#   PG_ROW_COST_SETUP='ALTER TABLE ...;' ./scripts/pg-row-cost.sh   # try a schema change
#
# Each statement is run from a fresh copy of a private cluster (made here with the
# migrations applied and ROWS synthetic rows staged), once with and once without the
# statement; the difference over ROWS is the figure. The statements insert what the
# writer inserts (the same columns, conflict handling and RETURNING), read from a staging
# table instead of UNNEST of array parameters. Needs valgrind and the PostgreSQL server
# binaries; as root, the backend runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
bin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bin/postgres" ] || bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/postgres" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }

work=$(mktemp -d /tmp/pg-row-cost.XXXX)
trap 'rm -rf "$work"' EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
[ "$(id -u)" != 0 ] || chown postgres "$work"
single() { as_pg "$bin/postgres --single -j -D $work/run databounty < $1 > /dev/null 2>> $work/log"; }

as_pg "$bin/initdb -D $work/pristine -A trust -E UTF8 --locale=C.UTF-8 > /dev/null"
printf 'CREATE DATABASE databounty;\n\n' > "$work/create.sql"
cp -a "$work/pristine" "$work/run"
as_pg "$bin/postgres --single -j -D $work/run postgres < $work/create.sql > /dev/null 2>> $work/log"
for migration in migrations/*.sql; do
  { cat "$migration"; printf '\n\n'; } > "$work/step.sql"
  single "$work/step.sql"
done
cat > "$work/stage.sql" <<SQL
CREATE TABLE stage AS
SELECT left(md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text), 88) AS s,
       (1000 + i / 3)::int8 AS sl, ((i % 3)::int8 << 32) AS p, 1700000000::int8 AS btu,
       to_timestamp(1700000000) AS bt, 'Bq4u8rQ3TvZ6Tx1s5oXnD6VhF8yEmGqR2mKcPfA9x3sL'::text AS b,
       json_build_object('bounty', 'Bq4u8rQ3TvZ6Tx1s5oXnD6VhF8yEmGqR2mKcPfA9x3sL',
         'funder', '7YpL1cXq2v3Dk9mR8sJ4nT6wE5uH1gF2aB3cD4eF5gH6',
         'mint', '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin', 'requested', i::text,
         'received', i::text, 'funded', (i * 1000)::text, 'vault_balance', (i * 1000)::text,
         'funded_at', 1700000000 + i)::text AS d,
       decode(repeat('ab', 80), 'hex') AS r
FROM generate_series(1, $rows) i;

VACUUM ANALYZE;

SQL
single "$work/stage.sql"
rm -rf "$work/pristine" && mv "$work/run" "$work/pristine"

# Instructions of one single-user run of BEGIN; setup; [statement;] ROLLBACK.
instructions() {
  printf 'BEGIN;\n\n%s\n\nSELECT count(*) FROM stage;\n\n%s\n\nROLLBACK;\n\n' \
    "${PG_ROW_COST_SETUP:-SELECT 1;}" "$1" > "$work/measure.sql"
  rm -rf "$work/run" && cp -a "$work/pristine" "$work/run"
  as_pg "valgrind --tool=callgrind --callgrind-out-file=/dev/null $bin/postgres --single -j \
    -D $work/run databounty < $work/measure.sql > /dev/null 2> $work/callgrind.log"
  grep -o 'Collected : [0-9]*' "$work/callgrind.log" | awk '{print $3}'
}

base=$(instructions 'SELECT 1;')
measure() {
  local total
  total=$(instructions "$2;")
  printf '%-13s %7d instructions a row\n' "$1" $(((total - base) / rows))
}
echo "rows: $rows${PG_ROW_COST_SETUP:+ (setup: $PG_ROW_COST_SETUP)}"
measure events "INSERT INTO events (signature, instruction_index, inner_index, slot, pos, block_time_unix,
    block_time, name, bounty, data, raw, decode_error, finalized)
  SELECT s, 0, -1, sl, p, btu, bt, 'BountyFunded', b, d::jsonb, r, NULL, true FROM stage
  ON CONFLICT (signature, instruction_index, inner_index) DO NOTHING
  RETURNING signature, instruction_index, inner_index"
measure transactions "INSERT INTO transactions (signature, slot, tx_index, failed, finalized, block_time, outcome)
  SELECT s, sl, 0, false, true, btu, 'indexed' FROM stage
  ON CONFLICT (signature) DO UPDATE SET slot = EXCLUDED.slot, tx_index = EXCLUDED.tx_index,
    finalized = transactions.finalized OR EXCLUDED.finalized, outcome = EXCLUDED.outcome"
measure fundings "INSERT INTO fundings (signature, instruction_index, inner_index, slot, pos,
    bounty_incarnation, bounty, funder, mint, requested, received, funded_at)
  SELECT s, 0, -1, sl, p, 1, b, '7YpL1cXq2v3Dk9mR8sJ4nT6wE5uH1gF2aB3cD4eF5gH6',
    '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin', 5, 5, bt FROM stage
  ON CONFLICT DO NOTHING"
