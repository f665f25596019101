//! Writes what the projection produced: new state rows, per-row patches and ledger rows,
//! one `UNNEST` statement per table. Also reads the incarnations a batch continues from,
//! and replays a bounty from its events when its state must be rebuilt.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use databounty_sdk::events::decode_event;
use databounty_sdk::hash::hex;
use sqlx::PgConnection;

use super::placed::Placed;
use super::{fair_work, numeric, pg_time, summaries, DbError};
use crate::decoder::{storable_text, Position};
use crate::key_text::key_text;
use crate::projection::{project, Changes, Incarnations, Located};

/// The stored newest incarnation of each given bounty and submission.
pub async fn load_incarnations(
    conn: &mut PgConnection,
    bounties: &[String],
    submissions: &[String],
) -> Result<Incarnations, DbError> {
    // max() over a group's rows is never null: every group has a row.
    let rows = sqlx::query!(
        r#"SELECT bounty, max(incarnation) AS "incarnation!" FROM bounties WHERE bounty = ANY($1) GROUP BY bounty"#,
        bounties,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut known = Incarnations::default();
    known
        .bounties
        .extend(rows.into_iter().map(|r| (r.bounty, r.incarnation)));
    let rows = sqlx::query!(
        r#"SELECT submission, max(incarnation) AS "incarnation!" FROM submissions WHERE submission = ANY($1)
           GROUP BY submission"#,
        submissions,
    )
    .fetch_all(&mut *conn)
    .await?;
    known
        .submissions
        .extend(rows.into_iter().map(|r| (r.submission, r.incarnation)));
    Ok(known)
}

fn slot_pos(p: &Position) -> (i64, i64) {
    (p.slot_i64(), p.within_slot())
}

/// Writes `changes`: creations first, then patches (never over newer state), then ledgers.
pub async fn write(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    insert_bounties(conn, changes).await?;
    insert_submissions(conn, changes).await?;
    patch_bounties(conn, changes).await?;
    let decided = newly_decided(conn, changes).await?;
    patch_submissions(conn, changes).await?;
    insert_ledgers(conn, changes).await?;
    fair_work::write(conn, changes).await?;
    summaries::add(conn, changes, &decided).await
}

/// The submissions this write decides: a decision in the changes, none stored yet
/// (closing an already rejected submission repeats its decision).
async fn newly_decided(
    conn: &mut PgConnection,
    changes: &Changes,
) -> Result<Vec<(String, i32)>, DbError> {
    let (keys, incarnations): (Vec<String>, Vec<i32>) = changes
        .submissions
        .iter()
        .filter(|(_, patch)| patch.decided_at.is_some())
        .map(|((s, i), _)| (s.clone(), *i))
        .unzip();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let rows = sqlx::query!(
        "SELECT s.submission, s.incarnation FROM UNNEST($1::text[], $2::int4[]) AS d(submission, incarnation)
         JOIN submissions s ON s.submission = d.submission AND s.incarnation = d.incarnation
         WHERE s.decided_at IS NULL",
        &keys,
        &incarnations,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.submission, r.incarnation))
        .collect())
}

async fn insert_bounties(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    if changes.new_bounties.is_empty() {
        return Ok(());
    }
    let n = &changes.new_bounties;
    let col =
        |f: &dyn Fn(&crate::projection::NewBounty) -> String| n.iter().map(f).collect::<Vec<_>>();
    let reviewers = col(&|b| {
        b.event
            .reviewers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    });
    sqlx::query!(
        "INSERT INTO bounties (bounty, incarnation, creator, dataset_id, nonce, metadata_uri, metadata_uri_raw, mint,
             token_program, vault, reward_per_submission, max_winners, reviewers, quorum, submission_deadline_unix,
             submission_deadline, review_deadline_unix, review_deadline, permanent_delegate_allowed, status, created_at,
             created_slot, updated_slot, updated_pos, review_fee, submission_bond, reviewer_generations)
         SELECT b, i, c, d, nn::numeric, u, ur, m, tp, v, r::numeric, mw, string_to_array(rv, ','), q, sdu, sd, rdu, rd,
                pd, 'Open', ca, sl, sl, p, rf::numeric, sb::numeric,
                array_fill(0, ARRAY[cardinality(string_to_array(rv, ','))])
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::int8[], $13::text[], $14::int2[], $15::int8[],
                     $16::timestamptz[], $17::int8[], $18::timestamptz[], $19::bool[], $20::timestamptz[],
                     $21::int8[], $22::int8[], $23::text[], $24::text[])
              AS u(b, i, c, d, nn, u, ur, m, tp, v, r, mw, rv, q, sdu, sd, rdu, rd, pd, ca, sl, p, rf, sb)
         ON CONFLICT (bounty, incarnation) DO NOTHING",
        &col(&|b| key_text(&b.event.bounty)),
        &n.iter().map(|b| b.incarnation).collect::<Vec<_>>(),
        &col(&|b| key_text(&b.event.creator)),
        &col(&|b| hex(&b.event.dataset_id)),
        &col(&|b| numeric(b.event.nonce)),
        &col(&|b| storable_text(&b.event.metadata_uri).into_owned()),
        &n.iter().map(|b| b.event.metadata_uri.clone().into_bytes()).collect::<Vec<_>>(),
        &col(&|b| key_text(&b.event.mint)),
        &col(&|b| key_text(&b.event.token_program)),
        &col(&|b| key_text(&b.event.vault)),
        &col(&|b| numeric(b.event.reward_per_submission)),
        &n.iter().map(|b| i64::from(b.event.max_winners)).collect::<Vec<_>>(),
        &reviewers,
        &n.iter().map(|b| i16::from(b.event.quorum)).collect::<Vec<_>>(),
        &n.iter().map(|b| b.event.submission_deadline).collect::<Vec<_>>(),
        &n.iter().map(|b| pg_time(b.event.submission_deadline)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        &n.iter().map(|b| b.event.review_deadline).collect::<Vec<_>>(),
        &n.iter().map(|b| pg_time(b.event.review_deadline)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        &n.iter().map(|b| b.event.permanent_delegate_allowed).collect::<Vec<_>>(),
        &n.iter().map(|b| pg_time(b.event.created_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        &n.iter().map(|b| b.position.slot_i64()).collect::<Vec<_>>(),
        &n.iter().map(|b| b.position.within_slot()).collect::<Vec<_>>(),
        &col(&|b| numeric(b.event.review_fee)),
        &col(&|b| numeric(b.event.submission_bond)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_submissions(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    if changes.new_submissions.is_empty() {
        return Ok(());
    }
    let n = &changes.new_submissions;
    sqlx::query!(
        "INSERT INTO submissions (submission, incarnation, bounty, bounty_incarnation, contributor, hash, uri, uri_raw,
             status, created_at, review_deadline_unix, created_slot, created_pos, updated_slot, updated_pos)
         SELECT s, i, b, bi, c, h, u, ur, 'Pending', ca, rd, sl, p, sl, p
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::bytea[],
                     $9::timestamptz[], $10::int8[], $11::int8[], $12::int8[])
              AS u(s, i, b, bi, c, h, u, ur, ca, sl, p, rd)
         ON CONFLICT (submission, incarnation) DO NOTHING",
        &n.iter().map(|s| key_text(&s.event.submission)).collect::<Vec<_>>(),
        &n.iter().map(|s| s.incarnation).collect::<Vec<_>>(),
        &n.iter().map(|s| key_text(&s.event.bounty)).collect::<Vec<_>>(),
        &n.iter().map(|s| s.bounty_incarnation).collect::<Vec<_>>(),
        &n.iter().map(|s| key_text(&s.event.contributor)).collect::<Vec<_>>(),
        &n.iter().map(|s| hex(&s.event.hash)).collect::<Vec<_>>(),
        &n.iter()
            .map(|s| s.event.uri.as_deref().map(|u| storable_text(u).into_owned()))
            .collect::<Vec<_>>() as &[Option<String>],
        &n.iter()
            .map(|s| s.event.uri.as_deref().map(str::as_bytes))
            .collect::<Vec<_>>() as &[Option<&[u8]>],
        &n.iter().map(|s| pg_time(s.event.created_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        &n.iter().map(|s| s.position.slot_i64()).collect::<Vec<_>>(),
        &n.iter().map(|s| s.position.within_slot()).collect::<Vec<_>>(),
        &n.iter().map(|s| s.event.review_deadline).collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn patch_bounties(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    if changes.bounties.is_empty() {
        return Ok(());
    }
    let p: Vec<_> = changes.bounties.iter().collect();
    let amount = |f: &dyn Fn(&crate::projection::BountyPatch) -> Option<u64>| {
        p.iter().map(|(_, v)| f(v).map(numeric)).collect::<Vec<_>>()
    };
    let count = |f: &dyn Fn(&crate::projection::BountyPatch) -> Option<u32>| {
        p.iter()
            .map(|(_, v)| f(v).map(i64::from))
            .collect::<Vec<_>>()
    };
    let time = |f: &dyn Fn(&crate::projection::BountyPatch) -> Option<i64>| {
        p.iter()
            .map(|(_, v)| f(v).and_then(pg_time))
            .collect::<Vec<_>>()
    };
    sqlx::query!(
        "UPDATE bounties b SET funded = coalesce(v.funded::numeric, b.funded),
             reserved = coalesce(v.reserved::numeric, b.reserved), released = coalesce(v.released::numeric, b.released),
             refunded = coalesce(v.refunded::numeric, b.refunded), submissions = coalesce(v.submissions, b.submissions),
             pending = coalesce(v.pending, b.pending), accepted = coalesce(v.accepted, b.accepted),
             paid = coalesce(v.paid, b.paid),
             open_submission_accounts = coalesce(v.open_submission_accounts, b.open_submission_accounts),
             status = coalesce(v.status, b.status), cancelled_at = coalesce(v.cancelled_at, b.cancelled_at),
             closed_at = coalesce(v.closed_at, b.closed_at), updated_slot = v.slot, updated_pos = v.pos
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::int8[],
                     $9::int8[], $10::int8[], $11::int8[], $12::text[], $13::timestamptz[], $14::timestamptz[],
                     $15::int8[], $16::int8[])
              AS v(bounty, incarnation, funded, reserved, released, refunded, submissions, pending, accepted, paid,
                   open_submission_accounts, status, cancelled_at, closed_at, slot, pos)
         WHERE b.bounty = v.bounty AND b.incarnation = v.incarnation
           AND (b.updated_slot, b.updated_pos) <= (v.slot, v.pos)",
        &p.iter().map(|((k, _), _)| k.clone()).collect::<Vec<_>>(),
        &p.iter().map(|((_, i), _)| *i).collect::<Vec<_>>(),
        &amount(&|v| v.funded) as &[Option<String>],
        &amount(&|v| v.reserved) as &[Option<String>],
        &amount(&|v| v.released) as &[Option<String>],
        &amount(&|v| v.refunded) as &[Option<String>],
        &count(&|v| v.submissions) as &[Option<i64>],
        &count(&|v| v.pending) as &[Option<i64>],
        &count(&|v| v.accepted) as &[Option<i64>],
        &count(&|v| v.paid) as &[Option<i64>],
        &count(&|v| v.open_submission_accounts) as &[Option<i64>],
        &p.iter().map(|(_, v)| v.status).collect::<Vec<_>>() as &[Option<&str>],
        &time(&|v| v.cancelled_at) as &[Option<DateTime<Utc>>],
        &time(&|v| v.closed_at) as &[Option<DateTime<Utc>>],
        &p.iter().map(|(_, v)| slot_pos(&v.updated).0).collect::<Vec<_>>(),
        &p.iter().map(|(_, v)| slot_pos(&v.updated).1).collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn patch_submissions(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    if changes.submissions.is_empty() {
        return Ok(());
    }
    let p: Vec<_> = changes.submissions.iter().collect();
    let time = |f: &dyn Fn(&crate::projection::SubmissionPatch) -> Option<i64>| {
        p.iter()
            .map(|(_, v)| f(v).and_then(pg_time))
            .collect::<Vec<_>>()
    };
    sqlx::query!(
        "UPDATE submissions s SET status = coalesce(v.status, s.status), approvals = coalesce(v.approvals, s.approvals),
             rejections = coalesce(v.rejections, s.rejections), decided_at = coalesce(s.decided_at, v.decided_at),
             paid_at = coalesce(v.paid_at, s.paid_at), closed_at = coalesce(v.closed_at, s.closed_at),
             updated_slot = v.slot, updated_pos = v.pos
         FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::int2[], $5::int2[], $6::timestamptz[], $7::timestamptz[],
                     $8::timestamptz[], $9::int8[], $10::int8[])
              AS v(submission, incarnation, status, approvals, rejections, decided_at, paid_at, closed_at, slot, pos)
         WHERE s.submission = v.submission AND s.incarnation = v.incarnation
           AND (s.updated_slot, s.updated_pos) <= (v.slot, v.pos)",
        &p.iter().map(|((k, _), _)| k.clone()).collect::<Vec<_>>(),
        &p.iter().map(|((_, i), _)| *i).collect::<Vec<_>>(),
        &p.iter().map(|(_, v)| v.status).collect::<Vec<_>>() as &[Option<&str>],
        &p.iter().map(|(_, v)| v.approvals.map(i16::from)).collect::<Vec<_>>() as &[Option<i16>],
        &p.iter().map(|(_, v)| v.rejections.map(i16::from)).collect::<Vec<_>>() as &[Option<i16>],
        &time(&|v| v.decided_at) as &[Option<DateTime<Utc>>],
        &time(&|v| v.paid_at) as &[Option<DateTime<Utc>>],
        &time(&|v| v.closed_at) as &[Option<DateTime<Utc>>],
        &p.iter().map(|(_, v)| slot_pos(&v.updated).0).collect::<Vec<_>>(),
        &p.iter().map(|(_, v)| slot_pos(&v.updated).1).collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The append-only tables; their order does not matter, and re-reads insert nothing.
async fn insert_ledgers(conn: &mut PgConnection, changes: &Changes) -> Result<(), DbError> {
    if !changes.fundings.is_empty() {
        let f = &changes.fundings;
        let placed = Placed::of(f);
        sqlx::query!(
            "INSERT INTO fundings (signature, instruction_index, inner_index, slot, pos, bounty_incarnation, bounty,
                 funder, mint, requested, received, funded_at)
             SELECT s, ix, inn, sl, p, bi, b, f, m, rq::numeric, rc::numeric, t
             FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::int4[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::text[], $12::timestamptz[])
                  AS u(s, ix, inn, sl, p, bi, b, f, m, rq, rc, t)
             ON CONFLICT DO NOTHING",
            &placed.signatures,
            &placed.instruction_indexes,
            &placed.inner_indexes,
            &placed.slots,
            &placed.positions,
            &placed.bounty_incarnations,
            &f.iter().map(|r| key_text(&r.event.bounty)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.funder)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.mint)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.requested)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.received)).collect::<Vec<_>>(),
            &f.iter().map(|r| pg_time(r.event.funded_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        )
        .execute(&mut *conn)
        .await?;
    }
    if !changes.refunds.is_empty() {
        let f = &changes.refunds;
        let placed = Placed::of(f);
        sqlx::query!(
            "INSERT INTO refunds (signature, instruction_index, inner_index, slot, pos, bounty_incarnation, bounty,
                 creator, creator_token_account, amount, received, untracked_swept, refunded_at)
             SELECT s, ix, inn, sl, p, bi, b, c, cta, a::numeric, rc::numeric, us::numeric, t
             FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::int4[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
                  AS u(s, ix, inn, sl, p, bi, b, c, cta, a, rc, us, t)
             ON CONFLICT DO NOTHING",
            &placed.signatures,
            &placed.instruction_indexes,
            &placed.inner_indexes,
            &placed.slots,
            &placed.positions,
            &placed.bounty_incarnations,
            &f.iter().map(|r| key_text(&r.event.bounty)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.creator)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.creator_token_account)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.amount)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.received)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.untracked_swept)).collect::<Vec<_>>(),
            &f.iter().map(|r| pg_time(r.event.refunded_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        )
        .execute(&mut *conn)
        .await?;
    }
    if !changes.payouts.is_empty() {
        let f = &changes.payouts;
        let placed = Placed::of(f);
        sqlx::query!(
            "INSERT INTO payouts (signature, instruction_index, inner_index, slot, pos, bounty_incarnation, bounty,
                 submission, submission_incarnation, contributor, contributor_token_account, amount, received, paid_at)
             SELECT s, ix, inn, sl, p, bi, b, sub, si, c, cta, a::numeric, rc::numeric, t
             FROM UNNEST($1::text[], $2::int2[], $3::int2[], $4::int8[], $5::int8[], $6::int4[], $7::text[], $8::text[],
                         $9::int4[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
                  AS u(s, ix, inn, sl, p, bi, b, sub, si, c, cta, a, rc, t)
             ON CONFLICT DO NOTHING",
            &placed.signatures,
            &placed.instruction_indexes,
            &placed.inner_indexes,
            &placed.slots,
            &placed.positions,
            &placed.bounty_incarnations,
            &f.iter().map(|r| key_text(&r.event.bounty)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.submission)).collect::<Vec<_>>(),
            &f.iter().map(|r| r.submission_incarnation).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.contributor)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.contributor_token_account)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.amount)).collect::<Vec<_>>(),
            &f.iter().map(|r| numeric(r.event.received)).collect::<Vec<_>>(),
            &f.iter().map(|r| pg_time(r.event.paid_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        )
        .execute(&mut *conn)
        .await?;
    }
    if !changes.attestations.is_empty() {
        let f = &changes.attestations;
        let placed = Placed::of(f);
        sqlx::query!(
            "INSERT INTO attestations (signature, slot, pos, bounty_incarnation, bounty, submission,
                 submission_incarnation, reviewer, reviewer_index, approve, attested_at, reviewer_generation,
                 reason_code, reason_uri, reason_uri_raw)
             SELECT s, sl, p, bi, b, sub, si, r, ri, a, t, g, rc, ru, rur
             FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::int4[], $5::text[], $6::text[], $7::int4[], $8::text[],
                         $9::int2[], $10::bool[], $11::timestamptz[], $12::int4[], $13::int4[], $14::text[],
                         $15::bytea[])
                  AS u(s, sl, p, bi, b, sub, si, r, ri, a, t, g, rc, ru, rur)
             ON CONFLICT DO NOTHING",
            &placed.signatures,
            &placed.slots,
            &placed.positions,
            &placed.bounty_incarnations,
            &f.iter().map(|r| key_text(&r.event.bounty)).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.submission)).collect::<Vec<_>>(),
            &f.iter().map(|r| r.submission_incarnation).collect::<Vec<_>>(),
            &f.iter().map(|r| key_text(&r.event.reviewer)).collect::<Vec<_>>(),
            &f.iter().map(|r| i16::from(r.event.reviewer_index)).collect::<Vec<_>>(),
            &f.iter().map(|r| r.event.approve).collect::<Vec<_>>(),
            &f.iter().map(|r| pg_time(r.event.attested_at)).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
            &f.iter()
                .map(|r| i32::try_from(r.event.reviewer_generation).unwrap_or(i32::MAX))
                .collect::<Vec<_>>(),
            &f.iter().map(|r| i32::from(r.event.reason_code)).collect::<Vec<_>>(),
            &f.iter()
                .map(|r| r.event.reason_uri.as_deref().map(|u| storable_text(u).into_owned()))
                .collect::<Vec<_>>() as &[Option<String>],
            &f.iter()
                .map(|r| r.event.reason_uri.clone().map(String::into_bytes))
                .collect::<Vec<_>>() as &[Option<Vec<u8>>],
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Rebuilds the state and ledger rows of `bounties` (every incarnation, with their
/// submissions) by replaying their stored events in chain order.
pub async fn replay(conn: &mut PgConnection, bounties: &HashSet<String>) -> Result<(), DbError> {
    if bounties.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = bounties.iter().cloned().collect();
    let involved = summaries::involved(conn, &keys).await?;
    // One checked statement, one round trip: every table's rows of these bounties.
    sqlx::query!(
        "WITH a AS (DELETE FROM attestations WHERE bounty = ANY($1)),
              fa AS (DELETE FROM fee_awards WHERE bounty = ANY($1)),
              fc AS (DELETE FROM fee_claims WHERE bounty = ANY($1)),
              bm AS (DELETE FROM bond_movements WHERE bounty = ANY($1)),
              f AS (DELETE FROM fundings WHERE bounty = ANY($1)),
              p AS (DELETE FROM payouts WHERE bounty = ANY($1)),
              r AS (DELETE FROM refunds WHERE bounty = ANY($1)),
              s AS (DELETE FROM submissions WHERE bounty = ANY($1))
         DELETE FROM bounties WHERE bounty = ANY($1)",
        &keys,
    )
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        "SELECT signature, slot, pos, instruction_index, inner_index, raw FROM events
         WHERE bounty = ANY($1) ORDER BY slot, pos",
        &keys,
    )
    .fetch_all(&mut *conn)
    .await?;
    let decoded: Vec<_> = rows
        .into_iter()
        .filter_map(|r| {
            let event = decode_event(&r.raw).ok()?;
            let position = Position {
                slot: u64::try_from(r.slot).unwrap_or(0),
                tx_index: u32::try_from(r.pos >> 32).unwrap_or(0),
                instruction_index: r.instruction_index,
                inner_index: r.inner_index,
            };
            Some((r.signature, position, event))
        })
        .collect();
    let changes = project(
        Incarnations::default(),
        decoded.iter().map(|(signature, position, event)| Located {
            signature,
            position: *position,
            event,
        }),
    );
    write(conn, &changes).await?;
    summaries::recount(conn, involved).await
}
