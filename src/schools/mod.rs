//! Schools: the tenants. Operators create, rename and deactivate them.
pub mod routes;
pub mod service;

pub use routes::routes;
