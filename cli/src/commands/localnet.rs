//! `localnet`: runs `databounty-localnet`, the local chain, in the foreground. The
//! chain is a binary of its own (it links the whole Agave bank), so this command only
//! looks for it next to `databounty`, then on `PATH`, and hands it the arguments.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::Args;

const BINARY: &str = "databounty-localnet";

#[derive(Args)]
#[command(disable_help_flag = true)]
pub struct LocalnetArgs {
    /// Arguments for databounty-localnet (--port 8899, --slot-ms 400, --finality-slots 32, --help ...)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// `databounty-localnet` beside this executable (cargo build, cargo install), else the
/// name alone for a `PATH` lookup.
fn binary() -> PathBuf {
    let name = format!("{BINARY}{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(&name))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

pub async fn run(args: LocalnetArgs) -> Result<()> {
    let binary = binary();
    let mut child = match Command::new(&binary).args(&args.args).spawn() {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "{BINARY} is not installed: `cargo install --path localnet` (from the databounty repository) installs it"
        ),
        Err(err) => return Err(err).with_context(|| format!("cannot run {}", binary.display())),
    };
    // Ctrl-C reaches the child too (same process group); wait for it to stop.
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .context("waiting for the local chain")??;
    if !status.success() {
        bail!("{BINARY} exited with {status}");
    }
    Ok(())
}
