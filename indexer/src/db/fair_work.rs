//! The fair-work rows: each bounty's fees and bonds and what an extension moved, each
//! submission's bond, the fee and bond ledgers, and reviewer slots given to new keys.
//! Kept apart from the core state so that each statement stays readable.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::placed::Placed;
use super::{numeric, pg_time, DbError};
use crate::key_text::key_text;
use crate::projection::Changes;

/// Writes the fair-work parts of `changes` (after the core state rows exist).
pub async fn write(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    patch_bounties(conn, changes).await?;
    patch_submissions(conn, changes).await?;
    replace_reviewers(conn, changes).await?;
    insert_fee_awards(conn, changes).await?;
    insert_fee_claims(conn, changes).await?;
    insert_bond_movements(conn, changes).await
}

/// The reviewers a write gave or paid fees, for the summaries.
pub fn fee_reviewers(changes: &Changes) -> Vec<String> {
    let awarded = changes
        .fee_awards
        .iter()
        .flat_map(|a| a.event.reviewers.iter().map(ToString::to_string));
    let claimed = changes
        .fee_claims
        .iter()
        .map(|c| key_text(&c.event.reviewer));
    let mut reviewers: Vec<String> = awarded.chain(claimed).collect();
    reviewers.sort();
    reviewers.dedup();
    reviewers
}

async fn patch_bounties(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    let p: Vec<_> = changes
        .bounties
        .iter()
        .filter(|(_, v)| !v.fair.is_empty())
        .collect();
    if p.is_empty() {
        return Ok(());
    }
    let amount = |f: &dyn Fn(&crate::projection::FairWorkPatch) -> Option<u64>| {
        p.iter()
            .map(|(_, v)| f(&v.fair).map(numeric))
            .collect::<Vec<_>>()
    };
    let deadline = |f: &dyn Fn(&crate::projection::FairWorkPatch) -> Option<i64>| {
        p.iter().map(|(_, v)| f(&v.fair)).collect::<Vec<_>>()
    };
    let time = |f: &dyn Fn(&crate::projection::FairWorkPatch) -> Option<i64>| {
        p.iter()
            .map(|(_, v)| f(&v.fair).and_then(pg_time))
            .collect::<Vec<_>>()
    };
    sqlx::query!(
        "UPDATE bounties b SET fees_reserved = coalesce(v.fees_reserved::numeric, b.fees_reserved),
             fees_paid = coalesce(v.fees_paid::numeric, b.fees_paid),
             bonds_held = coalesce(v.bonds_held::numeric, b.bonds_held),
             bonds_returned = coalesce(v.bonds_returned::numeric, b.bonds_returned),
             bonds_forfeited = coalesce(v.bonds_forfeited::numeric, b.bonds_forfeited),
             submission_deadline_unix = coalesce(v.sdu, b.submission_deadline_unix),
             submission_deadline = CASE WHEN v.sdu IS NULL THEN b.submission_deadline ELSE v.sd END,
             review_deadline_unix = coalesce(v.rdu, b.review_deadline_unix),
             review_deadline = CASE WHEN v.rdu IS NULL THEN b.review_deadline ELSE v.rd END,
             max_winners = coalesce(v.max_winners, b.max_winners)
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::int8[], $9::timestamptz[], $10::int8[], $11::timestamptz[], $12::int8[], $13::int8[],
                     $14::int8[])
              AS v(bounty, incarnation, fees_reserved, fees_paid, bonds_held, bonds_returned, bonds_forfeited,
                   sdu, sd, rdu, rd, max_winners, slot, pos)
         WHERE b.bounty = v.bounty AND b.incarnation = v.incarnation
           AND (b.updated_slot, b.updated_pos) <= (v.slot, v.pos)",
        &p.iter().map(|((k, _), _)| k.clone()).collect::<Vec<_>>(),
        &p.iter().map(|((_, i), _)| *i).collect::<Vec<_>>(),
        &amount(&|v| v.fees_reserved) as &[Option<String>],
        &amount(&|v| v.fees_paid) as &[Option<String>],
        &amount(&|v| v.bonds_held) as &[Option<String>],
        &amount(&|v| v.bonds_returned) as &[Option<String>],
        &amount(&|v| v.bonds_forfeited) as &[Option<String>],
        &deadline(&|v| v.submission_deadline) as &[Option<i64>],
        &time(&|v| v.submission_deadline) as &[Option<DateTime<Utc>>],
        &deadline(&|v| v.review_deadline) as &[Option<i64>],
        &time(&|v| v.review_deadline) as &[Option<DateTime<Utc>>],
        &p.iter()
            .map(|(_, v)| v.fair.max_winners.map(i64::from))
            .collect::<Vec<_>>() as &[Option<i64>],
        &p.iter()
            .map(|(_, v)| v.updated.slot_i64())
            .collect::<Vec<_>>(),
        &p.iter()
            .map(|(_, v)| v.updated.within_slot())
            .collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn patch_submissions(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    let p: Vec<_> = changes
        .submissions
        .iter()
        .filter(|(_, v)| v.bond.is_some() || v.bond_status.is_some())
        .collect();
    if p.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE submissions s SET bond = coalesce(v.bond::numeric, s.bond),
             bond_status = coalesce(v.bond_status, s.bond_status)
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::text[]) AS v(submission, incarnation, bond, bond_status)
         WHERE s.submission = v.submission AND s.incarnation = v.incarnation",
        &p.iter().map(|((k, _), _)| k.clone()).collect::<Vec<_>>(),
        &p.iter().map(|((_, i), _)| *i).collect::<Vec<_>>(),
        &p.iter()
            .map(|(_, v)| v.bond.map(numeric))
            .collect::<Vec<_>>() as &[Option<String>],
        &p.iter().map(|(_, v)| v.bond_status).collect::<Vec<_>>() as &[Option<&str>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One statement per replacement, in chain order: a slot may change hands twice in a
/// batch, and an array element is set once per statement.
async fn replace_reviewers(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    for r in &changes.replacements {
        let slot = i32::from(r.event.reviewer_index) + 1;
        sqlx::query!(
            "UPDATE bounties SET reviewers[$3] = $4, reviewer_generations[$3] = $5
             WHERE bounty = $1 AND incarnation = $2",
            key_text(&r.event.bounty),
            r.bounty_incarnation,
            slot,
            key_text(&r.event.new_reviewer),
            i32::try_from(r.event.generation_after).unwrap_or(i32::MAX),
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One row per reviewer a decision pays.
async fn insert_fee_awards(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    let rows: Vec<_> = changes
        .fee_awards
        .iter()
        .flat_map(|a| {
            a.event
                .reviewers
                .iter()
                .zip(&a.event.reviewer_indexes)
                .map(move |(reviewer, index)| (a, reviewer, *index))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let placed = Placed::of(rows.iter().map(|(a, _, _)| *a));
    sqlx::query!(
        "INSERT INTO fee_awards (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation,
             submission, submission_incarnation, reviewer, reviewer_index, accepted, fee, decided_at)
         SELECT s, ix, inn, sl, p, b, bi, sub, si, r, ri, a, f::numeric, t
         FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::text[], $7::int4[], $8::text[],
                     $9::int4[], $10::text[], $11::int2[], $12::bool[], $13::text[], $14::timestamptz[])
              AS u(s, ix, inn, sl, p, b, bi, sub, si, r, ri, a, f, t)
         ON CONFLICT DO NOTHING",
        &placed.signatures,
        &placed.instruction_indexes,
        &placed.inner_indexes,
        &placed.slots,
        &placed.positions,
        &rows.iter().map(|(a, _, _)| key_text(&a.event.bounty)).collect::<Vec<_>>(),
        &placed.bounty_incarnations,
        &rows.iter().map(|(a, _, _)| key_text(&a.event.submission)).collect::<Vec<_>>(),
        &rows.iter().map(|(a, _, _)| a.submission_incarnation).collect::<Vec<_>>(),
        &rows.iter().map(|(_, r, _)| key_text(r)).collect::<Vec<_>>(),
        &rows.iter().map(|(_, _, i)| i16::from(*i)).collect::<Vec<_>>(),
        &rows.iter().map(|(a, _, _)| a.event.accepted).collect::<Vec<_>>(),
        &rows.iter().map(|(a, _, _)| numeric(a.event.fee)).collect::<Vec<_>>(),
        &rows.iter().map(|(a, _, _)| pg_time(a.event.decided_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_fee_claims(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    let f = &changes.fee_claims;
    if f.is_empty() {
        return Ok(());
    }
    let placed = Placed::of(f);
    sqlx::query!(
        "INSERT INTO fee_claims (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation,
             reviewer, reviewer_token_account, amount, received, claimed_at)
         SELECT s, ix, inn, sl, p, b, bi, r, rta, a::numeric, rc::numeric, t
         FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::text[], $7::int4[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::timestamptz[])
              AS u(s, ix, inn, sl, p, b, bi, r, rta, a, rc, t)
         ON CONFLICT DO NOTHING",
        &placed.signatures,
        &placed.instruction_indexes,
        &placed.inner_indexes,
        &placed.slots,
        &placed.positions,
        &f.iter().map(|c| key_text(&c.event.bounty)).collect::<Vec<_>>(),
        &placed.bounty_incarnations,
        &f.iter().map(|c| key_text(&c.event.reviewer)).collect::<Vec<_>>(),
        &f.iter().map(|c| key_text(&c.event.reviewer_token_account)).collect::<Vec<_>>(),
        &f.iter().map(|c| numeric(c.event.amount)).collect::<Vec<_>>(),
        &f.iter().map(|c| numeric(c.event.received)).collect::<Vec<_>>(),
        &f.iter().map(|c| pg_time(c.event.claimed_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_bond_movements(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    let f = &changes.bond_movements;
    if f.is_empty() {
        return Ok(());
    }
    let placed = Placed::of(f);
    sqlx::query!(
        "INSERT INTO bond_movements (signature, instruction_index, inner_index, slot, pos, bounty, bounty_incarnation,
             submission, submission_incarnation, contributor, kind, amount, received, moved_at)
         SELECT s, ix, inn, sl, p, b, bi, sub, si, c, k, a::numeric, rc::numeric, t
         FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::text[], $7::int4[], $8::text[],
                     $9::int4[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
              AS u(s, ix, inn, sl, p, b, bi, sub, si, c, k, a, rc, t)
         ON CONFLICT DO NOTHING",
        &placed.signatures,
        &placed.instruction_indexes,
        &placed.inner_indexes,
        &placed.slots,
        &placed.positions,
        &f.iter().map(|m| m.event.bounty.clone()).collect::<Vec<_>>(),
        &placed.bounty_incarnations,
        &f.iter().map(|m| m.event.submission.clone()).collect::<Vec<_>>(),
        &f.iter().map(|m| m.submission_incarnation).collect::<Vec<_>>(),
        &f.iter().map(|m| m.event.contributor.clone()).collect::<Vec<_>>(),
        &f.iter().map(|m| m.event.kind.to_string()).collect::<Vec<_>>(),
        &f.iter().map(|m| numeric(m.event.amount)).collect::<Vec<_>>(),
        &f.iter().map(|m| m.event.received.map(numeric)).collect::<Vec<_>>() as &[Option<String>],
        &f.iter().map(|m| pg_time(m.event.at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}
