#!/usr/bin/env bash
# The project's one test command (README "Quick start" and "Tests"; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy --all-targets -- -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "PostgreSQL for the indexer's tests"
# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh
log=$(mktemp)
# A cluster started here is stopped when the run ends: passed, failed or interrupted.
pg_stop_at_exit 'rm -f "$log"'
pg_ensure || exit 1
status=0

step "the indexer's checked SQL (.sqlx/ is what the statements and migrations give)"
scripts/sqlx-prepare.sh --check || status=1

step "set-up scripts (scripts/test-setup.sh: a busy port, two clones)"
scripts/test-setup.sh 2>&1 | tee "$log" || status=1

step "tests (cargo test --workspace)"
# The bank logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"
# The drill's figures, shown even when it passes (cargo captures a passing test's output);
# an earlier run's are removed first, so that only this run's can show.
drill_figures=${CARGO_TARGET_DIR:-target}/drill-figures.txt
rm -f "$drill_figures"
cargo test --workspace 2>&1 | tee -a "$log" || status=1
[ ! -f "$drill_figures" ] || cat "$drill_figures"

step "TypeScript client (clients/ts: npm ci, generated code fresh, node tests against the local chain)"
# The tests start the databounty-localnet cargo test has just built (in CARGO_TARGET_DIR
# when that is set). Asked for the same way (not `cargo build -p`, whose features resolve
# otherwise and rebuild part of the bank), the build below is a no-op.
# Each test has a time limit (package.json) and the whole step one more, so that a hang
# fails here with its output instead of running into CI's limit.
target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
export DATABOUNTY_LOCALNET=${DATABOUNTY_LOCALNET:-$target_dir/debug/databounty-localnet}
node_log=$(mktemp)
if cargo test -q --workspace --no-run &&
  (cd clients/ts && timeout 600 npm ci --no-audit --no-fund --loglevel=error &&
    timeout --kill-after=30 900 npm test) 2>&1 | tee "$node_log"; then
  node_status=ok
else
  node_status=FAILED
  status=1
  grep -q . "$node_log" || echo "(no output: npm ci or the test run timed out or failed silently)"
fi
# node's summary ("ℹ pass N", "ℹ fail M") as a cargo-style line, so it is counted below.
node_passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$node_log" | tail -n1)
node_failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$node_log" | tail -n1)
[ "$node_status" = ok ] || [ "${node_failed:-0}" -gt 0 ] || node_failed=1  # npm ci or the run itself failed
printf '\ntest result: %s. %d passed; %d failed; 0 ignored; 0 measured; 0 filtered out (node --test)\n' \
  "$node_status" "${node_passed:-0}" "${node_failed:-0}" | tee -a "$log"
rm -f "$node_log"

# One closing line for the whole run (cargo's last line is about doc-tests only); the
# set-up test prints a cargo-style "test result:" line, so it is counted here too.
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .* ([0-9]+) failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
printf '\ntests: %s passed, %s failed\n' "$passed" "$failed"
exit "$status"
