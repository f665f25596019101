//! The databounty indexer: mirrors every program event into Postgres. Three parts with
//! one job each, wired by the pipeline: a [`source`] that reads any Solana RPC, a
//! [`decoder`] that turns transactions into event rows without I/O, and the [`db`] sink,
//! the only place with SQL. [`api`] serves the analyst views over HTTP.

pub mod api;
pub mod db;
pub mod decoder;
pub mod key_text;
pub mod metrics;
pub mod pipeline;
pub mod projection;
pub mod redact;
pub mod source;
