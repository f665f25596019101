//! The datasource: any Solana RPC. Knows nothing of Postgres. Lists the program's
//! transactions back to the checkpoint (through the SDK's one pager), fetches them, and
//! retries rate limits, timeouts and not-yet-available answers with exponential backoff
//! and jitter. Replies are checked, not trusted: a listing out of chain order, a body
//! for another transaction or one without inner instructions is retried like a timeout.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use databounty_sdk::paging::{for_each_page, PagingError, SignatureEntry, PAGE_LIMIT};
use databounty_sdk::transaction::{find_events, program_instructions};
use rand::Rng;
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

use crate::db::Checkpoint;
use crate::decoder::TransactionUpdate;
use crate::metrics::Metrics;

/// Why the source could not answer (after its retries).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("RPC: {0}")]
    Rpc(#[from] Box<ClientError>),
    #[error("the RPC returned a malformed signature {0:?}")]
    BadSignature(String),
    /// A listed transaction the node keeps answering `null` for, or without the inner
    /// instructions its events are in.
    #[error("transaction {signature} is not available from the RPC: {why}")]
    Missing { signature: String, why: String },
    /// A reply that contradicts the request or an earlier reply (a listing out of chain
    /// order or older than the checkpoint).
    #[error("the RPC replied inconsistently: {0}")]
    Inconsistent(String),
}

impl SourceError {
    /// Whether waiting can fix it. An RPC error that is not transient (a method the
    /// node lacks, parameters it refuses) fails the same way every time.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Rpc(err) => is_transient(err),
            SourceError::BadSignature(_)
            | SourceError::Missing { .. }
            | SourceError::Inconsistent(_) => true,
        }
    }

    /// Whether it concerns one transaction only, which can then be quarantined: the node
    /// cannot encode it for us (a transaction version newer than we ask for).
    pub fn is_about_one_transaction(&self) -> bool {
        matches!(self, SourceError::Rpc(err) if matches!(err.kind(),
            ClientErrorKind::RpcError(RpcError::RpcResponseError { code: -32015, .. })))
    }
}

/// A program transaction seen in `getSignaturesForAddress`, with its place among the
/// program's transactions in its slot (a node lists a slot's transactions in block
/// order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    pub signature: String,
    pub slot: u64,
    pub tx_index: u32,
    pub failed: bool,
    pub block_time: Option<i64>,
}

impl SignatureEntry for SignatureInfo {
    fn signature(&self) -> &str {
        &self.signature
    }
}

/// What the node says of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxStatus {
    pub slot: u64,
    pub finalized: bool,
}

/// Whether a finalized block holds a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockCheck {
    Contains,
    /// The finalized block at that slot does not hold it, or the slot was skipped.
    Lacks,
    /// The node cannot tell (no such method, or the block is not available).
    Unknown,
}

/// Where events come from. The pipeline needs nothing else, so tests can stand in
/// recorded or faulty sources.
pub trait Source: Sync {
    /// Program transactions after `after` (exclusive), oldest first, each with its
    /// place in its slot.
    fn new_signatures(
        &self,
        after: Option<&Checkpoint>,
    ) -> impl Future<Output = Result<Vec<SignatureInfo>, SourceError>> + Send;
    /// The listing after `after` planned page by page, so a long history is read with
    /// memory for one page: the pages older than the newest one as cursors, oldest
    /// first, and the newest page itself. A source without paging lists everything as
    /// its newest page.
    fn listing_plan(
        &self,
        after: Option<&Checkpoint>,
    ) -> impl Future<Output = Result<ListingPlan, SourceError>> + Send {
        async move {
            let mut newest = self.new_signatures(after).await?;
            newest.reverse();
            Ok(ListingPlan {
                older_pages: vec![],
                newest,
            })
        }
    }
    /// The page the node lists strictly before `before` and after `after`, newest first.
    fn listing_page(
        &self,
        before: &str,
        after: Option<&Checkpoint>,
    ) -> impl Future<Output = Result<Vec<SignatureInfo>, SourceError>> + Send {
        let _ = (before, after);
        async {
            Err(SourceError::Inconsistent(
                "this source lists no pages".into(),
            ))
        }
    }
    fn transaction(
        &self,
        signature: &str,
    ) -> impl Future<Output = Result<TransactionUpdate, SourceError>> + Send;
    /// The newest slot at the source's commitment, and the newest finalized slot.
    fn slots(&self) -> impl Future<Output = Result<(u64, u64), SourceError>> + Send;
    /// Each signature's status, searching the whole history (`None`: the node does not
    /// know it).
    fn statuses(
        &self,
        signatures: &[String],
    ) -> impl Future<Output = Result<Vec<Option<TxStatus>>, SourceError>> + Send;
    /// Whether the finalized block at `slot` holds `signature`.
    fn block_check(
        &self,
        slot: u64,
        signature: &str,
    ) -> impl Future<Output = Result<BlockCheck, SourceError>> + Send;
}

/// A listing to read page by page: see [`Source::listing_plan`].
#[derive(Debug, Clone, Default)]
pub struct ListingPlan {
    /// For each page older than the newest, the `before` cursor that fetches it; the
    /// oldest page first.
    pub older_pages: Vec<String>,
    /// The newest page, newest first.
    pub newest: Vec<SignatureInfo>,
}

/// Puts a newest-first listing in chain order and gives each signature its place among
/// the listed ones of its slot, continuing after the checkpoint's place when the listing
/// starts in the checkpoint's slot. Duplicates are dropped; a listing out of chain order
/// or reaching back before the checkpoint is refused.
pub fn order_listing(
    mut newest_first: Vec<SignatureInfo>,
    after: Option<&Checkpoint>,
) -> Result<Vec<SignatureInfo>, SourceError> {
    newest_first.reverse();
    let mut seen = std::collections::HashSet::new();
    newest_first.retain(|s| seen.insert(s.signature.clone()));
    if let Some(cp) = after {
        newest_first.retain(|s| s.signature != cp.signature);
    }
    let mut previous: Option<(u64, u32)> = after.map(|c| (c.slot, c.tx_index));
    for entry in &mut newest_first {
        entry.tx_index = match previous {
            Some((slot, _)) if entry.slot < slot => {
                return Err(SourceError::Inconsistent(format!(
                    "{} at slot {} is listed after slot {slot}",
                    entry.signature, entry.slot
                )))
            }
            Some((slot, index)) if entry.slot == slot => index.saturating_add(1),
            _ => 0,
        };
        previous = Some((entry.slot, entry.tx_index));
    }
    Ok(newest_first)
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
        // An HTTP status says whether: a timeout, a rate limit or a server error will
        // pass; a wrong URL or key (401, 403, 404) will not. No status: the connection.
        ClientErrorKind::Reqwest(err) => err.status().is_none_or(|status| {
            status.is_server_error() || matches!(status.as_u16(), 408 | 425 | 429)
        }),
        ClientErrorKind::Io(_) | ClientErrorKind::SerdeJson(_) => true,
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
            page_limit: PAGE_LIMIT,
        }
    }

    /// How long one RPC request may take before it counts as a (retried) timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.rpc =
            RpcClient::new_with_timeout_and_commitment(self.rpc.url(), timeout, self.commitment);
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
                match before {
                    None => plan.newest = page,
                    Some(cursor) => plan.older_pages.push(cursor),
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
        for cursor in plan.older_pages.iter().rev() {
            newest_first.extend(self.listing_page(cursor, after).await?);
        }
        order_listing(newest_first, after)
    }

    async fn transaction(&self, signature: &str) -> Result<TransactionUpdate, SourceError> {
        let parsed = parse_signature(signature)?;
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let mut attempt = 0;
        loop {
            let reply: Option<EncodedConfirmedTransactionWithStatusMeta> = self
                .retry("getTransaction", || {
                    self.rpc.send(
                        RpcRequest::GetTransaction,
                        json!([parsed.to_string(), config]),
                    )
                })
                .await?;
            let problem = match &reply {
                None => Some("the node answered null".to_string()),
                Some(tx) => check_reply(&self.program_id, signature, tx).err(),
            };
            match (reply, problem) {
                (Some(tx), None) => {
                    return Ok(TransactionUpdate {
                        signature: signature.to_string(),
                        slot: tx.slot,
                        block_time: tx.block_time,
                        transaction: tx,
                    })
                }
                (_, problem) => {
                    let why = problem.unwrap_or_default();
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
                tracing::debug!(slot, error = %err, "cannot check the block");
                Ok(BlockCheck::Unknown)
            }
        }
    }
}

/// Why a `getTransaction` reply cannot stand for the transaction asked for: it is
/// another transaction's, it has no status, its shape cannot be read, or it succeeded
/// but an instruction of the program has no event under it (every instruction emits
/// one, so a reply without them would read as "no events").
fn check_reply(
    program_id: &Pubkey,
    signature: &str,
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<(), String> {
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
        return Ok(());
    }
    let found = find_events(program_id, tx).map_err(|e| e.to_string())?;
    for index in program_instructions(program_id, tx).map_err(|e| e.to_string())? {
        if !found.iter().any(|f| f.instruction_index == index) {
            return Err(format!(
                "instruction {index} invokes the program but the reply shows no event under it"
            ));
        }
    }
    Ok(())
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

    fn listed(slot: u64, signature: &str) -> SignatureInfo {
        SignatureInfo {
            signature: signature.into(),
            slot,
            tx_index: 0,
            failed: false,
            block_time: None,
        }
    }

    #[test]
    fn a_listing_gets_block_order_places_continuing_the_checkpoint() {
        let checkpoint = Checkpoint {
            signature: "a".into(),
            slot: 5,
            tx_index: 1,
        };
        let newest_first = vec![
            listed(6, "d"),
            listed(5, "c"),
            listed(5, "b"),
            listed(5, "a"),
        ];
        let ordered = order_listing(newest_first, Some(&checkpoint)).unwrap();
        let places: Vec<_> = ordered
            .iter()
            .map(|s| (s.signature.as_str(), s.slot, s.tx_index))
            .collect();
        assert_eq!(places, [("b", 5, 2), ("c", 5, 3), ("d", 6, 0)]);
    }

    #[test]
    fn a_listing_older_than_the_checkpoint_or_out_of_order_is_refused() {
        let checkpoint = Checkpoint {
            signature: "z".into(),
            slot: 9,
            tx_index: 0,
        };
        assert!(matches!(
            order_listing(vec![listed(8, "a")], Some(&checkpoint)),
            Err(SourceError::Inconsistent(_))
        ));
        assert!(matches!(
            order_listing(vec![listed(3, "a"), listed(4, "b")], None),
            Err(SourceError::Inconsistent(_))
        ));
        let duplicated = order_listing(vec![listed(4, "b"), listed(4, "b")], None).unwrap();
        assert_eq!(duplicated.len(), 1);
    }
}
