//! The RPC connection and signer, with the reads and sends every command shares, and
//! program errors turned back into their plain messages.

use std::fmt;

use anchor_lang::{AccountDeserialize, Discriminator};
use databounty::state::{Bounty, Submission};
use databounty_sdk::accounts::{self, AccountDataError};
use databounty_sdk::errors::describe;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_request::{RpcError, RpcResponseErrorData};
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

use crate::config::{KeypairError, Settings};

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

/// Why a read or a send through the [`Client`] failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `what` says what was being done; the explained RPC error follows as the source.
    #[error("{what}")]
    Rpc {
        what: String,
        #[source]
        source: Explained,
    },
    #[error(transparent)]
    Keypair(#[from] KeypairError),
    #[error("mint {0} does not exist")]
    NoMint(Pubkey),
    #[error("{mint} is not a token mint (owned by {owner})")]
    NotTokenProgramOwned { mint: Pubkey, owner: Pubkey },
    #[error("{address} is not a token mint")]
    NotAMint {
        address: Pubkey,
        #[source]
        source: AccountDataError,
    },
    #[error("{kind} {address} does not exist (closed, or never created)")]
    Missing { kind: &'static str, address: Pubkey },
    #[error("{address} is not a databounty {kind}")]
    NotProgramAccount { kind: &'static str, address: Pubkey },
    #[error("{address} does not decode as a {kind}")]
    Undecodable {
        kind: &'static str,
        address: Pubkey,
        #[source]
        source: anchor_lang::error::Error,
    },
    #[error("the RPC has no clock sysvar")]
    NoClock,
    #[error("the clock sysvar")]
    BadClock(#[source] AccountDataError),
}

/// A solana-client error told as a sentence a person can act on: the program's own
/// message for its error codes. It stands in for the client error's top two levels
/// (which repeat one message); whatever caused that follows as its source.
#[derive(Debug)]
pub struct Explained(pub ClientError);

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&explain(&self.0))
    }
}

impl std::error::Error for Explained {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.kind().source()
    }
}

/// `what` failed, because of `err`.
pub fn rpc_error(what: impl Into<String>) -> impl FnOnce(ClientError) -> Error {
    let what = what.into();
    move |err| Error::Rpc {
        what,
        source: Explained(err),
    }
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
fn explain(err: &ClientError) -> String {
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
    ) -> Result<Signature, Error> {
        let tx = self.signed(what, instructions, extra).await?;
        self.rpc
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(rpc_error(format!("{what} failed")))
    }

    /// Whether `instructions`, signed by the configured keypair alone, would succeed now
    /// (a simulation; nothing is sent).
    pub async fn would_succeed(
        &self,
        what: &str,
        instructions: &[Instruction],
    ) -> Result<bool, Error> {
        let tx = self.signed(what, instructions, &[]).await?;
        let simulated = self
            .rpc
            .simulate_transaction(&tx)
            .await
            .map_err(rpc_error(format!("simulating {what}")))?;
        Ok(simulated.value.err.is_none())
    }

    /// `instructions` on a fresh blockhash, signed by the configured keypair (the fee
    /// payer) once, even when it is also among `extra`, and by `extra`.
    async fn signed(
        &self,
        what: &str,
        instructions: &[Instruction],
        extra: &[&Keypair],
    ) -> Result<Transaction, Error> {
        let payer = self.settings.keypair()?;
        let blockhash = self
            .rpc
            .get_latest_blockhash()
            .await
            .map_err(rpc_error(what))?;
        let others = extra
            .iter()
            .copied()
            .filter(|k| k.pubkey() != payer.pubkey());
        let signers: Vec<&Keypair> = std::iter::once(&payer).chain(others).collect();
        Ok(Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &signers,
            blockhash,
        ))
    }

    pub async fn account(&self, address: &Pubkey) -> Result<Option<Account>, Error> {
        let response = self
            .rpc
            .get_account_with_commitment(address, self.settings.commitment)
            .await
            .map_err(rpc_error(format!("reading {address}")))?;
        Ok(response.value)
    }

    pub async fn mint(&self, mint: &Pubkey) -> Result<MintInfo, Error> {
        let account = self.account(mint).await?.ok_or(Error::NoMint(*mint))?;
        let token_programs = [anchor_spl::token::ID, anchor_spl::token_2022::ID];
        if !token_programs.contains(&account.owner) {
            return Err(Error::NotTokenProgramOwned {
                mint: *mint,
                owner: account.owner,
            });
        }
        let decimals =
            accounts::mint_decimals(&account.data).map_err(|source| Error::NotAMint {
                address: *mint,
                source,
            })?;
        Ok(MintInfo {
            token_program: account.owner,
            decimals,
        })
    }

    async fn program_account<T: AccountDeserialize + Discriminator>(
        &self,
        address: &Pubkey,
        kind: &'static str,
    ) -> Result<T, Error> {
        let address = *address;
        let account = self
            .account(&address)
            .await?
            .ok_or(Error::Missing { kind, address })?;
        if account.owner != databounty::ID || !account.data.starts_with(T::DISCRIMINATOR) {
            return Err(Error::NotProgramAccount { kind, address });
        }
        T::try_deserialize(&mut account.data.as_slice()).map_err(|source| Error::Undecodable {
            kind,
            address,
            source,
        })
    }

    pub async fn bounty(&self, address: &Pubkey) -> Result<Bounty, Error> {
        self.program_account(address, "bounty").await
    }

    pub async fn submission(&self, address: &Pubkey) -> Result<Submission, Error> {
        self.program_account(address, "submission").await
    }

    /// A bounty and its reward mint, which most instructions on it need.
    pub async fn bounty_and_mint(&self, address: &Pubkey) -> Result<(Bounty, MintInfo), Error> {
        let bounty = self.bounty(address).await?;
        let mint = self.mint(&bounty.mint).await?;
        Ok((bounty, mint))
    }

    /// The unix time of the chain's clock (deadlines are judged by it, not by this machine).
    pub async fn chain_time(&self) -> Result<i64, Error> {
        let account = self
            .account(&accounts::CLOCK_SYSVAR)
            .await?
            .ok_or(Error::NoClock)?;
        accounts::chain_time(&account.data).map_err(Error::BadClock)
    }
}
