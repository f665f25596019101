//! The `jsonParsed` transaction shape, and the account list of a block's
//! `transactionDetails: "accounts"`: account keys as `{pubkey, writable, signer,
//! source}` objects, and each instruction as `{programId, accounts, data}` with its
//! accounts named, or parsed (`{program, programId, parsed}`) for the System
//! program's transfer and createAccount, as a cluster does.

use serde_json::json;
use solana_sdk::message::compiled_instruction::CompiledInstruction;
use solana_sdk::pubkey::Pubkey;
use solana_system_interface::instruction::SystemInstruction;
use solana_transaction_status_client_types::{
    ParsedAccount, ParsedAccountSource, ParsedInstruction, UiAddressTableLookup,
    UiInnerInstructions, UiInstruction, UiParsedInstruction, UiParsedMessage,
    UiPartiallyDecodedInstruction,
};

use crate::ledger::{inner_instruction_groups, RecordedTransaction};

/// Every account of the transaction, static keys first, then the loaded ones.
pub fn account_keys(tx: &RecordedTransaction) -> Vec<ParsedAccount> {
    let message = &tx.transaction.message;
    let statics = message.static_account_keys().len();
    tx.account_keys()
        .iter()
        .enumerate()
        .map(|(index, key)| ParsedAccount {
            pubkey: key.to_string(),
            writable: message.is_maybe_writable(index, None),
            signer: message.is_signer(index),
            source: Some(if index < statics {
                ParsedAccountSource::Transaction
            } else {
                ParsedAccountSource::LookupTable
            }),
        })
        .collect()
}

/// One instruction, its accounts named by address.
fn instruction(
    ix: &CompiledInstruction,
    keys: &[Pubkey],
    stack_height: Option<u32>,
) -> UiInstruction {
    let key = |index: u8| keys.get(usize::from(index)).copied().unwrap_or_default();
    let program_id = key(ix.program_id_index);
    let accounts: Vec<Pubkey> = ix.accounts.iter().map(|&i| key(i)).collect();
    if let Some(parsed) = parse_system(&program_id, &accounts, &ix.data) {
        return UiInstruction::Parsed(UiParsedInstruction::Parsed(ParsedInstruction {
            program: "system".into(),
            program_id: program_id.to_string(),
            parsed,
            stack_height,
        }));
    }
    UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(
        UiPartiallyDecodedInstruction {
            program_id: program_id.to_string(),
            accounts: accounts.iter().map(ToString::to_string).collect(),
            data: bs58::encode(&ix.data).into_string(),
            stack_height,
        },
    ))
}

/// A System transfer or createAccount, as a cluster's parser words it.
fn parse_system(program: &Pubkey, accounts: &[Pubkey], data: &[u8]) -> Option<serde_json::Value> {
    if *program != solana_system_interface::program::ID {
        return None;
    }
    let account = |i: usize| accounts.get(i).map(ToString::to_string);
    match bincode::deserialize::<SystemInstruction>(data).ok()? {
        SystemInstruction::Transfer { lamports } => Some(json!({
            "type": "transfer",
            "info": {"source": account(0)?, "destination": account(1)?, "lamports": lamports},
        })),
        SystemInstruction::CreateAccount {
            lamports,
            space,
            owner,
        } => Some(json!({
            "type": "createAccount",
            "info": {
                "source": account(0)?,
                "newAccount": account(1)?,
                "lamports": lamports,
                "space": space,
                "owner": owner.to_string(),
            },
        })),
        _ => None,
    }
}

/// The message of a `jsonParsed` transaction.
pub fn message(tx: &RecordedTransaction) -> UiParsedMessage {
    let message = &tx.transaction.message;
    let keys = tx.account_keys();
    UiParsedMessage {
        account_keys: account_keys(tx),
        recent_blockhash: message.recent_blockhash().to_string(),
        instructions: message
            .instructions()
            .iter()
            .map(|ix| instruction(ix, &keys, None))
            .collect(),
        address_table_lookups: message
            .address_table_lookups()
            .map(|lookups| lookups.iter().map(UiAddressTableLookup::from).collect()),
    }
}

/// The inner instructions of a `jsonParsed` transaction's meta.
pub fn inner_instructions(tx: &RecordedTransaction) -> Vec<UiInnerInstructions> {
    let keys = tx.account_keys();
    inner_instruction_groups(&tx.inner_instructions, |ix| {
        instruction(&ix.instruction, &keys, Some(u32::from(ix.stack_height)))
    })
}
