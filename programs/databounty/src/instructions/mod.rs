//! One module per instruction, named noun-first so that files group by entity.

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
