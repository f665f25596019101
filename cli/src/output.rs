//! What a command prints: a line or two for people, and the same facts as JSON for
//! scripts.

use serde_json::Value;

/// What a command prints.
pub struct Output {
    pub text: String,
    pub json: Value,
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
