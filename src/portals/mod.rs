//! Each role's start page: pupils and teachers on the FAQ, school admins on the helpdesk
//! tile, the desk on its queues, operators on administration.
pub mod routes;

pub use routes::routes;
