//! The HTTP JSON API over the analyst views and current-state tables, with pagination,
//! plus `/metrics` for Prometheus and `/health`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::{Db, View};
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

async fn list(state: &ApiState, view: View, key: Option<&str>, page: &Page) -> ApiResult {
    let (limit, offset) = page.bounds();
    let items = state
        .db
        .read(view, key, limit, offset)
        .await
        .map_err(ApiError)?;
    Ok(Json(
        json!({ "items": items, "limit": limit, "offset": offset }),
    ))
}

async fn health(State(state): State<ApiState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
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

async fn bounties(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    list(&state, View::Bounties, None, &page).await
}

async fn bounty(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    match state.db.read(View::Bounty, Some(&id), 1, 0).await {
        Ok(mut found) if !found.is_empty() => Json(found.swap_remove(0)).into_response(),
        Ok(_) => (
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
    list(&state, View::BountySubmissions, Some(&id), &page).await
}

async fn earnings(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    list(&state, View::ContributorEarnings, None, &page).await
}

async fn agreement(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    list(&state, View::ReviewerAgreement, None, &page).await
}

async fn time_to_quorum(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    list(&state, View::TimeToQuorum, None, &page).await
}

async fn dataset_funding(State(state): State<ApiState>, Query(page): Query<Page>) -> ApiResult {
    list(&state, View::DatasetFunding, None, &page).await
}
