//! Shared fixtures for the program's integration tests: a real Agave bank with the
//! program loaded natively and the real SPL Token, Token-2022 and ATA programs.

// solana-program-test 3.x flags its whole API as "to become unstable"; it is the harness.
#![allow(deprecated)]

pub mod calls;
pub mod env;
pub mod errors;
pub mod fixtures;
pub mod mints;
pub mod steps;

pub use env::{Sent, TestEnv};
pub use errors::*;
pub use fixtures::*;
pub use mints::MintKind;
