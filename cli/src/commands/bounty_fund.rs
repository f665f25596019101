//! `fund`: more tokens into an open bounty.

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::accounts::ata;
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::Output;

#[derive(Args)]
pub struct FundArgs {
    /// The bounty to fund
    bounty: Pubkey,
    /// Amount in tokens, e.g. 12.5
    amount: String,
    /// Source token account [default: the keypair's associated token account]
    #[arg(long)]
    from: Option<Pubkey>,
}

pub async fn run(client: &Client, args: FundArgs) -> Result<Output> {
    let FundArgs {
        bounty: bounty_address,
        amount: text,
        from,
    } = args;
    let funder = client.settings.keypair()?;
    let (bounty, mint) = client.bounty_and_mint(&bounty_address).await?;
    let amount = amount::parse(&text, mint.decimals)?;
    let from = from.unwrap_or_else(|| ata(&funder.pubkey(), &bounty.mint, &mint.token_program));
    let instruction = ix::bounty_fund(
        &funder.pubkey(),
        &bounty_address,
        &bounty.mint,
        &mint.token_program,
        &from,
        amount,
    );
    let signature = client.send("bounty_fund", &[instruction], &[]).await?;
    let after = client.bounty(&bounty_address).await?;
    Ok(Output {
        text: format!(
            "funded {bounty_address}: sent {}, bounty now holds {} ({} reserved)",
            amount::format(amount, mint.decimals),
            amount::format(
                after
                    .funded
                    .saturating_sub(after.released)
                    .saturating_sub(after.refunded),
                mint.decimals
            ),
            amount::format(after.reserved, mint.decimals),
        ),
        json: json!({ "bounty": bounty_address.to_string(), "sent": amount, "funded": after.funded, "signature": signature.to_string() }),
    })
}
