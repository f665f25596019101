//! Where to connect and who signs, the Solana CLI way: flags first, then the Solana CLI
//! config file (`~/.config/solana/cli/config.yml`), then the defaults.

use std::path::{Path, PathBuf};

use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::{read_keypair_file, Keypair};

/// Expands the Solana CLI's URL monikers.
pub fn url_for(moniker: &str) -> String {
    match moniker {
        "localhost" | "l" => "http://localhost:8899".into(),
        "devnet" | "d" => "https://api.devnet.solana.com".into(),
        "testnet" | "t" => "https://api.testnet.solana.com".into(),
        "mainnet-beta" | "m" => "https://api.mainnet-beta.solana.com".into(),
        other => other.into(),
    }
}

/// Why the settings cannot be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the Solana CLI config {}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the config file {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("unknown commitment {0:?} (processed, confirmed, finalized)")]
    UnknownCommitment(String),
}

/// The signing keypair cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the keypair {} (create one with `databounty keygen {}`)", path.display(), path.display())]
pub struct KeypairError {
    path: PathBuf,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// The resolved connection and signer settings.
pub struct Settings {
    pub url: String,
    pub keypair_path: PathBuf,
    pub commitment: CommitmentConfig,
}

impl Settings {
    pub fn resolve(
        config_file: Option<&Path>,
        url: Option<&str>,
        keypair: Option<&Path>,
        commitment: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let default_path = solana_cli_config::CONFIG_FILE.as_ref().map(PathBuf::from);
        let path = config_file.map(Path::to_path_buf).or(default_path);
        let file = match &path {
            Some(path) if path.exists() => solana_cli_config::Config::load(&path.to_string_lossy())
                .map_err(|source| ConfigError::Unreadable {
                    path: path.clone(),
                    source,
                })?,
            Some(path) if config_file.is_some() => return Err(ConfigError::Missing(path.clone())),
            _ => solana_cli_config::Config::default(),
        };
        let commitment_text = commitment.unwrap_or(if file.commitment.is_empty() {
            "confirmed"
        } else {
            &file.commitment
        });
        let commitment = commitment_text
            .parse::<CommitmentConfig>()
            .map_err(|_| ConfigError::UnknownCommitment(commitment_text.to_string()))?;
        Ok(Self {
            url: url_for(url.unwrap_or(&file.json_rpc_url)),
            keypair_path: keypair
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(&file.keypair_path)),
            commitment,
        })
    }

    pub fn keypair(&self) -> Result<Keypair, KeypairError> {
        // The reader's error is not `Send`; its message is what can be kept.
        read_keypair_file(&self.keypair_path).map_err(|e| KeypairError {
            path: self.keypair_path.clone(),
            source: e.to_string().into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_expand() {
        assert_eq!(url_for("localhost"), "http://localhost:8899");
        assert_eq!(url_for("devnet"), "https://api.devnet.solana.com");
        assert_eq!(
            url_for("mainnet-beta"),
            "https://api.mainnet-beta.solana.com"
        );
        assert_eq!(url_for("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
    }

    #[test]
    fn flags_win_over_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.yml");
        std::fs::write(
            &file,
            "json_rpc_url: https://api.devnet.solana.com\nwebsocket_url: ''\nkeypair_path: /tmp/from-config.json\naddress_labels: {}\ncommitment: finalized\n",
        )
        .unwrap();
        let from_file = Settings::resolve(Some(&file), None, None, None).unwrap();
        assert_eq!(from_file.url, "https://api.devnet.solana.com");
        assert_eq!(
            from_file.keypair_path,
            PathBuf::from("/tmp/from-config.json")
        );
        assert_eq!(from_file.commitment, CommitmentConfig::finalized());
        let flags = Settings::resolve(
            Some(&file),
            Some("localhost"),
            Some(Path::new("/k.json")),
            Some("confirmed"),
        )
        .unwrap();
        assert_eq!(flags.url, "http://localhost:8899");
        assert_eq!(flags.keypair_path, PathBuf::from("/k.json"));
        assert_eq!(flags.commitment, CommitmentConfig::confirmed());
        assert!(Settings::resolve(Some(&file), None, None, Some("eventually")).is_err());
        assert!(
            Settings::resolve(Some(&dir.path().join("missing.yml")), None, None, None).is_err()
        );
    }
}
