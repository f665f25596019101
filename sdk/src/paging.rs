//! Paging `getSignaturesForAddress`, the one way the CLI and the indexer list an
//! address's history. Knows no RPC client: the caller fetches one page given the
//! signature to page back from, so it can add its own retries.
//!
//! Each page continues from the last entry of the previous page, whatever that entry's
//! status: paging from the last *successful* one repeats a page of failures forever and
//! ends early after a first page of only failures.

use std::future::Future;

/// The most entries a node returns per page.
pub const PAGE_LIMIT: usize = 1000;

/// An entry of a page: anything that names its transaction's signature.
pub trait SignatureEntry {
    fn signature(&self) -> &str;
}

impl SignatureEntry
    for solana_rpc_client_types::response::RpcConfirmedTransactionStatusWithSignature
{
    fn signature(&self) -> &str {
        &self.signature
    }
}

/// Why paging stopped before the end of the history.
#[derive(Debug, thiserror::Error)]
pub enum PagingError<E> {
    #[error(transparent)]
    Fetch(E),
    /// A node that returns a page ending where the previous one ended would be paged
    /// forever; it is lying or broken.
    #[error("the RPC returned a page ending at {0} again; it does not advance")]
    NoProgress(String),
}

/// Every entry, newest first, fetching pages of `page_limit` until a shorter page.
/// `fetch(before)` returns the page strictly older than `before` (`None`: the newest).
pub async fn all_pages<T, E, F, Fut>(page_limit: usize, fetch: F) -> Result<Vec<T>, PagingError<E>>
where
    T: SignatureEntry,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, E>>,
{
    let mut entries: Vec<T> = Vec::new();
    for_each_page(page_limit, fetch, |_, page| entries.extend(page)).await?;
    Ok(entries)
}

/// Fetches page after page, newest first, as [`all_pages`] does, handing each to
/// `visit` with the `before` it was fetched with, so a caller can keep only what it
/// needs (memory bounded by one page, not the history).
pub async fn for_each_page<T, E, F, Fut>(
    page_limit: usize,
    mut fetch: F,
    mut visit: impl FnMut(Option<String>, Vec<T>),
) -> Result<(), PagingError<E>>
where
    T: SignatureEntry,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, E>>,
{
    let mut before: Option<String> = None;
    loop {
        let page = fetch(before.clone()).await.map_err(PagingError::Fetch)?;
        let full = page.len() >= page_limit.max(1);
        let Some(last) = page.last().map(|e| e.signature().to_string()) else {
            break;
        };
        if before.as_deref() == Some(last.as_str()) {
            return Err(PagingError::NoProgress(last));
        }
        visit(before.clone(), page);
        if !full {
            break;
        }
        before = Some(last);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Entry {
        signature: String,
        failed: bool,
    }

    impl SignatureEntry for Entry {
        fn signature(&self) -> &str {
            &self.signature
        }
    }

    /// A history of `n` entries, newest first; `failed(i)` marks failures.
    fn history(n: usize, failed: impl Fn(usize) -> bool) -> Vec<Entry> {
        (0..n)
            .map(|i| Entry {
                signature: format!("sig{i}"),
                failed: failed(i),
            })
            .collect()
    }

    /// Pages `history` as a node would: entries strictly after `before`.
    async fn page(history: &[Entry], before: Option<String>, limit: usize) -> Vec<Entry> {
        let start = before
            .and_then(|b| history.iter().position(|e| e.signature == b))
            .map_or(0, |i| i + 1);
        history.iter().skip(start).take(limit).cloned().collect()
    }

    fn list(history: &[Entry], limit: usize) -> Vec<Entry> {
        futures::executor::block_on(all_pages(limit, |before| async move {
            Ok::<_, ()>(page(history, before, limit).await)
        }))
        .expect("pages")
    }

    #[test]
    fn a_full_page_of_failures_is_paged_past() {
        // Three full pages; the middle one is all failures.
        let history = history(25, |i| (10..20).contains(&i));
        assert_eq!(list(&history, 10), history);
    }

    #[test]
    fn a_first_page_of_only_failures_does_not_end_the_listing() {
        let history = history(15, |i| i < 10);
        let listed = list(&history, 10);
        assert_eq!(listed.len(), 15);
        assert_eq!(listed.iter().filter(|e| !e.failed).count(), 5);
    }

    #[test]
    fn an_exact_multiple_of_the_page_ends_on_the_empty_page() {
        let history = history(20, |_| false);
        assert_eq!(list(&history, 10), history);
    }

    #[test]
    fn a_node_that_does_not_advance_is_an_error() {
        let history = history(10, |_| false);
        let result = futures::executor::block_on(all_pages(10, |_| {
            let page = history.clone();
            async move { Ok::<_, ()>(page) }
        }));
        assert!(matches!(result, Err(PagingError::NoProgress(s)) if s == "sig9"));
    }
}
