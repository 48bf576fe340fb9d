//! Telling an unreachable database (answer 503, try again) from a wrong statement, and
//! knowing it is gone before a request waits for it.
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::DbErr;

/// Whether the database server is known to be gone right now, as a watcher of its own
/// finds out (`watch`). While it is, requests answer 503 at once instead of each waiting
/// the pool's acquire timeout (10 s by default) for a connection that cannot come.
#[derive(Debug, Default)]
pub struct Reachability {
    down: AtomicBool,
}

impl Reachability {
    pub fn is_known_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    fn set_down(&self, down: bool) {
        if self.down.swap(down, Ordering::AcqRel) != down {
            if down {
                tracing::error!("the database cannot be reached: requests answer 503 until it is back");
            } else {
                tracing::info!("the database is reachable again");
            }
        }
    }
}

/// How often the watcher asks, and how long an answer may take.
const WATCH_EVERY: Duration = Duration::from_secs(1);
const WATCH_DEADLINE: Duration = Duration::from_secs(1);

/// Watches a PostgreSQL server on a connection of its own (not one of the pool's, so a
/// pool busy with a burst of requests is never taken for a lost server): a ping every
/// second, a new connection when the last one broke. Runs until `stop` turns true.
pub async fn watch(url: String, reach: std::sync::Arc<Reachability>, mut stop: tokio::sync::watch::Receiver<bool>) {
    use sea_orm::sqlx::{postgres::PgConnection, Connection};
    let mut conn: Option<PgConnection> = None;
    loop {
        let reachable = tokio::time::timeout(WATCH_DEADLINE, async {
            if conn.is_none() {
                conn = PgConnection::connect(&url).await.ok();
            }
            match conn.as_mut() {
                Some(c) => c.ping().await.is_ok(),
                None => false,
            }
        })
        .await
        .unwrap_or(false);
        if !reachable {
            // Broken or timed out: start over with a new connection on the next round.
            conn = None;
        }
        reach.set_down(!reachable);
        tokio::select! {
            _ = tokio::time::sleep(WATCH_EVERY) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Whether an error says that the database cannot be reached right now (the server is
/// gone, the connection broke, no connection could be had in time) rather than that a
/// statement was wrong: such a request answers 503, and may succeed when tried again.
pub fn is_unreachable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::RuntimeErr;
    let sqlx = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P01–57P03: the server is shutting
        // down, was shut down, or is not accepting connections yet.
        // (PostgreSQL's codes only: SQLite's are numbers of another scheme.)
        // 57014: cancelled by the statement timeout — the database is too busy right now.
        Sqlx::Database(db) => {
            db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some()
                && db.code().is_some_and(|code| {
                    code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "57014")
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

    fn query(e: Sqlx) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
    }

    #[test]
    fn a_lost_server_is_unreachable_a_wrong_statement_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(super::is_unreachable(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
        assert!(super::is_unreachable(&query(Sqlx::Io(reset))));
        assert!(super::is_unreachable(&query(Sqlx::PoolTimedOut)));
        assert!(!super::is_unreachable(&query(Sqlx::RowNotFound)));
        assert!(!super::is_unreachable(&DbErr::RecordNotFound("ticket".into())));
        assert!(!super::is_unreachable(&DbErr::Custom("no such column".into())));
    }
}
