//! `airdrop`: SOL from the cluster's faucet.

use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::{rpc_error, Client};
use crate::output::Output;

#[derive(Args)]
pub struct AirdropArgs {
    /// SOL
    amount: f64,
    /// Recipient [default: the keypair's address]
    to: Option<Pubkey>,
}

pub async fn run(client: &Client, args: AirdropArgs) -> Result<Output> {
    let sol = args.amount;
    if !(sol.is_finite() && sol > 0.0) {
        bail!("the amount must be a positive number of SOL");
    }
    let to = match args.to {
        Some(to) => to,
        None => client.settings.keypair()?.pubkey(),
    };
    let lamports = (sol * 1e9).round() as u64;
    let signature = client
        .rpc
        .request_airdrop(&to, lamports)
        .await
        .map_err(rpc_error("airdrop failed"))?;
    for _ in 0..120 {
        if client
            .rpc
            .confirm_transaction(&signature)
            .await
            .unwrap_or(false)
        {
            return Ok(Output {
                text: format!("airdropped {sol} SOL to {to}"),
                json: json!({ "to": to.to_string(), "lamports": lamports, "signature": signature.to_string() }),
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("airdrop {signature} was not confirmed in 30 s")
}
