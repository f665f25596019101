use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MEMO_PROGRAM_ID, SEED_BOUNTY, SEED_SUBMISSION, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::{SubmissionBondReturned, SubmissionPaid};
use crate::state::{Bounty, Submission, SubmissionStatus};
use crate::token::Payout;

#[event_cpi]
#[derive(Accounts)]
pub struct SubmissionRelease<'info> {
    /// Anyone; pays the rent of the contributor's associated token account if missing.
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
    /// The submission's contributor; signs only to choose a destination other than their
    /// associated token account.
    /// CHECK: by address.
    #[account(address = submission.contributor @ BountyError::WrongPayoutAccount)]
    pub contributor: UncheckedAccount<'info>,
    /// The contributor's associated token account (created if missing), or another token
    /// account of theirs if they sign.
    /// CHECK: by `Payout::prepare` in the handler.
    #[account(mut)]
    pub contributor_token_account: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
    /// The SPL Memo program, called only for a destination that requires incoming
    /// transfer memos.
    /// CHECK: by address.
    #[account(address = MEMO_PROGRAM_ID)]
    pub memo_program: UncheckedAccount<'info>,
}

impl<'info> SubmissionRelease<'info> {
    fn payout(&self) -> Payout<'_, 'info> {
        Payout {
            bounty: &self.bounty,
            vault: &self.vault,
            payer: &self.payer,
            payee: &self.contributor,
            destination: &self.contributor_token_account,
            mint: &self.mint,
            token_program: &self.token_program,
            associated_token_program: &self.associated_token_program,
            system_program: &self.system_program,
            memo_program: &self.memo_program,
        }
    }

    fn validate(&self) -> Result<()> {
        require!(
            self.submission.status == SubmissionStatus::Accepted,
            BountyError::SubmissionNotAccepted
        );
        Ok(())
    }
}

/// Pays an accepted submission's reward, and returns its bond, to the contributor; anyone
/// may crank it, to the contributor's associated token account (created if missing, paid
/// by the crank), or to another of their token accounts when the contributor signs.
#[access_control(ctx.accounts.validate())]
pub fn submission_release(ctx: Context<SubmissionRelease>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let amount = ctx.accounts.bounty.reward_per_submission;
    let received = ctx.accounts.payout().prepare_and_pay(
        BountyError::WrongPayoutAccount,
        b"databounty: reward for an accepted submission",
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

    let bond = ctx.accounts.submission.bond;
    if bond > 0 {
        let received = ctx.accounts.payout().pay_from_vault(
            b"databounty: bond returned with an accepted submission's reward",
            bond,
        )?;
        let bonds_held_before = ctx.accounts.bounty.bonds_held;
        let bounty = &mut ctx.accounts.bounty;
        bounty.record_bond_return(bond)?;
        let submission = &mut ctx.accounts.submission;
        submission.bond = 0;
        let returned = SubmissionBondReturned::recorded(
            bounty,
            submission,
            ctx.accounts.contributor_token_account.key(),
            bond,
            received,
            bonds_held_before,
            now,
        );
        emit_cpi!(returned);
    }
    ctx.accounts.bounty.invariant()
}
