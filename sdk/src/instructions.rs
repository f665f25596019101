//! Instruction builders: one function per program instruction, deriving every PDA so
//! that callers name only the keys they choose.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use databounty::constants::MEMO_PROGRAM_ID;
use databounty::instructions::{
    BountyCreateArgs, BountyExtendArgs, BountyReviewerReplaceArgs, SubmissionAttestArgs,
    SubmissionCreateArgs,
};
use databounty::{accounts, instruction, ID};

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `accounts::$accounts` for a payout out of `$bounty`'s vault: the fields named, then
/// those every payout lists alike: the vault, its `$mint` and `$token_program`, the
/// associated token, system and memo programs, and the event CPI's accounts.
macro_rules! payout_accounts {
    ($accounts:ident { $($field:ident: $value:expr),* $(,)? }, $bounty:expr, $mint:expr, $token_program:expr) => {
        accounts::$accounts {
            $($field: $value,)*
            vault: pda::vault($bounty),
            mint: *$mint,
            token_program: *$token_program,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program::ID,
            memo_program: MEMO_PROGRAM_ID,
            event_authority: pda::event_authority(),
            program: ID,
        }
    };
}

/// A payout instruction to `payee`: `accounts` get its destination (see
/// [`payout_destination`]), and the payee signs when that is not its associated token
/// account.
fn payout<A: ToAccountMetas>(
    payee: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
    accounts: impl FnOnce(Pubkey) -> A,
    data: impl InstructionData,
) -> Instruction {
    let (to, signs) = payout_destination(payee, mint, token_program, to);
    let mut ix = build(accounts(to), data);
    mark_signer(&mut ix, payee, signs);
    ix
}

/// `bounty_create`; `creator_token_account` is needed only for `args.initial_funding > 0`.
pub fn bounty_create(
    payer: &Pubkey,
    creator: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    creator_token_account: Option<Pubkey>,
    args: BountyCreateArgs,
) -> Instruction {
    let bounty = pda::bounty(creator, &args.dataset_id, args.nonce);
    build(
        accounts::BountyCreate {
            payer: *payer,
            creator: *creator,
            bounty,
            mint: *mint,
            vault: pda::vault(&bounty),
            creator_token_account,
            token_program: *token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyCreate { args },
    )
}

/// `bounty_fund` from `funder_token_account`, owned by `funder`.
pub fn bounty_fund(
    funder: &Pubkey,
    bounty: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    funder_token_account: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        accounts::BountyFund {
            funder: *funder,
            bounty: *bounty,
            vault: pda::vault(bounty),
            mint: *mint,
            funder_token_account: *funder_token_account,
            token_program: *token_program,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyFund { amount },
    )
}

/// The token accounts a bond moves through: the bounty's mint and token program, and
/// the contributor's token account (`None`: their associated token account).
#[derive(Debug, Clone, Copy)]
pub struct BondAccounts {
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub token_account: Option<Pubkey>,
}

/// `submission_create` for a hash computed with [`crate::hash::submission_hash`], under
/// the bounty's `terms` as read from its account (`Bounty::terms_hash`): the program
/// refuses if the bounty at that address has other terms by the time this lands. For a
/// bounty that asks a bond, use [`submission_create_with_bond`].
pub fn submission_create(
    contributor: &Pubkey,
    bounty: &Pubkey,
    hash: [u8; 32],
    uri: Option<String>,
    terms: [u8; 32],
) -> Instruction {
    submission_create_inner(contributor, bounty, hash, uri, terms, None)
}

/// `submission_create` posting the bounty's `submission_bond` from the contributor's
/// token account (their associated one unless `bond.token_account` names another).
pub fn submission_create_with_bond(
    contributor: &Pubkey,
    bounty: &Pubkey,
    hash: [u8; 32],
    uri: Option<String>,
    terms: [u8; 32],
    bond: BondAccounts,
) -> Instruction {
    submission_create_inner(contributor, bounty, hash, uri, terms, Some(bond))
}

fn submission_create_inner(
    contributor: &Pubkey,
    bounty: &Pubkey,
    hash: [u8; 32],
    uri: Option<String>,
    terms: [u8; 32],
    bond: Option<BondAccounts>,
) -> Instruction {
    build(
        accounts::SubmissionCreate {
            contributor: *contributor,
            bounty: *bounty,
            submission: pda::submission(bounty, contributor, &hash),
            system_program: system_program::ID,
            vault: bond.map(|_| pda::vault(bounty)),
            mint: bond.map(|b| b.mint),
            contributor_token_account: bond.map(|b| {
                b.token_account
                    .unwrap_or_else(|| crate::accounts::ata(contributor, &b.mint, &b.token_program))
            }),
            token_program: bond.map(|b| b.token_program),
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionCreate {
            args: SubmissionCreateArgs { hash, uri, terms },
        },
    )
}

/// `submission_attest` on `submission`, asserting the hash the reviewer recomputed.
pub fn submission_attest(
    reviewer: &Pubkey,
    bounty: &Pubkey,
    submission: &Pubkey,
    hash: [u8; 32],
    approve: bool,
) -> Instruction {
    submission_attest_with_reason(reviewer, bounty, submission, hash, approve, 0, None)
}

/// `submission_attest` with a rejection's reason: a code (0: none), kept on the
/// submission, and a URI (at most 200 bytes), kept in the event. Only for rejections.
pub fn submission_attest_with_reason(
    reviewer: &Pubkey,
    bounty: &Pubkey,
    submission: &Pubkey,
    hash: [u8; 32],
    approve: bool,
    reason_code: u16,
    reason_uri: Option<String>,
) -> Instruction {
    build(
        accounts::SubmissionAttest {
            reviewer: *reviewer,
            bounty: *bounty,
            submission: *submission,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionAttest {
            args: SubmissionAttestArgs {
                hash,
                approve,
                reason_code,
                reason_uri,
            },
        },
    )
}

/// `submission_release`, cranked by `payer` (who pays for the contributor's associated
/// token account if it must be created). `to: None` pays that associated token account;
/// another account of the contributor's (`Some`) makes the contributor a signer.
pub fn submission_release(
    payer: &Pubkey,
    bounty: &Pubkey,
    submission: &Pubkey,
    contributor: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
) -> Instruction {
    let accounts = |to| {
        payout_accounts!(
            SubmissionRelease {
                payer: *payer,
                bounty: *bounty,
                submission: *submission,
                contributor: *contributor,
                contributor_token_account: to,
            },
            bounty,
            mint,
            token_program
        )
    };
    let data = instruction::SubmissionRelease {};
    payout(contributor, mint, token_program, to, accounts, data)
}

/// The destination of a payout to `payee` and whether the payee must sign for it: only
/// an account other than the payee's associated token account needs the signature.
fn payout_destination(
    payee: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
) -> (Pubkey, bool) {
    let associated = crate::accounts::ata(payee, mint, token_program);
    let to = to.unwrap_or(associated);
    (to, to != associated)
}

/// Anchor lists an `UncheckedAccount` as a non-signer; the payee signs for a destination
/// of their choosing.
fn mark_signer(ix: &mut Instruction, key: &Pubkey, signs: bool) {
    if signs {
        for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
            meta.is_signer = true;
        }
    }
}

/// `bounty_cancel`, signed by the creator.
pub fn bounty_cancel(creator: &Pubkey, bounty: &Pubkey) -> Instruction {
    build(
        accounts::BountyCancel {
            creator: *creator,
            bounty: *bounty,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyCancel {},
    )
}

/// `bounty_refund`, cranked by `payer` (who pays for the creator's associated token
/// account if it must be created). `to: None` refunds to that associated token account;
/// another account of the creator's (`Some`) makes the creator a signer.
pub fn bounty_refund(
    payer: &Pubkey,
    bounty: &Pubkey,
    creator: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
) -> Instruction {
    let accounts = |to| {
        payout_accounts!(
            BountyRefund {
                payer: *payer,
                bounty: *bounty,
                creator: *creator,
                creator_token_account: to,
            },
            bounty,
            mint,
            token_program
        )
    };
    payout(
        creator,
        mint,
        token_program,
        to,
        accounts,
        instruction::BountyRefund {},
    )
}

/// `submission_close`, rent to `contributor`. An undecided submission that holds a bond
/// needs [`submission_close_returning_bond`].
pub fn submission_close(bounty: &Pubkey, submission: &Pubkey, contributor: &Pubkey) -> Instruction {
    build(
        accounts::SubmissionClose {
            bounty: *bounty,
            submission: *submission,
            contributor: *contributor,
            payer: None,
            vault: None,
            mint: None,
            contributor_token_account: None,
            token_program: None,
            associated_token_program: None,
            system_program: None,
            memo_program: None,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionClose {},
    )
}

/// `submission_close` with the accounts that return an undecided submission's bond,
/// cranked by `payer` (who pays for the contributor's associated token account if it must
/// be created). `to: None` returns it to that associated token account; another account
/// of the contributor's (`Some`) makes the contributor a signer.
pub fn submission_close_returning_bond(
    payer: &Pubkey,
    bounty: &Pubkey,
    submission: &Pubkey,
    contributor: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
) -> Instruction {
    let accounts = |to| accounts::SubmissionClose {
        bounty: *bounty,
        submission: *submission,
        contributor: *contributor,
        payer: Some(*payer),
        vault: Some(pda::vault(bounty)),
        mint: Some(*mint),
        contributor_token_account: Some(to),
        token_program: Some(*token_program),
        associated_token_program: Some(anchor_spl::associated_token::ID),
        system_program: Some(system_program::ID),
        memo_program: Some(MEMO_PROGRAM_ID),
        event_authority: pda::event_authority(),
        program: ID,
    };
    let data = instruction::SubmissionClose {};
    payout(contributor, mint, token_program, to, accounts, data)
}

/// `review_fee_claim` for `reviewer`, cranked by `payer` (who pays for the reviewer's
/// associated token account if it must be created). `to: None` pays that associated
/// token account; another account of the reviewer's (`Some`) makes the reviewer a signer.
pub fn review_fee_claim(
    payer: &Pubkey,
    bounty: &Pubkey,
    reviewer: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    to: Option<Pubkey>,
) -> Instruction {
    let accounts = |to| {
        payout_accounts!(
            ReviewFeeClaim {
                payer: *payer,
                bounty: *bounty,
                reviewer: *reviewer,
                reviewer_token_account: to,
            },
            bounty,
            mint,
            token_program
        )
    };
    payout(
        reviewer,
        mint,
        token_program,
        to,
        accounts,
        instruction::ReviewFeeClaim {},
    )
}

/// `bounty_extend`, signed by the creator: the new deadlines and winner count (none
/// smaller than the current ones).
pub fn bounty_extend(creator: &Pubkey, bounty: &Pubkey, args: BountyExtendArgs) -> Instruction {
    build(
        accounts::BountyExtend {
            creator: *creator,
            bounty: *bounty,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyExtend { args },
    )
}

/// `bounty_reviewer_replace`, signed by the creator. Fees still owed to the old reviewer
/// are parked for it; send [`review_fee_claim`] before it in the same transaction to pay
/// them at once when its token account can receive.
pub fn bounty_reviewer_replace(
    creator: &Pubkey,
    bounty: &Pubkey,
    old_reviewer: &Pubkey,
    new_reviewer: &Pubkey,
) -> Instruction {
    build(
        accounts::BountyReviewerReplace {
            creator: *creator,
            bounty: *bounty,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyReviewerReplace {
            args: BountyReviewerReplaceArgs {
                old_reviewer: *old_reviewer,
                new_reviewer: *new_reviewer,
            },
        },
    )
}

/// `bounty_close`, signed by the creator, who gets the rent.
pub fn bounty_close(
    creator: &Pubkey,
    bounty: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    build(
        accounts::BountyClose {
            creator: *creator,
            bounty: *bounty,
            vault: pda::vault(bounty),
            mint: *mint,
            token_program: *token_program,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyClose {},
    )
}
