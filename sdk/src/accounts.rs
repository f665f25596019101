//! The accounts around a bounty that are not the program's: token mints, associated
//! token accounts and the Clock sysvar. Instructions that create them, and readers for
//! their raw data, for the CLI, the program tests, the local-chain tests and the
//! indexer's tests alike. Knows no RPC client or bank: callers fetch rent and account
//! data their own way.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::clock::Clock;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_spl::associated_token::spl_associated_token_account::address::get_associated_token_address_with_program_id;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022;
use spl_token_2022::extension::{ExtensionType, StateWithExtensions};
use spl_token_2022::state::{Account as TokenAccount, AccountState, Mint};

/// The Clock sysvar's address.
pub use anchor_lang::solana_program::clock::sysvar::ID as CLOCK_SYSVAR;

/// Why raw account data is not what it was read as.
#[derive(Debug, thiserror::Error)]
pub enum AccountDataError {
    #[error("not a token mint")]
    NotAMint(#[source] ProgramError),
    #[error("not a token account")]
    NotATokenAccount(#[source] ProgramError),
    #[error("not the Clock sysvar")]
    NotAClock(#[source] bincode::Error),
}

/// The associated token account of `owner` for `mint`.
pub fn ata(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// Creates `owner`'s associated token account unless it exists (idempotent).
pub fn create_ata_ix(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    create_associated_token_account_idempotent(payer, owner, mint, token_program)
}

/// A mint to create: the account's address, its program, decimals and authorities,
/// and the Token-2022 extensions it carries.
#[derive(Debug, Clone)]
pub struct NewMint {
    address: Pubkey,
    token_program: Pubkey,
    mint_authority: Pubkey,
    decimals: u8,
    freeze_authority: Option<Pubkey>,
    /// Extensions the account makes room for; their initialising instructions are
    /// passed to [`NewMint::instructions`].
    extensions: Vec<ExtensionType>,
}

impl NewMint {
    /// A mint without extensions or freeze authority.
    pub fn new(
        address: Pubkey,
        token_program: Pubkey,
        mint_authority: Pubkey,
        decimals: u8,
    ) -> Self {
        Self {
            address,
            token_program,
            mint_authority,
            decimals,
            freeze_authority: None,
            extensions: Vec::new(),
        }
    }

    /// Gives the mint a freeze authority.
    pub fn with_freeze_authority(mut self, authority: Pubkey) -> Self {
        self.freeze_authority = Some(authority);
        self
    }

    /// Makes room for `extensions` (Token-2022).
    pub fn with_extensions(mut self, extensions: impl IntoIterator<Item = ExtensionType>) -> Self {
        self.extensions.extend(extensions);
        self
    }

    /// The account's size in bytes (82 without extensions); the rent it needs follows.
    pub fn space(&self) -> Result<usize, ProgramError> {
        ExtensionType::try_calculate_account_len::<Mint>(&self.extensions)
    }

    /// Creates the account (paid by `payer`, holding `rent` lamports), runs
    /// `extension_init` (each extension must be initialised before the mint), then
    /// initialises the mint. The mint's keypair signs too.
    pub fn instructions(
        &self,
        payer: &Pubkey,
        rent: u64,
        extension_init: impl IntoIterator<Item = Instruction>,
    ) -> Result<Vec<Instruction>, ProgramError> {
        let space = self.space()?;
        let mut ixs = vec![
            anchor_lang::solana_program::system_instruction::create_account(
                payer,
                &self.address,
                rent,
                space as u64,
                &self.token_program,
            ),
        ];
        ixs.extend(extension_init);
        ixs.push(spl_token_2022::instruction::initialize_mint2(
            &self.token_program,
            &self.address,
            &self.mint_authority,
            self.freeze_authority.as_ref(),
            self.decimals,
        )?);
        Ok(ixs)
    }
}

/// Mints `amount` base units to `owner`'s associated token account, creating it first
/// if missing; `authority` (the mint authority) signs.
pub fn mint_to_owner_ixs(
    payer: &Pubkey,
    authority: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    amount: u64,
) -> Result<[Instruction; 2], ProgramError> {
    Ok([
        create_ata_ix(payer, owner, mint, token_program),
        spl_token_2022::instruction::mint_to(
            token_program,
            mint,
            &ata(owner, mint, token_program),
            authority,
            &[],
            amount,
        )?,
    ])
}

/// The decimals of an SPL Token or Token-2022 mint account's data.
pub fn mint_decimals(data: &[u8]) -> Result<u8, AccountDataError> {
    StateWithExtensions::<Mint>::unpack(data)
        .map(|state| state.base.decimals)
        .map_err(AccountDataError::NotAMint)
}

/// The balance held by an SPL Token or Token-2022 token account's data.
pub fn token_balance(data: &[u8]) -> Result<u64, AccountDataError> {
    StateWithExtensions::<TokenAccount>::unpack(data)
        .map(|state| state.base.amount)
        .map_err(AccountDataError::NotATokenAccount)
}

/// Whether a payout to `owner`'s associated token account would go through, judged from
/// that account's data (`None`: missing, so the payout creates it): it must still be an
/// unfrozen token account of `owner` for `mint`. A classic SPL Token account can be
/// given away by its holder, and any can be frozen by the mint's freeze authority.
pub fn ata_can_receive(data: Option<&[u8]>, owner: &Pubkey, mint: &Pubkey) -> bool {
    let Some(data) = data else {
        return true;
    };
    StateWithExtensions::<TokenAccount>::unpack(data).is_ok_and(|state| {
        state.base.owner == *owner
            && state.base.mint == *mint
            && state.base.state == AccountState::Initialized
    })
}

/// The Clock sysvar from its account's data (at [`CLOCK_SYSVAR`]).
pub fn clock(data: &[u8]) -> Result<Clock, AccountDataError> {
    bincode::deserialize(data).map_err(AccountDataError::NotAClock)
}

/// The chain's unix time from the Clock sysvar account's data. Deadlines are judged by
/// it, not by the caller's clock.
pub fn chain_time(clock_data: &[u8]) -> Result<i64, AccountDataError> {
    clock(clock_data).map(|c| c.unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::program_pack::Pack;

    fn token_account_data(owner: Pubkey, mint: Pubkey, state: AccountState) -> Vec<u8> {
        let mut data = vec![0; TokenAccount::LEN];
        let account = TokenAccount {
            mint,
            owner,
            state,
            ..TokenAccount::default()
        };
        account.pack_into_slice(&mut data);
        data
    }

    #[test]
    fn only_a_missing_or_open_account_of_the_owner_can_receive() {
        let (owner, mint) = (Pubkey::new_unique(), Pubkey::new_unique());
        let open = token_account_data(owner, mint, AccountState::Initialized);
        assert!(
            ata_can_receive(None, &owner, &mint),
            "created by the payout"
        );
        assert!(ata_can_receive(Some(&open), &owner, &mint));
        let frozen = token_account_data(owner, mint, AccountState::Frozen);
        assert!(!ata_can_receive(Some(&frozen), &owner, &mint));
        let given_away = token_account_data(Pubkey::new_unique(), mint, AccountState::Initialized);
        assert!(!ata_can_receive(Some(&given_away), &owner, &mint));
        let other_mint = token_account_data(owner, Pubkey::new_unique(), AccountState::Initialized);
        assert!(!ata_can_receive(Some(&other_mint), &owner, &mint));
        assert!(
            !ata_can_receive(Some(&[1, 2, 3]), &owner, &mint),
            "not a token account"
        );
    }

    #[test]
    fn a_plain_mint_is_82_bytes_and_created_in_two_instructions() {
        let mint = NewMint::new(
            Pubkey::new_unique(),
            anchor_spl::token::ID,
            Pubkey::new_unique(),
            6,
        );
        assert_eq!(mint.space().unwrap(), 82);
        let ixs = mint.instructions(&Pubkey::new_unique(), 1, []).unwrap();
        assert_eq!(ixs.len(), 2);
        assert_eq!(ixs[1].program_id, anchor_spl::token::ID);
    }

    #[test]
    fn the_clock_round_trips_and_garbage_is_an_error() {
        let clock = Clock {
            slot: 7,
            unix_timestamp: 1_700_000_000,
            ..Clock::default()
        };
        let data = bincode::serialize(&clock).unwrap();
        assert_eq!(chain_time(&data).unwrap(), 1_700_000_000);
        assert!(matches!(
            chain_time(&[1, 2]),
            Err(AccountDataError::NotAClock(_))
        ));
        assert!(matches!(
            token_balance(&[0; 3]),
            Err(AccountDataError::NotATokenAccount(_))
        ));
        assert!(matches!(
            mint_decimals(&[0; 3]),
            Err(AccountDataError::NotAMint(_))
        ));
    }
}
