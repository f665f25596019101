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
        matches!(self, View::Bounty | View::BountySubmissions)
    }

    /// The query; `$1` is the key when the view takes one, then limit and offset.
    fn sql(self) -> String {
        match self {
            View::Bounties => format!(
                "SELECT {BOUNTY_JSON} FROM bounties ORDER BY created_slot DESC, bounty, incarnation LIMIT $1 OFFSET $2"
            ),
            View::Bounty => format!(
                "SELECT {BOUNTY_JSON} FROM bounties WHERE bounty = $1 ORDER BY incarnation DESC LIMIT $2 OFFSET $3"
            ),
            View::BountySubmissions => format!(
                "SELECT {SUBMISSION_JSON} FROM submissions WHERE bounty = $1 \
                 ORDER BY created_slot, created_pos, submission, incarnation LIMIT $2 OFFSET $3"
            ),
            View::ContributorEarnings => "SELECT jsonb_build_object('contributor', contributor, 'mint', mint, \
                'paid_submissions', paid_submissions, 'earned', earned::text, 'received_after_fees', received_after_fees::text, \
                'last_paid_at', last_paid_at) FROM contributor_earnings ORDER BY earned DESC, contributor, mint LIMIT $1 OFFSET $2"
                .into(),
            View::ReviewerAgreement => "SELECT jsonb_build_object('reviewer', reviewer, 'votes', votes, 'agreed', agreed, \
                'agreement', agreement) FROM reviewer_agreement ORDER BY votes DESC, reviewer LIMIT $1 OFFSET $2"
                .into(),
            View::TimeToQuorum => {
                "SELECT to_jsonb(t) FROM time_to_quorum t ORDER BY bounty, incarnation LIMIT $1 OFFSET $2".into()
            }
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

    /// Whether any incarnation of `bounty` is indexed.
    pub async fn bounty_exists(&self, bounty: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bounties WHERE bounty = $1)")
            .bind(bounty)
            .fetch_one(&self.pool)
            .await
    }
}
