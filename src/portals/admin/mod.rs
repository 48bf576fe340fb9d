//! The operators' administration: users, schools, the service catalogue and providers,
//! data protection (a person's data, the view log), and mail that needs an operator.
pub mod catalogue;
pub mod mail;
pub mod privacy;
pub mod schools;
pub mod users;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = users::routes();
    routes.extend(schools::routes());
    routes.extend(catalogue::routes());
    routes.extend(privacy::routes());
    routes.extend(mail::routes());
    routes
}
