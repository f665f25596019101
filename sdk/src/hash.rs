//! The submission hash: `SHA-256("databounty/submission/v1" || bounty || contributor ||
//! content_digest)`. Binding the contributor makes a hash copied from someone else's
//! pending transaction worthless to a front-runner; reviewers recompute it from the data
//! they received and the contributor recorded on chain.
//!
//! `content_digest` is the SHA-256 of a file, or for a folder the SHA-256 of its
//! canonical manifest: one line `path \t size \t sha256-hex \n` per file, with
//! `/`-separated relative paths, sorted by path bytes.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use databounty::constants::SUBMISSION_HASH_DOMAIN;
use sha2::{Digest, Sha256};

/// The hash a contributor registers and reviewers attest to.
pub fn submission_hash(
    bounty: &Pubkey,
    contributor: &Pubkey,
    content_digest: &[u8; 32],
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(SUBMISSION_HASH_DOMAIN);
    hasher.update(bounty.as_ref());
    hasher.update(contributor.as_ref());
    hasher.update(content_digest);
    hasher.finalize().into()
}

/// One file of a folder's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Relative to the folder, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// The terms hash a `submission_create` must name (`Bounty::terms_hash`), from the bounty
/// account's raw data as fetched from any RPC.
pub fn bounty_terms(bounty_data: &[u8]) -> anchor_lang::Result<[u8; 32]> {
    use anchor_lang::AccountDeserialize;
    let bounty = databounty::state::Bounty::try_deserialize(&mut &bounty_data[..])?;
    Ok(bounty.terms_hash())
}

/// The canonical manifest text of a folder's entries (sorted here, whatever their order).
pub fn manifest_text(entries: &[ManifestEntry]) -> String {
    let mut sorted: Vec<&ManifestEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    sorted
        .iter()
        .map(|e| format!("{}\t{}\t{}\n", e.path, e.size, hex(&e.sha256)))
        .collect()
}

/// SHA-256 of the canonical manifest.
pub fn manifest_digest(entries: &[ManifestEntry]) -> [u8; 32] {
    Sha256::digest(manifest_text(entries).as_bytes()).into()
}

/// SHA-256 of everything `reader` yields; `progress` is told each chunk's length.
pub fn reader_digest(mut reader: impl Read, mut progress: impl FnMut(u64)) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        progress(n as u64);
    }
    Ok(hasher.finalize().into())
}

/// Every regular file under `root` (recursively), as `(relative path, absolute path, size)`.
/// Symbolic links and non-UTF-8 names are refused: they would make the digest depend on
/// the machine that computes it.
pub fn list_files(root: &Path) -> io::Result<Vec<(String, PathBuf, u64)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_symlink() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is a symbolic link; links are not hashed",
                        path.display()
                    ),
                ));
            }
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).map_err(io::Error::other)?;
            let parts: Option<Vec<&str>> = relative
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect();
            let name = parts.map(|p| p.join("/")).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is not valid UTF-8", path.display()),
                )
            })?;
            let size = entry.metadata()?.len();
            out.push((name, path, size));
        }
    }
    Ok(out)
}

/// The content digest of a file, or of a folder through its manifest. `progress` is told
/// how many bytes were hashed as it goes; [`content_size`] gives the total.
pub fn content_digest(path: &Path, mut progress: impl FnMut(u64)) -> io::Result<[u8; 32]> {
    if !path.is_dir() {
        return reader_digest(File::open(path)?, progress);
    }
    let mut entries = Vec::new();
    for (name, file, size) in list_files(path)? {
        let sha256 = reader_digest(File::open(&file)?, &mut progress)?;
        entries.push(ManifestEntry {
            path: name,
            size,
            sha256,
        });
    }
    Ok(manifest_digest(&entries))
}

/// Bytes [`content_digest`] will read.
pub fn content_size(path: &Path) -> io::Result<u64> {
    if !path.is_dir() {
        return Ok(std::fs::metadata(path)?.len());
    }
    Ok(list_files(path)?.iter().map(|(_, _, size)| size).sum())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses 64 hex digits into 32 bytes.
pub fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_of_an_empty_file() {
        // SHA-256 of no bytes.
        let digest = reader_digest(&[][..], |_| {}).unwrap();
        assert_eq!(
            hex(&digest),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn submission_hash_binds_the_contributor_and_the_bounty() {
        let digest = [7u8; 32];
        let (b1, b2, c1, c2) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let h = submission_hash(&b1, &c1, &digest);
        assert_ne!(h, submission_hash(&b1, &c2, &digest));
        assert_ne!(h, submission_hash(&b2, &c1, &digest));
        assert_ne!(h, submission_hash(&b1, &c1, &[8u8; 32]));
        assert_eq!(h, submission_hash(&b1, &c1, &digest));
    }

    #[test]
    fn folder_digest_is_the_sorted_manifest_and_ignores_listing_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/x.txt"), b"xx").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
        let mut seen = 0;
        let digest = content_digest(dir.path(), |n| seen += n).unwrap();
        assert_eq!(seen, 3);
        assert_eq!(content_size(dir.path()).unwrap(), 3);

        let a = reader_digest(&b"a"[..], |_| {}).unwrap();
        let x = reader_digest(&b"xx"[..], |_| {}).unwrap();
        let expected = format!("a.txt\t1\t{}\nb/x.txt\t2\t{}\n", hex(&a), hex(&x));
        let entries = [
            ManifestEntry {
                path: "b/x.txt".into(),
                size: 2,
                sha256: x,
            },
            ManifestEntry {
                path: "a.txt".into(),
                size: 1,
                sha256: a,
            },
        ];
        assert_eq!(manifest_text(&entries), expected);
        let want: [u8; 32] = Sha256::digest(expected.as_bytes()).into();
        assert_eq!(digest, want);
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let bytes = [0xabu8; 32];
        assert_eq!(parse_hex32(&hex(&bytes)), Some(bytes));
        assert_eq!(parse_hex32("zz"), None);
        assert_eq!(parse_hex32(&"g".repeat(64)), None);
        assert_eq!(parse_hex32(&"é".repeat(32)), None);
    }
}
