use anchor_lang::prelude::*;

use crate::constants::{MAX_URI_LEN, SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::{
    ReviewFeesReserved, SubmissionAccepted, SubmissionAttested, SubmissionBondForfeited,
    SubmissionRejected,
};
use crate::state::{checked_sub, slot_u8, Bounty, Submission, SubmissionStatus, VoteOutcome};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmissionAttestArgs {
    /// The hash the reviewer recomputed from the data received; must equal the stored one.
    pub hash: [u8; 32],
    /// Approve (true) or reject (false).
    pub approve: bool,
    /// Why a rejection: a code of the reviewers' choosing (0: none); kept on the submission.
    pub reason_code: u16,
    /// Where a rejection's reasons are explained; travels only in the event.
    pub reason_uri: Option<String>,
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
        // The submission's own deadline: an extension of the bounty does not reopen it.
        require!(
            !self.submission.review_closed(now),
            BountyError::ReviewDeadlinePassed
        );
        // Work that can no longer win is closed with its bond returned: a vote could
        // only reject it, forfeiting the bond and earning a fee for nothing.
        require!(
            self.bounty.winner_slot_left(),
            BountyError::NoWinnerSlotsLeft
        );
        require!(args.hash == self.submission.hash, BountyError::HashMismatch);
        // A replacement could name a contributor as reviewer: never on their own work.
        require!(
            self.reviewer.key() != self.submission.contributor,
            BountyError::ContributorCannotReview
        );

        // Reason
        require!(
            !args.approve || (args.reason_code == 0 && args.reason_uri.is_none()),
            BountyError::ReasonOnlyForRejections
        );
        let uri_len = args.reason_uri.as_ref().map_or(0, String::len);
        require!(uri_len <= MAX_URI_LEN, BountyError::ReasonUriTooLong);
        Ok(())
    }
}

/// Records a reviewer's vote on the exact hash; at quorum the reward and the approvers'
/// fees are reserved, and once quorum is out of reach the submission is rejected, its
/// bond forfeited and the rejecters' fees reserved.
#[access_control(ctx.accounts.validate(&args))]
pub fn submission_attest(ctx: Context<SubmissionAttest>, args: SubmissionAttestArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reviewer = ctx.accounts.reviewer.key();
    let bounty = &mut ctx.accounts.bounty;
    let submission = &mut ctx.accounts.submission;
    let index = bounty.reviewer_slot(&reviewer)?;
    let generations = bounty.reviewer_generations.clone();
    let outcome = submission.record_vote(
        index,
        args.approve,
        args.reason_code,
        bounty.quorum,
        &generations,
    )?;
    let fees_reserved_before = bounty.fees_reserved;
    let bonds_held_before = bounty.bonds_held;
    let bond = submission.bond;
    // The reviewers whose counted votes agree with the decision.
    let mut earners = 0;
    match outcome {
        VoteOutcome::ReachedQuorum => {
            earners = submission.counted_approvals(&generations);
            // Fails the whole vote when no slot or funds are left: reviewers retry after a top-up.
            bounty.record_acceptance(earners, bond)?;
            submission.status = SubmissionStatus::Accepted;
            submission.decided_at = now;
        }
        VoteOutcome::QuorumUnreachable => {
            earners = submission.counted_rejections(&generations);
            bounty.record_rejection(earners, bond)?;
            submission.bond = 0;
            submission.status = SubmissionStatus::Rejected;
            submission.decided_at = now;
        }
        VoteOutcome::StillPending => {}
    }

    let attested = SubmissionAttested {
        bounty: bounty.key(),
        submission: submission.key(),
        reviewer,
        reviewer_index: slot_u8(index)?,
        approve: args.approve,
        approvals: submission.approval_count(),
        rejections: submission.rejection_count(),
        status: submission.status,
        attested_at: now,
        reviewer_generation: generations[index],
        reason_code: args.reason_code,
        reason_uri: args.reason_uri,
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
            if bond > 0 {
                let forfeited = SubmissionBondForfeited {
                    bounty: bounty.key(),
                    submission: submission.key(),
                    contributor: submission.contributor,
                    amount: bond,
                    bonds_held_before,
                    bonds_held_after: bounty.bonds_held,
                    bonds_forfeited: bounty.bonds_forfeited,
                    forfeited_at: now,
                };
                emit_cpi!(forfeited);
            }
        }
        VoteOutcome::StillPending => {}
    }
    if outcome != VoteOutcome::StillPending && bounty.review_fee > 0 {
        let slots: Vec<usize> = (0..bounty.reviewers.len())
            .filter(|&slot| earners & (1 << slot) != 0)
            .collect();
        let reserved = ReviewFeesReserved {
            bounty: bounty.key(),
            submission: submission.key(),
            accepted: outcome == VoteOutcome::ReachedQuorum,
            reviewers: slots.iter().map(|&slot| bounty.reviewers[slot]).collect(),
            reviewer_indexes: slots.iter().map(|&slot| slot as u8).collect(),
            fee: bounty.review_fee,
            amount: checked_sub(bounty.fees_reserved, fees_reserved_before)?,
            fees_reserved_before,
            fees_reserved_after: bounty.fees_reserved,
            decided_at: now,
        };
        emit_cpi!(reserved);
    }
    ctx.accounts.bounty.invariant()
}
