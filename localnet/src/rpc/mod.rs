//! JSON-RPC 2.0 over the [`Chain`]: the methods the README lists ("The local chain"),
//! with the request and response shapes of a Solana cluster, so that `solana-client`'s
//! `RpcClient` works unmodified. Bad requests get the error codes a cluster uses.

use std::str::FromStr;

use base64::Engine;
use serde_json::{json, Value};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentLevel;
use solana_rpc_client_types::config::{
    RpcAccountInfoConfig, RpcContextConfig, RpcEncodingConfigWrapper, RpcRequestAirdropConfig,
    RpcSendTransactionConfig, RpcSignatureStatusConfig, RpcSignaturesForAddressConfig,
    RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_types::response::{
    RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcResponseContext, RpcVersionInfo,
};
use solana_sdk::hash::Hash;
use solana_sdk::message::VersionedMessage;
use solana_transaction_status_client_types::{
    TransactionConfirmationStatus, TransactionStatus, UiTransactionEncoding,
};
use tokio::sync::Mutex;

use crate::chain::{Chain, BLOCKHASH_VALIDITY};

mod errors;
mod params;
mod reads;
mod tokens;

pub use errors::*;
use params::{commitment, decode_transaction, pubkey, signature, Params};

/// Handles one JSON-RPC request object and returns its response object.
pub async fn handle(chain: &Mutex<Chain>, request: &Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let result = match (
        request.get("jsonrpc"),
        request.get("method").and_then(Value::as_str),
    ) {
        (Some(Value::String(v)), Some(method)) if v == "2.0" => {
            let params = match request.get("params") {
                None | Some(Value::Null) => Ok(Params(vec![])),
                Some(Value::Array(items)) => Ok(Params(items.clone())),
                Some(_) => Err(RpcError::invalid_params("params must be an array")),
            };
            match params {
                Ok(params) => dispatch(chain, method, &params).await,
                Err(err) => Err(err),
            }
        }
        _ => Err(RpcError::new(INVALID_REQUEST, "Invalid request")),
    };
    match result {
        Ok(value) => json!({ "jsonrpc": "2.0", "result": value, "id": id }),
        Err(error) => json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id }),
    }
}

/// Handles a request body: one request or a batch.
pub async fn handle_body(chain: &Mutex<Chain>, body: &[u8]) -> Value {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => {
            return json!({ "jsonrpc": "2.0", "error": RpcError::new(PARSE_ERROR, "Parse error").to_json(), "id": null })
        }
    };
    match parsed {
        Value::Array(batch) if !batch.is_empty() => {
            let mut responses = Vec::with_capacity(batch.len());
            for request in &batch {
                responses.push(handle(chain, request).await);
            }
            Value::Array(responses)
        }
        request @ Value::Object(_) => handle(chain, &request).await,
        _ => {
            json!({ "jsonrpc": "2.0", "error": RpcError::new(INVALID_REQUEST, "Invalid request").to_json(), "id": null })
        }
    }
}

fn context(slot: u64) -> Value {
    serde_json::to_value(RpcResponseContext {
        slot,
        api_version: None,
    })
    .unwrap_or(Value::Null)
}

fn with_context(slot: u64, value: impl serde::Serialize) -> Result<Value, RpcError> {
    let value =
        serde_json::to_value(value).map_err(|e| RpcError::new(INTERNAL_ERROR, e.to_string()))?;
    Ok(json!({ "context": context(slot), "value": value }))
}

fn plain(value: impl serde::Serialize) -> Result<Value, RpcError> {
    serde_json::to_value(value).map_err(|e| RpcError::new(INTERNAL_ERROR, e.to_string()))
}

/// `minContextSlot`: as a cluster, refuse to answer from a bank older than that slot.
fn check_min_context_slot(chain: &Chain, method: &str, params: &Params) -> Result<(), RpcError> {
    let key = match method {
        "sendTransaction" => "preflightCommitment",
        _ => "commitment",
    };
    for config in params.0.iter().filter_map(Value::as_object) {
        let Some(min) = config.get("minContextSlot").and_then(Value::as_u64) else {
            continue;
        };
        let level = config
            .get(key)
            .and_then(|c| serde_json::from_value(c.clone()).ok())
            .unwrap_or(CommitmentLevel::Finalized);
        let slot = chain.slot_at(level);
        if slot < min {
            return Err(RpcError {
                code: MIN_CONTEXT_SLOT_NOT_REACHED,
                message: "Minimum context slot has not been reached".into(),
                data: Some(json!({ "contextSlot": slot })),
            });
        }
    }
    Ok(())
}

async fn dispatch(chain: &Mutex<Chain>, method: &str, params: &Params) -> Result<Value, RpcError> {
    let mut chain = chain.lock().await;
    check_min_context_slot(&chain, method, params)?;
    let processed = chain.slot_at(CommitmentLevel::Processed);
    match method {
        "getHealth" => plain("ok"),
        "getVersion" => plain(RpcVersionInfo {
            solana_core: "3.1.12".into(),
            feature_set: Some(0),
        }),
        "getSlot" | "getBlockHeight" => {
            let config: Option<RpcContextConfig> = params.optional(0)?;
            plain(chain.slot_at(commitment(config.and_then(|c| c.commitment))))
        }
        "getLatestBlockhash" => {
            let config: Option<RpcContextConfig> = params.optional(0)?;
            // As a cluster answers from the bank at that commitment: the blockhash of the
            // block at its slot (older at finalized), which the one bank takes until
            // lastValidBlockHeight.
            let level = commitment(config.and_then(|c| c.commitment));
            let slot = chain.slot_at(level);
            let blockhash = chain.blockhash_at(level).await?;
            // 150 blocks past that bank's height, and never past what the bank takes (in
            // the first slots the blockhash is newer than the finalized height).
            let last_valid_block_height = chain
                .last_valid_block_height(&blockhash)
                .map_or(slot + BLOCKHASH_VALIDITY, |last| {
                    last.min(slot + BLOCKHASH_VALIDITY)
                });
            with_context(
                slot,
                RpcBlockhash {
                    blockhash: blockhash.to_string(),
                    last_valid_block_height,
                },
            )
        }
        "isBlockhashValid" => {
            let text: String = params.required(0, "blockhash")?;
            let blockhash = Hash::from_str(&text)
                .map_err(|_| RpcError::invalid_params(format!("invalid blockhash {text:?}")))?;
            let valid = chain.is_blockhash_valid(&blockhash);
            with_context(processed, valid)
        }
        "getAccountInfo" => {
            let address = pubkey(&params.required::<String>(0, "pubkey")?)?;
            let config: RpcAccountInfoConfig = params.optional(1)?.unwrap_or_default();
            let encoding = config.encoding.unwrap_or(UiAccountEncoding::Binary);
            let ui =
                reads::encode_stored(&mut chain, &address, encoding, config.data_slice).await?;
            with_context(processed, ui)
        }
        "getMultipleAccounts" => {
            let keys: Vec<String> = params.required_list(0, "pubkeys", 100)?;
            let config: RpcAccountInfoConfig = params.optional(1)?.unwrap_or_default();
            let encoding = config.encoding.unwrap_or(UiAccountEncoding::Base64);
            let mut out = Vec::with_capacity(keys.len());
            for key in &keys {
                let address = pubkey(key)?;
                out.push(
                    reads::encode_stored(&mut chain, &address, encoding, config.data_slice).await?,
                );
            }
            with_context(processed, out)
        }
        "getBalance" => {
            let address = pubkey(&params.required::<String>(0, "pubkey")?)?;
            let lamports = chain.account(&address).await?.map_or(0, |a| a.lamports);
            with_context(processed, lamports)
        }
        "getMinimumBalanceForRentExemption" => {
            let len: usize = params.required(0, "data length")?;
            plain(chain.rent_exempt_minimum(len).await?)
        }
        "getFeeForMessage" => {
            let encoded: String = params.required(0, "message")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&encoded)
                .map_err(|e| RpcError::invalid_params(format!("invalid base64 message: {e}")))?;
            let message: VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|e| RpcError::invalid_params(format!("invalid message: {e}")))?;
            let fee = chain.fee(&message).await?;
            with_context(processed, fee)
        }
        "requestAirdrop" => {
            let address = pubkey(&params.required::<String>(0, "pubkey")?)?;
            let lamports: u64 = params.required(1, "lamports")?;
            let _config: Option<RpcRequestAirdropConfig> = params.optional(2)?;
            plain(chain.airdrop(&address, lamports).await?.to_string())
        }
        "sendTransaction" => {
            let data: String = params.required(0, "transaction")?;
            let config: RpcSendTransactionConfig = params.optional(1)?.unwrap_or_default();
            let tx = decode_transaction(&data, config.encoding)?;
            plain(chain.submit(tx, !config.skip_preflight).await?.to_string())
        }
        "simulateTransaction" => {
            let data: String = params.required(0, "transaction")?;
            let config: RpcSimulateTransactionConfig = params.optional(1)?.unwrap_or_default();
            let mut tx = decode_transaction(&data, config.encoding)?;
            if config.sig_verify && config.replace_recent_blockhash {
                return Err(RpcError::invalid_params(
                    "sigVerify may not be used with replaceRecentBlockhash",
                ));
            }
            let mut replacement = None;
            if config.replace_recent_blockhash {
                let blockhash = chain.latest_blockhash().await?;
                tx.message.set_recent_blockhash(blockhash);
                replacement = Some(RpcBlockhash {
                    blockhash: blockhash.to_string(),
                    last_valid_block_height: chain
                        .last_valid_block_height(&blockhash)
                        .unwrap_or(processed + BLOCKHASH_VALIDITY),
                });
            }
            if config.sig_verify && tx.verify_with_results().iter().any(|ok| !ok) {
                return Err(RpcError::new(
                    SIGNATURE_VERIFICATION_FAILURE,
                    "Transaction signature verification failure",
                ));
            }
            let simulation = chain.simulate_checked(tx).await?;
            let mut result = simulation_result(&simulation);
            if !config.inner_instructions {
                result.inner_instructions = None;
            }
            result.replacement_blockhash = replacement;
            with_context(processed, result)
        }
        "getSignatureStatuses" => {
            let signatures: Vec<String> = params.required_list(0, "signatures", 256)?;
            let _config: Option<RpcSignatureStatusConfig> = params.optional(1)?;
            let mut out = Vec::with_capacity(signatures.len());
            for text in &signatures {
                let status = chain.ledger.get(&signature(text)?).map(|tx| {
                    let depth = processed.saturating_sub(tx.slot);
                    let finalized = depth >= chain.finality_slots();
                    TransactionStatus {
                        slot: tx.slot,
                        confirmations: (!finalized).then_some(depth as usize),
                        status: tx.err.clone().map_or(Ok(()), Err),
                        err: tx.err.clone(),
                        confirmation_status: Some(if finalized {
                            TransactionConfirmationStatus::Finalized
                        } else if depth >= 1 {
                            TransactionConfirmationStatus::Confirmed
                        } else {
                            TransactionConfirmationStatus::Processed
                        }),
                    }
                });
                out.push(status);
            }
            with_context(processed, out)
        }
        "getSignaturesForAddress" => {
            let address = pubkey(&params.required::<String>(0, "address")?)?;
            let config: RpcSignaturesForAddressConfig = params.optional(1)?.unwrap_or_default();
            let level = commitment(config.commitment);
            if level == CommitmentLevel::Processed {
                return Err(RpcError::invalid_params(
                    "Method does not support commitment below `confirmed`",
                ));
            }
            let limit = config.limit.unwrap_or(1000);
            if limit == 0 || limit > 1000 {
                return Err(RpcError::invalid_params("Invalid limit; max 1000"));
            }
            let before = config.before.as_deref().map(signature).transpose()?;
            let until = config.until.as_deref().map(signature).transpose()?;
            let max_slot = chain.slot_at(level);
            let finalized_slot = chain.slot_at(CommitmentLevel::Finalized);
            let found: Vec<_> = chain
                .ledger
                .for_address(&address, before.as_ref(), until.as_ref(), max_slot, limit)
                .into_iter()
                .map(|tx| RpcConfirmedTransactionStatusWithSignature {
                    signature: tx.signature.to_string(),
                    slot: tx.slot,
                    err: tx.err.clone().map(Into::into),
                    memo: None,
                    block_time: Some(tx.block_time),
                    confirmation_status: Some(if tx.slot <= finalized_slot {
                        TransactionConfirmationStatus::Finalized
                    } else {
                        TransactionConfirmationStatus::Confirmed
                    }),
                })
                .collect();
            plain(found)
        }
        "getTransaction" => {
            let sig = signature(&params.required::<String>(0, "signature")?)?;
            let config = params
                .optional::<RpcEncodingConfigWrapper<RpcTransactionConfig>>(1)?
                .map(|c| c.convert_to_current())
                .unwrap_or_default();
            let level = commitment(config.commitment);
            if level == CommitmentLevel::Processed {
                return Err(RpcError::invalid_params(
                    "Method does not support commitment below `confirmed`",
                ));
            }
            let max_slot = chain.slot_at(level);
            let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
            let found = chain
                .ledger
                .get(&sig)
                .filter(|tx| tx.slot <= max_slot)
                .cloned();
            // Rendered without the chain: encoding is most of the work, and a cluster's
            // RPC serves its readers in parallel rather than one at a time.
            drop(chain);
            match found {
                None => Ok(Value::Null),
                Some(tx) => {
                    let rendered = tx
                        .render(encoding, config.max_supported_transaction_version)
                        .map_err(|e| {
                            RpcError::new(UNSUPPORTED_TRANSACTION_VERSION, e.to_string())
                        })?;
                    plain(rendered)
                }
            }
        }
        "getProgramAccounts" => reads::get_program_accounts(&mut chain, params).await,
        "getTokenAccountsByOwner" => {
            tokens::get_token_accounts_by(&mut chain, params, tokens::Holder::Owner).await
        }
        "getTokenAccountsByDelegate" => {
            tokens::get_token_accounts_by(&mut chain, params, tokens::Holder::Delegate).await
        }
        "getTokenAccountBalance" => tokens::get_token_account_balance(&mut chain, params).await,
        "getTokenSupply" => tokens::get_token_supply(&mut chain, params).await,
        "getTokenLargestAccounts" => tokens::get_token_largest_accounts(&mut chain, params).await,
        "getBlock" => reads::get_block(&mut chain, params).await,
        "getBlocks" => reads::get_blocks(&chain, params),
        "getBlocksWithLimit" => reads::get_blocks_with_limit(&chain, params),
        "getEpochSchedule" => reads::get_epoch_schedule(&mut chain).await,
        "getBlockTime" => {
            let slot: u64 = params.required(0, "slot")?;
            match chain.blocks.get(&slot) {
                Some(block) if slot <= chain.slot_at(CommitmentLevel::Confirmed) => {
                    plain(block.time)
                }
                _ => Err(RpcError::new(
                    -32004,
                    format!("Block not available for slot {slot}"),
                )),
            }
        }
        "getEpochInfo" => reads::get_epoch_info(&mut chain, params).await,
        "getRecentPrioritizationFees" => reads::get_recent_prioritization_fees(&chain, params),
        "getGenesisHash" => plain(chain.genesis_hash().to_string()),
        "getTransactionCount" => plain(chain.ledger.len()),
        "getFirstAvailableBlock" => plain(chain.blocks.keys().next().copied().unwrap_or(0)),
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {other}"),
        )),
    }
}
