use anchor_lang::prelude::*;

use solana_sha256_hasher::hashv;

use crate::constants::{MAX_REVIEWERS, MAX_URI_LEN, SEED_BOUNTY, TERMS_HASH_DOMAIN};
use crate::errors::BountyError;

/// Whether a bounty still takes submissions and funding.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum BountyStatus {
    /// Takes funding; takes submissions until `submission_deadline`.
    Open,
    /// Cancelled by its creator: no new submissions or funding; pending ones stay reviewable.
    Cancelled,
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
    /// deadlines and the permanent-delegate opt-in. `submission_create` must name it, so
    /// that a bounty closed and re-created at the same address with other terms refuses
    /// submissions sent under the old ones.
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
        parts.extend_from_slice(&[&reward, &winners, &quorum, &reviewer_count]);
        parts.extend(self.reviewers.iter().map(|r| r.as_ref()));
        parts.extend_from_slice(&[&submission_deadline, &review_deadline, &delegate]);
        hashv(&parts).to_bytes()
    }

    /// Position of `key` in the reviewer list.
    pub fn reviewer_index(&self, key: &Pubkey) -> Option<usize> {
        self.reviewers.iter().position(|r| r == key)
    }

    /// What the bounty believes its vault holds: `funded − released − refunded`.
    pub fn tracked_balance(&self) -> Result<u64> {
        self.funded
            .checked_sub(self.released)
            .and_then(|v| v.checked_sub(self.refunded))
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// Tracked funds not owed to anyone yet.
    pub fn unreserved(&self) -> Result<u64> {
        self.tracked_balance()?
            .checked_sub(self.reserved)
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// Whether `submission_create` can still succeed: open, before the deadline, and a
    /// winner slot left (`accepted` never decreases, so a full bounty stays full).
    pub fn takes_submissions(&self, now: i64) -> bool {
        self.status == BountyStatus::Open
            && now < self.submission_deadline
            && self.accepted < self.max_winners
    }

    /// Whether a pending submission can no longer be decided.
    pub fn review_closed(&self, now: i64) -> bool {
        now >= self.review_deadline
    }

    /// Whether `bounty_fund` may add tokens: while open, and after a cancel while pending
    /// work can still be accepted (an acceptance that lacks funds can then be topped up).
    pub fn takes_funding(&self, now: i64) -> bool {
        self.status == BountyStatus::Open || (self.pending > 0 && self.pending_can_win(now))
    }

    /// Whether a pending submission can still be accepted: votes are still taken and a
    /// winner slot is left. When not, it is as good as rejected and may close.
    pub fn pending_can_win(&self, now: i64) -> bool {
        !self.review_closed(now) && self.accepted < self.max_winners
    }

    /// What pending work can still claim beyond `reserved`:
    /// `min(pending, max_winners − accepted) × reward`, and nothing once votes close.
    /// Junk submissions therefore never lock more than the winner slots left.
    pub fn locked_for_pending(&self, now: i64) -> Result<u64> {
        if !self.pending_can_win(now) {
            return Ok(0);
        }
        let slots = self
            .max_winners
            .checked_sub(self.accepted)
            .ok_or(BountyError::MathOverflow)?;
        u64::from(self.pending.min(slots))
            .checked_mul(self.reward_per_submission)
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// What `bounty_refund` may pay out of a vault holding `vault_amount`: everything not
    /// reserved for accepted work nor claimable by pending work.
    pub fn refundable(&self, vault_amount: u64, now: i64) -> Result<u64> {
        Ok(vault_amount
            .saturating_sub(self.reserved)
            .saturating_sub(self.locked_for_pending(now)?))
    }

    // --- every counter change, one method each ---

    /// `submission_create`: one more submission, pending, with an open account.
    pub fn record_submission(&mut self) -> Result<()> {
        self.submissions = inc(self.submissions)?;
        self.pending = inc(self.pending)?;
        self.open_submission_accounts = inc(self.open_submission_accounts)?;
        Ok(())
    }

    /// A submission reached quorum: takes a winner slot and reserves its reward.
    pub fn record_acceptance(&mut self) -> Result<()> {
        require!(
            self.accepted < self.max_winners,
            BountyError::NoWinnerSlotsLeft
        );
        require!(
            self.unreserved()? >= self.reward_per_submission,
            BountyError::InsufficientUnreservedFunds
        );
        self.reserved = checked_add(self.reserved, self.reward_per_submission)?;
        self.accepted = inc(self.accepted)?;
        self.pending = dec(self.pending)?;
        Ok(())
    }

    /// A pending submission's quorum became unreachable.
    pub fn record_rejection(&mut self) -> Result<()> {
        self.pending = dec(self.pending)?;
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
        require!(
            self.status == BountyStatus::Open,
            BountyError::BountyNotOpen
        );
        self.status = BountyStatus::Cancelled;
        Ok(())
    }

    /// A submission account closed; `was_pending` if it was still undecided.
    pub fn record_close(&mut self, was_pending: bool) -> Result<()> {
        if was_pending {
            self.pending = dec(self.pending)?;
        }
        self.open_submission_accounts = dec(self.open_submission_accounts)?;
        Ok(())
    }

    /// The rules of SPEC §1 that hold after every instruction, one error per rule.
    pub fn invariant(&self) -> Result<()> {
        let tracked = self.tracked_balance()?;
        require!(
            tracked >= self.reserved,
            BountyError::InvariantVaultBelowReserved
        );
        require!(
            self.paid <= self.accepted,
            BountyError::InvariantPaidAboveAccepted
        );
        let owed = u64::from(self.accepted - self.paid)
            .checked_mul(self.reward_per_submission)
            .ok_or(BountyError::MathOverflow)?;
        require!(
            self.reserved == owed,
            BountyError::InvariantReservedMismatch
        );
        require!(
            self.accepted <= self.max_winners,
            BountyError::InvariantTooManyWinners
        );
        require!(
            self.pending <= self.submissions,
            BountyError::InvariantPendingAboveSubmissions
        );
        require!(
            self.open_submission_accounts <= self.submissions,
            BountyError::InvariantOpenAccountsAboveSubmissions
        );
        require!(
            self.quorum >= 1 && usize::from(self.quorum) <= self.reviewers.len(),
            BountyError::InvariantInvalidQuorum
        );
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
