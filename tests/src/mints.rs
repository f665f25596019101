//! Mints of every kind the tests need, made with the real token programs.

use anchor_spl::token_2022::spl_token_2022;
use databounty_sdk::accounts::{ata, create_ata_ix, NewMint};
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::program_option::COption;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use spl_token_2022::extension::{
    default_account_state, transfer_fee, transfer_hook, BaseStateWithExtensions,
    BaseStateWithExtensionsMut, ExtensionType, StateWithExtensions, StateWithExtensionsMut,
};
use spl_token_2022::state::{AccountState, Mint};

use crate::TestEnv;

/// Decimals of every test mint.
pub const DECIMALS: u8 = 6;

/// A mint to fund a bounty with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MintKind {
    /// SPL Token, no extensions.
    Spl,
    /// Token-2022, no extensions.
    Token2022,
    /// Token-2022 with a transfer fee of `bps` basis points, capped at `max`.
    TransferFee {
        bps: u16,
        max: u64,
    },
    NonTransferable,
    /// A transfer hook naming a program.
    TransferHook,
    /// A transfer hook extension with no program, whose authority was removed (allowed).
    EmptyTransferHook,
    /// A transfer hook with no program yet, but an authority that could set one later.
    TransferHookAuthority,
    /// New accounts start initialized, but the freeze authority can make them start frozen.
    DefaultInitialized,
    DefaultFrozen,
    PermanentDelegate,
    /// An extension the program does not know (ConfidentialMintBurn).
    Unsupported,
}

impl MintKind {
    /// Token-2022 with a 1% transfer fee, capped far above any amount a test moves.
    pub const ONE_PERCENT_FEE: MintKind = MintKind::TransferFee {
        bps: 100,
        max: 1_000_000_000,
    };

    pub fn token_program(self) -> Pubkey {
        match self {
            MintKind::Spl => anchor_spl::token::ID,
            _ => spl_token_2022::ID,
        }
    }

    fn extensions(self) -> Vec<ExtensionType> {
        match self {
            MintKind::Spl | MintKind::Token2022 | MintKind::Unsupported => vec![],
            MintKind::TransferFee { .. } => vec![ExtensionType::TransferFeeConfig],
            MintKind::NonTransferable => vec![ExtensionType::NonTransferable],
            MintKind::TransferHook
            | MintKind::EmptyTransferHook
            | MintKind::TransferHookAuthority => {
                vec![ExtensionType::TransferHook]
            }
            MintKind::DefaultFrozen | MintKind::DefaultInitialized => {
                vec![ExtensionType::DefaultAccountState]
            }
            MintKind::PermanentDelegate => vec![ExtensionType::PermanentDelegate],
        }
    }

    fn extension_init(
        self,
        program: &Pubkey,
        mint: &Pubkey,
        authority: &Pubkey,
    ) -> Vec<Instruction> {
        let ix = match self {
            MintKind::Spl | MintKind::Token2022 | MintKind::Unsupported => return vec![],
            MintKind::TransferFee { bps, max } => {
                transfer_fee::instruction::initialize_transfer_fee_config(
                    program,
                    mint,
                    Some(authority),
                    Some(authority),
                    bps,
                    max,
                )
            }
            MintKind::NonTransferable => {
                spl_token_2022::instruction::initialize_non_transferable_mint(program, mint)
            }
            MintKind::TransferHook => transfer_hook::instruction::initialize(
                program,
                mint,
                Some(*authority),
                Some(Pubkey::new_unique()),
            ),
            MintKind::EmptyTransferHook | MintKind::TransferHookAuthority => {
                transfer_hook::instruction::initialize(program, mint, Some(*authority), None)
            }
            MintKind::DefaultInitialized => {
                default_account_state::instruction::initialize_default_account_state(
                    program,
                    mint,
                    &AccountState::Initialized,
                )
            }
            MintKind::DefaultFrozen => {
                default_account_state::instruction::initialize_default_account_state(
                    program,
                    mint,
                    &AccountState::Frozen,
                )
            }
            MintKind::PermanentDelegate => {
                spl_token_2022::instruction::initialize_permanent_delegate(program, mint, authority)
            }
        };
        vec![ix.expect("extension instruction")]
    }
}

impl TestEnv {
    /// Creates a mint of `kind` whose mint (and freeze) authority is the env's payer.
    pub async fn create_mint(&mut self, kind: MintKind) -> Pubkey {
        if kind == MintKind::Unsupported {
            return self.install_unsupported_mint().await;
        }
        let mint = Keypair::new();
        let payer = self.payer();
        let program = kind.token_program();
        let new_mint = NewMint::new(mint.pubkey(), program, payer.pubkey(), DECIMALS)
            .with_freeze_authority(payer.pubkey())
            .with_extensions(kind.extensions());
        let rent = self.rent_exempt(new_mint.space().expect("mint size")).await;
        let ixs = new_mint
            .instructions(
                &payer.pubkey(),
                rent,
                kind.extension_init(&program, &mint.pubkey(), &payer.pubkey()),
            )
            .expect("mint instructions");
        self.send(&ixs, &[&mint]).await.expect("create mint");
        if kind == MintKind::EmptyTransferHook {
            // Token-2022 needs a program or an authority at initialization: drop the authority.
            let drop_authority = spl_token_2022::instruction::set_authority(
                &program,
                &mint.pubkey(),
                None,
                spl_token_2022::instruction::AuthorityType::TransferHookProgramId,
                &payer.pubkey(),
                &[],
            )
            .expect("set_authority");
            self.send(&[drop_authority], &[])
                .await
                .expect("drop the hook authority");
        }
        mint.pubkey()
    }

    /// Writes a Token-2022 mint carrying ConfidentialMintBurn straight into the bank:
    /// creating one through the program needs ElGamal keys, and the policy only reads
    /// the extension's type.
    async fn install_unsupported_mint(&mut self) -> Pubkey {
        use spl_token_2022::extension::confidential_mint_burn::ConfidentialMintBurn;
        let mint = Pubkey::new_unique();
        let space = ExtensionType::try_calculate_account_len::<Mint>(&[
            ExtensionType::ConfidentialMintBurn,
        ])
        .expect("mint size");
        let mut data = vec![0u8; space];
        let mut state = StateWithExtensionsMut::<Mint>::unpack_uninitialized(&mut data)
            .expect("uninitialized mint");
        state
            .init_extension::<ConfidentialMintBurn>(true)
            .expect("extension");
        state.base = Mint {
            mint_authority: COption::Some(self.payer().pubkey()),
            supply: 0,
            decimals: DECIMALS,
            is_initialized: true,
            freeze_authority: COption::None,
        };
        state.pack_base();
        state.init_account_type().expect("account type");
        let lamports = self.rent_exempt(space).await;
        let account = Account {
            lamports,
            data,
            owner: spl_token_2022::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.ctx.set_account(&mint, &account.into());
        mint
    }

    /// The associated token account of `owner` for `mint`, created if missing.
    pub async fn token_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        program: &Pubkey,
    ) -> Pubkey {
        let payer = self.payer();
        let ix = create_ata_ix(&payer.pubkey(), owner, mint, program);
        self.send(&[ix], &[]).await.expect("create token account");
        ata(owner, mint, program)
    }

    /// A token account of `owner` for `mint` that is not its associated one (a fresh
    /// keypair address, as a wallet would not show it).
    pub async fn other_token_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        program: &Pubkey,
    ) -> Pubkey {
        let payer = self.payer();
        let account = Keypair::new();
        // Token-2022 mints with extensions need room for their account-side extensions.
        let account_extensions = if *program == spl_token_2022::ID {
            let mint_data = self.raw_account(mint).await.expect("mint").data;
            let mint_state = StateWithExtensions::<Mint>::unpack(&mint_data).expect("mint");
            let mint_extensions = mint_state.get_extension_types().expect("extensions");
            ExtensionType::get_required_init_account_extensions(&mint_extensions)
        } else {
            vec![]
        };
        let space = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Account>(
            &account_extensions,
        )
        .expect("length");
        let lamports = self.rent_exempt(space).await;
        let create = solana_system_interface::instruction::create_account(
            &payer.pubkey(),
            &account.pubkey(),
            lamports,
            space as u64,
            program,
        );
        let init = spl_token_2022::instruction::initialize_account3(
            program,
            &account.pubkey(),
            mint,
            owner,
        )
        .expect("initialize_account3");
        self.send(&[create, init], &[&account])
            .await
            .expect("create other token account");
        account.pubkey()
    }

    /// Makes a Token-2022 `account` of `owner` refuse incoming transfers without a memo.
    pub async fn require_memos(&mut self, owner: &Keypair, account: &Pubkey) {
        let payer = self.payer();
        let program = spl_token_2022::ID;
        let grow = spl_token_2022::instruction::reallocate(
            &program,
            account,
            &payer.pubkey(),
            &owner.pubkey(),
            &[],
            &[ExtensionType::MemoTransfer],
        )
        .expect("reallocate");
        let enable =
            spl_token_2022::extension::memo_transfer::instruction::enable_required_transfer_memos(
                &program,
                account,
                &owner.pubkey(),
                &[],
            )
            .expect("enable memos");
        self.send(&[grow, enable], &[owner])
            .await
            .expect("require memos");
    }

    /// Mints `amount` to `account` (the payer is every test mint's authority).
    pub async fn mint_to(
        &mut self,
        mint: &Pubkey,
        program: &Pubkey,
        account: &Pubkey,
        amount: u64,
    ) {
        let payer = self.payer();
        let ix = spl_token_2022::instruction::mint_to(
            program,
            mint,
            account,
            &payer.pubkey(),
            &[],
            amount,
        )
        .expect("mint_to");
        self.send(&[ix], &[]).await.expect("mint to");
    }

    /// Gives `account` to `new_owner`, signed by its `owner`: classic SPL Token allows it
    /// even for an associated token account (Token-2022 makes those immutable).
    pub async fn give_away_token_account(
        &mut self,
        owner: &Keypair,
        program: &Pubkey,
        account: &Pubkey,
        new_owner: &Pubkey,
    ) {
        let ix = spl_token_2022::instruction::set_authority(
            program,
            account,
            Some(new_owner),
            spl_token_2022::instruction::AuthorityType::AccountOwner,
            &owner.pubkey(),
            &[],
        )
        .expect("set_authority");
        self.send(&[ix], &[owner]).await.expect("give away");
    }

    /// Freezes or thaws `account` (the payer is every test mint's freeze authority).
    pub async fn set_frozen(
        &mut self,
        mint: &Pubkey,
        program: &Pubkey,
        account: &Pubkey,
        frozen: bool,
    ) {
        let payer = self.payer().pubkey();
        let instruction = if frozen {
            spl_token_2022::instruction::freeze_account
        } else {
            spl_token_2022::instruction::thaw_account
        };
        let ix = instruction(program, account, mint, &payer, &[]).expect("freeze or thaw");
        self.send(&[ix], &[]).await.expect("freeze or thaw");
    }

    /// A plain token transfer, signed by `owner`.
    pub async fn transfer_tokens(
        &mut self,
        mint: &Pubkey,
        program: &Pubkey,
        from: &Pubkey,
        to: &Pubkey,
        owner: &Keypair,
        amount: u64,
    ) {
        let ix = spl_token_2022::instruction::transfer_checked(
            program,
            from,
            mint,
            to,
            &owner.pubkey(),
            &[],
            amount,
            DECIMALS,
        )
        .expect("transfer_checked");
        self.send(&[ix], &[owner]).await.expect("transfer");
    }
}
