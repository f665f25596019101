use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MEMO_PROGRAM_ID, SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::{SubmissionBondReturned, SubmissionClosed};
use crate::state::{Bounty, Submission, SubmissionStatus};
use crate::token::Payout;

#[event_cpi]
#[derive(Accounts)]
pub struct SubmissionClose<'info> {
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(
        mut,
        close = contributor,
        has_one = bounty @ BountyError::WrongBounty,
        has_one = contributor @ BountyError::WrongContributor,
        seeds = [SEED_SUBMISSION, bounty.key().as_ref(), submission.contributor.as_ref(), submission.hash.as_ref()],
        bump = submission.bump,
    )]
    pub submission: Box<Account<'info, Submission>>,
    /// Receives the rent (and a returned bond's tokens, through its token account); signs
    /// only to choose a bond destination other than their associated token account.
    /// CHECK: `has_one = contributor` ties it to the submission.
    #[account(mut)]
    pub contributor: UncheckedAccount<'info>,
    // Needed only to return the bond of a submission closed undecided.
    /// Anyone; pays the rent of the contributor's associated token account if missing.
    #[account(mut)]
    pub payer: Option<Signer<'info>>,
    #[account(mut, address = bounty.vault @ BountyError::WrongPayoutAccount)]
    pub vault: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    #[account(address = bounty.mint @ BountyError::WrongPayoutAccount)]
    pub mint: Option<Box<InterfaceAccount<'info, Mint>>>,
    /// The contributor's associated token account (created if missing), or another token
    /// account of theirs if they sign.
    /// CHECK: by `Payout::prepare` in the handler.
    #[account(mut)]
    pub contributor_token_account: Option<UncheckedAccount<'info>>,
    #[account(address = bounty.token_program @ BountyError::WrongPayoutAccount)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
    pub associated_token_program: Option<Program<'info, AssociatedToken>>,
    pub system_program: Option<Program<'info, System>>,
    /// The SPL Memo program, called only for a destination that requires incoming
    /// transfer memos.
    /// CHECK: by address.
    #[account(address = MEMO_PROGRAM_ID)]
    pub memo_program: Option<UncheckedAccount<'info>>,
}

impl<'info> SubmissionClose<'info> {
    fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let submission = &self.submission;
        require!(
            submission.is_final(self.bounty.winner_slot_left(), now),
            BountyError::SubmissionNotFinal
        );
        // Closing frees the hash's address; were submissions still taken, the same hash
        // could be registered, and paid, again. Expired work was never paid, and its
        // bond must come back even while an extended bounty takes submissions.
        require!(
            submission.status == SubmissionStatus::Pending || !self.bounty.takes_submissions(now),
            BountyError::BountyStillTakingSubmissions
        );
        Ok(())
    }

    /// Returns an undecided submission's bond to the contributor; returns what arrived.
    fn return_bond(&self, bond: u64) -> Result<u64> {
        let (
            Some(payer),
            Some(vault),
            Some(mint),
            Some(destination),
            Some(token_program),
            Some(associated_token_program),
            Some(system_program),
            Some(memo_program),
        ) = (
            &self.payer,
            &self.vault,
            &self.mint,
            &self.contributor_token_account,
            &self.token_program,
            &self.associated_token_program,
            &self.system_program,
            &self.memo_program,
        )
        else {
            return err!(BountyError::BondReturnAccountsMissing);
        };
        let payout = Payout {
            bounty: &self.bounty,
            vault,
            payer,
            payee: &self.contributor,
            destination,
            mint,
            token_program,
            associated_token_program,
            system_program,
            memo_program,
        };
        payout.prepare_and_pay(
            BountyError::WrongPayoutAccount,
            b"databounty: bond of a submission closed undecided",
            bond,
        )
    }
}

/// Returns a final submission's rent to its contributor, and an undecided one's bond:
/// paid or rejected work once the bounty takes no more submissions, expired work at any
/// time; anyone may crank it.
#[access_control(ctx.accounts.validate())]
pub fn submission_close(ctx: Context<SubmissionClose>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let was_pending = ctx.accounts.submission.status == SubmissionStatus::Pending;
    // Rejected bonds were forfeited and paid ones returned: only undecided ones remain.
    let bond = if was_pending {
        ctx.accounts.submission.bond
    } else {
        0
    };
    let received = if bond > 0 {
        ctx.accounts.return_bond(bond)?
    } else {
        0
    };
    let bonds_held_before = ctx.accounts.bounty.bonds_held;
    let submission = &ctx.accounts.submission;
    let bounty = &mut ctx.accounts.bounty;
    // Pending with every winner slot taken (and votes on it still open): it can never
    // win, so it closes as rejected. Pending past its review deadline closes as expired
    // (Pending).
    let final_status = if was_pending && !submission.review_closed(now) {
        SubmissionStatus::Rejected
    } else {
        submission.status
    };
    bounty.record_close(was_pending, bond)?;
    if bond > 0 {
        let destination = ctx
            .accounts
            .contributor_token_account
            .as_ref()
            .map_or_else(Pubkey::default, |a| a.key());
        let returned = SubmissionBondReturned::recorded(
            bounty,
            submission,
            destination,
            bond,
            received,
            bonds_held_before,
            now,
        );
        emit_cpi!(returned);
    }
    let event = SubmissionClosed {
        bounty: bounty.key(),
        submission: submission.key(),
        contributor: submission.contributor,
        final_status,
        rent_returned: submission.to_account_info().lamports(),
        pending: bounty.pending,
        open_submission_accounts: bounty.open_submission_accounts,
        closed_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
