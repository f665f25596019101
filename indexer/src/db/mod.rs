//! The only place with SQL, one job per module: [`log`] (the transaction and event log,
//! checkpoints, quarantine), [`state`] (the state and ledger tables the projection
//! produces), [`summaries`] (the totals behind the analyst views), [`views`] (what the API and report read), and [`writer`] (the one writer:
//! batches, the advisory lock, splitting refused batches, rollbacks).
//!
//! Fixed statements are `sqlx::query!` macros, checked at compile time against `.sqlx/`
//! (regenerate it with `scripts/sqlx-prepare.sh` after changing one or a migration).
//! Array parameters are passed as `&[String]`-like slices because that is what the
//! macros check text[] against; arrays that may hold NULL have no such mapping, so they
//! are cast to their Rust type (`as &[Option<T>]`) and their SQL type is checked by
//! Postgres when they run.

pub mod fair_work;
pub mod log;
mod placed;
pub mod state;
pub mod summaries;
pub mod views;
pub mod writer;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

pub use views::{Filter, Start, View};
pub use writer::{Checkpoint, Writer};

/// What went wrong talking to Postgres (the source error is kept).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A write was abandoned (its task failed) and took the writer's connection, and
    /// so its lock, with it: the writer must take the lock again.
    #[error("the writer lost its connection with an abandoned write")]
    WriterLost,
}

/// How a database failure should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying as it is: the connection, the server's resources, a serialization
    /// conflict or a timeout.
    Transient,
    /// Postgres refused the data (a data exception or a constraint): retrying the same
    /// rows fails the same way, so the rows that cause it are quarantined.
    Refused,
    /// Anything else (a missing table, a bug): retrying cannot help; stop loudly.
    Fatal,
}

impl DbError {
    pub fn failure(&self) -> Failure {
        match self {
            DbError::Sql(err) => classify(err),
            DbError::Migrate(sqlx::migrate::MigrateError::Execute(err)) => classify(err),
            DbError::Migrate(_) => Failure::Fatal,
            DbError::WriterLost => Failure::Transient,
        }
    }

    /// The SQLSTATE, when Postgres sent one.
    pub fn sqlstate(&self) -> Option<String> {
        match self {
            DbError::Sql(sqlx::Error::Database(db)) => db.code().map(|c| c.into_owned()),
            _ => None,
        }
    }
}

/// Classifies by SQLSTATE class: 22 data exception and 23 integrity violation are the
/// data's fault; 08 connection, 40 transaction rollback (serialization, deadlock),
/// 53 resources, 55P03 lock not available, 57 operator intervention (shutdown,
/// statement timeout) and 58 system errors are the moment's.
pub fn classify(err: &sqlx::Error) -> Failure {
    match err {
        sqlx::Error::Database(db) => match db.code().as_deref().map(|c| c.get(..2)) {
            Some(Some("22" | "23")) => Failure::Refused,
            Some(Some("08" | "40" | "53" | "57" | "58")) => Failure::Transient,
            // lock_not_available: a lock_timeout while a DBA holds a lock.
            Some(Some("55")) if db.code().as_deref() == Some("55P03") => Failure::Transient,
            _ => Failure::Fatal,
        },
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Failure::Transient,
        _ => Failure::Fatal,
    }
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Unix seconds as a Postgres timestamp, or `None` outside what both Postgres
/// (4713 BC onwards) and chrono (to year 262143) can hold. The raw integer is stored
/// beside it wherever a user chose the value.
pub fn pg_time(unix: i64) -> Option<DateTime<Utc>> {
    if unix < POSTGRES_MIN_UNIX {
        return None;
    }
    DateTime::from_timestamp(unix, 0)
}

/// The earliest time Postgres holds (4713 BC), in unix seconds.
const POSTGRES_MIN_UNIX: i64 = -210_866_803_200;

/// Unix seconds moved into the range both Postgres and chrono hold, for comparisons
/// with a timestamp column: a bound beyond it compares the same as the range's end.
pub fn comparable_unix(unix: i64) -> i64 {
    unix.clamp(POSTGRES_MIN_UNIX, DateTime::<Utc>::MAX_UTC.timestamp())
}

/// A u64 as Postgres numeric text (there is no unsigned bigint).
pub fn numeric(v: u64) -> String {
    v.to_string()
}

/// Each API connection's settings. Custom plans: a statement with an optional filter
/// (`$1 IS NULL OR mint = $1`) is planned for the values it is given each time; after
/// five runs Postgres would otherwise be free to keep one generic plan, which cannot use
/// the filter's index (a deep page of one mint's earnings: 7.7 ms against 2). Planning
/// costs a fraction of a millisecond a request.
const READER_SESSION: &str =
    "SET statement_timeout = '5s'; SET default_transaction_read_only = on; \
     SET plan_cache_mode = force_custom_plan";

/// The reader: a pool for queries that never write.
#[derive(Clone)]
pub struct Db {
    pub pool: PgPool,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// A pool for the API: its own connections (analysts never take the writer's), each
    /// read-only and with a statement timeout, so no query can hold up ingestion or run
    /// forever. Connections are made when a request needs one: a database restarting
    /// as the indexer starts is a 503 for a moment, not a failed start.
    pub fn connect_reader(url: &str) -> Result<Self, DbError> {
        Ok(Self::connect_reader_with(url.parse()?))
    }

    /// [`Db::connect_reader`] to the server and database `options` name.
    pub fn connect_reader_with(options: PgConnectOptions) -> Self {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::Executor::execute(conn, READER_SESSION)
                        .await
                        .map(|_| ())
                })
            })
            .connect_lazy_with(options);
        Self { pool }
    }

    /// Applies the API's connection settings once, in a transaction rolled back: a server
    /// that refuses one (`plan_cache_mode` needs PostgreSQL 12) fails the start, instead
    /// of every request later as "unreachable".
    pub async fn check_reader_settings(&self) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?.detach();
        let checked = sqlx::raw_sql(&format!("BEGIN; {READER_SESSION}; ROLLBACK"))
            .execute(&mut conn)
            .await;
        let _ = sqlx::Connection::close(conn).await;
        checked?;
        Ok(())
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query_scalar!("SELECT 1 AS ping")
            .fetch_one(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_postgres_cannot_hold_are_none() {
        assert!(pg_time(i64::MAX).is_none());
        assert!(pg_time(i64::MIN).is_none());
        assert!(pg_time(-210_866_803_201).is_none());
        assert_eq!(pg_time(0).map(|t| t.timestamp()), Some(0));
        assert!(pg_time(253_402_300_800).is_some(), "year 10000 fits");
    }
}
