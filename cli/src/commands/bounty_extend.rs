//! `extend`: later deadlines, more winner slots; never the other way.

use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use clap::Args;
use databounty::instructions::BountyExtendArgs;
use databounty_sdk::instructions as ix;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;
use crate::time::{format_time, parse_deadline};

#[derive(Args)]
#[command(group = clap::ArgGroup::new("change").required(true).multiple(true))]
pub struct ExtendArgs {
    /// The bounty to extend (the keypair must be its creator; only while it takes submissions)
    bounty: Pubkey,
    /// New last moment to submit, no earlier than the current one: unix seconds, RFC 3339,
    /// or +duration from now (chain time) [default: unchanged]
    #[arg(long, group = "change")]
    submission_deadline: Option<String>,
    /// New last moment to vote, no earlier than the current one and at most 180 days
    /// after the submission deadline; same forms [default: unchanged]
    #[arg(long, group = "change")]
    review_deadline: Option<String>,
    /// New number of winners, no fewer than the current one [default: unchanged]
    #[arg(long, group = "change")]
    max_winners: Option<u32>,
}

pub async fn run(client: &Client, args: ExtendArgs) -> Result<Output> {
    let address = args.bounty;
    let creator = client.settings.keypair()?;
    let bounty = client.bounty(&address).await?;
    let now = client.chain_time().await?;
    let deadline = |text: Option<&str>, current: i64, flag: &str| -> Result<i64> {
        text.map_or(Ok(current), |t| {
            parse_deadline(t, now).context(flag.to_string())
        })
    };
    // The program refuses anything that shrinks (SubmissionDeadlineShortened and its
    // kin, with their messages), so the CLI sends what was asked as it is.
    let extend = BountyExtendArgs {
        submission_deadline: deadline(
            args.submission_deadline.as_deref(),
            bounty.submission_deadline,
            "--submission-deadline",
        )?,
        review_deadline: deadline(
            args.review_deadline.as_deref(),
            bounty.review_deadline,
            "--review-deadline",
        )?,
        max_winners: args.max_winners.unwrap_or(bounty.max_winners),
    };
    let instruction = ix::bounty_extend(&creator.pubkey(), &address, extend.clone());
    let signature = client.send("bounty_extend", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "extended {address}\n  submissions until {} (was {})\n  reviews until {} (was {})\n  up to {} winners (was {})\n  signature {signature}",
            format_time(extend.submission_deadline),
            format_time(bounty.submission_deadline),
            format_time(extend.review_deadline),
            format_time(bounty.review_deadline),
            extend.max_winners,
            bounty.max_winners,
        ),
        json: json!({
            "bounty": address.to_string(),
            "submission_deadline": extend.submission_deadline,
            "review_deadline": extend.review_deadline,
            "max_winners": extend.max_winners,
            "signature": signature.to_string(),
        }),
    })
}
