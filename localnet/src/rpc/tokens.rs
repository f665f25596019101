//! The token read methods: token accounts by owner or delegate, an account's
//! balance, a mint's supply and largest holders, in the shapes a cluster returns.

use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use serde_json::Value;
use solana_account_decoder_client_types::token::UiTokenAmount;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_rpc_client_types::config::{
    RpcAccountInfoConfig, RpcContextConfig, RpcTokenAccountsFilter,
};
use solana_rpc_client_types::response::{RpcKeyedAccount, RpcTokenAccountBalance};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

use super::errors::RpcError;
use super::params::{commitment, pubkey, Params};
use super::reads::encode;
use super::with_context;
use crate::chain::Chain;
use crate::ledger::{mint_decimals, token_account};

/// How many holders `getTokenLargestAccounts` lists, as a cluster.
const LARGEST_ACCOUNTS: usize = 20;

/// The delegate of a token account, if it has one.
fn delegate(account: &Account) -> Option<Pubkey> {
    let state = StateWithExtensions::<TokenAccount>::unpack(&account.data).ok()?;
    state.base.delegate.into()
}

/// A mint account of either token program.
fn mint_state(account: &Account) -> Option<Mint> {
    if account.owner != anchor_spl::token::ID && account.owner != anchor_spl::token_2022::ID {
        return None;
    }
    Some(
        StateWithExtensions::<Mint>::unpack(&account.data)
            .ok()?
            .base,
    )
}

fn token_amount(amount: u64, decimals: u8) -> UiTokenAmount {
    let text = databounty_sdk::amount::format(amount, decimals);
    UiTokenAmount {
        ui_amount: text.parse().ok(),
        decimals,
        amount: amount.to_string(),
        ui_amount_string: text,
    }
}

/// The address a token method asks about (`params[0]`, named `what` in errors) and the
/// slot of the commitment in its config (`params[1]`), which the answer's context reports.
fn address_and_slot(chain: &Chain, params: &Params, what: &str) -> Result<(Pubkey, u64), RpcError> {
    let address = pubkey(&params.required::<String>(0, what)?)?;
    let config: Option<RpcContextConfig> = params.optional(1)?;
    Ok((
        address,
        chain.slot_at(commitment(config.and_then(|c| c.commitment))),
    ))
}

/// The account at `address` as `read` takes it (a token account, a mint); a missing
/// account or one `read` refuses is a cluster's "Invalid param: {refusal}".
async fn read_state<T>(
    chain: &mut Chain,
    address: &Pubkey,
    read: impl FnOnce(&Account) -> Option<T>,
    refusal: &str,
) -> Result<T, RpcError> {
    chain
        .account(address)
        .await?
        .as_ref()
        .and_then(read)
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {refusal}")))
}

/// Whose token accounts `getTokenAccountsByOwner` / `...ByDelegate` list.
#[derive(Clone, Copy)]
pub(super) enum Holder {
    Owner,
    Delegate,
}

pub(super) async fn get_token_accounts_by(
    chain: &mut Chain,
    params: &Params,
    holder: Holder,
) -> Result<Value, RpcError> {
    let who = pubkey(&params.required::<String>(
        0,
        match holder {
            Holder::Owner => "owner",
            Holder::Delegate => "delegate",
        },
    )?)?;
    let filter: RpcTokenAccountsFilter = params.required(1, "mint or programId")?;
    let config: RpcAccountInfoConfig = params.optional(2)?.unwrap_or_default();
    let (mint, program) = match filter {
        RpcTokenAccountsFilter::Mint(mint) => {
            let mint = pubkey(&mint)?;
            let owner = chain
                .account(&mint)
                .await?
                .filter(|a| mint_decimals(a).is_some())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?
                .owner;
            (Some(mint), owner)
        }
        RpcTokenAccountsFilter::ProgramId(program) => (None, pubkey(&program)?),
    };
    if program != anchor_spl::token::ID && program != anchor_spl::token_2022::ID {
        return Err(RpcError::invalid_params(
            "Invalid param: unrecognized Token program id",
        ));
    }
    let encoding = config.encoding.unwrap_or(UiAccountEncoding::Binary);
    let slot = chain.slot_at(commitment(config.commitment));
    let mut found = vec![];
    for address in chain.known_addresses() {
        let Some(account) = chain.account(&address).await? else {
            continue;
        };
        let Some(balance) = token_account(&account) else {
            continue;
        };
        let held = match holder {
            Holder::Owner => balance.owner == who,
            Holder::Delegate => delegate(&account) == Some(who),
        };
        if account.owner == program && held && mint.is_none_or(|m| m == balance.mint) {
            let ui = encode(chain, &address, &account, encoding, config.data_slice).await?;
            found.push(RpcKeyedAccount {
                pubkey: address.to_string(),
                account: ui,
            });
        }
    }
    with_context(slot, found)
}

pub(super) async fn get_token_account_balance(
    chain: &mut Chain,
    params: &Params,
) -> Result<Value, RpcError> {
    let (address, slot) = address_and_slot(chain, params, "token account")?;
    let balance = read_state(chain, &address, token_account, "not a Token account").await?;
    let decimals = match chain.account(&balance.mint).await? {
        Some(mint) => mint_decimals(&mint).unwrap_or(0),
        None => 0,
    };
    with_context(slot, token_amount(balance.amount, decimals))
}

pub(super) async fn get_token_supply(
    chain: &mut Chain,
    params: &Params,
) -> Result<Value, RpcError> {
    let (address, slot) = address_and_slot(chain, params, "mint")?;
    let mint = read_state(chain, &address, mint_state, "not a Token mint").await?;
    with_context(slot, token_amount(mint.supply, mint.decimals))
}

pub(super) async fn get_token_largest_accounts(
    chain: &mut Chain,
    params: &Params,
) -> Result<Value, RpcError> {
    let (address, slot) = address_and_slot(chain, params, "mint")?;
    let mint = read_state(chain, &address, mint_state, "could not find mint").await?;
    let mut holders = vec![];
    for key in chain.known_addresses() {
        let Some(account) = chain.account(&key).await? else {
            continue;
        };
        if let Some(balance) = token_account(&account).filter(|b| b.mint == address) {
            holders.push((balance.amount, key));
        }
    }
    // Largest first; equal amounts in address order.
    holders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let list: Vec<RpcTokenAccountBalance> = holders
        .into_iter()
        .take(LARGEST_ACCOUNTS)
        .map(|(amount, key)| RpcTokenAccountBalance {
            address: key.to_string(),
            amount: token_amount(amount, mint.decimals),
        })
        .collect();
    with_context(slot, list)
}
