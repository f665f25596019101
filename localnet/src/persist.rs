//! The chain's state on disk (`--ledger DIR`), so that accounts and transaction
//! history survive a restart, as `solana-test-validator`'s `test-ledger` does.
//!
//! The bank cannot be snapshotted through its client, so what is kept is what the
//! RPC serves: every account a transaction named (programs and sysvars excepted: they
//! come with the bank), every executed transaction with its metadata, the blocks
//! and the clock. One file, rewritten (to a temporary file, then renamed) after each
//! slot in which something happened. After a restart the slot count goes on from
//! where it was; blockhashes handed out before it are no longer valid.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

use crate::chain::Block;
use crate::ledger::RecordedTransaction;

const FILE: &str = "databounty-localnet.state";
/// Bumped whenever the layout changes; an older file is refused, not misread.
const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a ledger this version can read (start with --reset to discard it)")]
    Format {
        path: PathBuf,
        #[source]
        source: bincode::Error,
    },
}

#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub slot: u64,
    pub unix_timestamp: i64,
    pub blocks: Vec<(u64, Block)>,
    pub accounts: Vec<(Pubkey, Account)>,
    pub transactions: Vec<RecordedTransaction>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The state saved in `dir`, if any.
pub fn load(dir: &Path) -> Result<Option<Snapshot>, PersistError> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io(&path)(err)),
    };
    let format = |source| PersistError::Format {
        path: path.clone(),
        source,
    };
    let (version, snapshot): (u32, Snapshot) = bincode::deserialize(&bytes).map_err(format)?;
    if version != VERSION {
        return Err(format(Box::new(bincode::ErrorKind::Custom(format!(
            "layout version {version}, expected {VERSION}"
        )))));
    }
    Ok(Some(snapshot))
}

pub fn save(dir: &Path, snapshot: &Snapshot) -> Result<(), PersistError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(FILE);
    let temporary = dir.join(format!("{FILE}.tmp"));
    let bytes =
        bincode::serialize(&(VERSION, snapshot)).map_err(|source| PersistError::Format {
            path: path.clone(),
            source,
        })?;
    std::fs::write(&temporary, bytes).map_err(io(&temporary))?;
    std::fs::rename(&temporary, &path).map_err(io(&path))
}

/// Forgets the state saved in `dir` (`--reset`).
pub fn reset(dir: &Path) -> Result<(), PersistError> {
    for name in [FILE.to_string(), format!("{FILE}.tmp")] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(io(&path)(err)),
        }
    }
    Ok(())
}
