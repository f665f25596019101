//! `attest`: recompute a submission's hash from the data received, and vote.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty_sdk::hash::{hex, submission_hash};
use databounty_sdk::instructions as ix;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::digest::digest_with_progress;
use crate::output::Output;

#[derive(Args)]
pub struct AttestArgs {
    /// The submission to vote on (the keypair must be one of its bounty's reviewers)
    submission: Pubkey,
    /// The data as received from the contributor: a file or a folder
    path: PathBuf,
    /// Vote to accept
    #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
    approve: bool,
    /// Vote to reject
    #[arg(long)]
    reject: bool,
}

pub async fn run(client: &Client, args: AttestArgs, quiet: bool) -> Result<Output> {
    let AttestArgs {
        submission: address,
        path,
        approve,
        ..
    } = args;
    let reviewer = client.settings.keypair()?;
    let submission = client.submission(&address).await?;
    let digest = digest_with_progress(&path, quiet)?;
    let hash = submission_hash(&submission.bounty, &submission.contributor, &digest);
    if hash != submission.hash {
        bail!(
            "the data at {} does not match submission {address}: it hashes to {}, the contributor registered {}",
            path.display(),
            hex(&hash),
            hex(&submission.hash)
        );
    }
    let instruction = ix::submission_attest(
        &reviewer.pubkey(),
        &submission.bounty,
        &address,
        hash,
        approve,
    );
    let signature = client
        .send("submission_attest", &[instruction], &[])
        .await?;
    let after = client.submission(&address).await?;
    Ok(Output {
        text: format!(
            "{} {address}: {} approvals, {} rejections, now {:?}",
            if approve { "approved" } else { "rejected" },
            after.approval_count(),
            after.rejection_count(),
            after.status
        ),
        json: json!({
            "submission": address.to_string(),
            "approve": approve,
            "approvals": after.approval_count(),
            "rejections": after.rejection_count(),
            "status": format!("{:?}", after.status),
            "signature": signature.to_string(),
        }),
    })
}
