//! `token`: test-token helpers for a local chain or devnet: create a mint, mint to
//! someone, read a balance. Associated token accounts are used throughout.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use anyhow::Result;
use clap::Subcommand;
use databounty_sdk::accounts::{ata, mint_to_owner_ixs, token_balance, NewMint};
use databounty_sdk::amount;
use serde_json::json;
use solana_sdk::signature::{Keypair, Signer};
use spl_token_2022::extension::ExtensionType;

use crate::client::{rpc_error, Client};
use crate::output::Output;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a mint whose authority is the keypair
    CreateMint {
        /// Decimal places of the token
        #[arg(long, default_value_t = 6)]
        decimals: u8,
        /// Use Token-2022 instead of SPL Token
        #[arg(long)]
        token_2022: bool,
        /// Token-2022 transfer fee in basis points
        #[arg(long, requires = "token_2022")]
        transfer_fee_bps: Option<u16>,
        /// Cap of the transfer fee, in tokens
        #[arg(long, default_value = "1000000")]
        max_fee: String,
    },
    /// Mint tokens to an owner's associated token account (created if missing)
    Mint {
        /// The mint (the keypair must be its authority)
        mint: Pubkey,
        /// Amount in tokens, e.g. 12.5
        amount: String,
        /// Owner [default: the keypair's address]
        #[arg(long)]
        to: Option<Pubkey>,
    },
    /// An owner's balance of a mint
    Balance {
        /// The mint
        mint: Pubkey,
        /// Owner [default: the keypair's address]
        owner: Option<Pubkey>,
    },
}

async fn create_mint(
    client: &Client,
    decimals: u8,
    token_2022: bool,
    transfer_fee_bps: Option<u16>,
    max_fee: &str,
) -> Result<Output> {
    let payer = client.settings.keypair()?;
    let mint = Keypair::new();
    let program = if token_2022 {
        spl_token_2022::ID
    } else {
        anchor_spl::token::ID
    };
    let mut new_mint = NewMint::new(mint.pubkey(), program, payer.pubkey(), decimals);
    let mut extension_init = Vec::new();
    if let Some(bps) = transfer_fee_bps {
        new_mint = new_mint.with_extensions([ExtensionType::TransferFeeConfig]);
        let max = amount::parse(max_fee, decimals)?;
        extension_init.push(
            spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                &program,
                &mint.pubkey(),
                Some(&payer.pubkey()),
                Some(&payer.pubkey()),
                bps,
                max,
            )?,
        );
    }
    let rent = client
        .rpc
        .get_minimum_balance_for_rent_exemption(new_mint.space()?)
        .await
        .map_err(rpc_error("reading the rent"))?;
    let ixs = new_mint.instructions(&payer.pubkey(), rent, extension_init)?;
    let signature = client.send("create mint", &ixs, &[&mint]).await?;
    Ok(Output {
        text: format!(
            "created mint {} ({} decimals, {})",
            mint.pubkey(),
            decimals,
            if token_2022 {
                "Token-2022"
            } else {
                "SPL Token"
            }
        ),
        json: json!({ "mint": mint.pubkey().to_string(), "decimals": decimals, "token_program": program.to_string(), "signature": signature.to_string() }),
    })
}

pub async fn run(client: &Client, command: TokenCommand) -> Result<Output> {
    match command {
        TokenCommand::CreateMint {
            decimals,
            token_2022,
            transfer_fee_bps,
            max_fee,
        } => create_mint(client, decimals, token_2022, transfer_fee_bps, &max_fee).await,
        TokenCommand::Mint {
            mint,
            amount: text,
            to,
        } => {
            let payer = client.settings.keypair()?.pubkey();
            let info = client.mint(&mint).await?;
            let owner = to.unwrap_or(payer);
            let value = amount::parse(&text, info.decimals)?;
            let ixs = mint_to_owner_ixs(&payer, &payer, &owner, &mint, &info.token_program, value)?;
            let signature = client.send("mint", &ixs, &[]).await?;
            Ok(Output {
                text: format!("minted {} to {owner}", amount::format(value, info.decimals)),
                json: json!({ "mint": mint.to_string(), "to": owner.to_string(), "amount": value, "signature": signature.to_string() }),
            })
        }
        TokenCommand::Balance { mint, owner } => {
            let payer = client.settings.keypair()?.pubkey();
            let info = client.mint(&mint).await?;
            let owner = owner.unwrap_or(payer);
            let account = ata(&owner, &mint, &info.token_program);
            let balance = match client.account(&account).await? {
                None => 0,
                Some(raw) => token_balance(&raw.data)
                    .map_err(|e| anyhow::Error::new(e).context(account.to_string()))?,
            };
            Ok(Output {
                text: amount::format(balance, info.decimals),
                json: json!({ "mint": mint.to_string(), "owner": owner.to_string(), "amount": balance, "ui_amount": amount::format(balance, info.decimals) }),
            })
        }
    }
}
