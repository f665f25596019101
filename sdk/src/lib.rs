//! Client SDK for the databounty program, shared by the CLI, the indexer and the tests:
//! PDA derivation, instruction builders, event decoding, the submission hash, signature
//! paging, and the mint / token-account / clock helpers around a bounty.

pub mod accounts;
pub mod amount;
pub mod errors;
pub mod events;
pub mod hash;
pub mod instructions;
pub mod paging;
pub mod pda;
pub mod transaction;

pub use databounty::{
    errors::BountyError, events as event_types, instructions as args, state, ID as PROGRAM_ID,
};
