//! Methods @solana/web3.js and @solana/kit flows call beyond the basics:
//! getBlocksWithLimit, getEpochSchedule, getTokenLargestAccounts,
//! getTokenAccountsByDelegate, and `minContextSlot` refused until it is reached.

mod common;

use common::{funded, mint_with_holder, raw, send, slot_at, start};
use databounty_sdk::accounts::{ata, mint_to_owner_ixs};
use serde_json::json;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn blocks_with_limit_and_the_epoch_schedule() {
    let (chain, client) = start().await;
    let mut confirmed = 0;
    while confirmed < 12 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        confirmed = slot_at(&client, CommitmentConfig::confirmed()).await;
    }
    let start_slot = confirmed - 5;
    let blocks = client
        .get_blocks_with_limit_and_commitment(start_slot, 3, CommitmentConfig::confirmed())
        .await
        .unwrap();
    assert_eq!(blocks, vec![start_slot, start_slot + 1, start_slot + 2]);
    // Never past the commitment's slot.
    let far = client
        .get_blocks_with_limit_and_commitment(start_slot, 10_000, CommitmentConfig::confirmed())
        .await
        .unwrap();
    let now = slot_at(&client, CommitmentConfig::confirmed()).await;
    assert!(far.len() >= 6 && *far.last().unwrap() <= now, "{far:?}");
    let refused = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":1,"method":"getBlocksWithLimit","params":[1,5,{"commitment":"processed"}]}"#,
    )
    .await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");

    let schedule = client.get_epoch_schedule().await.unwrap();
    let epoch = client.get_epoch_info().await.unwrap();
    assert!(schedule.slots_per_epoch > 0);
    assert_eq!(
        schedule.get_slots_in_epoch(epoch.epoch),
        epoch.slots_in_epoch
    );
    let reply = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":1,"method":"getEpochSchedule"}"#,
    )
    .await;
    for field in [
        "slotsPerEpoch",
        "leaderScheduleSlotOffset",
        "warmup",
        "firstNormalEpoch",
        "firstNormalSlot",
    ] {
        assert!(!reply["result"][field].is_null(), "{field}: {reply}");
    }
}

#[tokio::test]
async fn token_largest_accounts_and_accounts_by_delegate() {
    let (chain, client) = start().await;
    let payer = funded(&client).await;
    let (mint, payer_ata) = mint_with_holder(&client, &payer, &payer.pubkey()).await;
    let program = anchor_spl::token::ID;
    let other = Pubkey::new_unique();
    let ixs = mint_to_owner_ixs(
        &payer.pubkey(),
        &payer.pubkey(),
        &other,
        &mint,
        &program,
        300_000_000,
    )
    .unwrap();
    send(&client, &ixs, &payer, &[]).await;
    let other_ata = ata(&other, &mint, &program);

    let largest = client.get_token_largest_accounts(&mint).await.unwrap();
    let listed: Vec<(String, String)> = largest
        .iter()
        .map(|b| (b.address.clone(), b.amount.amount.clone()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (payer_ata.to_string(), "1000000000".to_string()),
            (other_ata.to_string(), "300000000".to_string()),
        ]
    );
    assert_eq!(largest[1].amount.ui_amount_string, "300");
    assert_eq!(largest[1].amount.decimals, 6);
    let not_a_mint = raw(
        &chain,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "getTokenLargestAccounts",
                "params": [payer_ata.to_string()]})
        .to_string(),
    )
    .await;
    assert_eq!(not_a_mint["error"]["code"], -32602, "{not_a_mint}");

    // A delegate approved on the payer's account finds it; anyone else finds nothing.
    let delegate = Pubkey::new_unique();
    let approve = anchor_spl::token_2022::spl_token_2022::instruction::approve(
        &program,
        &payer_ata,
        &delegate,
        &payer.pubkey(),
        &[],
        5,
    )
    .unwrap();
    send(&client, &[approve], &payer, &[]).await;
    // Raw: solana-client's get_token_accounts_by_delegate sends getTokenAccountsByOwner.
    let by_delegate = |who: Pubkey, filter: serde_json::Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "getTokenAccountsByDelegate",
               "params": [who.to_string(), filter, {"encoding": "jsonParsed"}]})
        .to_string()
    };
    for filter in [
        json!({"mint": mint.to_string()}),
        json!({"programId": program.to_string()}),
    ] {
        let reply = raw(&chain, &by_delegate(delegate, filter)).await;
        let found = reply["result"]["value"].as_array().expect("a list");
        assert_eq!(found.len(), 1, "{reply}");
        assert_eq!(found[0]["pubkey"], payer_ata.to_string());
        let info = &found[0]["account"]["data"]["parsed"]["info"];
        assert_eq!(info["delegate"], delegate.to_string(), "{reply}");
    }
    let reply = raw(
        &chain,
        &by_delegate(other, json!({"mint": mint.to_string()})),
    )
    .await;
    assert_eq!(reply["result"]["value"], json!([]), "{reply}");
}

#[tokio::test]
async fn min_context_slot_is_honoured() {
    let (chain, client) = start().await;
    let processed = slot_at(&client, CommitmentConfig::processed()).await;
    let ask = |min: u64, commitment: &str| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "getBalance",
               "params": [Pubkey::new_unique().to_string(),
                          {"commitment": commitment, "minContextSlot": min}]})
        .to_string()
    };
    let reply = raw(&chain, &ask(processed, "processed")).await;
    assert_eq!(reply["result"]["value"], 0, "{reply}");
    let reply = raw(&chain, &ask(processed + 1_000, "processed")).await;
    assert_eq!(reply["error"]["code"], -32016, "{reply}");
    assert_eq!(
        reply["error"]["message"],
        "Minimum context slot has not been reached"
    );
    assert!(reply["error"]["data"]["contextSlot"].as_u64().unwrap() >= processed);
    // Finalized lags 8 slots: the slot processed has just reached is not reached there.
    let now = slot_at(&client, CommitmentConfig::processed()).await;
    let reply = raw(&chain, &ask(now, "finalized")).await;
    assert_eq!(reply["error"]["code"], -32016, "{reply}");
    let reply = raw(
        &chain,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "getLatestBlockhash",
                "params": [{"commitment": "confirmed", "minContextSlot": processed + 1_000}]})
        .to_string(),
    )
    .await;
    assert_eq!(reply["error"]["code"], -32016, "{reply}");
}

/// In a chain's first slots finalized is still at slot 0, before the chain's first block:
/// a finalized `getLatestBlockhash` must still answer with a blockhash valid 150 blocks
/// past the finalized height, not the processed bank's, valid past it.
#[tokio::test]
async fn a_finalized_blockhash_in_the_first_slots_matches_the_finalized_height() {
    // 200 ms slots: finalized stays at 0 for the 8 slots it lags, well over a second.
    let (chain, _client) =
        common::start_with_slot_time(std::time::Duration::from_millis(200)).await;
    let call = |method: &str, params: serde_json::Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
    };
    let finalized = json!([{"commitment": "finalized"}]);
    let before = raw(&chain, &call("getBlockHeight", finalized.clone())).await["result"]
        .as_u64()
        .expect("a height");
    let reply = raw(&chain, &call("getLatestBlockhash", finalized.clone())).await;
    let after = raw(&chain, &call("getBlockHeight", finalized)).await["result"]
        .as_u64()
        .expect("a height");
    assert_eq!(before, 0, "finalized should still be at 0: {reply}");
    let last_valid = reply["result"]["value"]["lastValidBlockHeight"]
        .as_u64()
        .expect("lastValidBlockHeight");
    assert!(
        before + 150 <= last_valid && last_valid <= after + 150,
        "finalized: {last_valid} against heights {before}..{after}"
    );
    let blockhash = reply["result"]["value"]["blockhash"].clone();
    let valid = raw(
        &chain,
        &call(
            "isBlockhashValid",
            json!([blockhash, {"commitment": "finalized"}]),
        ),
    )
    .await;
    assert_eq!(valid["result"]["value"], true, "{valid}");
}
