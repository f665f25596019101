use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyFunded;
use crate::state::Bounty;
use crate::token::{check_mint_policy, deposit_measured};

#[event_cpi]
#[derive(Accounts)]
pub struct BountyFund<'info> {
    pub funder: Signer<'info>,
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
        constraint = funder_token_account.owner == funder.key() @ BountyError::WrongFundingAccount,
        constraint = funder_token_account.mint == mint.key() @ BountyError::WrongFundingAccount,
    )]
    pub funder_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl BountyFund<'_> {
    fn validate(&self, amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(self.bounty.takes_funding(now), BountyError::BountyNotOpen);
        require!(amount > 0, BountyError::ZeroAmount);
        // Extension authorities can change a mint after creation: check it again.
        check_mint_policy(
            &self.mint.to_account_info(),
            self.bounty.permanent_delegate_allowed,
        )?;
        Ok(())
    }
}

/// Adds `amount` from the funder's account; the bounty is credited with what arrived.
#[access_control(ctx.accounts.validate(amount))]
pub fn bounty_fund(ctx: Context<BountyFund>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let bounty_key = ctx.accounts.bounty.key();
    let event = deposit(
        &mut ctx.accounts.bounty,
        bounty_key,
        &ctx.accounts.vault.to_account_info(),
        &ctx.accounts.mint,
        &ctx.accounts.funder_token_account.to_account_info(),
        &ctx.accounts.funder.to_account_info(),
        &ctx.accounts.token_program.to_account_info(),
        amount,
        now,
    )?;
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}

/// Moves `amount` into the vault and credits the bounty with the measured increase,
/// so that a Token-2022 transfer fee never counts as funding.
#[allow(clippy::too_many_arguments)]
pub(crate) fn deposit<'info>(
    bounty: &mut Bounty,
    bounty_key: Pubkey,
    vault: &AccountInfo<'info>,
    mint: &InterfaceAccount<'info, Mint>,
    source: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
    now: i64,
) -> Result<BountyFunded> {
    let received = deposit_measured(token_program, source, mint, vault, authority, amount)?;
    bounty.record_funding(received)?;
    Ok(BountyFunded {
        bounty: bounty_key,
        funder: authority.key(),
        mint: mint.key(),
        requested: amount,
        received,
        funded: bounty.funded,
        vault_balance: bounty.tracked_balance()?,
        funded_at: now,
    })
}
