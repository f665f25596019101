//! What the API and the report read: the analyst views and current-state tables, one
//! JSON object per row. Amounts leave Postgres as strings (numeric(20,0) exceeds JSON's
//! safe integers). Every ordering ends in a key, so pages never repeat or skip a row.

use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
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

/// A condition a long list is narrowed by. Times are unix seconds (the caller clamps
/// them to what a timestamp can hold); a payout's mint is its bounty's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Mint(String),
    CreatedAfter(i64),
    CreatedBefore(i64),
    PaidAfter(i64),
    PaidBefore(i64),
}

impl Filter {
    /// The filter's name in a query string.
    pub fn name(&self) -> &'static str {
        match self {
            Filter::Mint(_) => "mint",
            Filter::CreatedAfter(_) => "created_after",
            Filter::CreatedBefore(_) => "created_before",
            Filter::PaidAfter(_) => "paid_after",
            Filter::PaidBefore(_) => "paid_before",
        }
    }

    /// The condition on `view`'s table, its value parameter `$n`.
    fn condition(&self, view: View, n: usize) -> String {
        match self {
            Filter::Mint(_) if view == View::ContributorPayouts => format!(
                "EXISTS (SELECT 1 FROM bounties b WHERE b.bounty = payouts.bounty \
                 AND b.incarnation = payouts.bounty_incarnation AND b.mint = ${n})"
            ),
            Filter::Mint(_) => format!("mint = ${n}"),
            Filter::CreatedAfter(_) => format!("created_at >= to_timestamp(${n})"),
            Filter::CreatedBefore(_) => format!("created_at < to_timestamp(${n})"),
            Filter::PaidAfter(_) => format!("paid_at >= to_timestamp(${n})"),
            Filter::PaidBefore(_) => format!("paid_at < to_timestamp(${n})"),
        }
    }
}

const BOUNTY_JSON: &str = "jsonb_build_object('bounty', bounty, 'incarnation', incarnation, 'creator', creator, \
     'dataset_id', dataset_id, 'mint', mint, 'status', status, 'reward_per_submission', reward_per_submission::text, \
     'max_winners', max_winners, 'quorum', quorum, 'reviewers', reviewers, 'funded', funded::text, \
     'reserved', reserved::text, 'released', released::text, 'refunded', refunded::text, 'submissions', submissions, \
     'pending', pending, 'accepted', accepted, 'paid', paid, 'open_submission_accounts', open_submission_accounts, \
     'submission_deadline', submission_deadline_unix::text, 'review_deadline', review_deadline_unix::text, \
     'created_at', created_at, 'metadata_uri', metadata_uri, 'updated_slot', updated_slot, \
     'review_fee', review_fee::text, 'submission_bond', submission_bond::text, 'fees_reserved', fees_reserved::text, \
     'fees_paid', fees_paid::text, 'bonds_held', bonds_held::text, 'bonds_returned', bonds_returned::text, \
     'bonds_forfeited', bonds_forfeited::text, 'reviewer_generations', reviewer_generations)";

const PAYOUT_JSON: &str = "jsonb_build_object('bounty', bounty, 'bounty_incarnation', bounty_incarnation, \
     'submission', submission, 'submission_incarnation', submission_incarnation, 'amount', amount::text, \
     'received', received::text, 'paid_at', paid_at, 'signature', signature, 'slot', slot)";

const SUBMISSION_JSON: &str = "jsonb_build_object('submission', submission, 'incarnation', incarnation, \
     'bounty', bounty, 'bounty_incarnation', bounty_incarnation, 'contributor', contributor, 'hash', hash, 'uri', uri, \
     'status', status, 'approvals', approvals, 'rejections', rejections, 'created_at', created_at, \
     'review_deadline', review_deadline_unix::text, 'decided_at', decided_at, 'paid_at', paid_at, \
     'closed_at', closed_at, 'updated_slot', updated_slot, \
     'bond', bond::text, 'bond_status', bond_status, 'rejection_reasons', \
     (SELECT coalesce(jsonb_agg(jsonb_build_object('reviewer', a.reviewer, 'code', a.reason_code, 'uri', a.reason_uri) \
         ORDER BY a.slot, a.pos), '[]') FROM attestations a \
      WHERE a.submission = submissions.submission AND a.submission_incarnation = submissions.incarnation \
        AND NOT a.approve))";

/// Where a page starts: after skipping `offset` rows, or after the row whose cursor a
/// previous page returned (keyset paging: one index descent at any depth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Offset(i64),
    After(Vec<String>),
}

/// How a view pages by cursor: its ordering columns (all in one direction, so that one
/// row comparison finds the start in the index) and the type of each.
pub struct Keyset {
    pub columns: &'static [(&'static str, &'static str)],
    pub descending: bool,
}

impl Keyset {
    /// `(a, b) < ($n::t, $n+1::u)` for the columns, parameters from `$first`.
    fn predicate(&self, first: usize) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|(c, _)| *c).collect();
        let params: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| format!("${}::{ty}", first + i))
            .collect();
        let op = if self.descending { "<" } else { ">" };
        format!("({}) {op} ({})", columns.join(", "), params.join(", "))
    }

    fn order(&self) -> String {
        let dir = if self.descending { " DESC" } else { "" };
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(c, _)| format!("{c}{dir}"))
            .collect();
        columns.join(", ")
    }

    /// The cursor of a row: its ordering columns joined by dots.
    fn cursor(&self) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|(c, _)| *c).collect();
        format!("concat_ws('.', {})", columns.join(", "))
    }

    /// A page of `table`: the page's primary keys first (an index-only walk from the
    /// cursor, or past the offset), then the rows with their cursors.
    /// `filters` use the parameters before `$next`.
    fn sql(
        &self,
        json: &str,
        table: &str,
        pk: &str,
        filters: &[&str],
        mut next: usize,
        start: &Start,
    ) -> String {
        let mut filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
        if let Start::After(_) = start {
            filters.push(self.predicate(next));
            next += self.columns.len();
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        let skip = match start {
            Start::Offset(_) => format!(" OFFSET ${}", next + 1),
            Start::After(_) => String::new(),
        };
        let order = self.order();
        format!(
            "SELECT {json}, {cursor} FROM {table} JOIN (SELECT {pk} FROM {table} {filter} \
             ORDER BY {order} LIMIT ${next}{skip}) page USING ({pk}) ORDER BY {order}",
            cursor = self.cursor()
        )
    }

    /// Splits a cursor into its parts, checking each integer part.
    /// Each part must fit its column, so that a forged cursor is refused here and never
    /// reaches Postgres (a NUL byte or an out-of-range integer would fail the query).
    pub fn parse(&self, text: &str) -> Option<Vec<String>> {
        let parts: Vec<String> = text.split('.').map(str::to_string).collect();
        let fits = parts.len() == self.columns.len()
            && parts
                .iter()
                .zip(self.columns)
                .all(|(part, (_, ty))| match *ty {
                    // The text columns of every keyset are account addresses.
                    "text" => Pubkey::from_str(part).is_ok(),
                    "integer" => part.parse::<i32>().is_ok(),
                    _ => part.parse::<i64>().is_ok(),
                });
        fits.then_some(parts)
    }
}

const BOUNTIES_KEYSET: Keyset = Keyset {
    columns: &[
        ("created_slot", "bigint"),
        ("bounty", "text"),
        ("incarnation", "integer"),
    ],
    descending: true,
};

const SUBMISSIONS_KEYSET: Keyset = Keyset {
    columns: &[
        ("created_slot", "bigint"),
        ("created_pos", "bigint"),
        ("submission", "text"),
        ("incarnation", "integer"),
    ],
    descending: false,
};

const PAYOUTS_KEYSET: Keyset = Keyset {
    columns: &[("slot", "bigint"), ("pos", "bigint")],
    descending: true,
};

impl View {
    /// Whether the view can be narrowed by `filter` (its table has the column).
    pub fn takes(self, filter: &Filter) -> bool {
        match self {
            View::Bounties => matches!(
                filter,
                Filter::Mint(_) | Filter::CreatedAfter(_) | Filter::CreatedBefore(_)
            ),
            View::BountySubmissions => {
                matches!(filter, Filter::CreatedAfter(_) | Filter::CreatedBefore(_))
            }
            View::ContributorPayouts => matches!(
                filter,
                Filter::Mint(_) | Filter::PaidAfter(_) | Filter::PaidBefore(_)
            ),
            // Totals are kept per mint: amounts of different tokens never add up.
            View::ContributorEarnings | View::ReviewerAgreement | View::DatasetFunding => {
                matches!(filter, Filter::Mint(_))
            }
            View::Bounty | View::TimeToQuorum => false,
        }
    }

    /// Whether the view takes a key (`$1`) before limit and offset.
    pub fn keyed(self) -> bool {
        matches!(
            self,
            View::Bounty | View::BountySubmissions | View::ContributorPayouts
        )
    }

    /// How the view pages by cursor, if it does (the long lists do; the short summaries
    /// page by offset).
    pub fn keyset(self) -> Option<&'static Keyset> {
        match self {
            View::Bounties => Some(&BOUNTIES_KEYSET),
            View::BountySubmissions => Some(&SUBMISSIONS_KEYSET),
            View::ContributorPayouts => Some(&PAYOUTS_KEYSET),
            _ => None,
        }
    }

    /// The query for a page from `start`, built here because it depends on how the page
    /// starts. Keyset views: `$1` is the key when the view takes one, then the cursor's
    /// parts, then limit (and offset). A bounty: the key, limit, offset. `None` for the
    /// summaries, whose statements are fixed and checked at compile time
    /// ([`Db::summary`]).
    fn sql(self, start: &Start, filters: &[Filter]) -> Option<String> {
        // The view's key (if it takes one) is $1; the filters' values follow it.
        let (key, first) = match self {
            View::BountySubmissions => (Some("bounty = $1"), 2),
            View::ContributorPayouts => (Some("contributor = $1"), 2),
            _ => (None, 1),
        };
        let conditions: Vec<String> = key
            .map(str::to_string)
            .into_iter()
            .chain(
                filters
                    .iter()
                    .enumerate()
                    .map(|(i, f)| f.condition(self, first + i)),
            )
            .collect();
        let conditions: Vec<&str> = conditions.iter().map(String::as_str).collect();
        let next = first + filters.len();
        Some(match self {
            View::Bounties => {
                BOUNTIES_KEYSET.sql(BOUNTY_JSON, "bounties", "bounty, incarnation", &conditions, next, start)
            }
            View::BountySubmissions => SUBMISSIONS_KEYSET.sql(
                SUBMISSION_JSON,
                "submissions",
                "submission, incarnation",
                &conditions,
                next,
                start,
            ),
            View::ContributorPayouts => PAYOUTS_KEYSET.sql(
                PAYOUT_JSON,
                "payouts",
                "signature, instruction_index, inner_index",
                &conditions,
                next,
                start,
            ),
            // Shares BOUNTY_JSON with the list, so a bounty reads the same in both.
            View::Bounty => format!(
                "SELECT {BOUNTY_JSON} FROM bounties WHERE bounty = $1 ORDER BY incarnation DESC LIMIT $2 OFFSET $3"
            ),
            View::ContributorEarnings
            | View::ReviewerAgreement
            | View::TimeToQuorum
            | View::DatasetFunding => return None,
        })
    }
}

impl Db {
    /// A page of a summary view from `offset`, of one mint's totals if `mint` is given.
    /// (The API pages these by offset only.)
    async fn summary(
        &self,
        view: View,
        mint: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let pool = &self.pool;
        match view {
            View::ContributorEarnings => sqlx::query_scalar!(
                r#"SELECT jsonb_build_object('contributor', contributor, 'mint', mint,
                'paid_submissions', paid_submissions, 'earned', earned::text, 'received_after_fees', received_after_fees::text,
                'last_paid_at', last_paid_at) AS "item!" FROM contributor_earnings JOIN (SELECT contributor, mint FROM contributor_totals
                WHERE $3::text IS NULL OR mint = $3
                ORDER BY earned DESC, contributor, mint LIMIT $1 OFFSET $2) page USING (contributor, mint)
                ORDER BY earned DESC, contributor, mint"#,
                limit,
                offset,
                mint,
            )
            .fetch_all(pool)
            .await,
            View::ReviewerAgreement => sqlx::query_scalar!(
                r#"SELECT jsonb_build_object('reviewer', reviewer, 'mint', mint, 'votes', votes, 'agreed', agreed,
                'agreement', agreement, 'fees_earned', fees_earned::text, 'fees_claimed', fees_claimed::text)
                AS "item!" FROM reviewer_agreement WHERE $3::text IS NULL OR mint = $3
                ORDER BY votes DESC, reviewer, mint LIMIT $1 OFFSET $2"#,
                limit,
                offset,
                mint,
            )
            .fetch_all(pool)
            .await,
            // The page of summaries first, then the median for those rows only.
            View::TimeToQuorum => sqlx::query_scalar!(
                r#"SELECT jsonb_build_object('bounty', q.bounty, 'incarnation', q.incarnation,
                'decided', q.decided, 'avg_seconds', round(q.total_seconds / q.decided, 1), 'median_seconds', m.median,
                'max_seconds', q.max_seconds) AS "item!"
                FROM (SELECT * FROM bounty_quorum WHERE decided > 0 ORDER BY bounty, incarnation LIMIT $1 OFFSET $2) q
                CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.decided_at - s.created_at)) AS median
                    FROM submissions s WHERE s.bounty = q.bounty AND s.bounty_incarnation = q.incarnation
                    AND s.decided_at IS NOT NULL) m
                ORDER BY q.bounty, q.incarnation"#,
                limit,
                offset,
            )
            .fetch_all(pool)
            .await,
            View::DatasetFunding => sqlx::query_scalar!(
                r#"SELECT jsonb_build_object('dataset_id', dataset_id, 'mint', mint, 'bounties', bounties,
                'funded', funded::text, 'released', released::text, 'refunded', refunded::text, 'reserved', reserved::text,
                'paid_submissions', paid_submissions) AS "item!" FROM dataset_funding WHERE $3::text IS NULL OR mint = $3
                ORDER BY dataset_id, mint LIMIT $1 OFFSET $2"#,
                limit,
                offset,
                mint,
            )
            .fetch_all(pool)
            .await,
            // Read with SQL built for the page (`View::sql`); never sent here.
            View::Bounties | View::Bounty | View::BountySubmissions | View::ContributorPayouts => Err(
                sqlx::Error::InvalidArgument(format!("{view:?} is not a summary view")),
            ),
        }
    }
}

impl Db {
    /// A page of `view` as JSON objects, and the cursor of its last row when the view
    /// pages by cursor.
    pub async fn read(
        &self,
        view: View,
        key: Option<&str>,
        filters: &[Filter],
        limit: i64,
        start: &Start,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), sqlx::Error> {
        if let Some(filter) = filters.iter().find(|f| !view.takes(f)) {
            return Err(sqlx::Error::InvalidArgument(format!(
                "{view:?} takes no {} filter",
                filter.name()
            )));
        }
        let Some(sql) = view.sql(start, filters) else {
            let mint = filters.iter().find_map(|f| match f {
                Filter::Mint(mint) => Some(mint.as_str()),
                _ => None,
            });
            return match start {
                Start::Offset(offset) => self
                    .summary(view, mint, limit, *offset)
                    .await
                    .map(|items| (items, None)),
                Start::After(_) => Err(sqlx::Error::InvalidArgument(format!(
                    "{view:?} pages by offset, not by cursor"
                ))),
            };
        };
        let mut query = sqlx::query(&sql);
        if view.keyed() {
            query = query.bind(key.unwrap_or_default());
        }
        for filter in filters {
            query = match filter {
                Filter::Mint(mint) => query.bind(mint.clone()),
                Filter::CreatedAfter(unix)
                | Filter::CreatedBefore(unix)
                | Filter::PaidAfter(unix)
                | Filter::PaidBefore(unix) => query.bind(*unix),
            };
        }
        let rows = page(query, limit, start).fetch_all(&self.pool).await?;
        with_cursor(&rows, view.keyset().is_some())
    }

    /// Events after `after` (a chain position), in chain order, with their position and
    /// finality: the change feed for dApp backends.
    pub async fn events_after(
        &self,
        after: (i64, i64),
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT jsonb_build_object('cursor', slot::text || '.' || pos::text, 'slot', slot,
                'signature', signature, 'instruction_index', instruction_index, 'inner_index', inner_index,
                'name', name, 'bounty', bounty, 'data', data, 'finalized', finalized, 'block_time', block_time) AS "event!"
             FROM events WHERE (slot, pos) > ($1, $2) ORDER BY slot, pos LIMIT $3"#,
            after.0,
            after.1,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Whether any incarnation of `bounty` is indexed.
    pub async fn bounty_exists(&self, bounty: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM bounties WHERE bounty = $1) AS "exists!""#,
            bounty,
        )
        .fetch_one(&self.pool)
        .await
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds what follows a view's own parameters: the cursor's parts or nothing, the limit,
/// and the offset when paging by offset.
fn page<'q>(mut query: Query<'q>, limit: i64, start: &'q Start) -> Query<'q> {
    if let Start::After(parts) = start {
        for part in parts {
            query = query.bind(part);
        }
    }
    query = query.bind(limit);
    if let Start::Offset(offset) = start {
        query = query.bind(*offset);
    }
    query
}

/// The JSON objects of a page and, for a keyset view, the cursor of its last row.
fn with_cursor(
    rows: &[sqlx::postgres::PgRow],
    keyset: bool,
) -> Result<(Vec<serde_json::Value>, Option<String>), sqlx::Error> {
    let items = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<_>, _>>()?;
    let next = match rows.last() {
        Some(last) if keyset => Some(last.try_get(1)?),
        _ => None,
    };
    Ok((items, next))
}
