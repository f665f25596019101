//! `release`: pay an accepted submission to its contributor, with its bond back.

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty_sdk::accounts::ata;
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use super::payout_to_contributor;
use crate::client::Client;
use crate::output::{amount_note, Output};

#[derive(Args)]
pub struct ReleaseArgs {
    /// The accepted submission to pay (anyone may)
    submission: Pubkey,
    /// Payout token account [default: the contributor's associated token account, created
    /// if missing]; another account needs the contributor's signature (the keypair)
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
    let associated = ata(&submission.contributor, &bounty.mint, &mint.token_program);
    if to.is_some_and(|to| to != associated) && payer.pubkey() != submission.contributor {
        bail!(
            "--to other than the contributor's associated token account needs the contributor's signature; run with the contributor's keypair"
        );
    }
    // The program creates the associated token account if missing, at the crank's cost.
    let instruction = payout_to_contributor(
        ix::submission_release,
        &payer.pubkey(),
        &address,
        &submission,
        &bounty,
        &mint,
        to,
    );
    let to = to.unwrap_or(associated);
    let signature = client
        .send("submission_release", &[instruction], &[])
        .await?;
    // The same instruction returns the bond it held, right after the reward.
    let bond = submission.bond;
    let bond_text = amount_note(bond, mint.decimals, |bond| {
        format!("\n  returned its bond of {bond}")
    });
    Ok(Output {
        text: format!(
            "paid {} to {} for {address}{bond_text}\n  signature {signature}",
            amount::format(bounty.reward_per_submission, mint.decimals),
            submission.contributor
        ),
        json: json!({
            "submission": address.to_string(),
            "amount": bounty.reward_per_submission,
            "bond_returned": bond,
            "to": to.to_string(),
            "signature": signature.to_string(),
        }),
    })
}
