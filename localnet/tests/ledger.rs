//! `--ledger DIR`: accounts and transaction history survive a restart; `--reset`
//! starts over.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{at_confirmed, funded, send_transfer, signatures_for};
use databounty_localnet::{LedgerConfig, Localnet, LocalnetConfig};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

async fn start(dir: &Path, reset: bool) -> (Localnet, RpcClient) {
    let config = LocalnetConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        slot_time: Duration::from_millis(50),
        finality_slots: 8,
    };
    let ledger = LedgerConfig {
        dir: dir.to_path_buf(),
        reset,
    };
    let chain = Localnet::start_with_ledger(config, Some(ledger))
        .await
        .expect("localnet starts");
    let client = RpcClient::new_with_commitment(chain.url.clone(), CommitmentConfig::confirmed());
    (chain, client)
}

#[tokio::test]
async fn state_survives_a_restart_and_reset_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, client) = start(dir.path(), false).await;
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    let sig = send_transfer(&client, &payer, &to, 3_000_000).await;
    let payer_balance = client.get_balance(&payer.pubkey()).await.unwrap();
    chain.save().await.expect("saved");
    drop(chain);

    let (chain, client) = start(dir.path(), false).await;
    assert_eq!(client.get_balance(&to).await.unwrap(), 3_000_000);
    assert_eq!(
        client.get_balance(&payer.pubkey()).await.unwrap(),
        payer_balance
    );
    let tx = client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .expect("an earlier transaction is still found");
    // Slots go on from where they were: later transactions are later.
    assert!(client.get_slot().await.unwrap() >= tx.slot);
    assert!(tx.transaction.meta.unwrap().err.is_none());
    let listed = signatures_for(&client, &to).await;
    assert_eq!(listed[0].signature, sig.to_string());
    // The restored key still spends.
    send_transfer(&client, &payer, &to, 1_000_000).await;
    assert_eq!(client.get_balance(&to).await.unwrap(), 4_000_000);
    drop(chain);

    let (_chain, client) = start(dir.path(), true).await;
    assert_eq!(client.get_balance(&to).await.unwrap(), 0);
    assert!(client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .is_err());
}
