//! Wires source → decoder → database: backfill from the checkpoint, then follow live.
//! The checkpoint only ever moves in the same transaction as the rows it covers.

use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;

use crate::db::{Checkpoint, Db, DbError};
use crate::decoder::decode;
use crate::metrics::Metrics;
use crate::source::{fetch_all, Source, SourceError};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub program_id: Pubkey,
    /// Checkpoint name; one per program and commitment.
    pub source_name: String,
    pub concurrency: usize,
    pub batch_size: usize,
    /// Whether rows are read at `confirmed` and must be reconciled once finalized.
    pub confirmed: bool,
}

/// One pass: everything new since the checkpoint. Returns the events written.
pub async fn run_once<S: Source>(
    source: &S,
    db: &Db,
    config: &PipelineConfig,
    metrics: &Metrics,
) -> Result<usize, PipelineError> {
    let checkpoint = db.checkpoint(&config.source_name).await?;
    let signatures = source
        .new_signatures(checkpoint.as_ref().map(|c| c.signature.as_str()))
        .await?;
    let total = signatures.len();
    let mut written = 0;
    let mut done = 0;
    for chunk in signatures.chunks(config.batch_size.max(1)) {
        let updates = fetch_all(source, chunk, config.concurrency).await?;
        let rows: Vec<_> = updates
            .iter()
            .flat_map(|u| decode(&config.program_id, u))
            .collect();
        let undecodable = rows.iter().filter(|r| r.event.is_err()).count();
        let last = chunk.last().map(|s| Checkpoint {
            signature: s.signature.clone(),
            slot: s.slot,
        });
        let started = Instant::now();
        let new = db
            .write_batch(&config.source_name, &rows, last.as_ref(), !config.confirmed)
            .await?;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        metrics.batch(updates.len(), new, undecodable, micros);
        written += new;
        done += chunk.len();
        if total > config.batch_size {
            tracing::info!(done, total, events = written, "backfill progress");
        }
    }
    let (head, finalized) = source.slots().await?;
    let indexed = signatures
        .last()
        .map(|s| s.slot)
        .or(checkpoint.map(|c| c.slot))
        .unwrap_or(head);
    metrics.position(head, indexed);
    if config.confirmed {
        reconcile(source, db, config, finalized, metrics).await?;
    }
    Ok(written)
}

/// Rows read at `confirmed` whose slot is now final are either confirmed final or, if
/// their transaction did not make it, rolled back.
async fn reconcile<S: Source>(
    source: &S,
    db: &Db,
    config: &PipelineConfig,
    finalized_slot: u64,
    metrics: &Metrics,
) -> Result<(), PipelineError> {
    let pending = db.unfinalized_signatures(finalized_slot).await?;
    if pending.is_empty() {
        return Ok(());
    }
    let statuses = source.finalized(&pending).await?;
    let (kept, dropped): (Vec<_>, Vec<_>) =
        pending.into_iter().zip(statuses).partition(|(_, ok)| *ok);
    let kept: Vec<String> = kept.into_iter().map(|(s, _)| s).collect();
    let dropped: Vec<String> = dropped.into_iter().map(|(s, _)| s).collect();
    db.mark_finalized(&kept).await?;
    if !dropped.is_empty() {
        let events = db.roll_back(&dropped, &config.source_name).await?;
        metrics.rolled_back(events);
        tracing::warn!(
            transactions = dropped.len(),
            events,
            "rolled back rows of slots that never finalized"
        );
    }
    Ok(())
}

/// Backfills, then follows the chain until `shutdown` resolves. Errors are logged and
/// retried on the next poll; the checkpoint never passes unwritten work.
pub async fn follow<S: Source>(
    source: &S,
    db: &Db,
    config: &PipelineConfig,
    metrics: &Metrics,
    poll: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match run_once(source, db, config, metrics).await {
            Ok(0) => {}
            Ok(events) => tracing::info!(events, total = metrics.events(), "indexed"),
            Err(err) => tracing::error!(error = %err, "indexing pass failed; retrying"),
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
