//! The only place with SQL. Writes batches of event rows and the checkpoint in one
//! transaction, so that a crash at any point loses and duplicates nothing; applies each
//! new event to the current-state tables; rolls back rows that never finalized.

use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::hex;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::BTreeMap;

use sqlx::{Postgres, QueryBuilder, Row, Transaction};

use crate::decoder::{event_json, EventRow};

/// What went wrong talking to Postgres (the source error is kept).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What the API and the report read: the analyst views and current-state tables, one
/// JSON object per row. Amounts leave Postgres as strings (numeric(20,0) exceeds JSON's
/// safe integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Bounties,
    /// One bounty, by key.
    Bounty,
    /// The submissions of a bounty, by key.
    BountySubmissions,
    ContributorEarnings,
    ReviewerAgreement,
    TimeToQuorum,
    DatasetFunding,
}

const BOUNTY_JSON: &str = "jsonb_build_object('bounty', bounty, 'creator', creator, 'dataset_id', dataset_id, 'mint', mint, \
     'status', status, 'reward_per_submission', reward_per_submission::text, 'max_winners', max_winners, 'quorum', quorum, \
     'reviewers', reviewers, 'funded', funded::text, 'reserved', reserved::text, 'released', released::text, \
     'refunded', refunded::text, 'submissions', submissions, 'pending', pending, 'accepted', accepted, 'paid', paid, \
     'open_submission_accounts', open_submission_accounts, 'submission_deadline', submission_deadline, \
     'review_deadline', review_deadline, 'created_at', created_at, 'metadata_uri', metadata_uri)";

impl View {
    /// The query; `$1` is the key when the view takes one, then limit and offset.
    fn sql(self) -> String {
        match self {
            View::Bounties => format!("SELECT {BOUNTY_JSON} FROM bounties ORDER BY created_at DESC, bounty LIMIT $1 OFFSET $2"),
            View::Bounty => format!("SELECT {BOUNTY_JSON} FROM bounties WHERE bounty = $1 LIMIT $2 OFFSET $3"),
            View::BountySubmissions => {
                "SELECT to_jsonb(s) FROM submissions s WHERE bounty = $1 ORDER BY created_at, submission LIMIT $2 OFFSET $3".into()
            }
            View::ContributorEarnings => "SELECT jsonb_build_object('contributor', contributor, 'mint', mint, \
                'paid_submissions', paid_submissions, 'earned', earned::text, 'received_after_fees', received_after_fees::text, \
                'last_paid_at', last_paid_at) FROM contributor_earnings ORDER BY earned DESC, contributor LIMIT $1 OFFSET $2"
                .into(),
            View::ReviewerAgreement => "SELECT jsonb_build_object('reviewer', reviewer, 'votes', votes, 'agreed', agreed, \
                'agreement', agreement) FROM reviewer_agreement ORDER BY votes DESC, reviewer LIMIT $1 OFFSET $2"
                .into(),
            View::TimeToQuorum => "SELECT to_jsonb(t) FROM time_to_quorum t ORDER BY bounty LIMIT $1 OFFSET $2".into(),
            View::DatasetFunding => "SELECT jsonb_build_object('dataset_id', dataset_id, 'mint', mint, 'bounties', bounties, \
                'funded', funded::text, 'released', released::text, 'refunded', refunded::text, 'reserved', reserved::text, \
                'paid_submissions', paid_submissions) FROM dataset_funding ORDER BY dataset_id, mint LIMIT $1 OFFSET $2"
                .into(),
        }
    }
}

/// Where a source has read up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub signature: String,
    pub slot: u64,
}

#[derive(Clone)]
pub struct Db {
    pub pool: PgPool,
}

fn slot(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        Ok(Self { pool })
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// A page of `view` as JSON objects.
    pub async fn read(
        &self,
        view: View,
        key: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let sql = view.sql();
        let mut query = sqlx::query(&sql);
        if let Some(key) = key {
            query = query.bind(key);
        }
        let rows = query.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| r.get::<serde_json::Value, _>(0))
            .collect())
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub async fn checkpoint(&self, source: &str) -> Result<Option<Checkpoint>, DbError> {
        let row = sqlx::query("SELECT signature, slot FROM checkpoints WHERE source = $1")
            .bind(source)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Checkpoint {
            signature: r.get("signature"),
            slot: u64::try_from(r.get::<i64, _>("slot")).unwrap_or(0),
        }))
    }

    /// Writes `rows` (in chain order), applies the new ones to the state tables, and
    /// moves the checkpoint, all in one transaction. Returns how many rows were new.
    #[tracing::instrument(skip_all, fields(rows = rows.len()))]
    pub async fn write_batch(
        &self,
        source: &str,
        rows: &[EventRow],
        checkpoint: Option<&Checkpoint>,
        finalized: bool,
    ) -> Result<usize, DbError> {
        let mut tx = self.pool.begin().await?;
        let inserted = insert_events(&mut tx, rows, finalized).await?;
        let mut new = Vec::with_capacity(inserted.len());
        for row in rows {
            if inserted.contains(&(
                row.signature.clone(),
                row.instruction_index,
                row.inner_index,
            )) {
                if let Ok(event) = &row.event {
                    new.push((row, event));
                }
            }
        }
        let mut changes = StateChanges::default();
        for (_, event) in &new {
            changes.record(event);
        }
        changes.write(&mut tx).await?;
        insert_ledgers(&mut tx, &new).await?;
        if let Some(checkpoint) = checkpoint {
            sqlx::query(
                "INSERT INTO checkpoints (source, signature, slot) VALUES ($1, $2, $3)
                 ON CONFLICT (source) DO UPDATE SET signature = $2, slot = $3, updated_at = now()",
            )
            .bind(source)
            .bind(&checkpoint.signature)
            .bind(slot(checkpoint.slot))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(inserted.len())
    }

    /// Signatures of rows read at `confirmed` whose slot is now at or below `max_slot`.
    pub async fn unfinalized_signatures(&self, max_slot: u64) -> Result<Vec<String>, DbError> {
        let rows =
            sqlx::query("SELECT DISTINCT signature FROM events WHERE NOT finalized AND slot <= $1")
                .bind(slot(max_slot))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| r.get("signature")).collect())
    }

    pub async fn mark_finalized(&self, signatures: &[String]) -> Result<(), DbError> {
        sqlx::query("UPDATE events SET finalized = true WHERE signature = ANY($1)")
            .bind(signatures)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes the rows of transactions that never finalized and rebuilds the state of
    /// every bounty they touched from the events that remain.
    #[tracing::instrument(skip_all, fields(signatures = signatures.len()))]
    /// The checkpoint of `source` is reset too (it may name a dropped transaction): the
    /// next pass re-reads from the start, which the idempotent writes make safe.
    pub async fn roll_back(&self, signatures: &[String], source: &str) -> Result<usize, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM checkpoints WHERE source = $1")
            .bind(source)
            .execute(&mut *tx)
            .await?;
        let bounties: Vec<String> = sqlx::query(
            "DELETE FROM events WHERE signature = ANY($1) AND bounty IS NOT NULL RETURNING bounty",
        )
        .bind(signatures)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.get("bounty"))
        .collect();
        sqlx::query("DELETE FROM events WHERE signature = ANY($1)")
            .bind(signatures)
            .execute(&mut *tx)
            .await?;
        let mut unique = bounties.clone();
        unique.sort();
        unique.dedup();
        for bounty in &unique {
            rebuild_bounty(&mut tx, bounty).await?;
        }
        tx.commit().await?;
        Ok(bounties.len())
    }
}

/// Inserts the rows with multi-row statements; returns the keys that were new.
pub async fn insert_events(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[EventRow],
    finalized: bool,
) -> Result<std::collections::HashSet<(String, i16, i16)>, DbError> {
    let mut inserted = std::collections::HashSet::new();
    // Postgres takes at most 65535 parameters per statement: 10 per row.
    for chunk in rows.chunks(6_000) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO events (signature, instruction_index, inner_index, slot, block_time, name, bounty, data, raw, decode_error, finalized) ",
        );
        query.push_values(chunk, |mut b, row| {
            let (bounty, data, error) = match &row.event {
                Ok(event) => (
                    Some(event.bounty().to_string()),
                    Some(event_json(event)),
                    None,
                ),
                Err(err) => (None, None, Some(err.clone())),
            };
            b.push_bind(&row.signature)
                .push_bind(row.instruction_index)
                .push_bind(row.inner_index)
                .push_bind(slot(row.slot))
                .push("to_timestamp(")
                .push_bind_unseparated(row.block_time.map(|t| t as f64))
                .push_unseparated(")")
                .push_bind(row.name())
                .push_bind(bounty)
                .push_bind(data)
                .push_bind(&row.raw)
                .push_bind(error)
                .push_bind(finalized);
        });
        query.push(
            " ON CONFLICT (signature, instruction_index, inner_index) DO NOTHING RETURNING signature, instruction_index, inner_index",
        );
        for r in query.build().fetch_all(&mut **tx).await? {
            inserted.insert((r.get(0), r.get(1), r.get(2)));
        }
    }
    Ok(inserted)
}

/// Replays a bounty's remaining events into fresh state rows.
async fn rebuild_bounty(tx: &mut Transaction<'_, Postgres>, bounty: &str) -> Result<(), DbError> {
    for table in [
        "attestations",
        "fundings",
        "payouts",
        "refunds",
        "submissions",
        "bounties",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE bounty = $1"))
            .bind(bounty)
            .execute(&mut **tx)
            .await?;
    }
    let rows = sqlx::query(
        "SELECT signature, instruction_index, inner_index, slot, extract(epoch FROM block_time)::bigint AS block_time, raw
         FROM events WHERE bounty = $1 ORDER BY seq",
    )
    .bind(bounty)
    .fetch_all(&mut **tx)
    .await?;
    let mut replayed = Vec::with_capacity(rows.len());
    for r in rows {
        let raw: Vec<u8> = r.get("raw");
        let Ok(event) = databounty_sdk::events::decode_event(&raw) else {
            continue;
        };
        let row = EventRow {
            signature: r.get("signature"),
            instruction_index: r.get("instruction_index"),
            inner_index: r.get("inner_index"),
            slot: u64::try_from(r.get::<i64, _>("slot")).unwrap_or(0),
            block_time: r.get("block_time"),
            raw,
            event: Ok(event.clone()),
        };
        replayed.push((row, event));
    }
    let mut changes = StateChanges::default();
    for (_, event) in &replayed {
        changes.record(event);
    }
    changes.write(tx).await?;
    let refs: Vec<(&EventRow, &DatabountyEvent)> = replayed.iter().map(|(r, e)| (r, e)).collect();
    insert_ledgers(tx, &refs).await
}

/// Writes the append-only tables (fundings, refunds, payouts, attestations) for a batch of
/// new events with one multi-row statement per table; their order does not matter.
/// The current-state tables are [`StateChanges`]' job.
async fn insert_ledgers(
    tx: &mut Transaction<'_, Postgres>,
    events: &[(&EventRow, &DatabountyEvent)],
) -> Result<(), DbError> {
    use DatabountyEvent::*;
    let key = |k: &anchor_lang::prelude::Pubkey| k.to_string();
    // Postgres takes at most 65535 parameters per statement: at most 10 per row here.
    for chunk in events.chunks(6_000) {
        let fundings: Vec<_> = chunk
            .iter()
            .filter_map(|(r, e)| {
                if let BountyFunded(e) = e {
                    Some((*r, e))
                } else {
                    None
                }
            })
            .collect();
        if !fundings.is_empty() {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO fundings (signature, instruction_index, inner_index, bounty, funder, mint, requested, received, funded_at) ",
            );
            q.push_values(&fundings, |mut b, (row, e)| {
                b.push_bind(&row.signature)
                    .push_bind(row.instruction_index)
                    .push_bind(row.inner_index)
                    .push_bind(key(&e.bounty))
                    .push_bind(key(&e.funder))
                    .push_bind(key(&e.mint))
                    .push_bind(e.requested.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(e.received.to_string())
                    .push_unseparated("::numeric")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.funded_at))
                    .push_unseparated(")");
            });
            q.push(" ON CONFLICT DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
        let refunds: Vec<_> = chunk
            .iter()
            .filter_map(|(r, e)| {
                if let BountyRefunded(e) = e {
                    Some((*r, e))
                } else {
                    None
                }
            })
            .collect();
        if !refunds.is_empty() {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO refunds (signature, instruction_index, inner_index, bounty, creator, creator_token_account, amount, received, untracked_swept, refunded_at) ",
            );
            q.push_values(&refunds, |mut b, (row, e)| {
                b.push_bind(&row.signature)
                    .push_bind(row.instruction_index)
                    .push_bind(row.inner_index)
                    .push_bind(key(&e.bounty))
                    .push_bind(key(&e.creator))
                    .push_bind(key(&e.creator_token_account))
                    .push_bind(e.amount.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(e.received.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(e.untracked_swept.to_string())
                    .push_unseparated("::numeric")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.refunded_at))
                    .push_unseparated(")");
            });
            q.push(" ON CONFLICT DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
        let payouts: Vec<_> = chunk
            .iter()
            .filter_map(|(r, e)| {
                if let SubmissionPaid(e) = e {
                    Some((*r, e))
                } else {
                    None
                }
            })
            .collect();
        if !payouts.is_empty() {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO payouts (signature, instruction_index, inner_index, bounty, submission, contributor, contributor_token_account, amount, received, paid_at) ",
            );
            q.push_values(&payouts, |mut b, (row, e)| {
                b.push_bind(&row.signature)
                    .push_bind(row.instruction_index)
                    .push_bind(row.inner_index)
                    .push_bind(key(&e.bounty))
                    .push_bind(key(&e.submission))
                    .push_bind(key(&e.contributor))
                    .push_bind(key(&e.contributor_token_account))
                    .push_bind(e.amount.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(e.received.to_string())
                    .push_unseparated("::numeric")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.paid_at))
                    .push_unseparated(")");
            });
            q.push(" ON CONFLICT DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
        let votes: Vec<_> = chunk
            .iter()
            .filter_map(|(r, e)| {
                if let SubmissionAttested(e) = e {
                    Some((*r, e))
                } else {
                    None
                }
            })
            .collect();
        if !votes.is_empty() {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO attestations (submission, reviewer, bounty, reviewer_index, approve, attested_at, signature) ",
            );
            q.push_values(&votes, |mut b, (row, e)| {
                b.push_bind(key(&e.submission))
                    .push_bind(key(&e.reviewer))
                    .push_bind(key(&e.bounty))
                    .push_bind(i16::from(e.reviewer_index))
                    .push_bind(e.approve)
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.attested_at))
                    .push_unseparated(")")
                    .push_bind(&row.signature);
            });
            q.push(" ON CONFLICT DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

fn at(unix: i64) -> f64 {
    unix as f64
}

/// What a batch of events does to the current-state tables: rows to create, and for
/// each bounty and submission the latest value of every column an event set. Events
/// carry resulting values (never deltas), so the last one per column wins and a batch
/// needs one statement per table, not one per event.
#[derive(Default)]
struct StateChanges {
    created_bounties: Vec<BountyCreatedRow>,
    created_submissions: Vec<SubmissionCreatedRow>,
    bounties: BTreeMap<String, BountyPatch>,
    submissions: BTreeMap<String, SubmissionPatch>,
}

struct BountyCreatedRow(databounty::events::BountyCreated);
struct SubmissionCreatedRow(databounty::events::SubmissionCreated);

#[derive(Default)]
struct BountyPatch {
    funded: Option<u64>,
    reserved: Option<u64>,
    released: Option<u64>,
    refunded: Option<u64>,
    submissions: Option<u32>,
    pending: Option<u32>,
    accepted: Option<u32>,
    paid: Option<u32>,
    open_submission_accounts: Option<u32>,
    status: Option<&'static str>,
    cancelled_at: Option<i64>,
    closed_at: Option<i64>,
}

#[derive(Default)]
struct SubmissionPatch {
    status: Option<&'static str>,
    approvals: Option<u8>,
    rejections: Option<u8>,
    decided_at: Option<i64>,
    paid_at: Option<i64>,
    closed_at: Option<i64>,
}

impl StateChanges {
    fn bounty(&mut self, key: &anchor_lang::prelude::Pubkey) -> &mut BountyPatch {
        self.bounties.entry(key.to_string()).or_default()
    }

    fn submission(&mut self, key: &anchor_lang::prelude::Pubkey) -> &mut SubmissionPatch {
        self.submissions.entry(key.to_string()).or_default()
    }

    /// Folds one event (in chain order) into the changes.
    fn record(&mut self, event: &DatabountyEvent) {
        use DatabountyEvent::*;
        match event {
            BountyCreated(e) => self.created_bounties.push(BountyCreatedRow(e.clone())),
            BountyFunded(e) => self.bounty(&e.bounty).funded = Some(e.funded),
            BountyCancelled(e) => {
                let b = self.bounty(&e.bounty);
                b.status = Some("Cancelled");
                b.pending = Some(e.pending);
                b.cancelled_at = Some(e.cancelled_at);
            }
            BountyRefunded(e) => {
                let b = self.bounty(&e.bounty);
                b.funded = Some(e.funded);
                b.refunded = Some(e.refunded);
                b.reserved = Some(e.reserved);
            }
            BountyClosed(e) => {
                let b = self.bounty(&e.bounty);
                b.status = Some("Closed");
                b.closed_at = Some(e.closed_at);
            }
            SubmissionCreated(e) => {
                let b = self.bounty(&e.bounty);
                b.submissions = Some(e.submissions);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
                self.created_submissions
                    .push(SubmissionCreatedRow(e.clone()));
            }
            SubmissionAttested(e) => {
                let s = self.submission(&e.submission);
                s.approvals = Some(e.approvals);
                s.rejections = Some(e.rejections);
            }
            SubmissionAccepted(e) => {
                let b = self.bounty(&e.bounty);
                b.accepted = Some(e.accepted);
                b.pending = Some(e.pending);
                b.reserved = Some(e.reserved);
                let s = self.submission(&e.submission);
                s.status = Some("Accepted");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionRejected(e) => {
                self.bounty(&e.bounty).pending = Some(e.pending);
                let s = self.submission(&e.submission);
                s.status = Some("Rejected");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionPaid(e) => {
                let b = self.bounty(&e.bounty);
                b.released = Some(e.released);
                b.reserved = Some(e.reserved);
                b.paid = Some(e.paid);
                let s = self.submission(&e.submission);
                s.status = Some("Paid");
                s.paid_at = Some(e.paid_at);
            }
            SubmissionClosed(e) => {
                let b = self.bounty(&e.bounty);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
                let s = self.submission(&e.submission);
                if e.final_status == databounty::state::SubmissionStatus::Pending {
                    s.status = Some("Expired");
                }
                s.closed_at = Some(e.closed_at);
            }
        }
    }

    /// Creations first, then one patch statement per table.
    async fn write(self, tx: &mut Transaction<'_, Postgres>) -> Result<(), DbError> {
        let text = |v: Option<u64>| v.map(|v| v.to_string());
        let int = |v: Option<u32>| v.map(i64::from);
        let time = |v: Option<i64>| v.map(at);
        for chunk in self.created_bounties.chunks(2_000) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO bounties (bounty, creator, dataset_id, nonce, metadata_uri, mint, token_program, vault, \
                 reward_per_submission, max_winners, reviewers, quorum, submission_deadline, review_deadline, \
                 permanent_delegate_allowed, status, created_at) ",
            );
            q.push_values(chunk, |mut b, BountyCreatedRow(e)| {
                b.push_bind(e.bounty.to_string())
                    .push_bind(e.creator.to_string())
                    .push_bind(hex(&e.dataset_id))
                    .push_bind(e.nonce.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(e.metadata_uri.clone())
                    .push_bind(e.mint.to_string())
                    .push_bind(e.token_program.to_string())
                    .push_bind(e.vault.to_string())
                    .push_bind(e.reward_per_submission.to_string())
                    .push_unseparated("::numeric")
                    .push_bind(i64::from(e.max_winners))
                    .push_bind(
                        e.reviewers
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>(),
                    )
                    .push_bind(i16::from(e.quorum))
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.submission_deadline))
                    .push_unseparated(")")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.review_deadline))
                    .push_unseparated(")")
                    .push_bind(e.permanent_delegate_allowed)
                    .push_bind("Open")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.created_at))
                    .push_unseparated(")");
            });
            q.push(" ON CONFLICT (bounty) DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
        for chunk in self.created_submissions.chunks(5_000) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO submissions (submission, bounty, contributor, hash, uri, status, created_at) ",
            );
            q.push_values(chunk, |mut b, SubmissionCreatedRow(e)| {
                b.push_bind(e.submission.to_string())
                    .push_bind(e.bounty.to_string())
                    .push_bind(e.contributor.to_string())
                    .push_bind(hex(&e.hash))
                    .push_bind(e.uri.clone())
                    .push_bind("Pending")
                    .push("to_timestamp(")
                    .push_bind_unseparated(at(e.created_at))
                    .push_unseparated(")");
            });
            q.push(" ON CONFLICT (submission) DO NOTHING")
                .build()
                .execute(&mut **tx)
                .await?;
        }
        let bounties: Vec<_> = self.bounties.into_iter().collect();
        for chunk in bounties.chunks(4_000) {
            let mut q = QueryBuilder::<Postgres>::new(
                "UPDATE bounties b SET funded = coalesce(v.funded, b.funded), reserved = coalesce(v.reserved, b.reserved), \
                 released = coalesce(v.released, b.released), refunded = coalesce(v.refunded, b.refunded), \
                 submissions = coalesce(v.submissions, b.submissions), pending = coalesce(v.pending, b.pending), \
                 accepted = coalesce(v.accepted, b.accepted), paid = coalesce(v.paid, b.paid), \
                 open_submission_accounts = coalesce(v.open_submission_accounts, b.open_submission_accounts), \
                 status = coalesce(v.status, b.status), cancelled_at = coalesce(v.cancelled_at, b.cancelled_at), \
                 closed_at = coalesce(v.closed_at, b.closed_at) FROM (",
            );
            q.push_values(chunk, |mut row, (key, p)| {
                row.push_bind(key.clone())
                    .push_bind(text(p.funded))
                    .push_unseparated("::numeric")
                    .push_bind(text(p.reserved))
                    .push_unseparated("::numeric")
                    .push_bind(text(p.released))
                    .push_unseparated("::numeric")
                    .push_bind(text(p.refunded))
                    .push_unseparated("::numeric")
                    .push_bind(int(p.submissions))
                    .push_unseparated("::bigint")
                    .push_bind(int(p.pending))
                    .push_unseparated("::bigint")
                    .push_bind(int(p.accepted))
                    .push_unseparated("::bigint")
                    .push_bind(int(p.paid))
                    .push_unseparated("::bigint")
                    .push_bind(int(p.open_submission_accounts))
                    .push_unseparated("::bigint")
                    .push_bind(p.status)
                    .push_unseparated("::text")
                    .push("to_timestamp(")
                    .push_bind_unseparated(time(p.cancelled_at))
                    .push_unseparated("::float8)")
                    .push("to_timestamp(")
                    .push_bind_unseparated(time(p.closed_at))
                    .push_unseparated("::float8)");
            });
            q.push(
                ") AS v(bounty, funded, reserved, released, refunded, submissions, pending, accepted, paid, \
                 open_submission_accounts, status, cancelled_at, closed_at) WHERE b.bounty = v.bounty",
            );
            q.build().execute(&mut **tx).await?;
        }
        let submissions: Vec<_> = self.submissions.into_iter().collect();
        for chunk in submissions.chunks(8_000) {
            let mut q = QueryBuilder::<Postgres>::new(
                "UPDATE submissions s SET status = coalesce(v.status, s.status), approvals = coalesce(v.approvals, s.approvals), \
                 rejections = coalesce(v.rejections, s.rejections), decided_at = coalesce(v.decided_at, s.decided_at), \
                 paid_at = coalesce(v.paid_at, s.paid_at), closed_at = coalesce(v.closed_at, s.closed_at) FROM (",
            );
            q.push_values(chunk, |mut row, (key, p)| {
                row.push_bind(key.clone())
                    .push_bind(p.status)
                    .push_unseparated("::text")
                    .push_bind(p.approvals.map(i16::from))
                    .push_unseparated("::smallint")
                    .push_bind(p.rejections.map(i16::from))
                    .push_unseparated("::smallint")
                    .push("to_timestamp(")
                    .push_bind_unseparated(time(p.decided_at))
                    .push_unseparated("::float8)")
                    .push("to_timestamp(")
                    .push_bind_unseparated(time(p.paid_at))
                    .push_unseparated("::float8)")
                    .push("to_timestamp(")
                    .push_bind_unseparated(time(p.closed_at))
                    .push_unseparated("::float8)");
            });
            q.push(") AS v(submission, status, approvals, rejections, decided_at, paid_at, closed_at) WHERE s.submission = v.submission");
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}
