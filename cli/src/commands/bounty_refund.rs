//! `refund`: unreserved funds back to the creator.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct RefundArgs {
    /// The bounty to refund (anyone may; the tokens go to its creator)
    bounty: Pubkey,
}

pub async fn run(client: &Client, RefundArgs { bounty: address }: RefundArgs) -> Result<Output> {
    let payer = client.settings.keypair()?.pubkey();
    let (bounty, mint) = client.bounty_and_mint(&address).await?;
    // The program creates the creator's associated token account if missing, at the
    // crank's cost.
    let instruction = ix::bounty_refund(
        &payer,
        &address,
        &bounty.creator,
        &bounty.mint,
        &mint.token_program,
        None,
    );
    let signature = client.send("bounty_refund", &[instruction], &[]).await?;
    // What the chain says, not what was asked: untracked tokens may have been swept too.
    let refunded = client
        .bounty(&address)
        .await?
        .refunded
        .saturating_sub(bounty.refunded);
    Ok(Output {
        text: format!(
            "refunded {} to the creator {}\n  signature {signature}",
            amount::format(refunded, mint.decimals),
            bounty.creator
        ),
        json: json!({ "bounty": address.to_string(), "refunded": refunded, "signature": signature.to_string() }),
    })
}
