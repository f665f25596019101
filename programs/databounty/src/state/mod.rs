//! Program accounts and the rules that live on them.

mod bounty;
mod submission;

pub use bounty::*;
pub use submission::*;
