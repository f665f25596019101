#!/usr/bin/env bash
# The project's one test command (README "Run the tests"; .ci/run calls it).
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
finish() { pg_cleanup; rm -f "$log"; }
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_ensure || exit 1
status=0

step "set-up scripts (scripts/test-setup.sh: a busy port, two clones)"
scripts/test-setup.sh 2>&1 | tee "$log" || status=1

step "tests (cargo test --workspace)"
# The bank logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"
cargo test --workspace 2>&1 | tee -a "$log" || status=1

# One closing line for the whole run (cargo's last line is about doc-tests only); the
# set-up test prints a cargo-style "test result:" line, so it is counted here too.
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .* ([0-9]+) failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
printf '\ntests: %s passed, %s failed\n' "$passed" "$failed"
exit "$status"
