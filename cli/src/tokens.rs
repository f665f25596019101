//! Test-token helpers for a local chain or devnet: create a mint, mint to someone,
//! read a balance. Associated token accounts are used throughout.

use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::spl_associated_token_account::address::get_associated_token_address_with_program_id;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022;
use anyhow::{anyhow, Result};
use clap::Subcommand;
use databounty_sdk::amount;
use serde_json::json;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use spl_token_2022::extension::ExtensionType;

use crate::client::Client;
use crate::commands::Output;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a mint whose authority is the keypair
    CreateMint {
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
        mint: Pubkey,
        amount: String,
        /// Owner [default: the keypair's address]
        #[arg(long)]
        to: Option<Pubkey>,
    },
    /// An owner's balance of a mint
    Balance { mint: Pubkey, owner: Option<Pubkey> },
}

/// The associated token account of `owner` for `mint`.
pub fn ata(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// Creates `owner`'s associated token account if it does not exist yet.
pub fn create_ata_ix(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    create_associated_token_account_idempotent(payer, owner, mint, token_program)
}

pub async fn run(client: &Client, command: TokenCommand) -> Result<Output> {
    let payer = client.settings.keypair()?;
    match command {
        TokenCommand::CreateMint {
            decimals,
            token_2022,
            transfer_fee_bps,
            max_fee,
        } => {
            let mint = Keypair::new();
            let program = if token_2022 {
                spl_token_2022::ID
            } else {
                anchor_spl::token::ID
            };
            let extensions: Vec<ExtensionType> = transfer_fee_bps
                .map(|_| ExtensionType::TransferFeeConfig)
                .into_iter()
                .collect();
            let space = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(
                &extensions,
            )?;
            let rent = client
                .rpc
                .get_minimum_balance_for_rent_exemption(space)
                .await
                .map_err(|e| anyhow!("{}", crate::client::explain(&e)))?;
            let mut ixs = vec![solana_system_interface::instruction::create_account(
                &payer.pubkey(),
                &mint.pubkey(),
                rent,
                space as u64,
                &program,
            )];
            if let Some(bps) = transfer_fee_bps {
                let max = amount::parse(&max_fee, decimals)?;
                ixs.push(spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                    &program,
                    &mint.pubkey(),
                    Some(&payer.pubkey()),
                    Some(&payer.pubkey()),
                    bps,
                    max,
                )?);
            }
            ixs.push(spl_token_2022::instruction::initialize_mint2(
                &program,
                &mint.pubkey(),
                &payer.pubkey(),
                None,
                decimals,
            )?);
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
        TokenCommand::Mint {
            mint,
            amount: text,
            to,
        } => {
            let info = client.mint(&mint).await?;
            let owner = to.unwrap_or(payer.pubkey());
            let value = amount::parse(&text, info.decimals)?;
            let account = ata(&owner, &mint, &info.token_program);
            let ixs = [
                create_ata_ix(&payer.pubkey(), &owner, &mint, &info.token_program),
                spl_token_2022::instruction::mint_to(
                    &info.token_program,
                    &mint,
                    &account,
                    &payer.pubkey(),
                    &[],
                    value,
                )?,
            ];
            let signature = client.send("mint", &ixs, &[]).await?;
            Ok(Output {
                text: format!("minted {} to {owner}", amount::format(value, info.decimals)),
                json: json!({ "mint": mint.to_string(), "to": owner.to_string(), "amount": value, "signature": signature.to_string() }),
            })
        }
        TokenCommand::Balance { mint, owner } => {
            let info = client.mint(&mint).await?;
            let owner = owner.unwrap_or(payer.pubkey());
            let account = ata(&owner, &mint, &info.token_program);
            let balance = match client.account(&account).await? {
                None => 0,
                Some(raw) => {
                    use spl_token_2022::extension::StateWithExtensions;
                    StateWithExtensions::<spl_token_2022::state::Account>::unpack(&raw.data)
                        .map(|s| s.base.amount)
                        .map_err(|e| anyhow!("{account} is not a token account: {e}"))?
                }
            };
            Ok(Output {
                text: amount::format(balance, info.decimals),
                json: json!({ "mint": mint.to_string(), "owner": owner.to_string(), "amount": balance, "ui_amount": amount::format(balance, info.decimals) }),
            })
        }
    }
}
