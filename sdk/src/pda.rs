//! Program-derived addresses, with the seeds the program checks.

use anchor_lang::prelude::Pubkey;
use databounty::constants::{SEED_BOUNTY, SEED_SUBMISSION, SEED_VAULT};
use databounty::ID;

/// The bounty PDA `["bounty", creator, dataset_id, nonce_le]`.
pub fn bounty(creator: &Pubkey, dataset_id: &[u8; 32], nonce: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[
            SEED_BOUNTY,
            creator.as_ref(),
            dataset_id,
            &nonce.to_le_bytes(),
        ],
        &ID,
    )
    .0
}

/// The bounty's vault token account `["vault", bounty]`.
pub fn vault(bounty: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_VAULT, bounty.as_ref()], &ID).0
}

/// The submission PDA `["submission", bounty, contributor, hash]`: bound to the
/// contributor, so that someone who copies a pending hash gets an address of their own.
pub fn submission(bounty: &Pubkey, contributor: &Pubkey, hash: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[SEED_SUBMISSION, bounty.as_ref(), contributor.as_ref(), hash],
        &ID,
    )
    .0
}

/// The PDA that signs the program's self-CPI events.
pub fn event_authority() -> Pubkey {
    databounty::EVENT_AUTHORITY_AND_BUMP.0
}

/// The event authority of a deployment at `program_id` (Anchor's `__event_authority`
/// seed), for indexing the program under another id.
pub fn event_authority_of(program_id: &Pubkey) -> Pubkey {
    if *program_id == ID {
        return event_authority();
    }
    // Deriving costs a hash and a curve check per bump tried, and an indexer asks for
    // every inner instruction it reads: the last deployment asked about is remembered.
    static LAST: std::sync::Mutex<Option<(Pubkey, Pubkey)>> = std::sync::Mutex::new(None);
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match *last {
        Some((program, authority)) if program == *program_id => authority,
        _ => {
            let authority = Pubkey::find_program_address(&[b"__event_authority"], program_id).0;
            *last = Some((*program_id, authority));
            authority
        }
    }
}
