//! The service desk's configuration: SLA targets per priority, business hours and
//! holidays, and the business-time arithmetic that due times are computed with.
pub mod calendar;
pub mod clock;
pub mod routes;
pub mod service;

pub use routes::routes;
