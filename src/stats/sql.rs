//! The few expressions the two databases spell differently; statements are written with
//! `?` placeholders (`db::sql::statement`).
use sea_orm::DatabaseBackend;

pub use crate::db::sql::statement;

/// Hours from `start` to `end` (two timestamp columns), as a float.
pub fn hours_between(backend: DatabaseBackend, start: &str, end: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0"),
        _ => format!("(julianday({end}) - julianday({start})) * 24.0"),
    }
}

/// An integer aggregate that both databases hand back as a 64-bit integer, 0 for no rows.
pub fn count_if(condition: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

/// A float aggregate both hand back as a double (PostgreSQL's EXTRACT is numeric).
pub fn avg_float(expr: &str) -> String {
    format!("CAST(AVG({expr}) AS DOUBLE PRECISION)")
}
