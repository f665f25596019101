//! `close`: an empty bounty and its vault, rent to the creator.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::instructions as ix;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct CloseArgs {
    /// The bounty to close (the keypair must be its creator)
    bounty: Pubkey,
}

pub async fn run(client: &Client, CloseArgs { bounty: address }: CloseArgs) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let (bounty, mint) = client.bounty_and_mint(&address).await?;
    let instruction = ix::bounty_close(
        &creator.pubkey(),
        &address,
        &bounty.mint,
        &mint.token_program,
    );
    let signature = client.send("bounty_close", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "closed bounty {address} and its vault; rent back to {}",
            creator.pubkey()
        ),
        json: json!({ "bounty": address.to_string(), "signature": signature.to_string() }),
    })
}
