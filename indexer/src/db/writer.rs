//! The one writer. Every write goes through a single connection that holds a session
//! advisory lock for the source, so a second indexer on the same database waits and
//! takes over when the first one's session ends, and a writer whose connection dropped
//! (and so lost the lock) cannot write until it holds the lock again.
//!
//! A batch is written in one transaction with its checkpoint. If Postgres refuses it
//! (a data exception or a constraint), the batch is split in halves until the one
//! transaction that causes it is found; that one is quarantined and the rest written.

use std::collections::HashSet;
use std::time::Duration;

use databounty_sdk::events::DatabountyEvent;
use sqlx::{Connection, PgConnection};

use super::{log, state, Db, DbError, Failure};
use crate::decoder::EventRow;
use crate::key_text::key_text;
use crate::pipeline::TxRecord;
use crate::projection::{project, Located};

/// Where a source has read up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub signature: String,
    pub slot: u64,
    pub tx_index: u32,
}

/// What writing a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub new_events: usize,
    pub quarantined: usize,
}

pub struct Writer {
    /// `None` after a write was abandoned mid-way (its task keeps the connection).
    session: Option<Session>,
}

/// The writer's connection, holding the lock, and the source it writes for. Moved into
/// a task of its own for each batch, so that storing one batch (the projection and the
/// building of its rows take CPU) runs beside the reading of the next, not between.
struct Session {
    conn: PgConnection,
    source: String,
}

impl Writer {
    /// Takes the writer lock for `source` if no other session holds it.
    pub async fn try_acquire(db: &Db, source: &str) -> Result<Option<Self>, DbError> {
        let mut conn = db.pool.acquire().await?.detach();
        // One writer per program and database, whatever the commitment: source names are
        // `<program>:<commitment>`, and two commitments write the same tables.
        let locked = sqlx::query_scalar!(
            r#"SELECT pg_try_advisory_lock(hashtext('databounty-indexer:' || split_part($1, ':', 1))) AS "locked!""#,
            source,
        )
        .fetch_one(&mut conn)
        .await?;
        if !locked {
            let _ = conn.close().await;
            return Ok(None);
        }
        Ok(Some(Self {
            session: Some(Session {
                conn,
                source: source.to_string(),
            }),
        }))
    }

    /// Waits until this process holds the writer lock, polling every `poll`.
    pub async fn acquire(db: &Db, source: &str, poll: Duration) -> Result<Self, DbError> {
        let mut waiting = false;
        loop {
            if let Some(writer) = Self::try_acquire(db, source).await? {
                if waiting {
                    tracing::info!(source, "took over as the writer");
                }
                return Ok(writer);
            }
            if !waiting {
                tracing::info!(source, "another indexer is writing; standing by");
                waiting = true;
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Ends the session, and so frees the lock for a standby at once, rather than when
    /// the server notices a dropped connection.
    pub async fn close(mut self) {
        if let Some(session) = self.session.take() {
            if let Err(err) = session.conn.close().await {
                tracing::debug!(error = %err, "closing the writer's connection");
            }
        }
    }

    fn session(&mut self) -> Result<&mut Session, DbError> {
        self.session.as_mut().ok_or(DbError::WriterLost)
    }

    pub async fn checkpoint(&mut self) -> Result<Option<Checkpoint>, DbError> {
        self.session()?.checkpoint().await
    }

    /// Writes `txs` (in chain order) and moves the checkpoint past them. Refused
    /// transactions are quarantined; any other failure is returned with nothing written
    /// from the part that failed.
    /// Transactions at or below slot `final_up_to` are recorded as final.
    pub async fn write(&mut self, txs: &[TxRecord], final_up_to: u64) -> Result<Written, DbError> {
        self.write_owned(txs.to_vec(), final_up_to).await
    }

    /// [`Writer::write`], in a task of its own.
    #[tracing::instrument(skip_all, fields(transactions = txs.len()))]
    pub async fn write_owned(
        &mut self,
        txs: Vec<TxRecord>,
        final_up_to: u64,
    ) -> Result<Written, DbError> {
        let mut session = self.session.take().ok_or(DbError::WriterLost)?;
        let task = tokio::spawn(async move {
            let written = session.write(&txs, final_up_to).await;
            (session, written)
        });
        // A task that panicked took the connection with it: the lock is gone too.
        let (session, written) = task.await.map_err(|_| DbError::WriterLost)?;
        self.session = Some(session);
        written
    }

    /// Transactions read at `confirmed` whose slot is now at or below `max_slot`.
    pub async fn unfinalized(&mut self, max_slot: u64) -> Result<Vec<(String, u64)>, DbError> {
        self.session()?.unfinalized(max_slot).await
    }

    /// Whether `signature` is recorded as final.
    pub async fn recorded_final(&mut self, signature: &str) -> Result<bool, DbError> {
        self.session()?.recorded_final(signature).await
    }

    pub async fn mark_finalized(&mut self, signatures: &[String]) -> Result<(), DbError> {
        self.session()?.mark_finalized(signatures).await
    }

    /// Removes the rows of transactions known not to be where they were read and
    /// rebuilds every bounty they touched from the events that remain. If the
    /// checkpoint named one of them, or lies at or after `rewind_before` (the slot a
    /// transaction landed again in, to be read there), it moves back to the newest final
    /// transaction recorded before that — not to the start of history. Returns the
    /// events removed.
    pub async fn roll_back(
        &mut self,
        signatures: &[String],
        rewind_before: Option<u64>,
    ) -> Result<usize, DbError> {
        self.session()?.roll_back(signatures, rewind_before).await
    }
}

impl Session {
    async fn checkpoint(&mut self) -> Result<Option<Checkpoint>, DbError> {
        let row = sqlx::query!(
            "SELECT signature, slot, tx_index FROM checkpoints WHERE source = $1",
            &self.source,
        )
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(row.map(|r| Checkpoint {
            signature: r.signature,
            slot: u64::try_from(r.slot).unwrap_or(0),
            tx_index: u32::try_from(r.tx_index).unwrap_or(0),
        }))
    }

    /// See [`Writer::write`]: refused transactions are found by halving and quarantined.
    async fn write(&mut self, txs: &[TxRecord], final_up_to: u64) -> Result<Written, DbError> {
        let mut written = Written::default();
        let mut parts = vec![(0, txs.len())];
        while let Some((start, end)) = parts.pop() {
            let part = &txs[start..end];
            if part.is_empty() {
                continue;
            }
            match self.write_part(part, final_up_to).await {
                Ok((new, unreadable)) => {
                    written.new_events += new;
                    written.quarantined += unreadable;
                }
                Err(err) if err.failure() == Failure::Refused && part.len() > 1 => {
                    let middle = start + part.len() / 2;
                    parts.push((middle, end));
                    parts.push((start, middle));
                }
                Err(err) if err.failure() == Failure::Refused => {
                    let tx = &part[0];
                    tracing::error!(signature = %tx.signature, slot = tx.slot, error = %err,
                        "Postgres refused this transaction's rows; quarantined, moving on");
                    let sqlstate = err.sqlstate();
                    self.quarantine(tx, &err.to_string(), sqlstate.as_deref(), final_up_to)
                        .await?;
                    written.quarantined += 1;
                }
                Err(err) => return Err(err),
            }
        }
        Ok(written)
    }

    async fn quarantine(
        &mut self,
        tx: &TxRecord,
        error: &str,
        sqlstate: Option<&str>,
        final_up_to: u64,
    ) -> Result<(), DbError> {
        let mut db = self.conn.begin().await?;
        // Final only if it is: a quarantined transaction at `confirmed` may still be
        // rolled back, and reconciliation must see it.
        log::insert_transactions(&mut db, &[tx], final_up_to, |_| "quarantined").await?;
        log::quarantine(&mut db, tx, error, sqlstate).await?;
        log::advance_checkpoint(&mut db, &self.source, tx).await?;
        db.commit().await?;
        Ok(())
    }

    /// One database transaction; returns the new events and the unreadable transactions
    /// quarantined.
    async fn write_part(
        &mut self,
        txs: &[TxRecord],
        final_up_to: u64,
    ) -> Result<(usize, usize), DbError> {
        let mut db = self.conn.begin().await?;
        let refs: Vec<&TxRecord> = txs.iter().collect();
        log::insert_transactions(&mut db, &refs, final_up_to, TxRecord::outcome).await?;
        let unreadable = txs.iter().filter(|t| t.unreadable.is_some()).count();
        for tx in txs.iter().filter(|t| t.unreadable.is_some()) {
            tracing::error!(signature = %tx.signature, error = ?tx.unreadable,
                "the source cannot read this transaction; quarantined, moving on");
            log::quarantine(&mut db, tx, tx.unreadable.as_deref().unwrap_or(""), None).await?;
        }
        // One row per key: a reply that repeats an inner-instruction group must not
        // apply its events twice.
        let mut keys = HashSet::new();
        let rows: Vec<&EventRow> = txs
            .iter()
            .filter(|t| t.unreadable.is_none())
            .flat_map(|t| &t.rows)
            .filter(|r| {
                keys.insert((
                    r.signature.as_str(),
                    r.position.instruction_index,
                    r.position.inner_index,
                ))
            })
            .collect();
        let mut bounties: Vec<String> = rows
            .iter()
            .filter_map(|r| r.event.as_ref().ok().map(|e| key_text(&e.bounty())))
            .collect();
        bounties.sort();
        bounties.dedup();
        let stored = log::newest_event_positions(&mut db, &bounties).await?;
        let is_new = log::insert_events(&mut db, &rows, final_up_to).await?;
        let mut new: Vec<(&EventRow, &DatabountyEvent)> = rows
            .iter()
            .zip(&is_new)
            .filter(|(_, new)| **new)
            .filter_map(|(row, _)| row.event.as_ref().ok().map(|e| (*row, e)))
            .collect();
        new.sort_by_key(|(row, _)| row.position);
        apply(&mut db, &new, &stored).await?;
        if let Some(last) = txs.last() {
            log::advance_checkpoint(&mut db, &self.source, last).await?;
        }
        db.commit().await?;
        Ok((is_new.iter().filter(|n| **n).count(), unreadable))
    }

    async fn unfinalized(&mut self, max_slot: u64) -> Result<Vec<(String, u64)>, DbError> {
        let rows = sqlx::query!(
            "SELECT signature, slot FROM transactions WHERE NOT finalized AND slot <= $1 ORDER BY slot, tx_index",
            i64::try_from(max_slot).unwrap_or(i64::MAX),
        )
        .fetch_all(&mut self.conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.signature, u64::try_from(r.slot).unwrap_or(0)))
            .collect())
    }

    async fn recorded_final(&mut self, signature: &str) -> Result<bool, DbError> {
        let finalized = sqlx::query_scalar!(
            "SELECT finalized FROM transactions WHERE signature = $1",
            signature,
        )
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(finalized.unwrap_or(false))
    }

    async fn mark_finalized(&mut self, signatures: &[String]) -> Result<(), DbError> {
        sqlx::query!(
            "WITH marked AS (UPDATE events SET finalized = true WHERE signature = ANY($1))
             UPDATE transactions SET finalized = true WHERE signature = ANY($1)",
            signatures,
        )
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    /// See [`Writer::roll_back`].
    #[tracing::instrument(skip_all, fields(signatures = signatures.len()))]
    async fn roll_back(
        &mut self,
        signatures: &[String],
        rewind_before: Option<u64>,
    ) -> Result<usize, DbError> {
        let mut db = self.conn.begin().await?;
        let removed = sqlx::query_scalar!(
            "WITH gone AS (DELETE FROM transactions WHERE signature = ANY($1))
             DELETE FROM events WHERE signature = ANY($1) RETURNING bounty",
            signatures,
        )
        .fetch_all(&mut *db)
        .await?;
        let bounties: HashSet<String> = removed.iter().flatten().cloned().collect();
        state::replay(&mut db, &bounties).await?;
        let rewind = rewind_before.map_or(i64::MAX, |s| i64::try_from(s).unwrap_or(i64::MAX));
        let moved = sqlx::query!(
            "UPDATE checkpoints c SET signature = t.signature, slot = t.slot, tx_index = t.tx_index, updated_at = now()
             FROM (SELECT signature, slot, tx_index FROM transactions WHERE finalized AND slot < $3
                   ORDER BY slot DESC, tx_index DESC LIMIT 1) t
             WHERE c.source = $1 AND (c.signature = ANY($2) OR c.slot >= $3)",
            &self.source,
            signatures,
            rewind,
        )
        .execute(&mut *db)
        .await?;
        if moved.rows_affected() == 0 {
            // No final transaction is recorded before it: everything read so far is
            // recent, and reading it again from the start is all that is safe.
            sqlx::query!(
                "DELETE FROM checkpoints WHERE source = $1 AND (signature = ANY($2) OR slot >= $3)",
                &self.source,
                signatures,
                rewind,
            )
            .execute(&mut *db)
            .await?;
        }
        db.commit().await?;
        Ok(removed.len())
    }
}

/// Applies new events to the state tables: a projection onto the stored incarnations,
/// except for bounties with a stored event newer than one of the new ones (a late
/// arrival), which are rebuilt from all their events in chain order instead.
/// `stored` is each bounty's newest event position before this batch.
async fn apply(
    db: &mut PgConnection,
    new: &[(&EventRow, &DatabountyEvent)],
    stored: &std::collections::HashMap<String, (i64, i64)>,
) -> Result<(), DbError> {
    if new.is_empty() {
        return Ok(());
    }
    // Each event's bounty as the tables name it, once: the key list, the late-arrival
    // check and the projection's filter all use it.
    let bounty_of: Vec<String> = new.iter().map(|(_, e)| key_text(&e.bounty())).collect();
    let mut bounties = bounty_of.clone();
    bounties.sort();
    bounties.dedup();
    let mut submissions: Vec<String> = new
        .iter()
        .filter_map(|(_, e)| submission_of(e).map(|s| key_text(&s)))
        .collect();
    submissions.sort();
    submissions.dedup();
    let known = state::load_incarnations(db, &bounties, &submissions).await?;
    let late: HashSet<&String> = new
        .iter()
        .zip(&bounty_of)
        .filter(|((row, _), bounty)| {
            stored.get(*bounty).is_some_and(|stored| {
                (row.position.slot_i64(), row.position.within_slot()) < *stored
            })
        })
        .map(|(_, bounty)| bounty)
        .collect();
    let changes = project(
        known,
        new.iter()
            .zip(&bounty_of)
            .filter(|(_, bounty)| !late.contains(bounty))
            .map(|((row, event), _)| Located {
                signature: &row.signature,
                position: row.position,
                event,
            }),
    );
    state::write(db, &changes).await?;
    if !late.is_empty() {
        tracing::warn!(
            bounties = late.len(),
            "events older than stored state arrived; replaying those bounties in chain order"
        );
    }
    state::replay(db, &late.into_iter().cloned().collect()).await
}

fn submission_of(event: &DatabountyEvent) -> Option<anchor_lang::prelude::Pubkey> {
    use DatabountyEvent::*;
    match event {
        SubmissionCreated(e) => Some(e.submission),
        SubmissionAttested(e) => Some(e.submission),
        SubmissionAccepted(e) => Some(e.submission),
        SubmissionRejected(e) => Some(e.submission),
        SubmissionPaid(e) => Some(e.submission),
        SubmissionClosed(e) => Some(e.submission),
        SubmissionBondPosted(e) => Some(e.submission),
        SubmissionBondReturned(e) => Some(e.submission),
        SubmissionBondForfeited(e) => Some(e.submission),
        ReviewFeesReserved(e) => Some(e.submission),
        BountyCreated(_) | BountyFunded(_) | BountyCancelled(_) | BountyRefunded(_)
        | BountyClosed(_) | ReviewFeeClaimed(_) | BountyExtended(_) | ReviewerReplaced(_) => None,
    }
}
