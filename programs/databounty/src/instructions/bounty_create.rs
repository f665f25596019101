use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::pda_account::{self, is_unused};

use crate::constants::{MAX_REVIEWERS, MAX_REVIEW_WINDOW, MAX_URI_LEN, SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyCreated;
use crate::instructions::bounty_fund::deposit;
use crate::state::{require_budget_fits, Bounty, BountyStatus};
use crate::token::check_mint_policy;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct BountyCreateArgs {
    pub dataset_id: [u8; 32],
    pub nonce: u64,
    pub metadata_uri: String,
    pub reward_per_submission: u64,
    pub max_winners: u32,
    pub reviewers: Vec<Pubkey>,
    pub quorum: u8,
    pub submission_deadline: i64,
    pub review_deadline: i64,
    /// Accept a mint whose permanent delegate could move the vault's tokens.
    pub allow_permanent_delegate: bool,
    /// Deposited from `creator_token_account` in the same call; 0 for none.
    pub initial_funding: u64,
    /// Earned by each reviewer whose vote agrees with a decision; 0 for unpaid reviews.
    pub review_fee: u64,
    /// Escrowed with each submission, returned unless it is rejected; 0 for none.
    pub submission_bond: u64,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: BountyCreateArgs)]
pub struct BountyCreate<'info> {
    /// Pays the rent of the bounty and its vault.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub creator: Signer<'info>,
    /// CHECK: created by the handler; the seeds prove its address, `validate` that it is unused.
    #[account(
        mut,
        seeds = [SEED_BOUNTY, creator.key().as_ref(), args.dataset_id.as_ref(), &args.nonce.to_le_bytes()],
        bump,
    )]
    pub bounty: UncheckedAccount<'info>,
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The bounty's token account, created by the handler.
    /// CHECK: the seeds prove its address, `validate` that it is unused.
    #[account(mut, seeds = [SEED_VAULT, bounty.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// Source of `initial_funding`; required only when it is not zero.
    #[account(mut)]
    pub creator_token_account: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl BountyCreate<'_> {
    fn validate(&self, args: &BountyCreateArgs) -> Result<()> {
        // Accounts to create
        require!(
            is_unused(&self.bounty) && is_unused(&self.vault),
            BountyError::BountyAlreadyExists
        );

        // Arguments
        require!(
            args.metadata_uri.len() <= MAX_URI_LEN,
            BountyError::MetadataUriTooLong
        );
        require!(args.reward_per_submission > 0, BountyError::ZeroReward);
        require!(args.max_winners > 0, BountyError::ZeroMaxWinners);
        require_budget_fits(
            args.reward_per_submission,
            args.review_fee,
            args.reviewers.len(),
            args.max_winners,
        )?;

        // Reviewers and quorum
        let count = args.reviewers.len();
        require!(
            (1..=MAX_REVIEWERS).contains(&count),
            BountyError::InvalidReviewerCount
        );
        for (i, reviewer) in args.reviewers.iter().enumerate() {
            require!(
                !args.reviewers[..i].contains(reviewer),
                BountyError::DuplicateReviewer
            );
        }
        require!(
            args.quorum >= 1 && usize::from(args.quorum) <= count,
            BountyError::InvalidQuorum
        );

        // Deadlines
        let now = Clock::get()?.unix_timestamp;
        require!(
            now < args.submission_deadline && args.submission_deadline <= args.review_deadline,
            BountyError::InvalidDeadlines
        );
        // Pending work may hold part of the escrow until the review deadline: keep it finite.
        require!(
            args.review_deadline - args.submission_deadline <= MAX_REVIEW_WINDOW,
            BountyError::ReviewWindowTooLong
        );

        // Mint
        check_mint_policy(&self.mint.to_account_info(), args.allow_permanent_delegate)?;

        // Funding source
        if args.initial_funding > 0 {
            let source = self
                .creator_token_account
                .as_ref()
                .ok_or(BountyError::FundingAccountMissing)?;
            require!(
                source.owner == self.creator.key() && source.mint == self.mint.key(),
                BountyError::WrongFundingAccount
            );
        }
        Ok(())
    }
}

/// Creates the bounty and its vault, and deposits `initial_funding` if any.
#[access_control(ctx.accounts.validate(&args))]
pub fn bounty_create(ctx: Context<BountyCreate>, args: BountyCreateArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = &ctx.accounts;
    let bounty_info = accounts.bounty.to_account_info();
    let bounty_key = bounty_info.key();
    let reviewer_count = args.reviewers.len();
    let mut bounty = Bounty {
        creator: accounts.creator.key(),
        dataset_id: args.dataset_id,
        nonce: args.nonce,
        metadata_uri: args.metadata_uri,
        mint: accounts.mint.key(),
        token_program: accounts.token_program.key(),
        vault: accounts.vault.key(),
        reward_per_submission: args.reward_per_submission,
        max_winners: args.max_winners,
        reviewers: args.reviewers,
        quorum: args.quorum,
        submission_deadline: args.submission_deadline,
        review_deadline: args.review_deadline,
        permanent_delegate_allowed: args.allow_permanent_delegate,
        funded: 0,
        reserved: 0,
        released: 0,
        refunded: 0,
        submissions: 0,
        pending: 0,
        accepted: 0,
        paid: 0,
        open_submission_accounts: 0,
        status: BountyStatus::Open,
        bump: ctx.bumps.bounty,
        vault_bump: ctx.bumps.vault,
        review_fee: args.review_fee,
        submission_bond: args.submission_bond,
        fees_reserved: 0,
        fees_paid: 0,
        bonds_received: 0,
        bonds_held: 0,
        bonds_returned: 0,
        bonds_forfeited: 0,
        pending_fee_shortfall: 0,
        fees_owed: vec![0; reviewer_count],
        reviewer_generations: vec![0; reviewer_count],
        parked_fees: Vec::new(),
    };

    let payer = accounts.payer.to_account_info();
    let system_program = accounts.system_program.to_account_info();
    let token_program = accounts.token_program.to_account_info();
    bounty.with_signer_seeds(|seeds| {
        pda_account::create(
            &payer,
            &bounty_info,
            &system_program,
            &crate::ID,
            8 + Bounty::INIT_SPACE,
            seeds[0],
        )
    })?;
    let vault_bump = [bounty.vault_bump];
    let vault_seeds: &[&[u8]] = &[SEED_VAULT, bounty_key.as_ref(), &vault_bump];
    pda_account::create_token_account(
        &payer,
        &accounts.vault.to_account_info(),
        &accounts.mint.to_account_info(),
        &bounty_info,
        &token_program,
        &system_program,
        vault_seeds,
    )?;

    let created = BountyCreated {
        bounty: bounty_key,
        creator: bounty.creator,
        dataset_id: bounty.dataset_id,
        nonce: bounty.nonce,
        metadata_uri: bounty.metadata_uri.clone(),
        mint: bounty.mint,
        token_program: bounty.token_program,
        vault: bounty.vault,
        reward_per_submission: bounty.reward_per_submission,
        max_winners: bounty.max_winners,
        reviewers: bounty.reviewers.clone(),
        quorum: bounty.quorum,
        submission_deadline: bounty.submission_deadline,
        review_deadline: bounty.review_deadline,
        permanent_delegate_allowed: bounty.permanent_delegate_allowed,
        created_at: now,
        review_fee: bounty.review_fee,
        submission_bond: bounty.submission_bond,
    };
    emit_cpi!(created);

    if let (Some(source), true) = (
        ctx.accounts.creator_token_account.as_ref(),
        args.initial_funding > 0,
    ) {
        let funded = deposit(
            &mut bounty,
            bounty_key,
            &ctx.accounts.vault.to_account_info(),
            &ctx.accounts.mint,
            &source.to_account_info(),
            &ctx.accounts.creator.to_account_info(),
            &token_program,
            args.initial_funding,
            now,
        )?;
        emit_cpi!(funded);
    }
    bounty.invariant()?;
    pda_account::write(&bounty_info, &bounty)
}
