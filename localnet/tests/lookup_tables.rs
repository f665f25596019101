//! v0 transactions with address lookup tables, through `solana-client`: a table
//! created and extended by the real lookup-table program, resolved on send and
//! reported in `getTransaction`'s `loadedAddresses`; the account-lock limit.

mod common;

use std::time::Duration;

use common::{at_confirmed, funded, send, send_refused, signatures_for, slot_at};
use solana_address_lookup_table_interface::instruction::{
    create_lookup_table, extend_lookup_table,
};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError, VersionedTransaction};
use solana_system_interface::instruction::transfer;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;

async fn v0_transaction(
    client: &RpcClient,
    payer: &Keypair,
    ixs: &[Instruction],
    table: &AddressLookupTableAccount,
) -> VersionedTransaction {
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let message =
        v0::Message::try_compile(&payer.pubkey(), ixs, std::slice::from_ref(table), blockhash)
            .expect("compiles");
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).expect("signs")
}

#[tokio::test]
async fn lookup_tables_resolve_on_send_and_in_get_transaction() {
    let (_chain, client) = common::start().await;
    let payer = funded(&client).await;
    let recipients: Vec<Pubkey> = (0..70).map(|_| Pubkey::new_unique()).collect();

    // A table through the real program; extended 20 addresses at a time (a packet's worth).
    let recent_slot = slot_at(&client, CommitmentConfig::confirmed()).await;
    let (create, table) = create_lookup_table(payer.pubkey(), payer.pubkey(), recent_slot);
    send(&client, &[create], &payer, &[]).await;
    for chunk in recipients.chunks(20) {
        let extend =
            extend_lookup_table(table, payer.pubkey(), Some(payer.pubkey()), chunk.to_vec());
        send(&client, &[extend], &payer, &[]).await;
    }
    // Extensions are usable from the next slot on.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let lookup = AddressLookupTableAccount {
        key: table,
        addresses: recipients.clone(),
    };

    // 40 transfers: as a legacy message their addresses alone would not fit in a packet.
    let amount = 1_000_000;
    let ixs: Vec<Instruction> = recipients[..40]
        .iter()
        .map(|to| transfer(&payer.pubkey(), to, amount))
        .collect();
    let legacy = Transaction::new_signed_with_payer(
        &ixs,
        Some(&payer.pubkey()),
        &[&payer],
        client.get_latest_blockhash().await.unwrap(),
    );
    assert!(bincode::serialize(&legacy).unwrap().len() > 1232);
    let tx = v0_transaction(&client, &payer, &ixs, &lookup).await;
    assert!(bincode::serialize(&tx).unwrap().len() <= 1232);
    let sig = client
        .send_and_confirm_transaction(&tx)
        .await
        .expect("v0 with a lookup table lands");
    for to in &recipients[..40] {
        assert_eq!(client.get_balance(to).await.unwrap(), amount);
    }

    let got = client
        .get_transaction_with_config(&sig, at_confirmed())
        .await
        .unwrap();
    let meta = got.transaction.meta.unwrap();
    let OptionSerializer::Some(loaded) = meta.loaded_addresses else {
        panic!("loadedAddresses")
    };
    let expected: Vec<String> = recipients[..40].iter().map(ToString::to_string).collect();
    assert_eq!(loaded.writable, expected);
    assert!(loaded.readonly.is_empty());
    // Balances cover the static keys and then the loaded ones.
    assert_eq!(meta.post_balances.len(), 2 + 40);
    assert_eq!(meta.post_balances[2], amount);
    // getSignaturesForAddress finds it by a loaded address too.
    let by_loaded = signatures_for(&client, &recipients[7]).await;
    assert_eq!(by_loaded[0].signature, sig.to_string());

    // One instruction naming 70 accounts: over the 64-account lock limit.
    let metas: Vec<AccountMeta> = recipients
        .iter()
        .map(|k| AccountMeta::new_readonly(*k, false))
        .collect();
    let crowded = Instruction::new_with_bytes(solana_system_interface::program::ID, &[], metas);
    let tx = v0_transaction(&client, &payer, &[crowded], &lookup).await;
    for skip_preflight in [false, true] {
        let err = send_refused(&client, &tx, skip_preflight).await;
        assert_eq!(
            err.get_transaction_error(),
            Some(TransactionError::TooManyAccountLocks),
            "{err}"
        );
    }
    // simulateTransaction applies the same limit, as a cluster's simulation does.
    let simulated = client.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(
        simulated.err.map(TransactionError::from),
        Some(TransactionError::TooManyAccountLocks)
    );
    assert_eq!(simulated.units_consumed, Some(0));

    // An address both static and looked up is loaded twice: refused on both paths.
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let mut message = v0::Message::try_compile(
        &payer.pubkey(),
        &[transfer(&payer.pubkey(), &recipients[1], 1)],
        std::slice::from_ref(&lookup),
        blockhash,
    )
    .unwrap();
    // The transfer's recipient comes from the table; name it statically as well.
    message.account_keys.push(recipients[1]);
    message.header.num_readonly_unsigned_accounts += 1;
    let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer]).unwrap();
    let simulated = client.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(
        simulated.err.map(TransactionError::from),
        Some(TransactionError::AccountLoadedTwice)
    );
    let err = send_refused(&client, &tx, true).await;
    assert_eq!(
        err.get_transaction_error(),
        Some(TransactionError::AccountLoadedTwice),
        "{err}"
    );
}
