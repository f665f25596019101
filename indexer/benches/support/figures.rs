//! What every benchmark shares: its settings from the environment, the statistics it
//! prints, and the throwaway databases it measures in.

#![allow(dead_code)] // each benchmark uses its own part

use databounty_indexer::db::Db;
use sqlx::{Connection, Executor, PgConnection};

/// A numeric setting from the environment (`BENCH_...`), or `default`.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// The `p` quantile (0..=1) of `sorted`, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The server to measure on (`DATABASE_URL`); exits with a hint when it is not set.
pub fn server_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        eprintln!("set DATABASE_URL to a Postgres server (the benchmark makes its own databases)");
        std::process::exit(2)
    })
}

/// The URL of database `name` on the server of `base`.
pub fn database_url(base: &str, name: &str) -> String {
    format!("{}/{name}", base.rsplit_once('/').map_or(base, |(b, _)| b))
}

/// Drops and creates database `name` (empty, no schema); returns its URL.
pub async fn recreate_database(base: &str, name: &str) -> String {
    let mut admin = PgConnection::connect(base).await.expect("connect");
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create");
    database_url(base, name)
}

/// A fresh database with the indexer's schema in place (what a run finds after its first
/// start); returns its URL.
pub async fn migrated_database(base: &str, name: &str) -> String {
    let url = recreate_database(base, name).await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    db.pool.close().await;
    url
}

pub async fn drop_database(base: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::connect(base).await {
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
    }
}

/// CPU time (user + system, and that of reaped children) of process `pid` so far, from
/// `/proc` (Linux; 0 elsewhere).
pub fn cpu_seconds(pid: u32) -> f64 {
    stat_seconds(pid, 4)
}

/// CPU time of process `pid`'s own threads, without its reaped children (the bench
/// process reaps the indexer it starts).
pub fn own_cpu_seconds(pid: u32) -> f64 {
    stat_seconds(pid, 2)
}

/// The sum of the first `fields` of utime, stime, cutime, cstime; clock ticks are 1/100 s.
fn stat_seconds(pid: u32, fields: usize) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // After the command (in parentheses): utime, stime, cutime, cstime are fields 11..15.
    let ticks: u64 = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .skip(11)
        .take(fields)
        .map(|v| v.parse::<u64>().unwrap_or(0))
        .sum();
    ticks as f64 / 100.0
}

/// CPU time of every local process named `postgres` (a server on this machine; 0 for a
/// remote one): a backend's time reaches its parent when it exits.
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(cpu_seconds)
        .sum()
}
