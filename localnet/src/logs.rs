//! Program logs as a validator writes them, rebuilt from what a native run leaves.
//!
//! Run natively, our program's `msg!` lines never reach the log collector (they go to
//! stdout), and `solana-program-test`'s shims log each invocation of, and by, a native
//! program twice or three times (`invoke [1]` and `invoke [2]` for one CPI, a
//! `success` for each). A validator writes one `invoke [n]` and one `success` or
//! `failed: ...` per invocation, and Anchor adds `Program log: Instruction: <Name>` on
//! entry and, on error, `Program log: AnchorError occurred. Error Code: <Name>. Error
//! Number: <n>. Error Message: <msg>.` — which `AnchorError.parse` and client error
//! translation read. So:
//!
//! - each run of consecutive `Program X invoke [..]` lines of one program is one
//!   invocation; it is closed by as many `success` / `failed` lines of X as the run had
//!   lines, of which one is kept; depths are recounted;
//! - the `Instruction:` line is derived from the committed IDL (discriminator → name)
//!   for each top-level instruction of our program;
//! - the `AnchorError occurred.` line is derived from the IDL's errors for the custom
//!   error code in our program's `failed: custom program error: 0x..` line. The
//!   program's own source location (`AnchorError thrown in file:line`) cannot be
//!   known, so the `occurred.` form is used, which every Anchor client parses.

use std::sync::OnceLock;

use solana_sdk::pubkey::Pubkey;

/// What the IDL says about instructions and errors.
struct Idl {
    instructions: Vec<([u8; 8], String)>,
    errors: Vec<(u32, String, String)>,
}

fn idl() -> &'static Idl {
    static IDL: OnceLock<Idl> = OnceLock::new();
    IDL.get_or_init(|| {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../../idl/databounty.json")).unwrap_or_default();
        let list = |key: &str| json[key].as_array().cloned().unwrap_or_default();
        Idl {
            instructions: list("instructions")
                .iter()
                .filter_map(|ix| {
                    let bytes: Vec<u8> = ix["discriminator"]
                        .as_array()?
                        .iter()
                        .map(|b| b.as_u64().map(|b| b as u8))
                        .collect::<Option<_>>()?;
                    Some((bytes.try_into().ok()?, pascal_case(ix["name"].as_str()?)))
                })
                .collect(),
            errors: list("errors")
                .iter()
                .filter_map(|e| {
                    Some((
                        e["code"].as_u64()? as u32,
                        e["name"].as_str()?.to_string(),
                        e["msg"].as_str().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
        }
    })
}

/// `bounty_create` → `BountyCreate`, as Anchor names an instruction in its log.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The Anchor instruction name for instruction `data` of our program.
fn instruction_name(data: &[u8]) -> Option<&'static str> {
    let discriminator: [u8; 8] = data.get(..8)?.try_into().ok()?;
    idl()
        .instructions
        .iter()
        .find(|(d, _)| *d == discriminator)
        .map(|(_, name)| name.as_str())
}

/// The `AnchorError occurred.` line for a custom error code of our program.
fn anchor_error_line(code: u32) -> Option<String> {
    let (code, name, msg) = idl().errors.iter().find(|(c, _, _)| *c == code)?;
    Some(format!(
        "Program log: AnchorError occurred. Error Code: {name}. Error Number: {code}. Error Message: {msg}."
    ))
}

/// `Program <id> invoke [<n>]` → the program id.
fn invoked(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("Program ")?;
    let (id, depth) = rest.split_once(" invoke [")?;
    depth.ends_with(']').then_some(id)
}

/// `Program <id> success` / `Program <id> failed: ...` → the program id.
fn closed(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("Program ")?;
    let (id, outcome) = rest.split_once(' ')?;
    (outcome == "success" || outcome.starts_with("failed: ")).then_some(id)
}

/// One open invocation: its program and how many close lines it still waits for.
struct Open {
    program: String,
    pending: usize,
}

/// Rewrites the runtime's `raw` logs of a transaction whose top-level instructions
/// are `instructions` (program id, data) as a validator would have written them.
pub fn normalize(raw: &[String], instructions: &[(Pubkey, Vec<u8>)]) -> Vec<String> {
    let ours = databounty::ID.to_string();
    let mut out = Vec::with_capacity(raw.len());
    let mut stack: Vec<Open> = vec![];
    let mut top_level = 0usize;
    let mut error_logged = false;
    let mut i = 0;
    while i < raw.len() {
        let line = &raw[i];
        if let Some(program) = invoked(line) {
            let mut run = 1;
            while raw.get(i + run).and_then(|l| invoked(l)) == Some(program) {
                run += 1;
            }
            // A run is one invocation (the shims' echoes); a real self-CPI (emit_cpi!)
            // follows other lines, so it starts a run of its own.
            out.push(format!("Program {program} invoke [{}]", stack.len() + 1));
            if stack.is_empty() {
                if program == ours {
                    if let Some(name) = instructions
                        .get(top_level)
                        .and_then(|(_, data)| instruction_name(data))
                    {
                        out.push(format!("Program log: Instruction: {name}"));
                    }
                }
                top_level += 1;
            }
            stack.push(Open {
                program: program.to_string(),
                pending: run,
            });
            i += run;
            continue;
        }
        if let Some(program) = closed(line) {
            match stack.last_mut() {
                Some(open) if open.program == program => {
                    open.pending -= 1;
                    if open.pending == 0 {
                        if program == ours && !error_logged {
                            if let Some(code) = line
                                .strip_prefix(&format!(
                                    "Program {ours} failed: custom program error: 0x"
                                ))
                                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                            {
                                out.extend(anchor_error_line(code));
                            }
                        }
                        error_logged |= line.contains(" failed: ");
                        out.push(line.clone());
                        stack.pop();
                    }
                }
                // A close line for no open invocation of that program: a shim's echo.
                _ => {}
            }
            i += 1;
            continue;
        }
        out.push(line.clone());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("bounty_create"), "BountyCreate");
        assert_eq!(pascal_case("submission_attest"), "SubmissionAttest");
    }
}
