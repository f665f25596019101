//! Account keys as the tables store them: base58 text.
//!
//! Writing a batch names the same few keys over and over (a top-up's bounty, funder and
//! mint stand in its event row, its JSON, its ledger row and the batch's key lists), and
//! base58 is a big-number division per key: encoding them afresh was a sixth of what
//! the writer spends. So each thread remembers the text of the keys it encoded last, in
//! a small table indexed by the key's first byte; a miss encodes and replaces the slot.

use std::cell::RefCell;

use anchor_lang::prelude::Pubkey;

/// Slots per thread: a batch with more distinct keys than this only encodes more often.
const SLOTS: usize = 256;

thread_local! {
    static RECENT: RefCell<Vec<Option<(Pubkey, String)>>> = RefCell::new(vec![None; SLOTS]);
}

/// `key`'s base58 text, the same as `key.to_string()`.
pub fn key_text(key: &Pubkey) -> String {
    let slot = usize::from(key.as_ref()[0]) % SLOTS;
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        match &recent[slot] {
            Some((known, text)) if known == key => text.clone(),
            _ => {
                let text = key.to_string();
                recent[slot] = Some((*key, text.clone()));
                text
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_keys_base58_whether_remembered_or_not() {
        // Two keys in the same slot (same first byte) take turns evicting each other.
        let a = Pubkey::new_from_array([7; 32]);
        let mut b_bytes = [9; 32];
        b_bytes[0] = 7;
        let b = Pubkey::new_from_array(b_bytes);
        for _ in 0..3 {
            for key in [a, a, b, Pubkey::new_unique(), b] {
                assert_eq!(key_text(&key), key.to_string());
            }
        }
    }
}
