use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MAX_URI_LEN, SEED_BOUNTY, SEED_SUBMISSION};
use crate::errors::BountyError;
use crate::events::{SubmissionBondPosted, SubmissionCreated};
use crate::pda_account::{self, is_unused};
use crate::state::{Bounty, Submission, SubmissionStatus};
use crate::token::{check_mint_policy, deposit_measured};

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
    /// Pays the submission's rent and gets it back when it closes; posts the bond.
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
    // The bond's accounts, needed only when the bounty asks a bond.
    #[account(mut, address = bounty.vault @ BountyError::WrongBondAccount)]
    pub vault: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    #[account(address = bounty.mint @ BountyError::WrongBondAccount)]
    pub mint: Option<Box<InterfaceAccount<'info, Mint>>>,
    #[account(
        mut,
        constraint = contributor_token_account.owner == contributor.key() @ BountyError::WrongBondAccount,
        constraint = contributor_token_account.mint == bounty.mint @ BountyError::WrongBondAccount,
    )]
    pub contributor_token_account: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    #[account(address = bounty.token_program @ BountyError::WrongBondAccount)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
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
        bounty.require_takes_submissions(Clock::get()?.unix_timestamp)?;

        // Contributor
        require!(
            bounty.reviewer_index(&self.contributor.key()).is_none(),
            BountyError::ReviewerCannotSubmit
        );

        // Bond
        if bounty.submission_bond > 0 {
            require!(
                self.vault.is_some()
                    && self.mint.is_some()
                    && self.contributor_token_account.is_some()
                    && self.token_program.is_some(),
                BountyError::BondAccountsMissing
            );
        }
        Ok(())
    }

    /// Moves the bounty's bond from the contributor into the vault; returns what arrived.
    fn post_bond(&self) -> Result<u64> {
        let requested = self.bounty.submission_bond;
        let (Some(vault), Some(mint), Some(source), Some(token_program)) = (
            &self.vault,
            &self.mint,
            &self.contributor_token_account,
            &self.token_program,
        ) else {
            require!(requested == 0, BountyError::BondAccountsMissing);
            return Ok(0);
        };
        if requested == 0 {
            return Ok(0);
        }
        // Extension authorities can change a mint after creation: check it again.
        check_mint_policy(
            &mint.to_account_info(),
            self.bounty.permanent_delegate_allowed,
        )?;
        deposit_measured(
            &token_program.to_account_info(),
            &source.to_account_info(),
            mint,
            &vault.to_account_info(),
            &self.contributor.to_account_info(),
            requested,
        )
    }
}

/// Registers the hash of delivered data for review, with the bounty's bond if it asks one.
#[access_control(ctx.accounts.validate(&args))]
pub fn submission_create(ctx: Context<SubmissionCreate>, args: SubmissionCreateArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let bond = ctx.accounts.post_bond()?;
    let bonds_held_before = ctx.accounts.bounty.bonds_held;
    let bounty = &mut ctx.accounts.bounty;
    bounty.record_submission(bond)?;

    let submission = Submission {
        bounty: bounty.key(),
        contributor: ctx.accounts.contributor.key(),
        hash: args.hash,
        uri: args.uri,
        created_at: now,
        review_deadline: bounty.review_deadline,
        approvals: 0,
        rejections: 0,
        status: SubmissionStatus::Pending,
        decided_at: 0,
        bump: ctx.bumps.submission,
        bond,
        // The reviewers this work is submitted to: a slot replaced later cannot vote on
        // it (see `Submission::record_vote`).
        vote_generations: bounty.reviewer_generations.clone(),
        rejection_reasons: vec![0; bounty.reviewers.len()],
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
        contributor: contributor_key,
        hash: args.hash,
        uri: submission.uri,
        submissions: bounty.submissions,
        pending: bounty.pending,
        open_submission_accounts: bounty.open_submission_accounts,
        created_at: now,
        review_deadline: submission.review_deadline,
    };
    emit_cpi!(event);
    if bounty.submission_bond > 0 {
        let posted = SubmissionBondPosted {
            bounty: bounty_key,
            submission: submission_info.key(),
            contributor: contributor_key,
            requested: bounty.submission_bond,
            received: bond,
            bonds_held_before,
            bonds_held_after: bounty.bonds_held,
            posted_at: now,
        };
        emit_cpi!(posted);
    }
    ctx.accounts.bounty.invariant()
}
