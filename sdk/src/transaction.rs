//! The program's events in a transaction as `getTransaction` returns it (json or
//! binary encoding), located by (instruction index, inner index).

// The RPC's transaction types are flagged "to become unstable" in Agave 3.x; they are
// the wire format every Solana RPC speaks.
#![allow(deprecated)]

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::pubkey::ParsePubkeyError;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, UiInstruction, UiMessage,
    UiParsedInstruction,
};

use crate::events::{decode_event, is_event_instruction, DatabountyEvent, DecodeError};

/// One event self-CPI found in a transaction.
#[derive(Debug)]
pub struct FoundEvent {
    /// Index of the top-level instruction it was emitted under.
    pub instruction_index: u8,
    /// Position among that instruction's inner instructions.
    pub inner_index: u16,
    /// The raw data (tag, discriminator, payload), kept for events that do not decode.
    pub data: Vec<u8>,
    pub event: Result<DatabountyEvent, DecodeError>,
}

/// Why a transaction could not be searched for events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionShapeError {
    #[error("the transaction has no status meta")]
    NoMeta,
    #[error("the transaction's account key {key:?} is not an address")]
    BadKey {
        key: String,
        #[source]
        source: ParsePubkeyError,
    },
    #[error("the transaction's encoding cannot be decoded")]
    Undecodable,
    #[error("an instruction refers to account index {0}, beyond the transaction's keys")]
    BadIndex(u8),
    #[error("inner instruction data is not base58")]
    BadData,
    #[error("the transaction did not report its inner instructions")]
    NoInnerInstructions,
}

fn parse_key(key: &str) -> Result<Pubkey, TransactionShapeError> {
    key.parse().map_err(|source| TransactionShapeError::BadKey {
        key: key.to_string(),
        source,
    })
}

fn account_keys(
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<Vec<Pubkey>, TransactionShapeError> {
    let mut keys: Vec<Pubkey> = match &tx.transaction.transaction {
        EncodedTransaction::Json(ui) => match &ui.message {
            UiMessage::Raw(raw) => raw
                .account_keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<_, _>>()?,
            UiMessage::Parsed(parsed) => parsed
                .account_keys
                .iter()
                .map(|k| parse_key(&k.pubkey))
                .collect::<Result<_, _>>()?,
        },
        other => other
            .decode()
            .ok_or(TransactionShapeError::Undecodable)?
            .message
            .static_account_keys()
            .to_vec(),
    };
    // Keys loaded from lookup tables follow the static ones: writable, then read-only.
    if let Some(meta) = &tx.transaction.meta {
        if let OptionSerializer::Some(loaded) = &meta.loaded_addresses {
            for key in loaded.writable.iter().chain(&loaded.readonly) {
                keys.push(parse_key(key)?);
            }
        }
    }
    Ok(keys)
}

/// Whether the transaction failed (its events never happened).
pub fn failed(tx: &EncodedConfirmedTransactionWithStatusMeta) -> bool {
    tx.transaction.meta.as_ref().is_none_or(|m| m.err.is_some())
}

/// The indexes of the transaction's top-level instructions that invoke `program_id`.
/// Every instruction of the program emits at least one event, so each of these must have
/// events under it in a complete reply.
pub fn program_instructions(
    program_id: &Pubkey,
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<Vec<u8>, TransactionShapeError> {
    let keys = account_keys(tx)?;
    let invokes = |program_index: u8| {
        keys.get(usize::from(program_index))
            .ok_or(TransactionShapeError::BadIndex(program_index))
            .map(|k| k == program_id)
    };
    let mut out = Vec::new();
    let mut push = |index: usize, ours: bool| {
        if ours {
            out.push(u8::try_from(index).unwrap_or(u8::MAX));
        }
    };
    match &tx.transaction.transaction {
        EncodedTransaction::Json(ui) => match &ui.message {
            UiMessage::Raw(raw) => {
                for (i, ix) in raw.instructions.iter().enumerate() {
                    push(i, invokes(ix.program_id_index)?);
                }
            }
            UiMessage::Parsed(parsed) => {
                for (i, ix) in parsed.instructions.iter().enumerate() {
                    let ours = match ix {
                        UiInstruction::Compiled(ix) => invokes(ix.program_id_index)?,
                        UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(ix)) => {
                            ix.program_id == program_id.to_string()
                        }
                        UiInstruction::Parsed(UiParsedInstruction::Parsed(ix)) => {
                            ix.program_id == program_id.to_string()
                        }
                    };
                    push(i, ours);
                }
            }
        },
        other => {
            let decoded = other.decode().ok_or(TransactionShapeError::Undecodable)?;
            for (i, ix) in decoded.message.instructions().iter().enumerate() {
                push(i, invokes(ix.program_id_index)?);
            }
        }
    }
    Ok(out)
}

/// Every event self-CPI of `program_id` in the transaction, in order.
pub fn find_events(
    program_id: &Pubkey,
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<Vec<FoundEvent>, TransactionShapeError> {
    let meta = tx
        .transaction
        .meta
        .as_ref()
        .ok_or(TransactionShapeError::NoMeta)?;
    let keys = account_keys(tx)?;
    let key = |i: u8| {
        keys.get(usize::from(i))
            .copied()
            .ok_or(TransactionShapeError::BadIndex(i))
    };
    // Every instruction of the program emits its event through a self-CPI, so a reply
    // without inner instructions (a node that does not record them) would look like a
    // transaction without events: refuse it instead.
    let inner = match &meta.inner_instructions {
        OptionSerializer::Some(inner) => inner,
        OptionSerializer::None | OptionSerializer::Skip => {
            return Err(TransactionShapeError::NoInnerInstructions)
        }
    };
    let mut found = Vec::new();
    for group in inner {
        for (position, ix) in group.instructions.iter().enumerate() {
            // Only compiled instructions carry raw data; parsed ones belong to known
            // programs, never to ours.
            let UiInstruction::Compiled(ix) = ix else {
                continue;
            };
            let program = key(ix.program_id_index)?;
            // Most inner instructions are token transfers: skip them before decoding.
            if program != *program_id {
                continue;
            }
            let accounts = ix
                .accounts
                .iter()
                .map(|&i| key(i))
                .collect::<Result<Vec<_>, _>>()?;
            let data = bs58::decode(&ix.data)
                .into_vec()
                .map_err(|_| TransactionShapeError::BadData)?;
            if is_event_instruction(program_id, &program, &accounts, &data) {
                found.push(FoundEvent {
                    instruction_index: group.index,
                    inner_index: u16::try_from(position).unwrap_or(u16::MAX),
                    event: decode_event(&data),
                    data,
                });
            }
        }
    }
    Ok(found)
}
