//! `release`: pay an accepted submission to its contributor.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::accounts::{ata, create_ata_ix};
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct ReleaseArgs {
    /// The accepted submission to pay (anyone may)
    submission: Pubkey,
    /// Payout token account [default: the contributor's associated token account, created if missing]
    #[arg(long)]
    to: Option<Pubkey>,
}

pub async fn run(client: &Client, args: ReleaseArgs) -> Result<Output> {
    let ReleaseArgs {
        submission: address,
        to,
    } = args;
    let payer = client.settings.keypair()?;
    let submission = client.submission(&address).await?;
    let (bounty, mint) = client.bounty_and_mint(&submission.bounty).await?;
    let mut instructions = Vec::new();
    let to = match to {
        Some(to) => to,
        None => {
            instructions.push(create_ata_ix(
                &payer.pubkey(),
                &submission.contributor,
                &bounty.mint,
                &mint.token_program,
            ));
            ata(&submission.contributor, &bounty.mint, &mint.token_program)
        }
    };
    instructions.push(ix::submission_release(
        &submission.bounty,
        &address,
        &bounty.mint,
        &mint.token_program,
        &to,
    ));
    let signature = client
        .send("submission_release", &instructions, &[])
        .await?;
    Ok(Output {
        text: format!(
            "paid {} to {} for {address}\n  signature {signature}",
            amount::format(bounty.reward_per_submission, mint.decimals),
            submission.contributor
        ),
        json: json!({ "submission": address.to_string(), "amount": bounty.reward_per_submission, "to": to.to_string(), "signature": signature.to_string() }),
    })
}
