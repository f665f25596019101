//! The log of what the source delivered: transactions (failed ones too), their event
//! rows, the checkpoint, and the quarantine. Each batch is one statement per table with
//! array parameters (`UNNEST`), so any batch size binds a fixed number of parameters.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{pg_time, DbError};
use crate::decoder::{event_json, storable_text, EventRow};
use crate::key_text::key_text;
use crate::pipeline::TxRecord;

/// Records the batch's transactions; `outcome` says what became of each.
pub async fn insert_transactions(
    conn: &mut PgConnection,
    txs: &[&TxRecord],
    final_up_to: u64,
    outcome: impl Fn(&TxRecord) -> &'static str,
) -> Result<(), DbError> {
    let signatures: Vec<String> = txs.iter().map(|t| t.signature.clone()).collect();
    let slots: Vec<i64> = txs.iter().map(|t| t.position().slot_i64()).collect();
    let tx_indexes: Vec<i32> = txs.iter().map(|t| tx_index(t.tx_index)).collect();
    let failed: Vec<bool> = txs.iter().map(|t| t.failed).collect();
    let block_times: Vec<Option<i64>> = txs.iter().map(|t| t.block_time).collect();
    let outcomes: Vec<String> = txs.iter().map(|t| outcome(t).to_string()).collect();
    let finalized: Vec<bool> = txs.iter().map(|t| t.slot <= final_up_to).collect();
    sqlx::query!(
        "INSERT INTO transactions (signature, slot, tx_index, failed, finalized, block_time, outcome)
         SELECT s, sl, ti, f, fin, bt, o
         FROM UNNEST($1::text[], $2::int8[], $3::int4[], $4::bool[], $5::int8[], $6::text[], $7::bool[])
              AS u(s, sl, ti, f, bt, o, fin)
         ON CONFLICT (signature) DO UPDATE SET slot = EXCLUDED.slot, tx_index = EXCLUDED.tx_index,
             finalized = transactions.finalized OR EXCLUDED.finalized, outcome = EXCLUDED.outcome",
        &signatures,
        &slots,
        &tx_indexes,
        &failed,
        &block_times as &[Option<i64>],
        &outcomes,
        &finalized,
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn tx_index(i: u32) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Inserts event rows; returns which of them were new (by index into `rows`), so state
/// is applied once however often a range is read.
pub async fn insert_events(
    conn: &mut PgConnection,
    rows: &[&EventRow],
    final_up_to: u64,
) -> Result<Vec<bool>, DbError> {
    let finalized: Vec<bool> = rows
        .iter()
        .map(|r| r.position.slot <= final_up_to)
        .collect();
    let mut signatures = Vec::with_capacity(rows.len());
    let mut ixs = Vec::with_capacity(rows.len());
    let mut inners = Vec::with_capacity(rows.len());
    let mut slots = Vec::with_capacity(rows.len());
    let mut positions = Vec::with_capacity(rows.len());
    let mut unix = Vec::with_capacity(rows.len());
    let mut times = Vec::with_capacity(rows.len());
    let mut names = Vec::with_capacity(rows.len());
    let mut bounties = Vec::with_capacity(rows.len());
    let mut data = Vec::with_capacity(rows.len());
    let mut raws = Vec::with_capacity(rows.len());
    let mut errors = Vec::with_capacity(rows.len());
    for row in rows {
        signatures.push(row.signature.clone());
        ixs.push(row.position.instruction_index);
        inners.push(row.position.inner_index);
        slots.push(row.position.slot_i64());
        positions.push(row.position.within_slot());
        unix.push(row.block_time);
        times.push(row.block_time.and_then(pg_time));
        names.push(row.name().to_string());
        match &row.event {
            Ok(event) => {
                bounties.push(Some(key_text(&event.bounty())));
                data.push(Some(event_json(event).to_string()));
                errors.push(None);
            }
            Err(err) => {
                bounties.push(None);
                data.push(None);
                errors.push(Some(storable_text(err).into_owned()));
            }
        }
        raws.push(row.raw.clone());
    }
    let inserted = sqlx::query!(
        "INSERT INTO events (signature, instruction_index, inner_index, slot, pos, block_time_unix, block_time,
                             name, bounty, data, raw, decode_error, finalized)
         SELECT s, ix, inn, sl, p, btu, bt, n, b, d::jsonb, r, e, fin
         FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::int8[], $7::timestamptz[],
                     $8::text[], $9::text[], $10::text[], $11::bytea[], $12::text[], $13::bool[])
              AS u(s, ix, inn, sl, p, btu, bt, n, b, d, r, e, fin)
         ON CONFLICT (signature, instruction_index, inner_index) DO NOTHING
         RETURNING signature, instruction_index, inner_index",
        &signatures,
        &ixs,
        &inners,
        &slots,
        &positions,
        &unix as &[Option<i64>],
        &times as &[Option<DateTime<Utc>>],
        &names,
        &bounties as &[Option<String>],
        &data as &[Option<String>],
        &raws,
        &errors as &[Option<String>],
        &finalized,
    )
    .fetch_all(conn)
    .await?;
    let new: std::collections::HashSet<(&str, i16, i16)> = inserted
        .iter()
        .map(|r| (r.signature.as_str(), r.instruction_index, r.inner_index))
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            new.contains(&(
                r.signature.as_str(),
                r.position.instruction_index,
                r.position.inner_index,
            ))
        })
        .collect())
}

/// Moves the checkpoint of `source` forward (never back: a stale reply cannot rewind it).
pub async fn advance_checkpoint(
    conn: &mut PgConnection,
    source: &str,
    tx: &TxRecord,
) -> Result<(), DbError> {
    sqlx::query!(
        "INSERT INTO checkpoints (source, signature, slot, tx_index) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source) DO UPDATE SET signature = $2, slot = $3, tx_index = $4, updated_at = now()
         WHERE (checkpoints.slot, checkpoints.tx_index) <= ($3, $4)",
        source,
        &tx.signature,
        tx.position().slot_i64(),
        tx_index(tx.tx_index),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps a transaction that could not be stored or read, with why.
pub async fn quarantine(
    conn: &mut PgConnection,
    tx: &TxRecord,
    error: &str,
    sqlstate: Option<&str>,
) -> Result<(), DbError> {
    let raw: Vec<Vec<u8>> = tx.rows.iter().map(|r| r.raw.clone()).collect();
    let error = storable_text(error);
    sqlx::query!(
        "INSERT INTO quarantine (signature, slot, tx_index, raw_events, error, sqlstate)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (signature) DO UPDATE SET error = EXCLUDED.error, sqlstate = EXCLUDED.sqlstate",
        &tx.signature,
        tx.position().slot_i64(),
        tx_index(tx.tx_index),
        &raw,
        error.as_ref(),
        sqlstate,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The chain position of each given bounty's newest stored event.
pub async fn newest_event_positions(
    conn: &mut PgConnection,
    bounties: &[String],
) -> Result<std::collections::HashMap<String, (i64, i64)>, DbError> {
    // One backward index probe per bounty: a bounty with thousands of events costs the
    // same as one with a few.
    let rows = sqlx::query!(
        r#"SELECT b.bounty AS "bounty!", e.slot, e.pos FROM UNNEST($1::text[]) AS b(bounty)
         CROSS JOIN LATERAL (SELECT slot, pos FROM events WHERE events.bounty = b.bounty
                             ORDER BY slot DESC, pos DESC LIMIT 1) e"#,
        bounties,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.bounty, (r.slot, r.pos)))
        .collect())
}
