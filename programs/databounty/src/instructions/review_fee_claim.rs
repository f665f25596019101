use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MEMO_PROGRAM_ID, SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::ReviewFeeClaimed;
use crate::state::{slot_u8, Bounty};
use crate::token::Payout;

#[event_cpi]
#[derive(Accounts)]
pub struct ReviewFeeClaim<'info> {
    /// Anyone; pays the rent of the reviewer's associated token account if missing.
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
    /// A listed reviewer, or a replaced one with parked fees; signs only to choose a
    /// destination other than their associated token account.
    /// CHECK: by `validate` (listed, or parked).
    pub reviewer: UncheckedAccount<'info>,
    /// The reviewer's associated token account (created if missing), or another token
    /// account of theirs if they sign.
    /// CHECK: by `Payout::prepare` in the handler.
    #[account(mut)]
    pub reviewer_token_account: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
    /// The SPL Memo program, called only for a destination that requires incoming
    /// transfer memos.
    /// CHECK: by address.
    #[account(address = MEMO_PROGRAM_ID)]
    pub memo_program: UncheckedAccount<'info>,
}

impl<'info> ReviewFeeClaim<'info> {
    fn payout(&self) -> Payout<'_, 'info> {
        Payout {
            bounty: &self.bounty,
            vault: &self.vault,
            payer: &self.payer,
            payee: &self.reviewer,
            destination: &self.reviewer_token_account,
            mint: &self.mint,
            token_program: &self.token_program,
            associated_token_program: &self.associated_token_program,
            system_program: &self.system_program,
            memo_program: &self.memo_program,
        }
    }

    fn validate(&self) -> Result<()> {
        // A listed reviewer, or a replaced one whose fees were parked.
        self.bounty.require_fees_owed_to(&self.reviewer.key())
    }
}

/// Pays a reviewer the review fees its slot has earned, or else the fees parked for it when
/// it was replaced; anyone may crank it, to the reviewer's
/// associated token account (created if missing, paid by the crank), or to another of
/// their token accounts when the reviewer signs.
#[access_control(ctx.accounts.validate())]
pub fn review_fee_claim(ctx: Context<ReviewFeeClaim>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reviewer = ctx.accounts.reviewer.key();
    let fees_reserved_before = ctx.accounts.bounty.fees_reserved;
    let (index, amount) = ctx.accounts.bounty.record_fee_claim(&reviewer)?;
    let received = ctx.accounts.payout().prepare_and_pay(
        BountyError::WrongFeeAccount,
        b"databounty: review fees",
        amount,
    )?;

    let bounty = &ctx.accounts.bounty;
    let event = ReviewFeeClaimed {
        bounty: bounty.key(),
        reviewer,
        reviewer_index: slot_u8(index)?,
        reviewer_token_account: ctx.accounts.reviewer_token_account.key(),
        amount,
        received,
        fees_reserved_before,
        fees_reserved_after: bounty.fees_reserved,
        fees_paid: bounty.fees_paid,
        claimed_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
