//! Raw statements for both databases: written with `?` placeholders, numbered for
//! PostgreSQL; and the few expressions the two spell differently.
use sea_orm::{DatabaseBackend, Statement, Value};

pub fn statement(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend != DatabaseBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut numbered = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            numbered.push('$');
            numbered.push_str(&n.to_string());
        } else {
            numbered.push(c);
        }
    }
    Statement::from_sql_and_values(backend, numbered, values)
}

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
