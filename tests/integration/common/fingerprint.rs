//! A fingerprint of the whole database, to show that a refused request changed nothing.
use sea_orm::ConnectionTrait;

use super::TestApp;

impl TestApp {
    /// Every row of every table (found in the database's own catalogue, so new tables count
    /// too) except the login throttle's, where a failed login counts on purpose; each row as
    /// `table: JSON`, sorted. Equal fingerprints mean nothing was changed.
    pub async fn fingerprint(&self) -> String {
        use sea_orm::{DbBackend, Statement};
        let db = self.db();
        let backend = db.get_database_backend();
        let texts = |sql: String| async move {
            db.query_all_raw(Statement::from_string(backend, sql))
                .await
                .expect("read the database")
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).expect("text column"))
                .collect::<Vec<String>>()
        };
        let tables = texts(match backend {
            DbBackend::Postgres => "SELECT table_name::text FROM information_schema.tables \
                                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                .to_string(),
            _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".to_string(),
        })
        .await;
        let mut all = Vec::new();
        for table in tables.iter().filter(|t| *t != "login_attempts" && *t != "seaql_migrations") {
            let rows = match backend {
                DbBackend::Postgres => texts(format!("SELECT row_to_json(t)::text FROM \"{table}\" t")).await,
                _ => {
                    let columns = texts(format!("SELECT name FROM pragma_table_info('{table}')")).await;
                    let list = columns.iter().map(|c| format!("'{c}', \"{c}\"")).collect::<Vec<_>>().join(", ");
                    texts(format!("SELECT json_object({list}) FROM \"{table}\"")).await
                }
            };
            all.extend(rows.into_iter().map(|row| format!("{table}: {row}")));
        }
        all.sort();
        all.join("\n")
    }
}
