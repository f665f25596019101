//! The `databounty-localnet` binary itself with `--ledger DIR`: token and program
//! accounts and the transaction history survive SIGINT and SIGKILL; `--reset` starts
//! empty; a ledger that cannot be read is named as the reason it does not start.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{
    at_confirmed, bounty_args, send, send_transfer, signatures_for, wait_confirmed, Poster,
};
use databounty_sdk::pda;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::{Keypair, Signer};

const BINARY: &str = env!("CARGO_BIN_EXE_databounty-localnet");

/// The binary on a free port with `--ledger dir`, and a client of it.
fn start(dir: &Path, reset: bool) -> (Child, RpcClient) {
    let mut command = Command::new(BINARY);
    command
        .args(["--port", "0", "--slot-ms", "50", "--finality-slots", "4"])
        .arg("--ledger")
        .arg(dir)
        .stdout(Stdio::piped());
    if reset {
        command.arg("--reset");
    }
    let mut child = command.spawn().expect("the binary starts");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    // Kept open: a closed pipe would make the binary's next line fail.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = first
        .trim()
        .strip_prefix("JSON-RPC on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    (
        child,
        RpcClient::new_with_commitment(url, CommitmentConfig::confirmed()),
    )
}

fn interrupt(mut child: Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success(), "exits cleanly on SIGINT");
}

#[tokio::test]
async fn the_binary_keeps_its_ledger_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (child, client) = start(dir.path(), false);
    let poster = Poster::new(&client).await;
    let args = bounty_args(poster.now);
    let bounty = pda::bounty(&poster.payer.pubkey(), &args.dataset_id, args.nonce);
    let created = send(&client, &[poster.bounty_create(args)], &poster.payer, &[]).await;
    let bounty_account = client.get_account(&bounty).await.unwrap();
    let mint_account = client.get_account(&poster.mint).await.unwrap();
    let ata_balance = client.get_token_account_balance(&poster.ata).await.unwrap();

    // SIGINT: the state is written on the way out.
    interrupt(child);
    let (child, client) = start(dir.path(), false);
    assert_eq!(client.get_account(&bounty).await.unwrap(), bounty_account);
    assert_eq!(bounty_account.owner, databounty::ID);
    assert_eq!(
        client.get_account(&poster.mint).await.unwrap(),
        mint_account
    );
    assert_eq!(mint_account.owner, anchor_spl::token::ID);
    assert_eq!(
        client.get_token_account_balance(&poster.ata).await.unwrap(),
        ata_balance
    );
    let listed = signatures_for(&client, &bounty).await;
    assert_eq!(listed[0].signature, created.to_string());
    let tx = client
        .get_transaction_with_config(&created, at_confirmed())
        .await
        .expect("the creation is still found");
    assert!(tx.transaction.meta.unwrap().err.is_none());

    // SIGKILL a few slots after a transaction: it was written after its slot.
    // Not `new_unique`: its sequence restarts in every process, the chain's included.
    let to = Keypair::new().pubkey();
    let sig = send_transfer(&client, &poster.payer, &to, 2_000_000).await;
    wait_confirmed(&client, &sig).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    let (child, client) = start(dir.path(), false);
    assert_eq!(client.get_balance(&to).await.unwrap(), 2_000_000);
    assert_eq!(client.get_account(&bounty).await.unwrap(), bounty_account);
    assert!(client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .is_ok());
    interrupt(child);

    // --reset: nothing of it is left.
    let (child, client) = start(dir.path(), true);
    assert!(client.get_account(&bounty).await.is_err());
    assert!(client.get_account(&poster.mint).await.is_err());
    assert_eq!(client.get_balance(&to).await.unwrap(), 0);
    assert!(client
        .get_transaction_with_config(&created, at_confirmed())
        .await
        .is_err());
    interrupt(child);
}

#[tokio::test]
async fn an_unreadable_ledger_is_named_as_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (child, client) = start(dir.path(), false);
    // Something to keep, then every file it wrote damaged.
    common::funded(&client).await;
    interrupt(child);
    let mut damaged = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not a ledger").unwrap();
        damaged += 1;
    }
    assert!(damaged > 0, "the ledger directory holds the state");
    let output = Command::new(BINARY)
        .args(["--port", "0", "--ledger"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot load the ledger"), "{stderr}");
    assert!(stderr.contains("--reset"), "{stderr}");
    assert!(!stderr.contains("cannot listen"), "{stderr}");
}
