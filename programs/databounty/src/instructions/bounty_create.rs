use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MAX_REVIEWERS, MAX_URI_LEN, SEED_BOUNTY, SEED_VAULT};
use crate::errors::BountyError;
use crate::events::BountyCreated;
use crate::instructions::bounty_fund::deposit;
use crate::state::{Bounty, BountyStatus};
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
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: BountyCreateArgs)]
pub struct BountyCreate<'info> {
    /// Pays the rent of the bounty and its vault.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub creator: Signer<'info>,
    #[account(
        init,
        payer = payer,
        space = 8 + Bounty::INIT_SPACE,
        seeds = [SEED_BOUNTY, creator.key().as_ref(), args.dataset_id.as_ref(), &args.nonce.to_le_bytes()],
        bump,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [SEED_VAULT, bounty.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = bounty,
        token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Source of `initial_funding`; required only when it is not zero.
    #[account(mut)]
    pub creator_token_account: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl BountyCreate<'_> {
    fn validate(&self, args: &BountyCreateArgs) -> Result<()> {
        // Arguments
        require!(
            args.metadata_uri.len() <= MAX_URI_LEN,
            BountyError::MetadataUriTooLong
        );
        require!(args.reward_per_submission > 0, BountyError::ZeroReward);
        require!(args.max_winners > 0, BountyError::ZeroMaxWinners);
        args.reward_per_submission
            .checked_mul(u64::from(args.max_winners))
            .ok_or(BountyError::BudgetOverflow)?;

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
    let bounty = &mut ctx.accounts.bounty;
    bounty.set_inner(Bounty {
        creator: ctx.accounts.creator.key(),
        dataset_id: args.dataset_id,
        nonce: args.nonce,
        metadata_uri: args.metadata_uri,
        mint: ctx.accounts.mint.key(),
        token_program: ctx.accounts.token_program.key(),
        vault: ctx.accounts.vault.key(),
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
    });
    let bounty = &ctx.accounts.bounty;
    emit_cpi!(BountyCreated {
        bounty: bounty.key(),
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
    });

    if let Some(source) = ctx.accounts.creator_token_account.as_ref() {
        if args.initial_funding > 0 {
            let event = deposit(
                &mut ctx.accounts.bounty,
                &mut ctx.accounts.vault,
                &ctx.accounts.mint,
                &source.to_account_info(),
                &ctx.accounts.creator.to_account_info(),
                &ctx.accounts.token_program.to_account_info(),
                args.initial_funding,
                now,
            )?;
            emit_cpi!(event);
        }
    }
    ctx.accounts.bounty.invariant()
}
