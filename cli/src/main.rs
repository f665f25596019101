//! `databounty`: the bounty lifecycle from a terminal, against any Solana RPC.

mod client;
mod commands;
mod config;
mod digest;
mod output;
mod time;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser};

use commands::Command;

#[derive(Parser)]
#[command(
    name = "databounty",
    version,
    about = "SPL-token bounties for AI training data, on Solana"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes, listed apart from a command's own.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
struct GlobalArgs {
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
}

impl GlobalArgs {
    /// Flags first, then the Solana CLI config file, then the defaults.
    fn settings(&self) -> Result<config::Settings, config::ConfigError> {
        config::Settings::resolve(
            self.config.as_deref(),
            self.url.as_deref(),
            self.keypair.as_deref(),
            self.commitment.as_deref(),
        )
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the error and each of its sources once, joined by ": ".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    let output = match command {
        Command::Local(command) => {
            let settings = || Ok(global.settings()?);
            command.run(settings, global.json).await?
        }
        Command::Chain(command) => {
            let client = client::Client::new(global.settings()?);
            Some(command.run(&client, global.json).await?)
        }
    };
    if let Some(output) = output {
        output.print(global.json);
    }
    Ok(())
}
