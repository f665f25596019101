//! The checks a cluster makes before it executes anything, through `solana-client`:
//! one bank behind every commitment, the packet size, signatures, duplicates,
//! blockhash expiry and the compute budget.

mod common;

use std::time::Duration;

use common::{
    at_confirmed, funded, mint_with_holder, raw, send, send_refused, signed_transfer, start,
    start_with_slot_time,
};
use serde_json::json;
use solana_client::client_error::ClientErrorKind;
use solana_client::rpc_config::RpcSimulateTransactionConfig;
use solana_client::rpc_request::{RpcError, RpcResponseErrorData};
use solana_commitment_config::CommitmentConfig;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use solana_system_interface::instruction::transfer;

/// The JSON-RPC error code and message of a failed call.
fn rpc_error(
    err: &solana_client::client_error::ClientError,
) -> (i64, String, Option<TransactionError>) {
    match err.kind() {
        ClientErrorKind::RpcError(RpcError::RpcResponseError {
            code,
            message,
            data,
            ..
        }) => {
            let tx_err = match data {
                RpcResponseErrorData::SendTransactionPreflightFailure(result) => {
                    result.err.clone().map(Into::into)
                }
                _ => None,
            };
            (*code, message.clone(), tx_err)
        }
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_blockhash_from_any_commitment_is_accepted_at_that_commitment() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    for round in 0..12u64 {
        for (level, commitment) in [
            CommitmentConfig::processed(),
            CommitmentConfig::confirmed(),
            CommitmentConfig::finalized(),
        ]
        .into_iter()
        .enumerate()
        {
            let (blockhash, _) = client
                .get_latest_blockhash_with_commitment(commitment)
                .await
                .expect("blockhash");
            let tx = Transaction::new_signed_with_payer(
                &[transfer(
                    &payer.pubkey(),
                    &to,
                    1_000_000 + 10 * round + level as u64,
                )],
                Some(&payer.pubkey()),
                &[&payer],
                blockhash,
            );
            let simulated = client
                .simulate_transaction_with_config(
                    &tx,
                    RpcSimulateTransactionConfig {
                        sig_verify: true,
                        commitment: Some(commitment),
                        ..Default::default()
                    },
                )
                .await
                .expect("simulates");
            assert_eq!(simulated.value.err, None, "round {round} at {commitment:?}");
            if round % 4 == 0 {
                client
                    .send_transaction_with_config(
                        &tx,
                        solana_client::rpc_config::RpcSendTransactionConfig {
                            preflight_commitment: Some(commitment.commitment),
                            ..Default::default()
                        },
                    )
                    .await
                    .expect("sends");
            }
        }
        tokio::time::sleep(Duration::from_millis(35)).await;
    }
}

#[tokio::test]
async fn a_transaction_over_1232_bytes_is_refused() {
    let (chain, client) = start().await;
    let payer = funded(&client).await;
    let blockhash = client.get_latest_blockhash().await.unwrap();
    // A memo-sized payload for a program that is never reached: the size check comes first.
    let padded = |len: usize| {
        Transaction::new_signed_with_payer(
            &[
                transfer(&payer.pubkey(), &Pubkey::new_unique(), 1_000_000),
                Instruction::new_with_bytes(Pubkey::new_unique(), &vec![1u8; len], vec![]),
            ],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        )
    };
    let size = |tx: &Transaction| bincode::serialize(tx).unwrap().len();
    // Past 127 bytes the data length takes two bytes; every byte more adds one.
    let base = size(&padded(200)) - 200;
    let largest = padded(1232 - base);
    assert_eq!(size(&largest), 1232);
    let too_large = padded(1233 - base);
    assert_eq!(size(&too_large), 1233);

    let err = client.send_transaction(&too_large).await.unwrap_err();
    let (code, message, _) = rpc_error(&err);
    assert_eq!(code, -32602);
    assert!(
        message.contains("too large: 1233 bytes (max: encoded/raw 1644/1232)"),
        "{message}"
    );
    let err = client.simulate_transaction(&too_large).await.unwrap_err();
    assert!(rpc_error(&err).1.contains("too large"));
    // 1,232 bytes pass the size check (and then fail on the unknown program, as a cluster).
    let err = client.send_transaction(&largest).await.unwrap_err();
    let (code, _, tx_err) = rpc_error(&err);
    assert_eq!(code, -32002);
    assert!(tx_err.is_some());

    // The 1,504-byte transaction of the report, base58 as well.
    let big = padded(1504 - base);
    let encoded = bs58::encode(bincode::serialize(&big).unwrap()).into_string();
    let reply = raw(
        &chain,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": [encoded]})
            .to_string(),
    )
    .await;
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let mut tx = signed_transfer(&client, &payer, &Pubkey::new_unique(), 1_000_000).await;
    // Signed by someone else.
    tx.signatures[0] = Keypair::new().sign_message(&tx.message_data());
    for skip_preflight in [false, true] {
        let err = send_refused(&client, &tx, skip_preflight).await;
        assert_eq!(rpc_error(&err).0, -32003, "skip_preflight {skip_preflight}");
    }
    let err = client
        .simulate_transaction_with_config(
            &tx,
            RpcSimulateTransactionConfig {
                sig_verify: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(rpc_error(&err).0, -32003);
    assert_eq!(
        client
            .get_signature_status(&tx.signatures[0])
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_signature_already_processed_is_refused() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let tx = signed_transfer(&client, &payer, &Pubkey::new_unique(), 1_000_000).await;
    client
        .send_and_confirm_transaction(&tx)
        .await
        .expect("first lands");
    let before = client.get_balance(&payer.pubkey()).await.unwrap();
    let err = client.send_transaction(&tx).await.unwrap_err();
    let (code, message, tx_err) = rpc_error(&err);
    assert_eq!(code, -32002);
    assert_eq!(
        tx_err,
        Some(TransactionError::AlreadyProcessed),
        "{message}"
    );
    assert_eq!(client.get_balance(&payer.pubkey()).await.unwrap(), before);
}

#[tokio::test]
async fn a_blockhash_expires_after_150_blocks() {
    let (_chain, client) = start_with_slot_time(Duration::from_millis(10)).await;
    let payer = funded(&client).await;
    let (blockhash, last_valid) = client
        .get_latest_blockhash_with_commitment(CommitmentConfig::processed())
        .await
        .unwrap();
    let height = || async {
        client
            .get_block_height_with_commitment(CommitmentConfig::processed())
            .await
            .unwrap()
    };
    let now = height().await;
    assert!(
        last_valid <= now + 150 && last_valid + 5 >= now + 150,
        "{last_valid} at {now}"
    );
    let tx = |lamports| {
        Transaction::new_signed_with_payer(
            &[transfer(&payer.pubkey(), &Pubkey::new_unique(), lamports)],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        )
    };
    // Still good 110 blocks later (about 1.1 s at 10 ms a slot). Simulation, and so
    // preflight, stops 6 blocks before lastValidBlockHeight, as on a cluster; the 34
    // blocks between leave a loaded machine a third of a second to check and send (14
    // blocks, 140 ms, was once too little in CI).
    while height().await < last_valid - 40 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(client
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    client
        .send_transaction(&tx(1_000_000))
        .await
        .expect("still valid");
    while height().await <= last_valid + 1 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!client
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    let err = client.send_transaction(&tx(2_000_000)).await.unwrap_err();
    assert_eq!(rpc_error(&err).2, Some(TransactionError::BlockhashNotFound));
}

#[tokio::test]
async fn compute_budget_instructions_are_honoured() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let holder = Keypair::new();
    let (mint, from) = mint_with_holder(&client, &payer, &holder.pubkey()).await;
    let to = Keypair::new();
    let (_, to_ata) = (
        mint,
        databounty_sdk::accounts::ata(&to.pubkey(), &mint, &anchor_spl::token::ID),
    );
    send(
        &client,
        &[anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account(
            &payer.pubkey(),
            &to.pubkey(),
            &mint,
            &anchor_spl::token::ID,
        )],
        &payer,
        &[],
    )
    .await;
    let token_transfer = anchor_spl::token::spl_token::instruction::transfer(
        &anchor_spl::token::ID,
        &from,
        &to_ata,
        &holder.pubkey(),
        &[],
        1,
    )
    .unwrap();

    // The SPL Token program runs metered in the SBF VM: 1,000 units are not enough.
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let starved = Transaction::new_signed_with_payer(
        &[
            ComputeBudgetInstruction::set_compute_unit_limit(1_000),
            token_transfer.clone(),
        ],
        Some(&payer.pubkey()),
        &[&payer, &holder],
        blockhash,
    );
    let err = client.send_transaction(&starved).await.unwrap_err();
    assert!(
        matches!(
            rpc_error(&err).2,
            Some(TransactionError::InstructionError(
                1,
                InstructionError::ProgramFailedToComplete
                    | InstructionError::ComputationalBudgetExceeded
            ))
        ),
        "{err}"
    );

    // A priority fee: 10,000 units at 1,000,000 micro-lamports each = 10,000 lamports.
    let before = client.get_balance(&payer.pubkey()).await.unwrap();
    let sig: Signature = send(
        &client,
        &[
            ComputeBudgetInstruction::set_compute_unit_limit(10_000),
            ComputeBudgetInstruction::set_compute_unit_price(1_000_000),
            token_transfer,
        ],
        &payer,
        &[&holder],
    )
    .await;
    let after = client.get_balance(&payer.pubkey()).await.unwrap();
    assert_eq!(before - after, 2 * 5_000 + 10_000);
    let tx = client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .unwrap();
    assert_eq!(tx.transaction.meta.unwrap().fee, 2 * 5_000 + 10_000);
}

#[tokio::test]
async fn the_same_airdrop_twice_is_two_airdrops() {
    let (_chain, client) = start().await;
    let to = Pubkey::new_unique();
    let first = client.request_airdrop(&to, 1_000_000_000).await.unwrap();
    let second = client.request_airdrop(&to, 1_000_000_000).await.unwrap();
    assert_ne!(first, second);
    common::wait_confirmed(&client, &second).await;
    assert_eq!(client.get_balance(&to).await.unwrap(), 2_000_000_000);
}

#[tokio::test]
async fn simulating_a_processed_transaction_says_so() {
    let (_chain, client) = start().await;
    let payer = funded(&client).await;
    let tx = signed_transfer(&client, &payer, &Pubkey::new_unique(), 1_000_000).await;
    let fresh = client.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(fresh.err, None);
    client.send_and_confirm_transaction(&tx).await.unwrap();
    let again = client.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(
        again.err.map(TransactionError::from),
        Some(TransactionError::AlreadyProcessed)
    );
}
