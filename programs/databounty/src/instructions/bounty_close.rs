use anchor_lang::prelude::*;
use anchor_spl::token_2022_extensions::transfer_fee::{
    harvest_withheld_tokens_to_mint, HarvestWithheldTokensToMint,
};
use anchor_spl::token_interface::{self, CloseAccount, Mint, TokenAccount, TokenInterface};

use crate::constants::{SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyClosed;
use crate::state::Bounty;
use crate::token::has_transfer_fee;

#[event_cpi]
#[derive(Accounts)]
pub struct BountyClose<'info> {
    /// Receives the rent of the bounty and its vault.
    #[account(mut)]
    pub creator: Signer<'info>,
    #[account(
        mut,
        close = creator,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = creator @ BountyError::NotCreator,
        has_one = vault,
        has_one = mint,
        has_one = token_program,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, seeds = [SEED_VAULT, bounty.key().as_ref()], bump = bounty.vault_bump)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Writable so that withheld transfer fees can be harvested out of the vault.
    #[account(mut)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl BountyClose<'_> {
    fn validate(&self) -> Result<()> {
        require!(self.vault.amount == 0, BountyError::VaultNotEmpty);
        require!(self.bounty.reserved == 0, BountyError::FundsReserved);
        require!(self.bounty.fees_reserved == 0, BountyError::ReviewFeesOwed);
        require!(self.bounty.bonds_held == 0, BountyError::BondsHeld);
        require!(
            self.bounty.open_submission_accounts == 0,
            BountyError::SubmissionAccountsOpen
        );
        Ok(())
    }
}

/// Closes an empty bounty and its vault, rent to the creator.
#[access_control(ctx.accounts.validate())]
pub fn bounty_close(ctx: Context<BountyClose>) -> Result<()> {
    let token_program = ctx.accounts.token_program.to_account_info();
    let mint = ctx.accounts.mint.to_account_info();
    let vault = ctx.accounts.vault.to_account_info();
    if has_transfer_fee(&mint)? {
        // A Token-2022 account holding withheld fees cannot close; harvesting is permissionless.
        let accounts = HarvestWithheldTokensToMint {
            token_program_id: token_program.clone(),
            mint: mint.clone(),
        };
        harvest_withheld_tokens_to_mint(
            CpiContext::new(token_program.key(), accounts),
            vec![vault.clone()],
        )?;
    }
    ctx.accounts.bounty.with_signer_seeds(|seeds| {
        let accounts = CloseAccount {
            account: vault.clone(),
            destination: ctx.accounts.creator.to_account_info(),
            authority: ctx.accounts.bounty.to_account_info(),
        };
        token_interface::close_account(CpiContext::new_with_signer(
            token_program.key(),
            accounts,
            seeds,
        ))
    })?;

    let bounty = &ctx.accounts.bounty;
    let event = BountyClosed {
        bounty: bounty.key(),
        creator: bounty.creator,
        funded: bounty.funded,
        released: bounty.released,
        refunded: bounty.refunded,
        submissions: bounty.submissions,
        paid: bounty.paid,
        closed_at: Clock::get()?.unix_timestamp,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
