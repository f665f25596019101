//! `jsonParsed` transactions and `transactionDetails: "accounts"` blocks, spoken raw
//! (the shapes `getParsedTransaction` and `getParsedBlock` of @solana/web3.js read)
//! and through `solana-client`.

mod common;

use common::{funded, mint_with_holder, raw, send_transfer, start};
use serde_json::{json, Value};
use solana_client::rpc_config::RpcTransactionConfig;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Signature, Signer};
use solana_transaction_status_client_types::{
    EncodedTransaction, UiInstruction, UiMessage, UiParsedInstruction, UiTransactionEncoding,
};

async fn get_transaction(chain: &databounty_localnet::Localnet, sig: &Signature) -> Value {
    let reply = raw(
        chain,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "getTransaction",
                "params": [sig.to_string(), {"encoding": "jsonParsed", "commitment": "confirmed",
                                             "maxSupportedTransactionVersion": 0}]})
        .to_string(),
    )
    .await;
    assert!(reply["result"].is_object(), "{reply}");
    reply["result"].clone()
}

/// Every instruction is `{programId, accounts, data}` or `{program, programId, parsed}`.
fn assert_instruction_shape(ix: &Value) {
    assert!(ix["programId"].is_string(), "{ix}");
    let partial = ix["accounts"].is_array() && ix["data"].is_string();
    let parsed = ix["program"].is_string() && ix["parsed"].is_object();
    assert!(partial ^ parsed, "{ix}");
}

#[tokio::test]
async fn json_parsed_transactions_and_account_blocks() {
    let (chain, client) = start().await;
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    let sent = send_transfer(&client, &payer, &to, 1_000_000).await;
    let holder = Pubkey::new_unique();
    let (mint, _ata) = mint_with_holder(&client, &payer, &holder).await;

    // A System transfer: account keys as objects, the instruction parsed.
    let tx = get_transaction(&chain, &sent).await;
    let message = &tx["transaction"]["message"];
    assert_eq!(
        message["accountKeys"],
        json!([
            {"pubkey": payer.pubkey().to_string(), "writable": true, "signer": true, "source": "transaction"},
            {"pubkey": to.to_string(), "writable": true, "signer": false, "source": "transaction"},
            {"pubkey": "11111111111111111111111111111111", "writable": false, "signer": false, "source": "transaction"},
        ])
    );
    let ix = &message["instructions"][0];
    assert_eq!(ix["program"], "system");
    assert_eq!(ix["programId"], "11111111111111111111111111111111");
    assert_eq!(
        ix["parsed"],
        json!({"type": "transfer", "info": {
            "source": payer.pubkey().to_string(), "destination": to.to_string(), "lamports": 1_000_000}})
    );
    assert!(message["recentBlockhash"].is_string());
    assert!(tx["meta"].get("loadedAddresses").is_none(), "{tx}");

    // The mint's set-up: token instructions partially decoded, inner ones too.
    let listed = common::signatures_for(&client, &mint).await;
    let sig: Signature = listed[0].signature.parse().unwrap();
    let tx = get_transaction(&chain, &sig).await;
    let message = &tx["transaction"]["message"];
    for ix in message["instructions"].as_array().unwrap() {
        assert_instruction_shape(ix);
    }
    let token_ix = message["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ix| ix["programId"] == anchor_spl::token::ID.to_string())
        .expect("a token instruction");
    assert_eq!(token_ix["accounts"][0], mint.to_string());
    let inner = tx["meta"]["innerInstructions"].as_array().unwrap();
    assert!(!inner.is_empty(), "{tx}");
    for group in inner {
        for ix in group["instructions"].as_array().unwrap() {
            assert_instruction_shape(ix);
            assert!(ix["stackHeight"].as_u64().unwrap() >= 2, "{ix}");
        }
    }
    let signer = &message["accountKeys"][0];
    assert_eq!(signer["pubkey"], payer.pubkey().to_string());
    assert_eq!(signer["signer"], true);
    assert_eq!(
        message["accountKeys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["signer"] == true)
            .count(),
        2,
        "the payer and the new mint sign"
    );

    // solana-client reads the same as a parsed message.
    let typed = client
        .get_transaction_with_config(
            &sig,
            RpcTransactionConfig {
                encoding: Some(UiTransactionEncoding::JsonParsed),
                commitment: Some(CommitmentConfig::confirmed()),
                max_supported_transaction_version: Some(0),
            },
        )
        .await
        .unwrap();
    let EncodedTransaction::Json(ui) = typed.transaction.transaction else {
        panic!("json expected")
    };
    let UiMessage::Parsed(parsed) = ui.message else {
        panic!("a parsed message expected")
    };
    assert!(parsed.instructions.iter().all(|ix| matches!(
        ix,
        UiInstruction::Parsed(
            UiParsedInstruction::PartiallyDecoded(_) | UiParsedInstruction::Parsed(_)
        )
    )));

    // getBlock: "accounts" lists signatures and account keys only; jsonParsed in full.
    let slot = listed[0].slot;
    let block = |details: &str, encoding: &str| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "getBlock",
               "params": [slot, {"transactionDetails": details, "encoding": encoding,
                                 "commitment": "confirmed", "maxSupportedTransactionVersion": 0,
                                 "rewards": false}]})
        .to_string()
    };
    let reply = raw(&chain, &block("accounts", "json")).await;
    let entry = reply["result"]["transactions"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .find(|t| t["transaction"]["signatures"][0] == sig.to_string())
        .unwrap_or_else(|| panic!("{reply}"))
        .clone();
    assert!(entry["transaction"].get("message").is_none(), "{entry}");
    assert_eq!(
        entry["transaction"]["accountKeys"], message["accountKeys"],
        "{entry}"
    );
    let meta = &entry["meta"];
    for absent in [
        "logMessages",
        "innerInstructions",
        "loadedAddresses",
        "rewards",
    ] {
        assert!(meta.get(absent).is_none(), "{absent}: {meta}");
    }
    assert!(meta["fee"].as_u64().unwrap() > 0);
    assert!(meta["postTokenBalances"].is_array());
    assert_eq!(entry["version"], "legacy");

    let reply = raw(&chain, &block("full", "jsonParsed")).await;
    let entry = reply["result"]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["transaction"]["signatures"][0] == sig.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        entry["transaction"]["message"]["accountKeys"],
        message["accountKeys"]
    );
}
