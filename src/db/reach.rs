//! Telling an unreachable database (answer 503, try again) from a wrong statement.
use sea_orm::DbErr;

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
        Sqlx::Database(db) => {
            db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some()
                && db.code().is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03"))
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
