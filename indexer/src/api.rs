//! The HTTP JSON API over the analyst views and current-state tables, with pagination,
//! plus `/metrics` for Prometheus and `/health`.
//!
//! Errors are JSON `{"error": ...}`: 400 for a malformed parameter or key, 404 for a
//! bounty that is not indexed, 503 when the database cannot be reached, 500 for any
//! other database failure.

use std::str::FromStr;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::cors::{Any, CorsLayer};

use crate::db::{comparable_unix, Db, Filter, Start, View};
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct ApiState {
    pub db: Db,
    pub metrics: Metrics,
    /// `/health` fails once no pass has succeeded for this long.
    pub stall_after: Duration,
}

/// The query string of a list: `?limit=` 1..=500 (default 50), where the page starts
/// (`?after=<cursor>`, the `next` of the previous page, on the long lists; or `?offset=`,
/// 0..=1,000 on the lists with a cursor and 0..=10,000 on the summaries), and the
/// filters (`?mint=`, `?created_after=`, `?created_before=`, `?paid_after=`,
/// `?paid_before=`; times in unix seconds), each on the lists that take it
/// (`View::takes`). Any other parameter is a 400: a misspelt filter must not return
/// the whole list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    after: Option<String>,
    mint: Option<String>,
    created_after: Option<i64>,
    created_before: Option<i64>,
    paid_after: Option<i64>,
    paid_before: Option<i64>,
}

type ListQueryResult = Result<Query<ListQuery>, QueryRejection>;

/// A list request, checked against its view.
struct ListRequest {
    limit: i64,
    start: Start,
    filters: Vec<Filter>,
}

pub const MAX_LIMIT: i64 = 500;

/// Skipping rows costs as much as reading them (an offset near 10,000 on the bounties
/// took 43.6 ms at the 95th percentile on a million events). Lists with a cursor, which
/// reads any depth in one index descent, stop offsets early; the summaries, which page
/// by offset only, allow deeper ones.
pub const MAX_OFFSET_WITH_CURSOR: i64 = 1_000;
pub const MAX_OFFSET: i64 = 10_000;

impl ListQuery {
    fn request(&self, view: View) -> Result<ListRequest, ApiError> {
        let (limit, start) = self.bounds(view)?;
        let filters = self.filters(view)?;
        Ok(ListRequest {
            limit,
            start,
            filters,
        })
    }

    fn bounds(&self, view: View) -> Result<(i64, Start), ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}, not {limit}"
            )));
        }
        let start = match (&self.after, self.offset) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadRequest(
                    "give either after or offset, not both".into(),
                ))
            }
            (Some(cursor), None) => {
                let keyset = view.keyset().ok_or_else(|| {
                    ApiError::BadRequest("this list pages by offset, not by cursor".into())
                })?;
                let parts = keyset.parse(cursor).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "{cursor:?} is not a cursor of this list (take `next` from the previous page)"
                    ))
                })?;
                Start::After(parts)
            }
            (None, offset) => {
                let offset = offset.unwrap_or(0);
                let (max, deeper) = match view.keyset() {
                    Some(_) => (
                        MAX_OFFSET_WITH_CURSOR,
                        "; read deeper pages with after=<next>",
                    ),
                    None => (MAX_OFFSET, ""),
                };
                if !(0..=max).contains(&offset) {
                    return Err(ApiError::BadRequest(format!(
                        "offset must be between 0 and {max}, not {offset}{deeper}"
                    )));
                }
                Start::Offset(offset)
            }
        };
        Ok((limit, start))
    }
}

/// A page as JSON: its items, its limit, and `next` (the cursor of its last row) for the
/// lists that page by cursor.
fn page_json(items: Vec<Value>, limit: i64, start: &Start, next: Option<String>) -> Json<Value> {
    let mut body = json!({ "items": items, "limit": limit });
    if let Start::Offset(offset) = start {
        body["offset"] = json!(offset);
    }
    if let Some(next) = next {
        body["next"] = json!(next);
    }
    Json(body)
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .merge(data_routes())
        .fallback(|| async { ApiError::NotFound("no such endpoint".into()) })
        .with_state(state)
}

/// The data a dApp reads, open to web pages of any origin (`cors`); the operator's
/// `/health` and `/metrics` are not.
fn data_routes() -> Router<ApiState> {
    Router::new()
        .route("/bounties", get(bounties))
        .route("/bounties/{bounty}", get(bounty))
        .route("/bounties/{bounty}/submissions", get(bounty_submissions))
        .route(
            "/contributors/earnings",
            get(summary(View::ContributorEarnings)),
        )
        .route(
            "/contributors/{contributor}/payouts",
            get(contributor_payouts),
        )
        .route("/events", get(events))
        .route(
            "/reviewers/agreement",
            get(summary(View::ReviewerAgreement)),
        )
        .route("/time-to-quorum", get(summary(View::TimeToQuorum)))
        .route("/datasets/funding", get(summary(View::DatasetFunding)))
        .layer(cors())
}

/// Any web page may read the data from a browser: it is public chain data, only GETs
/// are answered, and no cookies or credentials are taken, so a dApp frontend needs no
/// proxy of its own in front of it. Any request header may be sent (a client library
/// that adds `Content-Type` to a GET makes the browser ask first).
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        .allow_headers(Any)
        .max_age(Duration::from_secs(3600))
}

pub enum ApiError {
    BadRequest(String),
    NotFound(String),
    Database(sqlx::Error),
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            ApiError::Database(err) => {
                tracing::error!(error = %err, "API query failed");
                match err {
                    sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the database is unreachable".to_string(),
                    ),
                    _ => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the query failed".to_string(),
                    ),
                }
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// An account address (a bounty, a contributor, a mint), checked.
fn bounty_key(text: &str) -> Result<String, ApiError> {
    Pubkey::from_str(text)
        .map(|k| k.to_string())
        .map_err(|_| ApiError::BadRequest(format!("{text:?} is not a base58 account address")))
}

async fn list(state: &ApiState, view: View, key: Option<&str>, request: ListRequest) -> ApiResult {
    let ListRequest {
        limit,
        start,
        filters,
    } = request;
    let (items, next) = state
        .db
        .read(view, key, &filters, limit, &start)
        .await
        .map_err(ApiError::Database)?;
    Ok(page_json(items, limit, &start, next))
}

async fn health(State(state): State<ApiState>) -> Response {
    let health = state.metrics.health(state.stall_after);
    let database = state.db.ping().await.is_ok();
    let healthy = database && health.status != "stalled";
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = serde_json::to_value(&health).unwrap_or_else(|_| json!({}));
    body["database"] = json!(if database { "ok" } else { "unreachable" });
    if !database {
        body["status"] = json!("database unreachable");
    }
    (code, Json(body)).into_response()
}

async fn metrics(State(state): State<ApiState>) -> String {
    state.metrics.render()
}

impl ListQuery {
    /// The filters given, or a 400 naming one that `view` does not take.
    fn filters(&self, view: View) -> Result<Vec<Filter>, ApiError> {
        let time =
            |t: Option<i64>, filter: fn(i64) -> Filter| t.map(|t| filter(comparable_unix(t)));
        let mint = self.mint.as_deref().map(bounty_key).transpose()?;
        let given = [
            mint.map(Filter::Mint),
            time(self.created_after, Filter::CreatedAfter),
            time(self.created_before, Filter::CreatedBefore),
            time(self.paid_after, Filter::PaidAfter),
            time(self.paid_before, Filter::PaidBefore),
        ];
        let filters: Vec<Filter> = given.into_iter().flatten().collect();
        if let Some(filter) = filters.iter().find(|f| !view.takes(f)) {
            return Err(ApiError::BadRequest(format!(
                "this list takes no {} filter",
                filter.name()
            )));
        }
        Ok(filters)
    }
}

async fn bounties(State(state): State<ApiState>, query: ListQueryResult) -> ApiResult {
    let request = query?.0.request(View::Bounties)?;
    list(&state, View::Bounties, None, request).await
}

async fn contributor_payouts(
    State(state): State<ApiState>,
    id: Result<Path<String>, PathRejection>,
    query: ListQueryResult,
) -> ApiResult {
    let key = bounty_key(&id?.0)?;
    let request = query?.0.request(View::ContributorPayouts)?;
    list(&state, View::ContributorPayouts, Some(&key), request).await
}

/// `/events?after=<cursor>&limit=`: the change feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    after: Option<String>,
    limit: Option<i64>,
}

/// A cursor is `<slot>.<position>` as the feed returns it; a bare slot means "after
/// everything before that slot".
fn cursor(text: &str) -> Result<(i64, i64), ApiError> {
    let bad = || ApiError::BadRequest(format!("{text:?} is not a cursor (<slot>.<position>)"));
    match text.split_once('.') {
        Some((slot, pos)) => Ok((
            slot.parse().map_err(|_| bad())?,
            pos.parse().map_err(|_| bad())?,
        )),
        None => Ok((text.parse::<i64>().map_err(|_| bad())?, -1)),
    }
}

async fn events(
    State(state): State<ApiState>,
    feed: Result<Query<Feed>, QueryRejection>,
) -> ApiResult {
    let Query(feed) = feed?;
    let after = feed
        .after
        .as_deref()
        .map(cursor)
        .transpose()?
        .unwrap_or((-1, -1));
    let limit = feed.limit.unwrap_or(100);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and 1000, not {limit}"
        )));
    }
    let items = state
        .db
        .events_after(after, limit)
        .await
        .map_err(ApiError::Database)?;
    let next = items
        .last()
        .and_then(|e| e["cursor"].as_str().map(str::to_string))
        .or(feed.after);
    Ok(Json(json!({ "items": items, "next": next })))
}

/// A query string that may hold nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

async fn bounty(
    State(state): State<ApiState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<NoQuery>, QueryRejection>,
) -> ApiResult {
    let key = bounty_key(&id?.0)?;
    query?;
    let (mut found, _) = state
        .db
        .read(View::Bounty, Some(&key), &[], 1, &Start::Offset(0))
        .await
        .map_err(ApiError::Database)?;
    if found.is_empty() {
        return Err(ApiError::NotFound(format!("no bounty {key} is indexed")));
    }
    Ok(Json(found.swap_remove(0)))
}

async fn bounty_submissions(
    State(state): State<ApiState>,
    id: Result<Path<String>, PathRejection>,
    query: ListQueryResult,
) -> ApiResult {
    let key = bounty_key(&id?.0)?;
    let request = query?.0.request(View::BountySubmissions)?;
    if !state
        .db
        .bounty_exists(&key)
        .await
        .map_err(ApiError::Database)?
    {
        return Err(ApiError::NotFound(format!("no bounty {key} is indexed")));
    }
    list(&state, View::BountySubmissions, Some(&key), request).await
}

/// The handler of a summary view: one page of it, by offset (the per-mint totals take
/// `?mint=`).
fn summary(
    view: View,
) -> impl Fn(State<ApiState>, ListQueryResult) -> BoxFuture<'static, ApiResult> + Clone {
    move |State(state), query: ListQueryResult| {
        Box::pin(async move {
            let request = query?.0.request(view)?;
            list(&state, view, None, request).await
        })
    }
}
