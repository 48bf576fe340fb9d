//! `/healthz` for load balancers: cheap, and honest about the database.
use rocket::http::Status;
use rocket::serde::json::{json, Value};
use rocket::{Route, State};
use sea_orm::{ConnectionTrait, DatabaseConnection};

#[rocket::get("/healthz")]
async fn healthz(db: &State<DatabaseConnection>) -> (Status, Value) {
    match db.execute_unprepared("SELECT 1").await {
        Ok(_) => (Status::Ok, json!({ "status": "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (Status::ServiceUnavailable, json!({ "status": "database unavailable" }))
        }
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![healthz]
}
