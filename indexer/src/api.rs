//! The HTTP JSON API over the analyst views and current-state tables, with pagination,
//! plus `/metrics` for Prometheus and `/health`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::db::Db;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct ApiState {
    pub db: Db,
    pub metrics: Metrics,
}

/// `?limit=&offset=`; limit defaults to 50, at most 500.
#[derive(Debug, Deserialize)]
pub struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

impl Page {
    fn bounds(&self) -> (i64, i64) {
        (
            self.limit.unwrap_or(50).clamp(1, 500),
            self.offset.unwrap_or(0).max(0),
        )
    }
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/bounties", get(bounties))
        .route("/bounties/{bounty}", get(bounty))
        .route("/bounties/{bounty}/submissions", get(bounty_submissions))
        .route("/contributors/earnings", get(earnings))
        .route("/reviewers/agreement", get(agreement))
        .route("/time-to-quorum", get(time_to_quorum))
        .route("/datasets/funding", get(dataset_funding))
        .with_state(state)
}

struct ApiError(sqlx::Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "API query failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "the database is unavailable" })),
        )
            .into_response()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// Runs a query whose single column is a JSON object per row (`to_jsonb(t)`).
async fn rows(db: &Db, sql: &str, binds: &[&str], page: &Page) -> Result<Vec<Value>, sqlx::Error> {
    let (limit, offset) = page.bounds();
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    let found: Vec<PgRow> = query.bind(limit).bind(offset).fetch_all(&db.pool).await?;
    Ok(found.iter().map(|r| r.get::<Value, _>(0)).collect())
}

fn paged(items: Vec<Value>, page: &Page) -> Json<Value> {
    let (limit, offset) = page.bounds();
    Json(json!({ "items": items, "limit": limit, "offset": offset }))
}

async fn health(State(state): State<ApiState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.db.pool).await {
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unavailable" })),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<ApiState>) -> String {
    state.metrics.render()
}

// Amounts leave Postgres as strings (numeric(20,0) exceeds JSON's safe integers).
const BOUNTY_JSON: &str = "jsonb_build_object('bounty', bounty, 'creator', creator, 'dataset_id', dataset_id, 'mint', mint, \
     'status', status, 'reward_per_submission', reward_per_submission::text, 'max_winners', max_winners, 'quorum', quorum, \
     'reviewers', reviewers, 'funded', funded::text, 'reserved', reserved::text, 'released', released::text, \
     'refunded', refunded::text, 'submissions', submissions, 'pending', pending, 'accepted', accepted, 'paid', paid, \
     'open_submission_accounts', open_submission_accounts, 'submission_deadline', submission_deadline, \
     'review_deadline', review_deadline, 'created_at', created_at, 'metadata_uri', metadata_uri)";

async fn bounties(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    let sql = format!(
        "SELECT {BOUNTY_JSON} FROM bounties ORDER BY created_at DESC, bounty LIMIT $1 OFFSET $2"
    );
    Ok(paged(
        rows(&state.db, &sql, &[], &page).await.map_err(ApiError)?,
        &page,
    ))
}

async fn bounty(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    let sql = format!("SELECT {BOUNTY_JSON} FROM bounties WHERE bounty = $1");
    match sqlx::query(&sql)
        .bind(&id)
        .fetch_optional(&state.db.pool)
        .await
    {
        Ok(Some(row)) => Json(row.get::<Value, _>(0)).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no bounty {id}") })),
        )
            .into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

async fn bounty_submissions(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult {
    let sql = "SELECT to_jsonb(s) FROM submissions s WHERE bounty = $1 ORDER BY created_at, submission LIMIT $2 OFFSET $3";
    Ok(paged(
        rows(&state.db, sql, &[&id], &page)
            .await
            .map_err(ApiError)?,
        &page,
    ))
}

async fn earnings(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    let sql = "SELECT jsonb_build_object('contributor', contributor, 'mint', mint, 'paid_submissions', paid_submissions, \
               'earned', earned::text, 'received_after_fees', received_after_fees::text, 'last_paid_at', last_paid_at) \
               FROM contributor_earnings ORDER BY earned DESC, contributor LIMIT $1 OFFSET $2";
    Ok(paged(
        rows(&state.db, sql, &[], &page).await.map_err(ApiError)?,
        &page,
    ))
}

async fn agreement(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    let sql = "SELECT jsonb_build_object('reviewer', reviewer, 'votes', votes, 'agreed', agreed, 'agreement', agreement) \
               FROM reviewer_agreement ORDER BY votes DESC, reviewer LIMIT $1 OFFSET $2";
    Ok(paged(
        rows(&state.db, sql, &[], &page).await.map_err(ApiError)?,
        &page,
    ))
}

async fn time_to_quorum(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    let sql = "SELECT to_jsonb(t) FROM time_to_quorum t ORDER BY bounty LIMIT $1 OFFSET $2";
    Ok(paged(
        rows(&state.db, sql, &[], &page).await.map_err(ApiError)?,
        &page,
    ))
}

async fn dataset_funding(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    let sql = "SELECT jsonb_build_object('dataset_id', dataset_id, 'mint', mint, 'bounties', bounties, 'funded', funded::text, \
               'released', released::text, 'refunded', refunded::text, 'reserved', reserved::text, 'paid_submissions', paid_submissions) \
               FROM dataset_funding ORDER BY dataset_id, mint LIMIT $1 OFFSET $2";
    Ok(paged(
        rows(&state.db, sql, &[], &page).await.map_err(ApiError)?,
        &page,
    ))
}
