//! The operators' administration: users, schools, the service catalogue and providers, and
//! data protection (a person's data, the view log).
pub mod catalogue;
pub mod privacy;
pub mod schools;
pub mod users;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = users::routes();
    routes.extend(schools::routes());
    routes.extend(catalogue::routes());
    routes.extend(privacy::routes());
    routes
}
