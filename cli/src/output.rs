//! What a command prints: a line or two for people, and the same facts as JSON for
//! scripts.

use databounty_sdk::amount;
use serde_json::Value;

/// What a command prints.
pub struct Output {
    pub text: String,
    pub json: Value,
}

/// `note` with `amount` (in tokens of `decimals`) put in, or nothing when the amount is
/// zero: for what a command moved only sometimes, such as a bond or fees.
pub fn amount_note(amount: u64, decimals: u8, note: impl FnOnce(String) -> String) -> String {
    if amount > 0 {
        note(amount::format(amount, decimals))
    } else {
        String::new()
    }
}

impl Output {
    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&self.json).unwrap_or_default()
            );
        } else {
            println!("{}", self.text);
        }
    }
}
