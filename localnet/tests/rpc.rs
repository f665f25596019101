//! The local chain as `solana-client`'s `RpcClient` sees it: every method the README lists,
//! the shapes a cluster returns, and its errors.

use std::time::Duration;

mod common;

use common::{bounty_args, funded, raw, send, slot_at, start, wait_confirmed, Poster};
use databounty_sdk::events::{decode_event, is_event_instruction, DatabountyEvent};
use databounty_sdk::{instructions as ix, pda};
use serde_json::json;
use solana_client::client_error::ClientErrorKind;
use solana_client::rpc_config::{RpcSendTransactionConfig, RpcTransactionConfig};
use solana_client::rpc_request::RpcError as ClientRpcError;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedTransaction, UiInstruction, UiMessage, UiTransactionEncoding,
};

#[tokio::test]
async fn cluster_info_methods() {
    let (chain, client) = start().await;
    client.get_health().await.expect("healthy");
    assert_eq!(
        client.get_version().await.expect("version").solana_core,
        "3.1.12"
    );
    let first = client.get_slot().await.expect("slot");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = client.get_slot().await.expect("slot");
    assert!(
        later > first,
        "slots advance with time ({first} -> {later})"
    );
    let finalized = slot_at(&client, CommitmentConfig::finalized()).await;
    let processed = slot_at(&client, CommitmentConfig::processed()).await;
    assert!(
        finalized + 8 <= processed + 1 && finalized < processed,
        "finalized lags processed"
    );
    assert!(client.get_block_height().await.expect("height") > 0);

    let (blockhash, last_valid) = client
        .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
        .await
        .expect("blockhash");
    assert!(last_valid > later);
    assert!(client
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    assert!(!client
        .is_blockhash_valid(&Hash::new_unique(), CommitmentConfig::processed())
        .await
        .unwrap());
    assert!(
        client
            .get_minimum_balance_for_rent_exemption(165)
            .await
            .unwrap()
            > 0
    );

    let payer = funded(&client).await;
    assert_eq!(
        client.get_balance(&payer.pubkey()).await.unwrap(),
        10_000_000_000
    );
    let message = solana_sdk::message::Message::new_with_blockhash(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            1,
        )],
        Some(&payer.pubkey()),
        &blockhash,
    );
    assert_eq!(
        client.get_fee_for_message(&message).await.expect("fee"),
        5_000
    );
    let missing = Pubkey::new_unique();
    let accounts = client
        .get_multiple_accounts(&[payer.pubkey(), missing])
        .await
        .unwrap();
    assert_eq!(
        accounts[0].as_ref().map(|a| a.lamports),
        Some(10_000_000_000)
    );
    assert!(accounts[1].is_none());
    drop(chain);
}

/// A whole program call through RpcClient, read back from getTransaction alone.
#[tokio::test]
async fn events_decode_from_get_transaction() {
    let (_chain, client) = start().await;
    let poster = Poster::new(&client).await;
    let args = bounty_args(poster.now);
    let bounty = pda::bounty(&poster.payer.pubkey(), &args.dataset_id, 0);
    let create = poster.bounty_create(args);
    let sig = send(&client, &[create], &poster.payer, &[]).await;

    for encoding in [UiTransactionEncoding::Json, UiTransactionEncoding::Base64] {
        let config = RpcTransactionConfig {
            encoding: Some(encoding),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        let tx = client
            .get_transaction_with_config(&sig, config)
            .await
            .expect("getTransaction");
        assert!(tx.block_time.is_some() && tx.slot > 0);
        let meta = tx.transaction.meta.clone().expect("meta");
        assert!(meta.err.is_none());
        assert_eq!(meta.pre_balances.len(), meta.post_balances.len());
        let OptionSerializer::Some(logs) = &meta.log_messages else {
            panic!("logs")
        };
        assert!(logs.iter().any(|l| l.contains(&databounty::ID.to_string())));
        let OptionSerializer::Some(post) = &meta.post_token_balances else {
            panic!("token balances")
        };
        let vault = pda::vault(&bounty);
        let keys: Vec<Pubkey> = match &tx.transaction.transaction {
            EncodedTransaction::Json(ui) => match &ui.message {
                UiMessage::Raw(raw) => raw
                    .account_keys
                    .iter()
                    .map(|k| k.parse().unwrap())
                    .collect(),
                UiMessage::Parsed(_) => panic!("raw message expected"),
            },
            other => other
                .decode()
                .expect("binary decodes")
                .message
                .static_account_keys()
                .to_vec(),
        };
        let vault_balance = post
            .iter()
            .find(|b| keys[usize::from(b.account_index)] == vault)
            .expect("vault balance");
        assert_eq!(vault_balance.ui_token_amount.amount, "5000000");
        assert_eq!(vault_balance.ui_token_amount.ui_amount_string, "5");

        let OptionSerializer::Some(inner) = &meta.inner_instructions else {
            panic!("inner instructions")
        };
        let mut events = Vec::new();
        for ix in inner.iter().flat_map(|i| &i.instructions) {
            let UiInstruction::Compiled(ix) = ix else {
                panic!("compiled")
            };
            let data = bs58::decode(&ix.data).into_vec().unwrap();
            let accounts: Vec<Pubkey> = ix.accounts.iter().map(|&i| keys[usize::from(i)]).collect();
            if is_event_instruction(
                &databounty::ID,
                &keys[usize::from(ix.program_id_index)],
                &accounts,
                &data,
            ) {
                events.push(decode_event(&data).expect("event"));
            }
        }
        let names: Vec<_> = events.iter().map(DatabountyEvent::name).collect();
        assert_eq!(names, ["BountyCreated", "BountyFunded"], "{encoding:?}");
        assert_eq!(events[0].bounty(), bounty);
    }
}

#[tokio::test]
async fn signatures_for_address_page_newest_first() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let target = Pubkey::new_unique();
    let mut sent = Vec::new();
    for lamports in 1..=5u64 {
        let transfer = solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &target,
            1_000_000_000 + lamports,
        );
        sent.push(send(&client, &[transfer], &payer, &[]).await);
    }
    use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config as Config;
    let confirmed = Config {
        commitment: Some(CommitmentConfig::confirmed()),
        ..Default::default()
    };
    let all = client
        .get_signatures_for_address_with_config(&target, confirmed)
        .await
        .expect("signatures");
    let listed: Vec<Signature> = all.iter().map(|s| s.signature.parse().unwrap()).collect();
    let newest_first: Vec<Signature> = sent.iter().rev().copied().collect();
    assert_eq!(listed, newest_first);

    let page = client
        .get_signatures_for_address_with_config(
            &target,
            Config {
                before: Some(sent[3]),
                until: Some(sent[0]),
                limit: Some(2),
                commitment: Some(CommitmentConfig::confirmed()),
            },
        )
        .await
        .expect("page");
    let page: Vec<Signature> = page.iter().map(|s| s.signature.parse().unwrap()).collect();
    assert_eq!(page, vec![sent[2], sent[1]]);
}

/// Finalized readers see a transaction only once it is finalized.
#[tokio::test]
async fn commitment_levels_behave_as_on_a_cluster() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let target = Pubkey::new_unique();
    let transfer =
        solana_system_interface::instruction::transfer(&payer.pubkey(), &target, 1_000_000_000);
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[transfer],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let sig = client.send_transaction(&tx).await.expect("send");
    let finalized = RpcTransactionConfig {
        commitment: Some(CommitmentConfig::finalized()),
        ..Default::default()
    };
    assert!(
        client
            .get_transaction_with_config(&sig, finalized)
            .await
            .is_err(),
        "not finalized yet"
    );
    wait_confirmed(&client, &sig).await;
    for _ in 0..100 {
        let statuses = client.get_signature_statuses(&[sig]).await.unwrap().value;
        if statuses[0]
            .as_ref()
            .is_some_and(|s| s.confirmations.is_none())
        {
            client
                .get_transaction_with_config(&sig, finalized)
                .await
                .expect("finalized now");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never finalized");
}

#[tokio::test]
async fn failures_come_back_as_cluster_errors() {
    let (chain, client) = start().await;
    let payer = funded(&client).await;

    // A program error in preflight carries the custom code.
    let stranger = Keypair::new();
    let bogus = ix::bounty_cancel(&stranger.pubkey(), &Pubkey::new_unique());
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[bogus],
        Some(&payer.pubkey()),
        &[&payer, &stranger],
        blockhash,
    );
    let err = client
        .send_and_confirm_transaction(&tx)
        .await
        .expect_err("fails");
    match err.kind() {
        ClientErrorKind::RpcError(ClientRpcError::RpcResponseError { code, .. }) => {
            assert_eq!(*code, -32002)
        }
        other => panic!("expected a preflight failure, got {other:?}"),
    }

    // Without preflight the failed transaction lands, with its error and fee.
    let config = RpcSendTransactionConfig {
        skip_preflight: true,
        ..Default::default()
    };
    let sig = client
        .send_transaction_with_config(&tx, config)
        .await
        .expect("lands");
    wait_confirmed(&client, &sig).await;
    let status = client.get_signature_statuses(&[sig]).await.unwrap().value[0]
        .clone()
        .expect("status");
    assert!(status.err.is_some());

    // A forged signature.
    let mut forged = Transaction::new_signed_with_payer(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            1,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    forged.signatures[0] = Signature::from([7u8; 64]);
    let err = client
        .send_transaction(&forged)
        .await
        .expect_err("bad signature");
    assert!(matches!(
        err.kind(),
        ClientErrorKind::RpcError(ClientRpcError::RpcResponseError { code: -32003, .. })
    ));

    // Malformed requests.
    let garbage = raw(&chain, "{not json").await;
    assert_eq!(garbage["error"]["code"], -32700);
    let unknown = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":1,"method":"getEverything"}"#,
    )
    .await;
    assert_eq!(unknown["error"]["code"], -32601);
    let bad_key = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":2,"method":"getBalance","params":["not-a-key"]}"#,
    )
    .await;
    assert_eq!(bad_key["error"]["code"], -32602);
    let bad_tx = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":3,"method":"sendTransaction","params":["!!!"]}"#,
    )
    .await;
    assert_eq!(bad_tx["error"]["code"], -32602);
    let processed = raw(
        &chain,
        &json!({"jsonrpc":"2.0","id":4,"method":"getSignaturesForAddress","params":[payer.pubkey().to_string(), {"commitment":"processed"}]}).to_string(),
    )
    .await;
    assert_eq!(processed["error"]["code"], -32602);
    let batch = raw(&chain, r#"[{"jsonrpc":"2.0","id":1,"method":"getHealth"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#).await;
    assert_eq!(batch[0]["result"], "ok");
    assert_eq!(batch[1]["error"]["code"], -32601);
    // The chain still serves after all that.
    client.get_health().await.expect("still healthy");
}
