//! Helpers shared by the local chain's test files: a chain on free ports, funded keys,
//! signing, sending and confirming (transfers or any instructions), a mint with a holder,
//! raw JSON-RPC posts, the chain's clock,
//! a bounty's terms, and the read and send configurations the tests use.
#![allow(dead_code)]

use std::time::Duration;

use databounty::instructions::BountyCreateArgs;
use databounty_localnet::{Localnet, LocalnetConfig};
use databounty_sdk::accounts::{self, ata, mint_to_owner_ixs, NewMint};
use serde_json::Value;
use solana_client::client_error::ClientError;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_client::{GetConfirmedSignaturesForAddress2Config, SerializableTransaction};
use solana_client::rpc_config::{RpcSendTransactionConfig, RpcTransactionConfig};
use solana_client::rpc_response::RpcConfirmedTransactionStatusWithSignature;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use solana_system_interface::instruction::transfer;
use solana_transaction_status_client_types::UiTransactionEncoding;

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

/// The chain's slot at `commitment`.
pub async fn slot_at(client: &RpcClient, commitment: CommitmentConfig) -> u64 {
    client
        .get_slot_with_commitment(commitment)
        .await
        .expect("slot")
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

/// A transfer of `lamports` from `payer` to `to` on the latest blockhash, signed and
/// not yet sent.
pub async fn signed_transfer(
    client: &RpcClient,
    payer: &Keypair,
    to: &Pubkey,
    lamports: u64,
) -> Transaction {
    let blockhash = client.get_latest_blockhash().await.expect("blockhash");
    let ix = transfer(&payer.pubkey(), to, lamports);
    Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[payer], blockhash)
}

/// Sends a transfer of `lamports` from `payer` to `to` and waits until it lands.
pub async fn send_transfer(
    client: &RpcClient,
    payer: &Keypair,
    to: &Pubkey,
    lamports: u64,
) -> Signature {
    send(
        client,
        &[transfer(&payer.pubkey(), to, lamports)],
        payer,
        &[],
    )
    .await
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

/// The chain's clock, in unix seconds.
pub async fn chain_time(client: &RpcClient) -> i64 {
    let account = client
        .get_account(&accounts::CLOCK_SYSVAR)
        .await
        .expect("clock sysvar");
    accounts::chain_time(&account.data).expect("clock")
}

/// Someone ready to create bounties: a funded `payer` holding 1000 tokens of a fresh SPL
/// Token `mint` in its associated token account `ata`, and the chain's time `now`.
pub struct Poster {
    pub payer: Keypair,
    pub mint: Pubkey,
    pub ata: Pubkey,
    pub now: i64,
}

impl Poster {
    pub async fn new(client: &RpcClient) -> Self {
        let payer = funded(client).await;
        let (mint, ata) = mint_with_holder(client, &payer, &payer.pubkey()).await;
        let now = chain_time(client).await;
        Poster {
            payer,
            mint,
            ata,
            now,
        }
    }

    /// `bounty_create` with the payer as the creator, funding it from `ata`.
    pub fn bounty_create(&self, args: BountyCreateArgs) -> Instruction {
        let creator = self.payer.pubkey();
        databounty_sdk::instructions::bounty_create(
            &creator,
            &creator,
            &self.mint,
            &anchor_spl::token::ID,
            Some(self.ata),
            args,
        )
    }
}

/// A bounty's terms the tests start from: 1 token per winner, 2 winners, one fresh
/// reviewer at quorum 1, deadlines an hour and two hours after `now`, funded with 5
/// tokens, no fee and no bond. Tests name what they change with `..bounty_args(now)`.
pub fn bounty_args(now: i64) -> BountyCreateArgs {
    BountyCreateArgs {
        dataset_id: [7u8; 32],
        nonce: 0,
        metadata_uri: "ipfs://task".into(),
        reward_per_submission: 1_000_000,
        max_winners: 2,
        reviewers: vec![Pubkey::new_unique()],
        quorum: 1,
        submission_deadline: now + 3_600,
        review_deadline: now + 7_200,
        allow_permanent_delegate: false,
        initial_funding: 5_000_000,
        review_fee: 0,
        submission_bond: 0,
    }
}

/// `getTransaction` as JSON at `confirmed`, v0 transactions included.
pub fn at_confirmed() -> RpcTransactionConfig {
    RpcTransactionConfig {
        encoding: Some(UiTransactionEncoding::Json),
        commitment: Some(CommitmentConfig::confirmed()),
        max_supported_transaction_version: Some(0),
    }
}

/// `getSignaturesForAddress` at `confirmed`, newest first.
pub async fn signatures_for(
    client: &RpcClient,
    address: &Pubkey,
) -> Vec<RpcConfirmedTransactionStatusWithSignature> {
    client
        .get_signatures_for_address_with_config(
            address,
            GetConfirmedSignaturesForAddress2Config {
                commitment: Some(CommitmentConfig::confirmed()),
                ..Default::default()
            },
        )
        .await
        .expect("getSignaturesForAddress")
}

/// Sends `tx` (with or without the preflight) when the chain must refuse it: the error.
pub async fn send_refused(
    client: &RpcClient,
    tx: &impl SerializableTransaction,
    skip_preflight: bool,
) -> ClientError {
    client
        .send_transaction_with_config(
            tx,
            RpcSendTransactionConfig {
                skip_preflight,
                ..Default::default()
            },
        )
        .await
        .unwrap_err()
}
