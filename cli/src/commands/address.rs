//! `address`: the signing keypair's address, offline.

use anyhow::Result;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::config::Settings;
use crate::output::Output;

pub fn run(settings: &Settings) -> Result<Output> {
    let key = settings.keypair()?.pubkey();
    Ok(Output {
        text: key.to_string(),
        json: json!({ "pubkey": key.to_string() }),
    })
}
