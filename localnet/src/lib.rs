//! A local Solana chain for databounty. No validator can load a natively compiled
//! program, so this serves the real Agave bank (`solana-program-test`, the program
//! loaded natively, the real SPL Token, Token-2022 and ATA programs) over the standard
//! JSON-RPC. `solana-client`'s `RpcClient` works against it unmodified.
//!
//! The PubSub websocket is on the next port. State lives in memory, or with a
//! [`LedgerConfig`] in a directory, so that it survives a restart.

// solana-program-test 3.x flags its whole API as "to become unstable"; it is the bank.
#![allow(deprecated)]

mod chain;
pub mod ledger;
pub mod logs;
mod parsed;
mod persist;
mod pubsub;
pub mod rpc;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anchor_lang::prelude::{AccountInfo, Pubkey};
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
pub use chain::{Chain, BLOCKHASH_VALIDITY};
use solana_commitment_config::CommitmentLevel;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

type ProgramResult = anchor_lang::solana_program::entrypoint::ProgramResult;

/// Calls an Anchor `entry` with what the runtime hands a native program.
fn forward(
    entry: for<'info> fn(&'info Pubkey, &'info [AccountInfo<'info>], &'info [u8]) -> ProgramResult,
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: Anchor's `entry` wants the account slice, its `AccountInfo`s and the data
    // under one lifetime; the runtime hands us distinct ones that all outlive this call,
    // so shortening them to a common lifetime cannot let anything escape.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    entry(program_id, accounts, data)
}

fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    forward(databounty::entry, program_id, accounts, data)
}

/// The second deployment (see [`program_test`]).
fn process_second_deployment(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    forward(
        databounty_second_deployment::entry,
        program_id,
        accounts,
        data,
    )
}

/// The bank with the program loaded natively (no SBF toolchain is needed) and the real
/// SPL Token, Token-2022 and ATA programs. Tests start it directly; the chain serves it.
pub fn program_test() -> solana_program_test::ProgramTest {
    let mut test = solana_program_test::ProgramTest::new(
        "databounty",
        databounty::ID,
        solana_program_test::processor!(process),
    );
    // `ProgramTest` turns on the runtime's per-invocation debug log; a validator keeps
    // those lines in each transaction's metadata, not on its console, and printing them
    // costs the chain more than executing. Errors only (as the default it replaces has
    // for every other module), unless RUST_LOG says otherwise.
    agave_logger::setup_with_default("error");
    test.prefer_bpf(false);
    // The same program at a second address, as another deployment of it would be: tools
    // that take a program id (the indexer's `--program-id`) are tested against it.
    test.add_program(
        "databounty_second_deployment",
        SECOND_DEPLOYMENT_ID,
        solana_program_test::processor!(process_second_deployment),
    );
    test
}

/// Where the local chain loads the program a second time.
pub const SECOND_DEPLOYMENT_ID: Pubkey = databounty_second_deployment::ID;

/// How the chain runs.
#[derive(Debug, Clone)]
pub struct LocalnetConfig {
    /// Where to listen; port 0 picks a free one.
    pub bind: SocketAddr,
    /// Time between slots (a cluster's is about 400 ms).
    pub slot_time: Duration,
    /// Slots from a block to its finalization (32 on a cluster).
    pub finality_slots: u64,
}

impl Default for LocalnetConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8899)),
            slot_time: Duration::from_millis(400),
            finality_slots: 32,
        }
    }
}

/// Where the chain keeps its state across restarts (`--ledger DIR`, `--reset`).
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    pub dir: std::path::PathBuf,
    /// Start from genesis, discarding what `dir` holds.
    pub reset: bool,
}

pub use persist::PersistError;

/// Why the chain did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr} and the next port: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot load the ledger")]
    Ledger(#[from] PersistError),
}

/// A running chain; dropping it stops the servers and the slot clock.
pub struct Localnet {
    /// JSON-RPC over HTTP.
    pub url: String,
    pub addr: SocketAddr,
    /// The PubSub websocket, on the next port (as `solana-test-validator`).
    pub ws_url: String,
    chain: Arc<Mutex<Chain>>,
    server: JoinHandle<()>,
    pubsub: JoinHandle<()>,
    clock: JoinHandle<()>,
}

impl Drop for Localnet {
    fn drop(&mut self) {
        self.server.abort();
        self.pubsub.abort();
        self.clock.abort();
    }
}

/// Listeners on `bind` and on the next port, which clients derive the websocket's
/// address from. Port 0 picks a free pair.
async fn bind_pair(bind: SocketAddr) -> std::io::Result<(TcpListener, TcpListener)> {
    let mut last_error = None;
    for _ in 0..if bind.port() == 0 { 50 } else { 1 } {
        let rpc = TcpListener::bind(bind).await?;
        let port = rpc.local_addr()?.port();
        let Some(next) = port.checked_add(1) else {
            continue;
        };
        match TcpListener::bind(SocketAddr::new(bind.ip(), next)).await {
            Ok(ws) => return Ok((rpc, ws)),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free pair of ports")))
}

impl Localnet {
    /// Starts the bank, its slot clock and the RPC and PubSub servers; state in memory.
    pub async fn start(config: LocalnetConfig) -> std::io::Result<Self> {
        Self::start_with_ledger(config, None)
            .await
            .map_err(|err| match err {
                StartError::Listen { source, .. } => source,
                other => std::io::Error::other(other),
            })
    }

    /// As [`Localnet::start`]; with `ledger`, the state is read from and kept in its
    /// directory, so that accounts and transactions survive a restart.
    pub async fn start_with_ledger(
        config: LocalnetConfig,
        ledger: Option<LedgerConfig>,
    ) -> Result<Self, StartError> {
        let listen = |source| StartError::Listen {
            addr: config.bind,
            source,
        };
        let (listener, ws_listener) = bind_pair(config.bind).await.map_err(listen)?;
        if let Some(LedgerConfig { dir, reset: true }) = &ledger {
            persist::reset(dir)?;
        }
        let chain = Chain::start_with_ledger(config.finality_slots, ledger.map(|l| l.dir)).await?;
        let chain = Arc::new(Mutex::new(chain));
        let addr = listener.local_addr().map_err(listen)?;
        let ws_addr = ws_listener.local_addr().map_err(listen)?;
        let app = Router::new()
            .route("/", post(rpc_endpoint))
            .with_state(chain.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(%err, "RPC server stopped");
            }
        });
        let (slot_tx, slots) = tokio::sync::watch::channel(0u64);
        let ws_app = Router::new()
            .route("/", axum::routing::get(pubsub::upgrade))
            .with_state(pubsub::PubSub {
                chain: chain.clone(),
                slots,
            });
        let pubsub = tokio::spawn(async move {
            if let Err(err) = axum::serve(ws_listener, ws_app).await {
                tracing::error!(%err, "PubSub server stopped");
            }
        });
        let clock_chain = chain.clone();
        let clock = tokio::spawn(async move {
            let chain = clock_chain;
            let mut ticks = tokio::time::interval(config.slot_time);
            loop {
                ticks.tick().await;
                let mut chain = chain.lock().await;
                chain.advance_slot().await;
                let _ = slot_tx.send(chain.slot_at(CommitmentLevel::Processed));
            }
        });
        Ok(Self {
            url: format!("http://{addr}"),
            addr,
            ws_url: format!("ws://{ws_addr}"),
            chain,
            server,
            pubsub,
            clock,
        })
    }

    /// Writes the state to the ledger directory now (it is also written after each
    /// slot in which something happened); a no-op without a ledger.
    pub async fn save(&self) -> Result<(), PersistError> {
        self.chain.lock().await.save().await
    }

    /// Runs until the server stops (or the process is interrupted).
    pub async fn wait(&mut self) {
        let _ = (&mut self.server).await;
    }
}

async fn rpc_endpoint(
    State(chain): State<Arc<Mutex<Chain>>>,
    body: Bytes,
) -> Json<serde_json::Value> {
    Json(rpc::handle_body(&chain, &body).await)
}
