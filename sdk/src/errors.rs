//! Plain-English messages for the error codes a failed transaction reports: the
//! program's own (from the committed IDL, which a test keeps fresh), Anchor's account
//! checks, and the token programs'.

use std::sync::OnceLock;

use serde_json::Value;

const IDL: &str = include_str!("../../idl/databounty.json");

fn program_errors() -> &'static Vec<(u32, String, String)> {
    static ERRORS: OnceLock<Vec<(u32, String, String)>> = OnceLock::new();
    ERRORS.get_or_init(|| {
        let idl: Value = serde_json::from_str(IDL).unwrap_or(Value::Null);
        idl["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| {
                        Some((
                            u32::try_from(e["code"].as_u64()?).ok()?,
                            e["name"].as_str()?.to_string(),
                            e["msg"].as_str().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Anchor's own checks our accounts can fail.
const ANCHOR_ERRORS: &[(u32, &str, &str)] = &[
    (
        2001,
        "ConstraintHasOne",
        "an account does not belong to this bounty (has_one)",
    ),
    (
        2006,
        "ConstraintSeeds",
        "an account is not at the address its seeds derive",
    ),
    (
        2012,
        "ConstraintAddress",
        "an account has the wrong address",
    ),
    (
        2040,
        "ConstraintDuplicateMutableAccount",
        "the same writable account was passed twice",
    ),
    (
        3002,
        "AccountDiscriminatorMismatch",
        "an account is of the wrong type",
    ),
    (
        3007,
        "AccountOwnedByWrongProgram",
        "an account is owned by the wrong program",
    ),
    (
        3008,
        "InvalidProgramId",
        "the token program is neither SPL Token nor Token-2022",
    ),
    (3010, "AccountNotSigner", "a required signature is missing"),
    (
        3012,
        "AccountNotInitialized",
        "an account does not exist (closed or never created)",
    ),
];

/// The SPL Token / Token-2022 errors a transfer can raise.
const TOKEN_ERRORS: &[(u32, &str, &str)] = &[
    (
        1,
        "InsufficientFunds",
        "the token account holds too few tokens",
    ),
    (3, "MintMismatch", "the token account is for another mint"),
    (
        4,
        "OwnerMismatch",
        "the signer does not own the token account",
    ),
    (17, "AccountFrozen", "the token account is frozen"),
];

/// `(name, message)` for a custom error code raised by the program or a program it calls.
pub fn describe(code: u32) -> Option<(String, String)> {
    if let Some((_, name, msg)) = program_errors().iter().find(|(c, _, _)| *c == code) {
        return Some((name.clone(), msg.clone()));
    }
    ANCHOR_ERRORS
        .iter()
        .chain(TOKEN_ERRORS)
        .find(|(c, _, _)| *c == code)
        .map(|(_, name, msg)| (name.to_string(), msg.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use databounty::errors::BountyError;

    #[test]
    fn program_errors_come_from_the_idl() {
        let code = BountyError::HashMismatch as u32 + anchor_lang::error::ERROR_CODE_OFFSET;
        let (name, msg) = describe(code).expect("known");
        assert_eq!(name, "HashMismatch");
        assert_eq!(msg, BountyError::HashMismatch.to_string());
        assert_eq!(describe(3010).map(|d| d.0), Some("AccountNotSigner".into()));
        assert_eq!(describe(99_999), None);
    }
}
