//! Backfill against the local chain: a history of program transactions (10,000 by
//! default), read by the indexer binary (`--once`, a fresh database) and, at the same
//! concurrency, by a bare reader that only lists signatures and fetches transactions (each
//! a process of its own beside the chain).
//! The ratio of their rates (the indexer's fixed start-up costs taken out, and printed)
//! says what the decoding and writing cost; the indexer's peak
//! resident memory, measured at half and at the whole history, says whether it grows
//! with the history.
//!
//! `DATABASE_URL=postgres://... cargo bench -p databounty-indexer --bench backfill`
//! (`BENCH_TRANSACTIONS`, default 10000; `BENCH_CONCURRENCY`, default 8; `BENCH_REPEATS`,
//! default 5: each indexer run is compared with the mean of the bare reads just before
//! and after it, and the median of those ratios is the figure). The last line is
//! `backfill: ratio=<x> peak_rss_mb=<y>`.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/figures.rs"]
mod figures;

use std::process::Command;
use std::time::{Duration, Instant};

use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline;
use databounty_indexer::source::{RpcSource, Source};
use futures::StreamExt;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

/// Sends `count` top-ups of `bounty`, many in flight, and waits until all are final.
async fn fund(
    chain: &common::Chain,
    creator: &Keypair,
    bounty: &solana_sdk::pubkey::Pubkey,
    mint: &solana_sdk::pubkey::Pubkey,
    ata: &solana_sdk::pubkey::Pubkey,
    from: u64,
    count: u64,
) {
    // A blockhash lives 150 blocks: a fresh one for every few hundred transactions.
    let mut start = from;
    while start < from + count {
        let end = (start + 300).min(from + count);
        let blockhash = chain.rpc.get_latest_blockhash().await.expect("blockhash");
        futures::stream::iter(start..end)
            .map(|i| {
                let tx = Transaction::new_signed_with_payer(
                    &[common::fund_ix(creator, bounty, mint, ata, i + 1)],
                    Some(&creator.pubkey()),
                    &[creator],
                    blockhash,
                );
                let rpc = &chain.rpc;
                async move { rpc.send_and_confirm_transaction(&tx).await.expect("lands") }
            })
            .buffer_unordered(32)
            .collect::<Vec<_>>()
            .await;
        start = end;
    }
    chain.wait_finalized().await;
}

/// Runs the indexer binary once over the whole history, into a fresh database with the
/// schema in place (making the schema, a third of a second, is set-up, not reading), or
/// (not `fresh`) the one the last run filled, where only its fixed costs remain: process
/// start, connecting, checking the schema and a listing that finds nothing new. Returns
/// its wall time and its peak resident memory in MiB.
async fn indexer_once(base: &str, rpc: &str, concurrency: u64, fresh: bool) -> (f64, f64) {
    let name = "databounty_bench_backfill";
    let url = if fresh {
        figures::migrated_database(base, name).await
    } else {
        figures::database_url(base, name)
    };
    let exe = env!("CARGO_BIN_EXE_databounty-indexer");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["--once", "--rpc-url", rpc, "--database-url", &url])
        .args([
            "--concurrency",
            &concurrency.to_string(),
            "--batch-size",
            "500",
        ])
        // BENCH_INDEXER_LOG=sqlx=debug shows each statement with its time.
        .env(
            "RUST_LOG",
            std::env::var("BENCH_INDEXER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{exe}: {e} (build it with cargo build --release -p databounty-indexer)")
        });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let mut cpu: f64 = 0.0;
    let postgres_before = figures::postgres_cpu_seconds();
    let chain_before = figures::own_cpu_seconds(std::process::id());
    loop {
        cpu = cpu.max(figures::cpu_seconds(child.id()));
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "the indexer failed: {status:?}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let wall = started.elapsed().as_secs_f64();
    if fresh {
        let chain = figures::own_cpu_seconds(std::process::id()) - chain_before;
        // A backend's time reaches the server's parent process once it has exited.
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Sampled every 20 ms: the last few ticks of the indexer's own time are missed.
        println!(
            "  indexer run: {wall:.2} s wall, CPU {cpu:.2} s indexer + {:.2} s Postgres + {chain:.2} s chain",
            figures::postgres_cpu_seconds() - postgres_before
        );
    }
    (wall, peak_kb as f64 / 1024.0)
}

/// Lists and fetches every transaction at `concurrency`, doing nothing with them: the
/// indexer's own listing stream (the next page listed while one is fetched) and the same
/// number of requests in flight, so the ratio is what decoding and writing cost. Returns
/// the transactions listed, the wall time and this process's CPU time.
async fn raw_read(rpc: &str, concurrency: u64) -> (usize, f64, f64) {
    let source = RpcSource::new(
        rpc,
        databounty::ID,
        CommitmentConfig::finalized(),
        Metrics::default(),
    );
    let started = Instant::now();
    let plan = source.listing_plan(None).await.expect("listing");
    let source = &source;
    let metrics = Metrics::default();
    let listed = pipeline::listing(source, &metrics, plan, None)
        .map(|listed| async move {
            let listed = listed.expect("listing");
            if !listed.info.failed {
                source
                    .transaction(&listed.info.signature)
                    .await
                    .expect("fetched");
            }
        })
        .buffered(usize::try_from(concurrency).unwrap_or(8))
        .count()
        .await;
    let cpu = figures::own_cpu_seconds(std::process::id());
    (listed, started.elapsed().as_secs_f64(), cpu)
}

/// [`raw_read`] in a process of its own, as the indexer runs: like with like, neither
/// reader shares the chain's threads. Returns the transactions listed and the wall time.
async fn raw_read_apart(rpc: &str, concurrency: u64) -> (usize, f64) {
    let exe = std::env::current_exe().expect("the bench's own path");
    let chain_before = figures::own_cpu_seconds(std::process::id());
    let out = tokio::process::Command::new(exe)
        .env(RAW_READER, rpc)
        .env("BENCH_CONCURRENCY", concurrency.to_string())
        .output()
        .await
        .expect("the raw reader runs");
    assert!(
        out.status.success(),
        "the raw reader failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let chain = figures::own_cpu_seconds(std::process::id()) - chain_before;
    let text = String::from_utf8_lossy(&out.stdout);
    let figures: Vec<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("raw: "))
        .expect("the raw reader's figures")
        .split_whitespace()
        .map(|v| v.parse().expect("a number"))
        .collect();
    let [listed, wall, cpu] = figures[..] else {
        panic!("the raw reader printed {text}");
    };
    println!("  raw read: {wall:.2} s wall, CPU {cpu:.2} s reader + {chain:.2} s chain");
    (listed as usize, wall)
}

/// Set in the environment of the bench's own child process that only reads.
const RAW_READER: &str = "BENCH_RAW_READER_RPC";

#[tokio::main]
async fn main() {
    if let Ok(rpc) = std::env::var(RAW_READER) {
        let concurrency = figures::setting("BENCH_CONCURRENCY", 8);
        let (listed, wall, cpu) = raw_read(&rpc, concurrency).await;
        println!("raw: {listed} {wall} {cpu}");
        return;
    }
    let base = figures::server_url();
    let total = figures::setting("BENCH_TRANSACTIONS", 10_000);
    let concurrency = figures::setting("BENCH_CONCURRENCY", 8);
    let repeats = figures::setting("BENCH_REPEATS", 5).max(1);
    let chain = common::Chain::start_with(Duration::from_millis(50), 3).await;
    let (creator, mint, ata, bounty) = chain.bounty_to_fund([6u8; 32], "ipfs://backfill").await;
    let started = Instant::now();
    fund(&chain, &creator, &bounty, &mint, &ata, 0, total / 2).await;
    let (_, half_rss) = indexer_once(&base, &chain.localnet.url, concurrency, true).await;
    fund(
        &chain,
        &creator,
        &bounty,
        &mint,
        &ata,
        total / 2,
        total - total / 2,
    )
    .await;
    println!(
        "history: {} program transactions sent in {:.0} s",
        total + 1,
        started.elapsed().as_secs_f64()
    );
    let idle_before = figures::own_cpu_seconds(std::process::id());
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "the chain alone (making slots, serving nothing): {:.2} CPU s per s",
        (figures::own_cpu_seconds(std::process::id()) - idle_before) / 2.0
    );
    // Alternated and repeated, each indexer run between two bare reads: the host's
    // speed drifts (other work on it; CPU seconds for the same reads vary by a fifth
    // over a few minutes), and a run compared with the mean of the reads on either side
    // of it cancels a steady drift; the median of those ratios leaves out a slow spell.
    let mut raw_runs = Vec::new();
    let mut whole_runs = Vec::new();
    let mut fixed_runs = Vec::new();
    let mut listed = 0;
    let mut full_rss: f64 = 0.0;
    for repeat in 0..=repeats {
        let (count, seconds) = raw_read_apart(&chain.localnet.url, concurrency).await;
        listed = count;
        raw_runs.push(seconds);
        if repeat == repeats {
            break;
        }
        let (seconds, rss) = indexer_once(&base, &chain.localnet.url, concurrency, true).await;
        whole_runs.push(seconds);
        full_rss = full_rss.max(rss);
        // Like with like: the raw reader's timer starts once its process is up and it
        // has no schema to check, so the indexer's fixed costs (a second run that
        // finds nothing new) are taken out.
        let (seconds, _) = indexer_once(&base, &chain.localnet.url, concurrency, false).await;
        fixed_runs.push(seconds);
    }
    println!("runs (s): raw {raw_runs:.2?}, indexer {whole_runs:.2?}, fixed {fixed_runs:.2?}");
    let pair_ratios: Vec<f64> = raw_runs
        .windows(2)
        .zip(whole_runs.iter().zip(&fixed_runs))
        .map(|(raw, (whole, fixed))| (raw[0] + raw[1]) / 2.0 / (whole - fixed).max(f64::EPSILON))
        .collect();
    println!("ratio of each indexer run to the reads either side: {pair_ratios:.2?}");
    let (raw_seconds, whole_seconds, fixed_seconds) = (
        figures::median(raw_runs),
        figures::median(whole_runs),
        figures::median(fixed_runs),
    );
    let indexer_seconds = (whole_seconds - fixed_seconds).max(f64::EPSILON);
    let raw_rate = listed as f64 / raw_seconds;
    let indexer_rate = listed as f64 / indexer_seconds;
    println!("raw getSignaturesForAddress + getTransaction at concurrency {concurrency}: {listed} transactions in {raw_seconds:.2} s (median) = {raw_rate:.0}/s");
    println!(
        "indexer --once (list, fetch, decode, write, checkpoint): {whole_seconds:.2} s (median), of which {fixed_seconds:.2} s \
         fixed (start, connecting, the schema checked, an empty listing: a second run) = {indexer_rate:.0}/s"
    );
    println!(
        "ratio of the medians: {:.2}; with the indexer's fixed costs counted: {:.2}",
        indexer_rate / raw_rate,
        listed as f64 / whole_seconds / raw_rate
    );
    println!(
        "indexer peak RSS: {half_rss:.0} MiB at half the history, {full_rss:.0} MiB at the whole"
    );
    figures::drop_database(&base, "databounty_bench_backfill").await;
    println!(
        "backfill: ratio={:.2} peak_rss_mb={full_rss:.0}",
        figures::median(pair_ratios)
    );
}
