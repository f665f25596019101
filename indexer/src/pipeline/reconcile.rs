//! Keeping the checkpoint honest: a checkpoint must still be in the node's history, and
//! rows read at `confirmed` are reconciled with what has since finalized.

use std::time::Duration;

use super::{PipelineError, Stop};
use crate::db::{Checkpoint, Writer};
use crate::metrics::Metrics;
use crate::source::{BlockCheck, Source, SourceError};

/// The checkpoint's transaction must still be in the node's history; otherwise the
/// listing would silently start after a gap. (At `confirmed`, only a checkpoint known
/// to be final is checked: one that is not may still be rolled back instead.)
pub async fn check_history<S: Source>(
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
pub async fn reconcile<S: Source>(
    source: &S,
    writer: &mut Writer,
    finalized_slot: u64,
    metrics: &Metrics,
    stop: &Stop,
) -> Result<(), PipelineError> {
    let pending = writer.unfinalized(finalized_slot).await?;
    if pending.is_empty() {
        return Ok(());
    }
    // Asking the node writes nothing, and a failing node is retried for long: a stop
    // abandons the asking.
    let verdicts = tokio::select! {
        verdicts = judge(source, pending, metrics) => verdicts?,
        _ = stop.wait() => return Ok(()),
    };
    let Verdicts {
        final_here,
        dropped,
        relanded,
    } = verdicts;
    writer.mark_finalized(&final_here).await?;
    let mut removed: Vec<String> = dropped.clone();
    removed.extend(relanded.iter().map(|(s, _)| s.clone()));
    if !removed.is_empty() {
        // A transaction that landed again elsewhere is read again from the listing,
        // where it gets its real place in its new slot: the checkpoint moves back before
        // the earliest such slot.
        let rewind_before = relanded.iter().map(|(_, slot)| *slot).min();
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

/// What became of the transactions read at `confirmed`.
struct Verdicts {
    final_here: Vec<String>,
    /// Known not to be in the finalized block at their slot.
    dropped: Vec<String>,
    /// Landed again, at this slot.
    relanded: Vec<(String, u64)>,
}

/// Asks the node about each (signature, slot) read at `confirmed`.
async fn judge<S: Source>(
    source: &S,
    pending: Vec<(String, u64)>,
    metrics: &Metrics,
) -> Result<Verdicts, PipelineError> {
    let signatures: Vec<String> = pending.iter().map(|(s, _)| s.clone()).collect();
    let statuses = source.statuses(&signatures).await?;
    let mut verdicts = Verdicts {
        final_here: Vec::new(),
        dropped: Vec::new(),
        relanded: Vec::new(),
    };
    for ((signature, slot), status) in pending.into_iter().zip(statuses) {
        match status {
            Some(s) if s.slot != slot => verdicts.relanded.push((signature, s.slot)),
            Some(s) if s.finalized => verdicts.final_here.push(signature),
            Some(_) => {}
            None => match source.block_check(slot, &signature).await? {
                BlockCheck::Lacks => verdicts.dropped.push(signature),
                BlockCheck::Contains => verdicts.final_here.push(signature),
                BlockCheck::Unknown => metrics.unresolved(),
            },
        }
    }
    Ok(verdicts)
}
