//! SQLite's write connection, and putting it right after a write that failed.
//!
//! When a statement or a COMMIT fails with SQLITE_FULL (or an I/O error), SQLite may roll
//! the whole transaction back by itself. The driver (sqlx) does not notice: its ROLLBACK
//! then fails ("no transaction is active") and it keeps counting one transaction open. The
//! next write on that connection is begun as a SAVEPOINT, a failure there is undone with
//! ROLLBACK TO — which leaves the savepoint, and so a transaction, open — and from then on
//! every "commit" only released a nested savepoint: the connection held SQLite's write
//! lock for good (every other writer: "database is locked") and tickets answered with 201
//! were never committed (issue #13, measured on a full disk: 1–4 lost per run).
//!
//! So all writes of the process go through one connection of their own (they run one at a
//! time anyway, in the write turn), and after a write that did not commit, the next writer
//! first makes sure that SQLite and the driver agree that no transaction is open.
use sea_orm::sqlx::{self, Executor, Sqlite, SqlitePool};
use sqlx_core::transaction::TransactionManager as _;

type SqliteTransactions = <Sqlite as sqlx::Database>::TransactionManager;

/// Ends whatever transaction the write connection is still in, in SQLite and in the
/// driver's count. Runs in the write turn, so nobody else holds the connection.
pub async fn settle(pool: &SqlitePool) {
    if let Err(e) = try_settle(pool).await {
        tracing::error!(error = %e, "cannot check the write connection after a failed write");
    }
}

async fn try_settle(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let counted = SqliteTransactions::get_transaction_depth(&conn);
    // BEGIN fails inside a transaction: either way, one is open after it.
    let was_open = conn.execute("BEGIN").await.is_err();
    match counted {
        0 => {
            conn.execute("ROLLBACK").await?;
        }
        // The driver's ROLLBACK brings its count back to nought along with SQLite's state.
        1 => SqliteTransactions::rollback(&mut conn).await?,
        _ => {
            // A count the driver cannot be brought back from: a fresh connection instead.
            let _ = conn.execute("ROLLBACK").await;
            conn.close().await?;
        }
    }
    if was_open || counted != 0 {
        tracing::warn!(
            sqlite_transaction_open = was_open,
            driver_transactions = counted,
            "a failed write left the write connection inside a transaction; rolled back"
        );
    }
    Ok(())
}
