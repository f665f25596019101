//! `create`: a bounty, funded at once with `--fund`.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Context, Result};
use clap::Args;
use databounty::instructions::BountyCreateArgs;
use databounty_sdk::accounts::ata;
use databounty_sdk::hash::{content_digest, parse_hex32};
use databounty_sdk::{amount, instructions as ix, pda};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;
use crate::time::parse_deadline;

#[derive(Args)]
pub struct CreateArgs {
    /// The reward token's mint (SPL Token or Token-2022)
    #[arg(long)]
    mint: Pubkey,
    /// Reward per accepted submission, in tokens (e.g. 2.5)
    #[arg(long)]
    reward: String,
    /// How many submissions can be accepted and paid at most
    #[arg(long)]
    max_winners: u32,
    /// A reviewer's address; repeat for each (at most 11, so that the transaction fits a packet)
    #[arg(long = "reviewer", required = true)]
    reviewers: Vec<Pubkey>,
    /// Approvals needed to accept
    #[arg(long)]
    quorum: u8,
    /// Last moment to submit: unix seconds, RFC 3339, or +duration from now (chain time), e.g. +7d
    #[arg(long)]
    submission_deadline: String,
    /// Last moment reviewers can vote; same forms as --submission-deadline
    #[arg(long)]
    review_deadline: String,
    /// 64 hex digits, or a file whose SHA-256 identifies the dataset (e.g. its manifest)
    #[arg(long)]
    dataset_id: String,
    /// Tells apart bounties of one creator for one dataset
    #[arg(long, default_value_t = 0)]
    nonce: u64,
    /// Task description and labelling guidelines (≤ 200 bytes)
    #[arg(long, default_value = "")]
    metadata_uri: String,
    /// Tokens to deposit now, from the keypair's associated token account
    #[arg(long, default_value = "0")]
    fund: String,
    /// Accept a mint whose permanent delegate could move escrowed tokens
    #[arg(long)]
    allow_permanent_delegate: bool,
    /// Paid to each reviewer whose vote agrees with a decision, in tokens; reserved at the
    /// decision and claimed with `claim-fee` (0: reviews are unpaid)
    #[arg(long, default_value = "0")]
    review_fee: String,
    /// Bond each submission posts, in tokens: returned with the reward or when the
    /// submission closes undecided, forfeited to the bounty on rejection (0: no bond)
    #[arg(long, default_value = "0")]
    submission_bond: String,
}

fn dataset_id(text: &str) -> Result<[u8; 32]> {
    if let Some(id) = parse_hex32(text) {
        return Ok(id);
    }
    let path = PathBuf::from(text);
    if path.exists() {
        return content_digest(&path, |_| {})
            .with_context(|| format!("hashing {}", path.display()));
    }
    bail!("--dataset-id must be 64 hex digits or an existing file or folder")
}

pub async fn run(client: &Client, args: CreateArgs) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let mint = client.mint(&args.mint).await?;
    let now = client.chain_time().await?;
    let reward = amount::parse(&args.reward, mint.decimals)?;
    let fund = amount::parse(&args.fund, mint.decimals)?;
    let review_fee = amount::parse(&args.review_fee, mint.decimals).context("--review-fee")?;
    let submission_bond =
        amount::parse(&args.submission_bond, mint.decimals).context("--submission-bond")?;
    let create_args = BountyCreateArgs {
        dataset_id: dataset_id(&args.dataset_id)?,
        nonce: args.nonce,
        metadata_uri: args.metadata_uri,
        reward_per_submission: reward,
        max_winners: args.max_winners,
        reviewers: args.reviewers,
        quorum: args.quorum,
        submission_deadline: parse_deadline(&args.submission_deadline, now)?,
        review_deadline: parse_deadline(&args.review_deadline, now)?,
        allow_permanent_delegate: args.allow_permanent_delegate,
        initial_funding: fund,
        review_fee,
        submission_bond,
    };
    let bounty = pda::bounty(
        &creator.pubkey(),
        &create_args.dataset_id,
        create_args.nonce,
    );
    if client
        .account(&bounty)
        .await?
        .is_some_and(|a| a.owner == databounty::ID)
    {
        bail!("bounty {bounty} already exists for this creator, dataset and nonce; pick another --nonce");
    }
    let source = (fund > 0).then(|| ata(&creator.pubkey(), &args.mint, &mint.token_program));
    let instruction = ix::bounty_create(
        &creator.pubkey(),
        &creator.pubkey(),
        &args.mint,
        &mint.token_program,
        source,
        create_args,
    );
    let signature = client.send("bounty_create", &[instruction], &[]).await?;
    let tokens = |v: u64| amount::format(v, mint.decimals);
    Ok(Output {
        text: format!(
            "created bounty {bounty}\n  vault {}\n  funded {} tokens\n  review fee {} per agreeing vote, submission bond {}\n  signature {signature}",
            pda::vault(&bounty),
            tokens(fund),
            tokens(review_fee),
            tokens(submission_bond),
        ),
        json: json!({
            "bounty": bounty.to_string(),
            "vault": pda::vault(&bounty).to_string(),
            "review_fee": review_fee,
            "submission_bond": submission_bond,
            "signature": signature.to_string(),
        }),
    })
}
