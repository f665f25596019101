//! Prometheus metrics in the text exposition format: events ingested, lag in slots,
//! RPC errors, batch latency.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    undecodable: AtomicU64,
    transactions: AtomicU64,
    rpc_errors: AtomicU64,
    batches: AtomicU64,
    batch_micros_total: AtomicU64,
    last_batch_micros: AtomicU64,
    lag_slots: AtomicU64,
    head_slot: AtomicU64,
    rolled_back: AtomicU64,
}

/// Shared, cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Counters>);

impl Metrics {
    pub fn rpc_error(&self) {
        self.0.rpc_errors.fetch_add(1, Relaxed);
    }

    pub fn batch(&self, transactions: usize, events: usize, undecodable: usize, micros: u64) {
        self.0.transactions.fetch_add(transactions as u64, Relaxed);
        self.0.events.fetch_add(events as u64, Relaxed);
        self.0.undecodable.fetch_add(undecodable as u64, Relaxed);
        self.0.batches.fetch_add(1, Relaxed);
        self.0.batch_micros_total.fetch_add(micros, Relaxed);
        self.0.last_batch_micros.store(micros, Relaxed);
    }

    pub fn position(&self, head_slot: u64, indexed_slot: u64) {
        self.0.head_slot.store(head_slot, Relaxed);
        self.0
            .lag_slots
            .store(head_slot.saturating_sub(indexed_slot), Relaxed);
    }

    pub fn rolled_back(&self, events: usize) {
        self.0.rolled_back.fetch_add(events as u64, Relaxed);
    }

    pub fn events(&self) -> u64 {
        self.0.events.load(Relaxed)
    }

    pub fn render(&self) -> String {
        let c = &self.0;
        let line = |name: &str, kind: &str, help: &str, value: u64| {
            format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")
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
                "Failed RPC calls (including retried ones).",
                c.rpc_errors.load(Relaxed),
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
                c.head_slot.load(Relaxed),
            ),
            line(
                "databounty_indexer_lag_slots",
                "gauge",
                "Slots between the chain head and the last indexed transaction.",
                c.lag_slots.load(Relaxed),
            ),
            line(
                "databounty_indexer_rolled_back_events_total",
                "counter",
                "Events removed because their slot never finalized.",
                c.rolled_back.load(Relaxed),
            ),
        ]
        .concat()
    }
}
