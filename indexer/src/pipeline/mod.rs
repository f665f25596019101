//! Wires source → decoder → database: backfill from the checkpoint, then follow live.
//! The checkpoint only ever moves in the same transaction as the rows it covers.
//!
//! Failures are sorted, never just retried: transient ones (an RPC timeout, a dropped
//! database connection) are retried with backoff; one transaction Postgres refuses or the
//! node cannot encode is quarantined and skipped; anything that would fail the same way
//! forever (a gap in the node's history, a missing table) stops the indexer loudly.

mod read;
mod reconcile;

pub use read::{listing, Listed};

use std::pin::pin;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use futures::future::{self, Either};

use crate::db::{Db, DbError, Failure, Writer};
use crate::decoder::{EventRow, Position};
use crate::metrics::{Metrics, Role};
use crate::source::{Backoff, SignatureInfo, Source, SourceError};
use read::{read_batches, Batch};
use reconcile::{check_history, reconcile};

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
    /// A listed transaction with what was read of it.
    pub fn new(info: SignatureInfo, rows: Vec<EventRow>, unreadable: Option<String>) -> Self {
        Self {
            signature: info.signature,
            slot: info.slot,
            tx_index: info.tx_index,
            failed: info.failed,
            block_time: info.block_time,
            rows,
            unreadable,
        }
    }

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
    // A node that keeps failing is retried for long: a stop must not wait for that.
    let (head, finalized_slot) = tokio::select! {
        slots = source.slots() => slots?,
        _ = stop.wait() => return Ok(0),
    };
    metrics.head(head);
    // Rows that turned out not to be final go first: the checkpoint may be one of them.
    if config.confirmed {
        reconcile(source, writer, finalized_slot, metrics, stop).await?;
    }
    let checkpoint = writer.checkpoint().await?;
    if let Some(cp) = &checkpoint {
        if !config.confirmed || writer.recorded_final(&cp.signature).await? {
            tokio::select! {
                checked = check_history(source, cp, finalized_slot, metrics) => checked?,
                _ = stop.wait() => return Ok(0),
            }
        }
    }
    // Reading writes nothing, so a stop abandons it at once. The listing is planned
    // page by page; the reader fetches ahead while the writer stores the batch before
    // (at most three batches in memory: one being read, one waiting, one written), and
    // the checkpoint moves with each write, so a long backfill runs at the pace of the
    // slower side and its memory does not grow with history.
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
    let read = read_batches(source, config, metrics, stop, plan, checkpoint, batches);
    let write = async move {
        // Owned here, so that a failed write drops it and the reader stops.
        let mut ready = ready;
        let mut written = 0;
        let mut idle = std::time::Duration::ZERO;
        let mut waiting = std::time::Instant::now();
        while let Some(batch) = ready.recv().await {
            idle += waiting.elapsed();
            if stop.requested() {
                break;
            }
            written += write_batch(writer, metrics, batch.records, final_up_to).await?;
            if let Some((page, of)) = batch.ends_page {
                tracing::info!(pages = page, of, events = written, "backfill progress");
            }
            waiting = std::time::Instant::now();
        }
        // Time the writer had nothing to write: the reader was the slower side.
        tracing::debug!(idle_ms = idle.as_millis(), "writer done");
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

/// Writes one batch (its checkpoint in the same transaction) and records the metrics.
/// Returns the new events written.
async fn write_batch(
    writer: &mut Writer,
    metrics: &Metrics,
    records: Vec<TxRecord>,
    final_up_to: u64,
) -> Result<usize, PipelineError> {
    let undecodable = records
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| r.event.is_err())
        .count();
    let count = records.len();
    let last_slot = records.last().map(|r| r.slot);
    let started = std::time::Instant::now();
    let result = writer.write_owned(records, final_up_to).await?;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    metrics.batch(count, result.new_events, undecodable, micros);
    metrics.quarantined(result.quarantined);
    metrics.progressed();
    if let Some(slot) = last_slot {
        // Every transaction before the batch's last slot is written; that slot may hold
        // more.
        metrics.indexed(slot.saturating_sub(1));
    }
    Ok(result.new_events)
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
            if let Some(writer) = writer {
                writer.close().await;
            }
            return Ok(());
        }
    }
}
