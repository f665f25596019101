//! The reading side of a pass: the planned listing as one stream of transactions in
//! chain order, fetched with a fixed number of requests in flight and handed to the
//! writer in batches.
//!
//! Fetches flow across batch and page boundaries: the next page is listed while the one
//! before is fetched, and a batch boundary never waits for the slowest reply of the
//! batch before the next requests go out. The writer's channel holds one batch, so when
//! Postgres is the slower side the reader waits and memory stays bounded.

use std::pin::pin;

use anchor_lang::prelude::Pubkey;
use futures::{stream, Stream, StreamExt};

use super::{PipelineConfig, PipelineError, Stop, TxRecord};
use crate::db::Checkpoint;
use crate::decoder::decode;
use crate::metrics::Metrics;
use crate::source::{
    order_listing, Backoff, ListingPlan, PlannedPage, SignatureInfo, Source, SourceError,
};
use databounty_sdk::transaction::failed;

/// A listed transaction; `ends_page` is set on a page's last one: (pages done, pages
/// planned), for progress logs.
#[derive(Debug, Clone)]
pub struct Listed {
    pub info: SignatureInfo,
    pub ends_page: Option<(usize, usize)>,
}

/// Transactions read and decoded, ready to be written.
pub struct Batch {
    pub records: Vec<TxRecord>,
    /// Set when the batch ends one or more pages: the last of them.
    pub ends_page: Option<(usize, usize)>,
}

/// The planned listing after `checkpoint`, oldest first, each signature with its place
/// in its slot. The page after the one being consumed is listed ahead (one request);
/// each page is ordered after the last signature of the page before.
pub fn listing<'a, S: Source>(
    source: &'a S,
    metrics: &'a Metrics,
    plan: ListingPlan,
    checkpoint: Option<Checkpoint>,
) -> impl Stream<Item = Result<Listed, SourceError>> + 'a {
    enum Page {
        Cursor(PlannedPage),
        Listed(Vec<SignatureInfo>),
    }
    let pages = plan.older_pages.len() + 1;
    let after = checkpoint.clone();
    let listings = stream::iter(
        plan.older_pages
            .into_iter()
            .map(Page::Cursor)
            .chain(std::iter::once(Page::Listed(plan.newest))),
    )
    .map(move |page| {
        let after = after.clone();
        async move {
            match page {
                Page::Cursor(planned) => {
                    planned_page(source, metrics, &planned, after.as_ref()).await
                }
                Page::Listed(newest_first) => Ok(newest_first),
            }
        }
    })
    .buffered(2);
    listings
        .enumerate()
        .scan(checkpoint, move |at, (page, listing)| {
            let ordered = listing.and_then(|l| order_listing(l, at.as_ref()));
            if let Ok(Some(last)) = ordered.as_ref().map(|l| l.last()) {
                *at = Some(Checkpoint {
                    signature: last.signature.clone(),
                    slot: last.slot,
                    tx_index: last.tx_index,
                });
            }
            std::future::ready(Some((page, ordered)))
        })
        .flat_map(move |(page, ordered)| {
            let items: Vec<Result<Listed, SourceError>> = match ordered {
                Ok(listed) => {
                    let count = listed.len();
                    listed
                        .into_iter()
                        .enumerate()
                        .map(|(i, info)| {
                            Ok(Listed {
                                info,
                                ends_page: (i + 1 == count).then_some((page + 1, pages)),
                            })
                        })
                        .collect()
                }
                Err(err) => vec![Err(err)],
            };
            stream::iter(items)
        })
}

/// A planned page fetched again. One that lists other than planned is retried, then
/// fails the pass (loudly, counted): never read as "no more signatures".
async fn planned_page<S: Source>(
    source: &S,
    metrics: &Metrics,
    planned: &PlannedPage,
    after: Option<&Checkpoint>,
) -> Result<Vec<SignatureInfo>, SourceError> {
    let backoff = Backoff {
        attempts: 4,
        base: std::time::Duration::from_millis(200),
        max: std::time::Duration::from_secs(2),
    };
    let mut attempt = 0;
    loop {
        let page = source.listing_page(&planned.before, after).await?;
        let Err(err) = planned.check(&page) else {
            return Ok(page);
        };
        metrics.contradicted_page();
        attempt += 1;
        if attempt >= backoff.attempts {
            tracing::error!(error = %err, attempt, "a listed page keeps contradicting the plan");
            return Err(err);
        }
        tracing::warn!(error = %err, attempt, "a listed page contradicts the plan; retrying");
        tokio::time::sleep(backoff.delay(attempt)).await;
    }
}

/// Reads one listed transaction. One the node cannot encode for us is kept as
/// unreadable (and so quarantined); any other failure is returned.
async fn fetch_one<S: Source>(
    source: &S,
    program_id: &Pubkey,
    info: SignatureInfo,
) -> Result<TxRecord, SourceError> {
    if info.failed {
        return Ok(TxRecord::new(info, vec![], None));
    }
    match source.transaction(&info.signature).await {
        Ok(update) if failed(&update.transaction) => Err(SourceError::Inconsistent(format!(
            "{} is listed as successful but its reply failed",
            info.signature
        ))),
        Ok(update) => {
            let mut rows = decode(program_id, update, info.tx_index);
            // The listing's slot is the one the rows are ordered by.
            for row in &mut rows {
                row.position.slot = info.slot;
            }
            Ok(TxRecord::new(info, rows, None))
        }
        Err(err) if err.is_about_one_transaction() => {
            let why = err.to_string();
            Ok(TxRecord::new(info, vec![], Some(why)))
        }
        Err(err) => Err(err),
    }
}

/// Lists and fetches the planned pages, oldest first, handing the writer a batch every
/// `batch_size` transactions; ends at a stop, at the first failed read (after handing on
/// the batches read before it), or when the writer no longer takes batches.
pub async fn read_batches<S: Source>(
    source: &S,
    config: &PipelineConfig,
    metrics: &Metrics,
    stop: &Stop,
    plan: ListingPlan,
    checkpoint: Option<Checkpoint>,
    batches: tokio::sync::mpsc::Sender<Batch>,
) -> Result<(), PipelineError> {
    let program_id = config.program_id;
    let fetched = listing(source, metrics, plan, checkpoint)
        .map(|listed| async move {
            let listed = listed?;
            let record = fetch_one(source, &program_id, listed.info).await?;
            Ok::<_, SourceError>((record, listed.ends_page))
        })
        .buffered(config.concurrency.max(1));
    let mut fetched = pin!(fetched);
    let batch_size = config.batch_size.max(1);
    let mut batch = Batch {
        records: Vec::with_capacity(batch_size),
        ends_page: None,
    };
    let mut waited = std::time::Duration::ZERO;
    loop {
        let next = tokio::select! {
            next = fetched.next() => next,
            _ = stop.wait() => return Ok(()),
        };
        let done = next.is_none();
        if let Some(item) = next {
            let (record, ends_page) = item?;
            batch.records.push(record);
            batch.ends_page = ends_page.or(batch.ends_page);
        }
        if batch.records.len() >= batch_size || (done && !batch.records.is_empty()) {
            let full = std::mem::replace(
                &mut batch,
                Batch {
                    records: Vec::with_capacity(batch_size),
                    ends_page: None,
                },
            );
            let waiting = std::time::Instant::now();
            if batches.send(full).await.is_err() {
                return Ok(());
            }
            waited += waiting.elapsed();
        }
        if done {
            // Time the reader could not hand on a batch: the writer was the slower side.
            tracing::debug!(waited_ms = waited.as_millis(), "reader done");
            return Ok(());
        }
    }
}
