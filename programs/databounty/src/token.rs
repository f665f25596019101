//! Token movements and the mint policy, shared by the instructions.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program::invoke;
use anchor_spl::associated_token::{self, get_associated_token_address_with_program_id};
use anchor_spl::token_2022::spl_token_2022::extension::{
    default_account_state::DefaultAccountState, memo_transfer::MemoTransfer,
    transfer_hook::TransferHook, BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{
    Account as TokenAccountState, AccountState, Mint as MintState,
};
use anchor_spl::token_2022::ID as TOKEN_2022_ID;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TransferChecked};

use crate::constants::MEMO_PROGRAM_ID;
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

/// Moves `amount` from `source` into `vault` and returns the vault's measured increase,
/// so that a Token-2022 transfer fee is never counted as received.
pub fn deposit_measured<'info>(
    token_program: &AccountInfo<'info>,
    source: &AccountInfo<'info>,
    mint: &InterfaceAccount<'info, Mint>,
    vault: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
) -> Result<u64> {
    let before = token_amount(vault)?;
    transfer(token_program, source, mint, vault, authority, &[], amount)?;
    checked_sub(token_amount(vault)?, before)
}

/// The accounts a payout from a bounty's vault touches: every payout is signed by the
/// bounty, so the bounty and its vault travel with the payee's accounts.
pub struct Payout<'a, 'info> {
    pub bounty: &'a Account<'info, Bounty>,
    pub vault: &'a InterfaceAccount<'info, TokenAccount>,
    /// Signs the transaction; pays the rent of the payee's associated token account if
    /// it has to be created.
    pub payer: &'a AccountInfo<'info>,
    /// The wallet owed the tokens: the contributor, the reviewer for fees, or the creator
    /// for a refund.
    pub payee: &'a AccountInfo<'info>,
    /// The token account the tokens go to.
    pub destination: &'a AccountInfo<'info>,
    pub mint: &'a InterfaceAccount<'info, Mint>,
    pub token_program: &'a AccountInfo<'info>,
    pub associated_token_program: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
    pub memo_program: &'a AccountInfo<'info>,
}

impl<'info> Payout<'_, 'info> {
    /// Makes the destination one the payee's wallet shows: the payee's associated token
    /// account, created (paid by the payer) if missing; any other token account of the
    /// payee for this mint only when the payee signs. An account the payee does not own
    /// is refused with `wrong_account`, whoever signs.
    pub fn prepare(&self, wrong_account: BountyError) -> Result<()> {
        let associated = get_associated_token_address_with_program_id(
            self.payee.key,
            &self.mint.key(),
            self.token_program.key,
        );
        let is_associated = *self.destination.key == associated;
        if is_associated && self.destination.data_is_empty() {
            let accounts = associated_token::Create {
                payer: self.payer.clone(),
                associated_token: self.destination.clone(),
                authority: self.payee.clone(),
                mint: self.mint.to_account_info(),
                system_program: self.system_program.clone(),
                token_program: self.token_program.clone(),
            };
            associated_token::create_idempotent(CpiContext::new(
                self.associated_token_program.key(),
                accounts,
            ))?;
        }
        self.check_owner(wrong_account)?;
        require!(
            is_associated || self.payee.is_signer,
            BountyError::PayoutAccountNotAssociated
        );
        Ok(())
    }

    fn check_owner(&self, wrong_account: BountyError) -> Result<()> {
        require_keys_eq!(
            *self.destination.owner,
            self.token_program.key(),
            wrong_account
        );
        let data = self.destination.try_borrow_data()?;
        let state = StateWithExtensions::<TokenAccountState>::unpack(&data)
            .map_err(|_| error!(wrong_account))?;
        require_keys_eq!(state.base.owner, self.payee.key(), wrong_account);
        require_keys_eq!(state.base.mint, self.mint.key(), wrong_account);
        Ok(())
    }

    /// Whether the destination is a Token-2022 account that refuses transfers without a
    /// memo just before them (`MemoTransfer`).
    fn requires_memo(&self) -> Result<bool> {
        if *self.destination.owner != TOKEN_2022_ID {
            return Ok(false);
        }
        let data = self.destination.try_borrow_data()?;
        let state = StateWithExtensions::<TokenAccountState>::unpack(&data)?;
        Ok(state
            .get_extension::<MemoTransfer>()
            .is_ok_and(|memo| bool::from(memo.require_incoming_transfer_memos)))
    }

    /// [`Payout::prepare`]s the destination, refused with `wrong_account`, then
    /// [`Payout::pay_from_vault`]s `amount` to it; returns what it received.
    pub fn prepare_and_pay(
        &self,
        wrong_account: BountyError,
        memo: &[u8],
        amount: u64,
    ) -> Result<u64> {
        self.prepare(wrong_account)?;
        self.pay_from_vault(memo, amount)
    }

    /// Pays `amount` from the bounty's vault to the destination, signed by the bounty,
    /// with `memo` logged just before when the destination requires one, and returns
    /// what the destination actually received (less any transfer fee, which the receiver
    /// bears). Call [`Payout::prepare`] first.
    pub fn pay_from_vault(&self, memo: &[u8], amount: u64) -> Result<u64> {
        if amount > 0 && self.requires_memo()? {
            let memo = Instruction {
                program_id: MEMO_PROGRAM_ID,
                accounts: Vec::new(),
                data: memo.to_vec(),
            };
            invoke(&memo, std::slice::from_ref(self.memo_program))?;
        }
        let before = token_amount(self.destination)?;
        self.bounty.with_signer_seeds(|seeds| {
            transfer(
                self.token_program,
                &self.vault.to_account_info(),
                self.mint,
                self.destination,
                &self.bounty.to_account_info(),
                seeds,
                amount,
            )
        })?;
        checked_sub(token_amount(self.destination)?, before)
    }
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
