//! `hash`: a file's or folder's content digest and submission hash, offline.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use clap::Args;
use databounty_sdk::hash::{hex, submission_hash};
use serde_json::json;

use crate::digest::digest_with_progress;
use crate::output::Output;

#[derive(Args)]
pub struct HashArgs {
    /// The data: a file, or a folder (hashed through its manifest)
    path: PathBuf,
    /// The bounty, to print the submission hash too (with --contributor)
    #[arg(long, requires = "contributor")]
    bounty: Option<Pubkey>,
    /// The contributor, to print the submission hash too (with --bounty)
    #[arg(long, requires = "bounty")]
    contributor: Option<Pubkey>,
}

pub fn run(args: &HashArgs, quiet: bool) -> Result<Output> {
    let digest = digest_with_progress(&args.path, quiet)?;
    let hash = args
        .bounty
        .zip(args.contributor)
        .map(|(b, c)| submission_hash(&b, &c, &digest));
    let mut text = format!("content digest {}", hex(&digest));
    if let Some(hash) = hash {
        text.push_str(&format!("\nsubmission hash {}", hex(&hash)));
    }
    Ok(Output {
        text,
        json: json!({ "content_digest": hex(&digest), "submission_hash": hash.map(|h| hex(&h)) }),
    })
}
