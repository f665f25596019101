//! The read methods dApps and wallets call, through `solana-client`: program and
//! token account scans, token amounts, blocks, the epoch and prioritization fees.

// `get_program_accounts_with_config` decodes the accounts, which the test wants; its
// replacement returns them undecoded.
#![allow(deprecated)]

mod common;

use anchor_lang::Discriminator;
use common::{at_confirmed, bounty_args, raw, send, signatures_for, slot_at, start, Poster};
use databounty::instructions::BountyCreateArgs;
use databounty_sdk::pda;
use serde_json::json;
use solana_account_decoder_client_types::{UiAccountData, UiAccountEncoding};
use solana_client::rpc_config::{RpcAccountInfoConfig, RpcBlockConfig, RpcProgramAccountsConfig};
use solana_client::rpc_filter::{Memcmp, RpcFilterType};
use solana_client::rpc_request::TokenAccountsFilter;
use solana_commitment_config::CommitmentConfig;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_transaction_status_client_types::{TransactionDetails, UiTransactionEncoding};

#[tokio::test]
async fn dapp_and_wallet_reads() {
    let (chain, client) = start().await;
    let poster = Poster::new(&client).await;
    let mut bounties = vec![];
    for nonce in 0..2 {
        let args = BountyCreateArgs {
            nonce,
            ..bounty_args(poster.now)
        };
        bounties.push(pda::bounty(&poster.payer.pubkey(), &args.dataset_id, nonce));
        let create = poster.bounty_create(args);
        send(
            &client,
            &[ComputeBudgetInstruction::set_compute_unit_price(7), create],
            &poster.payer,
            &[],
        )
        .await;
    }

    // getProgramAccounts: every bounty, by discriminator, in base64 and base64+zstd.
    for encoding in [UiAccountEncoding::Base64, UiAccountEncoding::Base64Zstd] {
        let found = client
            .get_program_accounts_with_config(
                &databounty::ID,
                RpcProgramAccountsConfig {
                    filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                        0,
                        databounty::state::Bounty::DISCRIMINATOR.to_vec(),
                    ))]),
                    account_config: RpcAccountInfoConfig {
                        encoding: Some(encoding),
                        commitment: Some(CommitmentConfig::confirmed()),
                        ..Default::default()
                    },
                    with_context: Some(true),
                    ..Default::default()
                },
            )
            .await
            .expect("getProgramAccounts");
        let mut keys: Vec<Pubkey> = found.iter().map(|(k, _)| *k).collect();
        keys.sort();
        let mut expected = bounties.clone();
        expected.sort();
        assert_eq!(keys, expected, "{encoding:?}");
        assert!(found[0]
            .1
            .data
            .starts_with(databounty::state::Bounty::DISCRIMINATOR));
    }
    // A dataSize filter no bounty matches, and the vault (a token account) by dataSize.
    let none = client
        .get_program_accounts_with_config(
            &databounty::ID,
            RpcProgramAccountsConfig {
                filters: Some(vec![RpcFilterType::DataSize(1)]),
                account_config: RpcAccountInfoConfig {
                    encoding: Some(UiAccountEncoding::Base64),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    let plain = raw(
        &chain,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "getProgramAccounts",
                "params": [databounty::ID.to_string(), {"encoding": "base64"}]})
        .to_string(),
    )
    .await;
    assert_eq!(plain["result"].as_array().unwrap().len(), 2, "{plain}");

    // Token accounts of an owner, by mint and by program, parsed as wallets ask.
    let by_mint = client
        .get_token_accounts_by_owner(
            &poster.payer.pubkey(),
            TokenAccountsFilter::Mint(poster.mint),
        )
        .await
        .unwrap();
    assert_eq!(by_mint.len(), 1);
    assert_eq!(by_mint[0].pubkey, poster.ata.to_string());
    let UiAccountData::Json(parsed) = &by_mint[0].account.data else {
        panic!("jsonParsed expected: {:?}", by_mint[0].account.data)
    };
    assert_eq!(parsed.parsed["info"]["tokenAmount"]["decimals"], 6);
    let by_program = client
        .get_token_accounts_by_owner(
            &poster.payer.pubkey(),
            TokenAccountsFilter::ProgramId(anchor_spl::token::ID),
        )
        .await
        .unwrap();
    assert_eq!(by_program.len(), 1);

    let balance = client.get_token_account_balance(&poster.ata).await.unwrap();
    assert_eq!(
        balance.amount,
        (1_000_000_000u64 - 2 * 5_000_000).to_string()
    );
    assert_eq!(balance.decimals, 6);
    let supply = client.get_token_supply(&poster.mint).await.unwrap();
    assert_eq!(supply.amount, "1000000000");
    assert_eq!(supply.ui_amount, Some(1000.0));

    // Blocks: the one holding a transaction lists it.
    let sig = client
        .get_signatures_for_address(&bounties[1])
        .await
        .unwrap()
        .into_iter()
        .next();
    let sig = match sig {
        Some(s) => s,
        None => {
            // Finalized lags; ask at confirmed.
            signatures_for(&client, &bounties[1]).await.remove(0)
        }
    };
    let block = client
        .get_block_with_config(
            sig.slot,
            RpcBlockConfig {
                encoding: Some(UiTransactionEncoding::Base64),
                transaction_details: Some(TransactionDetails::Full),
                rewards: Some(false),
                commitment: Some(CommitmentConfig::confirmed()),
                max_supported_transaction_version: Some(0),
            },
        )
        .await
        .expect("getBlock");
    let txs = block.transactions.unwrap();
    assert!(txs
        .iter()
        .any(|tx| tx.transaction.decode().unwrap().signatures[0].to_string() == sig.signature));
    assert_eq!(block.block_height, Some(sig.slot));
    let tx = client
        .get_transaction_with_config(&sig.signature.parse().unwrap(), at_confirmed())
        .await
        .unwrap();
    assert_eq!(tx.slot, sig.slot);
    let blocks = client
        .get_blocks_with_commitment(sig.slot - 2, Some(sig.slot), CommitmentConfig::confirmed())
        .await
        .unwrap();
    assert_eq!(blocks, vec![sig.slot - 2, sig.slot - 1, sig.slot]);

    let epoch = client.get_epoch_info().await.unwrap();
    assert!(epoch.absolute_slot > 0 && epoch.slots_in_epoch > 0);
    // An airdrop, the mint set-up and two bounties.
    assert_eq!(epoch.transaction_count, Some(4));

    let fees = client
        .get_recent_prioritization_fees(&[bounties[1]])
        .await
        .unwrap();
    assert!(
        fees.iter()
            .any(|f| f.slot == sig.slot && f.prioritization_fee == 7),
        "{fees:?}"
    );
    assert!(fees.len() <= 150);

    let unknown = raw(
        &chain,
        r#"{"jsonrpc":"2.0","id":1,"method":"getStakeActivation","params":[]}"#,
    )
    .await;
    assert_eq!(unknown["error"]["code"], -32601);
}

#[tokio::test]
async fn program_accounts_with_context_data_size_and_zstd() {
    let (chain, client) = start().await;
    let payer = common::funded(&client).await;
    let holder = Pubkey::new_unique();
    let (mint, ata) = common::mint_with_holder(&client, &payer, &holder).await;
    let token = anchor_spl::token::ID.to_string();
    let call = |size: u64, with_context: bool| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "getProgramAccounts",
               "params": [token, {"encoding": "base64+zstd", "commitment": "processed",
                                  "filters": [{"dataSize": size}], "withContext": with_context}]})
        .to_string()
    };

    // withContext wraps the list as a cluster does: {context: {slot}, value: [...]}.
    let processed = slot_at(&client, CommitmentConfig::processed()).await;
    let reply = raw(&chain, &call(82, true)).await;
    let result = &reply["result"];
    assert!(
        result["context"]["slot"].as_u64().unwrap() >= processed,
        "{reply}"
    );
    let found: Vec<solana_client::rpc_response::RpcKeyedAccount> =
        serde_json::from_value(result["value"].clone()).expect("a list of keyed accounts");
    // dataSize 82 selects the mint, not the 165-byte token account.
    assert_eq!(found.len(), 1, "{reply}");
    assert_eq!(found[0].pubkey, mint.to_string());
    assert!(
        matches!(
            &found[0].account.data,
            UiAccountData::Binary(_, UiAccountEncoding::Base64Zstd)
        ),
        "{reply}"
    );
    let decoded: solana_sdk::account::Account = found[0].account.decode().expect("zstd decodes");
    let stored = client.get_account(&mint).await.unwrap();
    assert_eq!(decoded.data, stored.data);
    assert_eq!(decoded.owner, anchor_spl::token::ID);

    // Without withContext, the bare list; 165 bytes selects the token account.
    let reply = raw(&chain, &call(165, false)).await;
    let found: Vec<solana_client::rpc_response::RpcKeyedAccount> =
        serde_json::from_value(reply["result"].clone()).expect("a bare list");
    assert_eq!(found.len(), 1, "{reply}");
    assert_eq!(found[0].pubkey, ata.to_string());
    let decoded: solana_sdk::account::Account = found[0].account.decode().unwrap();
    assert_eq!(decoded.data, client.get_account(&ata).await.unwrap().data);
}
