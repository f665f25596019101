//! Query latency of every HTTP endpoint and analyst view on a database of about a
//! million events of the realistic mix (filled once through the real sink and kept for
//! later runs): p50/p95 over at least 200 requests, "cold" (200 different parameters:
//! bounties, contributors, pages) and "warm" (one request repeated), through the real
//! API over HTTP.
//!
//! `DATABASE_URL=postgres://... cargo bench -p databounty-indexer --bench queries`
//! (`BENCH_EVENTS`, default 1000000; `BENCH_REQUESTS`, default 200). The last line is
//! `queries: worst_p95_ms=<x> endpoint=<name>`.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/workload.rs"]
mod workload;

use std::time::{Duration, Instant};

use databounty_indexer::api::{router, ApiState, MAX_OFFSET, MAX_OFFSET_WITH_CURSOR};
use databounty_indexer::db::{Db, Writer};
use databounty_indexer::metrics::Metrics;
use sqlx::{Connection, Executor, PgConnection};

const DATABASE: &str = "databounty_bench_queries";

/// The bench database, filled with at least `events` events (reused when it has them).
async fn filled(base: &str, events: usize) -> String {
    let url = figures::database_url(base, DATABASE);
    let have: i64 = match PgConnection::connect(&url).await {
        Ok(mut conn) => sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&mut conn)
            .await
            .unwrap_or(0),
        Err(_) => 0,
    };
    let migrated = async {
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        db
    };
    if usize::try_from(have).unwrap_or(0) >= events {
        // Same data, schema brought up to date.
        let db = migrated.await;
        vacuumed(&db).await;
        db.pool.close().await;
        println!("reusing {DATABASE} ({have} events)");
        return url;
    }
    figures::recreate_database(base, DATABASE).await;
    let db = migrated.await;
    let txs = workload::Generator::new(7).transactions(events);
    let n: usize = txs.iter().map(|t| t.rows.len()).sum();
    let mut writer = Writer::try_acquire(&db, "bench")
        .await
        .expect("connect")
        .expect("writer lock");
    let started = Instant::now();
    for chunk in txs.chunks(1_000) {
        writer.write(chunk, u64::MAX).await.expect("write");
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(writer);
    vacuumed(&db).await;
    db.pool.close().await;
    println!(
        "filled {DATABASE}: {n} events in {} transactions through the sink in {seconds:.0} s ({:.0} events/s)",
        txs.len(),
        n as f64 / seconds
    );
    url
}

/// Statistics and visibility as autovacuum leaves them once it has passed (a fresh fill
/// or a migration's new indexes have neither): index-only scans need all-visible pages.
async fn vacuumed(db: &Db) {
    sqlx::query("VACUUM (ANALYZE)")
        .execute(&db.pool)
        .await
        .expect("vacuum");
}

/// The cursor of the row at each tenth of a list (`$1` the offset, `$2` the key).
async fn cursors(conn: &mut PgConnection, sql: &str, key: Option<&str>, total: i64) -> Vec<String> {
    let mut found = Vec::new();
    for tenth in 0..10 {
        let mut query = sqlx::query_scalar(sql).bind(total * tenth / 10);
        if let Some(key) = key {
            query = query.bind(key);
        }
        found.push(query.fetch_one(&mut *conn).await.expect("a cursor"));
    }
    found
}

struct Measured {
    name: String,
    p50: f64,
    p95: f64,
}

/// Times `paths` over HTTP; every answer must be 200.
async fn measure(client: &reqwest::Client, base: &str, name: &str, paths: &[String]) -> Measured {
    let mut times = Vec::with_capacity(paths.len());
    for path in paths {
        let started = Instant::now();
        let reply = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        let status = reply.status();
        let body = reply.bytes().await.expect("body");
        times.push(started.elapsed().as_secs_f64() * 1_000.0);
        assert!(status.is_success(), "{path}: {status} {body:?}");
    }
    times.sort_by(f64::total_cmp);
    Measured {
        name: name.into(),
        p50: figures::percentile(&times, 0.5),
        p95: figures::percentile(&times, 0.95),
    }
}

/// Times SQL over the views (what analysts run), `n` times each.
async fn measure_sql(conn: &mut PgConnection, name: &str, sql: &str, n: usize) -> Measured {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        conn.fetch_all(sql).await.expect(sql);
        times.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    times.sort_by(f64::total_cmp);
    Measured {
        name: name.into(),
        p50: figures::percentile(&times, 0.5),
        p95: figures::percentile(&times, 0.95),
    }
}

#[tokio::main]
async fn main() {
    let base = figures::server_url();
    let events = figures::setting("BENCH_EVENTS", 1_000_000);
    let requests = figures::setting("BENCH_REQUESTS", 200).max(20);
    let url = filled(&base, events).await;
    let db = Db::connect_reader(&url).expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let api = format!("http://{}", listener.local_addr().expect("address"));
    let app = router(ApiState {
        db: db.clone(),
        metrics: Metrics::default(),
        stall_after: Duration::from_secs(60),
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();

    let mut conn = PgConnection::connect(&url).await.expect("connect");
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM bounties),
                (SELECT count(*) FROM submissions), (SELECT count(DISTINCT contributor) FROM payouts)",
    )
    .fetch_one(&mut conn)
    .await
    .expect("counts");
    println!(
        "database: {} events, {} bounties, {} submissions, {} paid contributors",
        counts.0, counts.1, counts.2, counts.3
    );
    // Realistic parameters: bounties from the largest down, contributors around the
    // median by payouts, pages deep into the lists.
    let bounties: Vec<String> = sqlx::query_scalar(
        "SELECT bounty FROM bounties ORDER BY submissions DESC, bounty LIMIT $1",
    )
    .bind(i64::try_from(requests).unwrap_or(200))
    .fetch_all(&mut conn)
    .await
    .expect("bounties");
    let largest = bounties[0].clone();
    let largest_size: i64 = sqlx::query_scalar("SELECT max(submissions) FROM bounties")
        .fetch_one(&mut conn)
        .await
        .expect("size");
    let contributors: Vec<String> = sqlx::query_scalar(
        "SELECT contributor FROM (SELECT contributor, count(*) AS n FROM payouts GROUP BY contributor) c
         ORDER BY abs(n - 3), contributor LIMIT $1",
    )
    .bind(i64::try_from(requests).unwrap_or(200))
    .fetch_all(&mut conn)
    .await
    .expect("contributors");
    let deep = |total: i64, i: usize| (total * i64::try_from(i % 10).unwrap_or(0)) / 10;
    // Deep pages are read by cursor (`?after=`, what a client walking the list sends):
    // the cursors of rows at each tenth of the list. Offsets stop at 1,000 on the lists
    // with a cursor, at 10,000 on the summaries.
    let bounty_cursors = cursors(
        &mut conn,
        "SELECT concat_ws('.', created_slot, bounty, incarnation) FROM bounties \
         ORDER BY created_slot DESC, bounty DESC, incarnation DESC OFFSET $1 LIMIT 1",
        None,
        counts.1,
    )
    .await;
    let submission_cursors = cursors(
        &mut conn,
        "SELECT concat_ws('.', created_slot, created_pos, submission, incarnation) FROM submissions \
         WHERE bounty = $2 ORDER BY created_slot, created_pos, submission, incarnation OFFSET $1 LIMIT 1",
        Some(&largest),
        largest_size,
    )
    .await;
    // Filters: the largest bounty's mint, and times at each tenth of the bounties'
    // and of the largest bounty's submissions (a range reaching deep into the list).
    let mint: String = sqlx::query_scalar("SELECT mint FROM bounties WHERE bounty = $1 LIMIT 1")
        .bind(&largest)
        .fetch_one(&mut conn)
        .await
        .expect("a mint");
    let bounty_times = cursors(
        &mut conn,
        "SELECT extract(epoch FROM created_at)::bigint::text FROM bounties \
         ORDER BY created_slot OFFSET $1 LIMIT 1",
        None,
        counts.1,
    )
    .await;
    let submission_times = cursors(
        &mut conn,
        "SELECT extract(epoch FROM created_at)::bigint::text FROM submissions \
         WHERE bounty = $2 ORDER BY created_slot, created_pos OFFSET $1 LIMIT 1",
        Some(&largest),
        largest_size,
    )
    .await;
    let cold = |f: &dyn Fn(usize) -> String| (0..requests).map(f).collect::<Vec<_>>();
    let warm = |path: String| vec![path; requests];

    let mut results = Vec::new();
    let endpoints: Vec<(&str, Vec<String>, Vec<String>)> = vec![
        (
            "/bounties",
            cold(&|i| format!("/bounties?limit=50&after={}", bounty_cursors[i % 10])),
            warm("/bounties?limit=50".into()),
        ),
        (
            "/bounties (offset)",
            cold(&|i| {
                format!(
                    "/bounties?limit=50&offset={}",
                    deep(counts.1.min(MAX_OFFSET_WITH_CURSOR), i)
                )
            }),
            warm(format!(
                "/bounties?limit=50&offset={MAX_OFFSET_WITH_CURSOR}"
            )),
        ),
        (
            "/bounties/{bounty}",
            cold(&|i| format!("/bounties/{}", bounties[i % bounties.len()])),
            warm(format!("/bounties/{largest}")),
        ),
        (
            "/bounties/{bounty}/submissions",
            cold(&|i| {
                format!(
                    "/bounties/{largest}/submissions?limit=50&after={}",
                    submission_cursors[i % 10]
                )
            }),
            warm(format!("/bounties/{largest}/submissions?limit=50")),
        ),
        (
            "/bounties?mint&created_before",
            cold(&|i| {
                format!(
                    "/bounties?limit=50&mint={mint}&created_before={}",
                    bounty_times[i % 10]
                )
            }),
            warm(format!(
                "/bounties?limit=50&mint={mint}&created_before={}",
                bounty_times[5]
            )),
        ),
        (
            "/bounties?created_before",
            cold(&|i| format!("/bounties?limit=50&created_before={}", bounty_times[i % 10])),
            warm(format!(
                "/bounties?limit=50&created_before={}",
                bounty_times[5]
            )),
        ),
        (
            // Newest first down to the bound: near the end of history, fewer than a page
            // match and the walk runs to the oldest bounty.
            "/bounties?created_after",
            cold(&|i| format!("/bounties?limit=50&created_after={}", bounty_times[i % 10])),
            warm(format!(
                "/bounties?limit=50&created_after={}",
                bounty_times[9]
            )),
        ),
        (
            "/bounties/{bounty}/submissions?created_after",
            cold(&|i| {
                format!(
                    "/bounties/{largest}/submissions?limit=50&created_after={}",
                    submission_times[i % 10]
                )
            }),
            warm(format!(
                "/bounties/{largest}/submissions?limit=50&created_after={}",
                submission_times[9]
            )),
        ),
        (
            "/contributors/earnings",
            cold(&|i| format!("/contributors/earnings?limit=50&offset={}", (i % 10) * 500)),
            warm("/contributors/earnings?limit=50".into()),
        ),
        (
            "/contributors/{contributor}/payouts",
            cold(&|i| {
                format!(
                    "/contributors/{}/payouts",
                    contributors[i % contributors.len()]
                )
            }),
            warm(format!("/contributors/{}/payouts", contributors[0])),
        ),
        (
            "/contributors/{contributor}/payouts?mint&paid_after",
            cold(&|i| {
                format!(
                    "/contributors/{}/payouts?mint={mint}&paid_after={}",
                    contributors[i % contributors.len()],
                    bounty_times[i % 10]
                )
            }),
            warm(format!(
                "/contributors/{}/payouts?mint={mint}&paid_after={}",
                contributors[0], bounty_times[0]
            )),
        ),
        (
            "/contributors/earnings?mint",
            cold(&|i| {
                format!(
                    "/contributors/earnings?limit=50&mint={mint}&offset={}",
                    (i % 10) * 500
                )
            }),
            warm(format!("/contributors/earnings?limit=50&mint={mint}")),
        ),
        (
            "/reviewers/agreement",
            cold(&|i| format!("/reviewers/agreement?limit=50&offset={}", (i % 5) * 50)),
            warm("/reviewers/agreement?limit=50".into()),
        ),
        (
            "/reviewers/agreement?mint",
            cold(&|i| {
                format!(
                    "/reviewers/agreement?limit=50&mint={mint}&offset={}",
                    (i % 5) * 50
                )
            }),
            warm(format!("/reviewers/agreement?limit=50&mint={mint}")),
        ),
        (
            "/time-to-quorum",
            cold(&|i| {
                format!(
                    "/time-to-quorum?limit=50&offset={}",
                    deep(counts.1.min(MAX_OFFSET), i)
                )
            }),
            warm("/time-to-quorum?limit=50".into()),
        ),
        (
            "/datasets/funding",
            cold(&|i| format!("/datasets/funding?limit=50&offset={}", (i % 10) * 50)),
            warm("/datasets/funding?limit=50".into()),
        ),
        (
            "/datasets/funding?mint",
            cold(&|i| {
                format!(
                    "/datasets/funding?limit=50&mint={mint}&offset={}",
                    (i % 10) * 50
                )
            }),
            warm(format!("/datasets/funding?limit=50&mint={mint}")),
        ),
        (
            "/events",
            cold(&|i| format!("/events?limit=100&after={}", deep(counts.0, i))),
            warm("/events?limit=100".into()),
        ),
    ];
    for (name, cold_paths, warm_paths) in endpoints {
        results.push(measure(&client, &api, &format!("{name} cold"), &cold_paths).await);
        results.push(measure(&client, &api, &format!("{name} warm"), &warm_paths).await);
    }
    for (name, sql) in [
        (
            "view contributor_earnings",
            "SELECT * FROM contributor_earnings ORDER BY earned DESC LIMIT 50",
        ),
        (
            "view reviewer_agreement",
            "SELECT * FROM reviewer_agreement ORDER BY votes DESC LIMIT 50",
        ),
        (
            "view time_to_quorum",
            "SELECT * FROM time_to_quorum LIMIT 50",
        ),
        (
            "view dataset_funding",
            "SELECT * FROM dataset_funding LIMIT 50",
        ),
    ] {
        results.push(measure_sql(&mut conn, name, sql, requests).await);
    }
    println!("{:<48} {:>9} {:>9}", "endpoint", "p50 ms", "p95 ms");
    for m in &results {
        println!("{:<48} {:>9.2} {:>9.2}", m.name, m.p50, m.p95);
    }
    let worst = results
        .iter()
        .max_by(|a, b| a.p95.total_cmp(&b.p95))
        .expect("results");
    println!(
        "queries: worst_p95_ms={:.2} endpoint={}",
        worst.p95,
        worst.name.replace(' ', "_")
    );
}
