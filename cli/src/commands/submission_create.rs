//! `submit`: hash the delivered data and register the submission.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::hash::{hex, submission_hash};
use databounty_sdk::{instructions as ix, pda};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::digest::digest_with_progress;
use crate::output::Output;

#[derive(Args)]
pub struct SubmitArgs {
    /// The bounty to submit to
    bounty: Pubkey,
    /// The delivered data: a file, or a folder (hashed through its manifest)
    path: PathBuf,
    /// Where reviewers can fetch the data
    #[arg(long)]
    uri: Option<String>,
}

pub async fn run(client: &Client, args: SubmitArgs, quiet: bool) -> Result<Output> {
    let bounty = args.bounty;
    let contributor = client.settings.keypair()?;
    // The terms this submission accepts, as read now: refused if the bounty changes under it.
    let terms = client.bounty(&bounty).await?.terms_hash();
    let digest = digest_with_progress(&args.path, quiet)?;
    let hash = submission_hash(&bounty, &contributor.pubkey(), &digest);
    let submission = pda::submission(&bounty, &contributor.pubkey(), &hash);
    let instruction = ix::submission_create(&contributor.pubkey(), &bounty, hash, args.uri, terms);
    let signature = client
        .send("submission_create", &[instruction], &[])
        .await?;
    Ok(Output {
        text: format!(
            "submitted {submission}\n  hash {}\n  content digest {}\n  signature {signature}",
            hex(&hash),
            hex(&digest)
        ),
        json: json!({
            "submission": submission.to_string(),
            "hash": hex(&hash),
            "content_digest": hex(&digest),
            "signature": signature.to_string(),
        }),
    })
}
