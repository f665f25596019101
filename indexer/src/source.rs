//! The datasource: any Solana RPC. Knows nothing of Postgres. Pages
//! `getSignaturesForAddress` back to the checkpoint, fetches transactions with bounded
//! concurrency, and retries rate limits, timeouts and not-yet-available answers with
//! exponential backoff and jitter.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use futures::{stream, StreamExt, TryStreamExt};
use rand::Rng;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_client::rpc_config::RpcTransactionConfig;
use solana_client::rpc_request::RpcError;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::Signature;
use solana_transaction_status_client_types::UiTransactionEncoding;

use crate::decoder::TransactionUpdate;
use crate::metrics::Metrics;

/// Why the source could not answer (after its retries).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("RPC: {0}")]
    Rpc(#[from] Box<ClientError>),
    #[error("the RPC returned a malformed signature {0:?}")]
    BadSignature(String),
    #[error("transaction {0} is not available from the RPC")]
    Missing(String),
}

/// A program transaction seen in `getSignaturesForAddress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    pub signature: String,
    pub slot: u64,
    pub failed: bool,
}

/// Where events come from. The pipeline needs nothing else, so tests can stand in
/// recorded or faulty sources.
pub trait Source: Sync {
    /// Program transactions newer than `until`, oldest first.
    fn new_signatures(
        &self,
        until: Option<&str>,
    ) -> impl Future<Output = Result<Vec<SignatureInfo>, SourceError>> + Send;
    fn transaction(
        &self,
        signature: &str,
    ) -> impl Future<Output = Result<TransactionUpdate, SourceError>> + Send;
    /// The newest slot at the source's commitment, and the newest finalized slot.
    fn slots(&self) -> impl Future<Output = Result<(u64, u64), SourceError>> + Send;
    /// For each signature, whether it is finalized (`false` also when it is gone).
    fn finalized(
        &self,
        signatures: &[String],
    ) -> impl Future<Output = Result<Vec<bool>, SourceError>> + Send;
}

/// Retry policy for transient RPC failures.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 8,
            base: Duration::from_millis(100),
            max: Duration::from_secs(10),
        }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (0-based): exponential, capped, full jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(16)));
        let cap = exp.min(self.max);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis))
    }
}

/// Whether an RPC failure is worth retrying: rate limits, timeouts, connection
/// failures, server errors, and answers that do not parse (a proxy's error page).
pub fn is_transient(err: &ClientError) -> bool {
    match err.kind() {
        ClientErrorKind::Io(_) | ClientErrorKind::Reqwest(_) | ClientErrorKind::SerdeJson(_) => {
            true
        }
        ClientErrorKind::RpcError(RpcError::RpcRequestError(_) | RpcError::ParseError(_)) => true,
        ClientErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => {
            // Node behind, block not available yet, or an internal error.
            matches!(
                *code,
                -32004 | -32005 | -32007 | -32014 | -32016 | -32603 | 429
            )
        }
        ClientErrorKind::Middleware(_) | ClientErrorKind::Custom(_) => true,
        _ => false,
    }
}

pub struct RpcSource {
    rpc: RpcClient,
    program_id: Pubkey,
    commitment: CommitmentConfig,
    backoff: Backoff,
    metrics: Metrics,
}

impl RpcSource {
    pub fn new(
        url: &str,
        program_id: Pubkey,
        commitment: CommitmentConfig,
        metrics: Metrics,
    ) -> Self {
        let rpc = RpcClient::new_with_timeout_and_commitment(
            url.to_string(),
            Duration::from_secs(30),
            commitment,
        );
        Self {
            rpc,
            program_id,
            commitment,
            backoff: Backoff::default(),
            metrics,
        }
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    async fn retry<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T, SourceError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Ok(value) => return Ok(value),
                Err(err) => {
                    self.metrics.rpc_error();
                    if !is_transient(&err) || attempt + 1 >= self.backoff.attempts {
                        return Err(SourceError::Rpc(Box::new(err)));
                    }
                    let delay = self.backoff.delay(attempt);
                    tracing::warn!(what, attempt, ?delay, error = %err, "RPC call failed; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }
}

fn parse_signature(text: &str) -> Result<Signature, SourceError> {
    Signature::from_str(text).map_err(|_| SourceError::BadSignature(text.to_string()))
}

impl Source for RpcSource {
    async fn new_signatures(&self, until: Option<&str>) -> Result<Vec<SignatureInfo>, SourceError> {
        let until = until.map(parse_signature).transpose()?;
        let mut found = Vec::new();
        let mut before = None;
        loop {
            let config = || GetConfirmedSignaturesForAddress2Config {
                before,
                until,
                limit: Some(1000),
                commitment: Some(self.commitment),
            };
            let page = self
                .retry("getSignaturesForAddress", || {
                    self.rpc
                        .get_signatures_for_address_with_config(&self.program_id, config())
                })
                .await?;
            for entry in &page {
                parse_signature(&entry.signature)?;
                found.push(SignatureInfo {
                    signature: entry.signature.clone(),
                    slot: entry.slot,
                    failed: entry.err.is_some(),
                });
            }
            match page.last() {
                Some(last) if page.len() == 1000 => {
                    before = Some(parse_signature(&last.signature)?)
                }
                _ => break,
            }
        }
        found.reverse();
        Ok(found)
    }

    async fn transaction(&self, signature: &str) -> Result<TransactionUpdate, SourceError> {
        let parsed = parse_signature(signature)?;
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let tx = self
            .retry("getTransaction", || {
                self.rpc.get_transaction_with_config(&parsed, config)
            })
            .await?;
        Ok(TransactionUpdate {
            signature: signature.to_string(),
            slot: tx.slot,
            block_time: tx.block_time,
            transaction: tx,
        })
    }

    async fn slots(&self) -> Result<(u64, u64), SourceError> {
        let head = self
            .retry("getSlot", || {
                self.rpc.get_slot_with_commitment(self.commitment)
            })
            .await?;
        let finalized = self
            .retry("getSlot", || {
                self.rpc
                    .get_slot_with_commitment(CommitmentConfig::finalized())
            })
            .await?;
        Ok((head, finalized))
    }

    async fn finalized(&self, signatures: &[String]) -> Result<Vec<bool>, SourceError> {
        let mut out = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(256) {
            let parsed = chunk
                .iter()
                .map(|s| parse_signature(s))
                .collect::<Result<Vec<_>, _>>()?;
            let statuses = self
                .retry("getSignatureStatuses", || {
                    self.rpc.get_signature_statuses_with_history(&parsed)
                })
                .await?;
            out.extend(statuses.value.iter().map(|s| {
                s.as_ref()
                    .is_some_and(|s| s.satisfies_commitment(CommitmentConfig::finalized()))
            }));
        }
        Ok(out)
    }
}

/// Fetches `signatures` with at most `concurrency` requests in flight, in their order.
pub async fn fetch_all<S: Source>(
    source: &S,
    signatures: &[SignatureInfo],
    concurrency: usize,
) -> Result<Vec<TransactionUpdate>, SourceError> {
    stream::iter(signatures.iter().filter(|s| !s.failed))
        .map(|s| source.transaction(&s.signature))
        .buffered(concurrency.max(1))
        .try_collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let backoff = Backoff {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for attempt in 0..10 {
            let delay = backoff.delay(attempt);
            let ceiling = (100u64 << attempt.min(16)).min(1_000);
            assert!(
                delay <= Duration::from_millis(ceiling),
                "{attempt}: {delay:?}"
            );
            assert!(
                delay >= Duration::from_millis(ceiling / 2),
                "{attempt}: {delay:?}"
            );
        }
    }
}
