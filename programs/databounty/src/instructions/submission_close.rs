use anchor_lang::prelude::*;

use crate::constants::{SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::SubmissionClosed;
use crate::state::{Bounty, Submission, SubmissionStatus};

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
    /// CHECK: only receives the rent; `has_one = contributor` ties it to the submission.
    #[account(mut)]
    pub contributor: UncheckedAccount<'info>,
}

impl SubmissionClose<'_> {
    fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(
            self.submission.is_final(self.bounty.pending_can_win(now)),
            BountyError::SubmissionNotFinal
        );
        // Closing frees the hash's address; were submissions still taken, the same hash
        // could be registered, and paid, again.
        require!(
            !self.bounty.takes_submissions(now),
            BountyError::BountyStillTakingSubmissions
        );
        Ok(())
    }
}

/// Returns a final (paid, rejected or expired) submission's rent to its contributor once
/// the bounty takes no more submissions; anyone may crank it.
#[access_control(ctx.accounts.validate())]
pub fn submission_close(ctx: Context<SubmissionClose>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let submission = &ctx.accounts.submission;
    let bounty = &mut ctx.accounts.bounty;
    let was_pending = submission.status == SubmissionStatus::Pending;
    // Pending with every winner slot taken (and votes still open): it can never win, so
    // it closes as rejected. Pending past the review deadline closes as expired (Pending).
    let final_status = if was_pending && !bounty.review_closed(now) {
        SubmissionStatus::Rejected
    } else {
        submission.status
    };
    bounty.record_close(was_pending)?;
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
