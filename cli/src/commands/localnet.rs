//! `localnet`: the local chain in the foreground until Ctrl-C.

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

#[derive(Args)]
pub struct LocalnetArgs {
    /// Port of the JSON-RPC server (the PubSub websocket is on the next one)
    #[arg(long, default_value_t = 8899)]
    port: u16,
    /// Milliseconds per slot
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Slots until a block is finalized
    #[arg(long, default_value_t = 32)]
    finality_slots: u64,
}

pub async fn run(args: LocalnetArgs) -> Result<()> {
    let LocalnetArgs {
        port,
        slot_ms,
        finality_slots,
    } = args;
    let config = databounty_localnet::LocalnetConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        slot_time: Duration::from_millis(slot_ms.max(10)),
        finality_slots,
    };
    let chain = databounty_localnet::Localnet::start(config)
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    println!("databounty local chain: JSON-RPC on {}", chain.url);
    println!(
        "program {} (native), SPL Token, Token-2022, Associated Token Account",
        databounty::ID
    );
    println!(
        "slots every {slot_ms} ms, finalized after {finality_slots} slots; state is in memory only"
    );
    tokio::select! {
        _ = chain.wait() => {}
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(())
}
