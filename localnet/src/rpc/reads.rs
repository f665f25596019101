//! The read methods dApps and wallets call beyond the basics: program account scans,
//! blocks, the epoch and prioritization fees.

use serde_json::{json, Value};
use solana_account_decoder::encode_ui_account;
use solana_account_decoder::parse_account_data::{
    AccountAdditionalDataV3, SplTokenAdditionalDataV2,
};
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding, UiDataSliceConfig};
use solana_commitment_config::CommitmentLevel;
use solana_rpc_client_types::config::{
    RpcBlockConfig, RpcContextConfig, RpcEncodingConfigWrapper, RpcProgramAccountsConfig,
};
use solana_rpc_client_types::filter::RpcFilterType;
use solana_rpc_client_types::response::{RpcKeyedAccount, RpcPrioritizationFee};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_transaction_status_client_types::{
    TransactionDetails, UiConfirmedBlock, UiTransactionEncoding,
};

use super::errors::{RpcError, UNSUPPORTED_TRANSACTION_VERSION};
use super::params::{commitment, pubkey, Params};
use super::{plain, with_context};
use crate::chain::Chain;
use crate::ledger::{mint_decimals, token_account};

const BLOCK_NOT_AVAILABLE: i64 = -32004;
const SLOT_SKIPPED: i64 = -32009;
/// A cluster's largest `getBlocks` range.
const MAX_BLOCK_RANGE: u64 = 500_000;
/// How many recent slots `getRecentPrioritizationFees` covers, as a cluster.
const PRIORITIZATION_FEE_SLOTS: u64 = 150;
const COMPUTE_BUDGET_PROGRAM: Pubkey =
    Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");
/// Base58 is refused for account data over this many bytes, as on a cluster.
const MAX_BASE58_BYTES: usize = 128;

/// `account` in `encoding`; a token account in `jsonParsed` gets its mint's decimals.
pub(super) async fn encode(
    chain: &mut Chain,
    address: &Pubkey,
    account: &Account,
    encoding: UiAccountEncoding,
    slice: Option<UiDataSliceConfig>,
) -> Result<UiAccount, RpcError> {
    if encoding == UiAccountEncoding::Binary || encoding == UiAccountEncoding::Base58 {
        let len = slice.map_or(account.data.len(), |s| {
            s.length.min(account.data.len().saturating_sub(s.offset))
        });
        if len > MAX_BASE58_BYTES {
            return Err(RpcError::invalid_params(
                "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
            ));
        }
    }
    let mut additional = None;
    if encoding == UiAccountEncoding::JsonParsed {
        if let Some(balance) = token_account(account) {
            if let Some(mint) = chain.account(&balance.mint).await? {
                additional = Some(AccountAdditionalDataV3 {
                    spl_token_additional_data: Some(SplTokenAdditionalDataV2 {
                        decimals: mint_decimals(&mint).unwrap_or(0),
                        ..Default::default()
                    }),
                });
            }
        }
    }
    Ok(encode_ui_account(
        address, account, encoding, additional, slice,
    ))
}

/// The account stored at `address` in `encoding` (see [`encode`]); `None` where there is
/// none, as a cluster answers for a missing account.
pub(super) async fn encode_stored(
    chain: &mut Chain,
    address: &Pubkey,
    encoding: UiAccountEncoding,
    slice: Option<UiDataSliceConfig>,
) -> Result<Option<UiAccount>, RpcError> {
    match chain.account(address).await? {
        Some(account) => Ok(Some(
            encode(chain, address, &account, encoding, slice).await?,
        )),
        None => Ok(None),
    }
}

fn matches(filters: &[RpcFilterType], account: &Account) -> bool {
    filters.iter().all(|filter| match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => token_account(account).is_some(),
    })
}

pub(super) async fn get_program_accounts(
    chain: &mut Chain,
    params: &Params,
) -> Result<Value, RpcError> {
    let program = pubkey(&params.required::<String>(0, "program id")?)?;
    let config: RpcProgramAccountsConfig = params.optional(1)?.unwrap_or_default();
    let filters = config.filters.unwrap_or_default();
    if filters.len() > 4 {
        return Err(RpcError::invalid_params("Too many filters provided; max 4"));
    }
    for filter in &filters {
        filter
            .verify()
            .map_err(|e| RpcError::invalid_params(e.to_string()))?;
    }
    let encoding = config
        .account_config
        .encoding
        .unwrap_or(UiAccountEncoding::Binary);
    let slot = chain.slot_at(commitment(config.account_config.commitment));
    let mut found = vec![];
    for address in chain.known_addresses() {
        let Some(account) = chain.account(&address).await? else {
            continue;
        };
        if account.owner == program && matches(&filters, &account) {
            let ui = encode(
                chain,
                &address,
                &account,
                encoding,
                config.account_config.data_slice,
            )
            .await?;
            found.push(RpcKeyedAccount {
                pubkey: address.to_string(),
                account: ui,
            });
        }
    }
    if config.with_context.unwrap_or(false) {
        with_context(slot, found)
    } else {
        plain(found)
    }
}

/// The slot ceiling of `getBlock` / `getBlocks`, which refuse `processed`.
fn block_ceiling(chain: &Chain, level: CommitmentLevel) -> Result<u64, RpcError> {
    if level == CommitmentLevel::Processed {
        return Err(RpcError::invalid_params(
            "Method does not support commitment below `confirmed`",
        ));
    }
    Ok(chain.slot_at(level))
}

pub(super) async fn get_block(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let slot: u64 = params.required(0, "slot")?;
    let config = params
        .optional::<RpcEncodingConfigWrapper<RpcBlockConfig>>(1)?
        .map(|c| c.convert_to_current())
        .unwrap_or_default();
    let ceiling = block_ceiling(chain, commitment(config.commitment))?;
    if slot > ceiling {
        return Err(RpcError::new(
            BLOCK_NOT_AVAILABLE,
            format!("Block not available for slot {slot}"),
        ));
    }
    let Some(block) = chain.blocks.get(&slot).copied() else {
        return Err(RpcError::new(
            SLOT_SKIPPED,
            format!("Slot {slot} was skipped, or missing in long-term storage"),
        ));
    };
    let previous = chain
        .blocks
        .range(..slot)
        .next_back()
        .map(|(s, b)| (*s, b.blockhash));
    let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
    let details = config.transaction_details.unwrap_or_default();
    let txs: Vec<_> = chain
        .ledger
        .in_slots(slot.saturating_sub(1), slot)
        .filter(|tx| tx.slot == slot)
        .collect();
    let mut transactions = None;
    let mut signatures = None;
    let show_rewards = config.rewards.unwrap_or(true);
    let unsupported = |e: crate::ledger::RenderError| {
        RpcError::new(UNSUPPORTED_TRANSACTION_VERSION, e.to_string())
    };
    match details {
        TransactionDetails::Full => {
            let mut list = Vec::with_capacity(txs.len());
            for tx in &txs {
                let rendered = tx
                    .render(encoding, config.max_supported_transaction_version)
                    .map_err(unsupported)?;
                list.push(rendered.transaction);
            }
            transactions = Some(list);
        }
        TransactionDetails::Accounts => {
            let mut list = Vec::with_capacity(txs.len());
            for tx in &txs {
                list.push(
                    tx.render_accounts(config.max_supported_transaction_version, show_rewards)
                        .map_err(unsupported)?,
                );
            }
            transactions = Some(list);
        }
        TransactionDetails::Signatures => {
            signatures = Some(txs.iter().map(|tx| tx.signature.to_string()).collect());
        }
        TransactionDetails::None => {}
    }
    plain(UiConfirmedBlock {
        previous_blockhash: previous.map_or(block.blockhash, |(_, h)| h).to_string(),
        blockhash: block.blockhash.to_string(),
        parent_slot: previous.map_or(slot.saturating_sub(1), |(s, _)| s),
        transactions,
        signatures,
        rewards: show_rewards.then(Vec::new),
        num_reward_partitions: None,
        block_time: Some(block.time),
        block_height: Some(slot),
    })
}

pub(super) fn get_blocks(chain: &Chain, params: &Params) -> Result<Value, RpcError> {
    let start: u64 = params.required(0, "start slot")?;
    // The end slot is optional, and a config may stand in its place.
    let (end, config): (Option<u64>, Option<RpcContextConfig>) = match params.0.get(1) {
        Some(Value::Object(_)) => (None, params.optional(1)?),
        _ => (params.optional(1)?, params.optional(2)?),
    };
    let ceiling = block_ceiling(chain, commitment(config.and_then(|c| c.commitment)))?;
    let end = end.unwrap_or(ceiling).min(ceiling);
    if end.saturating_sub(start) > MAX_BLOCK_RANGE {
        return Err(RpcError::invalid_params(format!(
            "Slot range too large; max {MAX_BLOCK_RANGE}"
        )));
    }
    if start > end {
        return plain(Vec::<u64>::new());
    }
    plain(
        chain
            .blocks
            .range(start..=end)
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
    )
}

pub(super) fn get_blocks_with_limit(chain: &Chain, params: &Params) -> Result<Value, RpcError> {
    let start: u64 = params.required(0, "start slot")?;
    let limit: u64 = params.required(1, "limit")?;
    let config: Option<RpcContextConfig> = params.optional(2)?;
    let ceiling = block_ceiling(chain, commitment(config.and_then(|c| c.commitment)))?;
    if limit > MAX_BLOCK_RANGE {
        return Err(RpcError::invalid_params(format!(
            "Limit too large; max {MAX_BLOCK_RANGE}"
        )));
    }
    plain(
        chain
            .blocks
            .range(start..=ceiling.max(start))
            .map(|(s, _)| *s)
            .filter(|s| *s <= ceiling)
            .take(limit as usize)
            .collect::<Vec<_>>(),
    )
}

pub(super) async fn get_epoch_schedule(chain: &mut Chain) -> Result<Value, RpcError> {
    let schedule = chain.epoch_schedule().await?;
    Ok(json!({
        "slotsPerEpoch": schedule.slots_per_epoch,
        "leaderScheduleSlotOffset": schedule.leader_schedule_slot_offset,
        "warmup": schedule.warmup,
        "firstNormalEpoch": schedule.first_normal_epoch,
        "firstNormalSlot": schedule.first_normal_slot,
    }))
}

pub(super) async fn get_epoch_info(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config: Option<RpcContextConfig> = params.optional(0)?;
    let slot = chain.slot_at(commitment(config.and_then(|c| c.commitment)));
    let schedule = chain.epoch_schedule().await?;
    let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
    Ok(json!({
        "absoluteSlot": slot,
        "blockHeight": slot,
        "epoch": epoch,
        "slotIndex": slot_index,
        "slotsInEpoch": schedule.get_slots_in_epoch(epoch),
        "transactionCount": chain.ledger.len(),
    }))
}

/// The compute-unit price a transaction's compute-budget instructions set.
fn unit_price(tx: &solana_sdk::transaction::VersionedTransaction) -> u64 {
    let keys = tx.message.static_account_keys();
    tx.message
        .instructions()
        .iter()
        .filter(|ix| keys.get(usize::from(ix.program_id_index)) == Some(&COMPUTE_BUDGET_PROGRAM))
        .find_map(|ix| match ix.data.split_first() {
            Some((3, price)) => price.try_into().ok().map(u64::from_le_bytes),
            _ => None,
        })
        .unwrap_or(0)
}

pub(super) fn get_recent_prioritization_fees(
    chain: &Chain,
    params: &Params,
) -> Result<Value, RpcError> {
    let addresses: Vec<String> = params.optional(0)?.unwrap_or_default();
    if addresses.len() > 128 {
        return Err(RpcError::invalid_params(
            "Too many inputs provided; max 128",
        ));
    }
    let addresses: Vec<Pubkey> = addresses
        .iter()
        .map(|a| pubkey(a))
        .collect::<Result<_, _>>()?;
    let newest = chain.slot_at(CommitmentLevel::Confirmed);
    let oldest = newest.saturating_sub(PRIORITIZATION_FEE_SLOTS - 1);
    let fees: Vec<RpcPrioritizationFee> = chain
        .blocks
        .range(oldest..=newest)
        .map(|(&slot, _)| {
            // The lowest price that landed in the slot (among those writing to one of
            // `addresses`, when given), as a cluster reports it.
            let prioritization_fee = chain
                .ledger
                .in_slots(slot.saturating_sub(1), slot)
                .filter(|tx| tx.slot == slot)
                .filter(|tx| {
                    addresses.is_empty()
                        || addresses.iter().any(|a| {
                            tx.transaction
                                .message
                                .static_account_keys()
                                .iter()
                                .position(|k| k == a)
                                .is_some_and(|i| tx.transaction.message.is_maybe_writable(i, None))
                        })
                })
                .map(|tx| unit_price(&tx.transaction))
                .min()
                .unwrap_or(0);
            RpcPrioritizationFee {
                slot,
                prioritization_fee,
            }
        })
        .collect();
    plain(fees)
}
