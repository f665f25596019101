//! The PubSub websocket, on the RPC port + 1 as `solana-test-validator` serves it:
//! `signatureSubscribe`, `accountSubscribe`, `programSubscribe` (with filters),
//! `logsSubscribe` (`all` / `mentions`) and `slotSubscribe`, each with its
//! unsubscribe. Every connection re-examines its subscriptions once per slot, at the
//! commitment each asked for, so a notification never runs ahead of what the RPC
//! shows at that commitment, and an account in it is as of that commitment's slot.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use solana_account_decoder::encode_ui_account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_rpc_client_types::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
    RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_types::filter::RpcFilterType;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use tokio::sync::{watch, Mutex};

use crate::chain::Chain;
use crate::ledger::RecordedTransaction;

/// What the websocket server shares: the chain and the newest slot.
#[derive(Clone)]
pub struct PubSub {
    pub chain: Arc<Mutex<Chain>>,
    pub slots: watch::Receiver<u64>,
}

pub async fn upgrade(State(state): State<PubSub>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| connection(socket, state))
}

enum Kind {
    Signature(Signature),
    Account {
        address: Pubkey,
        encoding: UiAccountEncoding,
        last: Option<Account>,
    },
    Program {
        program: Pubkey,
        encoding: UiAccountEncoding,
        filters: Vec<RpcFilterType>,
    },
    Logs(Option<Pubkey>),
    Slot,
}

struct Subscription {
    kind: Kind,
    commitment: CommitmentLevel,
    /// The ledger index of the first transaction not yet looked at. An index, not a
    /// slot: transactions still land in the processed slot after it was looked at.
    seen: usize,
}

fn level(config: Option<CommitmentConfig>) -> CommitmentLevel {
    config.map_or(CommitmentLevel::Finalized, |c| c.commitment)
}

fn param<T: serde::de::DeserializeOwned>(params: &Value, index: usize) -> Result<T, String> {
    serde_json::from_value(params.get(index).cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("Invalid params: {e}"))
}

fn pubkey(text: &str) -> Result<Pubkey, String> {
    text.parse()
        .map_err(|_| format!("Invalid params: invalid pubkey {text:?}"))
}

fn matches(filters: &[RpcFilterType], account: &Account) -> bool {
    filters.iter().all(|filter| match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => crate::ledger::token_account(account).is_some(),
    })
}

async fn connection(mut socket: WebSocket, state: PubSub) {
    let mut slots = state.slots.clone();
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    let mut next_id = 0u64;
    loop {
        let outgoing = tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    vec![request(&state.chain, &text, &mut subscriptions, &mut next_id).await]
                }
                Some(Ok(_)) => continue,
                _ => break,
            },
            changed = slots.changed() => {
                if changed.is_err() {
                    break;
                }
                poll(&state.chain, &mut subscriptions).await
            }
        };
        for message in outgoing {
            if socket
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

async fn request(
    chain: &Mutex<Chain>,
    text: &str,
    subscriptions: &mut HashMap<u64, Subscription>,
    next_id: &mut u64,
) -> Value {
    let Ok(request) = serde_json::from_str::<Value>(text) else {
        return json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null});
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let method = request["method"].as_str().unwrap_or_default().to_string();
    let params = request.get("params").cloned().unwrap_or(json!([]));
    let result = subscribe(chain, &method, &params, subscriptions, next_id).await;
    match result {
        Ok(value) => json!({"jsonrpc": "2.0", "result": value, "id": id}),
        Err((code, message)) => {
            json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
        }
    }
}

async fn subscribe(
    chain: &Mutex<Chain>,
    method: &str,
    params: &Value,
    subscriptions: &mut HashMap<u64, Subscription>,
    next_id: &mut u64,
) -> Result<Value, (i64, String)> {
    let invalid = |message: String| (-32602, message);
    let mut chain = chain.lock().await;
    let (kind, commitment) = match method {
        "signatureSubscribe" => {
            let text: String = param(params, 0).map_err(invalid)?;
            let signature = text
                .parse()
                .map_err(|_| invalid(format!("Invalid params: invalid signature {text:?}")))?;
            let config: Option<RpcSignatureSubscribeConfig> = param(params, 1).map_err(invalid)?;
            (
                Kind::Signature(signature),
                level(config.and_then(|c| c.commitment)),
            )
        }
        "accountSubscribe" => {
            let address = pubkey(&param::<String>(params, 0).map_err(invalid)?).map_err(invalid)?;
            let config: Option<RpcAccountInfoConfig> = param(params, 1).map_err(invalid)?;
            let config = config.unwrap_or_default();
            let commitment = level(config.commitment);
            let at = chain.slot_at(commitment);
            let last = chain.account_at(&address, at).await.ok().flatten();
            (
                Kind::Account {
                    address,
                    encoding: config.encoding.unwrap_or(UiAccountEncoding::Binary),
                    last,
                },
                commitment,
            )
        }
        "programSubscribe" => {
            let program = pubkey(&param::<String>(params, 0).map_err(invalid)?).map_err(invalid)?;
            let config: Option<RpcProgramAccountsConfig> = param(params, 1).map_err(invalid)?;
            let config = config.unwrap_or_default();
            (
                Kind::Program {
                    program,
                    encoding: config
                        .account_config
                        .encoding
                        .unwrap_or(UiAccountEncoding::Binary),
                    filters: config.filters.unwrap_or_default(),
                },
                level(config.account_config.commitment),
            )
        }
        "logsSubscribe" => {
            let filter: RpcTransactionLogsFilter = param(params, 0).map_err(invalid)?;
            let config: Option<RpcTransactionLogsConfig> = param(params, 1).map_err(invalid)?;
            let mentions = match filter {
                RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => None,
                RpcTransactionLogsFilter::Mentions(list) if list.len() == 1 => {
                    Some(pubkey(&list[0]).map_err(invalid)?)
                }
                RpcTransactionLogsFilter::Mentions(_) => {
                    return Err(invalid(
                        "Invalid params: Invalid Request: Only 1 address supported".into(),
                    ))
                }
            };
            (
                Kind::Logs(mentions),
                level(config.and_then(|c| c.commitment)),
            )
        }
        "slotSubscribe" => (Kind::Slot, CommitmentLevel::Processed),
        "signatureUnsubscribe"
        | "accountUnsubscribe"
        | "programUnsubscribe"
        | "logsUnsubscribe"
        | "slotUnsubscribe" => {
            let id: u64 = param(params, 0).map_err(invalid)?;
            return match subscriptions.remove(&id) {
                Some(_) => Ok(Value::Bool(true)),
                None => Err(invalid("Invalid subscription id.".into())),
            };
        }
        other => return Err((-32601, format!("Method not found: {other}"))),
    };
    let id = *next_id;
    *next_id += 1;
    subscriptions.insert(
        id,
        Subscription {
            seen: chain.ledger.first_after(chain.slot_at(commitment)),
            kind,
            commitment,
        },
    );
    Ok(json!(id))
}

fn notification(method: &str, subscription: u64, result: Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": method,
        "params": {"result": result, "subscription": subscription},
    })
}

fn context(slot: u64, value: Value) -> Value {
    json!({"context": {"slot": slot}, "value": value})
}

fn mentions(tx: &RecordedTransaction, address: &Pubkey) -> bool {
    tx.account_keys().contains(address)
}

/// The notifications due now; signature subscriptions end with theirs.
async fn poll(chain: &Mutex<Chain>, subscriptions: &mut HashMap<u64, Subscription>) -> Vec<Value> {
    let mut chain = chain.lock().await;
    let mut out = vec![];
    let mut finished = vec![];
    let mut ids: Vec<u64> = subscriptions.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(sub) = subscriptions.get_mut(&id) else {
            continue;
        };
        let slot = chain.slot_at(sub.commitment);
        match &mut sub.kind {
            Kind::Slot => {
                let root = chain.slot_at(CommitmentLevel::Finalized);
                out.push(notification(
                    "slotNotification",
                    id,
                    json!({"parent": slot.saturating_sub(1), "root": root, "slot": slot}),
                ));
            }
            Kind::Signature(signature) => {
                if let Some(tx) = chain.ledger.get(signature).filter(|tx| tx.slot <= slot) {
                    let err = tx.err.clone();
                    out.push(notification(
                        "signatureNotification",
                        id,
                        context(tx.slot, json!({ "err": err })),
                    ));
                    finished.push(id);
                }
            }
            Kind::Logs(address) => {
                for tx in chain.ledger.since(sub.seen, slot) {
                    if address.is_none_or(|a| mentions(tx, &a)) {
                        out.push(notification(
                            "logsNotification",
                            id,
                            context(
                                tx.slot,
                                json!({
                                    "signature": tx.signature.to_string(),
                                    "err": tx.err,
                                    "logs": tx.logs,
                                }),
                            ),
                        ));
                    }
                }
            }
            Kind::Account {
                address,
                encoding,
                last,
            } => {
                // Any transaction in the newly visible slots that touched it.
                let touched = chain
                    .ledger
                    .since(sub.seen, slot)
                    .iter()
                    .any(|tx| mentions(tx, address));
                if touched {
                    // As of the subscriber's commitment, not the newer processed bank.
                    let now = chain.account_at(address, slot).await.ok().flatten();
                    if now != *last {
                        let ui = now.as_ref().map_or_else(
                            || {
                                encode_ui_account(
                                    address,
                                    &Account::default(),
                                    *encoding,
                                    None,
                                    None,
                                )
                            },
                            |a| encode_ui_account(address, a, *encoding, None, None),
                        );
                        out.push(notification(
                            "accountNotification",
                            id,
                            context(slot, serde_json::to_value(ui).unwrap_or_default()),
                        ));
                        *last = now;
                    }
                }
            }
            Kind::Program {
                program,
                encoding,
                filters,
            } => {
                let mut touched: Vec<Pubkey> = vec![];
                for tx in chain.ledger.since(sub.seen, slot) {
                    for key in tx.account_keys() {
                        if !touched.contains(&key) {
                            touched.push(key);
                        }
                    }
                }
                for key in touched {
                    let Some(account) = chain.account_at(&key, slot).await.ok().flatten() else {
                        continue;
                    };
                    if account.owner == *program && matches(filters, &account) {
                        let ui = encode_ui_account(&key, &account, *encoding, None, None);
                        out.push(notification(
                            "programNotification",
                            id,
                            context(slot, json!({"pubkey": key.to_string(), "account": ui})),
                        ));
                    }
                }
            }
        }
        sub.seen += chain.ledger.since(sub.seen, slot).len();
    }
    for id in finished {
        subscriptions.remove(&id);
    }
    out
}
