#!/usr/bin/env bash
# The project's one test command (README "Run the tests"; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy --all-targets -- -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "tests (cargo test --workspace)"
# The bank logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"
cargo test --workspace
