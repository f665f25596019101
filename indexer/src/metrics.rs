//! Prometheus metrics in the text exposition format, and the health the API reports:
//! what is indexed against the chain head, when the last pass succeeded, and why the
//! last one failed.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::redact::without_url_secrets;

/// What this process is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Starting = 0,
    /// Waiting for the writer lock another indexer holds.
    Standby = 1,
    Writer = 2,
}

impl Role {
    fn name(v: u8) -> &'static str {
        match v {
            1 => "standby",
            2 => "writer",
            _ => "starting",
        }
    }
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    undecodable: AtomicU64,
    transactions: AtomicU64,
    rpc_errors: AtomicU64,
    batches: AtomicU64,
    batch_micros_total: AtomicU64,
    last_batch_micros: AtomicU64,
    head_slot: AtomicU64,
    indexed_slot: AtomicU64,
    rolled_back: AtomicU64,
    quarantined: AtomicU64,
    failed_passes: AtomicU64,
    missing_transactions: AtomicU64,
    unresolved: AtomicU64,
    gaps: AtomicU64,
    contradicted_pages: AtomicU64,
    /// Unix milliseconds of the last successful pass (0: none yet).
    last_success_ms: AtomicU64,
    started_ms: AtomicU64,
    role: AtomicU8,
    last_error: Mutex<Option<String>>,
}

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Counters>);

impl Default for Metrics {
    fn default() -> Self {
        let counters = Counters::default();
        counters.started_ms.store(now_ms(), Relaxed);
        Self(Arc::new(counters))
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The indexer's state as `/health` reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    pub status: &'static str,
    pub role: &'static str,
    pub indexed_slot: u64,
    pub head_slot: u64,
    pub lag_slots: u64,
    /// Unix milliseconds of the last successful pass, if any.
    pub last_success_ms: Option<u64>,
    pub seconds_since_success: Option<u64>,
    pub last_error: Option<String>,
    pub quarantined: u64,
}

impl Metrics {
    pub fn rpc_error(&self) {
        self.0.rpc_errors.fetch_add(1, Relaxed);
    }

    pub fn missing_transaction(&self) {
        self.0.missing_transactions.fetch_add(1, Relaxed);
    }

    pub fn batch(&self, transactions: usize, events: usize, undecodable: usize, micros: u64) {
        self.0.transactions.fetch_add(transactions as u64, Relaxed);
        self.0.events.fetch_add(events as u64, Relaxed);
        self.0.undecodable.fetch_add(undecodable as u64, Relaxed);
        self.0.batches.fetch_add(1, Relaxed);
        self.0.batch_micros_total.fetch_add(micros, Relaxed);
        self.0.last_batch_micros.store(micros, Relaxed);
    }

    /// The newest slot the node reports at the indexer's commitment.
    pub fn head(&self, slot: u64) {
        self.0.head_slot.fetch_max(slot, Relaxed);
    }

    /// Everything up to `slot` is written.
    pub fn indexed(&self, slot: u64) {
        self.0.indexed_slot.fetch_max(slot, Relaxed);
    }

    pub fn rolled_back(&self, events: usize) {
        self.0.rolled_back.fetch_add(events as u64, Relaxed);
    }

    pub fn quarantined(&self, transactions: usize) {
        self.0.quarantined.fetch_add(transactions as u64, Relaxed);
    }

    /// A listed page that contradicted its plan (short, empty or ending elsewhere).
    pub fn contradicted_page(&self) {
        self.0.contradicted_pages.fetch_add(1, Relaxed);
    }

    pub fn gap(&self) {
        self.0.gaps.fetch_add(1, Relaxed);
    }

    /// A confirmed transaction whose finality the node could not tell.
    pub fn unresolved(&self) {
        self.0.unresolved.fetch_add(1, Relaxed);
    }

    /// A change of role restarts the stall clock: a standby that takes over is judged
    /// from then on.
    pub fn role(&self, role: Role) {
        if self.0.role.swap(role as u8, Relaxed) != role as u8 {
            self.0.started_ms.store(now_ms(), Relaxed);
            self.0.last_success_ms.store(0, Relaxed);
        }
    }

    /// A batch was written: a long backfill is progress, not a stall, and whatever
    /// failed before it has passed.
    pub fn progressed(&self) {
        self.0.last_success_ms.store(now_ms(), Relaxed);
        if let Ok(mut last) = self.0.last_error.lock() {
            *last = None;
        }
    }

    pub fn pass_succeeded(&self) {
        self.progressed();
    }

    pub fn pass_failed(&self, error: &str) {
        self.0.failed_passes.fetch_add(1, Relaxed);
        self.set_last_error(error.to_string());
    }

    /// A call failed and is being retried: a pass that retries for long is stalled, and
    /// `/health` should say why while it does, not only once the pass gives up.
    pub fn retrying(&self, what: &str, error: &dyn std::fmt::Display) {
        self.set_last_error(format!("{what} failed, retrying: {error}"));
    }

    fn set_last_error(&self, error: String) {
        if let Ok(mut last) = self.0.last_error.lock() {
            *last = Some(without_url_secrets(&error));
        }
    }

    pub fn events(&self) -> u64 {
        self.0.events.load(Relaxed)
    }

    /// Healthy when writing and a pass or batch succeeded within `stall_after` (or, before
    /// any, this process became the writer within it), or when standing by.
    pub fn health(&self, stall_after: Duration) -> Health {
        let c = &self.0;
        let now = now_ms();
        let last = c.last_success_ms.load(Relaxed);
        let since = if last == 0 {
            c.started_ms.load(Relaxed)
        } else {
            last
        };
        let stalled =
            now.saturating_sub(since) > u64::try_from(stall_after.as_millis()).unwrap_or(u64::MAX);
        let role = c.role.load(Relaxed);
        let head = c.head_slot.load(Relaxed);
        let indexed = c.indexed_slot.load(Relaxed);
        Health {
            status: match (role, stalled) {
                (1, _) => "standby",
                (_, true) => "stalled",
                _ => "ok",
            },
            role: Role::name(role),
            indexed_slot: indexed,
            head_slot: head,
            lag_slots: head.saturating_sub(indexed),
            last_success_ms: (last != 0).then_some(last),
            seconds_since_success: (last != 0).then(|| now.saturating_sub(last) / 1000),
            last_error: c.last_error.lock().ok().and_then(|e| e.clone()),
            quarantined: c.quarantined.load(Relaxed),
        }
    }

    pub fn render(&self) -> String {
        let c = &self.0;
        let line = |name: &str, kind: &str, help: &str, value: u64| {
            format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")
        };
        let head = c.head_slot.load(Relaxed);
        let indexed = c.indexed_slot.load(Relaxed);
        let since_success = match c.last_success_ms.load(Relaxed) {
            0 => 0,
            last => now_ms().saturating_sub(last) / 1000,
        };
        [
            line(
                "databounty_indexer_events_ingested_total",
                "counter",
                "Program events written to Postgres.",
                c.events.load(Relaxed),
            ),
            line(
                "databounty_indexer_events_undecodable_total",
                "counter",
                "Events recorded as undecodable.",
                c.undecodable.load(Relaxed),
            ),
            line(
                "databounty_indexer_transactions_total",
                "counter",
                "Transactions read from the RPC.",
                c.transactions.load(Relaxed),
            ),
            line(
                "databounty_indexer_rpc_errors_total",
                "counter",
                "Failed or unusable RPC replies (including retried ones).",
                c.rpc_errors.load(Relaxed),
            ),
            line(
                "databounty_indexer_missing_transactions_total",
                "counter",
                "Listed transactions the node would not return after retries.",
                c.missing_transactions.load(Relaxed),
            ),
            line(
                "databounty_indexer_batches_total",
                "counter",
                "Batches written.",
                c.batches.load(Relaxed),
            ),
            line(
                "databounty_indexer_batch_microseconds_total",
                "counter",
                "Time spent writing batches.",
                c.batch_micros_total.load(Relaxed),
            ),
            line(
                "databounty_indexer_last_batch_microseconds",
                "gauge",
                "Latency of the last batch write.",
                c.last_batch_micros.load(Relaxed),
            ),
            line(
                "databounty_indexer_head_slot",
                "gauge",
                "Newest slot at the indexer's commitment.",
                head,
            ),
            line(
                "databounty_indexer_indexed_slot",
                "gauge",
                "Slot up to which every program transaction is written.",
                indexed,
            ),
            line(
                "databounty_indexer_lag_slots",
                "gauge",
                "Slots between the chain head and what is written.",
                head.saturating_sub(indexed),
            ),
            line(
                "databounty_indexer_seconds_since_success",
                "gauge",
                "Seconds since the last successful pass (0 before the first).",
                since_success,
            ),
            line(
                "databounty_indexer_failed_passes_total",
                "counter",
                "Indexing passes that failed.",
                c.failed_passes.load(Relaxed),
            ),
            line(
                "databounty_indexer_quarantined_transactions_total",
                "counter",
                "Transactions quarantined (refused by Postgres or unreadable).",
                c.quarantined.load(Relaxed),
            ),
            line(
                "databounty_indexer_history_gaps_total",
                "counter",
                "Times the checkpoint's transaction was missing from the node's history.",
                c.gaps.load(Relaxed),
            ),
            line(
                "databounty_indexer_contradicted_pages_total",
                "counter",
                "Listed pages that came back other than planned (retried, never taken).",
                c.contradicted_pages.load(Relaxed),
            ),
            line(
                "databounty_indexer_unresolved_finality_total",
                "counter",
                "Confirmed transactions whose finality the node could not tell.",
                c.unresolved.load(Relaxed),
            ),
            line(
                "databounty_indexer_rolled_back_events_total",
                "counter",
                "Events removed because their transaction is not on the finalized chain.",
                c.rolled_back.load(Relaxed),
            ),
            line(
                "databounty_indexer_writer",
                "gauge",
                "1 while this process holds the writer lock.",
                u64::from(c.role.load(Relaxed) == Role::Writer as u8),
            ),
        ]
        .concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_error_keeps_the_host_of_a_url_but_not_its_key() {
        let metrics = Metrics::default();
        metrics.retrying("getSlot", &"http://127.0.0.1:8899/?token=abc refused");
        let health = metrics.health(Duration::from_secs(60));
        assert_eq!(
            health.last_error.as_deref(),
            Some("getSlot failed, retrying: http://127.0.0.1:8899/… refused")
        );
    }
}
