//! The columns every ledger table starts with, built once for an `UNNEST` insert.

use crate::projection::Entry;

/// Where each ledger row happened on chain and the bounty incarnation it belongs to:
/// one array a column, in the order of the rows.
#[derive(Debug, Default)]
pub(super) struct Placed {
    pub(super) signatures: Vec<String>,
    pub(super) instruction_indexes: Vec<i16>,
    pub(super) inner_indexes: Vec<i16>,
    pub(super) slots: Vec<i64>,
    pub(super) positions: Vec<i64>,
    pub(super) bounty_incarnations: Vec<i32>,
}

impl Placed {
    pub(super) fn of<'a, E: 'a>(rows: impl IntoIterator<Item = &'a Entry<E>>) -> Self {
        let mut placed = Self::default();
        for row in rows {
            placed.signatures.push(row.signature.clone());
            placed
                .instruction_indexes
                .push(row.position.instruction_index);
            placed.inner_indexes.push(row.position.inner_index);
            placed.slots.push(row.position.slot_i64());
            placed.positions.push(row.position.within_slot());
            placed.bounty_incarnations.push(row.bounty_incarnation);
        }
        placed
    }
}
