//! Which state each event produces: a pure fold of events, in chain order, into rows to
//! create, per-row patches and ledger rows. No I/O; the database layer writes what this
//! returns.
//!
//! Events carry resulting values (never deltas), so the last event per column wins and a
//! batch needs one statement per table. An address can hold several accounts over time
//! (a bounty closed and created again at the same seeds, a submission hash registered
//! again after its account closed): each creation starts a new *incarnation* of the
//! address, and every later event applies to the newest one.

use std::collections::{BTreeMap, HashMap};

use anchor_lang::prelude::Pubkey;
use databounty::events as ev;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;

use crate::decoder::Position;
use crate::key_text::key_text;

/// The newest incarnation of each address the batch touches, as stored (absent: none).
#[derive(Debug, Clone, Default)]
pub struct Incarnations {
    pub bounties: HashMap<String, i32>,
    pub submissions: HashMap<String, i32>,
}

impl Incarnations {
    fn bounty(&self, key: &str) -> i32 {
        self.bounties.get(key).copied().unwrap_or(0)
    }

    fn submission(&self, key: &str) -> i32 {
        self.submissions.get(key).copied().unwrap_or(0)
    }
}

/// An account's address and incarnation: the key of a state row.
pub type Key = (String, i32);

/// A created bounty, with the incarnation it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBounty {
    pub incarnation: i32,
    pub position: Position,
    pub event: ev::BountyCreated,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSubmission {
    pub incarnation: i32,
    pub bounty_incarnation: i32,
    pub position: Position,
    pub event: ev::SubmissionCreated,
}

/// The newest value of every bounty column some event set, and the newest position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BountyPatch {
    pub funded: Option<u64>,
    pub reserved: Option<u64>,
    pub released: Option<u64>,
    pub refunded: Option<u64>,
    pub submissions: Option<u32>,
    pub pending: Option<u32>,
    pub accepted: Option<u32>,
    pub paid: Option<u32>,
    pub open_submission_accounts: Option<u32>,
    pub status: Option<&'static str>,
    pub cancelled_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Fair work: fees and bonds (the program's counters), and what an extension moved.
    pub fair: FairWorkPatch,
    pub updated: Position,
}

/// The bounty columns the fair-work events set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FairWorkPatch {
    pub fees_reserved: Option<u64>,
    pub fees_paid: Option<u64>,
    pub bonds_held: Option<u64>,
    pub bonds_returned: Option<u64>,
    pub bonds_forfeited: Option<u64>,
    pub submission_deadline: Option<i64>,
    pub review_deadline: Option<i64>,
    pub max_winners: Option<u32>,
}

impl FairWorkPatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmissionPatch {
    pub status: Option<&'static str>,
    pub approvals: Option<u8>,
    pub rejections: Option<u8>,
    pub decided_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The bond the vault received, and what became of it.
    pub bond: Option<u64>,
    pub bond_status: Option<&'static str>,
    pub updated: Position,
}

/// One movement of a submission's bond.
#[derive(Debug, Clone, PartialEq)]
pub struct BondMovement {
    pub bounty: String,
    pub submission: String,
    pub contributor: String,
    /// `posted`, `returned` or `forfeited`.
    pub kind: &'static str,
    pub amount: u64,
    /// What arrived where it went (after any transfer fee); none for a forfeit, which
    /// stays in the vault.
    pub received: Option<u64>,
    pub at: i64,
}

impl BondMovement {
    fn new(bounty: &str, submission: Pubkey, contributor: Pubkey, kind: &'static str) -> Self {
        Self {
            bounty: bounty.to_string(),
            submission: key_text(&submission),
            contributor: key_text(&contributor),
            kind,
            amount: 0,
            received: None,
            at: 0,
        }
    }

    fn moved(self, amount: u64, received: Option<u64>, at: i64) -> Self {
        Self {
            amount,
            received,
            at,
            ..self
        }
    }
}

/// An append-only ledger row: the event, where it happened, and the incarnations it
/// belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<E> {
    pub signature: String,
    pub position: Position,
    pub bounty_incarnation: i32,
    /// The submission's incarnation, for events about a submission (else 0).
    pub submission_incarnation: i32,
    pub event: E,
}

/// Everything a run of events does to the state and ledger tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub new_bounties: Vec<NewBounty>,
    pub new_submissions: Vec<NewSubmission>,
    pub bounties: BTreeMap<Key, BountyPatch>,
    pub submissions: BTreeMap<Key, SubmissionPatch>,
    pub fundings: Vec<Entry<ev::BountyFunded>>,
    pub refunds: Vec<Entry<ev::BountyRefunded>>,
    pub payouts: Vec<Entry<ev::SubmissionPaid>>,
    pub attestations: Vec<Entry<ev::SubmissionAttested>>,
    pub fee_awards: Vec<Entry<ev::ReviewFeesReserved>>,
    pub fee_claims: Vec<Entry<ev::ReviewFeeClaimed>>,
    pub bond_movements: Vec<Entry<BondMovement>>,
    /// Reviewer slots given to a new key, in chain order (applied one by one).
    pub replacements: Vec<Entry<ev::ReviewerReplaced>>,
}

/// One decoded event with where it happened.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub signature: &'a str,
    pub position: Position,
    pub event: &'a DatabountyEvent,
}

impl Located<'_> {
    /// A ledger row for this event, in the incarnations it belongs to.
    /// `bounty` is the event's bounty as text (the caller has it already).
    fn entry<E>(
        &self,
        known: &Incarnations,
        bounty: &str,
        submission: Option<&str>,
        event: E,
    ) -> Entry<E> {
        Entry {
            signature: self.signature.to_string(),
            position: self.position,
            bounty_incarnation: known.bounty(bounty),
            submission_incarnation: submission.map_or(0, |s| known.submission(s)),
            event,
        }
    }
}

/// Folds `events`, which must be in chain order, onto the stored `incarnations`.
pub fn project<'a>(
    mut incarnations: Incarnations,
    events: impl IntoIterator<Item = Located<'a>>,
) -> Changes {
    let mut changes = Changes::default();
    for located in events {
        changes.apply(&mut incarnations, located);
    }
    changes
}

impl Changes {
    /// The patch of `bounty`'s newest incarnation, its position moved on to `at`.
    fn bounty(&mut self, known: &Incarnations, bounty: &str, at: Position) -> &mut BountyPatch {
        let key = (bounty.to_string(), known.bounty(bounty));
        let patch = self.bounties.entry(key).or_default();
        patch.updated = patch.updated.max(at);
        patch
    }

    /// The patch of `submission`'s newest incarnation, its position moved on to `at`.
    fn submission(
        &mut self,
        known: &Incarnations,
        submission: &str,
        at: Position,
    ) -> &mut SubmissionPatch {
        let key = (submission.to_string(), known.submission(submission));
        let patch = self.submissions.entry(key).or_default();
        patch.updated = patch.updated.max(at);
        patch
    }

    /// A submission's bond moved: its ledger row, the bonds the bounty holds after it,
    /// and the status the submission's bond is left in. Returns the bounty's fair-work
    /// patch, for the running total the movement also sets.
    fn bond_moved(
        &mut self,
        known: &Incarnations,
        located: &Located<'_>,
        movement: BondMovement,
        bonds_held_after: u64,
        bond_status: &'static str,
    ) -> &mut FairWorkPatch {
        let at = located.position;
        let (bounty, submission) = (movement.bounty.clone(), movement.submission.clone());
        self.bond_movements
            .push(located.entry(known, &bounty, Some(&submission), movement));
        self.submission(known, &submission, at).bond_status = Some(bond_status);
        let fair = &mut self.bounty(known, &bounty, at).fair;
        fair.bonds_held = Some(bonds_held_after);
        fair
    }

    fn apply(&mut self, known: &mut Incarnations, located: Located<'_>) {
        use DatabountyEvent::*;
        let at = located.position;
        let bounty = key_text(&located.event.bounty());
        match located.event {
            BountyCreated(e) => {
                let incarnation = known.bounty(&bounty) + 1;
                known.bounties.insert(bounty.clone(), incarnation);
                self.new_bounties.push(NewBounty {
                    incarnation,
                    position: at,
                    event: e.clone(),
                });
            }
            BountyFunded(e) => {
                self.fundings
                    .push(located.entry(known, &bounty, None, e.clone()));
                self.bounty(known, &bounty, at).funded = Some(e.funded);
            }
            BountyCancelled(e) => {
                let b = self.bounty(known, &bounty, at);
                b.status = Some("Cancelled");
                b.pending = Some(e.pending);
                b.cancelled_at = Some(e.cancelled_at);
            }
            BountyRefunded(e) => {
                self.refunds
                    .push(located.entry(known, &bounty, None, e.clone()));
                let b = self.bounty(known, &bounty, at);
                b.funded = Some(e.funded);
                b.refunded = Some(e.refunded);
                b.reserved = Some(e.reserved);
            }
            BountyClosed(e) => {
                let b = self.bounty(known, &bounty, at);
                b.status = Some("Closed");
                b.closed_at = Some(e.closed_at);
            }
            SubmissionCreated(e) => {
                let submission = key_text(&e.submission);
                let incarnation = known.submission(&submission) + 1;
                known.submissions.insert(submission, incarnation);
                self.new_submissions.push(NewSubmission {
                    incarnation,
                    bounty_incarnation: known.bounty(&bounty),
                    position: at,
                    event: e.clone(),
                });
                let b = self.bounty(known, &bounty, at);
                b.submissions = Some(e.submissions);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
            }
            SubmissionAttested(e) => {
                let submission = key_text(&e.submission);
                self.attestations
                    .push(located.entry(known, &bounty, Some(&submission), e.clone()));
                let s = self.submission(known, &submission, at);
                s.approvals = Some(e.approvals);
                s.rejections = Some(e.rejections);
            }
            SubmissionAccepted(e) => {
                let b = self.bounty(known, &bounty, at);
                b.accepted = Some(e.accepted);
                b.pending = Some(e.pending);
                b.reserved = Some(e.reserved);
                let s = self.submission(known, &key_text(&e.submission), at);
                s.status = Some("Accepted");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionRejected(e) => {
                self.bounty(known, &bounty, at).pending = Some(e.pending);
                let s = self.submission(known, &key_text(&e.submission), at);
                s.status = Some("Rejected");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionPaid(e) => {
                let submission = key_text(&e.submission);
                self.payouts
                    .push(located.entry(known, &bounty, Some(&submission), e.clone()));
                let b = self.bounty(known, &bounty, at);
                b.released = Some(e.released);
                b.reserved = Some(e.reserved);
                b.paid = Some(e.paid);
                let s = self.submission(known, &submission, at);
                s.status = Some("Paid");
                s.paid_at = Some(e.paid_at);
            }
            SubmissionClosed(e) => {
                let b = self.bounty(known, &bounty, at);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
                let s = self.submission(known, &key_text(&e.submission), at);
                match e.final_status {
                    // Closed undecided after the review deadline.
                    SubmissionStatus::Pending => s.status = Some("Expired"),
                    // Closed as rejected, still pending when its bounty filled up: a
                    // decision, made at the close.
                    SubmissionStatus::Rejected
                        if s.status.is_none() || s.status == Some("Pending") =>
                    {
                        s.status = Some("Rejected");
                        s.decided_at = s.decided_at.or(Some(e.closed_at));
                    }
                    _ => {}
                }
                s.closed_at = Some(e.closed_at);
            }
            SubmissionBondPosted(e) => {
                let movement = BondMovement::new(&bounty, e.submission, e.contributor, "posted")
                    .moved(e.requested, Some(e.received), e.posted_at);
                self.bond_moved(known, &located, movement, e.bonds_held_after, "Held");
                self.submission(known, &key_text(&e.submission), at).bond = Some(e.received);
            }
            SubmissionBondReturned(e) => {
                let movement = BondMovement::new(&bounty, e.submission, e.contributor, "returned")
                    .moved(e.amount, Some(e.received), e.returned_at);
                self.bond_moved(known, &located, movement, e.bonds_held_after, "Returned")
                    .bonds_returned = Some(e.bonds_returned);
            }
            SubmissionBondForfeited(e) => {
                // A forfeited bond stays in the vault: nothing is received anywhere.
                let movement = BondMovement::new(&bounty, e.submission, e.contributor, "forfeited")
                    .moved(e.amount, None, e.forfeited_at);
                self.bond_moved(known, &located, movement, e.bonds_held_after, "Forfeited")
                    .bonds_forfeited = Some(e.bonds_forfeited);
            }
            ReviewFeesReserved(e) => {
                let submission = key_text(&e.submission);
                self.fee_awards
                    .push(located.entry(known, &bounty, Some(&submission), e.clone()));
                self.bounty(known, &bounty, at).fair.fees_reserved = Some(e.fees_reserved_after);
            }
            ReviewFeeClaimed(e) => {
                self.fee_claims
                    .push(located.entry(known, &bounty, None, e.clone()));
                let fair = &mut self.bounty(known, &bounty, at).fair;
                fair.fees_reserved = Some(e.fees_reserved_after);
                fair.fees_paid = Some(e.fees_paid);
            }
            BountyExtended(e) => {
                let fair = &mut self.bounty(known, &bounty, at).fair;
                fair.submission_deadline = Some(e.submission_deadline_after);
                fair.review_deadline = Some(e.review_deadline_after);
                fair.max_winners = Some(e.max_winners_after);
            }
            ReviewerReplaced(e) => {
                self.replacements
                    .push(located.entry(known, &bounty, None, e.clone()));
                // The position moves on, so an older event read late cannot undo it.
                self.bounty(known, &bounty, at);
            }
        }
    }
}

#[cfg(test)]
mod tests;
