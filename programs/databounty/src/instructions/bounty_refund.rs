use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MEMO_PROGRAM_ID, SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyRefunded;
use crate::state::{Bounty, BountyStatus};
use crate::token::Payout;

#[event_cpi]
#[derive(Accounts)]
pub struct BountyRefund<'info> {
    /// Anyone; pays the rent of the creator's associated token account if missing.
    #[account(mut)]
    pub payer: Signer<'info>,
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
    /// The bounty's creator; signs only to choose a destination other than their
    /// associated token account.
    /// CHECK: by address.
    #[account(address = bounty.creator @ BountyError::WrongRefundAccount)]
    pub creator: UncheckedAccount<'info>,
    /// The creator's associated token account (created if missing), or another token
    /// account of theirs if they sign.
    /// CHECK: by `Payout::prepare` in the handler.
    #[account(mut)]
    pub creator_token_account: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
    /// The SPL Memo program, called only for a destination that requires incoming
    /// transfer memos.
    /// CHECK: by address.
    #[account(address = MEMO_PROGRAM_ID)]
    pub memo_program: UncheckedAccount<'info>,
}

impl<'info> BountyRefund<'info> {
    fn payout(&self) -> Payout<'_, 'info> {
        Payout {
            bounty: &self.bounty,
            vault: &self.vault,
            payer: &self.payer,
            payee: &self.creator,
            destination: &self.creator_token_account,
            mint: &self.mint,
            token_program: &self.token_program,
            associated_token_program: &self.associated_token_program,
            system_program: &self.system_program,
            memo_program: &self.memo_program,
        }
    }

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
/// bounty is cancelled or past its submission deadline; anyone may crank it, to the
/// creator's associated token account (created if missing, paid by the crank), or to
/// another of their token accounts when the creator signs.
#[access_control(ctx.accounts.validate())]
pub fn bounty_refund(ctx: Context<BountyRefund>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let vault_amount = ctx.accounts.vault.amount;
    // Tokens sent straight to the vault are counted as funding, so the books still balance.
    let untracked = vault_amount.saturating_sub(ctx.accounts.bounty.tracked_balance()?);
    let amount = ctx.accounts.bounty.refundable(vault_amount, now)?;
    let received = ctx.accounts.payout().prepare_and_pay(
        BountyError::WrongRefundAccount,
        b"databounty: refund of unreserved bounty funds",
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
