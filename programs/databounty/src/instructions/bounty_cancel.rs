use anchor_lang::prelude::*;

use crate::constants::SEED_BOUNTY;
use crate::errors::BountyError;
use crate::events::BountyCancelled;
use crate::state::Bounty;

#[event_cpi]
#[derive(Accounts)]
pub struct BountyCancel<'info> {
    pub creator: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = creator @ BountyError::NotCreator,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
}

impl BountyCancel<'_> {
    fn validate(&self) -> Result<()> {
        self.bounty.require_open()
    }
}

/// Stops new submissions and funding; pending submissions stay reviewable.
#[access_control(ctx.accounts.validate())]
pub fn bounty_cancel(ctx: Context<BountyCancel>) -> Result<()> {
    let bounty = &mut ctx.accounts.bounty;
    bounty.record_cancel()?;
    let event = BountyCancelled {
        bounty: bounty.key(),
        creator: bounty.creator,
        pending: bounty.pending,
        cancelled_at: Clock::get()?.unix_timestamp,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
