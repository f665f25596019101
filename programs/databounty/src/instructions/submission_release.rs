use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{SEED_BOUNTY, SEED_SUBMISSION, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::SubmissionPaid;
use crate::state::{Bounty, Submission, SubmissionStatus};
use crate::token::pay_from_vault;

#[event_cpi]
#[derive(Accounts)]
pub struct SubmissionRelease<'info> {
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
        has_one = vault,
        has_one = mint,
        has_one = token_program,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(
        mut,
        has_one = bounty @ BountyError::WrongBounty,
        seeds = [SEED_SUBMISSION, bounty.key().as_ref(), submission.contributor.as_ref(), submission.hash.as_ref()],
        bump = submission.bump,
    )]
    pub submission: Box<Account<'info, Submission>>,
    #[account(mut, seeds = [SEED_VAULT, bounty.key().as_ref()], bump = bounty.vault_bump)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        constraint = contributor_token_account.owner == submission.contributor @ BountyError::WrongPayoutAccount,
        constraint = contributor_token_account.mint == mint.key() @ BountyError::WrongPayoutAccount,
    )]
    pub contributor_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl SubmissionRelease<'_> {
    fn validate(&self) -> Result<()> {
        require!(
            self.submission.status == SubmissionStatus::Accepted,
            BountyError::SubmissionNotAccepted
        );
        Ok(())
    }
}

/// Pays an accepted submission's reward to the contributor; anyone may crank it.
#[access_control(ctx.accounts.validate())]
pub fn submission_release(ctx: Context<SubmissionRelease>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let amount = ctx.accounts.bounty.reward_per_submission;
    let accounts = &mut *ctx.accounts;
    let received = pay_from_vault(
        &accounts.bounty,
        &accounts.vault,
        &accounts.mint,
        &mut accounts.contributor_token_account,
        &accounts.token_program.to_account_info(),
        amount,
    )?;

    let bounty = &mut ctx.accounts.bounty;
    bounty.record_payout()?;
    let submission = &mut ctx.accounts.submission;
    submission.status = SubmissionStatus::Paid;

    let event = SubmissionPaid {
        bounty: bounty.key(),
        submission: submission.key(),
        contributor: submission.contributor,
        contributor_token_account: ctx.accounts.contributor_token_account.key(),
        amount,
        received,
        released: bounty.released,
        reserved: bounty.reserved,
        paid: bounty.paid,
        paid_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
