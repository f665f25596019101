//! The decoder on a recorded `getTransaction` reply from the local chain (a
//! `bounty_create` that funded in the same call: `databounty create ... --fund 100` on a
//! 6-decimal mint, then `getTransaction` with `encoding: json`), and on variants of it.
//! Re-record it when an event's layout changes.

#![allow(deprecated)]

use databounty_indexer::decoder::{decode, event_json, TransactionUpdate};
use databounty_sdk::events::DatabountyEvent;
use serde_json::{json, Value};
use solana_transaction_status_client_types::EncodedConfirmedTransactionWithStatusMeta;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/bounty_create.json")).expect("fixture parses")
}

fn update(value: Value) -> TransactionUpdate {
    let transaction: EncodedConfirmedTransactionWithStatusMeta =
        serde_json::from_value(value).expect("RPC shape");
    TransactionUpdate {
        signature: transaction
            .transaction
            .transaction
            .decode()
            .map(|t| t.signatures[0].to_string())
            .unwrap_or_default(),
        slot: transaction.slot,
        block_time: transaction.block_time,
        transaction,
        events: None,
    }
}

fn signature_of(value: &Value) -> String {
    value["transaction"]["signatures"][0]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn decodes_the_recorded_events_in_order() {
    let value = fixture();
    let mut tx = update(value.clone());
    let signature = signature_of(&value);
    tx.signature = signature.clone();
    let slot = tx.slot;
    let rows = decode(&databounty::ID, tx, 0);
    let names: Vec<_> = rows.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["BountyCreated", "BountyFunded"]);
    assert!(rows.iter().all(|r| r.position.instruction_index == 0
        && r.signature == signature
        && r.position.slot == slot));
    assert!(
        rows[0].position.inner_index < rows[1].position.inner_index,
        "inner positions keep their order"
    );
    let Ok(DatabountyEvent::BountyFunded(funded)) = &rows[1].event else {
        panic!("{:?}", rows[1].event)
    };
    assert_eq!(
        (funded.requested, funded.received, funded.funded),
        (100_000_000, 100_000_000, 100_000_000)
    );
    let Ok(DatabountyEvent::BountyCreated(created)) = &rows[0].event else {
        panic!()
    };
    assert_eq!(created.bounty, funded.bounty);
    let fields = event_json(rows[0].event.as_ref().unwrap());
    assert_eq!(
        fields["reward_per_submission"], "25000000",
        "u64 amounts travel as strings"
    );
    assert_eq!(
        fields["dataset_id"],
        databounty_sdk::hash::hex(&created.dataset_id),
        "hashes travel as hex"
    );
    assert_eq!(fields["review_fee"], "0");
}

#[test]
fn failed_transactions_yield_nothing() {
    let mut value = fixture();
    value["meta"]["err"] = json!({ "InstructionError": [0, { "Custom": 6018 }] });
    value["meta"]["status"] = json!({ "Err": { "InstructionError": [0, { "Custom": 6018 }] } });
    assert!(decode(&databounty::ID, update(value), 0).is_empty());
}

#[test]
fn an_event_that_does_not_decode_is_recorded_not_fatal() {
    let mut value = fixture();
    let inner = value["meta"]["innerInstructions"][0]["instructions"]
        .as_array_mut()
        .unwrap();
    // Find the first event self-CPI and corrupt its payload after tag + discriminator.
    let event = inner
        .iter_mut()
        .find(|ix| {
            bs58::decode(ix["data"].as_str().unwrap())
                .into_vec()
                .unwrap()
                .starts_with(anchor_lang::event::EVENT_IX_TAG_LE)
        })
        .expect("an event");
    let mut data = bs58::decode(event["data"].as_str().unwrap())
        .into_vec()
        .unwrap();
    data.truncate(20);
    event["data"] = json!(bs58::encode(&data).into_string());
    let rows = decode(&databounty::ID, update(value), 0);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name(), "Undecodable");
    assert_eq!(rows[0].raw, data, "the raw bytes are kept");
    assert!(rows[0]
        .event
        .as_ref()
        .unwrap_err()
        .contains("BountyCreated payload does not decode"));
    assert_eq!(rows[1].name(), "BountyFunded");
}

#[test]
fn another_programs_look_alike_is_ignored() {
    let other = anchor_lang::prelude::Pubkey::new_unique();
    assert!(decode(&other, update(fixture()), 0).is_empty());
}

#[test]
fn a_reply_with_broken_indices_is_one_undecodable_row() {
    let mut value = fixture();
    value["meta"]["innerInstructions"][0]["instructions"][0]["programIdIndex"] = json!(200);
    let rows = decode(&databounty::ID, update(value), 0);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name(), "Undecodable");
}

/// `--program-id`: the same program deployed at another id emits its events through
/// that deployment's event authority; they are found when indexing that id, and a
/// decoder bound to the default id ignores them.
#[test]
fn events_of_a_deployment_at_another_id_are_found() {
    let other = anchor_lang::prelude::Pubkey::new_unique();
    let mut value = fixture();
    let keys = value["transaction"]["message"]["accountKeys"]
        .as_array_mut()
        .unwrap();
    let moved = [
        (databounty::ID, other),
        (
            databounty_sdk::pda::event_authority(),
            databounty_sdk::pda::event_authority_of(&other),
        ),
    ];
    for key in keys.iter_mut() {
        for (from, to) in moved {
            if key.as_str() == Some(from.to_string().as_str()) {
                *key = json!(to.to_string());
            }
        }
    }
    let rows = decode(&other, update(value.clone()), 0);
    let names: Vec<_> = rows.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["BountyCreated", "BountyFunded"]);
    assert!(decode(&databounty::ID, update(value), 0).is_empty());
}
