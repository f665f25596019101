//! Account states as of each unfinalized slot. There is one bank, which is always at
//! the processed slot; a `confirmed` or `finalized` reader must see the state as of
//! its own, older slot, so the versions a transaction overwrote are kept until the
//! finalized slot has passed them.

use std::collections::HashMap;

use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

/// Per account, its states in slot order: `(slot, state after that slot)`. The first
/// one is the state before any version kept here (slot 0: since forever). An account
/// with no entry has not changed since the finalized slot.
#[derive(Default)]
pub struct AccountHistory {
    versions: HashMap<Pubkey, Vec<(u64, Option<Account>)>>,
}

impl AccountHistory {
    /// Notes that a transaction in `slot` changed `address` from `before` to `after`.
    pub fn record(
        &mut self,
        address: Pubkey,
        slot: u64,
        before: Option<Account>,
        after: Option<Account>,
    ) {
        let versions = self
            .versions
            .entry(address)
            .or_insert_with(|| vec![(0, before)]);
        match versions.last_mut() {
            Some((last, state)) if *last == slot => *state = after,
            _ => versions.push((slot, after)),
        }
    }

    /// The state of `address` after `slot`, if it has changed since; `None` means the
    /// bank's current state is the answer.
    pub fn at(&self, address: &Pubkey, slot: u64) -> Option<Option<&Account>> {
        let versions = self.versions.get(address)?;
        let index = versions.partition_point(|(s, _)| *s <= slot);
        // The first entry's slot is 0, so index >= 1.
        versions
            .get(index.saturating_sub(1))
            .map(|(_, state)| state.as_ref())
    }

    /// Forgets what no reader can ask for any more: versions older than the newest one
    /// at or before `finalized`, and accounts whose newest version is that one.
    pub fn prune(&mut self, finalized: u64) {
        self.versions.retain(|_, versions| {
            let keep_from = versions
                .partition_point(|(s, _)| *s <= finalized)
                .saturating_sub(1);
            versions.drain(..keep_from);
            versions.len() > 1 || versions.first().is_some_and(|(s, _)| *s > finalized)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lamports(n: u64) -> Option<Account> {
        Some(Account {
            lamports: n,
            ..Account::default()
        })
    }

    #[test]
    fn a_reader_sees_the_state_of_its_slot() {
        let key = Pubkey::new_unique();
        let mut history = AccountHistory::default();
        history.record(key, 5, None, lamports(1));
        history.record(key, 7, lamports(1), lamports(2));
        history.record(key, 7, lamports(2), lamports(3));
        assert_eq!(history.at(&key, 4), Some(None));
        assert_eq!(history.at(&key, 6).unwrap().unwrap().lamports, 1);
        assert_eq!(history.at(&key, 9).unwrap().unwrap().lamports, 3);
        history.prune(6);
        assert_eq!(history.at(&key, 6).unwrap().unwrap().lamports, 1);
        history.prune(7);
        assert_eq!(history.at(&key, 7), None);
    }
}
