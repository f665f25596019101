//! Pure bytes → rows: a transaction as `getTransaction` returns it, to the program's
//! events in order. No I/O here. Failed transactions yield nothing (their events never
//! happened); an event that does not decode becomes an `Undecodable` row, never a crash.

// The RPC's transaction types are flagged "to become unstable" in Agave 3.x; they are
// the wire format every Solana RPC speaks.
#![allow(deprecated)]

use anchor_lang::prelude::Pubkey;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::hex;
use databounty_sdk::transaction::{failed, find_events, FoundEvent};
use serde_json::{json, Value};
use solana_transaction_status_client_types::EncodedConfirmedTransactionWithStatusMeta;

use crate::key_text::key_text;

/// One transaction from the source.
#[derive(Debug)]
pub struct TransactionUpdate {
    pub signature: String,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub transaction: EncodedConfirmedTransactionWithStatusMeta,
    /// The program's events, when the source already found them while checking the
    /// reply (decoding them is most of the work of reading one); `None`: not yet.
    pub events: Option<Vec<FoundEvent>>,
}

/// Where an event sits on the chain; ordering positions orders events as the chain
/// executed them: slot, then the transaction's place in its block, then the
/// instruction, then the inner instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub slot: u64,
    /// The transaction's place among the program's transactions in its slot.
    pub tx_index: u32,
    /// -1 for a row about the whole transaction (one that could not be read).
    pub instruction_index: i16,
    pub inner_index: i16,
}

impl Position {
    /// The part below the slot as one orderable integer (stored beside the slot):
    /// transaction index, then instruction and inner index shifted past -1.
    pub fn within_slot(&self) -> i64 {
        let ix = i64::from(self.instruction_index) + 1;
        let inner = i64::from(self.inner_index) + 1;
        (i64::from(self.tx_index) << 32) | (ix << 16) | inner
    }

    /// The slot as stored (Postgres has no unsigned integers; no real slot is near 2^63).
    pub fn slot_i64(&self) -> i64 {
        i64::try_from(self.slot).unwrap_or(i64::MAX)
    }
}

/// One event row, decoded or not.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub signature: String,
    pub position: Position,
    pub block_time: Option<i64>,
    pub raw: Vec<u8>,
    pub event: Result<DatabountyEvent, String>,
}

impl EventRow {
    pub fn name(&self) -> &'static str {
        self.event
            .as_ref()
            .map_or("Undecodable", DatabountyEvent::name)
    }
}

/// The program's events in `update`, in execution order; `tx_index` is the
/// transaction's place among the program's transactions in its slot. Takes the update,
/// so that events the source already found move into the rows instead of being copied.
pub fn decode(program_id: &Pubkey, mut update: TransactionUpdate, tx_index: u32) -> Vec<EventRow> {
    if failed(&update.transaction) {
        return vec![];
    }
    let found = match update.events.take() {
        Some(found) => Ok(found),
        None => find_events(program_id, &update.transaction),
    };
    let row = |instruction_index: i16, inner_index: i16, raw: Vec<u8>, event| EventRow {
        signature: update.signature.clone(),
        position: Position {
            slot: update.slot,
            tx_index,
            instruction_index,
            inner_index,
        },
        block_time: update.block_time.or(update.transaction.block_time),
        raw,
        event,
    };
    let to_row = |f: FoundEvent| {
        let inner = i16::try_from(f.inner_index).unwrap_or(i16::MAX);
        let event = f.event.map_err(|e| e.to_string());
        row(i16::from(f.instruction_index), inner, f.data, event)
    };
    match found {
        Ok(found) => found.into_iter().map(to_row).collect(),
        // A transaction we cannot even read is kept as one undecodable row.
        Err(err) => vec![row(-1, -1, vec![], Err(err.to_string()))],
    }
}

/// Text as Postgres can hold it: text and jsonb refuse NUL, the one character a valid
/// UTF-8 string from the chain may carry that they cannot. NUL shows as U+FFFD; the
/// exact bytes are kept beside it (`*_raw` columns, `events.raw`).
pub fn storable_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn key(k: &Pubkey) -> Value {
    Value::String(key_text(k))
}

fn amount(v: u64) -> Value {
    Value::String(v.to_string())
}

/// The event's fields as JSON (keys base58, hashes hex, u64 amounts as strings).
pub fn event_json(event: &DatabountyEvent) -> Value {
    use DatabountyEvent::*;
    match event {
        BountyCreated(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator), "dataset_id": hex(&e.dataset_id),
            "nonce": amount(e.nonce), "metadata_uri": storable_text(&e.metadata_uri), "mint": key(&e.mint),
            "token_program": key(&e.token_program), "vault": key(&e.vault),
            "reward_per_submission": amount(e.reward_per_submission), "max_winners": e.max_winners,
            "reviewers": e.reviewers.iter().map(key).collect::<Vec<_>>(), "quorum": e.quorum,
            "submission_deadline": e.submission_deadline, "review_deadline": e.review_deadline,
            "permanent_delegate_allowed": e.permanent_delegate_allowed, "created_at": e.created_at,
            "review_fee": amount(e.review_fee), "submission_bond": amount(e.submission_bond),
        }),
        BountyFunded(e) => json!({
            "bounty": key(&e.bounty), "funder": key(&e.funder), "mint": key(&e.mint),
            "requested": amount(e.requested), "received": amount(e.received), "funded": amount(e.funded),
            "vault_balance": amount(e.vault_balance), "funded_at": e.funded_at,
        }),
        BountyCancelled(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator), "pending": e.pending, "cancelled_at": e.cancelled_at,
        }),
        BountyRefunded(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator), "creator_token_account": key(&e.creator_token_account),
            "amount": amount(e.amount), "received": amount(e.received), "untracked_swept": amount(e.untracked_swept),
            "funded": amount(e.funded), "refunded": amount(e.refunded), "reserved": amount(e.reserved),
            "vault_balance": amount(e.vault_balance), "refunded_at": e.refunded_at,
        }),
        BountyClosed(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator), "funded": amount(e.funded),
            "released": amount(e.released), "refunded": amount(e.refunded), "submissions": e.submissions,
            "paid": e.paid, "closed_at": e.closed_at,
        }),
        SubmissionCreated(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "hash": hex(&e.hash), "uri": e.uri.as_deref().map(storable_text), "submissions": e.submissions, "pending": e.pending,
            "open_submission_accounts": e.open_submission_accounts,
            "created_at": e.created_at, "review_deadline": e.review_deadline,
        }),
        SubmissionAttested(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "reviewer": key(&e.reviewer),
            "reviewer_index": e.reviewer_index, "approve": e.approve, "approvals": e.approvals,
            "rejections": e.rejections, "status": format!("{:?}", e.status), "attested_at": e.attested_at,
            "reviewer_generation": e.reviewer_generation, "reason_code": e.reason_code,
            "reason_uri": e.reason_uri.as_deref().map(storable_text),
        }),
        SubmissionAccepted(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "reward": amount(e.reward), "approvals": e.approvals, "rejections": e.rejections,
            "accepted": e.accepted, "pending": e.pending, "reserved": amount(e.reserved), "decided_at": e.decided_at,
        }),
        SubmissionRejected(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "approvals": e.approvals, "rejections": e.rejections, "pending": e.pending, "decided_at": e.decided_at,
        }),
        SubmissionPaid(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "contributor_token_account": key(&e.contributor_token_account), "amount": amount(e.amount),
            "received": amount(e.received), "released": amount(e.released), "reserved": amount(e.reserved),
            "paid": e.paid, "paid_at": e.paid_at,
        }),
        SubmissionClosed(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "final_status": format!("{:?}", e.final_status), "rent_returned": amount(e.rent_returned),
            "pending": e.pending, "open_submission_accounts": e.open_submission_accounts, "closed_at": e.closed_at,
        }),
        SubmissionBondPosted(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "requested": amount(e.requested), "received": amount(e.received),
            "bonds_held_before": amount(e.bonds_held_before), "bonds_held_after": amount(e.bonds_held_after),
            "posted_at": e.posted_at,
        }),
        SubmissionBondReturned(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "contributor_token_account": key(&e.contributor_token_account), "amount": amount(e.amount),
            "received": amount(e.received), "bonds_held_before": amount(e.bonds_held_before),
            "bonds_held_after": amount(e.bonds_held_after), "bonds_returned": amount(e.bonds_returned),
            "returned_at": e.returned_at,
        }),
        SubmissionBondForfeited(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "contributor": key(&e.contributor),
            "amount": amount(e.amount), "bonds_held_before": amount(e.bonds_held_before),
            "bonds_held_after": amount(e.bonds_held_after), "bonds_forfeited": amount(e.bonds_forfeited),
            "forfeited_at": e.forfeited_at,
        }),
        ReviewFeesReserved(e) => json!({
            "bounty": key(&e.bounty), "submission": key(&e.submission), "accepted": e.accepted,
            "reviewers": e.reviewers.iter().map(key).collect::<Vec<_>>(), "reviewer_indexes": e.reviewer_indexes,
            "fee": amount(e.fee), "amount": amount(e.amount), "fees_reserved_before": amount(e.fees_reserved_before),
            "fees_reserved_after": amount(e.fees_reserved_after), "decided_at": e.decided_at,
        }),
        ReviewFeeClaimed(e) => json!({
            "bounty": key(&e.bounty), "reviewer": key(&e.reviewer), "reviewer_index": e.reviewer_index,
            "reviewer_token_account": key(&e.reviewer_token_account), "amount": amount(e.amount),
            "received": amount(e.received), "fees_reserved_before": amount(e.fees_reserved_before),
            "fees_reserved_after": amount(e.fees_reserved_after), "fees_paid": amount(e.fees_paid),
            "claimed_at": e.claimed_at,
        }),
        BountyExtended(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator),
            "submission_deadline_before": e.submission_deadline_before,
            "submission_deadline_after": e.submission_deadline_after,
            "review_deadline_before": e.review_deadline_before, "review_deadline_after": e.review_deadline_after,
            "max_winners_before": e.max_winners_before, "max_winners_after": e.max_winners_after,
            "extended_at": e.extended_at,
        }),
        ReviewerReplaced(e) => json!({
            "bounty": key(&e.bounty), "creator": key(&e.creator), "reviewer_index": e.reviewer_index,
            "old_reviewer": key(&e.old_reviewer), "new_reviewer": key(&e.new_reviewer),
            "generation_before": e.generation_before, "generation_after": e.generation_after,
            "fees_parked": amount(e.fees_parked), "replaced_at": e.replaced_at,
        }),
    }
}
