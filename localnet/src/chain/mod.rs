//! The bank behind the RPC: the real Agave bank of `solana-program-test` with the
//! program loaded natively and the real SPL Token, Token-2022 and ATA programs. Every
//! transaction is simulated (for its inner instructions, which carry our events),
//! then executed, then recorded in the [`Ledger`] with its balances.
//!
//! `transactions` holds how a transaction is simulated, executed and recorded.

// solana-program-test 3.x flags its whole API as "to become unstable"; it is the bank.
#![allow(deprecated)]

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use solana_commitment_config::CommitmentLevel;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::epoch_schedule::EpochSchedule;
use solana_sdk::hash::Hash;
use solana_sdk::message::compiled_instruction::CompiledInstruction;
use solana_sdk::message::{Message, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::ledger::Ledger;

mod history;
mod transactions;

const COMPUTE_BUDGET_PROGRAM: Pubkey =
    Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// The most accounts one transaction may lock, as on a cluster.
pub const MAX_TX_ACCOUNT_LOCKS: usize = 64;

/// How long a blockhash stays valid, in blocks, as on a cluster.
pub const BLOCKHASH_VALIDITY: u64 = 150;

/// Why a transaction was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The simulation failed; nothing was executed (as a cluster's preflight).
    #[error("transaction simulation failed: {}", .0.result.as_ref().err().map(ToString::to_string).unwrap_or_default())]
    Preflight(Box<Simulation>),
    /// Rejected before execution (bad signature, unknown blockhash, ...).
    #[error("transaction rejected: {0}")]
    Rejected(TransactionError),
    #[error("the bank is unavailable")]
    Bank(#[source] BanksClientError),
}

/// What a simulation produced.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub result: Result<(), TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub inner_instructions: Vec<Vec<solana_sdk::message::inner_instruction::InnerInstruction>>,
    pub return_data: Option<solana_transaction_context::TransactionReturnData>,
}

/// A slot's block.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub blockhash: Hash,
    pub time: i64,
}

pub struct Chain {
    ctx: ProgramTestContext,
    /// Stops the bank's runtime when the chain is dropped.
    _bank_runtime: BankRuntime,
    slot: u64,
    /// Slots between a block and its finalization (32 on a cluster).
    finality_slots: u64,
    /// The slot at which each recent blockhash became the newest, to judge its age the
    /// way the bank does when it processes (the bank's own fee lookup accepts any of
    /// its 300 queued hashes).
    blockhash_slots: HashMap<Hash, u64>,
    recent_blockhashes: VecDeque<Hash>,
    /// Every slot's block: its blockhash and time (each slot has one here).
    pub blocks: BTreeMap<u64, Block>,
    /// Every address a transaction named: the accounts `getProgramAccounts` and
    /// `getTokenAccountsByOwner` scan (the bank offers no scan through its client; an
    /// account can only come to exist through a transaction that names it).
    known: BTreeSet<Pubkey>,
    /// Where the state is kept across restarts, if anywhere.
    ledger_dir: Option<PathBuf>,
    /// Something happened since the state was last written.
    dirty: bool,
    /// The highest clock value handed out, so that block time never goes backwards.
    unix_timestamp: i64,
    pub ledger: Ledger,
    /// What transactions overwrote, for readers at an older commitment.
    history: history::AccountHistory,
}

/// The thread and runtime the bank's server lives on.
///
/// `solana-program-test` registers a fresh blockhash in the working bank every 6.4 ms
/// (a task standing in for PoH), so a blockhash would expire 150 hashes — about one
/// second — after it was handed out, and a blockhash returned by `getLatestBlockhash`
/// would often be refused by the next `simulateTransaction`. A cluster registers one
/// per slot. That task runs on the runtime that starts the bank, so the bank is
/// started on a runtime of its own whose clock is paused and never auto-advances
/// (a `spawn_blocking` task in flight inhibits auto-advance): the task's first sleep
/// never ends. The banks server needs no timers. Blockhashes then come only from
/// [`Chain::advance_slot`], one per slot, as on a cluster.
struct BankRuntime {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl BankRuntime {
    async fn start() -> (ProgramTestContext, Self) {
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("bank".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .start_paused(true)
                    .build()
                    .expect("the bank's runtime starts");
                runtime.block_on(async move {
                    // Held until the chain stops: while this blocking task runs, the
                    // paused clock stays where it is.
                    let (_hold, release) = std::sync::mpsc::channel::<()>();
                    tokio::task::spawn_blocking(move || release.recv().ok());
                    let ctx = crate::program_test().start_with_context().await;
                    if started_tx.send(ctx).is_ok() {
                        let _ = stopped.await;
                    }
                });
            })
            .expect("the bank's thread starts");
        let ctx = started.await.expect("the bank starts");
        (ctx, Self { stop: Some(stop) })
    }
}

impl Drop for BankRuntime {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A legacy message with the fee of `message`: the bank's fee depends only on the
/// signatures, the blockhash and the programs and data of the instructions (compute
/// budget, precompiles), so a v0 message's instructions are kept without their
/// accounts, which may live in lookup tables.
fn fee_message(message: &VersionedMessage) -> Message {
    match message {
        VersionedMessage::Legacy(legacy) => legacy.clone(),
        VersionedMessage::V0(v0) => Message {
            header: v0.header,
            account_keys: v0.account_keys.clone(),
            recent_blockhash: v0.recent_blockhash,
            instructions: v0
                .instructions
                .iter()
                .map(|ix| CompiledInstruction {
                    program_id_index: ix.program_id_index,
                    accounts: vec![],
                    data: ix.data.clone(),
                })
                .collect(),
        },
    }
}

/// Each top-level instruction's program and data.
fn top_level_instructions(tx: &VersionedTransaction) -> Vec<(Pubkey, Vec<u8>)> {
    let keys = tx.message.static_account_keys();
    tx.message
        .instructions()
        .iter()
        .map(|ix| {
            let program = keys
                .get(usize::from(ix.program_id_index))
                .copied()
                .unwrap_or_default();
            (program, ix.data.clone())
        })
        .collect()
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Chain {
    pub async fn start(finality_slots: u64) -> Self {
        Self::start_with_ledger(finality_slots, None)
            .await
            .expect("no ledger to read")
    }

    /// Starts the chain; with `ledger_dir`, from the state saved there (if any), which is
    /// then kept up to date.
    pub async fn start_with_ledger(
        finality_slots: u64,
        ledger_dir: Option<PathBuf>,
    ) -> Result<Self, crate::persist::PersistError> {
        let saved = match &ledger_dir {
            Some(dir) => crate::persist::load(dir)?,
            None => None,
        };
        let (ctx, bank_runtime) = BankRuntime::start().await;
        let mut chain = Self {
            ctx,
            _bank_runtime: bank_runtime,
            slot: 0,
            finality_slots,
            blockhash_slots: HashMap::new(),
            recent_blockhashes: VecDeque::new(),
            blocks: BTreeMap::new(),
            known: BTreeSet::new(),
            ledger_dir,
            dirty: false,
            unix_timestamp: 0,
            ledger: Ledger::default(),
            history: history::AccountHistory::default(),
        };
        chain.slot = chain.ctx.banks_client.get_root_slot().await.unwrap_or(0);
        if let Some(saved) = saved {
            chain.restore(saved);
        }
        chain.advance_slot().await;
        Ok(chain)
    }

    /// Puts saved accounts, transactions and blocks back, and moves past the saved slot.
    fn restore(&mut self, saved: crate::persist::Snapshot) {
        for (address, account) in &saved.accounts {
            self.ctx.set_account(
                address,
                &solana_sdk::account::AccountSharedData::from(account.clone()),
            );
        }
        self.known
            .extend(saved.accounts.iter().map(|(address, _)| *address));
        for tx in saved.transactions {
            self.known.extend(tx.account_keys());
            self.ledger.record(tx);
        }
        self.blocks.extend(saved.blocks);
        self.unix_timestamp = saved.unix_timestamp;
        if saved.slot > self.slot && self.ctx.warp_to_slot(saved.slot).is_ok() {
            self.slot = saved.slot;
        }
    }

    /// Writes the state to the ledger directory, if there is one and anything changed.
    pub async fn save(&mut self) -> Result<(), crate::persist::PersistError> {
        let Some(dir) = self.ledger_dir.clone() else {
            return Ok(());
        };
        if !self.dirty {
            return Ok(());
        }
        let mut accounts = vec![];
        for address in self.known_addresses() {
            if let Some(account) = self.account(&address).await.ok().flatten() {
                // Programs, sysvars and the like come back with the bank itself.
                if !account.executable
                    && account.owner != solana_sdk::sysvar::ID
                    && account.owner != solana_sdk::native_loader::ID
                {
                    accounts.push((address, account));
                }
            }
        }
        crate::persist::save(
            &dir,
            &crate::persist::Snapshot {
                slot: self.slot,
                unix_timestamp: self.unix_timestamp,
                blocks: self.blocks.iter().map(|(s, b)| (*s, *b)).collect(),
                accounts,
                transactions: self.ledger.transactions().to_vec(),
            },
        )?;
        self.dirty = false;
        Ok(())
    }

    /// The funded genesis key that pays airdrops.
    pub fn faucet(&self) -> &Keypair {
        &self.ctx.payer
    }

    /// Moves to the next slot with a new blockhash, and sets the clock to wall time
    /// (the bank alone would derive it from genesis and the slot count).
    pub async fn advance_slot(&mut self) {
        if self.ctx.warp_to_slot(self.slot + 1).is_ok() {
            self.slot += 1;
        }
        self.history.prune(self.slot_at(CommitmentLevel::Finalized));
        if let Ok(blockhash) = self.latest_blockhash().await {
            if self.blockhash_slots.insert(blockhash, self.slot).is_none() {
                self.recent_blockhashes.push_back(blockhash);
            }
            while self.recent_blockhashes.len() > 2 * BLOCKHASH_VALIDITY as usize {
                if let Some(old) = self.recent_blockhashes.pop_front() {
                    self.blockhash_slots.remove(&old);
                }
            }
        }
        if let Err(err) = self.save().await {
            tracing::error!(%err, "cannot write the ledger");
        }
        self.unix_timestamp = self.unix_timestamp.max(wall_clock());
        if let Ok(blockhash) = self.latest_blockhash().await {
            self.blocks.insert(
                self.slot,
                Block {
                    blockhash,
                    time: self.unix_timestamp,
                },
            );
        }
        if let Ok(mut clock) = self.ctx.banks_client.get_sysvar::<Clock>().await {
            clock.unix_timestamp = self.unix_timestamp;
            self.ctx.set_sysvar(&clock);
        }
    }

    /// The newest slot a reader at `commitment` sees.
    pub fn slot_at(&self, commitment: CommitmentLevel) -> u64 {
        match commitment {
            CommitmentLevel::Processed => self.slot,
            CommitmentLevel::Confirmed => self.slot.saturating_sub(1),
            CommitmentLevel::Finalized => self.slot.saturating_sub(self.finality_slots),
        }
    }

    /// Every address a transaction has named, in address order.
    pub fn known_addresses(&self) -> Vec<Pubkey> {
        self.known.iter().copied().collect()
    }

    pub fn genesis_hash(&self) -> Hash {
        self.ctx.genesis_config().hash()
    }

    pub async fn epoch_schedule(&mut self) -> Result<EpochSchedule, SubmitError> {
        self.ctx
            .banks_client
            .get_sysvar::<EpochSchedule>()
            .await
            .map_err(SubmitError::Bank)
    }

    pub fn finality_slots(&self) -> u64 {
        self.finality_slots
    }

    pub async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SubmitError> {
        self.ctx
            .banks_client
            .get_account(*address)
            .await
            .map_err(SubmitError::Bank)
    }

    /// `address` as of the end of `slot` (the bank's state for the processed slot).
    pub async fn account_at(
        &mut self,
        address: &Pubkey,
        slot: u64,
    ) -> Result<Option<Account>, SubmitError> {
        if slot < self.slot {
            if let Some(state) = self.history.at(address, slot) {
                return Ok(state.cloned());
            }
        }
        self.account(address).await
    }

    pub async fn latest_blockhash(&mut self) -> Result<Hash, SubmitError> {
        self.ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .map_err(SubmitError::Bank)
    }

    pub async fn rent_exempt_minimum(&mut self, len: usize) -> Result<u64, SubmitError> {
        let rent = self
            .ctx
            .banks_client
            .get_rent()
            .await
            .map_err(SubmitError::Bank)?;
        Ok(rent.minimum_balance(len))
    }

    /// The fee of `message`, or `None` when its blockhash is unknown or expired.
    pub async fn fee_for_message(&mut self, message: Message) -> Result<Option<u64>, SubmitError> {
        self.ctx
            .banks_client
            .get_fee_for_message(message)
            .await
            .map_err(SubmitError::Bank)
    }

    /// The fee of a legacy or v0 message (signatures plus the priority fee its
    /// compute-budget instructions ask for), or `None` when its blockhash is not valid.
    pub async fn fee(&mut self, message: &VersionedMessage) -> Result<Option<u64>, SubmitError> {
        self.fee_for_message(fee_message(message)).await
    }

    /// Whether a transaction with `blockhash` would still be processed: at most
    /// [`BLOCKHASH_VALIDITY`] blocks old.
    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> bool {
        self.last_valid_block_height(blockhash)
            .is_some_and(|last| self.slot <= last)
    }

    /// The blockhash given to a client asking at `commitment`: that of the newest block at
    /// or before the commitment's slot; in the first slots, while finalized is still
    /// before the chain's first block, the first block's (never the processed bank's).
    pub async fn blockhash_at(&mut self, commitment: CommitmentLevel) -> Result<Hash, SubmitError> {
        let slot = self.slot_at(commitment);
        let block = self
            .blocks
            .range(..=slot)
            .next_back()
            .or_else(|| self.blocks.iter().next());
        match block {
            Some((_, block)) => Ok(block.blockhash),
            None => self.latest_blockhash().await,
        }
    }

    /// The last block height at which `blockhash` is accepted, if it is a recent one.
    pub fn last_valid_block_height(&self, blockhash: &Hash) -> Option<u64> {
        self.blockhash_slots
            .get(blockhash)
            .map(|slot| slot + BLOCKHASH_VALIDITY)
    }
}
