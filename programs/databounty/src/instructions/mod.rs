//! One module per instruction, named noun-first so that files group by entity.
//!
//! The account structs spell out the bounty's `seeds` and `has_one` constraints, and the
//! payout accounts, in each instruction rather than share them through Anchor composite
//! fields (a field that is itself `#[derive(Accounts)]`), because a composite would change
//! what clients and callers see: its accounts become a nested group in the IDL (Anchor's
//! TypeScript client then wants a nested object) and in `databounty::accounts`; a shared
//! payout group would rename `creator`, `contributor` and `reviewer` to one name; the
//! bounty's `has_one = token_program` could not stay on the bounty, whose group cannot see
//! a `token_program` placed after the payee's accounts; and a composite's constraints run
//! before those of the accounts ahead of it and before the accounts after it are loaded,
//! so a transaction with several wrong accounts could fail with another error. What the
//! payouts share lives in `token::Payout` instead.

pub mod bounty_cancel;
pub mod bounty_close;
pub mod bounty_create;
pub mod bounty_extend;
pub mod bounty_fund;
pub mod bounty_refund;
pub mod bounty_reviewer_replace;
pub mod review_fee_claim;
pub mod submission_attest;
pub mod submission_close;
pub mod submission_create;
pub mod submission_release;

pub use bounty_cancel::*;
pub use bounty_close::*;
pub use bounty_create::*;
pub use bounty_extend::*;
pub use bounty_fund::*;
pub use bounty_refund::*;
pub use bounty_reviewer_replace::*;
pub use review_fee_claim::*;
pub use submission_attest::*;
pub use submission_close::*;
pub use submission_create::*;
pub use submission_release::*;
