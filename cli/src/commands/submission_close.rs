//! `close-submission`: a final submission's rent back to its contributor.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::instructions as ix;
use serde_json::json;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct CloseSubmissionArgs {
    /// The submission to close, once it is final (anyone may)
    submission: Pubkey,
}

pub async fn run(
    client: &Client,
    CloseSubmissionArgs {
        submission: address,
    }: CloseSubmissionArgs,
) -> Result<Output> {
    let submission = client.submission(&address).await?;
    let rent = client.account(&address).await?.map_or(0, |a| a.lamports);
    let instruction = ix::submission_close(&submission.bounty, &address, &submission.contributor);
    let signature = client.send("submission_close", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "closed {address}; {rent} lamports back to {}",
            submission.contributor
        ),
        json: json!({ "submission": address.to_string(), "rent_returned": rent, "signature": signature.to_string() }),
    })
}
