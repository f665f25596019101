//! Simulating, executing and recording transactions on the bank, with the checks a
//! cluster makes first, and the faucet's airdrops.

use solana_banks_interface::TransactionSimulationDetails;
use solana_sdk::message::v0::LoadedAddresses;
use solana_sdk::signature::{Signature, Signer};
use solana_sdk::transaction::Transaction;

use super::*;
use crate::ledger::{RecordedTransaction, TokenBalance};

/// The bank's account-lock checks, which its simulation does not apply: at most
/// [`MAX_TX_ACCOUNT_LOCKS`] accounts, none named twice (lookups included).
fn lock_check(tx: &VersionedTransaction, loaded: &LoadedAddresses) -> Result<(), TransactionError> {
    let keys: Vec<&Pubkey> = tx
        .message
        .static_account_keys()
        .iter()
        .chain(&loaded.writable)
        .chain(&loaded.readonly)
        .collect();
    if keys.len() > MAX_TX_ACCOUNT_LOCKS {
        return Err(TransactionError::TooManyAccountLocks);
    }
    let unique: std::collections::HashSet<&Pubkey> = keys.iter().copied().collect();
    if unique.len() != keys.len() {
        return Err(TransactionError::AccountLoadedTwice);
    }
    Ok(())
}

impl Chain {
    /// `simulateTransaction`: the checks a cluster's simulation makes before it runs
    /// anything (account locks, the status cache) come back as the simulation's error.
    pub async fn simulate_checked(
        &mut self,
        tx: VersionedTransaction,
    ) -> Result<Simulation, SubmitError> {
        let refused = |err| Simulation {
            result: Err(err),
            logs: vec![],
            units_consumed: 0,
            inner_instructions: vec![],
            return_data: None,
        };
        let loaded = self.loaded_addresses(&tx.message).await?;
        if let Err(err) = lock_check(&tx, &loaded) {
            return Ok(refused(err));
        }
        if tx
            .signatures
            .first()
            .is_some_and(|s| self.ledger.get(s).is_some())
        {
            return Ok(refused(TransactionError::AlreadyProcessed));
        }
        self.simulate(tx).await
    }

    pub async fn simulate(&mut self, tx: VersionedTransaction) -> Result<Simulation, SubmitError> {
        let top_level = top_level_instructions(&tx);
        let simulated = self
            .ctx
            .banks_client
            .simulate_transaction(tx)
            .await
            .map_err(SubmitError::Bank)?;
        let details = simulated
            .simulation_details
            .unwrap_or(TransactionSimulationDetails {
                logs: vec![],
                units_consumed: 0,
                loaded_accounts_data_size: 0,
                return_data: None,
                inner_instructions: None,
            });
        Ok(Simulation {
            result: simulated.result.unwrap_or(Ok(())),
            logs: crate::logs::normalize(&details.logs, &top_level),
            units_consumed: details.units_consumed,
            inner_instructions: details.inner_instructions.unwrap_or_default(),
            return_data: details.return_data,
        })
    }

    /// Executes `tx` and records it. With `preflight`, a transaction that would fail is
    /// refused unexecuted; without, it lands with its error and pays its fee, as on a
    /// cluster.
    pub async fn submit(
        &mut self,
        tx: VersionedTransaction,
        preflight: bool,
    ) -> Result<Signature, SubmitError> {
        let signature = *tx
            .signatures
            .first()
            .ok_or(SubmitError::Rejected(TransactionError::SanitizeFailure))?;
        // As a cluster: the status cache refuses a signature it has already seen.
        if self.ledger.get(&signature).is_some() {
            return Err(SubmitError::Rejected(TransactionError::AlreadyProcessed));
        }
        if tx.verify_with_results().iter().any(|ok| !ok) {
            return Err(SubmitError::Rejected(TransactionError::SignatureFailure));
        }
        let loaded_addresses = self.loaded_addresses(&tx.message).await?;
        lock_check(&tx, &loaded_addresses).map_err(SubmitError::Rejected)?;
        let simulation = self.simulate(tx.clone()).await?;
        if preflight && simulation.result.is_err() {
            return Err(SubmitError::Preflight(Box::new(simulation)));
        }
        let mut keys = tx.message.static_account_keys().to_vec();
        keys.extend(&loaded_addresses.writable);
        keys.extend(&loaded_addresses.readonly);
        let fee = self.fee_for_message(fee_message(&tx.message)).await?;
        let pre_accounts = self.accounts(&keys).await?;
        let pre_balances = balances(&pre_accounts);
        let pre_token_balances = self.token_balances(&keys).await?;
        let executed = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx.clone())
            .await
            .map_err(SubmitError::Bank)?;
        let post_accounts = self.accounts(&keys).await?;
        let post_balances = balances(&post_accounts);
        // A transaction that was never executed charged no fee and changed nothing.
        if let Err(err) = &executed.result {
            if pre_balances.first() == post_balances.first() {
                return Err(SubmitError::Rejected(err.clone()));
            }
        }
        self.known.extend(keys.iter().copied());
        for ((key, before), after) in keys.iter().zip(pre_accounts).zip(post_accounts) {
            if before != after {
                self.history.record(*key, self.slot, before, after);
            }
        }
        self.dirty = true;
        let post_token_balances = self.token_balances(&keys).await?;
        let metadata = executed.metadata;
        let top_level = top_level_instructions(&tx);
        self.ledger.record(RecordedTransaction {
            signature,
            slot: self.slot,
            block_time: self.unix_timestamp,
            transaction: tx,
            err: executed.result.err(),
            fee: fee.unwrap_or(0),
            pre_balances,
            post_balances,
            pre_token_balances,
            post_token_balances,
            logs: metadata
                .as_ref()
                .map(|m| crate::logs::normalize(&m.log_messages, &top_level))
                .unwrap_or(simulation.logs),
            inner_instructions: simulation.inner_instructions,
            compute_units: metadata
                .as_ref()
                .map(|m| m.compute_units_consumed)
                .unwrap_or(simulation.units_consumed),
            return_data: metadata.and_then(|m| m.return_data),
            loaded_addresses,
        });
        Ok(signature)
    }

    /// The addresses a v0 message loads from its lookup tables, as the bank resolves
    /// them (a table's data is a 56-byte header, then the addresses). The bank checks
    /// the tables itself when it executes; this is for reporting.
    async fn loaded_addresses(
        &mut self,
        message: &VersionedMessage,
    ) -> Result<LoadedAddresses, SubmitError> {
        const LOOKUP_TABLE_META_SIZE: usize = 56;
        let mut loaded = LoadedAddresses::default();
        let Some(lookups) = message.address_table_lookups() else {
            return Ok(loaded);
        };
        for lookup in lookups {
            let data = self
                .account(&lookup.account_key)
                .await?
                .map(|a| a.data)
                .unwrap_or_default();
            let addresses: Vec<Pubkey> = data
                .get(LOOKUP_TABLE_META_SIZE..)
                .unwrap_or_default()
                .chunks_exact(32)
                .filter_map(|chunk| Pubkey::try_from(chunk).ok())
                .collect();
            let pick = |indexes: &[u8]| -> Vec<Pubkey> {
                indexes
                    .iter()
                    .filter_map(|&i| addresses.get(usize::from(i)).copied())
                    .collect()
            };
            loaded.writable.extend(pick(&lookup.writable_indexes));
            loaded.readonly.extend(pick(&lookup.readonly_indexes));
        }
        Ok(loaded)
    }

    /// Sends `lamports` from the faucet to `to`.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, SubmitError> {
        let blockhash = self.latest_blockhash().await?;
        let faucet = self.ctx.payer.insecure_clone();
        let transfer =
            solana_system_interface::instruction::transfer(&faucet.pubkey(), to, lamports);
        // The same request twice within one blockhash would be the same transaction,
        // which is refused as already processed; a compute-unit limit that differs each
        // time keeps every airdrop its own.
        for variant in 0u32.. {
            let mut instructions = vec![transfer.clone()];
            if variant > 0 {
                let mut data = vec![2u8]; // ComputeBudgetInstruction::SetComputeUnitLimit
                data.extend_from_slice(&(10_000 + variant).to_le_bytes());
                instructions.insert(
                    0,
                    solana_sdk::instruction::Instruction::new_with_bytes(
                        COMPUTE_BUDGET_PROGRAM,
                        &data,
                        vec![],
                    ),
                );
            }
            let tx = Transaction::new_signed_with_payer(
                &instructions,
                Some(&faucet.pubkey()),
                &[&faucet],
                blockhash,
            );
            if self.ledger.get(&tx.signatures[0]).is_none() {
                return self.submit(tx.into(), true).await;
            }
        }
        unreachable!("a fresh compute-unit limit is always found")
    }

    async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, SubmitError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.account(key).await?);
        }
        Ok(out)
    }

    async fn token_balances(&mut self, keys: &[Pubkey]) -> Result<Vec<TokenBalance>, SubmitError> {
        let mut out = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let Some(account) = self.account(key).await? else {
                continue;
            };
            let Some(balance) = crate::ledger::token_account(&account) else {
                continue;
            };
            let decimals = match self.account(&balance.mint).await? {
                Some(mint) => crate::ledger::mint_decimals(&mint).unwrap_or(0),
                None => 0,
            };
            out.push(TokenBalance {
                account_index: index as u8,
                decimals,
                program_id: account.owner,
                ..balance
            });
        }
        Ok(out)
    }
}

fn balances(accounts: &[Option<Account>]) -> Vec<u64> {
    accounts
        .iter()
        .map(|a| a.as_ref().map_or(0, |a| a.lamports))
        .collect()
}
