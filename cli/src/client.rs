//! The RPC connection and signer, with the reads and sends every command shares, and
//! program errors turned back into their plain messages.

use anchor_lang::{AccountDeserialize, Discriminator};
use anyhow::{anyhow, bail, Context, Result};
use databounty::state::{Bounty, Submission};
use databounty_sdk::errors::describe;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_request::{RpcError, RpcResponseErrorData};
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

use crate::config::Settings;

pub struct Client {
    pub rpc: RpcClient,
    pub settings: Settings,
}

/// A mint's owner program and decimals.
#[derive(Debug, Clone, Copy)]
pub struct MintInfo {
    pub token_program: Pubkey,
    pub decimals: u8,
}

/// Explains a failed instruction: the program's message when the code is known.
fn explain_instruction_error(index: u8, err: &InstructionError) -> String {
    match err {
        InstructionError::Custom(code) => match describe(*code) {
            Some((name, msg)) => {
                format!("instruction {index} failed: {msg} ({name}, error {code})")
            }
            None => format!("instruction {index} failed with custom error {code}"),
        },
        other => format!("instruction {index} failed: {other}"),
    }
}

fn explain_transaction_error(err: &TransactionError) -> String {
    match err {
        TransactionError::InstructionError(index, inner) => {
            explain_instruction_error(*index, inner)
        }
        other => other.to_string(),
    }
}

/// Turns a client error into a sentence a person can act on.
pub fn explain(err: &ClientError) -> String {
    match err.kind() {
        ClientErrorKind::RpcError(RpcError::RpcResponseError { data, message, .. }) => match data {
            RpcResponseErrorData::SendTransactionPreflightFailure(result) => match &result.err {
                Some(err) => explain_transaction_error(&err.clone().into()),
                None => message.clone(),
            },
            _ => message.clone(),
        },
        ClientErrorKind::TransactionError(err) => explain_transaction_error(err),
        ClientErrorKind::Reqwest(err) => format!("cannot reach the RPC: {err}"),
        _ => err.to_string(),
    }
}

impl Client {
    pub fn new(settings: Settings) -> Self {
        let rpc = RpcClient::new_with_commitment(settings.url.clone(), settings.commitment);
        Self { rpc, settings }
    }

    /// Signs with the configured keypair (the fee payer) and `extra`, sends, and waits
    /// for the configured commitment.
    pub async fn send(
        &self,
        what: &str,
        instructions: &[Instruction],
        extra: &[&Keypair],
    ) -> Result<Signature> {
        let payer = self.settings.keypair()?;
        let blockhash = self
            .rpc
            .get_latest_blockhash()
            .await
            .map_err(|e| anyhow!("{what}: {}", explain(&e)))?;
        let mut signers: Vec<&Keypair> = vec![&payer];
        signers.extend(
            extra
                .iter()
                .copied()
                .filter(|k| k.pubkey() != payer.pubkey()),
        );
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &signers,
            blockhash,
        );
        self.rpc
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(|e| anyhow!("{what} failed: {}", explain(&e)))
    }

    pub async fn account(&self, address: &Pubkey) -> Result<Option<Account>> {
        let response = self
            .rpc
            .get_account_with_commitment(address, self.settings.commitment)
            .await
            .map_err(|e| anyhow!("reading {address}: {}", explain(&e)))?;
        Ok(response.value)
    }

    pub async fn mint(&self, mint: &Pubkey) -> Result<MintInfo> {
        let account = self
            .account(mint)
            .await?
            .ok_or_else(|| anyhow!("mint {mint} does not exist"))?;
        let token_programs = [anchor_spl::token::ID, anchor_spl::token_2022::ID];
        if !token_programs.contains(&account.owner) {
            bail!("{mint} is not a token mint (owned by {})", account.owner);
        }
        use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
        let state =
            StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Mint>::unpack(
                &account.data,
            )
            .with_context(|| format!("{mint} is not a token mint"))?;
        Ok(MintInfo {
            token_program: account.owner,
            decimals: state.base.decimals,
        })
    }

    async fn program_account<T: AccountDeserialize + Discriminator>(
        &self,
        address: &Pubkey,
        kind: &str,
    ) -> Result<T> {
        let account = self
            .account(address)
            .await?
            .ok_or_else(|| anyhow!("{kind} {address} does not exist (closed, or never created)"))?;
        if account.owner != databounty::ID || !account.data.starts_with(T::DISCRIMINATOR) {
            bail!("{address} is not a databounty {kind}");
        }
        T::try_deserialize(&mut account.data.as_slice()).map_err(|e| anyhow!("{address}: {e}"))
    }

    pub async fn bounty(&self, address: &Pubkey) -> Result<Bounty> {
        self.program_account(address, "bounty").await
    }

    pub async fn submission(&self, address: &Pubkey) -> Result<Submission> {
        self.program_account(address, "submission").await
    }

    /// The unix time of the chain's clock (deadlines are judged by it, not by this machine).
    pub async fn chain_time(&self) -> Result<i64> {
        let account = self
            .account(&solana_sdk::sysvar::clock::ID)
            .await?
            .ok_or_else(|| anyhow!("the RPC has no clock sysvar"))?;
        let clock: solana_sdk::clock::Clock =
            bincode::deserialize(&account.data).context("clock sysvar")?;
        Ok(clock.unix_timestamp)
    }
}
