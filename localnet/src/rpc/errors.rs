//! The JSON-RPC error object, with the codes a Solana cluster uses, and how a failed
//! submission to the bank becomes one.

use serde_json::{json, Value};
use solana_rpc_client_types::response::RpcSimulateTransactionResult;

use crate::chain::{Simulation, SubmitError};

// Error codes of the JSON-RPC spec and of Solana clusters.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
pub const PREFLIGHT_FAILURE: i64 = -32002;
pub const SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;
pub const MIN_CONTEXT_SLOT_NOT_REACHED: i64 = -32016;

/// A JSON-RPC error object.
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub(super) fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub(super) fn invalid_params(message: impl std::fmt::Display) -> Self {
        Self::new(INVALID_PARAMS, format!("Invalid params: {message}"))
    }

    pub(super) fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

impl From<SubmitError> for RpcError {
    fn from(err: SubmitError) -> Self {
        match err {
            SubmitError::Preflight(simulation) => Self {
                code: PREFLIGHT_FAILURE,
                message: format!(
                    "Transaction simulation failed: {}",
                    simulation
                        .result
                        .as_ref()
                        .err()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
                data: serde_json::to_value(simulation_result(&simulation)).ok(),
            },
            SubmitError::Rejected(solana_sdk::transaction::TransactionError::SignatureFailure) => {
                Self::new(
                    SIGNATURE_VERIFICATION_FAILURE,
                    "Transaction signature verification failure",
                )
            }
            SubmitError::Rejected(err) => Self {
                code: PREFLIGHT_FAILURE,
                message: format!("Transaction simulation failed: {err}"),
                data: serde_json::to_value(RpcSimulateTransactionResult {
                    err: Some(err.into()),
                    ..empty_simulation()
                })
                .ok(),
            },
            SubmitError::Bank(err) => Self::new(INTERNAL_ERROR, err.to_string()),
        }
    }
}

pub(super) fn empty_simulation() -> RpcSimulateTransactionResult {
    RpcSimulateTransactionResult {
        err: None,
        logs: None,
        accounts: None,
        units_consumed: None,
        loaded_accounts_data_size: None,
        return_data: None,
        inner_instructions: None,
        replacement_blockhash: None,
        fee: None,
        pre_balances: None,
        post_balances: None,
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: None,
    }
}

pub(super) fn simulation_result(simulation: &Simulation) -> RpcSimulateTransactionResult {
    let inner = crate::ledger::ui_inner_instructions(&simulation.inner_instructions);
    RpcSimulateTransactionResult {
        err: simulation.result.clone().err().map(Into::into),
        logs: Some(simulation.logs.clone()),
        units_consumed: Some(simulation.units_consumed),
        inner_instructions: Some(inner),
        ..empty_simulation()
    }
}
