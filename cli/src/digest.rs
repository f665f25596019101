//! Hashing delivered data, with a progress bar on a terminal for large data.

use std::path::Path;

use anyhow::{Context, Result};
use databounty_sdk::hash::{content_digest, content_size};
use indicatif::{ProgressBar, ProgressStyle};

/// The content digest of `path` (a file, or a folder through its manifest).
pub fn digest_with_progress(path: &Path, quiet: bool) -> Result<[u8; 32]> {
    let total = content_size(path).with_context(|| format!("reading {}", path.display()))?;
    let bar = if quiet || total < 8 << 20 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template("hashing {bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let digest = content_digest(path, |n| bar.inc(n))
        .with_context(|| format!("hashing {}", path.display()))?;
    bar.finish_and_clear();
    Ok(digest)
}
