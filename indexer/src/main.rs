//! `databounty-indexer`: backfill, then follow the chain into Postgres, and serve the
//! analyst API and metrics.

use std::net::SocketAddr;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anyhow::Context;
use clap::{Parser, ValueEnum};
use databounty_indexer::api::{router, ApiState};
use databounty_indexer::db::{Db, DbError, Failure, Start, View, Writer};
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::{follow, run_once, PipelineConfig, Stop};
use databounty_indexer::redact::without_url_secrets;
use databounty_indexer::source::RpcSource;
use solana_commitment_config::CommitmentConfig;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Commitment {
    Finalized,
    Confirmed,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Parser, Debug)]
#[command(
    name = "databounty-indexer",
    version,
    about = "Mirrors every databounty event into Postgres"
)]
struct Config {
    /// Solana JSON-RPC endpoint
    #[arg(
        long,
        env = "RPC_URL",
        default_value = "http://localhost:8899",
        hide_env_values = true
    )]
    rpc_url: String,
    /// Postgres connection string
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// The program to index
    #[arg(long, env = "PROGRAM_ID", default_value_t = databounty::ID)]
    program_id: Pubkey,
    /// finalized (default), or confirmed with rollback of slots that never finalize
    #[arg(long, env = "COMMITMENT", value_enum, default_value = "finalized")]
    commitment: Commitment,
    /// Seconds before one RPC request counts as timed out (and is retried)
    #[arg(long, env = "RPC_TIMEOUT_SECS", default_value_t = 30)]
    rpc_timeout_secs: u64,
    /// getTransaction requests in flight
    #[arg(long, env = "CONCURRENCY", default_value_t = 8)]
    concurrency: usize,
    /// Signatures per getSignaturesForAddress page (a node's maximum is 1000)
    #[arg(long, env = "PAGE_LIMIT", default_value_t = 1000)]
    page_limit: usize,
    /// Transactions per database transaction
    #[arg(long, default_value_t = 200)]
    batch_size: usize,
    /// Milliseconds between polls when following live
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// /health answers 503 once no pass has succeeded for this many seconds
    #[arg(long, env = "STALL_AFTER_SECS", default_value_t = 60)]
    stall_after_secs: u64,
    /// Where to serve the API and /metrics
    #[arg(long, env = "HTTP_BIND", default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    /// Index what exists, then exit (no API, no following)
    #[arg(long)]
    once: bool,
    /// With --once: print the analyst views afterwards
    #[arg(long, requires = "once")]
    report: bool,
    /// Log lines as text or as JSON objects
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }

    let db = connect(&config.database_url).await?;
    let metrics = Metrics::default();
    let (commitment, name) = match config.commitment {
        Commitment::Finalized => (CommitmentConfig::finalized(), "finalized"),
        Commitment::Confirmed => (CommitmentConfig::confirmed(), "confirmed"),
    };
    let source = RpcSource::new(
        &config.rpc_url,
        config.program_id,
        commitment,
        metrics.clone(),
    )
    .with_timeout(Duration::from_secs(config.rpc_timeout_secs.max(1)))
    .with_page_limit(config.page_limit);
    let pipeline = PipelineConfig {
        program_id: config.program_id,
        source_name: format!("{}:{name}", config.program_id),
        concurrency: config.concurrency,
        batch_size: config.batch_size,
        confirmed: matches!(config.commitment, Commitment::Confirmed),
    };
    let rpc = without_url_secrets(&config.rpc_url);
    tracing::info!(rpc = %rpc, program = %config.program_id, commitment = name, "indexer starting");

    let (stop_tx, stop) = Stop::new();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("stopping after the batch in progress");
        let _ = stop_tx.send(true);
    });

    if config.once {
        let mut writer = tokio::select! {
            w = Writer::acquire(&db, &pipeline.source_name, Duration::from_millis(500)) => w.context("taking the writer lock")?,
            _ = stop.wait() => return Ok(()),
        };
        let events = run_once(&source, &mut writer, &pipeline, &metrics, &stop).await?;
        tracing::info!(events, "indexed; exiting (--once)");
        if config.report {
            print_report(&db).await?;
        }
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(config.http)
        .await
        .with_context(|| format!("binding {}", config.http))?;
    tracing::info!(http = %config.http, "serving the API and /metrics");
    let reader = Db::connect_reader(&config.database_url).context("the API's read pool")?;
    let app = router(ApiState {
        db: reader,
        metrics: metrics.clone(),
        stall_after: Duration::from_secs(config.stall_after_secs),
    });
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let result = follow(
        &source,
        &db,
        &pipeline,
        &metrics,
        Duration::from_millis(config.poll_ms),
        stop,
    )
    .await;
    server.abort();
    result.context("the indexer stopped")?;
    tracing::info!("stopped");
    Ok(())
}

/// Connects and migrates, waiting out a database that is restarting or not up yet;
/// anything else (a wrong URL, a failed migration) ends the process.
async fn connect(url: &str) -> anyhow::Result<Db> {
    let backoff = databounty_indexer::source::Backoff {
        attempts: u32::MAX,
        base: Duration::from_millis(200),
        max: Duration::from_secs(10),
    };
    let mut attempt = 0;
    loop {
        let result = async {
            let db = Db::connect(url).await?;
            db.migrate().await?;
            db.check_reader_settings().await?;
            Ok::<_, DbError>(db)
        }
        .await;
        match result {
            Ok(db) => return Ok(db),
            Err(err) if err.failure() == Failure::Transient => {
                let delay = backoff.delay(attempt);
                tracing::warn!(error = %err, ?delay, "the database is not reachable yet; retrying");
                tokio::time::sleep(delay).await;
                attempt = attempt.saturating_add(1);
            }
            Err(err) => return Err(err).context("connecting to Postgres and migrating"),
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Prints each analyst view as an aligned table.
async fn print_report(db: &Db) -> anyhow::Result<()> {
    let views = [
        (
            "Bounties (amounts in base units)",
            View::Bounties,
            &[
                "bounty",
                "status",
                "funded",
                "released",
                "refunded",
                "submissions",
                "accepted",
                "paid",
            ][..],
        ),
        (
            "Earnings per contributor (base units)",
            View::ContributorEarnings,
            &[
                "contributor",
                "paid_submissions",
                "earned",
                "received_after_fees",
            ][..],
        ),
        (
            "Reviewer agreement with the final outcome",
            View::ReviewerAgreement,
            &[
                "reviewer",
                "mint",
                "votes",
                "agreed",
                "agreement",
                "fees_earned",
            ][..],
        ),
        (
            "Time to quorum (seconds)",
            View::TimeToQuorum,
            &[
                "bounty",
                "decided",
                "avg_seconds",
                "median_seconds",
                "max_seconds",
            ][..],
        ),
        (
            "Funding and payout per dataset and mint (base units)",
            View::DatasetFunding,
            &[
                "dataset_id",
                "mint",
                "bounties",
                "funded",
                "released",
                "refunded",
            ][..],
        ),
    ];
    for (title, view, columns) in views {
        let (rows, _) = db.read(view, None, &[], 50, &Start::Offset(0)).await?;
        let cell = |row: &serde_json::Value, column: &str| match &row[column] {
            serde_json::Value::String(s) if s.chars().count() > 20 => {
                format!("{}…", s.chars().take(12).collect::<String>())
            }
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "-".into(),
            other => other.to_string(),
        };
        let widths: Vec<usize> = columns
            .iter()
            .map(|c| {
                rows.iter()
                    .map(|r| cell(r, c).chars().count())
                    .chain([c.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        println!("\n{title}");
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        println!("{}", line(columns.iter().map(|c| c.to_string()).collect()));
        for row in &rows {
            println!("{}", line(columns.iter().map(|c| cell(row, c)).collect()));
        }
        if rows.is_empty() {
            println!("(none)");
        }
    }
    Ok(())
}
