//! Every transaction the chain executed, indexed by signature and by account, and
//! rendered in the shapes a cluster's RPC returns.

use std::collections::HashMap;

use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use base64::Engine;
use solana_account_decoder_client_types::token::UiTokenAmount;
use solana_sdk::account::Account;
use solana_sdk::message::inner_instruction::InnerInstruction;
use solana_sdk::message::v0::LoadedAddresses;
use solana_sdk::message::VersionedMessage;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::{TransactionError, TransactionVersion, VersionedTransaction};
use solana_transaction_context::TransactionReturnData;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, TransactionBinaryEncoding, UiAccountsList,
    UiAddressTableLookup, UiCompiledInstruction, UiInnerInstructions, UiInstruction,
    UiLoadedAddresses, UiMessage, UiRawMessage, UiReturnDataEncoding, UiTransaction,
    UiTransactionEncoding, UiTransactionReturnData, UiTransactionStatusMeta,
    UiTransactionTokenBalance,
};

/// A token account's balance before or after a transaction.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TokenBalance {
    pub account_index: u8,
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub decimals: u8,
    pub program_id: Pubkey,
}

/// The balance fields of a token account, if `account` is one (SPL Token or Token-2022).
pub fn token_account(account: &Account) -> Option<TokenBalance> {
    let token_programs = [anchor_spl::token::ID, anchor_spl::token_2022::ID];
    if !token_programs.contains(&account.owner) {
        return None;
    }
    let state = StateWithExtensions::<TokenAccount>::unpack(&account.data).ok()?;
    Some(TokenBalance {
        account_index: 0,
        mint: state.base.mint,
        owner: state.base.owner,
        amount: state.base.amount,
        decimals: 0,
        program_id: account.owner,
    })
}

/// The decimals of a mint account.
pub fn mint_decimals(account: &Account) -> Option<u8> {
    Some(
        StateWithExtensions::<Mint>::unpack(&account.data)
            .ok()?
            .base
            .decimals,
    )
}

impl TokenBalance {
    fn to_ui(&self) -> UiTransactionTokenBalance {
        let text = databounty_sdk::amount::format(self.amount, self.decimals);
        UiTransactionTokenBalance {
            account_index: self.account_index,
            mint: self.mint.to_string(),
            ui_token_amount: UiTokenAmount {
                ui_amount: text.parse().ok(),
                decimals: self.decimals,
                amount: self.amount.to_string(),
                ui_amount_string: text,
            },
            owner: OptionSerializer::Some(self.owner.to_string()),
            program_id: OptionSerializer::Some(self.program_id.to_string()),
        }
    }
}

/// Inner instructions per top-level instruction, each rendered by `render`, as the RPC
/// reports them (groups with none are left out, as on a cluster). The RPC numbers a
/// group's top-level instruction with a `u8`; a group past 255 (out of reach: the
/// runtime stops a transaction at 64 instructions in all) is left out, with a warning,
/// rather than reported under a wrapped-around number.
pub fn inner_instruction_groups(
    inner: &[Vec<InnerInstruction>],
    render: impl Fn(&InnerInstruction) -> UiInstruction,
) -> Vec<UiInnerInstructions> {
    inner
        .iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .filter_map(|(index, list)| {
            let Ok(index) = u8::try_from(index) else {
                tracing::warn!(index, "inner instructions past instruction 255 left out");
                return None;
            };
            Some(UiInnerInstructions {
                index,
                instructions: list.iter().map(&render).collect(),
            })
        })
        .collect()
}

/// Inner instructions in the compiled form (every encoding but `jsonParsed`).
pub fn ui_inner_instructions(inner: &[Vec<InnerInstruction>]) -> Vec<UiInnerInstructions> {
    inner_instruction_groups(inner, |ix| {
        UiInstruction::Compiled(UiCompiledInstruction::from(
            &ix.instruction,
            Some(u32::from(ix.stack_height)),
        ))
    })
}

/// A transaction as executed, with everything `getTransaction` reports.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RecordedTransaction {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    pub logs: Vec<String>,
    /// Per top-level instruction, its inner instructions.
    pub inner_instructions: Vec<Vec<InnerInstruction>>,
    pub compute_units: u64,
    pub return_data: Option<TransactionReturnData>,
    /// The addresses a v0 transaction loaded from lookup tables.
    pub loaded_addresses: LoadedAddresses,
}

/// Why a transaction cannot be rendered as asked.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0")]
    UnsupportedVersion,
    #[error("Encoding {0:?} is not supported for transactions")]
    UnsupportedEncoding(UiTransactionEncoding),
}

impl RecordedTransaction {
    /// Every account of the transaction in the order balances are reported: the
    /// static keys, then the loaded writable ones, then the loaded read-only ones.
    pub fn account_keys(&self) -> Vec<Pubkey> {
        let mut keys = self.transaction.message.static_account_keys().to_vec();
        keys.extend(&self.loaded_addresses.writable);
        keys.extend(&self.loaded_addresses.readonly);
        keys
    }

    pub fn is_v0(&self) -> bool {
        matches!(self.transaction.message, VersionedMessage::V0(_))
    }

    fn meta(&self, encoding: UiTransactionEncoding) -> UiTransactionStatusMeta {
        let parsed = encoding == UiTransactionEncoding::JsonParsed;
        let inner = if parsed {
            crate::parsed::inner_instructions(self)
        } else {
            ui_inner_instructions(&self.inner_instructions)
        };
        UiTransactionStatusMeta {
            err: self.err.clone().map(Into::into),
            status: match &self.err {
                None => Ok(()),
                Some(err) => Err(err.clone().into()),
            },
            fee: self.fee,
            pre_balances: self.pre_balances.clone(),
            post_balances: self.post_balances.clone(),
            inner_instructions: OptionSerializer::Some(inner),
            log_messages: OptionSerializer::Some(self.logs.clone()),
            pre_token_balances: OptionSerializer::Some(
                self.pre_token_balances
                    .iter()
                    .map(TokenBalance::to_ui)
                    .collect(),
            ),
            post_token_balances: OptionSerializer::Some(
                self.post_token_balances
                    .iter()
                    .map(TokenBalance::to_ui)
                    .collect(),
            ),
            rewards: OptionSerializer::Some(vec![]),
            // jsonParsed lists the loaded addresses among the account keys instead.
            loaded_addresses: if self.is_v0() && !parsed {
                OptionSerializer::Some(UiLoadedAddresses::from(&self.loaded_addresses))
            } else {
                OptionSerializer::Skip
            },
            return_data: match &self.return_data {
                Some(data) if !data.data.is_empty() => {
                    OptionSerializer::Some(UiTransactionReturnData {
                        program_id: data.program_id.to_string(),
                        data: (
                            base64::engine::general_purpose::STANDARD.encode(&data.data),
                            UiReturnDataEncoding::Base64,
                        ),
                    })
                }
                _ => OptionSerializer::Skip,
            },
            compute_units_consumed: OptionSerializer::Some(self.compute_units),
            cost_units: OptionSerializer::Skip,
        }
    }

    fn encoded_transaction(
        &self,
        encoding: UiTransactionEncoding,
    ) -> Result<EncodedTransaction, RenderError> {
        let bytes = || bincode::serialize(&self.transaction).unwrap_or_default();
        Ok(match encoding {
            UiTransactionEncoding::Base64 => EncodedTransaction::Binary(
                base64::engine::general_purpose::STANDARD.encode(bytes()),
                TransactionBinaryEncoding::Base64,
            ),
            UiTransactionEncoding::Base58 => EncodedTransaction::Binary(
                bs58::encode(bytes()).into_string(),
                TransactionBinaryEncoding::Base58,
            ),
            UiTransactionEncoding::Binary => {
                EncodedTransaction::LegacyBinary(bs58::encode(bytes()).into_string())
            }
            UiTransactionEncoding::JsonParsed => EncodedTransaction::Json(UiTransaction {
                signatures: self.signatures(),
                message: UiMessage::Parsed(crate::parsed::message(self)),
            }),
            UiTransactionEncoding::Json => {
                let message = &self.transaction.message;
                EncodedTransaction::Json(UiTransaction {
                    signatures: self.signatures(),
                    message: UiMessage::Raw(UiRawMessage {
                        header: *message.header(),
                        account_keys: message
                            .static_account_keys()
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                        recent_blockhash: message.recent_blockhash().to_string(),
                        instructions: message
                            .instructions()
                            .iter()
                            .map(|ix| UiCompiledInstruction::from(ix, None))
                            .collect(),
                        address_table_lookups: message.address_table_lookups().map(|lookups| {
                            lookups.iter().map(UiAddressTableLookup::from).collect()
                        }),
                    }),
                })
            }
        })
    }

    fn signatures(&self) -> Vec<String> {
        self.transaction
            .signatures
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn version(
        &self,
        max_supported_version: Option<u8>,
    ) -> Result<Option<TransactionVersion>, RenderError> {
        Ok(match (max_supported_version, self.is_v0()) {
            (None, true) => return Err(RenderError::UnsupportedVersion),
            (None, false) => None,
            (Some(_), false) => Some(TransactionVersion::LEGACY),
            (Some(_), true) => Some(TransactionVersion::Number(0)),
        })
    }

    /// The `getTransaction` result.
    pub fn render(
        &self,
        encoding: UiTransactionEncoding,
        max_supported_version: Option<u8>,
    ) -> Result<EncodedConfirmedTransactionWithStatusMeta, RenderError> {
        Ok(EncodedConfirmedTransactionWithStatusMeta {
            slot: self.slot,
            transaction: EncodedTransactionWithStatusMeta {
                transaction: self.encoded_transaction(encoding)?,
                meta: Some(self.meta(encoding)),
                version: self.version(max_supported_version)?,
            },
            block_time: Some(self.block_time),
        })
    }

    /// A block's entry for `transactionDetails: "accounts"`: signatures and account
    /// keys, and the meta without instructions, logs or loaded addresses.
    pub fn render_accounts(
        &self,
        max_supported_version: Option<u8>,
        show_rewards: bool,
    ) -> Result<EncodedTransactionWithStatusMeta, RenderError> {
        let full = self.meta(UiTransactionEncoding::Json);
        Ok(EncodedTransactionWithStatusMeta {
            transaction: EncodedTransaction::Accounts(UiAccountsList {
                signatures: self.signatures(),
                account_keys: crate::parsed::account_keys(self),
            }),
            meta: Some(UiTransactionStatusMeta {
                inner_instructions: OptionSerializer::Skip,
                log_messages: OptionSerializer::Skip,
                rewards: if show_rewards {
                    full.rewards.clone()
                } else {
                    OptionSerializer::Skip
                },
                loaded_addresses: OptionSerializer::Skip,
                return_data: OptionSerializer::Skip,
                compute_units_consumed: OptionSerializer::Skip,
                cost_units: OptionSerializer::Skip,
                ..full
            }),
            version: self.version(max_supported_version)?,
        })
    }
}

/// Every executed transaction, oldest first.
#[derive(Default)]
pub struct Ledger {
    transactions: Vec<RecordedTransaction>,
    by_signature: HashMap<Signature, usize>,
    by_address: HashMap<Pubkey, Vec<usize>>,
}

impl Ledger {
    pub fn record(&mut self, tx: RecordedTransaction) {
        let index = self.transactions.len();
        self.by_signature.insert(tx.signature, index);
        for key in tx.account_keys() {
            let list = self.by_address.entry(key).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
        self.transactions.push(tx);
    }

    /// Transactions of the slots after `after` up to `upto`, oldest first.
    pub fn in_slots(&self, after: u64, upto: u64) -> impl Iterator<Item = &RecordedTransaction> {
        let start = self.transactions.partition_point(|tx| tx.slot <= after);
        self.transactions[start..]
            .iter()
            .take_while(move |tx| tx.slot <= upto)
    }

    /// The index of the first transaction after `slot`.
    pub fn first_after(&self, slot: u64) -> usize {
        self.transactions.partition_point(|tx| tx.slot <= slot)
    }

    /// Transactions from index `start` up to slot `upto`, oldest first.
    pub fn since(&self, start: usize, upto: u64) -> &[RecordedTransaction] {
        let rest = self.transactions.get(start..).unwrap_or_default();
        &rest[..rest.partition_point(|tx| tx.slot <= upto)]
    }

    /// Every executed transaction, oldest first.
    pub fn transactions(&self) -> &[RecordedTransaction] {
        &self.transactions
    }

    /// How many transactions were executed.
    pub fn len(&self) -> usize {
        self.transactions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    pub fn get(&self, signature: &Signature) -> Option<&RecordedTransaction> {
        self.by_signature
            .get(signature)
            .map(|&i| &self.transactions[i])
    }

    /// Transactions that touched `address`, newest first, with `before`/`until`
    /// exclusive bounds and a slot ceiling.
    pub fn for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        max_slot: u64,
        limit: usize,
    ) -> Vec<&RecordedTransaction> {
        let Some(list) = self.by_address.get(address) else {
            return vec![];
        };
        let before = before.and_then(|s| self.by_signature.get(s)).copied();
        let until = until.and_then(|s| self.by_signature.get(s)).copied();
        list.iter()
            .rev()
            .copied()
            .filter(|&i| before.is_none_or(|b| i < b))
            .take_while(|&i| until.is_none_or(|u| i > u))
            .map(|i| &self.transactions[i])
            .filter(|tx| tx.slot <= max_slot)
            .take(limit)
            .collect()
    }
}
