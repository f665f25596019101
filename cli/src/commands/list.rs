//! `list`: bounties, or the submissions of one bounty, from the program's events in
//! the transactions that touched an address. Works on any RPC: no indexer needed.

use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use clap::Subcommand;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::hex;
use databounty_sdk::paging::{all_pages, PagingError, PAGE_LIMIT};
use serde_json::{json, Value};
use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_client::rpc_config::RpcTransactionConfig;
use solana_sdk::signature::{ParseSignatureError, Signature};
use solana_transaction_status_client_types::UiTransactionEncoding;

use crate::client::{self, rpc_error, Client};
use crate::output::Output;

#[derive(Subcommand)]
pub enum ListCommand {
    /// Bounties created through the program (optionally of one creator)
    Bounties {
        /// Only this creator's bounties
        #[arg(long)]
        creator: Option<Pubkey>,
    },
    /// The submissions of a bounty
    Submissions {
        /// The bounty whose submissions to list
        bounty: Pubkey,
    },
}

/// Why an address's history could not be listed.
#[derive(Debug, thiserror::Error)]
enum ListingError {
    #[error(transparent)]
    Rpc(#[from] client::Error),
    #[error("the RPC listed a malformed signature {0:?}")]
    BadSignature(String, #[source] ParseSignatureError),
}

fn signature(text: &str) -> Result<Signature, ListingError> {
    text.parse()
        .map_err(|e| ListingError::BadSignature(text.to_string(), e))
}

/// The signatures of the successful transactions that touched `address`, oldest first.
/// Pages through [`all_pages`], which continues from the last entry of each page,
/// failed or not.
async fn successful_signatures(client: &Client, address: &Pubkey) -> Result<Vec<Signature>> {
    let entries = all_pages(PAGE_LIMIT, |before| async move {
        let config = GetConfirmedSignaturesForAddress2Config {
            before: before.as_deref().map(signature).transpose()?,
            until: None,
            limit: Some(PAGE_LIMIT),
            commitment: Some(client.settings.commitment),
        };
        let page = client
            .rpc
            .get_signatures_for_address_with_config(address, config)
            .await
            .map_err(rpc_error(format!("listing {address}")))?;
        Ok::<_, ListingError>(page)
    })
    .await
    .map_err(|err| match err {
        PagingError::Fetch(err) => anyhow::Error::new(err),
        other => anyhow::Error::new(other).context(format!("listing {address}")),
    })?;
    let signatures = entries
        .iter()
        .rev()
        .filter(|entry| entry.err.is_none())
        .map(|entry| signature(&entry.signature))
        .collect::<Result<_, _>>()?;
    Ok(signatures)
}

/// Events of the program in transactions that touched `address`, oldest first.
pub(crate) async fn events_touching(
    client: &Client,
    address: &Pubkey,
) -> Result<Vec<DatabountyEvent>> {
    let mut events = Vec::new();
    for signature in successful_signatures(client, address).await? {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(client.settings.commitment),
            max_supported_transaction_version: Some(0),
        };
        let tx = client
            .rpc
            .get_transaction_with_config(&signature, config)
            .await
            .map_err(rpc_error(format!("reading {signature}")))?;
        let found = databounty_sdk::transaction::find_events(&databounty::ID, &tx)
            .with_context(|| format!("reading {signature}"))?;
        events.extend(found.into_iter().filter_map(|f| f.event.ok()));
    }
    Ok(events)
}

/// A listing: one line and one JSON object per row, or `empty` when there are none.
fn listing(rows: Vec<(String, Value)>, empty: &str) -> Output {
    let (lines, json): (Vec<String>, Vec<Value>) = rows.into_iter().unzip();
    Output {
        text: if lines.is_empty() {
            empty.to_string()
        } else {
            lines.join("\n")
        },
        json: Value::Array(json),
    }
}

/// An account's status, or "Closed" once it is gone.
fn status_or_closed(status: Option<impl std::fmt::Debug>) -> String {
    status.map_or_else(|| "Closed".to_string(), |s| format!("{s:?}"))
}

/// Creation events keyed by address, each address once: a bounty re-created, or a hash
/// registered again, at the same address is one account now, listed with its current
/// state.
fn each_address_once<T>(created: impl IntoIterator<Item = (Pubkey, T)>) -> Vec<T> {
    let mut listed = HashSet::new();
    created
        .into_iter()
        .filter(|(address, _)| listed.insert(*address))
        .map(|(_, event)| event)
        .collect()
}

async fn bounties(client: &Client, creator: Option<Pubkey>) -> Result<Output> {
    let mut rows = Vec::new();
    let events = events_touching(client, &creator.unwrap_or(databounty::ID)).await?;
    let created = events.into_iter().filter_map(|event| match event {
        DatabountyEvent::BountyCreated(c) if creator.is_none_or(|k| k == c.creator) => {
            Some((c.bounty, c))
        }
        _ => None,
    });
    for created in each_address_once(created) {
        let state = client.bounty(&created.bounty).await.ok();
        let status = status_or_closed(state.map(|b| b.status));
        let line = format!(
            "{}  {status:<9}  dataset {}",
            created.bounty,
            &hex(&created.dataset_id)[..16]
        );
        let json = json!({ "bounty": created.bounty.to_string(), "creator": created.creator.to_string(), "status": status });
        rows.push((line, json));
    }
    Ok(listing(rows, "no bounties"))
}

async fn submissions(client: &Client, bounty: Pubkey) -> Result<Output> {
    let mut rows = Vec::new();
    let events = events_touching(client, &bounty).await?;
    let created = events.into_iter().filter_map(|event| match event {
        DatabountyEvent::SubmissionCreated(c) if c.bounty == bounty => Some((c.submission, c)),
        _ => None,
    });
    for created in each_address_once(created) {
        let state = client.submission(&created.submission).await.ok();
        let status = status_or_closed(state.map(|s| s.status));
        let line = format!(
            "{}  {status:<8}  contributor {}",
            created.submission, created.contributor
        );
        let json = json!({ "submission": created.submission.to_string(), "contributor": created.contributor.to_string(), "status": status });
        rows.push((line, json));
    }
    Ok(listing(rows, "no submissions"))
}

pub async fn run(client: &Client, command: ListCommand) -> Result<Output> {
    match command {
        ListCommand::Bounties { creator } => bounties(client, creator).await,
        ListCommand::Submissions { bounty } => submissions(client, bounty).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_created_again_is_listed_once() {
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let created = [(a, "a, first"), (b, "b"), (a, "a, again")];
        assert_eq!(each_address_once(created), ["a, first", "b"]);
    }
}
