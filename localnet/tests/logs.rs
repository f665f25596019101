//! Program logs as a validator writes them for our program, so that Anchor's
//! `AnchorError.parse` and client error translation work.

mod common;

use common::{at_confirmed, bounty_args, send, start, Poster};
use databounty::instructions::BountyCreateArgs;
use solana_client::client_error::ClientErrorKind;
use solana_client::rpc_request::{RpcError, RpcResponseErrorData};
use solana_sdk::signature::Signer;
use solana_sdk::transaction::Transaction;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;

fn args(now: i64, quorum: u8) -> BountyCreateArgs {
    BountyCreateArgs {
        dataset_id: [9u8; 32],
        quorum,
        ..bounty_args(now)
    }
}

/// Checks that `invoke [n]` lines are balanced by `success` / `failed` lines.
fn assert_balanced(logs: &[String]) {
    let mut stack = vec![];
    for line in logs {
        let words: Vec<&str> = line.split(' ').collect();
        if words.len() == 4 && words[0] == "Program" && words[2] == "invoke" {
            stack.push(words[1].to_string());
        } else if words.len() >= 3
            && words[0] == "Program"
            && (words[2] == "success" || words[2] == "failed:")
        {
            assert_eq!(stack.pop().as_deref(), Some(words[1]), "{logs:#?}");
        }
    }
    assert!(stack.is_empty(), "unbalanced: {logs:#?}");
}

#[tokio::test]
async fn logs_are_what_a_validator_writes() {
    let (_chain, client) = start().await;
    let poster = Poster::new(&client).await;
    let create = |quorum| poster.bounty_create(args(poster.now, quorum));
    // Success.
    let sig = send(&client, &[create(1)], &poster.payer, &[]).await;
    let tx = client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .unwrap();
    let OptionSerializer::Some(logs) = tx.transaction.meta.unwrap().log_messages else {
        panic!("logs")
    };
    let id = databounty::ID.to_string();
    assert_eq!(logs[0], format!("Program {id} invoke [1]"));
    assert_eq!(logs[1], "Program log: Instruction: BountyCreate");
    assert!(logs
        .last()
        .unwrap()
        .starts_with(&format!("Program {id} success")));
    assert_balanced(&logs);

    // Failure: the same bounty again.
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[create(5)],
        Some(&poster.payer.pubkey()),
        &[&poster.payer],
        blockhash,
    );
    let err = client.send_transaction(&tx).await.unwrap_err();
    let ClientErrorKind::RpcError(RpcError::RpcResponseError {
        data: RpcResponseErrorData::SendTransactionPreflightFailure(result),
        ..
    }) = err.kind()
    else {
        panic!("{err}")
    };
    let logs = result.logs.clone().unwrap();
    assert_balanced(&logs);
    let anchor = logs
        .iter()
        .find(|l| l.starts_with("Program log: AnchorError occurred. Error Code: "))
        .unwrap_or_else(|| panic!("no AnchorError line: {logs:#?}"));
    assert!(
        anchor.starts_with("Program log: AnchorError occurred. Error Code: BountyAlreadyExists. Error Number: 6003. Error Message: "),
        "{anchor}"
    );
    assert_eq!(
        logs.last().unwrap(),
        &format!("Program {id} failed: custom program error: 0x1773")
    );
}
