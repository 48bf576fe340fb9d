//! The service catalogue (school IT services with stable slugs) and the external providers
//! who cover them.
pub mod providers;
pub mod routes;
pub mod services;

pub use routes::routes;
