//! `claim-fee`: the review fees a bounty owes a reviewer (its slot's, or else those
//! parked when it was replaced), to their associated token account.

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty::state::FeesOwed;
use databounty_sdk::accounts::ata;
use databounty_sdk::{amount, instructions as ix};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::{amount_note, Output};

#[derive(Args)]
pub struct ClaimFeeArgs {
    /// The bounty that owes the fees (anyone may claim; the fees go to the reviewer)
    bounty: Pubkey,
    /// The reviewer to pay [default: the keypair's address]
    #[arg(long)]
    reviewer: Option<Pubkey>,
    /// Token account to pay [default: the reviewer's associated token account, created if
    /// missing]; another account needs the reviewer's signature (the keypair), e.g. when
    /// the associated one is frozen
    #[arg(long)]
    to: Option<Pubkey>,
}

pub async fn run(client: &Client, args: ClaimFeeArgs) -> Result<Output> {
    let address = args.bounty;
    let payer = client.settings.keypair()?.pubkey();
    let reviewer = args.reviewer.unwrap_or(payer);
    let (bounty, mint) = client.bounty_and_mint(&address).await?;
    // What the program will pay: the slot's fees first, and parked fees (a replaced
    // reviewer's) next; the parked ones left after a slot claim need another claim.
    let parked = bounty
        .parked_fees
        .iter()
        .find(|p| p.reviewer == reviewer)
        .map_or(0, |p| p.amount);
    let (owed, parked_left) = match bounty.fees_owed_to(&reviewer) {
        Ok(FeesOwed::Slot(slot)) => (bounty.fees_owed.get(slot).copied().unwrap_or(0), parked),
        Ok(FeesOwed::Parked(_)) => (parked, 0),
        Err(_) if bounty.reviewer_index(&reviewer).is_some() => {
            bail!("bounty {address} owes reviewer {reviewer} no review fees")
        }
        Err(_) => {
            bail!("{reviewer} is not a reviewer of bounty {address}, and no fees are parked for it")
        }
    };
    let associated = ata(&reviewer, &bounty.mint, &mint.token_program);
    if args.to.is_some_and(|to| to != associated) && payer != reviewer {
        bail!(
            "--to other than the reviewer's associated token account needs the reviewer's signature; run with the reviewer's keypair"
        );
    }
    // The program creates the reviewer's associated token account if missing, at the
    // crank's cost.
    let instruction = ix::review_fee_claim(
        &payer,
        &address,
        &reviewer,
        &bounty.mint,
        &mint.token_program,
        args.to,
    );
    let to = args.to.unwrap_or(associated);
    let signature = client.send("review_fee_claim", &[instruction], &[]).await?;
    let left = amount_note(parked_left, mint.decimals, |left| {
        format!("\n  {left} more are parked for {reviewer} (from a replacement): claim again")
    });
    Ok(Output {
        text: format!(
            "paid {} in review fees to {reviewer} ({to}){left}\n  signature {signature}",
            amount::format(owed, mint.decimals)
        ),
        json: json!({
            "bounty": address.to_string(),
            "reviewer": reviewer.to_string(),
            "amount": owed,
            "parked_left": parked_left,
            "to": to.to_string(),
            "signature": signature.to_string(),
        }),
    })
}
