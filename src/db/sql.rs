//! Raw statements for both databases, written once with `?` placeholders: PostgreSQL
//! numbers its placeholders (`$1`), SQLite takes them as written.
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
