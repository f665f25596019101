//! The books' rules (SECURITY.md, "Invariants"), checked at the end of every instruction.

use anchor_lang::prelude::*;

use super::Bounty;
use crate::constants::MAX_REVIEWERS;
use crate::errors::BountyError;

impl Bounty {
    /// The rules that hold after every instruction, one error per rule.
    pub fn invariant(&self) -> Result<()> {
        let tracked = self.tracked_balance()?;
        require!(
            tracked >= self.owed()?,
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
        let distinct = self
            .reviewers
            .iter()
            .enumerate()
            .all(|(i, r)| !self.reviewers[..i].contains(r));
        require!(distinct, BountyError::InvariantDuplicateReviewers);
        require!(
            self.fees_owed.len() == self.reviewers.len()
                && self.reviewer_generations.len() == self.reviewers.len(),
            BountyError::InvariantReviewerSlots
        );
        let fees_owed = self
            .fees_owed
            .iter()
            .chain(self.parked_fees.iter().map(|p| &p.amount))
            .try_fold(0u64, |sum, fee| sum.checked_add(*fee))
            .ok_or(BountyError::MathOverflow)?;
        let parked_sound = self.parked_fees.len() <= MAX_REVIEWERS
            && self.parked_fees.iter().enumerate().all(|(i, p)| {
                p.amount > 0
                    && usize::from(p.slot) < self.reviewers.len()
                    && !self.parked_fees[..i]
                        .iter()
                        .any(|q| q.reviewer == p.reviewer)
            });
        require!(parked_sound, BountyError::InvariantParkedFees);
        require!(
            self.fees_reserved == fees_owed,
            BountyError::InvariantFeesReservedMismatch
        );
        let settled = self
            .bonds_held
            .checked_add(self.bonds_returned)
            .and_then(|v| v.checked_add(self.bonds_forfeited))
            .ok_or(BountyError::MathOverflow)?;
        require!(
            self.bonds_received == settled,
            BountyError::InvariantBondsMismatch
        );
        require!(
            self.pending > 0 || self.pending_fee_shortfall == 0,
            BountyError::InvariantShortfallWithoutPending
        );
        Ok(())
    }
}
