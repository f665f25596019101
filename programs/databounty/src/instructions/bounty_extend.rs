use anchor_lang::prelude::*;

use crate::constants::SEED_BOUNTY;
use crate::errors::BountyError;
use crate::events::BountyExtended;
use crate::state::Bounty;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct BountyExtendArgs {
    /// No earlier than the current one.
    pub submission_deadline: i64,
    /// No earlier than the current one, within `MAX_REVIEW_WINDOW` of the submission deadline.
    pub review_deadline: i64,
    /// No fewer than the current number.
    pub max_winners: u32,
}

#[event_cpi]
#[derive(Accounts)]
pub struct BountyExtend<'info> {
    pub creator: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = creator @ BountyError::NotCreator,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
}

impl BountyExtend<'_> {
    fn validate(&self) -> Result<()> {
        // Only while it still takes submissions: no decided submission's account has
        // closed yet (closing one needs a bounty that takes none; only expired work,
        // never paid, closes sooner), so reopening frees no paid hash, and no refund has
        // been taken (refunds need a cancel or the deadline). Work already submitted
        // keeps the review deadline it was submitted under.
        let now = Clock::get()?.unix_timestamp;
        self.bounty.require_takes_submissions(now)
    }
}

/// Moves the deadlines later and adds winner slots; never the other way.
#[access_control(ctx.accounts.validate())]
pub fn bounty_extend(ctx: Context<BountyExtend>, args: BountyExtendArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let bounty = &mut ctx.accounts.bounty;
    let (submission_deadline_before, review_deadline_before, max_winners_before) = (
        bounty.submission_deadline,
        bounty.review_deadline,
        bounty.max_winners,
    );
    bounty.record_extension(
        args.submission_deadline,
        args.review_deadline,
        args.max_winners,
    )?;
    let event = BountyExtended {
        bounty: bounty.key(),
        creator: bounty.creator,
        submission_deadline_before,
        submission_deadline_after: bounty.submission_deadline,
        review_deadline_before,
        review_deadline_after: bounty.review_deadline,
        max_winners_before,
        max_winners_after: bounty.max_winners,
        extended_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
