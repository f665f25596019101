//! The PubSub websocket on the RPC port + 1, through `solana-client`'s `PubsubClient`:
//! the subscriptions `sendAndConfirmTransaction` and dApps use, at a commitment.

mod common;

use std::time::Duration;

use common::{funded, signed_transfer, start};
use databounty_localnet::LocalnetConfig;
use futures_util::StreamExt;
use solana_client::nonblocking::pubsub_client::PubsubClient;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
    RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_client::rpc_filter::{Memcmp, RpcFilterType};
use solana_client::rpc_response::{ProcessedSignatureResult, RpcSignatureResult};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Signature, Signer};

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

    let tx = signed_transfer(&client, &payer, &to, 5_000_000).await;
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

/// A chain whose finalized slot lags by 10 slots of 100 ms, and a client at `confirmed`.
async fn start_slow_finality() -> (databounty_localnet::Localnet, RpcClient) {
    let config = LocalnetConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        slot_time: Duration::from_millis(100),
        finality_slots: 10,
    };
    let chain = databounty_localnet::Localnet::start(config)
        .await
        .expect("localnet starts");
    let client = RpcClient::new_with_commitment(chain.url.clone(), CommitmentConfig::confirmed());
    (chain, client)
}

async fn landed_slot(client: &RpcClient, sig: &Signature) -> u64 {
    for _ in 0..200 {
        let status = client.get_signature_statuses(&[*sig]).await.unwrap().value[0].clone();
        if let Some(status) = status {
            return status.slot;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{sig} never landed")
}

#[tokio::test]
async fn a_finalized_subscriber_sees_the_finalized_state_not_the_processed_one() {
    let (chain, client) = start_slow_finality().await;
    let pubsub = PubsubClient::new(&chain.ws_url).await.expect("websocket");
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    let at = |commitment| {
        Some(RpcAccountInfoConfig {
            commitment: Some(commitment),
            ..Default::default()
        })
    };
    let (mut processed, _) = pubsub
        .account_subscribe(&to, at(CommitmentConfig::processed()))
        .await
        .unwrap();
    let (mut finalized, _) = pubsub
        .account_subscribe(&to, at(CommitmentConfig::finalized()))
        .await
        .unwrap();
    let (mut program, _) = pubsub
        .program_subscribe(
            &solana_system_interface::program::ID,
            Some(RpcProgramAccountsConfig {
                filters: Some(vec![RpcFilterType::DataSize(0)]),
                account_config: at(CommitmentConfig::finalized()).unwrap(),
                ..Default::default()
            }),
        )
        .await
        .unwrap();

    let first = signed_transfer(&client, &payer, &to, 5_000_000).await;
    let first = client.send_transaction(&first).await.unwrap();
    let note = tokio::time::timeout(WAIT, processed.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.value.lamports, 5_000_000);
    // Processed is told first: nothing has reached finalized yet.
    assert!(futures_util::FutureExt::now_or_never(finalized.next()).is_none());
    let first_slot = landed_slot(&client, &first).await;

    // A second change lands a few slots later, long before the first is finalized.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = signed_transfer(&client, &payer, &to, 2_000_000).await;
    let second = client.send_transaction(&second).await.unwrap();
    let note = tokio::time::timeout(WAIT, processed.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.value.lamports, 7_000_000);
    let second_slot = landed_slot(&client, &second).await;
    assert!(second_slot > first_slot);

    // The finalized subscriber gets the first change as the finalized bank holds it,
    // although the processed bank already holds the second.
    let note = tokio::time::timeout(WAIT, finalized.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        (first_slot..second_slot).contains(&note.context.slot),
        "notified at {} for changes at {first_slot} and {second_slot}",
        note.context.slot
    );
    assert_eq!(note.value.lamports, 5_000_000);
    let note = tokio::time::timeout(WAIT, finalized.next())
        .await
        .unwrap()
        .unwrap();
    assert!(note.context.slot >= second_slot);
    assert_eq!(note.value.lamports, 7_000_000);

    // programSubscribe at finalized likewise.
    let mut seen = vec![];
    while seen.len() < 2 {
        let note = tokio::time::timeout(WAIT, program.next())
            .await
            .unwrap()
            .unwrap();
        if note.value.pubkey == to.to_string() {
            seen.push((note.context.slot, note.value.account.lamports));
        }
    }
    assert!(seen[0].0 < second_slot, "{seen:?}");
    assert_eq!(seen[0].1, 5_000_000);
    assert_eq!(seen[1].1, 7_000_000);
}

/// Every notification `stream` yields within `window`.
async fn drain<T>(
    stream: &mut (impl futures_util::Stream<Item = T> + Unpin),
    window: Duration,
) -> Vec<T> {
    let mut out = vec![];
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, stream.next()).await {
        out.push(item);
    }
    out
}

#[tokio::test]
async fn program_filters_exclude_and_logs_all_sees_everything() {
    let (chain, client) = start().await;
    let pubsub = PubsubClient::new(&chain.ws_url).await.expect("websocket");
    let payer = funded(&client).await;
    let holder = Pubkey::new_unique();
    let token = anchor_spl::token::ID;
    let processed = RpcAccountInfoConfig {
        commitment: Some(CommitmentConfig::processed()),
        encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
        ..Default::default()
    };
    let with = |filters| {
        Some(RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: processed.clone(),
            ..Default::default()
        })
    };
    // A token account is 165 bytes, a mint 82: each size selects one kind.
    let (mut accounts_165, _) = pubsub
        .program_subscribe(&token, with(vec![RpcFilterType::DataSize(165)]))
        .await
        .unwrap();
    let (mut mints_82, _) = pubsub
        .program_subscribe(&token, with(vec![RpcFilterType::DataSize(82)]))
        .await
        .unwrap();
    // A token account's owner is at offset 32: the holder's matches, another's not.
    let (mut of_holder, _) = pubsub
        .program_subscribe(
            &token,
            with(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                32,
                holder.to_bytes().to_vec(),
            ))]),
        )
        .await
        .unwrap();
    let (mut of_nobody, _) = pubsub
        .program_subscribe(
            &token,
            with(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                32,
                Pubkey::new_unique().to_bytes().to_vec(),
            ))]),
        )
        .await
        .unwrap();
    let (mut all_logs, _) = pubsub
        .logs_subscribe(
            RpcTransactionLogsFilter::All,
            RpcTransactionLogsConfig {
                commitment: Some(CommitmentConfig::processed()),
            },
        )
        .await
        .unwrap();

    let (mint, ata) = common::mint_with_holder(&client, &payer, &holder).await;
    let window = Duration::from_millis(500);
    let keys = |notes: Vec<
        solana_client::rpc_response::Response<solana_client::rpc_response::RpcKeyedAccount>,
    >| {
        let mut keys: Vec<String> = notes.into_iter().map(|n| n.value.pubkey).collect();
        keys.dedup();
        keys
    };
    assert_eq!(
        keys(drain(&mut accounts_165, window).await),
        vec![ata.to_string()]
    );
    assert_eq!(
        keys(drain(&mut mints_82, window).await),
        vec![mint.to_string()]
    );
    assert_eq!(
        keys(drain(&mut of_holder, window).await),
        vec![ata.to_string()]
    );
    assert!(keys(drain(&mut of_nobody, window).await).is_empty());

    // `all`: the airdrop that funded the payer came before the subscription; the mint's
    // set-up, which names neither the subscription nor a filter, comes.
    let logs = drain(&mut all_logs, window).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    let listed = client.get_signatures_for_address(&mint).await;
    let signature = match listed {
        Ok(list) if !list.is_empty() => list[0].signature.clone(),
        _ => common::signatures_for(&client, &mint).await[0]
            .signature
            .clone(),
    };
    assert_eq!(logs[0].value.signature, signature);
    assert!(logs[0]
        .value
        .logs
        .iter()
        .any(|line| line.starts_with(&format!("Program {token} invoke"))));
}
