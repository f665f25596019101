//! databounty: SPL-token bounties for AI training data. A creator escrows tokens per
//! dataset; contributors register the hash of the data they delivered; a quorum of the
//! bounty's reviewers attests to that exact hash, which releases the reward.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda_account;
pub mod state;
pub mod token;

use instructions::*;

#[cfg(not(feature = "second-deployment"))]
declare_id!("9vdpF8zCxn4q4M1pyJSXBAeTM1xeaEYZVU1vhSjeJRba");
// A second deployment of the same program, loaded by the local chain beside the first so
// that tools taking a program id (the indexer's `--program-id`) are tested against a real
// deployment at another address.
#[cfg(feature = "second-deployment")]
declare_id!("EKyYyB3MEu3qHJuSjraYmKWm2nC2zGcsaYqx971qwzLm");

#[program]
pub mod databounty {
    use super::*;

    /// Creates a bounty and its vault; any signer may create. Arguments must be valid and
    /// the mint must pass the mint policy.
    pub fn bounty_create(ctx: Context<BountyCreate>, args: BountyCreateArgs) -> Result<()> {
        instructions::bounty_create(ctx, args)
    }

    /// Adds funds to an open bounty, or to a cancelled one whose pending work can still be
    /// accepted; anyone may fund.
    pub fn bounty_fund(ctx: Context<BountyFund>, amount: u64) -> Result<()> {
        instructions::bounty_fund(ctx, amount)
    }

    /// Registers a submission hash, with the bounty's bond if it asks one; the bounty must
    /// be open, before its submission deadline.
    pub fn submission_create(
        ctx: Context<SubmissionCreate>,
        args: SubmissionCreateArgs,
    ) -> Result<()> {
        instructions::submission_create(ctx, args)
    }

    /// Records a listed reviewer's vote on a pending submission before the review deadline.
    pub fn submission_attest(
        ctx: Context<SubmissionAttest>,
        args: SubmissionAttestArgs,
    ) -> Result<()> {
        instructions::submission_attest(ctx, args)
    }

    /// Pays an accepted submission's reward to the contributor's associated token account
    /// (created if missing), or to another of their token accounts if they sign.
    pub fn submission_release(ctx: Context<SubmissionRelease>) -> Result<()> {
        instructions::submission_release(ctx)
    }

    /// Cancels an open bounty; only its creator.
    pub fn bounty_cancel(ctx: Context<BountyCancel>) -> Result<()> {
        instructions::bounty_cancel(ctx)
    }

    /// Refunds unreserved funds to the creator once the bounty is cancelled or past its
    /// submission deadline, to the creator's associated token account (created if missing),
    /// or to another of their token accounts if they sign.
    pub fn bounty_refund(ctx: Context<BountyRefund>) -> Result<()> {
        instructions::bounty_refund(ctx)
    }

    /// Closes a paid, rejected or expired submission, rent (and an undecided one's bond)
    /// to its contributor: a decided one once the bounty takes no more submissions, an
    /// expired one (past its own review deadline) at any time.
    pub fn submission_close(ctx: Context<SubmissionClose>) -> Result<()> {
        instructions::submission_close(ctx)
    }

    /// Closes a bounty whose vault is empty, whose submissions are all closed and whose
    /// review fees are all claimed.
    pub fn bounty_close(ctx: Context<BountyClose>) -> Result<()> {
        instructions::bounty_close(ctx)
    }

    /// Pays a listed reviewer the review fees its slot is owed, or else a replaced
    /// reviewer the fees parked for it (one of the two per call), to their associated
    /// token account (created if missing), or to another of their token accounts if they
    /// sign.
    pub fn review_fee_claim(ctx: Context<ReviewFeeClaim>) -> Result<()> {
        instructions::review_fee_claim(ctx)
    }

    /// Moves an open bounty's deadlines later and adds winner slots, before its
    /// submission deadline and while a slot is left; only its creator.
    pub fn bounty_extend(ctx: Context<BountyExtend>, args: BountyExtendArgs) -> Result<()> {
        instructions::bounty_extend(ctx, args)
    }

    /// Gives a reviewer's slot to a key not listed yet, parking the fees still owed to the
    /// old reviewer in `Bounty::parked_fees` for it to claim; only the bounty's creator.
    pub fn bounty_reviewer_replace(
        ctx: Context<BountyReviewerReplace>,
        args: BountyReviewerReplaceArgs,
    ) -> Result<()> {
        instructions::bounty_reviewer_replace(ctx, args)
    }
}
