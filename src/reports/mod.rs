//! Level 1 intake: teachers report problems to their school's admins, who triage them and
//! either answer or escalate them into a ticket for the service desk; the school admins'
//! list of everything their school handed in and up.
pub mod overview;
pub mod service;
pub mod triage;
