use anchor_lang::prelude::*;

use crate::constants::{SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::{SubmissionAccepted, SubmissionAttested, SubmissionRejected};
use crate::state::{Bounty, Submission, SubmissionStatus, VoteOutcome};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmissionAttestArgs {
    /// The hash the reviewer recomputed from the data received; must equal the stored one.
    pub hash: [u8; 32],
    /// Approve (true) or reject (false).
    pub approve: bool,
}

#[event_cpi]
#[derive(Accounts)]
pub struct SubmissionAttest<'info> {
    pub reviewer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(
        mut,
        has_one = bounty @ BountyError::WrongBounty,
        seeds = [SEED_SUBMISSION, bounty.key().as_ref(), submission.contributor.as_ref(), submission.hash.as_ref()],
        bump = submission.bump,
    )]
    pub submission: Box<Account<'info, Submission>>,
}

impl SubmissionAttest<'_> {
    fn validate(&self, args: &SubmissionAttestArgs) -> Result<()> {
        // Reviewer (a contributor is never one: `submission_create` refuses reviewers)
        require!(
            self.bounty.reviewer_index(&self.reviewer.key()).is_some(),
            BountyError::NotAReviewer
        );

        // Submission
        require!(
            self.submission.status == SubmissionStatus::Pending,
            BountyError::SubmissionNotPending
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            !self.bounty.review_closed(now),
            BountyError::ReviewDeadlinePassed
        );
        require!(args.hash == self.submission.hash, BountyError::HashMismatch);
        Ok(())
    }
}

/// Records a reviewer's vote on the exact hash; at quorum the reward is reserved, and
/// once quorum is out of reach the submission is rejected.
#[access_control(ctx.accounts.validate(&args))]
pub fn submission_attest(ctx: Context<SubmissionAttest>, args: SubmissionAttestArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reviewer = ctx.accounts.reviewer.key();
    let bounty = &mut ctx.accounts.bounty;
    let submission = &mut ctx.accounts.submission;
    let index = bounty
        .reviewer_index(&reviewer)
        .ok_or(BountyError::NotAReviewer)?;
    let outcome =
        submission.record_vote(index, args.approve, bounty.quorum, bounty.reviewers.len())?;
    match outcome {
        VoteOutcome::ReachedQuorum => {
            // Fails the whole vote when no slot or funds are left: reviewers retry after a top-up.
            bounty.record_acceptance()?;
            submission.status = SubmissionStatus::Accepted;
            submission.decided_at = now;
        }
        VoteOutcome::QuorumUnreachable => {
            bounty.record_rejection()?;
            submission.status = SubmissionStatus::Rejected;
            submission.decided_at = now;
        }
        VoteOutcome::StillPending => {}
    }

    let attested = SubmissionAttested {
        bounty: bounty.key(),
        submission: submission.key(),
        reviewer,
        reviewer_index: u8::try_from(index).map_err(|_| BountyError::NotAReviewer)?,
        approve: args.approve,
        approvals: submission.approval_count(),
        rejections: submission.rejection_count(),
        status: submission.status,
        attested_at: now,
    };
    emit_cpi!(attested);
    match outcome {
        VoteOutcome::ReachedQuorum => {
            let accepted = SubmissionAccepted {
                bounty: bounty.key(),
                submission: submission.key(),
                contributor: submission.contributor,
                reward: bounty.reward_per_submission,
                approvals: submission.approval_count(),
                rejections: submission.rejection_count(),
                accepted: bounty.accepted,
                pending: bounty.pending,
                reserved: bounty.reserved,
                decided_at: now,
            };
            emit_cpi!(accepted);
        }
        VoteOutcome::QuorumUnreachable => {
            let rejected = SubmissionRejected {
                bounty: bounty.key(),
                submission: submission.key(),
                contributor: submission.contributor,
                approvals: submission.approval_count(),
                rejections: submission.rejection_count(),
                pending: bounty.pending,
                decided_at: now,
            };
            emit_cpi!(rejected);
        }
        VoteOutcome::StillPending => {}
    }
    ctx.accounts.bounty.invariant()
}
