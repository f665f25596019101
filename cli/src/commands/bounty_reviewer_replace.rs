//! `replace-reviewer`: give a reviewer's slot to a new key; the old reviewer's votes on
//! pending submissions stop counting, and fees still owed to it are paid or parked.

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty_sdk::accounts::{ata, ata_can_receive};
use databounty_sdk::instructions as ix;
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::output::{amount_note, Output};

#[derive(Args)]
#[command(group = clap::ArgGroup::new("slot").required(true))]
pub struct ReplaceReviewerArgs {
    /// The bounty (the keypair must be its creator)
    bounty: Pubkey,
    /// The slot to give away, by its position in the reviewer list (0 first; see `show`)
    #[arg(long, group = "slot")]
    index: Option<usize>,
    /// The slot to give away, by its reviewer's address
    #[arg(long, group = "slot")]
    old: Option<Pubkey>,
    /// The reviewer who takes the slot (not listed already)
    #[arg(long)]
    new: Pubkey,
    /// Park the fees owed to the old reviewer rather than pay them now [default: pay them
    /// now when a simulated claim succeeds]
    #[arg(long)]
    park: bool,
}

pub async fn run(client: &Client, args: ReplaceReviewerArgs) -> Result<Output> {
    let address = args.bounty;
    let creator = client.settings.keypair()?.pubkey();
    let (bounty, mint) = client.bounty_and_mint(&address).await?;
    let index = match (args.index, args.old) {
        (Some(index), _) => {
            if index >= bounty.reviewers.len() {
                bail!(
                    "--index {index}: bounty {address} has {} reviewers (0 to {})",
                    bounty.reviewers.len(),
                    bounty.reviewers.len().saturating_sub(1)
                );
            }
            index
        }
        (None, Some(old)) => match bounty.reviewer_index(&old) {
            Some(index) => index,
            None => bail!("--old {old} is not a reviewer of bounty {address}"),
        },
        (None, None) => bail!("name the slot with --index or --old"),
    };
    let old = bounty.reviewers[index];
    if bounty.reviewer_index(&args.new).is_some() {
        bail!(
            "--new {} is already a reviewer of bounty {address}",
            args.new
        );
    }
    // The program parks fees still owed to the old reviewer. When its associated token
    // account can take them, they are paid instead, by a claim (permissionless) just
    // before in the same transaction: the account is read first, and the claim simulated
    // for what a read cannot show (a paused mint, a new account that starts frozen).
    let owed = bounty.fees_owed.get(index).copied().unwrap_or(0);
    let to = ata(&old, &bounty.mint, &mint.token_program);
    let claim = ix::review_fee_claim(
        &creator,
        &address,
        &old,
        &bounty.mint,
        &mint.token_program,
        None,
    );
    let pay_now = owed > 0
        && !args.park
        && ata_can_receive(
            client
                .account(&to)
                .await?
                .as_ref()
                .map(|a| a.data.as_slice()),
            &old,
            &bounty.mint,
        )
        && client
            .would_succeed("review_fee_claim", std::slice::from_ref(&claim))
            .await?;
    let mut instructions = Vec::new();
    if pay_now {
        instructions.push(claim);
    }
    instructions.push(ix::bounty_reviewer_replace(
        &creator, &address, &old, &args.new,
    ));
    let signature = client
        .send("bounty_reviewer_replace", &instructions, &[])
        .await?;
    // Read back, so that a decision landing before the replacement is counted.
    let after = client.bounty(&address).await?;
    let generation = after
        .reviewer_generations
        .get(index)
        .copied()
        .unwrap_or_default();
    let parked = after
        .parked_fees
        .iter()
        .find(|p| p.reviewer == old)
        .map_or(0, |p| p.amount);
    let claimed = if pay_now { owed } else { 0 };
    let fees = amount_note(claimed, mint.decimals, |owed| {
        format!("\n  first paid {old} the {owed} in review fees owed")
    }) + &amount_note(parked, mint.decimals, |owed| {
        format!("\n  {owed} in review fees are parked for {old} (it claims them with `claim-fee {address} --to <another token account of its own>`, or anyone with `claim-fee {address} --reviewer {old}` once {to} can receive)")
    });
    Ok(Output {
        text: format!(
            "reviewer slot {index} of {address}: {old} replaced by {} (generation {generation}); {old}'s votes on pending submissions no longer count{fees}\n  signature {signature}",
            args.new
        ),
        json: json!({
            "bounty": address.to_string(),
            "index": index,
            "old_reviewer": old.to_string(),
            "new_reviewer": args.new.to_string(),
            "generation": generation,
            "fees_claimed": claimed,
            "fees_parked": parked,
            "signature": signature.to_string(),
        }),
    })
}
