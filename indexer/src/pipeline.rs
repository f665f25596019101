//! Wires source → decoder → database: backfill from the checkpoint, then follow live.
//! The checkpoint only ever moves in the same transaction as the rows it covers.
//!
//! Failures are sorted, never just retried: transient ones (an RPC timeout, a dropped
//! database connection) are retried with backoff; one transaction Postgres refuses or the
//! node cannot encode is quarantined and skipped; anything that would fail the same way
//! forever (a gap in the node's history, a missing table) stops the indexer loudly.

use std::pin::pin;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use futures::future::{self, Either};
use futures::{stream, StreamExt};

use crate::db::{Checkpoint, Db, DbError, Failure, Writer};
use crate::decoder::{decode, EventRow, Position};
use crate::metrics::{Metrics, Role};
use crate::source::{
    order_listing, Backoff, BlockCheck, ListingPlan, SignatureInfo, Source, SourceError,
};
use databounty_sdk::transaction::failed;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The node no longer knows the checkpoint's transaction: what lies between it and
    /// the node's oldest history cannot be read from this node.
    #[error(
        "gap: the checkpoint's transaction {signature} (slot {slot}) is not in the node's history \
         (a pruned node or another cluster?); point --rpc-url at a node with history back to slot {slot}"
    )]
    Gap { signature: String, slot: u64 },
}

impl PipelineError {
    /// Whether retrying can ever help.
    pub fn is_fatal(&self) -> bool {
        match self {
            PipelineError::Source(err) => !err.is_transient(),
            // The writer quarantines what Postgres refuses in a batch; a refusal that
            // reaches here (marking rows final, a rollback) would fail the same way again.
            PipelineError::Db(err) => err.failure() != Failure::Transient,
            PipelineError::Gap { .. } => true,
        }
    }

    /// Whether the writer's connection may be gone (it must take the lock again).
    fn lost_database(&self) -> bool {
        matches!(self, PipelineError::Db(err) if err.failure() == Failure::Transient)
    }
}

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub program_id: Pubkey,
    /// Checkpoint and writer-lock name; one per program and commitment.
    pub source_name: String,
    pub concurrency: usize,
    pub batch_size: usize,
    /// Whether rows are read at `confirmed` and must be reconciled once finalized.
    pub confirmed: bool,
}

/// One listed transaction with what was read of it.
#[derive(Debug, Clone)]
pub struct TxRecord {
    pub signature: String,
    pub slot: u64,
    pub tx_index: u32,
    pub failed: bool,
    pub block_time: Option<i64>,
    pub rows: Vec<EventRow>,
    /// Why the source cannot read it, every time: it is quarantined.
    pub unreadable: Option<String>,
}

impl TxRecord {
    pub fn position(&self) -> Position {
        Position {
            slot: self.slot,
            tx_index: self.tx_index,
            instruction_index: -1,
            inner_index: -1,
        }
    }

    pub fn outcome(&self) -> &'static str {
        if self.unreadable.is_some() {
            "quarantined"
        } else if self.failed {
            "failed"
        } else {
            "indexed"
        }
    }
}

/// Set once to ask the pipeline to stop after the batch it is writing.
#[derive(Clone)]
pub struct Stop(tokio::sync::watch::Receiver<bool>);

impl Stop {
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Self) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Self(rx))
    }

    /// A stop that never fires.
    pub fn never() -> Self {
        let (tx, stop) = Self::new();
        std::mem::forget(tx);
        stop
    }

    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once a stop is requested (or its sender is gone).
    pub async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Sleeps `delay`; false if a stop came first.
    pub async fn sleep(&self, delay: Duration) -> bool {
        tokio::select! {
            _ = self.wait() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

/// Reads the listed transactions with at most `concurrency` requests in flight, in
/// order. A transaction the node cannot encode for us is kept as unreadable (and so
/// quarantined); any other failure fails the batch.
async fn fetch<S: Source>(
    source: &S,
    program_id: &Pubkey,
    listed: &[SignatureInfo],
    concurrency: usize,
) -> Result<Vec<TxRecord>, SourceError> {
    let replies: Vec<_> = stream::iter(listed)
        .map(|info| async move {
            let record = |rows, unreadable| TxRecord {
                signature: info.signature.clone(),
                slot: info.slot,
                tx_index: info.tx_index,
                failed: info.failed,
                block_time: info.block_time,
                rows,
                unreadable,
            };
            if info.failed {
                return Ok(record(vec![], None));
            }
            match source.transaction(&info.signature).await {
                Ok(update) if failed(&update.transaction) => {
                    Err(SourceError::Inconsistent(format!(
                        "{} is listed as successful but its reply failed",
                        info.signature
                    )))
                }
                Ok(update) => {
                    let mut rows = decode(program_id, &update, info.tx_index);
                    // The listing's slot is the one the rows are ordered by.
                    for row in &mut rows {
                        row.position.slot = info.slot;
                    }
                    Ok(record(rows, None))
                }
                Err(err) if err.is_about_one_transaction() => {
                    Ok(record(vec![], Some(err.to_string())))
                }
                Err(err) => Err(err),
            }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    replies.into_iter().collect()
}

/// One pass: everything new since the checkpoint, written batch by batch (each with its
/// checkpoint), then, at `confirmed`, reconciliation with what has since finalized.
/// Returns the new events written.
pub async fn run_once<S: Source>(
    source: &S,
    writer: &mut Writer,
    config: &PipelineConfig,
    metrics: &Metrics,
    stop: &Stop,
) -> Result<usize, PipelineError> {
    let (head, finalized_slot) = source.slots().await?;
    metrics.head(head);
    // Rows that turned out not to be final go first: the checkpoint may be one of them.
    if config.confirmed {
        reconcile(source, writer, finalized_slot, metrics).await?;
    }
    let checkpoint = writer.checkpoint().await?;
    if let Some(cp) = &checkpoint {
        if !config.confirmed || writer.recorded_final(&cp.signature).await? {
            check_history(source, cp, finalized_slot, metrics).await?;
        }
    }
    // Reading writes nothing, so a stop abandons it at once. The listing is planned
    // page by page; a reader lists and fetches the next batch while the writer stores the
    // one before (at most three batches in memory: one read, one waiting, one written),
    // and the checkpoint moves with each write, so a long backfill runs at the pace of
    // the slower side and its memory does not grow with history.
    let plan = tokio::select! {
        plan = source.listing_plan(checkpoint.as_ref()) => plan?,
        _ = stop.wait() => return Ok(0),
    };
    let final_up_to = if config.confirmed {
        // At `confirmed`, what is already final is written as final.
        finalized_slot
    } else {
        u64::MAX
    };
    let (batches, ready) = tokio::sync::mpsc::channel::<Batch>(1);
    let read = read_batches(source, config, stop, plan, checkpoint, batches);
    let write = async move {
        // Owned here, so that a failed write drops it and the reader stops.
        let mut ready = ready;
        let mut written = 0;
        while let Some(batch) = ready.recv().await {
            if stop.requested() {
                break;
            }
            written += write_batch(writer, metrics, &batch.records, final_up_to).await?;
            if let Some((page, of)) = batch.ends_page {
                tracing::info!(pages = page, of, events = written, "backfill progress");
            }
        }
        Ok::<_, PipelineError>(written)
    };
    // A failed write ends the pass at once (abandoning a read writes nothing); a failed
    // read first lets the writer store what was already read.
    let written = match future::select(pin!(read), pin!(write)).await {
        Either::Left((read, write)) => {
            let written = write.await?;
            read?;
            written
        }
        Either::Right((written, read)) => {
            let written = written?;
            read.await?;
            written
        }
    };
    if !stop.requested() {
        // Everything the node listed up to `head` is now written.
        metrics.indexed(head);
    }
    Ok(written)
}

/// Transactions read and decoded, ready to be written.
struct Batch {
    records: Vec<TxRecord>,
    /// Set on a page's last batch: (pages done, pages planned), for progress logs.
    ends_page: Option<(usize, usize)>,
}

/// Lists the planned pages, oldest first, and fetches their transactions in batches,
/// handing each to the writer; ends at a stop or when the writer no longer takes them.
async fn read_batches<S: Source>(
    source: &S,
    config: &PipelineConfig,
    stop: &Stop,
    mut plan: ListingPlan,
    checkpoint: Option<Checkpoint>,
    batches: tokio::sync::mpsc::Sender<Batch>,
) -> Result<(), PipelineError> {
    let pages = plan.older_pages.len() + 1;
    // The last transaction handed on: where the next page's listing must continue.
    let mut at = checkpoint.clone();
    for page in 0..pages {
        let listing = match plan.older_pages.get(page) {
            Some(cursor) => tokio::select! {
                listing = source.listing_page(cursor, checkpoint.as_ref()) => listing?,
                _ = stop.wait() => return Ok(()),
            },
            None => std::mem::take(&mut plan.newest),
        };
        let listed = order_listing(listing, at.as_ref())?;
        let chunks = listed.chunks(config.batch_size.max(1));
        let count = chunks.len();
        for (i, chunk) in chunks.enumerate() {
            let records = tokio::select! {
                records = fetch(source, &config.program_id, chunk, config.concurrency) => records?,
                _ = stop.wait() => return Ok(()),
            };
            if let Some(last) = chunk.last() {
                at = Some(Checkpoint {
                    signature: last.signature.clone(),
                    slot: last.slot,
                    tx_index: last.tx_index,
                });
            }
            let ends_page = (i + 1 == count).then_some((page + 1, pages));
            if batches.send(Batch { records, ends_page }).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Writes one batch (its checkpoint in the same transaction) and records the metrics.
/// Returns the new events written.
async fn write_batch(
    writer: &mut Writer,
    metrics: &Metrics,
    records: &[TxRecord],
    final_up_to: u64,
) -> Result<usize, PipelineError> {
    let undecodable = records
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| r.event.is_err())
        .count();
    let started = std::time::Instant::now();
    let result = writer.write(records, final_up_to).await?;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    metrics.batch(records.len(), result.new_events, undecodable, micros);
    metrics.quarantined(result.quarantined);
    metrics.progressed();
    if let Some(last) = records.last() {
        // Every transaction before the batch's last slot is written; that slot may hold
        // more.
        metrics.indexed(last.slot.saturating_sub(1));
    }
    Ok(result.new_events)
}

/// The checkpoint's transaction must still be in the node's history; otherwise the
/// listing would silently start after a gap. (At `confirmed`, only a checkpoint known
/// to be final is checked: one that is not may still be rolled back instead.)
async fn check_history<S: Source>(
    source: &S,
    checkpoint: &Checkpoint,
    finalized_slot: u64,
    metrics: &Metrics,
) -> Result<(), PipelineError> {
    // A node that has not finalized our checkpoint's slot yet (a lagging backend behind
    // a load balancer) cannot be asked about it: wait for it.
    if finalized_slot < checkpoint.slot {
        return Err(SourceError::Inconsistent(format!(
            "the node's finalized slot {finalized_slot} is behind the checkpoint's slot {}",
            checkpoint.slot
        ))
        .into());
    }
    // Asked twice, a moment apart: one wrong answer from a flaky node must not stop
    // the indexer.
    let mut known = false;
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let status = source
            .statuses(std::slice::from_ref(&checkpoint.signature))
            .await?;
        known |= status.first().copied().flatten().is_some();
        if known {
            break;
        }
    }
    if !known {
        metrics.gap();
        return Err(PipelineError::Gap {
            signature: checkpoint.signature.clone(),
            slot: checkpoint.slot,
        });
    }
    Ok(())
}

/// Transactions read at `confirmed` whose slot is now final: kept and marked final when
/// the node says so; removed and read again from the listing when they landed again in
/// another slot; removed only when the finalized block at their slot is known not to
/// hold them. A status the node cannot
/// give keeps the rows and is tried again next pass.
async fn reconcile<S: Source>(
    source: &S,
    writer: &mut Writer,
    finalized_slot: u64,
    metrics: &Metrics,
) -> Result<(), PipelineError> {
    let pending = writer.unfinalized(finalized_slot).await?;
    if pending.is_empty() {
        return Ok(());
    }
    let signatures: Vec<String> = pending.iter().map(|(s, _)| s.clone()).collect();
    let statuses = source.statuses(&signatures).await?;
    let mut final_here = Vec::new();
    let mut dropped = Vec::new();
    let mut relanded = Vec::new();
    for ((signature, slot), status) in pending.into_iter().zip(statuses) {
        match status {
            Some(s) if s.slot != slot => relanded.push((signature, s)),
            Some(s) if s.finalized => final_here.push(signature),
            Some(_) => {}
            None => match source.block_check(slot, &signature).await? {
                BlockCheck::Lacks => dropped.push(signature),
                BlockCheck::Contains => final_here.push(signature),
                BlockCheck::Unknown => metrics.unresolved(),
            },
        }
    }
    writer.mark_finalized(&final_here).await?;
    let mut removed: Vec<String> = dropped.clone();
    removed.extend(relanded.iter().map(|(s, _)| s.clone()));
    if !removed.is_empty() {
        // A transaction that landed again elsewhere is read again from the listing,
        // where it gets its real place in its new slot: the checkpoint moves back before
        // the earliest such slot.
        let rewind_before = relanded.iter().map(|(_, s)| s.slot).min();
        let events = writer.roll_back(&removed, rewind_before).await?;
        metrics.rolled_back(events);
        tracing::warn!(
            dropped = dropped.len(),
            relanded = relanded.len(),
            events,
            "removed rows of transactions not on the finalized chain where they were read"
        );
    }
    Ok(())
}

/// Backfills, then follows the chain until `stop`: takes the writer lock (standing by
/// while another indexer holds it), retries transient failures with backoff, and returns
/// the first error that retrying cannot fix.
pub async fn follow<S: Source>(
    source: &S,
    db: &Db,
    config: &PipelineConfig,
    metrics: &Metrics,
    poll: Duration,
    stop: Stop,
) -> Result<(), PipelineError> {
    let backoff = Backoff {
        attempts: u32::MAX,
        base: poll.max(Duration::from_millis(100)),
        max: Duration::from_secs(30),
    };
    let mut writer: Option<Writer> = None;
    let mut failures: u32 = 0;
    loop {
        let mut current = match writer.take() {
            Some(w) => w,
            None => {
                metrics.role(Role::Standby);
                let acquired = tokio::select! {
                    _ = stop.wait() => return Ok(()),
                    w = Writer::acquire(db, &config.source_name, Duration::from_millis(500)) => w,
                };
                match acquired {
                    Ok(w) => w,
                    Err(err) => {
                        let err = PipelineError::from(err);
                        if err.is_fatal() {
                            return Err(err);
                        }
                        failures = failures.saturating_add(1);
                        metrics.pass_failed(&err.to_string());
                        tracing::error!(error = %err, "cannot take the writer lock; retrying");
                        if !stop.sleep(backoff.delay(failures)).await {
                            return Ok(());
                        }
                        continue;
                    }
                }
            }
        };
        metrics.role(Role::Writer);
        let delay = match run_once(source, &mut current, config, metrics, &stop).await {
            Ok(events) => {
                failures = 0;
                metrics.pass_succeeded();
                if events > 0 {
                    tracing::info!(events, total = metrics.events(), "indexed");
                }
                writer = Some(current);
                poll
            }
            Err(err) if err.is_fatal() => {
                metrics.pass_failed(&err.to_string());
                tracing::error!(error = %err, "indexing cannot continue");
                return Err(err);
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                metrics.pass_failed(&err.to_string());
                tracing::warn!(error = %err, failures, "indexing pass failed; retrying with backoff");
                if !err.lost_database() {
                    writer = Some(current);
                }
                backoff.delay(failures)
            }
        };
        if !stop.sleep(delay).await {
            return Ok(());
        }
    }
}
