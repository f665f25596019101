//! Asserting which rule a failed transaction broke.

use anchor_lang::error::ERROR_CODE_OFFSET;
use databounty::errors::BountyError;
use solana_program_test::BanksClientError;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;

/// The instruction error of a failed transaction.
pub fn instruction_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
) -> InstructionError {
    match result {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(_, err)))
        | Err(BanksClientError::SimulationError {
            err: TransactionError::InstructionError(_, err),
            ..
        }) => err,
        other => panic!("expected an instruction error, got {other:?}"),
    }
}

/// Asserts the transaction failed with the program's `expected` error.
#[track_caller]
pub fn assert_bounty_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: BountyError,
) {
    let code = expected as u32 + ERROR_CODE_OFFSET;
    assert_eq!(
        instruction_error(result),
        InstructionError::Custom(code),
        "expected {expected:?} ({code})"
    );
}

/// Asserts the transaction failed with one of Anchor's own errors (account constraints).
#[track_caller]
pub fn assert_anchor_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: anchor_lang::error::ErrorCode,
) {
    let code = expected as u32;
    assert_eq!(
        instruction_error(result),
        InstructionError::Custom(code),
        "expected {expected:?} ({code})"
    );
}
