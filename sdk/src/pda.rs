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
    Pubkey::find_program_address(&[b"__event_authority"], program_id).0
}
