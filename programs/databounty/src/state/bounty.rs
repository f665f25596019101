use anchor_lang::prelude::*;

use solana_sha256_hasher::hashv;

use crate::constants::{
    MAX_REVIEWERS, MAX_REVIEW_WINDOW, MAX_URI_LEN, SEED_BOUNTY, TERMS_HASH_DOMAIN,
};
use crate::errors::BountyError;

mod fair_work;
mod invariant;

pub use fair_work::{require_budget_fits, slot_u8, FeesOwed};

/// Whether a bounty still takes submissions and funding.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum BountyStatus {
    /// Takes funding; takes submissions until `submission_deadline`.
    Open,
    /// Cancelled by its creator: no new submissions or funding; pending ones stay reviewable.
    Cancelled,
}

/// Review fees owed to a reviewer who was replaced before they were paid: they stay in
/// the vault, counted in `fees_reserved`, until `review_fee_claim` pays them.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct ParkedFees {
    pub reviewer: Pubkey,
    /// The slot the reviewer held when it was last replaced (fees parked at an earlier
    /// replacement of the same key are merged into this entry).
    pub slot: u8,
    pub amount: u64,
}

/// An escrowed bounty for one dataset. PDA `["bounty", creator, dataset_id, nonce_le]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Bounty {
    /// Who created the bounty and gets refunds and rent back (a wallet or a PDA).
    pub creator: Pubkey,
    /// Identifies the dataset, e.g. the SHA-256 of its manifest.
    pub dataset_id: [u8; 32],
    /// Lets one creator run several bounties for one dataset.
    pub nonce: u64,
    /// Task description and labelling guidelines.
    #[max_len(MAX_URI_LEN)]
    pub metadata_uri: String,
    /// The reward token.
    pub mint: Pubkey,
    /// SPL Token or Token-2022, whichever owns `mint`.
    pub token_program: Pubkey,
    /// Token account `["vault", bounty]` owned by this bounty.
    pub vault: Pubkey,
    /// Paid out of the vault for each accepted submission (the payee bears transfer fees).
    pub reward_per_submission: u64,
    /// Most submissions that can be accepted.
    pub max_winners: u32,
    /// Who may attest; votes are bitmaps over this list.
    #[max_len(MAX_REVIEWERS)]
    pub reviewers: Vec<Pubkey>,
    /// Approvals needed to accept a submission.
    pub quorum: u8,
    /// Submissions are taken while `now < submission_deadline`.
    pub submission_deadline: i64,
    /// Votes are taken while `now < review_deadline`; pending submissions expire then.
    pub review_deadline: i64,
    /// The creator accepted that the mint's permanent delegate can move vault funds.
    pub permanent_delegate_allowed: bool,
    /// Net tokens that arrived in the vault (after any transfer fee).
    pub funded: u64,
    /// Owed to accepted submissions that are not paid yet.
    pub reserved: u64,
    /// Paid out to contributors.
    pub released: u64,
    /// Paid back to the creator.
    pub refunded: u64,
    /// Submissions ever created.
    pub submissions: u32,
    /// Submissions awaiting a decision (including expired ones not closed yet).
    pub pending: u32,
    /// Submissions that reached quorum.
    pub accepted: u32,
    /// Accepted submissions whose reward was paid.
    pub paid: u32,
    /// Submission accounts not closed yet; the bounty closes only at zero.
    pub open_submission_accounts: u32,
    pub status: BountyStatus,
    pub bump: u8,
    pub vault_bump: u8,
    /// Earned per vote that agreed with a decision (0: reviews are unpaid).
    pub review_fee: u64,
    /// Asked of each submission, escrowed until it is decided (0: no bond).
    pub submission_bond: u64,
    /// Review fees owed and not claimed yet: the sum of `fees_owed` and `parked_fees`.
    pub fees_reserved: u64,
    /// Review fees paid out to reviewers.
    pub fees_paid: u64,
    /// Bonds that arrived in the vault (after any transfer fee).
    pub bonds_received: u64,
    /// Bonds of submissions not settled yet (pending, or accepted and not paid).
    pub bonds_held: u64,
    /// Bonds paid back to contributors.
    pub bonds_returned: u64,
    /// Bonds of rejected submissions, now part of the bounty's funds.
    pub bonds_forfeited: u64,
    /// Sum over pending submissions of what rejecting one costs in fees beyond its own
    /// bond (`rejection_shortfall`); kept back from refunds (see `locked_for_pending`).
    pub pending_fee_shortfall: u64,
    /// Review fees owed to each reviewer slot, parallel to `reviewers`.
    #[max_len(MAX_REVIEWERS)]
    pub fees_owed: Vec<u64>,
    /// How often each reviewer slot was given a new key, parallel to `reviewers`; a vote
    /// counts only while the generation it was cast under is the slot's current one.
    #[max_len(MAX_REVIEWERS)]
    pub reviewer_generations: Vec<u32>,
    /// Fees of replaced reviewers not paid yet, one entry a reviewer; a replacement that
    /// would park fees while all `MAX_REVIEWERS` entries are taken is refused.
    #[max_len(MAX_REVIEWERS)]
    pub parked_fees: Vec<ParkedFees>,
}

impl Bounty {
    /// Runs `f` with the seeds that sign for this bounty (the vault's authority).
    pub fn with_signer_seeds<R>(&self, f: impl FnOnce(&[&[&[u8]]]) -> R) -> R {
        let nonce = self.nonce.to_le_bytes();
        let bump = [self.bump];
        let seeds: &[&[u8]] = &[
            SEED_BOUNTY,
            self.creator.as_ref(),
            self.dataset_id.as_ref(),
            &nonce,
            &bump,
        ];
        f(&[seeds])
    }

    /// SHA-256 of everything a contributor agrees to by submitting: the task (metadata
    /// URI), the token, the reward and winner count, the reviewer set and quorum, the
    /// deadlines, the permanent-delegate opt-in, the review fee and the submission bond.
    /// `submission_create` must name it, so that a bounty re-created at the same address,
    /// extended, or given a new reviewer refuses submissions sent under the old terms.
    pub fn terms_hash(&self) -> [u8; 32] {
        let uri_len = (self.metadata_uri.len() as u32).to_le_bytes();
        let reviewer_count = [self.reviewers.len() as u8];
        let mut parts: Vec<&[u8]> = vec![
            TERMS_HASH_DOMAIN,
            self.mint.as_ref(),
            self.token_program.as_ref(),
            &uri_len,
            self.metadata_uri.as_bytes(),
        ];
        let reward = self.reward_per_submission.to_le_bytes();
        let winners = self.max_winners.to_le_bytes();
        let quorum = [self.quorum];
        let submission_deadline = self.submission_deadline.to_le_bytes();
        let review_deadline = self.review_deadline.to_le_bytes();
        let delegate = [u8::from(self.permanent_delegate_allowed)];
        let review_fee = self.review_fee.to_le_bytes();
        let bond = self.submission_bond.to_le_bytes();
        parts.extend_from_slice(&[&reward, &winners, &quorum, &reviewer_count]);
        parts.extend(self.reviewers.iter().map(|r| r.as_ref()));
        parts.extend_from_slice(&[
            &submission_deadline,
            &review_deadline,
            &delegate,
            &review_fee,
            &bond,
        ]);
        hashv(&parts).to_bytes()
    }

    /// What the bounty believes its vault holds: `funded + bonds_received − released −
    /// refunded − fees_paid − bonds_returned`.
    pub fn tracked_balance(&self) -> Result<u64> {
        self.funded
            .checked_add(self.bonds_received)
            .and_then(|v| v.checked_sub(self.released))
            .and_then(|v| v.checked_sub(self.refunded))
            .and_then(|v| v.checked_sub(self.fees_paid))
            .and_then(|v| v.checked_sub(self.bonds_returned))
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// What the vault owes already: reserved rewards, owed review fees, held bonds.
    pub fn owed(&self) -> Result<u64> {
        self.reserved
            .checked_add(self.fees_reserved)
            .and_then(|v| v.checked_add(self.bonds_held))
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// Tracked funds not owed to anyone yet.
    pub fn unreserved(&self) -> Result<u64> {
        self.tracked_balance()?
            .checked_sub(self.owed()?)
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// Whether `submission_create` can still succeed: open, before the deadline, and a
    /// winner slot left (`accepted` never decreases, so a full bounty stays full).
    pub fn takes_submissions(&self, now: i64) -> bool {
        self.status == BountyStatus::Open
            && now < self.submission_deadline
            && self.winner_slot_left()
    }

    /// [`Self::takes_submissions`], with the error of the first condition that fails.
    pub fn require_takes_submissions(&self, now: i64) -> Result<()> {
        self.require_open()?;
        require!(
            now < self.submission_deadline,
            BountyError::SubmissionDeadlinePassed
        );
        require!(self.winner_slot_left(), BountyError::NoWinnerSlotsLeft);
        Ok(())
    }

    /// Not cancelled.
    pub fn require_open(&self) -> Result<()> {
        require!(
            self.status == BountyStatus::Open,
            BountyError::BountyNotOpen
        );
        Ok(())
    }

    /// Whether no pending submission can be decided any more (each also has a review
    /// deadline of its own, never later than this: see `Submission::review_deadline`).
    pub fn review_closed(&self, now: i64) -> bool {
        now >= self.review_deadline
    }

    /// Whether another submission can still be accepted.
    pub fn winner_slot_left(&self) -> bool {
        self.accepted < self.max_winners
    }

    /// Whether `bounty_fund` may add tokens: while open, and after a cancel while pending
    /// work can still be accepted (an acceptance that lacks funds can then be topped up).
    pub fn takes_funding(&self, now: i64) -> bool {
        self.status == BountyStatus::Open || (self.pending > 0 && self.pending_can_win(now))
    }

    /// Whether a pending submission can still be accepted: votes are still taken and a
    /// winner slot is left. When not, it is as good as rejected and may close.
    pub fn pending_can_win(&self, now: i64) -> bool {
        !self.review_closed(now) && self.winner_slot_left()
    }

    /// What pending work can still claim beyond what is owed:
    /// `min(pending, max_winners − accepted) × (reward + quorum × fee)` for the
    /// acceptances still possible, plus `pending_fee_shortfall` for rejections whose fees
    /// exceed their own bond; nothing once votes close or every slot is taken (pending
    /// work is then moot and closes with its bond returned). Each decision lowers this by
    /// at least what it reserves, so decisions after a refund always find their funds.
    /// Junk submissions lock only the winner slots left, plus their unbonded fees.
    pub fn locked_for_pending(&self, now: i64) -> Result<u64> {
        if !self.pending_can_win(now) {
            return Ok(0);
        }
        let slots = self
            .max_winners
            .checked_sub(self.accepted)
            .ok_or(BountyError::MathOverflow)?;
        u64::from(self.pending.min(slots))
            .checked_mul(self.acceptance_cost()?)
            .and_then(|v| v.checked_add(self.pending_fee_shortfall))
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// What `bounty_refund` may pay out of a vault holding `vault_amount`: everything not
    /// owed (rewards, fees, bonds) nor claimable by pending work.
    pub fn refundable(&self, vault_amount: u64, now: i64) -> Result<u64> {
        Ok(vault_amount
            .saturating_sub(self.owed()?)
            .saturating_sub(self.locked_for_pending(now)?))
    }

    // --- every counter change, one method each ---

    /// `submission_create`: one more submission, pending, with an open account, whose
    /// `bond` (as received) the vault now holds for it.
    pub fn record_submission(&mut self, bond: u64) -> Result<()> {
        self.submissions = inc(self.submissions)?;
        self.pending = inc(self.pending)?;
        self.open_submission_accounts = inc(self.open_submission_accounts)?;
        self.bonds_received = checked_add(self.bonds_received, bond)?;
        self.bonds_held = checked_add(self.bonds_held, bond)?;
        self.pending_fee_shortfall =
            checked_add(self.pending_fee_shortfall, self.rejection_shortfall(bond)?)?;
        Ok(())
    }

    /// A submission that posted `bond` reached quorum: takes a winner slot, reserves its
    /// reward and a fee for each reviewer in `approvers` (a bitmap over the slots). The
    /// bond stays held until the reward is paid.
    pub fn record_acceptance(&mut self, approvers: u32, bond: u64) -> Result<()> {
        require!(self.winner_slot_left(), BountyError::NoWinnerSlotsLeft);
        let fees = self.fees_for(approvers.count_ones())?;
        require!(
            self.unreserved()? >= checked_add(self.reward_per_submission, fees)?,
            BountyError::InsufficientUnreservedFunds
        );
        self.reserved = checked_add(self.reserved, self.reward_per_submission)?;
        self.accrue_fees(approvers)?;
        self.accepted = inc(self.accepted)?;
        self.leave_pending(bond)
    }

    /// A pending submission that posted `bond` became unable to reach quorum: the bond
    /// joins the bounty's funds, and each reviewer in `rejecters` earns the fee. Fails,
    /// undoing the vote, when the funds cannot cover those fees.
    pub fn record_rejection(&mut self, rejecters: u32, bond: u64) -> Result<()> {
        self.bonds_held = checked_sub(self.bonds_held, bond)?;
        self.bonds_forfeited = checked_add(self.bonds_forfeited, bond)?;
        require!(
            self.unreserved()? >= self.fees_for(rejecters.count_ones())?,
            BountyError::InsufficientFundsForReviewFees
        );
        self.accrue_fees(rejecters)?;
        self.leave_pending(bond)
    }

    /// One submission less is pending: it no longer needs its share of the lock.
    fn leave_pending(&mut self, bond: u64) -> Result<()> {
        self.pending = dec(self.pending)?;
        self.pending_fee_shortfall =
            checked_sub(self.pending_fee_shortfall, self.rejection_shortfall(bond)?)?;
        Ok(())
    }

    /// `bounty_extend`: deadlines and winner slots may only grow, the review window
    /// stays bounded, and the budget must still fit a u64. The caller checks that the
    /// bounty still takes submissions, so no decided submission's account was closed yet
    /// (a paid hash could otherwise be registered again). Pending work keeps its own
    /// review deadline, so however far the deadlines move, no bond is held longer.
    pub fn record_extension(
        &mut self,
        submission_deadline: i64,
        review_deadline: i64,
        max_winners: u32,
    ) -> Result<()> {
        require!(
            submission_deadline >= self.submission_deadline,
            BountyError::SubmissionDeadlineShortened
        );
        require!(
            review_deadline >= self.review_deadline,
            BountyError::ReviewDeadlineShortened
        );
        require!(
            submission_deadline <= review_deadline,
            BountyError::InvalidDeadlines
        );
        require!(
            review_deadline
                .checked_sub(submission_deadline)
                .is_some_and(|window| window <= MAX_REVIEW_WINDOW),
            BountyError::ReviewWindowTooLong
        );
        require!(
            max_winners >= self.max_winners,
            BountyError::MaxWinnersReduced
        );
        require_budget_fits(
            self.reward_per_submission,
            self.review_fee,
            self.reviewers.len(),
            max_winners,
        )?;
        self.submission_deadline = submission_deadline;
        self.review_deadline = review_deadline;
        self.max_winners = max_winners;
        Ok(())
    }

    /// An accepted submission's reward left the vault.
    pub fn record_payout(&mut self) -> Result<()> {
        self.reserved = checked_sub(self.reserved, self.reward_per_submission)?;
        self.released = checked_add(self.released, self.reward_per_submission)?;
        self.paid = inc(self.paid)?;
        Ok(())
    }

    /// `received` tokens arrived in the vault.
    pub fn record_funding(&mut self, received: u64) -> Result<()> {
        self.funded = checked_add(self.funded, received)?;
        Ok(())
    }

    /// `amount` went back to the creator; `untracked` tokens found in the vault beyond
    /// the books were counted as funding first.
    pub fn record_refund(&mut self, amount: u64, untracked: u64) -> Result<()> {
        self.funded = checked_add(self.funded, untracked)?;
        self.refunded = checked_add(self.refunded, amount)?;
        Ok(())
    }

    /// The creator cancelled: no more submissions or funding (see `bounty_fund` for
    /// top-ups that pending work still needs).
    pub fn record_cancel(&mut self) -> Result<()> {
        self.require_open()?;
        self.status = BountyStatus::Cancelled;
        Ok(())
    }

    /// A submission account closed; `was_pending` if it was still undecided, in which
    /// case its `bond` went back to the contributor.
    pub fn record_close(&mut self, was_pending: bool, bond: u64) -> Result<()> {
        if was_pending {
            self.leave_pending(bond)?;
            self.record_bond_return(bond)?;
        }
        self.open_submission_accounts = dec(self.open_submission_accounts)?;
        Ok(())
    }
}

fn inc(n: u32) -> Result<u32> {
    n.checked_add(1)
        .ok_or_else(|| error!(BountyError::MathOverflow))
}

fn dec(n: u32) -> Result<u32> {
    n.checked_sub(1)
        .ok_or_else(|| error!(BountyError::MathOverflow))
}

/// `a + b`, or the accounting error.
pub fn checked_add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b)
        .ok_or_else(|| error!(BountyError::MathOverflow))
}

/// `a − b`, or the accounting error.
pub fn checked_sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b)
        .ok_or_else(|| error!(BountyError::MathOverflow))
}
