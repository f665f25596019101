//! The bank, a payer, and helpers to send transactions and read state.

use anchor_lang::AccountDeserialize;
use databounty::state::{Bounty, Submission, SubmissionStatus};
use databounty_sdk::events::{decode_event, is_event_instruction, DatabountyEvent};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

use crate::Submitted;

/// What sending an instruction gives a test: the program's events in order, or the
/// error for the test to assert.
pub type Sent = Result<Vec<DatabountyEvent>, BanksClientError>;

/// A running bank with our program and the SPL programs.
pub struct TestEnv {
    pub ctx: ProgramTestContext,
    /// Makes every transaction unique, so that a repeated call is executed again
    /// rather than rejected as already processed.
    nonce: u32,
}

impl TestEnv {
    pub async fn new() -> Self {
        let ctx = databounty_localnet::program_test()
            .start_with_context()
            .await;
        Self { ctx, nonce: 0 }
    }

    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    /// Sends `ixs` paid by the env's payer and signed by `signers` too.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), BanksClientError> {
        let tx = self.transaction(ixs, signers).await?;
        self.ctx.banks_client.process_transaction(tx).await
    }

    /// Like [`Self::send`], and returns the program events the transaction emitted,
    /// decoded from its inner instructions.
    pub async fn send_with_events(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Sent {
        let tx = self.transaction(ixs, signers).await?;
        let simulation = self
            .ctx
            .banks_client
            .simulate_transaction(tx.clone())
            .await?;
        if let Some(Err(err)) = simulation.result {
            return Err(BanksClientError::TransactionError(err));
        }
        let mut events = Vec::new();
        let details = simulation.simulation_details.expect("simulation details");
        let keys = &tx.message.account_keys;
        for inner in details.inner_instructions.unwrap_or_default() {
            for ix in inner {
                let ix = ix.instruction;
                let program = keys[usize::from(ix.program_id_index)];
                let accounts: Vec<Pubkey> =
                    ix.accounts.iter().map(|&i| keys[usize::from(i)]).collect();
                if is_event_instruction(&databounty::ID, &program, &accounts, &ix.data) {
                    events.push(decode_event(&ix.data).expect("event decodes"));
                }
            }
        }
        self.ctx.banks_client.process_transaction(tx).await?;
        Ok(events)
    }

    async fn transaction(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Transaction, BanksClientError> {
        self.nonce += 1;
        let mut all = ixs.to_vec();
        all.push(ComputeBudgetInstruction::set_compute_unit_limit(
            1_000_000 + self.nonce,
        ));
        let payer = self.payer();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend(
            signers
                .iter()
                .copied()
                .filter(|k| k.pubkey() != payer.pubkey()),
        );
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await?;
        Ok(Transaction::new_signed_with_payer(
            &all,
            Some(&payer.pubkey()),
            &keys,
            blockhash,
        ))
    }

    /// A new keypair holding `sol` SOL.
    pub async fn funded_keypair(&mut self, sol: u64) -> Keypair {
        let key = Keypair::new();
        let payer = self.payer();
        let ix = solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &key.pubkey(),
            sol * 1_000_000_000,
        );
        self.send(&[ix], &[]).await.expect("airdrop");
        key
    }

    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    pub async fn now(&mut self) -> i64 {
        self.clock().await.unix_timestamp
    }

    /// Moves the bank's clock to `unix_timestamp` (deadlines are read from the Clock sysvar).
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    /// Moves the bank `epochs` epochs ahead (a Token-2022 fee change applies two epochs on).
    pub fn warp_epochs(&mut self, epochs: u64, current: u64) {
        self.ctx.warp_to_epoch(current + epochs).expect("warp");
    }

    /// An account as stored, for tests that forge look-alikes.
    pub async fn raw_account(&mut self, address: &Pubkey) -> Option<solana_sdk::account::Account> {
        self.ctx
            .banks_client
            .get_account(*address)
            .await
            .expect("account")
    }

    /// Writes an account straight into the bank.
    pub fn set_raw_account(&mut self, address: &Pubkey, account: solana_sdk::account::Account) {
        self.ctx.set_account(address, &account.into());
    }

    /// The lamports that make an account of `space` bytes rent-exempt.
    pub async fn rent_exempt(&mut self, space: usize) -> u64 {
        self.ctx
            .banks_client
            .get_rent()
            .await
            .expect("rent")
            .minimum_balance(space)
    }

    pub async fn lamports(&mut self, address: &Pubkey) -> u64 {
        self.ctx
            .banks_client
            .get_balance(*address)
            .await
            .expect("balance")
    }

    pub async fn exists(&mut self, address: &Pubkey) -> bool {
        self.ctx
            .banks_client
            .get_account(*address)
            .await
            .expect("account")
            .is_some()
    }

    pub async fn anchor_account<T: AccountDeserialize>(&mut self, address: &Pubkey) -> Option<T> {
        let account = self
            .ctx
            .banks_client
            .get_account(*address)
            .await
            .expect("account")?;
        Some(T::try_deserialize(&mut account.data.as_slice()).expect("account decodes"))
    }

    pub async fn bounty_state(&mut self, address: &Pubkey) -> Bounty {
        self.anchor_account(address).await.expect("bounty exists")
    }

    pub async fn submission_state(&mut self, address: &Pubkey) -> Submission {
        self.anchor_account(address)
            .await
            .expect("submission exists")
    }

    /// The status `submitted` is in now.
    pub async fn status(&mut self, submitted: &Submitted) -> SubmissionStatus {
        self.submission_state(&submitted.address).await.status
    }

    /// Token balance of an SPL Token or Token-2022 account.
    pub async fn token_balance(&mut self, address: &Pubkey) -> u64 {
        let account = self
            .ctx
            .banks_client
            .get_account(*address)
            .await
            .expect("account")
            .expect("token account exists");
        databounty_sdk::accounts::token_balance(&account.data).expect("token account")
    }
}
