use anchor_lang::prelude::*;

use crate::constants::SEED_BOUNTY;
use crate::errors::BountyError;
use crate::events::ReviewerReplaced;
use crate::state::{slot_u8, Bounty};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct BountyReviewerReplaceArgs {
    /// The listed reviewer to replace; fees still owed to it are parked for it to claim.
    pub old_reviewer: Pubkey,
    /// Takes the slot; must not be listed already.
    pub new_reviewer: Pubkey,
}

#[event_cpi]
#[derive(Accounts)]
pub struct BountyReviewerReplace<'info> {
    pub creator: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = creator @ BountyError::NotCreator,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
}

/// Gives a reviewer's slot to a new key: the old reviewer's votes on pending submissions
/// stop counting, decided submissions keep their outcome, fees still owed to the old key
/// are parked for it (paid by `review_fee_claim` as before), and the quorum and the
/// number of reviewers stay as they were.
pub fn bounty_reviewer_replace(
    ctx: Context<BountyReviewerReplace>,
    args: BountyReviewerReplaceArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let bounty = &mut ctx.accounts.bounty;
    let (index, fees_parked) = bounty.replace_reviewer(&args.old_reviewer, &args.new_reviewer)?;
    let generation_after = bounty.reviewer_generations[index];
    let event = ReviewerReplaced {
        bounty: bounty.key(),
        creator: bounty.creator,
        reviewer_index: slot_u8(index)?,
        old_reviewer: args.old_reviewer,
        new_reviewer: args.new_reviewer,
        generation_before: generation_after
            .checked_sub(1)
            .ok_or(BountyError::MathOverflow)?,
        generation_after,
        fees_parked,
        replaced_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
