//! The datasource: any Solana RPC. Knows nothing of Postgres. Lists the program's
//! transactions back to the checkpoint (through the SDK's one pager), fetches them, and
//! retries rate limits, timeouts and not-yet-available answers with exponential backoff
//! and jitter. Replies are checked, not trusted: a listing out of chain order, a body
//! for another transaction or one without inner instructions is retried like a timeout.
//!
//! `rpc` is the source over JSON-RPC, `retry` its policy for transient failures; this
//! module holds what every source shares: the trait, its errors and the listing order.

mod retry;
mod rpc;

pub use retry::{is_transient, Backoff};
pub use rpc::RpcSource;

use std::future::Future;

use databounty_sdk::paging::SignatureEntry;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::rpc_request::RpcError;

use crate::db::Checkpoint;
use crate::decoder::TransactionUpdate;
use crate::redact::without_url_secrets;

/// Why the source could not answer (after its retries).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Shown without the URL's path and query (where API keys go), and not passed on as
    /// a `source()`, which would print the whole URL (and this message) again.
    #[error("RPC: {}", without_url_secrets(&.0.to_string()))]
    Rpc(Box<ClientError>),
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
    /// The page the node lists strictly before `before` and after `after`, newest first
    /// (callers check it against the plan).
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
    /// Each page older than the newest, as planned; the oldest page first.
    pub older_pages: Vec<PlannedPage>,
    /// The newest page, newest first.
    pub newest: Vec<SignatureInfo>,
}

/// A page of the listing as it was when planned: fetched again it must list the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPage {
    /// The cursor that fetches it.
    pub before: String,
    /// How many entries it had, and its oldest.
    pub len: usize,
    pub oldest: String,
}

impl PlannedPage {
    /// Refuses a page fetched again that lists other than planned: settled history does
    /// not change, so a short or empty page is a lagging node or a cut reply, and taking
    /// it would move the checkpoint past what it left out.
    pub fn check(&self, newest_first: &[SignatureInfo]) -> Result<(), SourceError> {
        let oldest = newest_first.last().map(|s| s.signature.as_str());
        if newest_first.len() == self.len && oldest == Some(self.oldest.as_str()) {
            return Ok(());
        }
        Err(SourceError::Inconsistent(format!(
            "the page before {} lists {} signatures ending at {}; {} ending at {} were planned",
            self.before,
            newest_first.len(),
            oldest.unwrap_or("none"),
            self.len,
            self.oldest
        )))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
