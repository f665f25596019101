//! `submit`: hash the delivered data and register the submission, posting the bounty's
//! bond when it asks one.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use clap::Args;
use databounty_sdk::accounts::{ata, token_balance};
use databounty_sdk::hash::{hex, submission_hash};
use databounty_sdk::instructions::{self as ix, BondAccounts};
use databounty_sdk::{amount, pda};
use serde_json::json;
use solana_sdk::signature::Signer;

use crate::client::Client;
use crate::digest::digest_with_progress;
use crate::output::Output;

#[derive(Args)]
pub struct SubmitArgs {
    /// The bounty to submit to
    bounty: Pubkey,
    /// The delivered data: a file, or a folder (hashed through its manifest)
    path: PathBuf,
    /// Where reviewers can fetch the data
    #[arg(long)]
    uri: Option<String>,
    /// Token account the bond is taken from, when the bounty asks one [default: the
    /// keypair's associated token account]
    #[arg(long)]
    bond_from: Option<Pubkey>,
}

pub async fn run(client: &Client, args: SubmitArgs, quiet: bool) -> Result<Output> {
    let bounty_address = args.bounty;
    let contributor = client.settings.keypair()?;
    let bounty = client.bounty(&bounty_address).await?;
    // The terms this submission accepts, as read now: refused if the bounty changes under it.
    let terms = bounty.terms_hash();
    let bond = bounty.submission_bond;
    let mut bond_text = String::new();
    let bond_accounts = if bond > 0 {
        let mint = client.mint(&bounty.mint).await?;
        let from = args
            .bond_from
            .unwrap_or_else(|| ata(&contributor.pubkey(), &bounty.mint, &mint.token_program));
        // Checked here so that a missing or short account is named, not reported as a
        // token program error code.
        let tokens = |v: u64| amount::format(v, mint.decimals);
        let held = match client.account(&from).await? {
            None => bail!(
                "this bounty asks a bond of {} tokens of mint {}, and the token account {from} does not exist; fund it, or name another with --bond-from",
                tokens(bond),
                bounty.mint
            ),
            Some(account) => token_balance(&account.data)
                .map_err(|_| anyhow::anyhow!("--bond-from {from} is not a token account"))?,
        };
        if held < bond {
            bail!(
                "this bounty asks a bond of {} tokens, and {from} holds only {}",
                tokens(bond),
                tokens(held)
            );
        }
        bond_text = format!(
            "\n  posted a bond of {} tokens from {from} (returned with the reward or if the submission closes undecided; forfeited if it is rejected)",
            tokens(bond)
        );
        Some(BondAccounts {
            mint: bounty.mint,
            token_program: mint.token_program,
            token_account: Some(from),
        })
    } else {
        None
    };
    let digest = digest_with_progress(&args.path, quiet)?;
    let hash = submission_hash(&bounty_address, &contributor.pubkey(), &digest);
    let submission = pda::submission(&bounty_address, &contributor.pubkey(), &hash);
    let instruction = match bond_accounts {
        Some(accounts) => ix::submission_create_with_bond(
            &contributor.pubkey(),
            &bounty_address,
            hash,
            args.uri,
            terms,
            accounts,
        ),
        None => ix::submission_create(
            &contributor.pubkey(),
            &bounty_address,
            hash,
            args.uri,
            terms,
        ),
    };
    let signature = client
        .send("submission_create", &[instruction], &[])
        .await?;
    Ok(Output {
        text: format!(
            "submitted {submission}\n  hash {}\n  content digest {}{bond_text}\n  signature {signature}",
            hex(&hash),
            hex(&digest)
        ),
        json: json!({
            "submission": submission.to_string(),
            "hash": hex(&hash),
            "content_digest": hex(&digest),
            "bond": bond,
            "signature": signature.to_string(),
        }),
    })
}
