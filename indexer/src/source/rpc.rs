//! The source over any Solana JSON-RPC node: pages `getSignaturesForAddress` back to the
//! checkpoint, fetches each transaction, and checks every reply before trusting it.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use databounty_sdk::paging::{for_each_page, PagingError, PAGE_LIMIT};
use databounty_sdk::transaction::{find_events, program_instructions, FoundEvent};
use serde_json::json;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_client::rpc_config::{RpcBlockConfig, RpcTransactionConfig};
use solana_client::rpc_request::{RpcError, RpcRequest};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::signature::Signature;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, TransactionDetails,
    UiTransactionEncoding,
};

use super::{
    is_transient, order_listing, Backoff, BlockCheck, ListingPlan, PlannedPage, SignatureInfo,
    Source, SourceError, TxStatus,
};
use crate::db::Checkpoint;
use crate::decoder::TransactionUpdate;
use crate::metrics::Metrics;
use crate::redact::without_url_secrets;

pub struct RpcSource {
    /// Shared with the tasks that read `getTransaction` replies on worker threads.
    rpc: Arc<RpcClient>,
    program_id: Pubkey,
    commitment: CommitmentConfig,
    backoff: Backoff,
    metrics: Metrics,
    /// Entries per `getSignaturesForAddress` page (a node's maximum is 1000).
    page_limit: usize,
}

impl RpcSource {
    pub fn new(
        url: &str,
        program_id: Pubkey,
        commitment: CommitmentConfig,
        metrics: Metrics,
    ) -> Self {
        let rpc = Arc::new(RpcClient::new_with_timeout_and_commitment(
            url.to_string(),
            Duration::from_secs(30),
            commitment,
        ));
        Self {
            rpc,
            program_id,
            commitment,
            backoff: Backoff::default(),
            metrics,
            page_limit: PAGE_LIMIT,
        }
    }

    /// How long one RPC request may take before it counts as a (retried) timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.rpc = Arc::new(RpcClient::new_with_timeout_and_commitment(
            self.rpc.url(),
            timeout,
            self.commitment,
        ));
        self
    }

    /// Pages of `limit` entries instead of a node's maximum (tests page short histories).
    pub fn with_page_limit(mut self, limit: usize) -> Self {
        self.page_limit = limit.clamp(1, PAGE_LIMIT);
        self
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
                    let error = without_url_secrets(&err.to_string());
                    tracing::warn!(what, attempt, ?delay, error = %error, "RPC call failed; retrying");
                    self.metrics.retrying(what, &error);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }
}

/// Runs `work` on a worker thread of the runtime. Dropping the returned future (a stop,
/// a failed pass) aborts it at its next await: a request in flight is abandoned, though
/// a reply already in hand may finish being checked.
async fn on_worker<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(tokio::spawn(work));
    match (&mut task.0).await {
        Ok(value) => value,
        Err(err) => match err.try_into_panic() {
            // The task's panic, passed on as is.
            Ok(panic) => std::panic::resume_unwind(panic),
            // Cancelled while awaited here: only by the runtime shutting down, which
            // drops this future too before it can see the result.
            Err(err) => panic!("a read on a worker was cancelled: {err}"),
        },
    }
}

fn parse_signature(text: &str) -> Result<Signature, SourceError> {
    Signature::from_str(text).map_err(|_| SourceError::BadSignature(text.to_string()))
}

impl RpcSource {
    /// One page of the program's signatures before `before` (exclusive), after `until`.
    async fn page(
        &self,
        before: Option<&str>,
        until: Option<Signature>,
    ) -> Result<Vec<SignatureInfo>, SourceError> {
        let before = before.map(parse_signature).transpose()?;
        let page = self
            .retry("getSignaturesForAddress", || {
                self.rpc.get_signatures_for_address_with_config(
                    &self.program_id,
                    GetConfirmedSignaturesForAddress2Config {
                        before,
                        until,
                        limit: Some(self.page_limit),
                        commitment: Some(self.commitment),
                    },
                )
            })
            .await?;
        page.into_iter()
            .map(|entry| {
                parse_signature(&entry.signature)?;
                Ok(SignatureInfo {
                    signature: entry.signature,
                    slot: entry.slot,
                    tx_index: 0,
                    failed: entry.err.is_some(),
                    block_time: entry.block_time,
                })
            })
            .collect()
    }
}

impl Source for RpcSource {
    async fn listing_plan(&self, after: Option<&Checkpoint>) -> Result<ListingPlan, SourceError> {
        let until = after.map(|c| parse_signature(&c.signature)).transpose()?;
        let mut plan = ListingPlan::default();
        let mut oldest: Option<String> = None;
        for_each_page(
            self.page_limit,
            |before| async move { self.page(before.as_deref(), until).await },
            |before, page: Vec<SignatureInfo>| {
                oldest = page.last().map(|e| e.signature.clone());
                match (before, &oldest) {
                    (Some(before), Some(oldest)) => plan.older_pages.push(PlannedPage {
                        before,
                        len: page.len(),
                        oldest: oldest.clone(),
                    }),
                    _ => plan.newest = page,
                }
            },
        )
        .await
        .map_err(|err| match err {
            PagingError::Fetch(err) => err,
            PagingError::NoProgress(s) => SourceError::Inconsistent(format!(
                "getSignaturesForAddress repeats its page ending at {s}"
            )),
        })?;
        // A node (or proxy) that caps or cuts a page would end the listing early and
        // skip history: the page after the oldest entry must be empty.
        if let Some(oldest) = oldest {
            let beyond = self.page(Some(&oldest), until).await?;
            if !beyond.is_empty() {
                return Err(SourceError::Inconsistent(format!(
                    "getSignaturesForAddress ended a listing early ({} more before {oldest})",
                    beyond.len()
                )));
            }
        }
        plan.older_pages.reverse();
        Ok(plan)
    }

    async fn listing_page(
        &self,
        before: &str,
        after: Option<&Checkpoint>,
    ) -> Result<Vec<SignatureInfo>, SourceError> {
        let until = after.map(|c| parse_signature(&c.signature)).transpose()?;
        self.page(Some(before), until).await
    }

    async fn new_signatures(
        &self,
        after: Option<&Checkpoint>,
    ) -> Result<Vec<SignatureInfo>, SourceError> {
        let plan = self.listing_plan(after).await?;
        let mut newest_first = plan.newest;
        for planned in plan.older_pages.iter().rev() {
            let page = self.listing_page(&planned.before, after).await?;
            planned.check(&page)?;
            newest_first.extend(page);
        }
        order_listing(newest_first, after)
    }

    async fn transaction(&self, signature: &str) -> Result<TransactionUpdate, SourceError> {
        parse_signature(signature)?;
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let mut attempt = 0;
        loop {
            // Reading a reply (its JSON, the events' base58) is most of the indexer's
            // work: each runs on a worker thread, so the replies of the requests in
            // flight are read in parallel rather than in turn on the pipeline's thread.
            let (reply, checked) = self
                .retry("getTransaction", || {
                    let (rpc, program_id) = (self.rpc.clone(), self.program_id);
                    let signature = signature.to_string();
                    on_worker(async move {
                        let reply: Option<EncodedConfirmedTransactionWithStatusMeta> = rpc
                            .send(RpcRequest::GetTransaction, json!([signature, config]))
                            .await?;
                        let checked = match &reply {
                            None => Err("the node answered null".to_string()),
                            Some(tx) => check_reply(&program_id, &signature, tx),
                        };
                        Ok::<_, ClientError>((reply, checked))
                    })
                })
                .await?;
            match (reply, checked) {
                (Some(tx), Ok(events)) => {
                    return Ok(TransactionUpdate {
                        signature: signature.to_string(),
                        slot: tx.slot,
                        block_time: tx.block_time,
                        transaction: tx,
                        events,
                    })
                }
                (_, checked) => {
                    let why = checked.err().unwrap_or_default();
                    self.metrics.rpc_error();
                    if attempt + 1 >= self.backoff.attempts {
                        self.metrics.missing_transaction();
                        return Err(SourceError::Missing {
                            signature: signature.to_string(),
                            why,
                        });
                    }
                    let delay = self.backoff.delay(attempt);
                    tracing::warn!(
                        signature,
                        attempt,
                        ?delay,
                        why,
                        "unusable getTransaction reply; retrying"
                    );
                    self.metrics
                        .retrying("getTransaction", &format!("{signature}: {why}"));
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
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

    async fn statuses(&self, signatures: &[String]) -> Result<Vec<Option<TxStatus>>, SourceError> {
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
            if statuses.value.len() != chunk.len() {
                return Err(SourceError::Inconsistent(format!(
                    "getSignatureStatuses answered {} statuses for {} signatures",
                    statuses.value.len(),
                    chunk.len()
                )));
            }
            out.extend(statuses.value.iter().map(|s| {
                s.as_ref().map(|s| TxStatus {
                    slot: s.slot,
                    finalized: s.satisfies_commitment(CommitmentConfig::finalized()),
                })
            }));
        }
        Ok(out)
    }

    async fn block_check(&self, slot: u64, signature: &str) -> Result<BlockCheck, SourceError> {
        let config = RpcBlockConfig {
            encoding: None,
            transaction_details: Some(TransactionDetails::Signatures),
            rewards: Some(false),
            commitment: Some(CommitmentConfig::finalized()),
            max_supported_transaction_version: Some(0),
        };
        match self.rpc.get_block_with_config(slot, config).await {
            Ok(block) => {
                let signatures = block.signatures.unwrap_or_default();
                Ok(if signatures.iter().any(|s| s == signature) {
                    BlockCheck::Contains
                } else {
                    BlockCheck::Lacks
                })
            }
            // -32007 means the slot was skipped (so nothing in it is final) or that the
            // node jumped past it to a snapshot: only a slot within the node's own
            // history is known to be skipped.
            Err(err)
                if matches!(
                    err.kind(),
                    ClientErrorKind::RpcError(RpcError::RpcResponseError { code: -32007, .. })
                ) =>
            {
                match self.rpc.get_first_available_block().await {
                    Ok(first) if slot >= first => Ok(BlockCheck::Lacks),
                    _ => Ok(BlockCheck::Unknown),
                }
            }
            Err(err) => {
                let error = without_url_secrets(&err.to_string());
                tracing::debug!(slot, error = %error, "cannot check the block");
                Ok(BlockCheck::Unknown)
            }
        }
    }
}

/// Why a `getTransaction` reply cannot stand for the transaction asked for: it is
/// another transaction's, it has no status, its shape cannot be read, or it succeeded
/// but an instruction of the program has no event under it (every instruction emits
/// one, so a reply without them would read as "no events"). Returns the events found
/// (none looked for in a failed transaction).
fn check_reply(
    program_id: &Pubkey,
    signature: &str,
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<Option<Vec<FoundEvent>>, String> {
    let first = match &tx.transaction.transaction {
        EncodedTransaction::Json(ui) => ui.signatures.first().cloned(),
        other => other
            .decode()
            .and_then(|t| t.signatures.first().map(ToString::to_string)),
    };
    if first.as_deref() != Some(signature) {
        return Err(format!("the reply is for transaction {first:?}"));
    }
    let Some(meta) = &tx.transaction.meta else {
        return Err("the reply has no status meta".into());
    };
    if meta.err.is_some() {
        return Ok(None);
    }
    let found = find_events(program_id, tx).map_err(|e| e.to_string())?;
    for index in program_instructions(program_id, tx).map_err(|e| e.to_string())? {
        if !found.iter().any(|f| f.instruction_index == index) {
            return Err(format!(
                "instruction {index} invokes the program but the reply shows no event under it"
            ));
        }
    }
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::on_worker;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_on_a_worker_is_aborted_when_its_reader_is_dropped() {
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        let reading = on_worker(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            flag.store(true, Ordering::SeqCst);
        });
        // The reader gives up (a stop) before the work is done.
        assert!(tokio::time::timeout(Duration::from_millis(20), reading)
            .await
            .is_err());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            !finished.load(Ordering::SeqCst),
            "the work went on after its reader was dropped"
        );
        assert_eq!(on_worker(async { 7 }).await, 7);
    }
}
