//! Events, the indexer's contract: one per state change, emitted with `emit_cpi!` after
//! any token transfer succeeded. Each carries every key and the resulting counters, so
//! that a reader never has to fetch an account back.

use anchor_lang::prelude::*;

use crate::state::{Bounty, Submission, SubmissionStatus};

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyCreated {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    pub dataset_id: [u8; 32],
    pub nonce: u64,
    pub metadata_uri: String,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub reward_per_submission: u64,
    pub max_winners: u32,
    pub reviewers: Vec<Pubkey>,
    pub quorum: u8,
    pub submission_deadline: i64,
    pub review_deadline: i64,
    pub permanent_delegate_allowed: bool,
    pub created_at: i64,
    /// Earned per vote that agrees with a decision (0: unpaid).
    pub review_fee: u64,
    /// Asked with each submission (0: none).
    pub submission_bond: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyFunded {
    pub bounty: Pubkey,
    pub funder: Pubkey,
    pub mint: Pubkey,
    /// Amount the funder sent.
    pub requested: u64,
    /// Measured increase of the vault (requested minus any transfer fee).
    pub received: u64,
    /// The bounty's `funded` after this deposit.
    pub funded: u64,
    /// What the bounty tracks in its vault after this deposit.
    pub vault_balance: u64,
    pub funded_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyCancelled {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    /// Submissions still awaiting review, which stay reviewable until their review deadline.
    pub pending: u32,
    pub cancelled_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyRefunded {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    pub creator_token_account: Pubkey,
    /// Amount that left the vault.
    pub amount: u64,
    /// Measured increase of the creator's account (amount minus any transfer fee).
    pub received: u64,
    /// Tokens sent to the vault outside `bounty_fund`, counted as funding before the refund.
    pub untracked_swept: u64,
    pub funded: u64,
    /// The bounty's `refunded` after this refund.
    pub refunded: u64,
    pub reserved: u64,
    pub vault_balance: u64,
    pub refunded_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyClosed {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    pub funded: u64,
    pub released: u64,
    pub refunded: u64,
    pub submissions: u32,
    pub paid: u32,
    pub closed_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionCreated {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    pub hash: [u8; 32],
    pub uri: Option<String>,
    /// The bounty's `submissions` counter after this one.
    pub submissions: u32,
    pub pending: u32,
    pub open_submission_accounts: u32,
    pub created_at: i64,
    /// Votes on this submission are taken until then, and it expires then: the bounty's
    /// review deadline now, which later extensions do not move for it.
    pub review_deadline: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionAttested {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub reviewer: Pubkey,
    /// Position of the reviewer in the bounty's list (its bit in the vote bitmaps).
    pub reviewer_index: u8,
    pub approve: bool,
    pub approvals: u8,
    pub rejections: u8,
    /// The submission's status after this vote.
    pub status: SubmissionStatus,
    pub attested_at: i64,
    /// The slot's generation the vote was cast under (see `ReviewerReplaced`).
    pub reviewer_generation: u32,
    /// A rejection's reason code (0: none), also kept on the submission account.
    pub reason_code: u16,
    /// A rejection's reason URI, kept only in this event.
    pub reason_uri: Option<String>,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionAccepted {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    pub reward: u64,
    pub approvals: u8,
    pub rejections: u8,
    /// The bounty's counters after the acceptance.
    pub accepted: u32,
    pub pending: u32,
    pub reserved: u64,
    pub decided_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRejected {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    pub approvals: u8,
    pub rejections: u8,
    pub pending: u32,
    pub decided_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionPaid {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    pub contributor_token_account: Pubkey,
    /// Amount that left the vault (the reward).
    pub amount: u64,
    /// Measured increase of the contributor's account (amount minus any transfer fee).
    pub received: u64,
    pub released: u64,
    pub reserved: u64,
    pub paid: u32,
    pub paid_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionClosed {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    /// Status when closed; `Pending` means it expired undecided.
    pub final_status: SubmissionStatus,
    /// Lamports returned to the contributor.
    pub rent_returned: u64,
    pub pending: u32,
    pub open_submission_accounts: u32,
    pub closed_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionBondPosted {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    /// The bounty's `submission_bond`, sent by the contributor.
    pub requested: u64,
    /// Measured increase of the vault (requested minus any transfer fee): the bond held.
    pub received: u64,
    pub bonds_held_before: u64,
    pub bonds_held_after: u64,
    pub posted_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionBondReturned {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    pub contributor_token_account: Pubkey,
    /// Amount that left the vault (the bond held).
    pub amount: u64,
    /// Measured increase of the contributor's account (amount minus any transfer fee).
    pub received: u64,
    pub bonds_held_before: u64,
    pub bonds_held_after: u64,
    pub bonds_returned: u64,
    pub returned_at: i64,
}

impl SubmissionBondReturned {
    /// The event of `submission`'s bond going back to `contributor_token_account`, once
    /// `bounty` recorded it (`Bounty::record_bond_return`).
    pub(crate) fn recorded(
        bounty: &Account<'_, Bounty>,
        submission: &Account<'_, Submission>,
        contributor_token_account: Pubkey,
        amount: u64,
        received: u64,
        bonds_held_before: u64,
        returned_at: i64,
    ) -> Self {
        Self {
            bounty: bounty.key(),
            submission: submission.key(),
            contributor: submission.contributor,
            contributor_token_account,
            amount,
            received,
            bonds_held_before,
            bonds_held_after: bounty.bonds_held,
            bonds_returned: bounty.bonds_returned,
            returned_at,
        }
    }
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionBondForfeited {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    pub contributor: Pubkey,
    /// The bond, now part of the bounty's funds.
    pub amount: u64,
    pub bonds_held_before: u64,
    pub bonds_held_after: u64,
    pub bonds_forfeited: u64,
    pub forfeited_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFeesReserved {
    pub bounty: Pubkey,
    pub submission: Pubkey,
    /// Whether the decision was an acceptance (else a rejection).
    pub accepted: bool,
    /// The reviewers whose counted votes agreed with the decision, each owed `fee`.
    pub reviewers: Vec<Pubkey>,
    /// Their slots in the bounty's reviewer list, in the same order.
    pub reviewer_indexes: Vec<u8>,
    pub fee: u64,
    /// `fee × reviewers`.
    pub amount: u64,
    pub fees_reserved_before: u64,
    pub fees_reserved_after: u64,
    pub decided_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFeeClaimed {
    pub bounty: Pubkey,
    pub reviewer: Pubkey,
    /// The slot the fees were earned in; for parked fees, the slot the reviewer held when
    /// last replaced, which may belong to another key by now. Key totals by `reviewer`.
    pub reviewer_index: u8,
    pub reviewer_token_account: Pubkey,
    /// Amount that left the vault: the slot's fees, or else the reviewer's parked fees.
    pub amount: u64,
    /// Measured increase of the reviewer's account (amount minus any transfer fee).
    pub received: u64,
    pub fees_reserved_before: u64,
    pub fees_reserved_after: u64,
    /// The bounty's `fees_paid` after this claim.
    pub fees_paid: u64,
    pub claimed_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BountyExtended {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    pub submission_deadline_before: i64,
    pub submission_deadline_after: i64,
    pub review_deadline_before: i64,
    pub review_deadline_after: i64,
    pub max_winners_before: u32,
    pub max_winners_after: u32,
    pub extended_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewerReplaced {
    pub bounty: Pubkey,
    pub creator: Pubkey,
    pub reviewer_index: u8,
    pub old_reviewer: Pubkey,
    pub new_reviewer: Pubkey,
    /// The slot's generation; votes cast under `generation_before` stop counting on
    /// pending submissions.
    pub generation_before: u32,
    pub generation_after: u32,
    /// Fees the old reviewer had earned and not been paid, now parked for it to claim.
    pub fees_parked: u64,
    pub replaced_at: i64,
}
