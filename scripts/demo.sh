#!/usr/bin/env bash
# The demo (README "Run the demo"): a whole bounty lifecycle on the local chain through
# the CLI — three contributors, three reviewers — then a bounty with review fees and
# submission bonds, indexed into Postgres, ending with analyst queries. Needs only
# Rust; PostgreSQL is set up by scripts/postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "building the CLI, the local chain and the indexer (first time: several minutes)"
cargo build -q -p databounty-cli -p databounty-localnet -p databounty-indexer
cli="$root/target/debug/databounty"
indexer="$root/target/debug/databounty-indexer"

say "PostgreSQL"
# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh
work=$(mktemp -d)
# On success the cluster stays up for exploring (the last lines say how to stop it); a
# failed or interrupted demo stops a cluster it started.
cleanup() {
  local rc=$?
  [ -n "${chain_pid:-}" ] && kill "$chain_pid" 2>/dev/null
  rm -rf "$work"
  [ "$rc" -eq 0 ] || pg_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_ensure || exit 1
# A database of the demo's own, so that re-runs start clean.
base="${DATABASE_URL%%\?*}"
demo_url="${base%/*}/databounty_demo"
if command -v psql >/dev/null 2>&1; then
  psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS databounty_demo WITH (FORCE)" -c "CREATE DATABASE databounty_demo"
else
  echo "psql is not installed: indexing into $DATABASE_URL itself (earlier demo rows stay)"
  demo_url="$DATABASE_URL"
fi

port="${DATABOUNTY_DEMO_PORT:-18999}"

say "starting the local chain on 127.0.0.1:$port (the real Agave bank, program loaded natively)"
"$root/target/debug/databounty-localnet" --port "$port" --slot-ms 50 --finality-slots 8 >"$work/chain.log" 2>&1 &
chain_pid=$!
export DATABOUNTY_URL="http://127.0.0.1:$port"

run() { local who=$1; shift; echo "\$ databounty ($who) $*" >&2; "$cli" --keypair "$work/$who.json" "$@"; }
json() { local who=$1 field=$2; shift 2; "$cli" --keypair "$work/$who.json" --json "$@" | sed -n "s/.*\"$field\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n1; }

say "people: a task poster, three contributors, three reviewers"
for who in poster alice bob carol rev1 rev2 rev3; do "$cli" keygen "$work/$who.json" >/dev/null; done
for _ in $(seq 1 100); do  # until the chain answers
  "$cli" --keypair "$work/poster.json" airdrop 2 >/dev/null 2>&1 && break
  sleep 0.2
done
for who in poster alice bob carol rev1 rev2 rev3; do
  [ "$who" = poster ] || "$cli" --keypair "$work/$who.json" airdrop 2 >/dev/null
  printf '  %-7s %s\n' "$who" "$("$cli" --keypair "$work/$who.json" address)"
done

say "the poster creates a test token (6 decimals) and mints 1000 to itself"
mint=$(json poster mint token create-mint --decimals 6)
run poster token mint "$mint" 1000

say "the poster escrows a bounty: 25 per accepted submission, up to 3 winners, quorum 2 of 3, funded with 100"
mkdir -p "$work/dataset"
printf 'images/0001.jpg\nimages/0002.jpg\n' >"$work/dataset/manifest.txt"
bounty=$(json poster bounty create --mint "$mint" --reward 25 --max-winners 3 --quorum 2 \
  --reviewer "$("$cli" -k "$work/rev1.json" address)" --reviewer "$("$cli" -k "$work/rev2.json" address)" \
  --reviewer "$("$cli" -k "$work/rev3.json" address)" \
  --submission-deadline +1h --review-deadline +2h --dataset-id "$work/dataset/manifest.txt" \
  --metadata-uri "ipfs://label-cats-and-dogs" --fund 100)
run poster show "$bounty"

say "contributors deliver labels off-chain and register their hashes"
mkdir -p "$work/alice" "$work/bob/batch" "$work/carol"
printf '{"image":"0001.jpg","label":"cat"}\n' >"$work/alice/labels.jsonl"
printf 'id,label\n1,dog\n' >"$work/bob/batch/part1.csv"; printf 'id,label\n2,dog\n' >"$work/bob/batch/part2.csv"
printf '{"image":"0002.jpg","label":"dog"}\n' >"$work/carol/labels.jsonl"
sub_alice=$(json alice submission submit "$bounty" "$work/alice/labels.jsonl")
sub_bob=$(json bob submission submit "$bounty" "$work/bob/batch")
sub_carol=$(json carol submission submit "$bounty" "$work/carol/labels.jsonl")
echo "  alice $sub_alice"; echo "  bob   $sub_bob (a folder, hashed through its manifest)"; echo "  carol $sub_carol"

say "reviewers recompute each hash from the data they received, and vote"
run rev1 attest "$sub_alice" "$work/alice/labels.jsonl" --approve
run rev2 attest "$sub_alice" "$work/alice/labels.jsonl" --approve
run rev1 attest "$sub_bob" "$work/bob/batch" --reject
run rev3 attest "$sub_bob" "$work/bob/batch" --reject
run rev3 attest "$sub_carol" "$work/carol/labels.jsonl" --approve
run rev2 attest "$sub_carol" "$work/carol/labels.jsonl" --reject
run rev1 attest "$sub_carol" "$work/carol/labels.jsonl" --approve
echo "\$ databounty (bob) attest $sub_alice <bob's own data> --approve   # a contributor cannot vote"
"$cli" -k "$work/bob.json" attest "$sub_alice" "$work/alice/labels.jsonl" --approve || true

say "anyone cranks the payouts"
run bob release "$sub_alice"
run bob release "$sub_carol"
run poster token balance "$mint" "$("$cli" -k "$work/alice.json" address)"

say "the poster winds down: cancel, refund what is left, close everything (rent back)"
run poster cancel "$bounty"
run poster refund "$bounty"
for s in "$sub_alice" "$sub_bob" "$sub_carol"; do run poster close-submission "$s"; done
run poster list submissions "$bounty"
run poster show "$bounty"
run poster close "$bounty"

say "fair work: a bounty that pays reviewers 1 per agreeing vote and asks each submission a bond of 5"
for who in alice bob carol; do run poster token mint "$mint" 10 --to "$("$cli" -k "$work/$who.json" address)" >/dev/null; done
printf 'images/0003.jpg\n' >"$work/dataset/manifest2.txt"
fair=$(json poster bounty create --mint "$mint" --reward 20 --max-winners 1 --quorum 2 \
  --reviewer "$("$cli" -k "$work/rev1.json" address)" --reviewer "$("$cli" -k "$work/rev2.json" address)" \
  --reviewer "$("$cli" -k "$work/rev3.json" address)" \
  --submission-deadline +1h --review-deadline +2h --dataset-id "$work/dataset/manifest2.txt" \
  --metadata-uri "ipfs://label-birds" --fund 50 --review-fee 1 --submission-bond 5)
echo "  bounty $fair"
printf '{"image":"0003.jpg","label":"heron"}\n' >"$work/alice/birds.jsonl"
printf '{"image":"0003.jpg","label":"cat"}\n' >"$work/bob/birds.jsonl"
printf '{"image":"0003.jpg","label":"egret"}\n' >"$work/carol/birds.jsonl"
submitted=$(run alice submit "$fair" "$work/alice/birds.jsonl")
echo "$submitted"
fair_alice=$(sed -n 's/^submitted //p' <<<"$submitted")
fair_bob=$(json bob submission submit "$fair" "$work/bob/birds.jsonl")
fair_carol=$(json carol submission submit "$fair" "$work/carol/birds.jsonl")
echo "  bob   $fair_bob"; echo "  carol $fair_carol   (each posted a bond of 5)"
# Reviews happen while the winner slot is open: once it is taken, the rest can no longer
# win and take no votes (they close with their bonds returned).
run rev1 attest "$fair_bob" "$work/bob/birds.jsonl" --reject --reason-code 2 --reason-uri "ipfs://review-notes/bob-birds"
run rev3 attest "$fair_bob" "$work/bob/birds.jsonl" --reject --reason-code 2
run rev1 attest "$fair_alice" "$work/alice/birds.jsonl" --approve
run rev2 attest "$fair_alice" "$work/alice/birds.jsonl" --approve
echo "# bob's submission: rejected, with the reviewers' reasons; its bond is forfeited to the bounty"
run poster show "$fair_bob"
echo "# alice's reward comes with her bond back; carol's submission can no longer win (the one slot is taken): closing it returns her bond"
run bob release "$fair_alice"
run bob close-submission "$fair_carol"
echo "# balances: alice 25 (first bounty) + 10 minted + 20 reward, her bond back; bob 10 minted − 5 forfeited; carol 25 + 10, her bond back"
for who in alice bob carol; do printf '  %-5s %s\n' "$who" "$("$cli" -k "$work/$who.json" token balance "$mint")"; done
echo "# fees owed per reviewer: rev1 and rev2 agreed with the acceptance, rev1 and rev3 with the rejection"
run poster show "$fair"
echo "# anyone pays the reviewers what they earned, to their associated token accounts"
for who in rev1 rev2 rev3; do run bob claim-fee "$fair" --reviewer "$("$cli" -k "$work/$who.json" address)"; done

say "indexing the chain into Postgres ($demo_url)"
sleep 1  # let the last slots finalize
RUST_LOG=warn "$indexer" --rpc-url "$DATABOUNTY_URL" --database-url "$demo_url" --once --report

say "done: the same figures are served by '$(basename "$indexer") --database-url ... --rpc-url ...' at /bounties, /contributors/earnings, /reviewers/agreement, /time-to-quorum, /datasets/funding"
if [ -n "$pg_throwaway" ]; then
  echo "PostgreSQL stays up for exploring: psql $demo_url — stop it with: $(pg_cmd) stop"
fi
