//! Token movements and the mint policy, shared by the instructions.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    default_account_state::DefaultAccountState, transfer_hook::TransferHook,
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{
    Account as TokenAccountState, AccountState, Mint as MintState,
};
use anchor_spl::token_2022::ID as TOKEN_2022_ID;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TransferChecked};

use crate::state::{checked_sub, Bounty};

use crate::errors::BountyError;

/// `transfer_checked` through whichever token program owns the mint; signs for a PDA
/// when `signer_seeds` is not empty. Zero amounts are skipped.
pub fn transfer<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    mint: &InterfaceAccount<'info, Mint>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    signer_seeds: &[&[&[u8]]],
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let accounts = TransferChecked {
        from: from.clone(),
        mint: mint.to_account_info(),
        to: to.clone(),
        authority: authority.clone(),
    };
    let ctx = CpiContext::new_with_signer(token_program.key(), accounts, signer_seeds);
    token_interface::transfer_checked(ctx, amount, mint.decimals)
}

/// Pays `amount` from the bounty's vault to `to`, signed by the bounty, and returns what
/// `to` actually received (less any transfer fee, which the receiver bears).
pub fn pay_from_vault<'info>(
    bounty: &Account<'info, Bounty>,
    vault: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    to: &mut InterfaceAccount<'info, TokenAccount>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<u64> {
    let before = to.amount;
    bounty.with_signer_seeds(|seeds| {
        transfer(
            token_program,
            &vault.to_account_info(),
            mint,
            &to.to_account_info(),
            &bounty.to_account_info(),
            seeds,
            amount,
        )
    })?;
    to.reload()?;
    checked_sub(to.amount, before)
}

/// Extensions a bounty mint may carry without putting escrowed funds at risk: fee
/// accounting is measured, metadata and UI-amount extensions do not touch balances, and a
/// pause authority is trusted like a freeze authority.
const HARMLESS_EXTENSIONS: &[ExtensionType] = &[
    ExtensionType::TransferFeeConfig,
    ExtensionType::MintCloseAuthority,
    ExtensionType::ConfidentialTransferMint,
    ExtensionType::ConfidentialTransferFeeConfig,
    ExtensionType::InterestBearingConfig,
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
    ExtensionType::ScaledUiAmount,
    ExtensionType::Pausable,
];

/// Rejects mints whose tokens could be stuck in, or pulled out of, the vault. Checked at
/// `bounty_create` and again at every `bounty_fund`, since some extensions' authorities
/// can change them later (a default account state made frozen; a mint closed at zero
/// supply by its close authority and re-created with other extensions).
/// SPL Token mints have no extensions and always pass.
pub fn check_mint_policy(mint: &AccountInfo, allow_permanent_delegate: bool) -> Result<()> {
    if *mint.owner != TOKEN_2022_ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        match extension {
            ExtensionType::NonTransferable => return err!(BountyError::MintNonTransferable),
            ExtensionType::TransferHook => {
                let hook = state.get_extension::<TransferHook>()?;
                if Option::<Pubkey>::from(hook.program_id).is_some() {
                    return err!(BountyError::MintTransferHook);
                }
                // An authority could set a hook program later and block every payout.
                if Option::<Pubkey>::from(hook.authority).is_some() {
                    return err!(BountyError::MintTransferHookAuthority);
                }
            }
            ExtensionType::DefaultAccountState => {
                let default = state.get_extension::<DefaultAccountState>()?;
                if default.state == AccountState::Frozen as u8 {
                    return err!(BountyError::MintDefaultFrozen);
                }
            }
            ExtensionType::PermanentDelegate => {
                require!(
                    allow_permanent_delegate,
                    BountyError::MintPermanentDelegateNotAllowed
                );
            }
            other if HARMLESS_EXTENSIONS.contains(&other) => {}
            _ => return err!(BountyError::MintUnsupportedExtension),
        }
    }
    Ok(())
}

/// Whether the mint withholds transfer fees in receiving accounts (which must be
/// harvested before such an account can close).
pub fn has_transfer_fee(mint: &AccountInfo) -> Result<bool> {
    if *mint.owner != TOKEN_2022_ID {
        return Ok(false);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    Ok(state
        .get_extension_types()?
        .contains(&ExtensionType::TransferFeeConfig))
}

/// The balance of an SPL Token or Token-2022 account, read fresh from its data.
pub fn token_amount(account: &AccountInfo) -> Result<u64> {
    let data = account.try_borrow_data()?;
    Ok(StateWithExtensions::<TokenAccountState>::unpack(&data)?
        .base
        .amount)
}
