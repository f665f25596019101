//! `keygen`: a new keypair file, offline.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use serde_json::json;
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};

use crate::output::Output;

#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the keypair (JSON, as the Solana CLI writes it)
    outfile: PathBuf,
    /// Overwrite the file if it exists
    #[arg(long)]
    force: bool,
}

pub fn run(args: &KeygenArgs) -> Result<Output> {
    let outfile = &args.outfile;
    if outfile.exists() && !args.force {
        bail!("{} exists; pass --force to overwrite it", outfile.display());
    }
    if let Some(parent) = outfile.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let key = Keypair::new();
    // The writer's error is not `Send`; its message is what can be kept.
    write_keypair_file(&key, outfile)
        .map_err(|e| anyhow!("cannot write {}: {e}", outfile.display()))?;
    Ok(Output {
        text: format!("wrote {} ({})", outfile.display(), key.pubkey()),
        json: json!({ "pubkey": key.pubkey().to_string(), "path": outfile }),
    })
}
