//! `cancel`: no new submissions or funding; pending work stays reviewable.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::instructions as ix;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct CancelArgs {
    /// The bounty to cancel (the keypair must be its creator)
    bounty: Pubkey,
}

pub async fn run(client: &Client, CancelArgs { bounty }: CancelArgs) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let signature = client
        .send(
            "bounty_cancel",
            &[ix::bounty_cancel(&creator.pubkey(), &bounty)],
            &[],
        )
        .await?;
    Ok(Output {
        text: format!(
            "cancelled {bounty}; pending submissions stay reviewable until their review deadline"
        ),
        json: json!({ "bounty": bounty.to_string(), "signature": signature.to_string() }),
    })
}
