//! One module per command group, each owning its clap arguments and its `run`, named
//! noun-first like the program's instructions. Every command returns an [`Output`].
//!
//! Commands split in two: [`LocalCommand`]s run on this machine alone and never build
//! an RPC client; [`ChainCommand`]s read or write through one.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Subcommand;
use databounty::state::{Bounty, Submission};
use solana_sdk::instruction::Instruction;

use crate::client::{Client, MintInfo};
use crate::config::Settings;
use crate::output::Output;

pub mod address;
pub mod airdrop;
pub mod bounty_cancel;
pub mod bounty_close;
pub mod bounty_create;
pub mod bounty_extend;
pub mod bounty_fund;
pub mod bounty_refund;
pub mod bounty_reviewer_replace;
pub mod hash;
pub mod keygen;
pub mod list;
pub mod localnet;
pub mod review_fee_claim;
pub mod show;
pub mod submission_attest;
pub mod submission_close;
pub mod submission_create;
pub mod submission_release;
pub mod token;

#[derive(Subcommand)]
pub enum Command {
    #[command(flatten)]
    Local(LocalCommand),
    #[command(flatten)]
    Chain(ChainCommand),
}

/// Commands that need no RPC connection.
#[derive(Subcommand)]
pub enum LocalCommand {
    /// Run the local chain (the real Agave bank with the program, over JSON-RPC)
    Localnet(localnet::LocalnetArgs),
    /// Write a new keypair file
    Keygen(keygen::KeygenArgs),
    /// Print the keypair's address
    Address,
    /// Print the content digest of a file or folder, and the submission hash
    Hash(hash::HashArgs),
}

/// Commands that read or write the chain through the RPC.
#[derive(Subcommand)]
pub enum ChainCommand {
    /// Request SOL from the cluster's faucet (local chain, devnet)
    Airdrop(airdrop::AirdropArgs),
    /// Test-token helpers: create a mint, mint to an owner, show a balance
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Create a bounty (and fund it with --fund)
    Create(bounty_create::CreateArgs),
    /// Add funds to an open bounty
    Fund(bounty_fund::FundArgs),
    /// Hash a file or folder and register the submission
    Submit(submission_create::SubmitArgs),
    /// Recompute a submission's hash from the data received, and vote
    Attest(submission_attest::AttestArgs),
    /// Pay an accepted submission to its contributor (anyone may)
    Release(submission_release::ReleaseArgs),
    /// Cancel a bounty: no new submissions or funding; pending work stays reviewable
    Cancel(bounty_cancel::CancelArgs),
    /// Return unreserved funds to the creator (anyone may)
    Refund(bounty_refund::RefundArgs),
    /// Return a final submission's rent to its contributor (anyone may)
    CloseSubmission(submission_close::CloseSubmissionArgs),
    /// Close an empty bounty and its vault, rent to the creator
    Close(bounty_close::CloseArgs),
    /// Move a bounty's deadlines later or add winner slots (creator, while it takes submissions)
    Extend(bounty_extend::ExtendArgs),
    /// Give a reviewer's slot to a new key; the old one's votes on pending work stop counting
    ReplaceReviewer(bounty_reviewer_replace::ReplaceReviewerArgs),
    /// Pay a reviewer the review fees a bounty owes them (anyone may)
    ClaimFee(review_fee_claim::ClaimFeeArgs),
    /// Show a bounty or a submission
    Show(show::ShowArgs),
    /// List bounties, or the submissions of one bounty
    #[command(subcommand)]
    List(list::ListCommand),
}

impl LocalCommand {
    /// Runs the command; `settings` resolves the signer only for the commands that
    /// need one. The local chain prints as it goes and returns nothing to print.
    pub async fn run(
        self,
        settings: impl FnOnce() -> Result<Settings>,
        json: bool,
    ) -> Result<Option<Output>> {
        Ok(Some(match self {
            Self::Localnet(args) => {
                localnet::run(args).await?;
                return Ok(None);
            }
            Self::Keygen(args) => keygen::run(&args)?,
            Self::Address => address::run(&settings()?)?,
            Self::Hash(args) => hash::run(&args, json)?,
        }))
    }
}

impl ChainCommand {
    /// Runs the command through `client`; `json` also hides progress bars.
    pub async fn run(self, client: &Client, json: bool) -> Result<Output> {
        match self {
            Self::Airdrop(args) => airdrop::run(client, args).await,
            Self::Token(command) => token::run(client, command).await,
            Self::Create(args) => bounty_create::run(client, args).await,
            Self::Fund(args) => bounty_fund::run(client, args).await,
            Self::Submit(args) => submission_create::run(client, args, json).await,
            Self::Attest(args) => submission_attest::run(client, args, json).await,
            Self::Release(args) => submission_release::run(client, args).await,
            Self::Cancel(args) => bounty_cancel::run(client, args).await,
            Self::Refund(args) => bounty_refund::run(client, args).await,
            Self::CloseSubmission(args) => submission_close::run(client, args).await,
            Self::Close(args) => bounty_close::run(client, args).await,
            Self::Extend(args) => bounty_extend::run(client, args).await,
            Self::ReplaceReviewer(args) => bounty_reviewer_replace::run(client, args).await,
            Self::ClaimFee(args) => review_fee_claim::run(client, args).await,
            Self::Show(args) => show::run(client, args).await,
            Self::List(command) => list::run(client, command).await,
        }
    }
}

/// An SDK builder of a payout from a submission's bounty to its contributor, cranked by a
/// payer: `submission_release`, `submission_close_returning_bond`.
type ContributorPayout =
    fn(&Pubkey, &Pubkey, &Pubkey, &Pubkey, &Pubkey, &Pubkey, Option<Pubkey>) -> Instruction;

/// `build` for the submission at `address`, cranked by `payer`, to `to` (`None`: the
/// contributor's associated token account).
fn payout_to_contributor(
    build: ContributorPayout,
    payer: &Pubkey,
    address: &Pubkey,
    submission: &Submission,
    bounty: &Bounty,
    mint: &MintInfo,
    to: Option<Pubkey>,
) -> Instruction {
    build(
        payer,
        &submission.bounty,
        address,
        &submission.contributor,
        &bounty.mint,
        &mint.token_program,
        to,
    )
}
