//! What the API and the report read: the analyst views and current-state tables, one
//! JSON object per row. Amounts leave Postgres as strings (numeric(20,0) exceeds JSON's
//! safe integers). Every ordering ends in a key, so pages never repeat or skip a row.

use sqlx::Row;

use super::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Bounties,
    /// One bounty's newest incarnation, by address.
    Bounty,
    /// The submissions of a bounty (every incarnation), by address.
    BountySubmissions,
    /// A contributor's payouts, newest first, by address.
    ContributorPayouts,
    ContributorEarnings,
    ReviewerAgreement,
    TimeToQuorum,
    DatasetFunding,
}

const BOUNTY_JSON: &str = "jsonb_build_object('bounty', bounty, 'incarnation', incarnation, 'creator', creator, \
     'dataset_id', dataset_id, 'mint', mint, 'status', status, 'reward_per_submission', reward_per_submission::text, \
     'max_winners', max_winners, 'quorum', quorum, 'reviewers', reviewers, 'funded', funded::text, \
     'reserved', reserved::text, 'released', released::text, 'refunded', refunded::text, 'submissions', submissions, \
     'pending', pending, 'accepted', accepted, 'paid', paid, 'open_submission_accounts', open_submission_accounts, \
     'submission_deadline', submission_deadline_unix::text, 'review_deadline', review_deadline_unix::text, \
     'created_at', created_at, 'metadata_uri', metadata_uri, 'updated_slot', updated_slot)";

const SUBMISSION_JSON: &str = "jsonb_build_object('submission', submission, 'incarnation', incarnation, \
     'bounty', bounty, 'bounty_incarnation', bounty_incarnation, 'contributor', contributor, 'hash', hash, 'uri', uri, \
     'status', status, 'approvals', approvals, 'rejections', rejections, 'created_at', created_at, \
     'decided_at', decided_at, 'paid_at', paid_at, 'closed_at', closed_at, 'updated_slot', updated_slot)";

impl View {
    /// Whether the view takes a key (`$1`) before limit and offset.
    pub fn keyed(self) -> bool {
        matches!(
            self,
            View::Bounty | View::BountySubmissions | View::ContributorPayouts
        )
    }

    /// The query; `$1` is the key when the view takes one, then limit and offset.
    fn sql(self) -> String {
        match self {
            // The page's keys first (an index-only walk past the offset), then the rows.
            View::Bounties => format!(
                "SELECT {BOUNTY_JSON} FROM bounties JOIN (SELECT bounty, incarnation FROM bounties \
                 ORDER BY created_slot DESC, bounty, incarnation LIMIT $1 OFFSET $2) page USING (bounty, incarnation) \
                 ORDER BY created_slot DESC, bounty, incarnation"
            ),
            View::Bounty => format!(
                "SELECT {BOUNTY_JSON} FROM bounties WHERE bounty = $1 ORDER BY incarnation DESC LIMIT $2 OFFSET $3"
            ),
            View::BountySubmissions => format!(
                "SELECT {SUBMISSION_JSON} FROM submissions JOIN (SELECT submission, incarnation FROM submissions \
                 WHERE bounty = $1 ORDER BY created_slot, created_pos, submission, incarnation LIMIT $2 OFFSET $3) page \
                 USING (submission, incarnation) ORDER BY created_slot, created_pos, submission, incarnation"
            ),
            View::ContributorPayouts => "SELECT jsonb_build_object('bounty', bounty, 'bounty_incarnation', bounty_incarnation, \
                'submission', submission, 'submission_incarnation', submission_incarnation, 'amount', amount::text, \
                'received', received::text, 'paid_at', paid_at, 'signature', signature, 'slot', slot) \
                FROM payouts WHERE contributor = $1 ORDER BY slot DESC, pos DESC LIMIT $2 OFFSET $3"
                .into(),
            View::ContributorEarnings => "SELECT jsonb_build_object('contributor', contributor, 'mint', mint, \
                'paid_submissions', paid_submissions, 'earned', earned::text, 'received_after_fees', received_after_fees::text, \
                'last_paid_at', last_paid_at) FROM contributor_earnings JOIN (SELECT contributor, mint FROM contributor_totals \
                ORDER BY earned DESC, contributor, mint LIMIT $1 OFFSET $2) page USING (contributor, mint) \
                ORDER BY earned DESC, contributor, mint"
                .into(),
            View::ReviewerAgreement => "SELECT jsonb_build_object('reviewer', reviewer, 'votes', votes, 'agreed', agreed, \
                'agreement', agreement) FROM reviewer_agreement ORDER BY votes DESC, reviewer LIMIT $1 OFFSET $2"
                .into(),
            // The page of summaries first, then the median for those rows only.
            View::TimeToQuorum => "SELECT jsonb_build_object('bounty', q.bounty, 'incarnation', q.incarnation, \
                'decided', q.decided, 'avg_seconds', round(q.total_seconds / q.decided, 1), 'median_seconds', m.median, \
                'max_seconds', q.max_seconds) \
                FROM (SELECT * FROM bounty_quorum WHERE decided > 0 ORDER BY bounty, incarnation LIMIT $1 OFFSET $2) q \
                CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.decided_at - s.created_at)) AS median \
                    FROM submissions s WHERE s.bounty = q.bounty AND s.bounty_incarnation = q.incarnation \
                    AND s.decided_at IS NOT NULL) m \
                ORDER BY q.bounty, q.incarnation"
                .into(),
            View::DatasetFunding => "SELECT jsonb_build_object('dataset_id', dataset_id, 'mint', mint, 'bounties', bounties, \
                'funded', funded::text, 'released', released::text, 'refunded', refunded::text, 'reserved', reserved::text, \
                'paid_submissions', paid_submissions) FROM dataset_funding ORDER BY dataset_id, mint LIMIT $1 OFFSET $2"
                .into(),
        }
    }
}

impl Db {
    /// A page of `view` as JSON objects.
    pub async fn read(
        &self,
        view: View,
        key: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let sql = view.sql();
        let mut query = sqlx::query(&sql);
        if view.keyed() {
            query = query.bind(key.unwrap_or_default());
        }
        let rows = query.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Events after `after` (a chain position), in chain order, with their position and
    /// finality: the change feed for dApp backends.
    pub async fn events_after(
        &self,
        after: (i64, i64),
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT jsonb_build_object('cursor', slot::text || '.' || pos::text, 'slot', slot, \
                'signature', signature, 'instruction_index', instruction_index, 'inner_index', inner_index, \
                'name', name, 'bounty', bounty, 'data', data, 'finalized', finalized, 'block_time', block_time) \
             FROM events WHERE (slot, pos) > ($1, $2) ORDER BY slot, pos LIMIT $3",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Bounties of one mint and/or created within a time range (unix seconds), newest
    /// first.
    pub async fn bounties_filtered(
        &self,
        mint: Option<&str>,
        created: (Option<i64>, Option<i64>),
        limit: i64,
        offset: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let sql = format!(
            "SELECT {BOUNTY_JSON} FROM bounties WHERE ($1::text IS NULL OR mint = $1) \
             AND ($2::bigint IS NULL OR created_at >= to_timestamp($2)) \
             AND ($3::bigint IS NULL OR created_at < to_timestamp($3)) \
             ORDER BY created_slot DESC, bounty, incarnation LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(&sql)
            .bind(mint)
            .bind(created.0)
            .bind(created.1)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Whether any incarnation of `bounty` is indexed.
    pub async fn bounty_exists(&self, bounty: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bounties WHERE bounty = $1)")
            .bind(bounty)
            .fetch_one(&self.pool)
            .await
    }
}
