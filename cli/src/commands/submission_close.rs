//! `close-submission`: a final submission's rent back to its contributor, and the bond
//! of one that closes undecided.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty::state::SubmissionStatus;
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use super::payout_to_contributor;
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
    // Only an undecided submission still holds its bond here (a paid one's came back at
    // release, a rejected one's was forfeited); the program then needs the accounts to
    // return it, to the contributor's associated token account (created at the crank's
    // cost if missing).
    let bond = if submission.status == SubmissionStatus::Pending {
        submission.bond
    } else {
        0
    };
    let (instruction, bond_text) = if bond > 0 {
        let payer = client.settings.keypair()?;
        let (bounty, mint) = client.bounty_and_mint(&submission.bounty).await?;
        let instruction = payout_to_contributor(
            ix::submission_close_returning_bond,
            &payer.pubkey(),
            &address,
            &submission,
            &bounty,
            &mint,
            None,
        );
        let text = format!("; bond of {} returned", amount::format(bond, mint.decimals));
        (instruction, text)
    } else {
        let instruction =
            ix::submission_close(&submission.bounty, &address, &submission.contributor);
        (instruction, String::new())
    };
    let signature = client.send("submission_close", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "closed {address}; {rent} lamports back to {}{bond_text}",
            submission.contributor
        ),
        json: json!({
            "submission": address.to_string(),
            "rent_returned": rent,
            "bond_returned": bond,
            "signature": signature.to_string(),
        }),
    })
}
