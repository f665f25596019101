//! `show`: a bounty or a submission, as stored on chain.

use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use clap::Args;
use databounty::state::{Bounty, Submission};
use databounty_sdk::amount;
use databounty_sdk::hash::hex;
use serde_json::{json, Value};

use crate::client::Client;
use crate::output::Output;
use crate::time::format_time;

#[derive(Args)]
pub struct ShowArgs {
    /// A bounty's or a submission's address
    address: Pubkey,
}

fn bounty_json(address: &Pubkey, b: &Bounty, decimals: u8) -> Value {
    json!({
        "bounty": address.to_string(),
        "creator": b.creator.to_string(),
        "dataset_id": hex(&b.dataset_id),
        "nonce": b.nonce,
        "metadata_uri": b.metadata_uri,
        "mint": b.mint.to_string(),
        "token_program": b.token_program.to_string(),
        "vault": b.vault.to_string(),
        "decimals": decimals,
        "reward_per_submission": b.reward_per_submission,
        "max_winners": b.max_winners,
        "reviewers": b.reviewers.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "quorum": b.quorum,
        "submission_deadline": b.submission_deadline,
        "review_deadline": b.review_deadline,
        "permanent_delegate_allowed": b.permanent_delegate_allowed,
        "funded": b.funded, "reserved": b.reserved, "released": b.released, "refunded": b.refunded,
        "submissions": b.submissions, "pending": b.pending, "accepted": b.accepted, "paid": b.paid,
        "open_submission_accounts": b.open_submission_accounts,
        "status": format!("{:?}", b.status),
    })
}

fn bounty_text(address: &Pubkey, b: &Bounty, decimals: u8) -> String {
    let tokens = |v: u64| amount::format(v, decimals);
    format!(
        "bounty {address} ({:?})\n  creator {}\n  mint {} ({} decimals)\n  reward {} × up to {} winners; quorum {} of {} reviewers\n  submissions until {}, reviews until {}\n  funded {}, reserved {}, released {}, refunded {}\n  submissions {} (pending {}, accepted {}, paid {})",
        b.status,
        b.creator,
        b.mint,
        decimals,
        tokens(b.reward_per_submission),
        b.max_winners,
        b.quorum,
        b.reviewers.len(),
        format_time(b.submission_deadline),
        format_time(b.review_deadline),
        tokens(b.funded),
        tokens(b.reserved),
        tokens(b.released),
        tokens(b.refunded),
        b.submissions,
        b.pending,
        b.accepted,
        b.paid
    )
}

fn submission_json(address: &Pubkey, s: &Submission) -> Value {
    json!({
        "submission": address.to_string(),
        "bounty": s.bounty.to_string(),
        "contributor": s.contributor.to_string(),
        "hash": hex(&s.hash),
        "uri": s.uri,
        "created_at": s.created_at,
        "approvals": s.approval_count(),
        "rejections": s.rejection_count(),
        "status": format!("{:?}", s.status),
        "decided_at": s.decided_at,
    })
}

fn submission_text(address: &Pubkey, s: &Submission) -> String {
    format!(
        "submission {address} ({:?})\n  bounty {}\n  contributor {}\n  hash {}\n  votes: {} approve, {} reject",
        s.status,
        s.bounty,
        s.contributor,
        hex(&s.hash),
        s.approval_count(),
        s.rejection_count()
    )
}

pub async fn run(client: &Client, args: ShowArgs) -> Result<Output> {
    let address = args.address;
    let account = client
        .account(&address)
        .await?
        .ok_or_else(|| anyhow!("{address} does not exist"))?;
    if account
        .data
        .starts_with(<Bounty as anchor_lang::Discriminator>::DISCRIMINATOR)
    {
        let bounty = client.bounty(&address).await?;
        let decimals = client
            .mint(&bounty.mint)
            .await
            .map(|m| m.decimals)
            .unwrap_or(0);
        return Ok(Output {
            text: bounty_text(&address, &bounty, decimals),
            json: bounty_json(&address, &bounty, decimals),
        });
    }
    let s = client.submission(&address).await?;
    Ok(Output {
        text: submission_text(&address, &s),
        json: submission_json(&address, &s),
    })
}
