//! Instruction builders: one function per program instruction, deriving every PDA so
//! that callers name only the keys they choose.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use databounty::constants::MEMO_PROGRAM_ID;
use databounty::instructions::{BountyCreateArgs, SubmissionAttestArgs, SubmissionCreateArgs};
use databounty::{accounts, instruction, ID};

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
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

/// `submission_create` for a hash computed with [`crate::hash::submission_hash`], under
/// the bounty's `terms` as read from its account (`Bounty::terms_hash`): the program
/// refuses if the bounty at that address has other terms by the time this lands.
pub fn submission_create(
    contributor: &Pubkey,
    bounty: &Pubkey,
    hash: [u8; 32],
    uri: Option<String>,
    terms: [u8; 32],
) -> Instruction {
    build(
        accounts::SubmissionCreate {
            contributor: *contributor,
            bounty: *bounty,
            submission: pda::submission(bounty, contributor, &hash),
            system_program: system_program::ID,
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
    build(
        accounts::SubmissionAttest {
            reviewer: *reviewer,
            bounty: *bounty,
            submission: *submission,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionAttest {
            args: SubmissionAttestArgs { hash, approve },
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
    let (to, signs) = payout_destination(contributor, mint, token_program, to);
    let mut ix = build(
        accounts::SubmissionRelease {
            payer: *payer,
            bounty: *bounty,
            submission: *submission,
            vault: pda::vault(bounty),
            mint: *mint,
            contributor: *contributor,
            contributor_token_account: to,
            token_program: *token_program,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program::ID,
            memo_program: MEMO_PROGRAM_ID,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionRelease {},
    );
    mark_signer(&mut ix, contributor, signs);
    ix
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
    let (to, signs) = payout_destination(creator, mint, token_program, to);
    let mut ix = build(
        accounts::BountyRefund {
            payer: *payer,
            bounty: *bounty,
            vault: pda::vault(bounty),
            mint: *mint,
            creator: *creator,
            creator_token_account: to,
            token_program: *token_program,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program::ID,
            memo_program: MEMO_PROGRAM_ID,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::BountyRefund {},
    );
    mark_signer(&mut ix, creator, signs);
    ix
}

/// `submission_close`, rent to `contributor`.
pub fn submission_close(bounty: &Pubkey, submission: &Pubkey, contributor: &Pubkey) -> Instruction {
    build(
        accounts::SubmissionClose {
            bounty: *bounty,
            submission: *submission,
            contributor: *contributor,
            event_authority: pda::event_authority(),
            program: ID,
        },
        instruction::SubmissionClose {},
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
