//! Schools: the tenants. Operators create, rename and deactivate them.
pub mod service;
