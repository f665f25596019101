//! The PubSub websocket on the RPC port + 1, through `solana-client`'s `PubsubClient`:
//! the subscriptions `sendAndConfirmTransaction` and dApps use, at a commitment.

mod common;

use std::time::Duration;

use common::{funded, start};
use futures_util::StreamExt;
use solana_client::nonblocking::pubsub_client::PubsubClient;
use solana_client::rpc_config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
    RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_client::rpc_filter::RpcFilterType;
use solana_client::rpc_response::{ProcessedSignatureResult, RpcSignatureResult};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::Transaction;
use solana_system_interface::instruction::transfer;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn subscriptions_notify_at_their_commitment() {
    let (chain, client) = start().await;
    assert_eq!(
        chain.ws_url,
        format!("ws://127.0.0.1:{}", chain.addr.port() + 1)
    );
    let pubsub = PubsubClient::new(&chain.ws_url).await.expect("websocket");
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    let confirmed = Some(CommitmentConfig::confirmed());

    let (mut slots, slot_unsubscribe) = pubsub.slot_subscribe().await.expect("slotSubscribe");
    let (mut account, _) = pubsub
        .account_subscribe(
            &to,
            Some(RpcAccountInfoConfig {
                commitment: confirmed,
                ..Default::default()
            }),
        )
        .await
        .expect("accountSubscribe");
    let (mut program, _) = pubsub
        .program_subscribe(
            &solana_system_interface::program::ID,
            Some(RpcProgramAccountsConfig {
                filters: Some(vec![RpcFilterType::DataSize(0)]),
                account_config: RpcAccountInfoConfig {
                    commitment: confirmed,
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .await
        .expect("programSubscribe");
    let (mut logs, _) = pubsub
        .logs_subscribe(
            RpcTransactionLogsFilter::Mentions(vec![to.to_string()]),
            RpcTransactionLogsConfig {
                commitment: confirmed,
            },
        )
        .await
        .expect("logsSubscribe");

    let slot = tokio::time::timeout(WAIT, slots.next())
        .await
        .unwrap()
        .unwrap();
    assert!(slot.slot > 0 && slot.root <= slot.slot);
    slot_unsubscribe().await;

    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[transfer(&payer.pubkey(), &to, 5_000_000)],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let (mut signature, _) = pubsub
        .signature_subscribe(
            &tx.signatures[0],
            Some(RpcSignatureSubscribeConfig {
                commitment: confirmed,
                enable_received_notification: None,
            }),
        )
        .await
        .expect("signatureSubscribe");
    let sig = client.send_transaction(&tx).await.unwrap();

    let note = tokio::time::timeout(WAIT, signature.next())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        note.value,
        RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult { err: None })
    ));
    // By then the RPC shows it at confirmed too.
    let status = client
        .get_signature_status_with_commitment(&sig, CommitmentConfig::confirmed())
        .await
        .unwrap();
    assert_eq!(status, Some(Ok(())));

    let note = tokio::time::timeout(WAIT, account.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.value.lamports, 5_000_000);
    let note = tokio::time::timeout(WAIT, program.next())
        .await
        .unwrap()
        .unwrap();
    assert!([to.to_string(), payer.pubkey().to_string()].contains(&note.value.pubkey));
    let note = tokio::time::timeout(WAIT, logs.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.value.signature, sig.to_string());
    assert!(note.value.logs[0].starts_with("Program 11111111111111111111111111111111 invoke [1]"));
}
