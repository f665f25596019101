use anchor_lang::prelude::*;

use crate::constants::{MAX_URI_LEN, SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::SubmissionCreated;
use crate::pda_account::{self, is_unused};
use crate::state::{Bounty, BountyStatus, Submission, SubmissionStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmissionCreateArgs {
    /// `SHA-256("databounty/submission/v1" || bounty || contributor || content_digest)`.
    pub hash: [u8; 32],
    pub uri: Option<String>,
    /// The bounty's terms as the contributor read them (`Bounty::terms_hash`); refused if
    /// the bounty at this address now has other terms.
    pub terms: [u8; 32],
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: SubmissionCreateArgs)]
pub struct SubmissionCreate<'info> {
    /// Pays the submission's rent and gets it back when it closes.
    #[account(mut)]
    pub contributor: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_BOUNTY, bounty.creator.as_ref(), bounty.dataset_id.as_ref(), &bounty.nonce.to_le_bytes()],
        bump = bounty.bump,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    /// CHECK: created by the handler; the seeds prove its address, `validate` that it is unused.
    /// Bound to the contributor, so that copying a pending hash blocks nobody.
    #[account(
        mut,
        seeds = [SEED_SUBMISSION, bounty.key().as_ref(), contributor.key().as_ref(), args.hash.as_ref()],
        bump,
    )]
    pub submission: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SubmissionCreate<'_> {
    fn validate(&self, args: &SubmissionCreateArgs) -> Result<()> {
        // Account to create
        require!(
            is_unused(&self.submission),
            BountyError::SubmissionAlreadyExists
        );

        // Arguments
        let uri_len = args.uri.as_ref().map_or(0, String::len);
        require!(uri_len <= MAX_URI_LEN, BountyError::UriTooLong);

        // Bounty
        let bounty = &self.bounty;
        require!(args.terms == bounty.terms_hash(), BountyError::TermsChanged);
        require!(
            bounty.status == BountyStatus::Open,
            BountyError::BountyNotOpen
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now < bounty.submission_deadline,
            BountyError::SubmissionDeadlinePassed
        );
        require!(
            bounty.accepted < bounty.max_winners,
            BountyError::NoWinnerSlotsLeft
        );

        // Contributor
        require!(
            bounty.reviewer_index(&self.contributor.key()).is_none(),
            BountyError::ReviewerCannotSubmit
        );
        Ok(())
    }
}

/// Registers the hash of delivered data for review.
#[access_control(ctx.accounts.validate(&args))]
pub fn submission_create(ctx: Context<SubmissionCreate>, args: SubmissionCreateArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let bounty = &mut ctx.accounts.bounty;
    bounty.record_submission()?;

    let submission = Submission {
        bounty: bounty.key(),
        contributor: ctx.accounts.contributor.key(),
        hash: args.hash,
        uri: args.uri,
        created_at: now,
        approvals: 0,
        rejections: 0,
        status: SubmissionStatus::Pending,
        decided_at: 0,
        bump: ctx.bumps.submission,
    };
    let submission_info = ctx.accounts.submission.to_account_info();
    let bounty_key = bounty.key();
    let bump = [submission.bump];
    let contributor_key = ctx.accounts.contributor.key();
    let seeds: &[&[u8]] = &[
        SEED_SUBMISSION,
        bounty_key.as_ref(),
        contributor_key.as_ref(),
        &args.hash,
        &bump,
    ];
    pda_account::create(
        &ctx.accounts.contributor.to_account_info(),
        &submission_info,
        &ctx.accounts.system_program.to_account_info(),
        &crate::ID,
        8 + Submission::INIT_SPACE,
        seeds,
    )?;
    pda_account::write(&submission_info, &submission)?;

    let event = SubmissionCreated {
        bounty: bounty.key(),
        submission: submission_info.key(),
        contributor: ctx.accounts.contributor.key(),
        hash: args.hash,
        uri: submission.uri,
        submissions: bounty.submissions,
        pending: bounty.pending,
        open_submission_accounts: bounty.open_submission_accounts,
        created_at: now,
    };
    emit_cpi!(event);
    ctx.accounts.bounty.invariant()
}
