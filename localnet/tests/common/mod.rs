//! Helpers shared by the local chain's test files: a chain on free ports, funded keys,
//! sending and confirming, a mint with a holder, raw JSON-RPC posts.
#![allow(dead_code)]

use std::time::Duration;

use databounty_localnet::{Localnet, LocalnetConfig};
use databounty_sdk::accounts::{ata, mint_to_owner_ixs, NewMint};
use serde_json::Value;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;

/// A chain on a free port with 50 ms slots, and a client at `confirmed`.
pub async fn start() -> (Localnet, RpcClient) {
    start_with_slot_time(Duration::from_millis(50)).await
}

/// A chain on a free port with `slot_time` between slots, and a client at `confirmed`.
pub async fn start_with_slot_time(slot_time: Duration) -> (Localnet, RpcClient) {
    let config = LocalnetConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        slot_time,
        finality_slots: 8,
    };
    let chain = Localnet::start(config).await.expect("localnet starts");
    let client = RpcClient::new_with_commitment(chain.url.clone(), CommitmentConfig::confirmed());
    (chain, client)
}

pub async fn funded(client: &RpcClient) -> Keypair {
    let key = Keypair::new();
    let sig = client
        .request_airdrop(&key.pubkey(), 10_000_000_000)
        .await
        .expect("airdrop");
    wait_confirmed(client, &sig).await;
    key
}

pub async fn wait_confirmed(client: &RpcClient, sig: &Signature) {
    for _ in 0..100 {
        let statuses = client
            .get_signature_statuses(&[*sig])
            .await
            .expect("statuses")
            .value;
        if statuses[0]
            .as_ref()
            .is_some_and(|s| s.satisfies_commitment(CommitmentConfig::confirmed()))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{sig} never confirmed");
}

pub async fn send(
    client: &RpcClient,
    ixs: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
) -> Signature {
    let blockhash = client.get_latest_blockhash().await.expect("blockhash");
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
    client
        .send_and_confirm_transaction(&tx)
        .await
        .expect("transaction lands")
}

/// A mint of the SPL Token program with `holder` holding 1000 tokens.
pub async fn mint_with_holder(
    client: &RpcClient,
    payer: &Keypair,
    holder: &Pubkey,
) -> (Pubkey, Pubkey) {
    let mint = Keypair::new();
    let program = anchor_spl::token::ID;
    let new_mint = NewMint::new(mint.pubkey(), program, payer.pubkey(), 6);
    let rent = client
        .get_minimum_balance_for_rent_exemption(new_mint.space().expect("mint size"))
        .await
        .expect("rent");
    let mut ixs = new_mint
        .instructions(&payer.pubkey(), rent, [])
        .expect("mint instructions");
    ixs.extend(
        mint_to_owner_ixs(
            &payer.pubkey(),
            &payer.pubkey(),
            holder,
            &mint.pubkey(),
            &program,
            1_000_000_000,
        )
        .expect("mint_to"),
    );
    let ata = ata(holder, &mint.pubkey(), &program);
    send(client, &ixs, payer, &[&mint]).await;
    (mint.pubkey(), ata)
}

/// Posts a raw body and returns the JSON response.
pub async fn raw(chain: &Localnet, body: &str) -> Value {
    reqwest::Client::new()
        .post(&chain.url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json reply")
}
