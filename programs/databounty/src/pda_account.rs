//! Creating PDA accounts that cannot be blocked by a stranger's lamports.
//!
//! Anyone can send lamports to an address before it is created. Anchor's `init` handles a
//! pre-funded address with the system program's `CreateAccountAllowPrefund`, which
//! clusters on Agave 3.1 reject, so a front-runner could block a bounty, its vault or a
//! submission for the price of one transfer. Here a pre-funded address is topped up,
//! allocated and assigned instead, which every cluster supports.

use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{
    Account as TokenAccountState, Mint as MintState,
};
use anchor_spl::token_2022::ID as TOKEN_2022_ID;
use anchor_spl::token_interface::{self, InitializeAccount3};

/// Whether `account` is still an unused system account (possibly holding lamports).
pub fn is_unused(account: &AccountInfo) -> bool {
    account.owner == &system_program::ID && account.data_is_empty()
}

/// Creates `target` (a PDA signed for by `seeds`) with `space` bytes, owned by `owner`,
/// rent paid by `payer`.
pub fn create<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    owner: &Pubkey,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[seeds];
    let program = system_program.key();
    let current = target.lamports();
    if current == 0 {
        let accounts = CreateAccount {
            from: payer.clone(),
            to: target.clone(),
        };
        return system_program::create_account(
            CpiContext::new_with_signer(program, accounts, signer),
            rent,
            space as u64,
            owner,
        );
    }
    let top_up = rent.saturating_sub(current);
    if top_up > 0 {
        let accounts = Transfer {
            from: payer.clone(),
            to: target.clone(),
        };
        system_program::transfer(CpiContext::new(program, accounts), top_up)?;
    }
    let accounts = Allocate {
        account_to_allocate: target.clone(),
    };
    system_program::allocate(
        CpiContext::new_with_signer(program, accounts, signer),
        space as u64,
    )?;
    let accounts = Assign {
        account_to_assign: target.clone(),
    };
    system_program::assign(
        CpiContext::new_with_signer(program, accounts, signer),
        owner,
    )
}

/// Creates the token account `vault` (a PDA signed for by `seeds`) for `mint`, owned by
/// `authority`, sized for the account extensions the mint requires.
#[allow(clippy::too_many_arguments)]
pub fn create_token_account<'info>(
    payer: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
) -> Result<()> {
    let space = if *mint.owner == TOKEN_2022_ID {
        let data = mint.try_borrow_data()?;
        let state = StateWithExtensions::<MintState>::unpack(&data)?;
        let required =
            ExtensionType::get_required_init_account_extensions(&state.get_extension_types()?);
        ExtensionType::try_calculate_account_len::<TokenAccountState>(&required)?
    } else {
        anchor_spl::token::TokenAccount::LEN
    };
    create(
        payer,
        vault,
        system_program,
        token_program.key,
        space,
        seeds,
    )?;
    let accounts = InitializeAccount3 {
        account: vault.clone(),
        mint: mint.clone(),
        authority: authority.clone(),
    };
    token_interface::initialize_account3(CpiContext::new(token_program.key(), accounts))
}

/// Writes an Anchor account (discriminator and data) into a freshly created account.
pub fn write<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    let mut cursor: &mut [u8] = &mut data;
    value.try_serialize(&mut cursor)
}
