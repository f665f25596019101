//! `replace-reviewer`: give a reviewer's slot to a new key; the old reviewer's votes on
//! pending submissions stop counting.

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
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
    // The program refuses to replace a reviewer who is owed fees; a claim is
    // permissionless, so it goes first in the same transaction, to the old reviewer's
    // associated token account.
    let owed = bounty.fees_owed.get(index).copied().unwrap_or(0);
    let mut instructions = Vec::new();
    if owed > 0 {
        instructions.push(ix::review_fee_claim(
            &creator,
            &address,
            &old,
            &bounty.mint,
            &mint.token_program,
            None,
        ));
    }
    instructions.push(ix::bounty_reviewer_replace(
        &creator, &address, &old, &args.new,
    ));
    let signature = client
        .send("bounty_reviewer_replace", &instructions, &[])
        .await?;
    let generation = client
        .bounty(&address)
        .await?
        .reviewer_generations
        .get(index)
        .copied()
        .unwrap_or_default();
    let claimed = amount_note(owed, mint.decimals, |owed| {
        format!("\n  first paid {old} the {owed} in review fees owed")
    });
    Ok(Output {
        text: format!(
            "reviewer slot {index} of {address}: {old} replaced by {} (generation {generation}); {old}'s votes on pending submissions no longer count{claimed}\n  signature {signature}",
            args.new
        ),
        json: json!({
            "bounty": address.to_string(),
            "index": index,
            "old_reviewer": old.to_string(),
            "new_reviewer": args.new.to_string(),
            "generation": generation,
            "fees_claimed": owed,
            "signature": signature.to_string(),
        }),
    })
}
