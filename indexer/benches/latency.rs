//! Live latency: on the local chain at `confirmed` (400 ms slots, as a cluster), 20
//! program transactions a second for 30 seconds; for each, the time from its
//! confirmation (as the sender sees it) to its event being served by the indexer's
//! change feed over HTTP. The indexer runs its real live loop (`follow`, polling every
//! 100 ms) and the real API.
//!
//! `DATABASE_URL=postgres://... cargo bench -p databounty-indexer --bench latency`
//! (`BENCH_TPS`, default 20; `BENCH_SECONDS`, default 30). The last line is
//! `latency: p50_ms=<x> p99_ms=<y>`.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/figures.rs"]
mod figures;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use databounty_indexer::api::{router, ApiState};
use databounty_indexer::db::Db;
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::{follow, PipelineConfig, Stop};
use databounty_indexer::source::RpcSource;
use databounty_sdk::accounts;
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::Transaction;

#[tokio::main]
async fn main() {
    let base = figures::server_url();
    let tps = figures::setting("BENCH_TPS", 20).max(1);
    let seconds = figures::setting("BENCH_SECONDS", 30).max(1);
    let name = "databounty_bench_latency";
    let url = figures::recreate_database(&base, name).await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");

    let chain = common::Chain::start_with(Duration::from_millis(400), 32).await;
    let (creator, mint, creator_ata, bounty) =
        chain.bounty_to_fund([5u8; 32], "ipfs://latency").await;
    let program = anchor_spl::token::ID;
    let _ = accounts::ata(&creator.pubkey(), &mint, &program);

    let metrics = Metrics::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let api = format!("http://{}", listener.local_addr().expect("address"));
    let reader = Db::connect_reader(&url).expect("reader");
    let app = router(ApiState {
        db: reader,
        metrics: metrics.clone(),
        stall_after: Duration::from_secs(60),
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let source = RpcSource::new(
        &chain.localnet.url,
        databounty::ID,
        CommitmentConfig::confirmed(),
        metrics.clone(),
    );
    let config = PipelineConfig {
        program_id: databounty::ID,
        source_name: format!("{}:confirmed", databounty::ID),
        concurrency: 8,
        batch_size: 200,
        confirmed: true,
    };
    let (stop_tx, stop) = Stop::new();
    let indexing = follow(
        &source,
        &db,
        &config,
        &metrics,
        Duration::from_millis(100),
        stop,
    );

    let confirmed: Mutex<HashMap<String, Instant>> = Mutex::new(HashMap::new());
    let seen: Mutex<HashMap<String, Instant>> = Mutex::new(HashMap::new());
    let total = tps * seconds;
    let pending: Mutex<Vec<solana_sdk::signature::Signature>> = Mutex::new(Vec::new());
    let sent_all = std::sync::atomic::AtomicBool::new(false);
    let sending = async {
        let interval = Duration::from_secs_f64(1.0 / tps as f64);
        let started = Instant::now();
        for i in 0..total {
            let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
            tokio::time::sleep_until(due.into()).await;
            let blockhash = chain.rpc.get_latest_blockhash().await.expect("blockhash");
            let tx = Transaction::new_signed_with_payer(
                &[common::fund_ix(
                    &creator,
                    &bounty,
                    &mint,
                    &creator_ata,
                    i + 1,
                )],
                Some(&creator.pubkey()),
                &[&creator],
                blockhash,
            );
            let signature = chain.rpc.send_transaction(&tx).await.expect("sent");
            pending.lock().expect("pending").push(signature);
        }
        sent_all.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    // Confirmation times, read every 10 ms for all transactions in flight at once.
    let confirming = async {
        loop {
            let batch: Vec<_> = pending.lock().expect("pending").clone();
            if batch.is_empty() {
                if sent_all.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            let now = Instant::now();
            let mut done = Vec::new();
            for chunk in batch.chunks(256) {
                let statuses = chain
                    .rpc
                    .get_signature_statuses(chunk)
                    .await
                    .expect("statuses");
                for (signature, status) in chunk.iter().zip(statuses.value) {
                    if status.is_some_and(|s| s.satisfies_commitment(CommitmentConfig::confirmed()))
                    {
                        confirmed
                            .lock()
                            .expect("times")
                            .insert(signature.to_string(), now);
                        done.push(*signature);
                    }
                }
            }
            pending
                .lock()
                .expect("pending")
                .retain(|s| !done.contains(s));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let client = reqwest::Client::new();
    let watching = async {
        let mut cursor: Option<String> = None;
        let deadline = Instant::now() + Duration::from_secs(seconds + 60);
        while Instant::now() < deadline {
            let after = cursor
                .as_deref()
                .map(|c| format!("&after={c}"))
                .unwrap_or_default();
            let page: Value = client
                .get(format!("{api}/events?limit=1000{after}"))
                .send()
                .await
                .expect("feed")
                .json()
                .await
                .expect("json");
            let now = Instant::now();
            for item in page["items"].as_array().into_iter().flatten() {
                if item["name"] == "BountyFunded" {
                    if let Some(s) = item["signature"].as_str() {
                        seen.lock()
                            .expect("seen")
                            .entry(s.to_string())
                            .or_insert(now);
                    }
                }
            }
            cursor = page["next"].as_str().map(str::to_string).or(cursor);
            if seen.lock().expect("seen").len() as u64 > total {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = stop_tx.send(true);
    };
    let (result, (), (), ()) = tokio::join!(indexing, sending, confirming, watching);
    result.expect("the indexer ran");

    let confirmed = confirmed.into_inner().expect("times");
    let seen = seen.into_inner().expect("seen");
    let mut latencies: Vec<f64> = confirmed
        .iter()
        .filter_map(|(s, at)| {
            seen.get(s)
                .map(|visible| visible.saturating_duration_since(*at).as_secs_f64() * 1_000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    println!(
        "latency benchmark: {} transactions at {tps}/s, {} seen through the API, 400 ms slots, confirmed, polling every 100 ms",
        confirmed.len(),
        latencies.len()
    );
    assert_eq!(
        latencies.len(),
        confirmed.len(),
        "every transaction was served"
    );
    figures::drop_database(&base, name).await;
    println!(
        "latency: p50_ms={:.0} p99_ms={:.0}",
        figures::percentile(&latencies, 0.5),
        figures::percentile(&latencies, 0.99)
    );
}
