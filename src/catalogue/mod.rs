//! The service catalogue (school IT services with stable slugs) and the external providers
//! who cover them. Below the ticket kernel, which checks a ticket's service against it.
pub mod providers;
pub mod services;
pub mod suggest;
