//! Ingest throughput on a realistic mix (see `support/workload.rs`), three ways, each on a
//! fresh database, each repeated, medians reported:
//! - **sink**: the indexer's writer, batch by batch (transactions, events, state, ledgers,
//!   checkpoint in one database transaction per batch);
//! - **copy**: `COPY` of the same rows into the same tables — the log and ledger rows
//!   batch by batch, the state rows once in their final form — with the serialisation
//!   and the projection inside the timer: the floor for writing these rows at all;
//! - **per_row**: one statement per row and a commit per chain transaction, as
//!   row-at-a-time processors do.
//!
//! `DATABASE_URL=postgres://... cargo bench -p databounty-indexer --bench ingest`
//! (`BENCH_EVENTS`, default 50000; `BENCH_BATCH` transactions per batch, default 500;
//! `BENCH_REPEATS`, default 3). The last line is `ingest: sink/copy=<x> sink/per_row=<y>`.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/workload.rs"]
mod workload;

use std::fmt::Write as _;
use std::time::Instant;

use databounty_indexer::db::{log, state, Writer};
use databounty_indexer::db::{pg_time, Db};
use databounty_indexer::decoder::{event_json, storable_text, EventRow};
use databounty_indexer::pipeline::TxRecord;
use databounty_indexer::projection::{project, Changes, Entry, Incarnations, Located};
use databounty_sdk::hash::hex;
use sqlx::{Connection, PgConnection};

/// The pipeline's writer, handed the batches it owns (as the reader hands them on).
async fn sink(url: &str, batches: Vec<Vec<TxRecord>>) {
    let db = Db::connect(url).await.expect("connect");
    let mut writer = Writer::try_acquire(&db, "bench")
        .await
        .expect("connect")
        .expect("writer lock");
    for batch in batches {
        writer.write_owned(batch, u64::MAX).await.expect("write");
    }
    drop(writer);
    db.pool.close().await;
}

async fn per_row(url: &str, txs: &[TxRecord]) {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    for tx in txs {
        let mut db = conn.begin().await.expect("begin");
        log::insert_transactions(&mut db, &[tx], u64::MAX, TxRecord::outcome)
            .await
            .expect("transaction row");
        for row in &tx.rows {
            log::insert_events(&mut db, &[row], u64::MAX)
                .await
                .expect("event row");
            let Ok(event) = &row.event else { continue };
            let bounty = event.bounty().to_string();
            let known = state::load_incarnations(&mut db, std::slice::from_ref(&bounty), &[])
                .await
                .expect("incarnation");
            let changes = project(
                known,
                [Located {
                    signature: &row.signature,
                    position: row.position,
                    event,
                }],
            );
            state::write(&mut db, &changes).await.expect("state");
        }
        log::advance_checkpoint(&mut db, "bench", tx)
            .await
            .expect("checkpoint");
        db.commit().await.expect("commit");
    }
}

/// COPY text: tab-separated, `\N` for NULL, backslash escapes.
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
    out.push('\t');
}

/// One COPY line: the values, tab-separated.
fn line(out: &mut String, values: impl IntoIterator<Item = Option<String>>) {
    for v in values {
        field(out, v.as_deref());
    }
    out.pop();
    out.push('\n');
}

/// A ledger row's COPY line: the columns every ledger starts with (where it happened,
/// its bounty and incarnation), then `rest`.
fn ledger_line<E>(
    out: &mut String,
    row: &Entry<E>,
    bounty: impl ToString,
    rest: impl IntoIterator<Item = Option<String>>,
) {
    let placed = [
        Some(row.signature.clone()),
        Some(row.position.instruction_index.to_string()),
        Some(row.position.inner_index.to_string()),
        Some(row.position.slot.to_string()),
        Some(row.position.within_slot().to_string()),
        Some(bounty.to_string()),
        Some(row.bounty_incarnation.to_string()),
    ];
    line(out, placed.into_iter().chain(rest));
}

fn bytes(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("\\x");
    for byte in b {
        let _ = write!(s, "{byte:02x}");
    }
    s
}

fn time(unix: i64) -> Option<String> {
    pg_time(unix).map(|t| t.to_rfc3339())
}

async fn copy(conn: &mut PgConnection, statement: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let mut copy = conn.copy_in_raw(statement).await.expect("copy in");
    copy.send(text.as_bytes()).await.expect("copy data");
    copy.finish().await.expect("copy finish");
}

async fn copy_all(url: &str, txs: &[TxRecord], batch: usize) {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    for chunk in txs.chunks(batch) {
        let mut transactions = String::new();
        let mut events = String::new();
        for tx in chunk {
            line(
                &mut transactions,
                [
                    Some(tx.signature.clone()),
                    Some(tx.slot.to_string()),
                    Some(tx.tx_index.to_string()),
                    Some("false".into()),
                    Some("true".into()),
                    tx.block_time.map(|t| t.to_string()),
                    Some("indexed".into()),
                ],
            );
            for row in &tx.rows {
                event_line(&mut events, row);
            }
        }
        let changes = project_fresh(chunk);
        let mut db = conn.begin().await.expect("begin");
        copy(&mut db, "COPY transactions (signature, slot, tx_index, failed, finalized, block_time, outcome) FROM STDIN", &transactions).await;
        copy(&mut db, "COPY events (signature, instruction_index, inner_index, slot, pos, block_time_unix, block_time, name, bounty, data, raw, decode_error, finalized) FROM STDIN", &events).await;
        copy_ledgers(&mut db, &changes).await;
        db.commit().await.expect("commit");
    }
    // The state tables once, in their final form.
    copy_state(&mut conn, &project_fresh(txs)).await;
}

/// What `txs` do to the state and ledger tables of a fresh database.
fn project_fresh(txs: &[TxRecord]) -> Changes {
    project(
        Incarnations::default(),
        txs.iter().flat_map(|t| &t.rows).filter_map(|r| {
            r.event.as_ref().ok().map(|event| Located {
                signature: &r.signature,
                position: r.position,
                event,
            })
        }),
    )
}

fn event_line(out: &mut String, row: &EventRow) {
    let (bounty, data) = match &row.event {
        Ok(e) => (
            Some(e.bounty().to_string()),
            Some(event_json(e).to_string()),
        ),
        Err(_) => (None, None),
    };
    let values = [
        Some(row.signature.clone()),
        Some(row.position.instruction_index.to_string()),
        Some(row.position.inner_index.to_string()),
        Some(row.position.slot.to_string()),
        Some(row.position.within_slot().to_string()),
        row.block_time.map(|t| t.to_string()),
        row.block_time.and_then(time),
        Some(row.name().to_string()),
        bounty,
        data,
        Some(bytes(&row.raw)),
        None,
        Some("true".into()),
    ];
    line(out, values);
}

async fn copy_ledgers(conn: &mut PgConnection, changes: &Changes) {
    let mut fundings = String::new();
    for f in &changes.fundings {
        let e = &f.event;
        ledger_line(
            &mut fundings,
            f,
            e.bounty,
            [
                Some(e.funder.to_string()),
                Some(e.mint.to_string()),
                Some(e.requested.to_string()),
                Some(e.received.to_string()),
                time(e.funded_at),
            ],
        );
    }
    copy(conn, "COPY fundings (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation, funder, mint, requested, received, funded_at) FROM STDIN", &fundings).await;
    let mut refunds = String::new();
    for f in &changes.refunds {
        let e = &f.event;
        ledger_line(
            &mut refunds,
            f,
            e.bounty,
            [
                Some(e.creator.to_string()),
                Some(e.creator_token_account.to_string()),
                Some(e.amount.to_string()),
                Some(e.received.to_string()),
                Some(e.untracked_swept.to_string()),
                time(e.refunded_at),
            ],
        );
    }
    copy(conn, "COPY refunds (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation, creator, creator_token_account, amount, received, untracked_swept, refunded_at) FROM STDIN", &refunds).await;
    let mut payouts = String::new();
    for f in &changes.payouts {
        let e = &f.event;
        ledger_line(
            &mut payouts,
            f,
            e.bounty,
            [
                Some(e.submission.to_string()),
                Some(f.submission_incarnation.to_string()),
                Some(e.contributor.to_string()),
                Some(e.contributor_token_account.to_string()),
                Some(e.amount.to_string()),
                Some(e.received.to_string()),
                time(e.paid_at),
            ],
        );
    }
    copy(conn, "COPY payouts (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation, submission, submission_incarnation, contributor, contributor_token_account, amount, received, paid_at) FROM STDIN", &payouts).await;
    // Attestations have no instruction or inner index columns.
    let mut votes = String::new();
    for f in &changes.attestations {
        line(
            &mut votes,
            [
                Some(f.event.submission.to_string()),
                Some(f.submission_incarnation.to_string()),
                Some(f.event.reviewer.to_string()),
                Some(f.event.bounty.to_string()),
                Some(f.bounty_incarnation.to_string()),
                Some(f.event.reviewer_index.to_string()),
                Some(f.event.approve.to_string()),
                time(f.event.attested_at),
                Some(f.signature.clone()),
                Some(f.position.slot.to_string()),
                Some(f.position.within_slot().to_string()),
            ],
        );
    }
    copy(conn, "COPY attestations (submission, submission_incarnation, reviewer, bounty, bounty_incarnation, reviewer_index, approve, attested_at, signature, slot, pos) FROM STDIN", &votes).await;
}

async fn copy_state(conn: &mut PgConnection, changes: &Changes) {
    let mut bounties = String::new();
    for b in &changes.new_bounties {
        let e = &b.event;
        let patch = changes.bounties.get(&(e.bounty.to_string(), b.incarnation));
        let p = patch.cloned().unwrap_or_default();
        let updated = patch.map_or(b.position, |p| p.updated);
        let reviewers: Vec<String> = e.reviewers.iter().map(ToString::to_string).collect();
        let values = [
            Some(e.bounty.to_string()),
            Some(b.incarnation.to_string()),
            Some(e.creator.to_string()),
            Some(hex(&e.dataset_id)),
            Some(e.nonce.to_string()),
            Some(storable_text(&e.metadata_uri).into_owned()),
            Some(bytes(e.metadata_uri.as_bytes())),
            Some(e.mint.to_string()),
            Some(e.token_program.to_string()),
            Some(e.vault.to_string()),
            Some(e.reward_per_submission.to_string()),
            Some(e.max_winners.to_string()),
            Some(format!("{{{}}}", reviewers.join(","))),
            Some(e.quorum.to_string()),
            Some(e.submission_deadline.to_string()),
            time(e.submission_deadline),
            Some(e.review_deadline.to_string()),
            time(e.review_deadline),
            Some(e.permanent_delegate_allowed.to_string()),
            Some(p.funded.unwrap_or(0).to_string()),
            Some(p.reserved.unwrap_or(0).to_string()),
            Some(p.released.unwrap_or(0).to_string()),
            Some(p.refunded.unwrap_or(0).to_string()),
            Some(p.submissions.unwrap_or(0).to_string()),
            Some(p.pending.unwrap_or(0).to_string()),
            Some(p.accepted.unwrap_or(0).to_string()),
            Some(p.paid.unwrap_or(0).to_string()),
            Some(p.open_submission_accounts.unwrap_or(0).to_string()),
            Some(p.status.unwrap_or("Open").to_string()),
            time(e.created_at),
            p.cancelled_at.and_then(time),
            p.closed_at.and_then(time),
            Some(b.position.slot.to_string()),
            Some(updated.slot.to_string()),
            Some(updated.within_slot().to_string()),
        ];
        line(&mut bounties, values);
    }
    copy(conn, "COPY bounties (bounty, incarnation, creator, dataset_id, nonce, metadata_uri, metadata_uri_raw, mint, token_program, vault, reward_per_submission, max_winners, reviewers, quorum, submission_deadline_unix, submission_deadline, review_deadline_unix, review_deadline, permanent_delegate_allowed, funded, reserved, released, refunded, submissions, pending, accepted, paid, open_submission_accounts, status, created_at, cancelled_at, closed_at, created_slot, updated_slot, updated_pos) FROM STDIN", &bounties).await;
    let mut submissions = String::new();
    for s in &changes.new_submissions {
        let e = &s.event;
        let patch = changes
            .submissions
            .get(&(e.submission.to_string(), s.incarnation));
        let p = patch.cloned().unwrap_or_default();
        let updated = patch.map_or(s.position, |p| p.updated);
        let values = [
            Some(e.submission.to_string()),
            Some(s.incarnation.to_string()),
            Some(e.bounty.to_string()),
            Some(s.bounty_incarnation.to_string()),
            Some(e.contributor.to_string()),
            Some(hex(&e.hash)),
            e.uri.as_deref().map(|u| storable_text(u).into_owned()),
            e.uri.as_deref().map(|u| bytes(u.as_bytes())),
            Some(p.status.unwrap_or("Pending").to_string()),
            Some(p.approvals.unwrap_or(0).to_string()),
            Some(p.rejections.unwrap_or(0).to_string()),
            time(e.created_at),
            p.decided_at.and_then(time),
            p.paid_at.and_then(time),
            p.closed_at.and_then(time),
            Some(s.position.slot.to_string()),
            Some(s.position.within_slot().to_string()),
            Some(updated.slot.to_string()),
            Some(updated.within_slot().to_string()),
        ];
        line(&mut submissions, values);
    }
    copy(conn, "COPY submissions (submission, incarnation, bounty, bounty_incarnation, contributor, hash, uri, uri_raw, status, approvals, rejections, created_at, decided_at, paid_at, closed_at, created_slot, created_pos, updated_slot, updated_pos) FROM STDIN", &submissions).await;
}

/// Every table's row count, to check two variants wrote the same rows.
async fn row_counts(url: &str) -> Vec<i64> {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    let mut out = Vec::new();
    for table in [
        "transactions",
        "events",
        "bounties",
        "submissions",
        "attestations",
        "fundings",
        "payouts",
        "refunds",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .expect("count");
        out.push(n);
    }
    out
}

#[tokio::main]
async fn main() {
    let base = figures::server_url();
    let events = figures::setting("BENCH_EVENTS", 50_000);
    let batch = figures::setting("BENCH_BATCH", 500).max(1);
    let repeats = figures::setting("BENCH_REPEATS", 3).max(1);
    let txs = workload::Generator::new(42).transactions(events);
    let n: usize = txs.iter().map(|t| t.rows.len()).sum();
    println!(
        "ingest benchmark: {n} events in {} transactions (realistic mix), batches of {batch} transactions, {repeats} runs each, median",
        txs.len()
    );
    let mut rates: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    let mut counts: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for _ in 0..repeats {
        for variant in ["sink", "copy", "per_row"] {
            let url =
                figures::migrated_database(&base, &format!("databounty_bench_{variant}")).await;
            let batches: Vec<Vec<TxRecord>> = match variant {
                "sink" => txs.chunks(batch).map(<[TxRecord]>::to_vec).collect(),
                _ => vec![],
            };
            let started = Instant::now();
            match variant {
                "sink" => sink(&url, batches).await,
                "copy" => copy_all(&url, &txs, batch).await,
                _ => per_row(&url, &txs).await,
            }
            let seconds = started.elapsed().as_secs_f64();
            rates.entry(variant).or_default().push(n as f64 / seconds);
            counts.insert(variant, row_counts(&url).await);
        }
    }
    for (variant, r) in &rates {
        println!(
            "{variant:<8} median {:>9.0} events/s   (runs: {})",
            figures::median(r.clone()),
            r.iter()
                .map(|x| format!("{x:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    assert_eq!(
        counts["sink"], counts["copy"],
        "sink and COPY wrote the same rows"
    );
    assert_eq!(
        counts["sink"], counts["per_row"],
        "sink and per-row wrote the same rows"
    );
    for name in ["sink", "copy", "per_row"] {
        figures::drop_database(&base, &format!("databounty_bench_{name}")).await;
    }
    let sink = figures::median(rates["sink"].clone());
    println!(
        "ingest: sink/copy={:.2} sink/per_row={:.1}",
        sink / figures::median(rates["copy"].clone()),
        sink / figures::median(rates["per_row"].clone())
    );
}
