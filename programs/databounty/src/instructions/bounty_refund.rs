use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyRefunded;
use crate::state::{Bounty, BountyStatus};
use crate::token::pay_from_vault;

#[event_cpi]
#[derive(Accounts)]
pub struct BountyRefund<'info> {
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = vault,
        has_one = mint,
        has_one = token_program,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, seeds = [SEED_VAULT, bounty.key().as_ref()], bump = bounty.vault_bump)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        constraint = creator_token_account.owner == bounty.creator @ BountyError::WrongRefundAccount,
        constraint = creator_token_account.mint == mint.key() @ BountyError::WrongRefundAccount,
    )]
    pub creator_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl BountyRefund<'_> {
    fn validate(&self) -> Result<()> {
        let bounty = &self.bounty;
        let now = Clock::get()?.unix_timestamp;
        require!(
            bounty.status == BountyStatus::Cancelled || now >= bounty.submission_deadline,
            BountyError::RefundNotYetAllowed
        );
        // Pending work no longer blocks a refund: it keeps back only what it can still win.
        require!(
            bounty.refundable(self.vault.amount, now)? > 0,
            BountyError::NothingToRefund
        );
        Ok(())
    }
}

/// Returns to the creator everything in the vault that can no longer be owed — not
/// reserved for accepted submissions, nor claimable by pending ones
/// (`min(pending, max_winners − accepted) × reward` until the review deadline) — once the
/// bounty is cancelled or past its submission deadline; anyone may crank it.
#[access_control(ctx.accounts.validate())]
pub fn bounty_refund(ctx: Context<BountyRefund>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let vault_amount = ctx.accounts.vault.amount;
    // Tokens sent straight to the vault are counted as funding, so the books still balance.
    let untracked = vault_amount.saturating_sub(ctx.accounts.bounty.tracked_balance()?);
    let amount = ctx.accounts.bounty.refundable(vault_amount, now)?;
    let accounts = &mut *ctx.accounts;
    let received = pay_from_vault(
        &accounts.bounty,
        &accounts.vault,
        &accounts.mint,
        &mut accounts.creator_token_account,
        &accounts.token_program.to_account_info(),
        amount,
    )?;

    let bounty = &mut ctx.accounts.bounty;
    bounty.record_refund(amount, untracked)?;
    let event = BountyRefunded {
        bounty: bounty.key(),
        creator: bounty.creator,
        creator_token_account: ctx.accounts.creator_token_account.key(),
        amount,
        received,
        untracked_swept: untracked,
        funded: bounty.funded,
        refunded: bounty.refunded,
        reserved: bounty.reserved,
        vault_balance: bounty.tracked_balance()?,
        refunded_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
