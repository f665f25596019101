//! Ingest throughput: N decoded events written to Postgres four ways, in one run, on
//! the same rows, each into a fresh schema:
//! - the indexer's sink (`Writer::write`: transactions, events, state tables and
//!   checkpoint per batch),
//! - the sink's array INSERT of the events alone,
//! - Postgres `COPY` of the same rows (the ceiling),
//! - one INSERT statement per row (the naive baseline).
//!
//! `DATABASE_URL=postgres://... cargo bench -p databounty-indexer --bench ingest`
//! (`BENCH_EVENTS` sets N, default 20000; `BENCH_BATCH` the batch size, default 500).

use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use databounty::events::BountyFunded;
use databounty_indexer::db::{log::insert_events, Db, Writer, MIGRATOR};
use databounty_indexer::decoder::{event_json, EventRow, Position};
use databounty_indexer::pipeline::TxRecord;
use databounty_sdk::events::DatabountyEvent;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection};

fn rows(n: usize) -> Vec<EventRow> {
    let bounties: Vec<Pubkey> = (0..100).map(|_| Pubkey::new_unique()).collect();
    (0..n)
        .map(|i| {
            let event = BountyFunded {
                bounty: bounties[i % bounties.len()],
                funder: Pubkey::new_unique(),
                mint: bounties[0],
                requested: 1_000_000 + i as u64,
                received: 990_000 + i as u64,
                funded: (i as u64 + 1) * 1_000_000,
                vault_balance: (i as u64 + 1) * 1_000_000,
                funded_at: 1_790_000_000 + i as i64,
            };
            let mut raw = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
            raw.extend(anchor_lang::Event::data(&event));
            EventRow {
                signature: format!("sig{i:08}"),
                position: Position {
                    slot: 1_000 + i as u64,
                    ..Position::default()
                },
                block_time: Some(1_790_000_000 + i as i64),
                raw,
                event: Ok(DatabountyEvent::BountyFunded(event)),
            }
        })
        .collect()
}

/// A fresh database with the schema, dropped and recreated per variant.
async fn fresh(admin: &mut PgConnection, base: &str, name: &str) -> String {
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create");
    let url = format!("{}/{name}", base.rsplit_once('/').map_or(base, |(b, _)| b));
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("connect");
    MIGRATOR.run(&pool).await.expect("migrate");
    pool.close().await;
    url
}

fn copy_text(rows: &[EventRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let event = r.event.as_ref().expect("decoded");
        let data = event_json(event).to_string().replace('\\', "\\\\");
        let raw: String = r.raw.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t\\\\x{}\t\\N\ttrue\n",
            r.signature,
            r.position.instruction_index,
            r.position.inner_index,
            r.position.slot,
            r.position.within_slot(),
            r.block_time.unwrap_or(0),
            chrono::DateTime::from_timestamp(r.block_time.unwrap_or(0), 0)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            r.name(),
            event.bounty(),
            data,
            raw
        ));
    }
    out
}

fn report(label: &str, n: usize, started: Instant) -> f64 {
    let seconds = started.elapsed().as_secs_f64();
    let rate = n as f64 / seconds;
    println!("{label:<44} {n:>7} events in {seconds:>7.3} s = {rate:>10.0} events/s");
    rate
}

#[tokio::main]
async fn main() {
    let Ok(base) = std::env::var("DATABASE_URL") else {
        eprintln!("set DATABASE_URL to a Postgres server (a database is created per variant)");
        std::process::exit(2);
    };
    let n: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let batch: usize = std::env::var("BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let rows = rows(n);
    let mut admin = PgConnection::connect(&base)
        .await
        .expect("connect to DATABASE_URL");
    println!("ingest benchmark: {n} BountyFunded events, batches of {batch}");

    // 1. The indexer's sink, as the pipeline calls it.
    let url = fresh(&mut admin, &base, "databounty_bench_sink").await;
    let db = Db::connect(&url).await.expect("connect");
    let txs: Vec<TxRecord> = rows
        .iter()
        .map(|r| TxRecord {
            signature: r.signature.clone(),
            slot: r.position.slot,
            tx_index: 0,
            failed: false,
            block_time: r.block_time,
            rows: vec![r.clone()],
            unreadable: None,
        })
        .collect();
    let mut writer = Writer::try_acquire(&db, "bench")
        .await
        .expect("connect")
        .expect("writer lock");
    let started = Instant::now();
    for chunk in txs.chunks(batch) {
        writer.write(chunk, true).await.expect("write");
    }
    report("indexer sink (events + state + checkpoint)", n, started);
    db.pool.close().await;

    // 2. The sink's multi-row INSERT of the events alone.
    let url = fresh(&mut admin, &base, "databounty_bench_multirow").await;
    let db = Db::connect(&url).await.expect("connect");
    let started = Instant::now();
    for chunk in rows.chunks(batch) {
        let mut tx = db.pool.begin().await.expect("begin");
        let refs: Vec<&EventRow> = chunk.iter().collect();
        insert_events(&mut tx, &refs, true).await.expect("insert");
        tx.commit().await.expect("commit");
    }
    let multirow = report("array INSERT, events only", n, started);
    db.pool.close().await;

    // 3. COPY of the same rows.
    let url = fresh(&mut admin, &base, "databounty_bench_copy").await;
    let mut conn = PgConnection::connect(&url).await.expect("connect");
    let text = copy_text(&rows);
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw("COPY events (signature, instruction_index, inner_index, slot, pos, block_time_unix, block_time, name, bounty, data, raw, decode_error, finalized) FROM STDIN")
        .await
        .expect("copy in");
    copy.send(text.as_bytes()).await.expect("copy data");
    copy.finish().await.expect("copy finish");
    let copied = report("COPY, events only", n, started);
    conn.close().await.ok();

    // 4. One INSERT per row, in one transaction.
    let url = fresh(&mut admin, &base, "databounty_bench_rowwise").await;
    let db = Db::connect(&url).await.expect("connect");
    let started = Instant::now();
    let mut tx = db.pool.begin().await.expect("begin");
    for row in &rows {
        insert_events(&mut tx, &[row], true).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    let rowwise = report("one INSERT per row, events only", n, started);
    db.pool.close().await;

    println!(
        "array INSERT is {:.1}x one-per-row and {:.0}% of COPY",
        multirow / rowwise,
        100.0 * multirow / copied
    );
    for name in ["sink", "multirow", "copy", "rowwise"] {
        admin
            .execute(
                format!("DROP DATABASE IF EXISTS databounty_bench_{name} WITH (FORCE)").as_str(),
            )
            .await
            .ok();
    }
}
