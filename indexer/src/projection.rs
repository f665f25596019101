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

use databounty::events as ev;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;

use crate::decoder::Position;

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
    fn bounty(&mut self, key: Key, at: Position) -> &mut BountyPatch {
        let patch = self.bounties.entry(key).or_default();
        patch.updated = patch.updated.max(at);
        patch
    }

    fn submission(&mut self, key: Key, at: Position) -> &mut SubmissionPatch {
        let patch = self.submissions.entry(key).or_default();
        patch.updated = patch.updated.max(at);
        patch
    }

    fn apply(&mut self, known: &mut Incarnations, located: Located<'_>) {
        use DatabountyEvent::*;
        let at = located.position;
        let bounty = located.event.bounty().to_string();
        fn entry<E>(
            located: &Located<'_>,
            known: &Incarnations,
            submission: Option<&str>,
            event: E,
        ) -> Entry<E> {
            Entry {
                signature: located.signature.to_string(),
                position: located.position,
                bounty_incarnation: known.bounty(&located.event.bounty().to_string()),
                submission_incarnation: submission.map_or(0, |s| known.submission(s)),
                event,
            }
        }
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
                self.fundings.push(entry(&located, known, None, e.clone()));
                self.bounty((bounty, known.bounty(&e.bounty.to_string())), at)
                    .funded = Some(e.funded);
            }
            BountyCancelled(e) => {
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.status = Some("Cancelled");
                b.pending = Some(e.pending);
                b.cancelled_at = Some(e.cancelled_at);
            }
            BountyRefunded(e) => {
                self.refunds.push(entry(&located, known, None, e.clone()));
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.funded = Some(e.funded);
                b.refunded = Some(e.refunded);
                b.reserved = Some(e.reserved);
            }
            BountyClosed(e) => {
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.status = Some("Closed");
                b.closed_at = Some(e.closed_at);
            }
            SubmissionCreated(e) => {
                let submission = e.submission.to_string();
                let incarnation = known.submission(&submission) + 1;
                known.submissions.insert(submission, incarnation);
                let bounty_incarnation = known.bounty(&bounty);
                self.new_submissions.push(NewSubmission {
                    incarnation,
                    bounty_incarnation,
                    position: at,
                    event: e.clone(),
                });
                let b = self.bounty((bounty, bounty_incarnation), at);
                b.submissions = Some(e.submissions);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
            }
            SubmissionAttested(e) => {
                let submission = e.submission.to_string();
                self.attestations
                    .push(entry(&located, known, Some(&submission), e.clone()));
                let key = (submission.clone(), known.submission(&submission));
                let s = self.submission(key, at);
                s.approvals = Some(e.approvals);
                s.rejections = Some(e.rejections);
            }
            SubmissionAccepted(e) => {
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.accepted = Some(e.accepted);
                b.pending = Some(e.pending);
                b.reserved = Some(e.reserved);
                let submission = e.submission.to_string();
                let key = (submission.clone(), known.submission(&submission));
                let s = self.submission(key, at);
                s.status = Some("Accepted");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionRejected(e) => {
                self.bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .pending = Some(e.pending);
                let submission = e.submission.to_string();
                let key = (submission.clone(), known.submission(&submission));
                let s = self.submission(key, at);
                s.status = Some("Rejected");
                s.decided_at = Some(e.decided_at);
            }
            SubmissionPaid(e) => {
                let submission = e.submission.to_string();
                self.payouts
                    .push(entry(&located, known, Some(&submission), e.clone()));
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.released = Some(e.released);
                b.reserved = Some(e.reserved);
                b.paid = Some(e.paid);
                let key = (submission.clone(), known.submission(&submission));
                let s = self.submission(key, at);
                s.status = Some("Paid");
                s.paid_at = Some(e.paid_at);
            }
            SubmissionClosed(e) => {
                let b = self.bounty((bounty.clone(), known.bounty(&bounty)), at);
                b.pending = Some(e.pending);
                b.open_submission_accounts = Some(e.open_submission_accounts);
                let submission = e.submission.to_string();
                let key = (submission.clone(), known.submission(&submission));
                let s = self.submission(key, at);
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
                let submission = e.submission.to_string();
                let movement = BondMovement {
                    bounty: bounty.clone(),
                    submission: submission.clone(),
                    contributor: e.contributor.to_string(),
                    kind: "posted",
                    amount: e.requested,
                    received: Some(e.received),
                    at: e.posted_at,
                };
                self.bond_movements
                    .push(entry(&located, known, Some(&submission), movement));
                self.bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair
                    .bonds_held = Some(e.bonds_held_after);
                let s = self.submission((submission.clone(), known.submission(&submission)), at);
                s.bond = Some(e.received);
                s.bond_status = Some("Held");
            }
            SubmissionBondReturned(e) => {
                let submission = e.submission.to_string();
                let movement = BondMovement {
                    bounty: bounty.clone(),
                    submission: submission.clone(),
                    contributor: e.contributor.to_string(),
                    kind: "returned",
                    amount: e.amount,
                    received: Some(e.received),
                    at: e.returned_at,
                };
                self.bond_movements
                    .push(entry(&located, known, Some(&submission), movement));
                let fair = &mut self
                    .bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair;
                fair.bonds_held = Some(e.bonds_held_after);
                fair.bonds_returned = Some(e.bonds_returned);
                self.submission((submission.clone(), known.submission(&submission)), at)
                    .bond_status = Some("Returned");
            }
            SubmissionBondForfeited(e) => {
                let submission = e.submission.to_string();
                let movement = BondMovement {
                    bounty: bounty.clone(),
                    submission: submission.clone(),
                    contributor: e.contributor.to_string(),
                    kind: "forfeited",
                    amount: e.amount,
                    received: None,
                    at: e.forfeited_at,
                };
                self.bond_movements
                    .push(entry(&located, known, Some(&submission), movement));
                let fair = &mut self
                    .bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair;
                fair.bonds_held = Some(e.bonds_held_after);
                fair.bonds_forfeited = Some(e.bonds_forfeited);
                self.submission((submission.clone(), known.submission(&submission)), at)
                    .bond_status = Some("Forfeited");
            }
            ReviewFeesReserved(e) => {
                let submission = e.submission.to_string();
                self.fee_awards
                    .push(entry(&located, known, Some(&submission), e.clone()));
                self.bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair
                    .fees_reserved = Some(e.fees_reserved_after);
            }
            ReviewFeeClaimed(e) => {
                self.fee_claims
                    .push(entry(&located, known, None, e.clone()));
                let fair = &mut self
                    .bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair;
                fair.fees_reserved = Some(e.fees_reserved_after);
                fair.fees_paid = Some(e.fees_paid);
            }
            BountyExtended(e) => {
                let fair = &mut self
                    .bounty((bounty.clone(), known.bounty(&bounty)), at)
                    .fair;
                fair.submission_deadline = Some(e.submission_deadline_after);
                fair.review_deadline = Some(e.review_deadline_after);
                fair.max_winners = Some(e.max_winners_after);
            }
            ReviewerReplaced(e) => {
                self.replacements
                    .push(entry(&located, known, None, e.clone()));
                // The position moves on, so an older event read late cannot undo it.
                self.bounty((bounty.clone(), known.bounty(&bounty)), at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;

    fn at(slot: u64) -> Position {
        Position {
            slot,
            ..Position::default()
        }
    }

    fn created(bounty: Pubkey, nonce: u64) -> DatabountyEvent {
        DatabountyEvent::BountyCreated(ev::BountyCreated {
            bounty,
            creator: Pubkey::new_unique(),
            dataset_id: [1; 32],
            nonce,
            metadata_uri: "u".into(),
            mint: Pubkey::new_unique(),
            token_program: Pubkey::new_unique(),
            vault: Pubkey::new_unique(),
            reward_per_submission: 10,
            max_winners: 1,
            reviewers: vec![Pubkey::new_unique()],
            quorum: 1,
            submission_deadline: 1,
            review_deadline: i64::MAX,
            permanent_delegate_allowed: false,
            created_at: 0,
            review_fee: 0,
            submission_bond: 0,
        })
    }

    fn funded(bounty: Pubkey, funded: u64) -> DatabountyEvent {
        DatabountyEvent::BountyFunded(ev::BountyFunded {
            bounty,
            funder: Pubkey::new_unique(),
            mint: Pubkey::new_unique(),
            requested: funded,
            received: funded,
            funded,
            vault_balance: funded,
            funded_at: 0,
        })
    }

    fn closed(bounty: Pubkey) -> DatabountyEvent {
        DatabountyEvent::BountyClosed(ev::BountyClosed {
            bounty,
            creator: Pubkey::new_unique(),
            funded: 0,
            released: 0,
            refunded: 0,
            submissions: 0,
            paid: 0,
            closed_at: 9,
        })
    }

    fn run(known: Incarnations, events: &[(u64, DatabountyEvent)]) -> Changes {
        project(
            known,
            events.iter().map(|(slot, event)| Located {
                signature: "sig",
                position: at(*slot),
                event,
            }),
        )
    }

    #[test]
    fn the_last_value_per_column_wins_and_the_newest_position_is_kept() {
        let b = Pubkey::new_unique();
        let changes = run(
            Incarnations::default(),
            &[(1, created(b, 0)), (2, funded(b, 5)), (3, funded(b, 7))],
        );
        let patch = &changes.bounties[&(b.to_string(), 1)];
        assert_eq!(patch.funded, Some(7));
        assert_eq!(patch.updated, at(3));
        assert_eq!(changes.fundings.len(), 2);
        assert!(changes.fundings.iter().all(|f| f.bounty_incarnation == 1));
    }

    #[test]
    fn a_recreated_bounty_is_a_new_incarnation_with_its_own_rows() {
        let b = Pubkey::new_unique();
        let changes = run(
            Incarnations::default(),
            &[
                (1, created(b, 0)),
                (2, funded(b, 5)),
                (3, closed(b)),
                (4, created(b, 0)),
                (5, funded(b, 9)),
            ],
        );
        let incarnations: Vec<_> = changes.new_bounties.iter().map(|n| n.incarnation).collect();
        assert_eq!(incarnations, [1, 2]);
        assert_eq!(changes.bounties[&(b.to_string(), 1)].status, Some("Closed"));
        assert_eq!(changes.bounties[&(b.to_string(), 2)].funded, Some(9));
        assert_eq!(changes.bounties[&(b.to_string(), 2)].status, None);
        let by_incarnation: Vec<_> = changes
            .fundings
            .iter()
            .map(|f| (f.bounty_incarnation, f.event.funded))
            .collect();
        assert_eq!(by_incarnation, [(1, 5), (2, 9)]);
    }

    #[test]
    fn fair_work_sets_counters_bond_fates_ledgers_and_replacements() {
        let b = Pubkey::new_unique();
        let sub = Pubkey::new_unique();
        let who = Pubkey::new_unique();
        let reviewer = Pubkey::new_unique();
        let events = [
            (1, created(b, 0)),
            (
                2,
                DatabountyEvent::SubmissionBondPosted(ev::SubmissionBondPosted {
                    bounty: b,
                    submission: sub,
                    contributor: who,
                    requested: 10,
                    received: 9,
                    bonds_held_before: 0,
                    bonds_held_after: 9,
                    posted_at: 2,
                }),
            ),
            (
                3,
                DatabountyEvent::SubmissionBondForfeited(ev::SubmissionBondForfeited {
                    bounty: b,
                    submission: sub,
                    contributor: who,
                    amount: 9,
                    bonds_held_before: 9,
                    bonds_held_after: 0,
                    bonds_forfeited: 9,
                    forfeited_at: 3,
                }),
            ),
            (
                3,
                DatabountyEvent::ReviewFeesReserved(ev::ReviewFeesReserved {
                    bounty: b,
                    submission: sub,
                    accepted: false,
                    reviewers: vec![reviewer],
                    reviewer_indexes: vec![0],
                    fee: 4,
                    amount: 4,
                    fees_reserved_before: 0,
                    fees_reserved_after: 4,
                    decided_at: 3,
                }),
            ),
            (
                4,
                DatabountyEvent::BountyExtended(ev::BountyExtended {
                    bounty: b,
                    creator: who,
                    submission_deadline_before: 1,
                    submission_deadline_after: 5,
                    review_deadline_before: 6,
                    review_deadline_after: 9,
                    max_winners_before: 1,
                    max_winners_after: 2,
                    extended_at: 4,
                }),
            ),
            (
                5,
                DatabountyEvent::ReviewerReplaced(ev::ReviewerReplaced {
                    bounty: b,
                    creator: who,
                    reviewer_index: 0,
                    old_reviewer: reviewer,
                    new_reviewer: Pubkey::new_unique(),
                    generation_before: 0,
                    generation_after: 1,
                    replaced_at: 5,
                }),
            ),
        ];
        let mut known = Incarnations::default();
        known.submissions.insert(sub.to_string(), 1);
        let changes = run(known, &events);
        let fair = &changes.bounties[&(b.to_string(), 1)].fair;
        assert_eq!(
            (fair.bonds_held, fair.bonds_forfeited, fair.fees_reserved),
            (Some(0), Some(9), Some(4))
        );
        assert_eq!(
            (
                fair.submission_deadline,
                fair.review_deadline,
                fair.max_winners
            ),
            (Some(5), Some(9), Some(2))
        );
        assert_eq!(changes.bounties[&(b.to_string(), 1)].updated, at(5));
        let s = &changes.submissions[&(sub.to_string(), 1)];
        assert_eq!((s.bond, s.bond_status), (Some(9), Some("Forfeited")));
        let kinds: Vec<_> = changes
            .bond_movements
            .iter()
            .map(|m| m.event.kind)
            .collect();
        assert_eq!(kinds, ["posted", "forfeited"]);
        assert_eq!(changes.bond_movements[0].event.received, Some(9));
        assert_eq!(changes.fee_awards.len(), 1);
        assert_eq!(changes.replacements.len(), 1);
        assert!(changes
            .bond_movements
            .iter()
            .all(|m| m.submission_incarnation == 1));
    }

    #[test]
    fn incarnations_continue_from_what_is_stored() {
        let b = Pubkey::new_unique();
        let mut known = Incarnations::default();
        known.bounties.insert(b.to_string(), 3);
        let changes = run(
            known,
            &[(7, funded(b, 1)), (8, closed(b)), (9, created(b, 1))],
        );
        assert_eq!(changes.bounties[&(b.to_string(), 3)].funded, Some(1));
        assert_eq!(changes.new_bounties[0].incarnation, 4);
    }
}
