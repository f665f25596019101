//! A request's positional parameters, and the addresses, signatures and wire
//! transactions in them, decoded or refused with the error a cluster gives.

use std::str::FromStr;

use base64::Engine;
use serde::de::DeserializeOwned;
use serde_json::Value;
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;
use solana_transaction_status_client_types::UiTransactionEncoding;

use super::errors::RpcError;

/// The positional parameters of a request.
pub(super) struct Params(pub(super) Vec<Value>);

impl Params {
    pub(super) fn required<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
    ) -> Result<T, RpcError> {
        let value = self
            .0
            .get(index)
            .ok_or_else(|| RpcError::invalid_params(format!("missing {name}")))?;
        serde_json::from_value(value.clone())
            .map_err(|e| RpcError::invalid_params(format!("{name}: {e}")))
    }

    /// A required list of at most `max` items.
    pub(super) fn required_list<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
        max: usize,
    ) -> Result<Vec<T>, RpcError> {
        let items: Vec<T> = self.required(index, name)?;
        if items.len() > max {
            return Err(RpcError::invalid_params(format!(
                "Too many inputs provided; max {max}"
            )));
        }
        Ok(items)
    }

    pub(super) fn optional<T: DeserializeOwned>(
        &self,
        index: usize,
    ) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|e| RpcError::invalid_params(format!("parameter {index}: {e}"))),
        }
    }
}

pub(super) fn pubkey(text: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(text).map_err(|_| RpcError::invalid_params(format!("invalid pubkey {text:?}")))
}

pub(super) fn signature(text: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text)
        .map_err(|_| RpcError::invalid_params(format!("invalid signature {text:?}")))
}

pub(super) fn commitment(config: Option<CommitmentConfig>) -> CommitmentLevel {
    config.map_or(CommitmentLevel::Finalized, |c| c.commitment)
}

/// The most bytes a transaction may have: one UDP packet (IPv6 MTU minus headers).
pub const PACKET_DATA_SIZE: usize = 1232;
/// The longest encodings of a packet a cluster's RPC accepts.
const MAX_BASE58_SIZE: usize = 1683;
const MAX_BASE64_SIZE: usize = 1644;

fn too_large(encoding: &str, len: usize, max_encoded: usize) -> RpcError {
    RpcError::invalid_params(format!(
        "{encoding} encoded solana_transaction::versioned::VersionedTransaction too large: {len} bytes (max: encoded/raw {max_encoded}/{PACKET_DATA_SIZE})"
    ))
}

/// Decodes a wire transaction in base58 (the default) or base64, refusing one larger
/// than a packet as a cluster does.
pub(super) fn decode_transaction(
    data: &str,
    encoding: Option<UiTransactionEncoding>,
) -> Result<VersionedTransaction, RpcError> {
    let encoding = encoding.unwrap_or(UiTransactionEncoding::Base58);
    let (name, max_encoded) = match encoding {
        UiTransactionEncoding::Base64 => ("base64", MAX_BASE64_SIZE),
        _ => ("base58", MAX_BASE58_SIZE),
    };
    if data.len() > max_encoded {
        return Err(too_large(name, data.len(), max_encoded));
    }
    let bytes = match encoding {
        UiTransactionEncoding::Base58 => bs58::decode(data)
            .into_vec()
            .map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e}")))?,
        UiTransactionEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e}")))?,
        other => {
            return Err(RpcError::invalid_params(format!(
                "unsupported encoding: {other}. Supported encodings: base58, base64"
            )))
        }
    };
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(too_large(name, bytes.len(), max_encoded));
    }
    let tx: VersionedTransaction = bincode::deserialize(&bytes).map_err(|e| {
        RpcError::invalid_params(format!("failed to deserialize VersionedTransaction: {e}"))
    })?;
    if tx.sanitize().is_err() {
        return Err(RpcError::invalid_params(
            "invalid transaction: malformed message",
        ));
    }
    Ok(tx)
}
