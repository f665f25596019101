//! Fair work: the rules that keep reviewers and contributors whole — review fees
//! (what a decision reserves, what a reviewer claims), submission bonds (what a
//! rejection forfeits, what goes back), and reviewer slots (who may vote, and a
//! replacement under a new generation, which parks the old key's unpaid fees).

use anchor_lang::prelude::*;

use super::{checked_add, checked_sub, Bounty, ParkedFees};
use crate::constants::MAX_REVIEWERS;
use crate::errors::BountyError;

/// A reviewer slot as the events carry it (a slot is below `MAX_REVIEWERS`).
pub fn slot_u8(index: usize) -> Result<u8> {
    u8::try_from(index).map_err(|_| BountyError::NotAReviewer.into())
}

/// Whether every winner's reward with a fee for each reviewer (more than any decision
/// reserves) fits a u64, so that no sum of a bounty's fees and rewards overflows:
/// checked at creation and again at every extension that adds winners.
pub fn require_budget_fits(
    reward: u64,
    review_fee: u64,
    reviewers: usize,
    max_winners: u32,
) -> Result<()> {
    review_fee
        .checked_mul(reviewers as u64)
        .and_then(|fees| fees.checked_add(reward))
        .and_then(|cost| cost.checked_mul(u64::from(max_winners)))
        .ok_or(BountyError::BudgetOverflow)?;
    Ok(())
}

impl Bounty {
    /// Position of `key` in the reviewer list.
    pub fn reviewer_index(&self, key: &Pubkey) -> Option<usize> {
        self.reviewers.iter().position(|r| r == key)
    }

    /// The slot of `key`, who must be a listed reviewer.
    pub fn reviewer_slot(&self, key: &Pubkey) -> Result<usize> {
        self.reviewer_index(key)
            .ok_or_else(|| BountyError::NotAReviewer.into())
    }

    /// `review_fee × votes`: what a decision with `votes` agreeing votes reserves.
    pub fn fees_for(&self, votes: u32) -> Result<u64> {
        self.review_fee
            .checked_mul(u64::from(votes))
            .ok_or_else(|| error!(BountyError::MathOverflow))
    }

    /// What accepting one submission reserves: its reward and a fee per approval
    /// (`quorum` of them at the deciding vote).
    pub fn acceptance_cost(&self) -> Result<u64> {
        checked_add(
            self.reward_per_submission,
            self.fees_for(u32::from(self.quorum))?,
        )
    }

    /// The fees of a rejection: it is decided when `reviewers − quorum + 1` valid
    /// rejections make the quorum unreachable, and each earns the fee.
    pub fn rejection_fees(&self) -> Result<u64> {
        let votes = (self.reviewers.len() + 1)
            .checked_sub(usize::from(self.quorum))
            .ok_or(BountyError::MathOverflow)?;
        self.fees_for(u32::try_from(votes).map_err(|_| BountyError::MathOverflow)?)
    }

    /// What rejecting a submission that posted `bond` costs the bounty's own funds: its
    /// fees less the bond it forfeits.
    pub fn rejection_shortfall(&self, bond: u64) -> Result<u64> {
        Ok(self.rejection_fees()?.saturating_sub(bond))
    }

    /// Owes `review_fee` to every slot set in `voters`.
    pub(super) fn accrue_fees(&mut self, voters: u32) -> Result<()> {
        for (slot, owed) in self.fees_owed.iter_mut().enumerate() {
            let bit = u32::try_from(slot).map_or(0, |s| 1u32.checked_shl(s).unwrap_or(0));
            if voters & bit != 0 {
                *owed = checked_add(*owed, self.review_fee)?;
                self.fees_reserved = checked_add(self.fees_reserved, self.review_fee)?;
            }
        }
        Ok(())
    }

    /// Where `review_fee_claim` finds the fees owed to `reviewer`: its listed slot's, or
    /// else those parked when it was replaced (clients ask it too, to say what a claim
    /// will pay).
    pub fn fees_owed_to(&self, reviewer: &Pubkey) -> Result<FeesOwed> {
        let listed = self.reviewer_index(reviewer);
        if let Some(slot) = listed.filter(|&slot| self.fees_owed.get(slot) > Some(&0)) {
            return Ok(FeesOwed::Slot(slot));
        }
        match self
            .parked_fees
            .iter()
            .position(|p| p.reviewer == *reviewer)
        {
            Some(entry) => Ok(FeesOwed::Parked(entry)),
            None if listed.is_some() => err!(BountyError::NoReviewFeesOwed),
            None => err!(BountyError::NotAReviewer),
        }
    }

    /// Refuses a claim for a key that is owed nothing: not listed, and no fees parked.
    pub fn require_fees_owed_to(&self, reviewer: &Pubkey) -> Result<()> {
        self.fees_owed_to(reviewer).map(|_| ())
    }

    /// `review_fee_claim`: the fees owed to `reviewer`'s slot, or else its parked fees,
    /// are paid out. Returns the slot they were earned in and the amount.
    pub fn record_fee_claim(&mut self, reviewer: &Pubkey) -> Result<(usize, u64)> {
        let (slot, amount) = match self.fees_owed_to(reviewer)? {
            FeesOwed::Slot(slot) => (slot, std::mem::take(&mut self.fees_owed[slot])),
            FeesOwed::Parked(entry) => {
                let parked = self.parked_fees.remove(entry);
                (usize::from(parked.slot), parked.amount)
            }
        };
        require!(amount > 0, BountyError::NoReviewFeesOwed);
        self.fees_reserved = checked_sub(self.fees_reserved, amount)?;
        self.fees_paid = checked_add(self.fees_paid, amount)?;
        Ok((slot, amount))
    }

    /// A settled submission's `bond` went back to its contributor.
    pub fn record_bond_return(&mut self, bond: u64) -> Result<()> {
        self.bonds_held = checked_sub(self.bonds_held, bond)?;
        self.bonds_returned = checked_add(self.bonds_returned, bond)?;
        Ok(())
    }

    /// `bounty_reviewer_replace`: `new` takes `old`'s slot under a new generation, so
    /// `old`'s votes on pending submissions stop counting. `new` must not be listed
    /// already (one key, one vote). Fees still owed to `old` are parked for it to claim,
    /// so that a reviewer whose token account cannot receive (frozen, or a classic SPL
    /// account re-owned by its holder) cannot stop its own replacement. Returns the slot
    /// and the fees parked.
    pub fn replace_reviewer(&mut self, old: &Pubkey, new: &Pubkey) -> Result<(usize, u64)> {
        let index = self.reviewer_slot(old)?;
        require!(
            self.reviewer_index(new).is_none(),
            BountyError::DuplicateReviewer
        );
        let owed = self
            .fees_owed
            .get(index)
            .copied()
            .ok_or(BountyError::InvariantReviewerSlots)?;
        if owed > 0 {
            self.park_fees(*old, index, owed)?;
            self.fees_owed[index] = 0;
        }
        let generation = self
            .reviewer_generations
            .get_mut(index)
            .ok_or(BountyError::InvariantReviewerSlots)?;
        *generation = generation.checked_add(1).ok_or(BountyError::MathOverflow)?;
        self.reviewers[index] = *new;
        Ok((index, owed))
    }

    /// Sets `amount` aside for `reviewer`, added to what is parked for it already (a key
    /// replaced, listed again and replaced again has one entry).
    fn park_fees(&mut self, reviewer: Pubkey, slot: usize, amount: u64) -> Result<()> {
        let slot = slot_u8(slot)?;
        if let Some(parked) = self.parked_fees.iter_mut().find(|p| p.reviewer == reviewer) {
            parked.amount = checked_add(parked.amount, amount)?;
            parked.slot = slot;
            return Ok(());
        }
        require!(
            self.parked_fees.len() < MAX_REVIEWERS,
            BountyError::ParkedFeesFull
        );
        self.parked_fees.push(ParkedFees {
            reviewer,
            slot,
            amount,
        });
        Ok(())
    }
}

/// Where a reviewer's claimable fees are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeesOwed {
    /// In `fees_owed` at this slot.
    Slot(usize),
    /// In `parked_fees` at this entry.
    Parked(usize),
}
