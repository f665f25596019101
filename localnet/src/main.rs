//! `databounty-localnet`: the local chain in the foreground until Ctrl-C. A binary of
//! its own so that the user CLI does not compile the Agave bank.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use databounty_localnet::{LedgerConfig, Localnet, LocalnetConfig};

#[derive(Parser)]
#[command(
    name = "databounty-localnet",
    version,
    about = "A local Solana chain with the databounty program: the real Agave bank over JSON-RPC"
)]
struct Args {
    /// Port of the JSON-RPC server (the PubSub websocket is on the next one); 0 picks a free pair
    #[arg(long, default_value_t = 8899)]
    port: u16,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Milliseconds per slot
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Slots until a block is finalized
    #[arg(long, default_value_t = 32)]
    finality_slots: u64,
    /// Keep accounts and transaction history in this directory across restarts
    #[arg(long, value_name = "DIR")]
    ledger: Option<PathBuf>,
    /// Start from genesis, discarding what the --ledger directory holds
    #[arg(long, requires = "ledger")]
    reset: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = LocalnetConfig {
        bind: SocketAddr::new(args.bind, args.port),
        slot_time: Duration::from_millis(args.slot_ms.max(10)),
        finality_slots: args.finality_slots,
    };
    let ledger = args.ledger.clone().map(|dir| LedgerConfig {
        dir,
        reset: args.reset,
    });
    let mut chain = match Localnet::start_with_ledger(config, ledger).await {
        Ok(chain) => chain,
        Err(err) => {
            eprintln!("databounty-localnet: {err}");
            let mut cause = std::error::Error::source(&err);
            while let Some(inner) = cause {
                eprintln!("  caused by: {inner}");
                cause = inner.source();
            }
            return ExitCode::FAILURE;
        }
    };
    // The first line is read by scripts and tests that start the chain on port 0.
    println!("JSON-RPC on {}", chain.url);
    println!("PubSub on {}", chain.ws_url);
    println!(
        "program {} (native), SPL Token, Token-2022, Associated Token Account",
        databounty::ID
    );
    let state = match &args.ledger {
        Some(dir) => format!("state kept in {}", dir.display()),
        None => "state is in memory only".into(),
    };
    println!(
        "slots every {} ms, finalized after {} slots; {state}",
        args.slot_ms, args.finality_slots
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {
            println!("stopping");
            if let Err(err) = chain.save().await {
                eprintln!("databounty-localnet: {err}");
                return ExitCode::FAILURE;
            }
        }
        _ = chain.wait() => {}
    }
    ExitCode::SUCCESS
}
