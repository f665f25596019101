//! `attest`: recompute a submission's hash from the data received, and vote.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty::constants::MAX_URI_LEN;
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
    /// With --reject: why, as a code the bounty's reviewers agree on (1 to 65535), kept
    /// on the submission account
    #[arg(long, conflicts_with = "approve", value_parser = clap::value_parser!(u16).range(1..))]
    reason_code: Option<u16>,
    /// With --reject: where the reasons are explained (at most 200 bytes), kept in the
    /// vote's event
    #[arg(long, conflicts_with = "approve")]
    reason_uri: Option<String>,
}

pub async fn run(client: &Client, args: AttestArgs, quiet: bool) -> Result<Output> {
    let AttestArgs {
        submission: address,
        path,
        approve,
        reason_code,
        reason_uri,
        ..
    } = args;
    if let Some(uri) = &reason_uri {
        if uri.len() > MAX_URI_LEN {
            bail!(
                "--reason-uri is {} bytes; the program keeps at most {MAX_URI_LEN}",
                uri.len()
            );
        }
    }
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
    let instruction = ix::submission_attest_with_reason(
        &reviewer.pubkey(),
        &submission.bounty,
        &address,
        hash,
        approve,
        reason_code.unwrap_or(0),
        reason_uri.clone(),
    );
    let signature = client
        .send("submission_attest", &[instruction], &[])
        .await?;
    let after = client.submission(&address).await?;
    let reason = match (reason_code, &reason_uri) {
        (None, None) => String::new(),
        (code, uri) => format!(
            " (reason{}{})",
            code.map(|c| format!(" {c}")).unwrap_or_default(),
            uri.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
        ),
    };
    Ok(Output {
        text: format!(
            "{}{reason} {address}: {} approvals, {} rejections, now {:?}",
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
            "reason_code": reason_code.unwrap_or(0),
            "reason_uri": reason_uri,
            "signature": signature.to_string(),
        }),
    })
}
