//! The summary tables behind the analyst views, kept in step with every write in the
//! same database transaction: contributors paid in a write are recounted from their
//! payouts; submissions decided in a write add their votes to their reviewers and their
//! time to decision to their bounty. A replay recounts everything it touched.

use std::collections::HashSet;

use sqlx::PgConnection;

use super::{fair_work, DbError};
use crate::key_text::key_text;
use crate::projection::Changes;

/// Brings the summaries up to date with `changes`, just written, which decided the
/// submissions `decided`.
pub async fn add(
    conn: &mut PgConnection,
    changes: &Changes,
    decided: &[(String, i32)],
) -> Result<(), DbError> {
    let contributors: HashSet<String> = changes
        .payouts
        .iter()
        .map(|p| key_text(&p.event.contributor))
        .collect();
    recount_contributors(conn, &contributors.into_iter().collect::<Vec<_>>()).await?;
    let bounties: HashSet<String> = changes
        .new_bounties
        .iter()
        .map(|b| key_text(&b.event.bounty))
        .chain(changes.bounties.keys().map(|(b, _)| b.clone()))
        .collect();
    recount_datasets(conn, &bounties.into_iter().collect::<Vec<_>>()).await?;
    recount_reviewer_fees(conn, &fair_work::fee_reviewers(changes)).await?;
    let (submissions, incarnations): (Vec<String>, Vec<i32>) = decided.iter().cloned().unzip();
    if submissions.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO reviewer_totals (reviewer, mint, votes, agreed)
         SELECT a.reviewer, b.mint, count(*), count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))
         FROM UNNEST($1::text[], $2::int4[]) AS d(submission, incarnation)
         JOIN submissions s ON s.submission = d.submission AND s.incarnation = d.incarnation
         JOIN bounties b ON b.bounty = s.bounty AND b.incarnation = s.bounty_incarnation
         JOIN attestations a ON a.submission = d.submission AND a.submission_incarnation = d.incarnation
         WHERE s.status IN ('Accepted', 'Paid', 'Rejected')
         GROUP BY a.reviewer, b.mint
         ON CONFLICT (reviewer, mint) DO UPDATE SET votes = reviewer_totals.votes + EXCLUDED.votes,
             agreed = reviewer_totals.agreed + EXCLUDED.agreed",
        &submissions,
        &incarnations,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO bounty_quorum (bounty, incarnation, decided, total_seconds, max_seconds)
         SELECT s.bounty, s.bounty_incarnation, count(*),
                coalesce(sum(extract(epoch FROM s.decided_at - s.created_at)::bigint), 0),
                coalesce(max(extract(epoch FROM s.decided_at - s.created_at)::bigint), 0)
         FROM UNNEST($1::text[], $2::int4[]) AS d(submission, incarnation)
         JOIN submissions s ON s.submission = d.submission AND s.incarnation = d.incarnation
         WHERE s.decided_at IS NOT NULL
         GROUP BY s.bounty, s.bounty_incarnation
         ON CONFLICT (bounty, incarnation) DO UPDATE SET decided = bounty_quorum.decided + EXCLUDED.decided,
             total_seconds = bounty_quorum.total_seconds + EXCLUDED.total_seconds,
             max_seconds = greatest(bounty_quorum.max_seconds, EXCLUDED.max_seconds)",
        &submissions,
        &incarnations,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recounts the dataset and mint totals of the datasets these bounties belong to.
async fn recount_datasets(conn: &mut PgConnection, bounties: &[String]) -> Result<(), DbError> {
    if bounties.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "WITH touched AS (SELECT DISTINCT dataset_id, mint FROM bounties WHERE bounty = ANY($1)),
         gone AS (DELETE FROM dataset_totals t USING touched
                  WHERE t.dataset_id = touched.dataset_id AND t.mint = touched.mint)
         INSERT INTO dataset_totals (dataset_id, mint, bounties, funded, released, refunded, reserved, paid_submissions)
         SELECT b.dataset_id, b.mint, count(*), sum(b.funded), sum(b.released), sum(b.refunded), sum(b.reserved),
                sum(b.paid)
         FROM bounties b JOIN touched USING (dataset_id, mint)
         GROUP BY b.dataset_id, b.mint
         ON CONFLICT (dataset_id, mint) DO UPDATE SET bounties = EXCLUDED.bounties, funded = EXCLUDED.funded,
             released = EXCLUDED.released, refunded = EXCLUDED.refunded, reserved = EXCLUDED.reserved,
             paid_submissions = EXCLUDED.paid_submissions",
        bounties,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Recounts the contributors' totals from their payouts.
async fn recount_contributors(
    conn: &mut PgConnection,
    contributors: &[String],
) -> Result<(), DbError> {
    if contributors.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "DELETE FROM contributor_totals WHERE contributor = ANY($1)",
        contributors
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO contributor_totals (contributor, mint, paid_submissions, earned, received, first_paid_at, last_paid_at)
         SELECT p.contributor, b.mint, count(*), sum(p.amount), sum(p.received), min(p.paid_at), max(p.paid_at)
         FROM payouts p
         JOIN bounties b ON b.bounty = p.bounty AND b.incarnation = p.bounty_incarnation
         WHERE p.contributor = ANY($1)
         GROUP BY p.contributor, b.mint",
        contributors,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets each reviewer's fees earned and claimed in each mint from the fee ledgers (a
/// reviewer with fees in a mint but no decided votes in it gets a row of its own).
async fn recount_reviewer_fees(
    conn: &mut PgConnection,
    reviewers: &[String],
) -> Result<(), DbError> {
    if reviewers.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO reviewer_totals (reviewer, mint, votes, agreed, fees_earned, fees_claimed)
         SELECT f.reviewer, b.mint, 0, 0, sum(f.earned), sum(f.claimed)
         FROM (SELECT reviewer, bounty, bounty_incarnation, fee AS earned, 0 AS claimed
               FROM fee_awards WHERE reviewer = ANY($1)
               UNION ALL
               SELECT reviewer, bounty, bounty_incarnation, 0, amount
               FROM fee_claims WHERE reviewer = ANY($1)) f
         JOIN bounties b ON b.bounty = f.bounty AND b.incarnation = f.bounty_incarnation
         GROUP BY f.reviewer, b.mint
         ON CONFLICT (reviewer, mint) DO UPDATE SET fees_earned = EXCLUDED.fees_earned,
             fees_claimed = EXCLUDED.fees_claimed",
        reviewers,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Who a set of bounties' summaries involve, read before their rows are replaced.
pub struct Involved {
    contributors: Vec<String>,
    reviewers: Vec<String>,
    bounties: Vec<String>,
}

pub async fn involved(conn: &mut PgConnection, bounties: &[String]) -> Result<Involved, DbError> {
    let contributors = sqlx::query_scalar!(
        "SELECT DISTINCT contributor FROM payouts WHERE bounty = ANY($1)",
        bounties
    )
    .fetch_all(&mut *conn)
    .await?;
    // Fee rows too: a reviewer's fees are summed from them whatever became of the votes.
    let reviewers = sqlx::query_scalar!(
        r#"SELECT reviewer AS "reviewer!" FROM attestations WHERE bounty = ANY($1)
           UNION SELECT reviewer FROM fee_awards WHERE bounty = ANY($1)
           UNION SELECT reviewer FROM fee_claims WHERE bounty = ANY($1)"#,
        bounties
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Involved {
        contributors,
        reviewers,
        bounties: bounties.to_vec(),
    })
}

/// Recounts every summary row that `involved` (before a replay) or the replayed rows
/// (after it) touch.
pub async fn recount(conn: &mut PgConnection, before: Involved) -> Result<(), DbError> {
    let bounties = before.bounties;
    let after = involved(conn, &bounties).await?;
    let contributors: HashSet<String> = before
        .contributors
        .into_iter()
        .chain(after.contributors)
        .collect();
    recount_contributors(conn, &contributors.into_iter().collect::<Vec<_>>()).await?;
    let reviewers: Vec<String> = before
        .reviewers
        .into_iter()
        .chain(after.reviewers)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    sqlx::query!(
        "DELETE FROM reviewer_totals WHERE reviewer = ANY($1)",
        &reviewers
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO reviewer_totals (reviewer, mint, votes, agreed)
         SELECT a.reviewer, b.mint, count(*), count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))
         FROM attestations a
         JOIN submissions s ON s.submission = a.submission AND s.incarnation = a.submission_incarnation
         JOIN bounties b ON b.bounty = s.bounty AND b.incarnation = s.bounty_incarnation
         WHERE a.reviewer = ANY($1) AND s.status IN ('Accepted', 'Paid', 'Rejected')
         GROUP BY a.reviewer, b.mint",
        &reviewers,
    )
    .execute(&mut *conn)
    .await?;
    recount_reviewer_fees(conn, &reviewers).await?;
    recount_datasets(conn, &bounties).await?;
    sqlx::query!(
        "DELETE FROM bounty_quorum WHERE bounty = ANY($1)",
        &bounties
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO bounty_quorum (bounty, incarnation, decided, total_seconds, max_seconds)
         SELECT bounty, bounty_incarnation, count(*), coalesce(sum(seconds_to_decision), 0),
                coalesce(max(seconds_to_decision), 0)
         FROM submission_time_to_quorum WHERE bounty = ANY($1)
         GROUP BY bounty, bounty_incarnation",
        &bounties,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
