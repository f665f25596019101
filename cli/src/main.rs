//! `databounty`: the bounty lifecycle from a terminal, against any Solana RPC.

mod client;
mod commands;
mod config;
mod tokens;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use solana_sdk::pubkey::Pubkey;

#[derive(Parser)]
#[command(
    name = "databounty",
    version,
    about = "SPL-token bounties for AI training data, on Solana"
)]
struct Cli {
    /// RPC URL or moniker: localhost, devnet, testnet, mainnet-beta [default: from the Solana CLI config]
    #[arg(long, short = 'u', global = true, env = "DATABOUNTY_URL")]
    url: Option<String>,
    /// Keypair file that signs and pays [default: from the Solana CLI config]
    #[arg(long, short = 'k', global = true, env = "DATABOUNTY_KEYPAIR")]
    keypair: Option<PathBuf>,
    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml]
    #[arg(long, short = 'C', global = true)]
    config: Option<PathBuf>,
    /// processed, confirmed or finalized [default: from the config, else confirmed]
    #[arg(long, global = true)]
    commitment: Option<String>,
    /// Print results as JSON
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local chain (the real Agave bank with the program, over JSON-RPC)
    Localnet {
        #[arg(long, default_value_t = 8899)]
        port: u16,
        /// Milliseconds per slot
        #[arg(long, default_value_t = 400)]
        slot_ms: u64,
        /// Slots until a block is finalized
        #[arg(long, default_value_t = 32)]
        finality_slots: u64,
    },
    /// Write a new keypair file
    Keygen {
        outfile: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Print the keypair's address
    Address,
    /// Request SOL from the cluster's faucet (local chain, devnet)
    Airdrop {
        /// SOL
        amount: f64,
        /// Recipient [default: the keypair's address]
        to: Option<Pubkey>,
    },
    /// Test-token helpers: create a mint, mint to an owner, show a balance
    #[command(subcommand)]
    Token(tokens::TokenCommand),
    /// Create a bounty (and fund it with --fund)
    Create(commands::CreateArgs),
    /// Add funds to an open bounty
    Fund {
        bounty: Pubkey,
        /// Amount in tokens, e.g. 12.5
        amount: String,
        /// Source token account [default: the keypair's associated token account]
        #[arg(long)]
        from: Option<Pubkey>,
    },
    /// Hash a file or folder and register the submission
    Submit {
        bounty: Pubkey,
        /// The delivered data: a file, or a folder (hashed through its manifest)
        path: PathBuf,
        /// Where reviewers can fetch the data
        #[arg(long)]
        uri: Option<String>,
    },
    /// Recompute a submission's hash from the data received, and vote
    Attest {
        submission: Pubkey,
        path: PathBuf,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
    },
    /// Pay an accepted submission to its contributor (anyone may)
    Release {
        submission: Pubkey,
        /// Payout token account [default: the contributor's associated token account, created if missing]
        #[arg(long)]
        to: Option<Pubkey>,
    },
    /// Cancel a bounty: no new submissions or funding; pending work stays reviewable
    Cancel { bounty: Pubkey },
    /// Return unreserved funds to the creator (anyone may)
    Refund { bounty: Pubkey },
    /// Return a final submission's rent to its contributor (anyone may)
    CloseSubmission { submission: Pubkey },
    /// Close an empty bounty and its vault, rent to the creator
    Close { bounty: Pubkey },
    /// Show a bounty or a submission
    Show { address: Pubkey },
    /// List bounties, or the submissions of one bounty
    #[command(subcommand)]
    List(commands::ListCommand),
    /// Print the content digest of a file or folder, and the submission hash
    Hash {
        path: PathBuf,
        #[arg(long, requires = "contributor")]
        bounty: Option<Pubkey>,
        #[arg(long, requires = "bounty")]
        contributor: Option<Pubkey>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = config::Settings::resolve(
        cli.config.as_deref(),
        cli.url.as_deref(),
        cli.keypair.as_deref(),
        cli.commitment.as_deref(),
    )?;
    let json = cli.json;
    let output = match cli.command {
        Command::Localnet {
            port,
            slot_ms,
            finality_slots,
        } => return commands::localnet(port, slot_ms, finality_slots).await,
        Command::Keygen { outfile, force } => commands::keygen(&outfile, force)?,
        Command::Address => commands::address(&settings)?,
        Command::Hash {
            path,
            bounty,
            contributor,
        } => commands::hash(&path, bounty, contributor, json)?,
        command => {
            let client = client::Client::new(settings);
            match command {
                Command::Airdrop { amount, to } => commands::airdrop(&client, amount, to).await?,
                Command::Token(token) => tokens::run(&client, token).await?,
                Command::Create(args) => commands::create(&client, args).await?,
                Command::Fund {
                    bounty,
                    amount,
                    from,
                } => commands::fund(&client, bounty, &amount, from).await?,
                Command::Submit { bounty, path, uri } => {
                    commands::submit(&client, bounty, &path, uri, json).await?
                }
                Command::Attest {
                    submission,
                    path,
                    approve,
                    ..
                } => commands::attest(&client, submission, &path, approve, json).await?,
                Command::Release { submission, to } => {
                    commands::release(&client, submission, to).await?
                }
                Command::Cancel { bounty } => commands::cancel(&client, bounty).await?,
                Command::Refund { bounty } => commands::refund(&client, bounty).await?,
                Command::CloseSubmission { submission } => {
                    commands::close_submission(&client, submission).await?
                }
                Command::Close { bounty } => commands::close(&client, bounty).await?,
                Command::Show { address } => commands::show(&client, address).await?,
                Command::List(list) => commands::list(&client, list).await?,
                Command::Localnet { .. }
                | Command::Keygen { .. }
                | Command::Hash { .. }
                | Command::Address => {
                    anyhow::bail!("this command does not use an RPC connection")
                }
            }
        }
    };
    output.print(json);
    Ok(())
}
